"""Numbered SQL that no migration runner reads: a plain folder of `NN_name.sql` files inside a
folder of code migrations (Rails, Django, Ecto, knex, goose's Go files) that never name it.
Those runners read only their own files, directly in their folder, so the SQL there is
reference DDL, applied by hand if at all.

    db/clickhouse_migrate/20250101000000_create_events.rb   (Rails runs these)
    db/clickhouse_migrate/cloud/01_events_raw.sql           (reference DDL)
"""

from __future__ import annotations

import posixpath
import re

from harvester.migrations.base import RepoView, Side

_CODE_MIGRATION = re.compile(r"^\d{3,}_\w[\w.-]*\.(?:rb|py|exs|js|ts|go)$")
# Past this many code migrations the folder is not searched, and its SQL is not called unread.
_MOST_READ = 500


def code_migrations_above(view: RepoView, root: str) -> str | None:
    """The folder just above `root` when it holds code migrations and none of them names
    `root`'s folder (a migration may run a SQL file by its path), else None."""
    parent = posixpath.dirname(root)
    if not parent:
        return None
    code = [
        path
        for path in view.tree(Side.HEAD, parent)
        if posixpath.dirname(path) == parent and _CODE_MIGRATION.match(posixpath.basename(path))
    ]
    if not code or len(code) > _MOST_READ:
        return None
    folder = posixpath.basename(root)
    named = re.compile(rf"\b{re.escape(folder)}\b")
    if any(named.search(view.read(Side.HEAD, path).text or folder) for path in code):
        return None
    return parent
