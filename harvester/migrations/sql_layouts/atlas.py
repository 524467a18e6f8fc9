"""Atlas projects keep two folders of SQL: the migration directory, which `atlas migrate apply`
runs and which holds `atlas.sum`, and the desired schema that `atlas migrate diff` compares it
with. The second is a snapshot, like `schema.sql`: no database runs its files.

    db/migrations/20240101000000.sql   db/migrations/atlas.sum   (migrations)
    db/schema/001_events.sql                                      (desired state)

    # atlas.hcl
    env "local" {
      src = "file://schema"
      migration { dir = "file://migrations" }
    }
"""

from __future__ import annotations

import posixpath
import re

from harvester.migrations.base import RepoView, Side
from harvester.migrations.sql_layouts.dialects import ancestors

_SUM = "atlas.sum"
_CONFIG = "atlas.hcl"
# Atlas's own name for the desired state, beside the migration directory (`--to file://schema`).
_SCHEMA_FOLDERS = frozenset({"schema", "schemas"})
# `src = "file://schema"`, `to = ["file://schema/a.sql", …]`; `dir` names a migration directory.
_FILE_URL = re.compile(r"\b(?P<key>\w+)\s*=\s*\[?\s*\"file://(?P<path>[^\"]+)\"")


def desired_state(view: RepoView, root: str) -> bool:
    """True when the SQL folder `root` is an Atlas project's desired schema: a `schema/` folder
    beside a migration directory holding `atlas.sum`, or a folder `atlas.hcl` names as a
    schema source rather than as a migration directory."""
    if _holds_sum(view, root):
        return False
    parent = posixpath.dirname(root)
    if posixpath.basename(root) in _SCHEMA_FOLDERS and _sibling_has_sum(view, parent):
        return True
    return _named_as_schema(view, root)


def _holds_sum(view: RepoView, folder: str) -> bool:
    return any(view.read(side, posixpath.join(folder, _SUM)).text is not None for side in Side)


def _sibling_has_sum(view: RepoView, parent: str) -> bool:
    """True when a folder directly inside `parent` holds `atlas.sum`."""
    return any(
        posixpath.basename(path) == _SUM and posixpath.dirname(posixpath.dirname(path)) == parent
        for side in Side
        for path in view.tree(side, parent)
    )


def _named_as_schema(view: RepoView, root: str) -> bool:
    """True when an `atlas.hcl` above `root` points a schema source (not `dir`) at it."""
    for folder in ancestors(posixpath.dirname(root)):
        config = posixpath.join(folder, _CONFIG) if folder else _CONFIG
        text = view.read(Side.HEAD, config).text or view.read(Side.BASE, config).text
        if text is None:
            continue
        for match in _FILE_URL.finditer(text):
            named = posixpath.normpath(posixpath.join(folder, match.group("path")))
            inside = named == root or posixpath.dirname(named) == root
            if inside and match.group("key") != "dir":
                return True
    return False
