"""Database Changes for a range: run every registered system over the roots the range touches."""

from __future__ import annotations

import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView
from harvester.migrations.registry import SYSTEMS, concerned
from harvester.migrations.schema.engines import judged_as
from harvester.migrations.schema.ops import Dialect
from harvester.model import Database, DatabaseSystem, Finding, Migration, SchemaSnapshot


def analyse_database(view: RepoView, settings: AnalysisSettings | None = None) -> Database:
    """Migrations, findings and schema snapshots of every system the range touches.

    A path is reported by the first system (in registry order) that claims it, so a Prisma
    `migration.sql` is never also read as a plain SQL migration.
    """
    settings = settings or AnalysisSettings()
    changed = [c.path for c in view.changes()] + [c.old_path for c in view.changes() if c.old_path]
    systems: list[DatabaseSystem] = []
    migrations: list[Migration] = []
    findings: list[Finding] = []
    snapshots: list[SchemaSnapshot] = []
    claimed: set[str] = set()
    hinted = concerned(changed)
    for entry in SYSTEMS:
        configured = [r for r in settings.extra_roots if r.system == entry.name]
        if not configured and entry.name not in hinted:
            continue
        system = entry.load()
        declared = getattr(system, "declared_roots", None)  # roots the project's config names
        roots = [*system.find_roots(changed), *(declared(view) if declared else ()), *configured]
        for root in _unique(roots):
            result = system.analyse(root, view, settings)
            fresh = tuple(m for m in result.migrations if m.path not in claimed)
            # what a system says of files another one reported is that one's to say
            own = [f for f in result.findings if not f.paths or not claimed.issuperset(f.paths)]
            if not fresh and not own and not result.snapshots:
                continue
            claimed.update(m.path for m in fresh)
            dialect = result.dialect or root.dialect
            # a tree whose migrations all name one tool (a JavaScript tree's library) is its
            names = {m.system for m in fresh}
            systems.append(
                DatabaseSystem(
                    names.pop() if len(names) == 1 else system.name,
                    dialect.value if dialect else None,
                    root.root,
                    _judged_as(dialect, fresh),
                )
            )
            migrations.extend(fresh)
            # a fact about the whole app (its engine) is found once per migrations folder
            findings.extend(f for f in own if f not in findings)
            snapshots.extend(result.snapshots)
    return Database(tuple(systems), tuple(migrations), tuple(findings), tuple(snapshots))


def _judged_as(dialect: Dialect | None, migrations: Sequence[Migration]) -> str | None:
    """The engine whose rules judged a tree's migrations; None when none could be read."""
    if dialect is None and not any(m.parsed for m in migrations):
        return None
    return judged_as(dialect).value


def _unique(roots: Sequence[MigrationRoot]) -> list[MigrationRoot]:
    """Each folder once per dialect; a folder the configuration names with a dialect is read
    with it, not also as found without one."""
    seen: dict[tuple[str, str | None], MigrationRoot] = {}
    for root in roots:
        seen.setdefault((root.root, root.dialect.value if root.dialect else None), root)
    given = {folder for folder, dialect in seen if dialect is not None}
    return [r for (folder, dialect), r in seen.items() if dialect or folder not in given]


# Schema files a system reads as its snapshot, beside its migrations: never a migration.
_SCHEMA_FILE = re.compile(r"(?:\.prisma|(?:^|/)(?:schema\.rb|structure\.sql|schema\.sql))$")


def migration_like(path: str) -> bool:
    """True when a registered system would take `path` into a migrations folder it reads
    (judged from the path alone); a schema file beside them is not one."""
    if _SCHEMA_FILE.search(path):
        return False
    return any(entry.concerns([path]) and entry.load().find_roots([path]) for entry in SYSTEMS)
