"""Following a migration's imports to the repository's own modules, without importing them."""

from __future__ import annotations

from harvester.migrations import pyast
from harvester.migrations.alembic.decorators import engine_skips
from harvester.migrations.base import Side
from harvester.migrations.pymodules import PythonFile, PythonModules, absolute_module
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

_SKIP_ON_SQLITE = """
from alembic import op

def skip_if_sqlite(func):
    def wrapper(*args, **kwargs):
        if op.get_bind().engine.dialect.name == "sqlite":
            return
        return func(*args, **kwargs)
    return wrapper
"""


def _modules(files: dict[str, str]) -> PythonModules:
    return PythonModules(MemoryView({}, files), Side.HEAD)


def test_relative_imports_resolve_from_the_package_holding_the_file() -> None:
    assert absolute_module("fields", 1, "shop.models") == "shop.models.fields"
    assert absolute_module("fields", 2, "shop.models") == "shop.fields"
    assert absolute_module("", 2, "shop.models") == "shop"
    assert absolute_module("shop.fields", 0, "anything") == "shop.fields"


def test_a_package_init_resolves_relative_imports_inside_the_package() -> None:
    modules = _modules({"shop/fields/__init__.py": "from .money import MoneyField\n"})
    found = modules.module("shop.fields")
    assert found is not None
    assert found.path == "shop/fields/__init__.py"
    assert found.imports() == {"MoneyField": ("shop.fields.money", "MoneyField")}


def test_a_module_is_found_in_src_or_in_the_one_folder_that_holds_it() -> None:
    modules = _modules(
        {
            "src/shop/guards.py": "X = 1\n",
            "backend/billing/guards.py": "Y = 2\n",
            "a/twice/guards.py": "",
            "b/twice/guards.py": "",
        }
    )
    assert (found := modules.module("shop.guards")) and found.path == "src/shop/guards.py"
    assert (found := modules.module("billing.guards")) and found.path == "backend/billing/guards.py"
    assert modules.module("twice.guards") is None  # two candidates: neither is chosen
    assert modules.module("missing.guards") is None


def test_plain_and_aliased_imports_name_their_modules() -> None:
    code = pyast.parse_module("import app.utils\nimport app.guards as g\nfrom . import helpers\n")
    assert isinstance(code, pyast.Module)
    imports = PythonFile("app/migrations/env.py", "app.migrations", code).imports()
    assert imports == {
        "app.utils": ("app.utils", None),
        "g": ("app.guards", None),
        "helpers": ("app.migrations", "helpers"),
    }


def test_a_decorator_imported_under_another_name_is_read_under_its_own() -> None:
    revision = """
from alembic import op
from app.guards import skip_if_sqlite as on_servers_only

@on_servers_only
def upgrade():
    op.drop_column("accounts", "legacy")
"""
    path = "app/versions/0002_drop_legacy.py"
    view = MemoryView({}, {path: revision, "app/guards.py": _SKIP_ON_SQLITE})
    (skip,) = engine_skips(view, Side.HEAD, path, revision)
    assert (skip.function, skip.decorator, skip.source) == (
        "upgrade",
        "on_servers_only",
        "app/guards.py",
    )
    assert skip.engines == (Dialect.SQLITE,)
