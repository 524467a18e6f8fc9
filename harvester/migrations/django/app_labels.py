"""The app label each migrations folder belongs to, as Django names the app in migration ids,
table names and `dependencies`.

    # galaxy_ng/app/__init__.py
    class GalaxyAppConfig(PluginAppConfig):
        name = "galaxy_ng.app"
        label = "galaxy"

The label is the one the app's `AppConfig` sets (in `apps.py` or the package's `__init__.py`);
else the one the folder's migrations use for each other in `dependencies`
(`("galaxy", "0055_remove_users")` where `0055_remove_users.py` sits beside them); else the
app folder's name, Django's default.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from harvester.migrations import pyast
from harvester.migrations.base import RepoView, Side
from harvester.migrations.django.files import MigrationFile
from harvester.migrations.django.folders import Folders

# The modules of an app package where its AppConfig is looked for, in this order.
_CONFIG_MODULES = ("apps.py", "__init__.py")


@dataclass(frozen=True, slots=True)
class AppLabels:
    """Each migrations folder's app label, and the apps whose AppConfig sets
    `default_auto_field` (with that field class)."""

    labels: Mapping[str, str]
    auto_fields: Mapping[str, str]


def app_labels(
    view: RepoView, side: Side, folders: Folders, parsed: Mapping[str, object]
) -> AppLabels:
    """The label of every folder holding one of the files `parsed` (path -> what it holds);
    `folders`: folders the settings name, with the label of each ("": the app it sits in)."""
    by_folder: dict[str, list[str]] = {}
    for path in sorted(parsed):
        by_folder.setdefault(posixpath.dirname(path), []).append(path)
    labels: dict[str, str] = {}
    configs: dict[str, dict[str, str]] = {}
    for folder in by_folder:
        app, named = posixpath.basename(posixpath.dirname(folder)), folders.get(folder)
        # a folder the settings name for another app (`{"sites": "conf.sites_migrations"}`)
        # sits in no app of its own
        if named in (None, "", app):
            configs[folder] = _app_config(view, side, posixpath.dirname(folder))
        labels[folder] = named or configs.get(folder, {}).get("label") or app
    for folder, paths in by_folder.items():
        if folders.get(folder) or "label" in configs.get(folder, {}):
            continue
        others = {label for f, label in labels.items() if f != folder}
        migrations = [m for p in paths if isinstance(m := parsed[p], MigrationFile)]
        labels[folder] = _label_from_dependencies(labels[folder], migrations, others)
    auto_fields = {
        labels[f]: config["default_auto_field"]
        for f, config in configs.items()
        if "default_auto_field" in config
    }
    return AppLabels(labels, auto_fields)


def _label_from_dependencies(
    default: str, migrations: list[MigrationFile], others: set[str]
) -> str:
    """The label the folder's migrations give one another: the one app, no other folder's,
    whose every named dependency is a migration of this folder; else `default` (also when
    `default` is one such app)."""
    here = {m.name for m in migrations}
    fits: dict[str, bool] = {}
    for app, name, depending in _named_dependencies(migrations):
        # `("contenttypes", "0001_initial")` in this folder's own 0001_initial names another app
        fits[app] = fits.get(app, True) and name in here and name != depending
    own = [app for app, fit in fits.items() if fit and app not in others | _DJANGO_APPS]
    return own[0] if len(own) == 1 and default not in own else default


# Django's own apps, whose migrations a project's folder never holds.
_DJANGO_APPS = frozenset(
    {"admin", "auth", "contenttypes", "sessions", "sites", "messages", "staticfiles", "flatpages"}
)


def _named_dependencies(migrations: Iterable[MigrationFile]) -> Iterable[tuple[str, str, str]]:
    """(app, migration name, name of the migration that depends on it)."""
    for migration in migrations:
        for app, name in migration.dependencies:
            if app != "__setting__" and name not in ("__first__", "__latest__"):
                yield app, name, migration.name


def _app_config(view: RepoView, side: Side, app_folder: str) -> dict[str, str]:
    """What the app's AppConfig sets among `label` and `default_auto_field`."""
    for module_name in _CONFIG_MODULES:
        source = view.read(side, posixpath.join(app_folder, module_name))
        module = pyast.parse_module(source.text) if source.text is not None else None
        if isinstance(module, pyast.Module) and (found := _config_values(module)):
            return found
    return {}


def _config_values(module: pyast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in module.tree.body:
        if not isinstance(node, ast.ClassDef) or not _is_app_config(node):
            continue
        for statement in node.body:
            for name, value in pyast.assignments(statement):
                text = module.evaluate(value)
                if name in ("label", "default_auto_field") and isinstance(text, str):
                    found.setdefault(name, text)
    return found


def _is_app_config(node: ast.ClassDef) -> bool:
    """A class deriving from something named like an AppConfig (`AppConfig`,
    `PulpPluginAppConfig`)."""
    return any((pyast.dotted(base) or "").endswith("Config") for base in node.bases)
