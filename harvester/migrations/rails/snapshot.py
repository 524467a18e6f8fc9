"""A Rails migrations folder's schema file (`db/schema.rb` or `db/structure.sql`): what the
range changed in it, and `schema_drift` when those changes and the range's migrations disagree.

db/migrate        <->  db/schema.rb, db/structure.sql
db/queue_migrate  <->  db/queue_schema.rb, db/queue_structure.sql
"""

from __future__ import annotations

import posixpath
import re

from harvester.migrations.base import MigrationRoot, RepoView, Side
from harvester.migrations.rails.migration import read_migration
from harvester.migrations.rails.schema_rb import read_schema_rb
from harvester.migrations.schema import ops
from harvester.migrations.snapshots import Delta, Explained, SchemaShape, compare, unexplained
from harvester.migrations.structure_sql import read_structure_sql
from harvester.migrations.timestamped import FolderResult
from harvester.model import ChangeKind, Finding, ImpactTag, SchemaSnapshot

_SNAPSHOT = re.compile(r"(?:^|/)db/(?:(\w+)_)?(schema\.rb|structure\.sql)$")
_SHOWN = 6


def migrations_folder_of(path: str) -> str | None:
    """The migrations folder a schema file belongs to (`db/schema.rb` -> `db/migrate`)."""
    match = _SNAPSHOT.search(path)
    if match is None:
        return None
    prefix = path[: match.start()] + ("/" if match.start() else "")
    prefix = prefix.lstrip("/")
    database = match.group(1)
    return f"{prefix}db/{database}_migrate" if database else f"{prefix}db/migrate"


def schema_files(root: str) -> tuple[str, str]:
    """The schema.rb and structure.sql paths that belong to migrations folder `root`."""
    db = posixpath.dirname(root)
    folder = posixpath.basename(root)
    prefix = folder[: -len("_migrate")] + "_" if folder.endswith("_migrate") else ""
    return f"{db}/{prefix}schema.rb", f"{db}/{prefix}structure.sql"


def summarise(
    root: MigrationRoot, view: RepoView, folder: FolderResult
) -> tuple[tuple[SchemaSnapshot, ...], tuple[Finding, ...]]:
    """Snapshot summaries of `root`'s schema files and the drift findings."""
    snapshots: list[SchemaSnapshot] = []
    findings: list[Finding] = []
    changes = {c.path: c for c in view.changes()} | {
        c.old_path: c for c in view.changes() if c.old_path
    }
    for path in schema_files(root.root):
        change = changes.get(path)
        before = _shape(view, Side.BASE, path, root.dialect)
        after = _shape(view, Side.HEAD, path, root.dialect)
        if after is None and before is None:
            continue
        if change is not None:
            deltas = compare(before or SchemaShape(), after or SchemaShape())
            status = change.status if change.path == path else ChangeKind.DELETED
            snapshots.append(
                SchemaSnapshot(
                    path,
                    "rails",
                    status,
                    tuple(d.text for d in deltas),
                    after.version if after else None,
                )
            )
            explained = _explained(root, view, folder)
            missing = unexplained(deltas, explained)
            if missing:
                findings.append(_drift(path, missing, explained, change.commits))
        stale = _stale(path, after, folder, changed=change is not None)
        if stale is not None:
            findings.append(stale)
    return tuple(snapshots), tuple(findings)


def _shape(
    view: RepoView, side: Side, path: str, dialect: ops.Dialect | None
) -> SchemaShape | None:
    source = view.read(side, path)
    if source.text is None:
        return None
    if path.endswith(".rb"):
        return read_schema_rb(source.text)
    return read_structure_sql(source.text, dialect)


def _explained(root: MigrationRoot, view: RepoView, folder: FolderResult) -> Explained:
    """What the range's migrations of this database touch, including sibling folders without a
    schema file of their own (GitLab's `db/post_migrate` shares `db/structure.sql`)."""
    explained = Explained()
    for parsed in folder.parsed:
        explained.add(parsed.id, parsed.up.operations)
    db = posixpath.dirname(root.root)
    for change in view.changes():
        sibling = posixpath.dirname(change.path)
        if change.status is ChangeKind.DELETED or not change.path.endswith(".rb"):
            continue
        if (
            sibling == root.root
            or posixpath.dirname(sibling) != db
            or not sibling.endswith("migrate")
        ):
            continue
        if any(view.read(Side.HEAD, p).text is not None for p in schema_files(sibling)):
            continue
        source = view.read(Side.HEAD, change.path)
        version = posixpath.basename(change.path).split("_", 1)[0]
        if source.text is None or not version.isdigit():
            continue
        reading = read_migration(source.text, change.path, version, root.dialect)
        if reading.parsed is not None:
            explained.add(version, reading.parsed.up.operations)
    return explained


def _drift(
    path: str, missing: list[Delta], explained: Explained, commits: tuple[str, ...]
) -> Finding:
    shown = "; ".join(d.text for d in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    caveat = ""
    if explained.unattributed:
        caveat = f" (unless raw SQL in {', '.join(dict.fromkeys(explained.unattributed))} does it)"
    return Finding(
        ImpactTag.SCHEMA_DRIFT,
        f"{path} changes that no migration in the range makes: {shown}{more}{caveat}",
        (path,),
        commits,
    )


def _stale(
    path: str, after: SchemaShape | None, folder: FolderResult, *, changed: bool
) -> Finding | None:
    """Migrations added in the range that are newer than the schema file's version."""
    if after is None or after.version is None or not after.version.isdigit():
        return None
    newer = [
        m
        for m in folder.migrations
        if m.change is ChangeKind.ADDED and m.id.isdigit() and int(m.id) > int(after.version)
    ]
    if not newer:
        return None
    state = "was updated but" if changed else "was not updated:"
    return Finding(
        ImpactTag.SCHEMA_DRIFT,
        f"{path} {state} it is at version {after.version}, older than "
        f"{len(newer)} migration(s) the range adds (newest {newer[-1].id}); regenerate it",
        (path, *(m.path for m in newer)),
        tuple(dict.fromkeys(c for m in newer for c in ((m.added_in,) if m.added_in else ()))),
    )
