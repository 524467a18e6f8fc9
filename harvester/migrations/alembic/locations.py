"""The revision folders an `alembic.ini` declares, read statically at either end of the range.

    [main]
    script_location = fief:alembic
    version_locations = fief:alembic/main_versions

    [workspace]
    script_location = %(here)s/alembic
    version_locations = %(here)s/alembic/workspace_versions, model/networking

A location is `%(here)s/…` (the ini's folder), `package:path` (the package's folder, wherever it
sits in the tree) or a path relative to where alembic runs (the ini's folder, else the top of the
repository). Without `version_locations`, revisions live in `<script_location>/versions`.
Locations are split as Alembic splits them: by `version_path_separator` (or `path_separator`),
else by spaces and commas.
"""

from __future__ import annotations

import configparser
import posixpath
import re
from collections.abc import Collection, Iterator

from harvester.migrations.base import RepoView, Side
from harvester.migrations.sql_layouts.dialects import ancestors
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED

_INI = "alembic.ini"
_SEPARATORS = {"space": " ", "newline": "\n", "os": ":", "colon": ":", "semicolon": ";"}
_PACKAGE = re.compile(r"^([A-Za-z_][\w.]*):(?![\\/])(.*)$")
_LEGACY_SPLIT = re.compile(r"\s*,\s*|\s+")


def declared_folders(
    view: RepoView, folders: Collection[str], near: Collection[str] | None = None
) -> set[str]:
    """Those of `folders` (the folders holding the range's changed Python files) that an
    `alembic.ini` names, at base or at head. Only the alembic.ini files above the folders
    `near` (default: `folders`) are read: an ini sits above the revisions it names, and
    listing a whole tree costs more."""
    candidates = set(folders)
    above = candidates if near is None else near
    inis = {posixpath.join(parent, _INI) for f in above for parent in ancestors(f)}
    found: set[str] = set()
    for side in Side:
        for path in sorted(inis):
            if NOT_DEPLOYED.search(path):
                continue
            source = view.read(side, path)
            if source.text is not None:
                found |= set(_folders_in(path, source.text, candidates))
    return found


def _folders_in(ini: str, text: str, existing: set[str]) -> Iterator[str]:
    """The folders each section of `ini` names, among the `existing` ones."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=ini)
    except configparser.Error:
        return
    here = posixpath.dirname(ini)
    for section in parser.sections():
        for location in _locations(parser[section]):
            yield from _resolved(location, here, existing)


def _locations(values: configparser.SectionProxy) -> list[str]:
    """The locations a section names, split as Alembic splits them."""
    written = values.get("version_locations")
    if written is None:
        script = values.get("script_location")
        return [f"{script.strip()}/versions"] if script else []
    separator = values.get("version_path_separator") or values.get("path_separator")
    separator = _SEPARATORS.get((separator or "").strip(), separator)
    parts = written.split(separator) if separator else _LEGACY_SPLIT.split(written.strip())
    return [p.strip() for p in parts if p.strip()]


def _resolved(location: str, here: str, folders: set[str]) -> Iterator[str]:
    """The repository folder `location` names, when it is one of `folders`."""
    location = location.replace("%%", "%")
    package = _PACKAGE.match(location)
    if location.startswith("%(here)s"):
        wanted = [posixpath.join(here, location.removeprefix("%(here)s").lstrip("/"))]
    elif package:
        inside = posixpath.join(*package.group(1).split("."), package.group(2))
        wanted = sorted(
            (f for f in folders if f == inside or f.endswith(f"/{inside}")),
            key=lambda f: (not f.startswith(here), f.count("/")),
        )[:1]
    elif location.startswith("/") or "%(" in location:
        return  # outside the repository, or set by the environment
    else:
        wanted = [posixpath.join(here, location), location]
    found = [f for f in (posixpath.normpath(w) for w in wanted) if f in folders]
    yield from found[:1]
