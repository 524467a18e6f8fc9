"""Revision folders read from `alembic.ini`: `version_locations` in each of its written forms."""

from __future__ import annotations

import pytest

from harvester.migrations.alembic.locations import declared_folders
from tests.support.memory_view import MemoryView

_TREE = {
    "svc/app/__init__.py": "",
    "svc/app/alembic/main_versions/a.py": "",
    "svc/app/alembic/tenant_versions/b.py": "",
    "svc/model/networking/c.py": "",
    "svc/alembic/versions/d.py": "",
    "top/versions/e.py": "",
}


def _declared(ini: str, where: str = "svc/alembic.ini") -> set[str]:
    changed = {path.rsplit("/", 1)[0] for path in _TREE}
    return declared_folders(MemoryView({}, {**_TREE, where: ini}), changed)


@pytest.mark.parametrize(
    ("ini", "folders"),
    [
        (  # one section per chain, package:path form
            "[main]\nversion_locations = app:alembic/main_versions\n"
            "[tenant]\nversion_locations = app:alembic/tenant_versions\n",
            {"svc/app/alembic/main_versions", "svc/app/alembic/tenant_versions"},
        ),
        (  # the legacy split: spaces and commas
            "[alembic]\nversion_locations = %(here)s/model/networking, %(here)s/alembic/versions\n",
            {"svc/model/networking", "svc/alembic/versions"},
        ),
        (  # an explicit separator; relative paths from the ini's folder
            "[alembic]\nversion_path_separator = os\n"
            "version_locations = model/networking:alembic/versions\n",
            {"svc/model/networking", "svc/alembic/versions"},
        ),
        (  # no version_locations: <script_location>/versions
            "[alembic]\nscript_location = %(here)s/alembic\n",
            {"svc/alembic/versions"},
        ),
        (  # relative to the top of the repository when the ini's folder has no such path
            "[alembic]\nversion_locations = top/versions\n",
            {"top/versions"},
        ),
        (  # outside the repository, absent, or set by the environment: nothing
            "[alembic]\nversion_locations = /srv/versions %(root)s/versions missing/versions\n",
            set(),
        ),
        ("not an ini [file", set()),
    ],
)
def test_version_locations_name_revision_folders(ini: str, folders: set[str]) -> None:
    assert _declared(ini) == folders


def test_an_ini_under_tests_names_no_deployed_folder() -> None:
    ini = "[alembic]\nversion_locations = %(here)s/../svc/model/networking\n"
    assert _declared(ini, "tests/alembic.ini") == set()
