"""drizzle-kit migrations: numbered SQL files beside the journal that lists them.

    drizzle/0003_brave_wolf.sql
        ALTER TABLE "users" ADD COLUMN "plan" text NOT NULL;--> statement-breakpoint
        CREATE INDEX "users_plan_idx" ON "users" USING btree ("plan");
    drizzle/meta/_journal.json
        {"dialect": "postgresql", "entries": [{"idx": 3, "tag": "0003_brave_wolf", ...}]}

The folder may have any name (`drizzle/`, `src/db/migrations/`): the journal beside the files
says it is drizzle-kit's, and which engine it writes for. The `--> statement-breakpoint`
markers are comments between statements that already end with `;`.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence

from harvester.migrations.base import PathChange, RepoView, Side
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts.dialects import dialect_named
from harvester.migrations.sql_layouts.layouts import DRIZZLE, DRIZZLE_JOURNAL
from harvester.migrations.sql_layouts.system import SqlFolderSystem
from harvester.migrations.sql_layouts.units import Unit

# The journal's names for engines (`pg` in older drizzle-kit, `turso` for libSQL).
_JOURNAL_DIALECTS = {"turso": ops.Dialect.SQLITE}


class DrizzleSystem(SqlFolderSystem):
    """drizzle-kit."""

    def __init__(self) -> None:
        super().__init__(DRIZZLE)

    def tree_dialect(
        self,
        view: RepoView,
        root: str,
        units: Sequence[Unit],
        changes: Mapping[str, PathChange],
    ) -> ops.Dialect | None:
        """The engine the journal names, else the usual evidence."""
        for side in (Side.HEAD, Side.BASE):
            found = journal_dialect(view.read(side, posixpath.join(root, DRIZZLE_JOURNAL)).text)
            if found is not None:
                return found
        return super().tree_dialect(view, root, units, changes)

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """None: drizzle-kit's snapshots are JSON in `meta/`, and the schema is TypeScript."""
        return []


def journal_dialect(text: str | None) -> ops.Dialect | None:
    """The engine a `_journal.json` names (`"dialect": "postgresql"`)."""
    try:
        journal = json.loads(text) if text else None
    except ValueError:
        return None
    name = journal.get("dialect") if isinstance(journal, dict) else None
    if not isinstance(name, str):
        return None
    return _JOURNAL_DIALECTS.get(name.lower()) or dialect_named(name)


SYSTEM = DrizzleSystem()
