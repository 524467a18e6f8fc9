"""Database Changes in Markdown: Schema Updates by table, Migration Status per system, Data
Impact worst first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from harvester.analysis.wording import plural
from harvester.model import Database, ImpactTag, Migration
from harvester.render.escape import Trusted, code_span, inline

# Worst first: what loses data or fails on existing rows, then what locks, then what a
# reviewer should merely know.
SEVERITY: tuple[ImpactTag, ...] = (
    ImpactTag.DESTRUCTIVE_DROP_TABLE,
    ImpactTag.DESTRUCTIVE_DROP_COLUMN,
    ImpactTag.DATA_NOT_MIGRATED,
    ImpactTag.DATA_DELETE,
    ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
    ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
    ImpactTag.UNIQUE_ON_EXISTING_DATA,
    ImpactTag.TABLE_REWRITE,
    ImpactTag.BACKWARD_INCOMPATIBLE,
    ImpactTag.DOWN_MIGRATION_BUG,
    ImpactTag.DATA_DEPENDENT,
    ImpactTag.LOCK_HEAVY_INDEX,
    ImpactTag.FK_ADDED_EXISTING_TABLE,
    ImpactTag.CHECK_CONSTRAINT_VALIDATED,
    ImpactTag.INDEX_DROP_LOCK,
    ImpactTag.ENUM_VALUE_ADDED,
    ImpactTag.DATA_BACKFILL,
    ImpactTag.TABLE_REBUILD,
    ImpactTag.TYPE_CHANGE_NO_REWRITE,
    ImpactTag.RENAME_TABLE,
    ImpactTag.RENAME_COLUMN,
    ImpactTag.VIEW_DROPPED_RECREATED,
    ImpactTag.FK_DROPPED,
    ImpactTag.IRREVERSIBLE,
    ImpactTag.RAW_SQL,
    ImpactTag.MODIFIED_EXISTING_MIGRATION,
    ImpactTag.SCHEMA_DRIFT,
    ImpactTag.OUT_OF_ORDER,
    ImpactTag.MULTIPLE_HEADS,
    ImpactTag.FORMAT_ONLY_CHANGE,
    ImpactTag.NO_OP,
    ImpactTag.MITIGATED,
    ImpactTag.NONE,
)
_RANK = {tag: index for index, tag in enumerate(SEVERITY)}
_CALM = {ImpactTag.NONE, ImpactTag.NO_OP, ImpactTag.FORMAT_ONLY_CHANGE}

_CATEGORY_LABELS = {
    "tables_created": "table created",
    "tables_dropped": "table dropped",
    "tables_renamed": "table renamed",
    "tables_rebuilt": "table rebuilt",
    "columns_added": "column added",
    "columns_dropped": "column dropped",
    "columns_altered": "column altered",
    "columns_renamed": "column renamed",
    "indexes_added": "index added",
    "indexes_dropped": "index dropped",
    "indexes_renamed": "index renamed",
    "constraints_added": "constraint added",
    "constraints_dropped": "constraint dropped",
    "constraints_validated": "constraint validated",
    "types_created": "type created",
    "types_altered": "type altered",
    "types_dropped": "type dropped",
    "views_created": "view created",
    "views_dropped": "view dropped",
    "table_options": "table options",
}


def severity(tag: ImpactTag) -> int:
    """Position of a tag in the worst-first order."""
    return _RANK.get(tag, len(SEVERITY))


def migration_label(migration: Migration) -> str:
    """`django api.0117_fill_badge_key` (with the dialect when a system has several)."""
    dialect = f" ({migration.dialect})" if migration.dialect else ""
    return f"{migration.system}{dialect} {migration.id}"


def schema_updates(database: Database) -> list[Trusted]:
    """Markdown list lines: each table, then what each migration did to it."""
    by_table: dict[str, list[tuple[str, str, Migration]]] = defaultdict(list)
    for migration in database.migrations:
        for change in migration.schema_changes:
            by_table[change.table].append((change.category, change.text, migration))
    lines = []
    for table in sorted(by_table):
        lines.append(Trusted(f"  - {code_span(table)}"))
        for category, text, migration in by_table[table]:
            label = _CATEGORY_LABELS.get(category, category.replace("_", " "))
            detail = text
            if category == "tables_created":
                columns = migration.created_table_columns.get(table, ())
                detail = "; ".join(columns) if columns else text
                label += f" ({plural(len(columns), 'column')})" if columns else ""
            lines.append(
                Trusted(f"    - {inline(label)}: {code_span(detail)} — {code_span(migration.id)}")
            )
    for snapshot in database.snapshots:
        version = f" (version {snapshot.version})" if snapshot.version else ""
        lines.append(Trusted(f"  - schema snapshot {code_span(snapshot.path)}{inline(version)}"))
        lines += [Trusted(f"    - {inline(c)}") for c in snapshot.changes]
    return lines


def migration_status(database: Database) -> list[Trusted]:
    """Markdown list lines: each system and root, then its migrations in execution order."""
    lines = []
    for system in database.systems:
        members = [
            m
            for m in database.migrations
            if m.system == system.system
            and m.path.startswith(system.root.rstrip("/") + "/")
            and (m.dialect == system.dialect)
        ]
        if not members:
            continue
        dialect = f" ({system.dialect})" if system.dialect else ""
        lines.append(
            Trusted(f"  - {inline(system.system + dialect)} in {code_span(system.root + '/')}:")
        )
        for migration in sorted(members, key=lambda m: m.order):
            lines.append(Trusted(f"    {migration.order}. {_status_line(migration)}"))
    return lines


def _status_line(migration: Migration) -> str:
    change = migration.change.value
    if migration.change.value == "renamed":
        change = "renamed"
    if migration.released and migration.change.value == "modified":
        change = "edited after release" if not migration.format_only else "reformatted"
    deployment = (
        f"first released in {inline(migration.first_tag)}"
        if migration.first_tag
        else ("already released before this range" if migration.released else "unreleased")
    )
    parts = [code_span(migration.id), inline(change), deployment]
    if migration.added_in:
        parts.append(f"added in {code_span(migration.added_in[:7])}")
    for problem in migration.problems:
        parts.append(inline(problem.message))
    return " — ".join([parts[0], "; ".join(parts[1:])])


def data_impact(database: Database) -> list[Trusted]:
    """Markdown list lines: every flagged risk, worst first, each with its migration."""
    flagged = [
        (impact, migration)
        for migration in database.migrations
        for impact in migration.data_impact
        if impact.tag not in _CALM
    ]
    flagged.sort(key=lambda pair: (severity(pair[0].tag), pair[1].order, pair[1].id))
    lines = [
        Trusted(
            f"  - **{impact.tag.value}** — {inline(impact.detail)} "
            f"({inline(migration_label(migration))})"
        )
        for impact, migration in flagged
    ]
    for finding in sorted(database.findings, key=lambda f: severity(f.tag)):
        lines.append(Trusted(f"  - **{finding.tag.value}** — {inline(finding.detail)}"))
    calm = _calm_summary(database.migrations)
    if calm:
        lines.append(Trusted(f"  - {calm}"))
    return lines


def _calm_summary(migrations: Sequence[Migration]) -> str:
    groups: dict[ImpactTag, list[str]] = defaultdict(list)
    for migration in migrations:
        tags = {i.tag for i in migration.data_impact}
        if tags and tags <= _CALM:
            worst = min(tags, key=severity)
            groups[worst].append(migration.id)
    parts = []
    for tag in (ImpactTag.FORMAT_ONLY_CHANGE, ImpactTag.NO_OP, ImpactTag.NONE):
        ids = groups.get(tag)
        if ids:
            shown = ", ".join(code_span(i) for i in ids[:8]) + (", …" if len(ids) > 8 else "")
            parts.append(f"**{tag.value}** for {plural(len(ids), 'migration')}: {shown}")
    return "; ".join(parts)
