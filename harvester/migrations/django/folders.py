"""Where a Django project keeps its migrations: `<app>/migrations/`, or the package the
settings name for an app instead.

    MIGRATION_MODULES = {"dojo": "dojo.db_migrations"}

Django then loads app `dojo`'s migrations from `dojo/db_migrations/`. The settings are read
statically (a dict literal, also inside an `if`), never imported. Such a folder is found when
its name says `migrations`; any folder the configuration names as a Django root
(`[[migrations]] root = "dojo/db_migrations"`) counts as well.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping

from harvester.migrations import pyast
from harvester.migrations.base import RepoView, Side, Source
from harvester.migrations.pymodules import PythonModules
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED

MIGRATION_FILE = re.compile(r"(?:^|/)migrations/([^/_~.][^/]*)\.py$")
NUMBERED = re.compile(r"(?:^|/)\d{4}_\w+\.py$")
# A numbered module in a folder named like a migrations package (`db_migrations/`): it counts
# only when the settings or the configuration name the folder.
MAYBE_ELSEWHERE = re.compile(r"(?:^|/)[^/]*migrations[^/]*/\d{4}_\w+\.py$")
_MODULE = re.compile(r"([^/_~.][^/]*)\.py")

# Folder -> the app label whose migrations it holds ("": the label of the app it sits in).
Folders = Mapping[str, str]


def migration_name(path: str, folders: Folders) -> str | None:
    """The migration name of a file Django loads as a migration module, else None."""
    folder, _, file = path.rpartition("/")
    if folder in folders:
        match = _MODULE.fullmatch(file)
        return match.group(1) if match else None
    found = MIGRATION_FILE.search(path)
    return found.group(1) if found else None


def other_folders(view: RepoView, configured: str | None) -> Folders:
    """Migration folders besides `<app>/migrations/`: those MIGRATION_MODULES names in the
    settings of the head tree, and the configured one."""
    modules = PythonModules(view, Side.HEAD)
    found: dict[str, str] = {}
    for label, dotted in _migration_modules(_settings_files(view)).items():
        package = modules.module(dotted)
        if package is not None and package.path.endswith("/__init__.py"):
            found.setdefault(posixpath.dirname(package.path), label)
    if configured is not None:
        found.setdefault(configured, "")
    return found


# `settings.py`, `settings_prod.py`, `settings.dist.py`, or any module of a `settings/` package
_SETTINGS_MODULE = re.compile(r"(?i)(?:^|/)(?:settings[^/]*|settings/[^/]+)\.py$")


def _settings_files(view: RepoView) -> Iterator[Source]:
    """The head tree's Python files named or kept as settings (`settings.py`,
    `settings/base.py`, `settings.dist.py`), tests and examples left out."""
    for path in view.tree(Side.HEAD, ""):
        if (
            _SETTINGS_MODULE.search(path)
            and not NOT_DEPLOYED.search(path)
            and not MIGRATION_FILE.search(path)
            and not MAYBE_ELSEWHERE.search(path)
        ):
            yield view.read(Side.HEAD, path)


def _migration_modules(sources: Iterable[Source]) -> dict[str, str]:
    """App label -> dotted module of every `MIGRATION_MODULES = {…}` in the settings (an app
    mapped to None has no migrations and is left out)."""
    found: dict[str, str] = {}
    for source in sources:
        if "MIGRATION_MODULES" not in (source.text or ""):
            continue
        module = pyast.parse_module(source.text or "")
        if not isinstance(module, pyast.Module):
            continue
        for node in ast.walk(module.tree):
            if not isinstance(node, (ast.Assign, ast.AnnAssign)):
                continue
            for name, value in pyast.assignments(node):
                mapping = module.evaluate(value) if name == "MIGRATION_MODULES" else None
                if isinstance(mapping, dict):
                    found.update(
                        (k, v)
                        for k, v in mapping.items()
                        if isinstance(k, str) and isinstance(v, str)
                    )
    return found
