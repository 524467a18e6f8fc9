"""drizzle-kit migrations: numbered SQL files beside the journal that lists them, or (drizzle-kit
1.0) one folder per migration named by its UTC timestamp, with the schema snapshot beside it.

    drizzle/0003_brave_wolf.sql
        ALTER TABLE "users" ADD COLUMN "plan" text NOT NULL;--> statement-breakpoint
        CREATE INDEX "users_plan_idx" ON "users" USING btree ("plan");
    drizzle/meta/_journal.json
        {"dialect": "postgresql", "entries": [{"idx": 3, "when": 1700000000000, ...}]}

    drizzle/20231114221320_brave_wolf/migration.sql
    drizzle/20231114221320_brave_wolf/snapshot.json
        {"dialect": "postgres", "id": "…", "prevIds": ["…"], ...}

The folder may have any name (`drizzle/`, `src/db/migrations/`): the journal beside the files,
or the snapshots in the migration folders (Prisma's folders have none), say it is
drizzle-kit's, and which engine it writes for. Folders run in name order. The
`--> statement-breakpoint` markers are comments between statements that already end with `;`.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence

from harvester.migrations.base import MigrationRoot, PathChange, RepoView, Side
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts.dialects import dialect_from_path, dialect_named
from harvester.migrations.sql_layouts.layouts import DRIZZLE, DRIZZLE_JOURNAL
from harvester.migrations.sql_layouts.naming import MigrationFile, deployed_roots, prisma_file
from harvester.migrations.sql_layouts.system import SqlFolderSystem
from harvester.migrations.sql_layouts.units import Unit

# The journal's names for engines (`pg` in older drizzle-kit, `turso` for libSQL).
_JOURNAL_DIALECTS = {"turso": ops.Dialect.SQLITE}
# drizzle-kit 1.0: `<root>/20231114221320_brave_wolf/migration.sql` and `snapshot.json`
_FOLDER = re.compile(r"^\d{14}_[^/]+$")
_FOLDER_MIGRATION = "migration.sql"
_FOLDER_SNAPSHOT = "snapshot.json"
_PRISMA_LOCK = "migration_lock.toml"


class DrizzleSystem(SqlFolderSystem):
    """drizzle-kit."""

    def __init__(self) -> None:
        super().__init__(DRIZZLE)

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Folders of numbered files (a journal must lie beside them), and the folders that
        hold drizzle-kit 1.0's timestamped migration folders."""
        roots = {r.root for r in super().find_roots(changed_paths)}
        roots.update(r for p in changed_paths if (r := _folder_root(p)) is not None)
        return deployed_roots(self.name, roots)

    def owns(self, view: RepoView, root: str) -> bool:
        """A folder beside a journal, or of timestamped folders with drizzle-kit's snapshots, at
        either end of the range."""
        journal = posixpath.join(root, DRIZZLE_JOURNAL)
        return any(journal in view.tree(side, root) for side in Side) or holds_folders(view, root)

    def migration_file(self, path: str, root: str) -> MigrationFile | None:
        """A numbered file beside the journal, or a timestamped folder's `migration.sql`."""
        if _folder_root(path) == root:
            return prisma_file(path, root)  # Prisma's folder shape
        return super().migration_file(path, root)

    def tree_dialect(
        self,
        view: RepoView,
        root: str,
        units: Sequence[Unit],
        changes: Mapping[str, PathChange],
    ) -> ops.Dialect | None:
        """The engine the journal names, else the folder's name (`drizzle/mssql/`), else the
        newest migration folder's snapshot, else the usual evidence."""
        for side in (Side.HEAD, Side.BASE):
            found = journal_dialect(view.read(side, posixpath.join(root, DRIZZLE_JOURNAL)).text)
            if found is not None:
                return found
        found = dialect_from_path(root)
        for side in (Side.HEAD, Side.BASE):
            snapshots = sorted(p for p in view.tree(side, root) if _folder_snapshot(p, root))
            if found is None and snapshots:
                found = journal_dialect(view.read(side, snapshots[-1]).text)
        return found or super().tree_dialect(view, root, units, changes)

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """None: drizzle-kit's snapshots are JSON in `meta/`, and the schema is TypeScript."""
        return []


def holds_folders(view: RepoView, root: str) -> bool:
    """True when `root` holds drizzle-kit 1.0's migration folders at either end of the range:
    timestamped folders with a `snapshot.json` beside their `migration.sql`, and no Prisma
    lock file."""
    for side in Side:
        paths = view.tree(side, root)
        if posixpath.join(root, _PRISMA_LOCK) in paths:
            return False
        snapshots = {posixpath.dirname(p) for p in paths if _folder_snapshot(p, root)}
        if any(posixpath.join(f, _FOLDER_MIGRATION) in paths for f in snapshots):
            return True
    return False


def _folder_snapshot(path: str, root: str) -> bool:
    """True for a `<root>/<timestamp>_<name>/snapshot.json`."""
    folder, name = posixpath.split(path)
    return (
        name == _FOLDER_SNAPSHOT
        and posixpath.dirname(folder) == root
        and _FOLDER.match(posixpath.basename(folder)) is not None
    )


def _folder_root(path: str) -> str | None:
    """The folder a `<root>/<timestamp>_<name>/migration.sql` file is a migration of."""
    folder, name = posixpath.split(path)
    if name != _FOLDER_MIGRATION or not _FOLDER.match(posixpath.basename(folder)):
        return None
    return posixpath.dirname(folder)


def journal_dialect(text: str | None) -> ops.Dialect | None:
    """The engine a `_journal.json` or a 1.0 `snapshot.json` names (`"dialect": "postgresql"`)."""
    try:
        journal = json.loads(text) if text else None
    except ValueError:
        return None
    name = journal.get("dialect") if isinstance(journal, dict) else None
    if not isinstance(name, str):
        return None
    return _JOURNAL_DIALECTS.get(name.lower()) or dialect_named(name)


SYSTEM = DrizzleSystem()
