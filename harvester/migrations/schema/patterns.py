"""Multi-statement patterns: what a sequence of operations means together.

SQLite's copy-and-rename rebuild (`CREATE x_new; INSERT … SELECT; DROP x; ALTER … RENAME`) is a
`RebuildTable`, never a destructive drop, and a column copied into a new column that then takes
its name is a type change; so are its rename-first variant and a ClickHouse
create-and-swap (`RENAME TABLE x TO x_old, x_new TO x` or `EXCHANGE TABLES`), whose old rows
may not be carried over. In PostgreSQL's enum rebuild (`CREATE TYPE e_new`, columns retyped to
e_new, `DROP TYPE e`, `ALTER TYPE e_new RENAME TO e`) the retyped columns get e as old type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from harvester.migrations.schema import ops


def recognise(parsed: ops.ParsedMigration, dialect: ops.Dialect | None) -> ops.ParsedMigration:
    """The migration with multi-statement patterns folded into single operations."""
    # Code (not a file of SQL statements) may hold a table's rows in memory while it is rebuilt.
    in_code = not parsed.path.lower().endswith(".sql")
    up = _recognise_step(parsed.up, dialect, in_code)
    down = _recognise_step(parsed.down, dialect, in_code) if parsed.down is not None else None
    if up is parsed.up and down is parsed.down:
        return parsed
    return dataclasses.replace(parsed, up=up, down=down)


def _recognise_step(step: ops.Step, dialect: ops.Dialect | None, in_code: bool) -> ops.Step:
    rebuilt = _refilled_tables(_table_rebuilds(step.operations, dialect), in_code)
    operations = _without_session_tables(
        _idempotent_creates(
            _index_tables(_enum_rebuilds(_column_copies(_views_dropped_as_tables(rebuilt))))
        )
    )
    if operations == step.operations:
        return step
    return dataclasses.replace(step, operations=operations)


@dataclass
class _Rebuild:
    """The statements of one rebuild, found by position."""

    table: str
    staging: str
    via: str
    members: set[int] = field(default_factory=set)
    copied: bool = False
    kept_old: str | None = None
    columns: tuple[ops.ColumnDef, ...] = ()
    checks: tuple[ops.Constraint, ...] = ()
    copied_columns: tuple[str, ...] = ()
    copies: tuple[tuple[str, str], ...] = ()
    fed_by: str | None = None
    unconfirmed: str | None = None
    keeps_only: str | None = None
    declares: list[str] = field(default_factory=list)
    retargeted: dict[int, ops.Operation] = field(default_factory=dict)


def _table_rebuilds(
    operations: tuple[ops.Operation, ...], dialect: ops.Dialect | None
) -> tuple[ops.Operation, ...]:
    rebuilds = [r for r in (_rebuild_at(operations, i) for i in range(len(operations))) if r]
    if not rebuilds:
        return operations
    claimed: dict[int, _Rebuild] = {}
    retargeted: dict[int, ops.Operation] = {}
    for rebuild in rebuilds:
        if not rebuild.members & claimed.keys():
            claimed.update(dict.fromkeys(rebuild.members, rebuild))
            retargeted.update(rebuild.retargeted)
    result: list[ops.Operation] = []
    placed: set[int] = set()
    for position, operation in enumerate(operations):
        member_of = claimed.get(position)
        if member_of is None:
            result.append(retargeted.get(position, operation))
        elif id(member_of) not in placed:
            placed.add(id(member_of))
            result.append(_folded(member_of, operation.line, dialect))
    return tuple(result)


def _rebuild_at(operations: tuple[ops.Operation, ...], start: int) -> _Rebuild | None:
    """A rebuild whose first statement is at `start`, or None."""
    first = operations[start]
    if isinstance(first, ops.CreateTable):
        return _create_first(operations, start, first)
    if isinstance(first, ops.RenameTable):
        return _rename_first(operations, start, first)
    return None


def _create_first(
    operations: tuple[ops.Operation, ...], start: int, created: ops.CreateTable
) -> _Rebuild | None:
    """`CREATE new; [INSERT new SELECT old]; DROP old | RENAME old; RENAME new TO old` or
    `EXCHANGE TABLES old AND new`."""
    staging = created.table
    for position in range(start + 1, len(operations)):
        operation = operations[position]
        if isinstance(operation, ops.RenameTable) and operation.old == staging:
            target = operation.new
            old_gone = _old_removed(operations, start, position, target)
            if old_gone is None:
                return None
            rebuild = _Rebuild(target, staging, f"copy-and-rename through {staging}")
            rebuild.members = {start, position, old_gone[0]}
            rebuild.kept_old = old_gone[1]
            if rebuild.kept_old:
                rebuild.via = f"create-and-swap with {staging}"
                _drop_of(operations, position, rebuild.kept_old, rebuild)
            break
        if isinstance(operation, ops.ExchangeTables) and staging in (
            operation.first,
            operation.second,
        ):
            target = operation.second if operation.first == staging else operation.first
            rebuild = _Rebuild(target, staging, f"create-and-swap with {staging} (EXCHANGE)")
            rebuild.members = {start, position}
            rebuild.kept_old = staging
            _drop_of(operations, position, staging, rebuild)
            break
    else:
        return None
    rebuild.columns = created.columns
    rebuild.checks = _checks_of(created)
    _copy_into(operations, start, staging, (rebuild.table,), rebuild)
    if not rebuild.copied:
        _fed_by_view(operations, start, staging, rebuild)
    if not rebuild.copied:
        rebuild.unconfirmed = _filled_otherwise(operations, start, staging)
    return rebuild


def _old_removed(
    operations: tuple[ops.Operation, ...], start: int, end: int, target: str
) -> tuple[int, str | None] | None:
    """Where the old table leaves its name before the staging table takes it: its DROP
    (position, None) or its RENAME away (position, new name)."""
    for position in range(start + 1, end):
        operation = operations[position]
        if isinstance(operation, ops.DropTable) and operation.table == target:
            return position, None
        if isinstance(operation, ops.RenameTable) and operation.old == target:
            return position, operation.new
    return None


def _rename_first(
    operations: tuple[ops.Operation, ...], start: int, renamed: ops.RenameTable
) -> _Rebuild | None:
    """`RENAME old TO old_x; CREATE old; [INSERT old SELECT old_x]; [DROP old_x]`."""
    target, parked = renamed.old, renamed.new
    for position in range(start + 1, len(operations)):
        operation = operations[position]
        if isinstance(operation, ops.CreateTable) and operation.table == target:
            rebuild = _Rebuild(target, parked, f"rename-and-copy through {parked}")
            rebuild.members = {start, position}
            rebuild.columns = operation.columns
            rebuild.checks = _checks_of(operation)
            rebuild.kept_old = parked
            _copy_into(operations, position, target, (parked,), rebuild)
            _drop_of(operations, position, parked, rebuild)
            if not rebuild.copied:
                rebuild.unconfirmed = _filled_otherwise(operations, position, target)
            if rebuild.kept_old is None:
                _parked_columns(operations, start, position, rebuild)
            return rebuild
    return None


def _parked_columns(
    operations: tuple[ops.Operation, ...], start: int, end: int, rebuild: _Rebuild
) -> None:
    """Columns added to the parked table before the new one is created (SQLite cannot add a
    NOT NULL column, so it is added there, filled, and declared NOT NULL on the new table):
    steps of the rebuild, not changes of a table the migration drops. The parked table holds
    every row of the old one, so what fills it there fills the rebuilt table's rows."""
    for position in range(start + 1, end):
        operation = operations[position]
        if isinstance(operation, ops.AddColumn) and operation.table == rebuild.staging:
            rebuild.members.add(position)
            rebuild.declares.append(operation.column.name)
        elif isinstance(operation, ops.DataChange) and operation.table == rebuild.staging:
            rebuild.retargeted[position] = dataclasses.replace(operation, table=rebuild.table)


def _copy_into(
    operations: tuple[ops.Operation, ...],
    start: int,
    table: str,
    sources: tuple[str, ...],
    rebuild: _Rebuild,
) -> None:
    copies = [
        (position, operation)
        for position, operation in enumerate(operations)
        if position > start
        and isinstance(operation, ops.DataChange)
        and operation.kind is ops.DataChangeKind.INSERT_SELECT
        and operation.table == table
        and operation.source_table in (*sources, rebuild.staging)
    ]
    if not copies:
        return
    rebuild.members.update(position for position, _ in copies)
    rebuild.copied = True
    rebuild.copied_columns = copies[0][1].columns
    rebuild.copies = tuple(dict.fromkeys(pair for _, copy in copies for pair in copy.reads))
    # Several copies with filters of their own (`WHERE is_admin = 't'`, then
    # `WHERE is_admin = 'f'`) keep the rows that match any of them.
    filters = [copy.where for _, copy in copies]
    if None not in filters:
        rebuild.keeps_only = (
            " OR ".join(f"({f})" for f in filters) if len(filters) > 1 else filters[0]
        )


def _fed_by_view(
    operations: tuple[ops.Operation, ...], start: int, staging: str, rebuild: _Rebuild
) -> None:
    """A ClickHouse staging table filled by a materialized view (`CREATE MATERIALIZED VIEW
    … TO staging`) that sees the rows a later INSERT … SELECT copies into its source."""
    for position in range(start + 1, len(operations)):
        view = operations[position]
        if not (isinstance(view, ops.CreateView) and view.to_table == staging):
            continue
        if any(
            isinstance(o, ops.DataChange) and o.kind is ops.DataChangeKind.INSERT_SELECT
            for o in operations[position + 1 :]
        ):
            rebuild.copied = True
            rebuild.fed_by = view.name
        return


def _filled_otherwise(operations: tuple[ops.Operation, ...], start: int, table: str) -> str | None:
    """How rows may reach a rebuilt table that no INSERT … SELECT fills: INSERTs of its own
    (a loop over the old rows in code, one INSERT … VALUES each), or statements harvester
    cannot read, wherever the framework placed them (None: nothing can fill it)."""
    for operation in operations[start + 1 :]:
        if (
            isinstance(operation, ops.DataChange)
            and operation.kind is ops.DataChangeKind.INSERT
            and operation.table == table
        ):
            return _filled_by(operation, table)
    for operation in operations:
        if isinstance(operation, ops.Opaque) and operation.raw:
            return f"the migration runs SQL harvester cannot read ({operation.summary})"
        if isinstance(operation, ops.DataChange) and operation.table is None:
            return f"the migration runs code harvester cannot read ({operation.detail})"
    return None


def _filled_by(insert: ops.DataChange, table: str) -> str:
    """How an INSERT fills a rebuilt table, in words."""
    line = f", line {insert.line}" if insert.line is not None else ""
    if insert.kind is ops.DataChangeKind.INSERT_SELECT and insert.source_table:
        return f"the migration fills {table} from {insert.source_table} (INSERT … SELECT{line})"
    where = f" (line {insert.line})" if insert.line is not None else ""
    return (
        f"the migration fills {table} with INSERT statements of its own{where}, not an "
        "INSERT … SELECT"
    )


def _refilled_tables(
    operations: tuple[ops.Operation, ...], in_code: bool
) -> tuple[ops.Operation, ...]:
    """`DROP t; CREATE t …; INSERT INTO t …`: t is rebuilt, not lost, from rows the migration
    read into code before the drop (pgAdmin's Alembic revisions) or from another table (a
    full-text index refilled from its source, as in Pinchflat); whether every old row comes
    back is not something harvester can confirm. A CREATE it cannot read (SQLite's CREATE
    VIRTUAL TABLE) counts when the INSERT follows it. INSERT … VALUES in a file of SQL
    statements puts new rows in: that stays a drop."""
    folded: dict[int, ops.Operation | None] = {}
    for start, dropped in enumerate(operations):
        if not isinstance(dropped, ops.DropTable):
            continue
        table = dropped.table
        fill = next(
            (i for i in range(start + 1, len(operations)) if _fills(operations[i], table)), None
        )
        if fill is None:
            continue
        between = operations[start + 1 : fill]
        created = next(
            (
                start + 1 + i
                for i, o in enumerate(between)
                if isinstance(o, ops.CreateTable) and o.table == table
            ),
            None,
        )
        unread = any(isinstance(o, ops.Opaque) and o.raw for o in between)
        renamed = any(isinstance(o, ops.RenameTable) and o.new == table for o in between)
        if renamed or (created is None and not unread):
            continue
        fill_op = operations[fill]
        assert isinstance(fill_op, ops.DataChange)
        if fill_op.kind is ops.DataChangeKind.INSERT and not in_code:
            continue  # INSERT … VALUES in plain SQL: new rows, the old ones are gone
        create = operations[created] if created is not None else None
        assert create is None or isinstance(create, ops.CreateTable)
        folded[start] = ops.RebuildTable(
            table,
            "DROP and CREATE TABLE",
            copies_data=False,
            line=dropped.line,
            columns=create.columns if create else (),
            checks=_checks_of(create) if create else None,
            unconfirmed=_filled_by(fill_op, table),
        )
        if created is not None:
            folded[created] = None
    if not folded:
        return operations
    return tuple(
        replaced for i, o in enumerate(operations) if (replaced := folded.get(i, o)) is not None
    )


def _fills(operation: ops.Operation, table: str) -> bool:
    """An INSERT into `table` of rows from code or from another table."""
    return (
        isinstance(operation, ops.DataChange)
        and operation.kind in (ops.DataChangeKind.INSERT, ops.DataChangeKind.INSERT_SELECT)
        and operation.table == table
        and operation.source_table != table
    )


def _drop_of(
    operations: tuple[ops.Operation, ...], start: int, table: str, rebuild: _Rebuild
) -> None:
    for position in range(start + 1, len(operations)):
        operation = operations[position]
        if isinstance(operation, ops.DropTable) and operation.table == table:
            rebuild.members.add(position)
            rebuild.kept_old = None
            return


def _folded(rebuild: _Rebuild, line: int | None, dialect: ops.Dialect | None) -> ops.RebuildTable:
    changes: list[str] = []
    unfilled: list[str] = []
    if rebuild.copied and rebuild.copied_columns:
        filled = set(rebuild.copied_columns)
        for column in rebuild.columns:
            if column.name in filled:
                continue
            if dialect is not ops.Dialect.CLICKHOUSE and _required(column):
                unfilled.append(column.name)
            changes.append(_not_copied(column, rebuild.table, dialect))
    if rebuild.fed_by:
        changes.append(f"filled through materialized view {rebuild.fed_by}")
    if rebuild.kept_old:
        changes.append(f"old table kept as {rebuild.kept_old}")
    return ops.RebuildTable(
        rebuild.table,
        rebuild.via,
        copies_data=rebuild.copied,
        changes=tuple(changes),
        line=line,
        columns=rebuild.columns,
        staging=rebuild.staging,
        copies=rebuild.copies,
        checks=rebuild.checks,
        unconfirmed=rebuild.unconfirmed,
        unfilled=tuple(unfilled),
        keeps_only=rebuild.keeps_only,
        declares_columns=tuple(rebuild.declares),
    )


def _not_copied(column: ops.ColumnDef, table: str, dialect: ops.Dialect | None) -> str:
    """What a column of the new table the copy does not fill holds: its default, NULL, or
    nothing (a NOT NULL column without a default makes the copy fail). ClickHouse fills every
    column the INSERT leaves out with its default or its type's (0, '')."""
    name = column.name
    if column.generated:
        return f"{name} not copied: generated"
    if column.default not in (None, "NULL") or dialect is ops.Dialect.CLICKHOUSE:
        return f"{name} not copied: gets its default"
    if _numbered(column):
        return f"{name} not copied: numbered anew"
    if column.nullable is False:
        return f"{name} not copied and has no default: the copy fails if {table} has rows"
    return f"{name} not copied: left NULL"


def _required(column: ops.ColumnDef) -> bool:
    """A NOT NULL column without a default that fills itself: an INSERT must give it."""
    return (
        column.nullable is False
        and column.default in (None, "NULL")
        and not column.generated
        and not _numbered(column)
    )


def _numbered(column: ops.ColumnDef) -> bool:
    """An auto-incrementing key, or SQLite's INTEGER PRIMARY KEY (the rowid), numbers rows."""
    rowid = column.primary_key and (column.type or "").upper() == "INTEGER"
    return column.numbers_rows or rowid


def _checks_of(created: ops.CreateTable) -> tuple[ops.Constraint, ...]:
    """The CHECK constraints a CREATE TABLE declares."""
    return tuple(c for c in created.constraints if c.kind is ops.ConstraintKind.CHECK)


def _column_copies(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """`ADD COLUMN c_tmp; UPDATE t SET c_tmp = c; DROP COLUMN c; RENAME c_tmp TO c`: a type
    change by copy (SQLite's way to change a type), not a dropped column."""
    folded: dict[int, ops.Operation | None] = {}
    for start, added in enumerate(operations):
        if not isinstance(added, ops.AddColumn) or added.column.type is None:
            continue
        table, temporary = added.table, added.column.name
        rename = next(
            (
                i
                for i in range(start + 1, len(operations))
                if isinstance(o := operations[i], ops.RenameColumn)
                and o.table == table
                and o.old == temporary
            ),
            None,
        )
        if rename is None:
            continue
        final = operations[rename]
        assert isinstance(final, ops.RenameColumn)
        dropped = next(
            (
                i
                for i in range(start + 1, rename)
                if isinstance(o := operations[i], ops.DropColumn)
                and o.table == table
                and o.column == final.new
            ),
            None,
        )
        copies = [
            o
            for o in operations[start + 1 : rename]
            if isinstance(o, ops.DataChange) and o.table == table and temporary in o.columns
        ]
        if dropped is None or not copies:
            continue
        folded[start] = ops.AlterColumnType(
            table,
            final.new,
            added.column.type,
            using=_converted(copies[0], temporary, final.new),
            line=added.line,
            via=temporary,
            nullable=added.column.nullable is not False,
        )
        folded[dropped] = folded[rename] = None
    if not folded:
        return operations
    return tuple(
        replaced for i, o in enumerate(operations) if (replaced := folded.get(i, o)) is not None
    )


def _converted(copy: ops.DataChange, temporary: str, column: str) -> str | None:
    """The expression a copy fills the temporary column with, when it is not the old column
    as it is (`SET bpm_new = nullif(bpm, 0)`: every 0 becomes NULL)."""
    value = dict(copy.sets).get(temporary)
    if value is None or value.rsplit(".", 1)[-1].strip('"`') == column:
        return None
    return value


def _views_dropped_as_tables(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """ClickHouse drops views with DROP TABLE: one the step then creates as a view was a view."""
    views = {o.name: o.materialized for o in operations if isinstance(o, ops.CreateView)}
    if not views:
        return operations
    return tuple(
        ops.DropView(o.table, views[o.table], o.if_exists, line=o.line)
        if isinstance(o, ops.DropTable) and o.table in views
        else o
        for o in operations
    )


def _index_tables(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """`DROP INDEX name` and `ALTER INDEX name RENAME TO` say no table on PostgreSQL; ORMs name
    indexes `<table>_<columns>_idx`, so the longest table of the same step that prefixes the
    name is taken as its table."""
    tables = {t for o in operations for t in _tables_named(o)}
    result: list[ops.Operation] = []
    for operation in operations:
        if isinstance(operation, (ops.DropIndex, ops.RenameIndex)) and operation.table is None:
            name = operation.name if isinstance(operation, ops.DropIndex) else operation.old
            owners = [t for t in tables if name.startswith(t + "_")]
            if owners:
                operation = dataclasses.replace(operation, table=max(owners, key=len))
        result.append(operation)
    return tuple(result)


def _without_session_tables(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """A TEMPORARY table lives only as long as the session that runs the migration (a scratch
    table an UPDATE reads its new values from): it is no part of the schema, and neither is
    what the step does to it. Statements of other tables that read it stay."""
    session = {o.table for o in operations if isinstance(o, ops.CreateTable) and o.temporary}
    if not session:
        return operations
    return tuple(o for o in operations if not session.intersection(_tables_named(o)))


def _tables_named(operation: ops.Operation) -> tuple[str, ...]:
    table = getattr(operation, "table", None)
    if isinstance(table, str):
        return (table,)
    index = getattr(operation, "index", None)
    return (index.table,) if isinstance(index, ops.IndexDef) else ()


def _enum_rebuilds(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """PostgreSQL changes an enum's values by building a new type: `ALTER TYPE x RENAME TO
    x_old; CREATE TYPE x …; DROP TYPE x_old`, or Prisma's `CREATE TYPE x_new …; ALTER TYPE x
    RENAME TO x_old; ALTER TYPE x_new RENAME TO x; DROP TYPE x_old`. Either is one
    redefinition of x; the column conversions stay (they rewrite their tables) and name the
    type they convert from."""
    renames = {o.old: o.new for o in operations if isinstance(o, ops.RenameType)}
    dropped = {o.name for o in operations if isinstance(o, ops.DropType)}
    retired = {own: old for own, old in renames.items() if old in dropped}
    if not retired:
        return operations
    promoted = {new: temporary for temporary, new in renames.items() if new in retired}
    # The name each redefinition is created under: `x_new` (then renamed) or `x` itself.
    created = {promoted.get(own, own): own for own in retired}
    created_names = {o.name for o in operations if isinstance(o, ops.CreateEnumType)}
    created = {name: own for name, own in created.items() if name in created_names}
    folded = set(created.values())
    old_names = {retired[own] for own in folded}
    result: list[ops.Operation] = []
    for operation in operations:
        match operation:
            case ops.CreateEnumType(name=name, values=values) if name in created:
                result.append(ops.RedefineEnumType(created[name], values, line=operation.line))
            case ops.AlterColumnType(new_type=new_type, old_type=None) if new_type in created:
                own = created[new_type]
                old = own if new_type != own else retired[own]
                result.append(dataclasses.replace(operation, old_type=old))
            case ops.RenameType(old=old, new=new) if old in folded or new in folded:
                continue
            case ops.DropType(name=name) if name in old_names:
                continue
            case _:
                result.append(operation)
    return tuple(result)


_COLUMN_CHANGES = (
    ops.AddColumn,
    ops.DropColumn,
    ops.RenameColumn,
    ops.AlterColumnType,
    ops.ModifyColumn,
    ops.SetNotNull,
    ops.DropNotNull,
)


def _idempotent_creates(operations: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """`CREATE TABLE IF NOT EXISTS t` followed by column changes to `t` in the same step: a
    migration written to bring an existing table up to date (mattermost's move to schema
    migrations), so `t` may already hold rows."""
    altered = {
        o.table for o in operations if isinstance(o, _COLUMN_CHANGES) and o.table is not None
    }
    if not altered:
        return operations
    return tuple(
        dataclasses.replace(o, may_exist=True)
        if isinstance(o, ops.CreateTable) and o.if_not_exists and o.table in altered
        else o
        for o in operations
    )
