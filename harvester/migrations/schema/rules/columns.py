"""Rules for columns: added, dropped, renamed, retyped, made (not) nullable, defaults.

Anchors: Squawk adding-required-field, adding-field-with-default, adding-serial-primary-key-
field, ban-drop-column, renaming-column, changing-column-type, adding-not-nullable-field;
Atlas MF103/MY101 (non-nullable column added), MF104/PG303 (nullable to non-nullable), DS103
(column dropped), BC102 (renaming a column), PG301 (type change rewrite), PG302 (volatile
default); strong_migrations add_column_default, add_column_auto_incrementing,
add_column_generated_stored, remove_column, rename_column, change_column, change_column_null.
"""

from __future__ import annotations

import re

from harvester.analysis.wording import first_few
from harvester.migrations.schema import describe, engines, ops
from harvester.migrations.schema.rules.context import Context, known_nullable
from harvester.model import ImpactTag


def add_column(op: ops.AddColumn, ctx: Context) -> None:
    """ADD COLUMN, engine by engine."""
    column = op.column
    name = f"{op.table}.{column.name}"
    engine = ctx.engine
    required = column.nullable is False and column.default is None and not _self_filling(column)
    if engine.name == "SQLite":
        _sqlite_add_column(op, ctx)
        return
    if ctx.new_table(op.table) and op.table in ctx.created_here:
        return
    if required and engine.mysql_like:
        ctx.judge_new(
            op.table,
            ImpactTag.DATA_DEPENDENT,
            f"adds {name} NOT NULL without a default: existing rows get {engine.name}'s "
            "implicit default (0, '' or a zero date) (Atlas MY101)",
        )
    elif required and engine.name != "ClickHouse":
        ctx.judge_new(
            op.table,
            ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
            f"adds {name} NOT NULL without a default: fails if {op.table} has any row",
        )
    if engine.postgres_like:
        _postgres_add_column_rewrite(op, ctx, quiet=required)
    elif engine.mysql_like:
        _mysql_add_column(op, ctx)
    elif engine.name == "ClickHouse":
        ctx.note(f"adds {name}: metadata only, existing parts compute it on read")
    if column.references is not None:
        referenced = column.references.ref_table
        locked = op.table if referenced == op.table else f"{op.table} and {referenced}"
        ctx.judge_new(
            op.table,
            ImpactTag.FK_ADDED_EXISTING_TABLE,
            f"{name} -> {describe.reference(column.references)}: the new foreign key locks "
            f"{locked} while it is validated",
        )
    if (column.unique or column.primary_key) and not column.numbers_rows:
        ctx.judge_new(
            op.table,
            ImpactTag.UNIQUE_ON_EXISTING_DATA,
            f"{name} is UNIQUE: the index is built while {op.table} is locked",
        )


def _self_filling(column: ops.ColumnDef) -> bool:
    return bool(column.generated) or column.numbers_rows


def _postgres_add_column_rewrite(op: ops.AddColumn, ctx: Context, quiet: bool) -> None:
    column = op.column
    name = f"{op.table}.{column.name}"
    reason = None
    if engines.volatile_default(column.default):
        reason = f"DEFAULT {column.default} is evaluated for every existing row"
    elif column.numbers_rows:
        reason = "an auto-incrementing column fills every existing row"
    elif column.generated and "STORED" in column.generated:
        reason = "a stored generated column is computed for every existing row"
    elif column.default is not None and ctx.engine.known_below(11):
        reason = "PostgreSQL before 11 writes any DEFAULT into every existing row"
    if reason:
        ctx.rewrite(
            op.table,
            f"adds {name}",
            f"{reason}, rewriting {op.table} under an ACCESS EXCLUSIVE lock",
        )
    elif engines.evaluated_once(column.default):
        ctx.note(
            f"adds {name} with DEFAULT {column.default}: metadata only on PostgreSQL 11+, and "
            "every existing row reads the time of the migration"
        )
    elif column.default is not None:
        ctx.note(f"adds {name} with a constant default: metadata only on PostgreSQL 11+")
    elif not quiet:
        ctx.note(f"adds {name}: metadata only")


def _mysql_add_column(op: ops.AddColumn, ctx: Context) -> None:
    column = op.column
    name = f"{op.table}.{column.name}"
    engine = ctx.engine
    mariadb = engine.dialect is ops.Dialect.MARIADB
    if column.auto_increment or (column.generated and "STORED" in column.generated.upper()):
        ctx.rewrite(
            op.table,
            f"adds {name}",
            "InnoDB copies the table for an auto-increment or stored generated column "
            "(ALGORITHM=COPY), blocking writes",
        )
        return
    if column.primary_key:
        ctx.note(f"adds {name} as the primary key: InnoDB rebuilds {op.table} in place")
        return
    if not mariadb and (column.default or "").startswith("("):
        ctx.note(
            f"adds {name} with an expression default, which ALGORITHM=INSTANT does not take: "
            f"InnoDB rebuilds {op.table} in place (ALGORITHM=INPLACE, writes continue)"
        )
        return
    # INSTANT appends a column; placing it (FIRST, AFTER) came later.
    placed = f" {op.position}" if op.position else ""
    product = "MariaDB" if mariadb else "MySQL"
    if mariadb:
        since: tuple[int, ...] = (10, 4) if placed else (10, 3, 2)
    else:
        since = (8, 0, 29) if placed else (8, 0, 12)
    shown = ".".join(map(str, since))
    if engine.known_below(*since):
        ctx.note(f"adds {name}{placed}: {product} before {shown} rebuilds the table in place")
    elif engine.version is None:
        ctx.note(
            f"adds {name}{placed}: ALGORITHM=INSTANT on {product} {shown}+, no table rebuild "
            "(older versions rebuild it in place)"
        )
    else:
        ctx.note(f"adds {name}{placed}: ALGORITHM=INSTANT, no table rebuild")


def _sqlite_add_column(op: ops.AddColumn, ctx: Context) -> None:
    column = op.column
    name = f"{op.table}.{column.name}"
    if column.nullable is False and column.default in (None, "NULL") and op.table in ctx.rebuilt:
        ctx.judge_new(
            op.table,
            ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
            f"adds {name} NOT NULL without a default: {op.table} is rebuilt by copying, and "
            f"copying its rows fails on the NULL {column.name}; only an empty table passes",
        )
    elif column.nullable is False and column.default in (None, "NULL"):
        ctx.flag(
            ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
            f"adds {name} NOT NULL without a default: SQLite refuses this even on an empty table",
        )
    elif (op.table, column.name) in ctx.declared_in_rebuild:
        ctx.note(f"adds {name}: declared on the rebuilt table")
    elif column.primary_key or column.unique:
        ctx.fails(f"SQLite cannot add a PRIMARY KEY or UNIQUE column ({name})")
    elif column.default and (
        column.default.startswith("(") or "CURRENT_" in column.default.upper()
    ):
        ctx.fails(f"SQLite cannot add a column with a non-constant default ({name})")
    else:
        ctx.note(f"adds {name}: SQLite only edits the schema")


def drop_column(op: ops.DropColumn, ctx: Context, how: str | None = None) -> None:
    """DROP COLUMN loses data (Squawk ban-drop-column, Atlas DS103, remove_column); `how`
    says how the column goes when not by DROP COLUMN (a rebuild that leaves it out)."""
    name = f"{op.table}.{op.column}"
    why = ctx.column_new(op.table, op.column)
    if op.table in ctx.created_here:
        return
    if why:
        ctx.flag(ImpactTag.MITIGATED, f"drops {name} ({why}): no released data is lost")
        return
    if unreleased := ctx.unreleased_table(op.table):
        ctx.flag(
            ImpactTag.DESTRUCTIVE_DROP_COLUMN,
            f"drops column {name}: {op.table} was {unreleased}, so no released code reads it, "
            f"but {ctx.filled_since(op.table)}: the values they hold there are lost",
        )
        return
    if (emptied := ctx.empty_table(op.table)) is not None:
        ctx.flag(
            ImpactTag.BACKWARD_INCOMPATIBLE,
            f"drops column {name}: no data is left in it ({op.table} was {emptied}), but "
            f"code of the previous release that still reads it fails",
        )
        return
    if op.if_exists and _absent(op.table, op.column, ctx):
        ctx.flag(
            ImpactTag.MITIGATED,
            f"drops {name} IF EXISTS: {op.table} as these migrations build it has no column "
            f"{op.column}, so this does nothing there",
        )
        return
    copies = ctx.copied_columns.get((op.table, op.column))
    if copies:
        ctx.dropped_copies.setdefault(op.table, []).append((op.column, copies))
        return
    moved = ctx.state.copied_out.get((op.table, op.column))
    if moved:
        ctx.flag(ImpactTag.BACKWARD_INCOMPATIBLE, _dropped_after_insert(name, moved, ctx))
        return
    engine = ctx.engine
    extra = ""
    if how is not None:
        extra = how
    elif engine.name == "SQLite" and op.table not in ctx.rebuilt_for_alters:
        # a framework's rebuild (Alembic batch) copies the table without it instead
        extra = "; SQLite 3.35+ rewrites the table and refuses indexed or key columns"
    elif engine.mysql_like and engine.known_below(8, 0, 29):
        extra = "; InnoDB rebuilds the table in place"
    ctx.flag(
        ImpactTag.DESTRUCTIVE_DROP_COLUMN, f"drops column {name}: {ctx.lost('its data is')}{extra}"
    )
    update = next((u for u in ctx.updates.get(op.table, ()) if _sets_from(u, op.column)), None)
    if update is not None:
        ctx.dropped_after_update.setdefault(op.table, []).append((op.column, update))
    copy = ctx.copied_from.get(op.table)
    # an INSERT … SELECT that lists plain columns says which ones it kept (not this one)
    listed = any(
        table == op.table and by == ctx.migration
        for (table, _), (_, by, _) in ctx.state.copied_out.items()
    )
    if copy and not listed:
        ctx.flag(
            ImpactTag.MITIGATED,
            f"{op.table} rows were copied into {copy} first (INSERT … SELECT): check that "
            f"{op.column} is among what was kept",
        )


def _absent(table: str, column: str, ctx: Context) -> bool:
    """True when the migrations show every column of `table` and `column` is not one."""
    return table in ctx.state.defined_tables and ctx.state.known_column(table, column) is None


def _dropped_after_insert(name: str, moved: tuple[str, str, bool], ctx: Context) -> str:
    """A column dropped after an INSERT … SELECT of this migration or an earlier one of its
    release copied its values into another table: a move, which breaks the previous
    release's code that reads it."""
    target, migration, filtered = moved
    partial = " (for the rows its WHERE matches)" if filtered else ""
    column = name.split(".", 1)[1]
    consequence = (
        "the previous release's code is gone when this migration runs"
        if ctx.after_deploy
        else f"code of the previous release that still reads {column} fails during a rolling deploy"
    )
    assumed = ctx.assumed_together(migration)
    return (
        f"drops {name} after {ctx.by(migration)} copied its values into {target} "
        f"(INSERT … SELECT){partial}{assumed}: {consequence}"
    )


def dropped_copies(
    table: str, dropped: list[tuple[str, list[tuple[str, int | None, bool]]]], ctx: Context
) -> tuple[ImpactTag, str]:
    """One detail for the columns of a table the migration drops after an UPDATE copied their
    values into other columns: a rename by copy when those columns are new, else a move; the
    previous release's code that reads the old names fails either way."""
    names = [column for column, _ in dropped]
    copies = [copy for _, found in dropped for copy in found]
    targets = list(dict.fromkeys(target for target, _, _ in copies))
    lines = list(dict.fromkeys(str(line) for _, line, _ in copies if line is not None))
    by = (
        f"the UPDATE at line {lines[0]}"
        if len(lines) == 1
        else f"the UPDATEs at lines {', '.join(lines)}"
        if lines
        else "an UPDATE of this migration"
    )
    whose = "its" if len(names) == 1 else "their"
    partial = " (for the rows its WHERE matches)" if any(w for _, _, w in copies) else ""
    renamed = all(ctx.state.added_columns.get((table, t)) == ctx.migration for t in targets)
    how = " (a rename by copy)" if renamed else ""
    consequence = (
        "the previous release's code is gone when this migration runs"
        if ctx.after_deploy
        else f"code of the previous release that still reads {', '.join(names)} fails during a "
        "rolling deploy"
    )
    return (
        ImpactTag.RENAME_COLUMN if renamed else ImpactTag.BACKWARD_INCOMPATIBLE,
        f"drops {table}.{', '.join(names)} after {by} copied {whose} values into "
        f"{', '.join(targets)}{partial}{how}: {consequence}",
    )


def _sets_from(update: ops.DataChange, column: str) -> bool:
    """True when an UPDATE sets other columns from `column`: a value or its WHERE names it."""
    if column in update.columns:
        return False
    named = re.compile(rf"(?<!\w){re.escape(column)}(?!\w)")
    return any(named.search(text) for text in (update.where or "", *(v for _, v in update.sets)))


def dropped_after_update(table: str, dropped: list[tuple[str, ops.DataChange]]) -> str:
    """One detail for the columns of a table dropped after an UPDATE of this migration set
    other columns from them: their values may live on there."""
    names = first_few([f"{table}.{column}" for column, _ in dropped])
    updates = list(dict.fromkeys(update for _, update in dropped))
    set_columns = list(dict.fromkeys(c for u in updates for c in u.columns))
    lines = [str(u.line) for u in updates if u.line is not None]
    by = (
        f"the UPDATE at line {lines[0]}"
        if len(lines) == 1 and len(updates) == 1
        else f"UPDATEs at lines {', '.join(lines)}"
        if lines
        else "an UPDATE of this migration"
    )
    whose = "it" if len(dropped) == 1 else "them"
    held = "it held" if len(dropped) == 1 else "they held"
    return (
        f"{names}: {by} sets {first_few([f'{table}.{c}' for c in set_columns])} from {whose} "
        f"before the drop: check that every value {held} is represented there"
    )


def rename_column(op: ops.RenameColumn, ctx: Context) -> None:
    """Renaming breaks the previous release's queries (Squawk renaming-column, Atlas BC102)."""
    name = f"{op.table}.{op.old} -> {op.new}"
    why = ctx.column_unreleased(op.table, op.old)
    if why:
        if op.table not in ctx.created_here:
            ctx.flag(ImpactTag.MITIGATED, f"renames {name} ({why}): no released code uses it")
        return
    ctx.flag(
        ImpactTag.RENAME_COLUMN,
        f"renames {name}: code of the previous release still using {op.old} fails during a "
        "rolling deploy",
    )


def alter_column_type(op: ops.AlterColumnType, ctx: Context) -> None:
    """A type change: a rewrite unless binary-compatible (Squawk changing-column-type, PG301)."""
    change = f"{op.old_type} -> {op.new_type}" if op.old_type else f"-> {op.new_type}"
    name = f"{op.table}.{op.column} {change}"
    if op.table in ctx.created_here:
        return
    engine = ctx.engine
    if op.via:
        _copied_type_change(op, _copied_change(op), ctx)
        return
    if engine.name == "ClickHouse" and engines.same_type(op.old_type, op.new_type):
        return  # MODIFY COLUMN restates the type to change its codec or default
    if engine.name == "ClickHouse":
        ctx.rewrite(
            op.table,
            name,
            "a ClickHouse mutation rewrites the column in every part in the background",
        )
        return
    if engine.name == "SQLite":
        if op.table in ctx.rebuilt_for_alters:
            ctx.note(f"{name}: the rebuilt table declares the new type")
        else:
            ctx.fails(f"SQLite has no ALTER COLUMN TYPE ({name})")
        return
    if engine.mysql_like:
        _mysql_type_change(op, name, ctx)
        return
    if engine.dialect is ops.Dialect.COCKROACHDB:
        ctx.rewrite(
            op.table,
            name,
            "CockroachDB rewrites the column in an online background schema change, slow on "
            "large tables",
        )
        return
    rewrites = engines.postgres_type_change_rewrites(op.old_type, op.new_type)
    hedge = (
        " (the old type is not in this range: no rewrite only if the change is "
        "binary-compatible, e.g. VARCHAR(n) -> TEXT)"
    )
    _judge_type_change(
        op,
        ctx,
        rewrites,
        f"{name} is binary-compatible: no rewrite, but a brief ACCESS EXCLUSIVE lock"
        + (
            " (indexes on the column are rebuilt for citext's own comparison)"
            if "CITEXT" in f"{op.old_type} {op.new_type}".upper()
            else ""
        ),
        (
            name,
            f"{engine.name} rewrites {op.table} and its indexes under an ACCESS EXCLUSIVE "
            f"lock{hedge if rewrites is None else ''}",
        ),
        engines.same_type(op.old_type, op.new_type) and not op.using,
    )
    widened = {op.new_type, op.old_type} & ctx.widened_enums
    if widened and op.using and engines.text_cast(op.using, op.column, op.new_type):
        ctx.note(
            f"{op.table}.{op.column} USING {op.using}: every value converts, "
            f"{widened.pop()} keeps the values it had"
        )
    elif op.using and not engines.zone_shift(op.using, op.column, op.new_type):
        ctx.judge_new(
            op.table,
            ImpactTag.DATA_DEPENDENT,
            f"{op.table}.{op.column} USING {op.using}: fails if a row does not convert",
        )
    refused = engines.narrowed(op.old_type, op.new_type)
    if refused and not op.using:
        # An explicit cast to a shorter VARCHAR truncates (Django's ALTER adds one; other
        # tools' do not); out-of-range numbers fail anyway.
        truncated = (
            ", or is cut short where the ORM casts explicitly (Django adds USING … ::type)"
            if refused.endswith("characters") and ctx.system in (None, "django")
            else ""
        )
        ctx.judge_new(
            op.table,
            ImpactTag.DATA_DEPENDENT,
            f"{name}: a row holding {refused} makes it fail{truncated}",
        )


def _mysql_type_change(op: ops.AlterColumnType, name: str, ctx: Context) -> None:
    """A type change on MySQL/MariaDB (an ORM's alter_column, written as MODIFY): InnoDB
    copies the table unless it only extends a VARCHAR within its length-prefix size."""
    charset = ctx.state.charsets.get(op.table)
    copies = engines.mysql_type_change_copies(op.old_type, op.new_type, charset)
    hedge = f" {engines.mysql_copy_hedge(op.old_type)}" if copies is None else ""
    _judge_type_change(
        op,
        ctx,
        copies,
        f"{name}: InnoDB extends it in place (ALGORITHM=INPLACE)",
        (name, f"InnoDB copies {op.table} (ALGORITHM=COPY), blocking writes{hedge}"),
        engines.mysql_same_type(op.old_type, op.new_type),
    )
    _judge_json(op.table, op.column, op.old_type, op.new_type, ctx)


def _judge_json(table: str, column: str, old: str | None, new: str | None, ctx: Context) -> None:
    """Text made JSON on MySQL/MariaDB: the ALTER fails on the first value that is not JSON."""
    if engines.text_to_json(old, new):
        ctx.judge_new(
            table,
            ImpactTag.DATA_DEPENDENT,
            f"{table}.{column} {old} -> {new}: fails if a row holds text that is not valid JSON",
        )


def _judge_type_change(
    op: ops.AlterColumnType,
    ctx: Context,
    rewrites: bool | None,
    in_place: str,
    rewrite: tuple[str, str],
    same: bool = False,
) -> None:
    """The same type (`same`: under another name) is a note; an in-place change and a
    rewrite (the change, what the engine does) are judged as worded."""
    if same or (rewrites is False and op.old_type == op.new_type):
        ctx.note(f"{op.table}.{op.column} {op.old_type} -> {op.new_type}: the type stays the same")
    elif rewrites is False:
        ctx.judge_new(op.table, ImpactTag.TYPE_CHANGE_NO_REWRITE, in_place)
    else:
        ctx.rewrite(op.table, *rewrite)


def _copied_change(op: ops.AlterColumnType) -> str:
    """`t.bpm keeps integer, values set to NULLIF(bpm, 0)`: a column copied through a new
    one, by what the copy changes (its type, its values)."""
    if engines.same_type(op.old_type, op.new_type):
        change = f"keeps {op.new_type}"
    else:
        change = f"{op.old_type} -> {op.new_type}" if op.old_type else f"-> {op.new_type}"
    values = f", values set to {op.using}" if op.using else ""
    return f"{op.table}.{op.column} {change}{values}"


def _copied_type_change(op: ops.AlterColumnType, name: str, ctx: Context) -> None:
    """A type change made by copying through a new column and renaming it."""
    if ctx.engine.name == "SQLite":
        ctx.rewrite(
            op.table,
            f"{name} by copying through {op.via}",
            f"dropping the old column makes SQLite rewrite {op.table}",
        )
    else:
        ctx.note(f"{name} by copying through {op.via}: the copy rewrites rows, the swap is brief")


def modify_column(op: ops.ModifyColumn, ctx: Context) -> None:
    """MySQL MODIFY/CHANGE COLUMN and ClickHouse MODIFY COLUMN: a full redefinition."""
    new = op.column
    old_name = op.old_name or new.name
    name = f"{op.table}.{new.name}"
    if op.table in ctx.created_here:
        return
    if op.old_name and op.old_name != new.name:
        rename_column(ops.RenameColumn(op.table, op.old_name, new.name), ctx)
    if ctx.engine.name == "ClickHouse":
        ctx.rewrite(
            op.table,
            f"MODIFY COLUMN {name} {new.type}",
            "a ClickHouse mutation rewrites the column in every part in the background",
        )
        return
    old = op.old or ctx.state.known_column(op.table, old_name)
    charset = ctx.state.charsets.get(op.table)
    copies = engines.mysql_type_change_copies(old.type if old else None, new.type or "", charset)
    redefinition = describe.column(new)
    if old is not None and engines.mysql_collation_changes(old.type, new.type):
        key = new.primary_key or old.primary_key
        ctx.rewrite(
            op.table,
            f"{name} {old.type} -> {new.type}",
            "the collation of a key column changes: InnoDB copies the table and rebuilds its "
            "indexes (ALGORITHM=COPY, writes blocked)"
            if key
            else "a collation change: InnoDB copies the table (ALGORITHM=COPY, writes blocked) "
            "when the column is indexed, else it may change it in place",
        )
    elif copies is None and old is not None:
        ctx.rewrite(
            op.table,
            f"MODIFY COLUMN {op.table}.{redefinition}",
            f"InnoDB copies the table (ALGORITHM=COPY, writes blocked) "
            f"{engines.mysql_copy_hedge(old.type)}",
        )
    elif copies is None:
        ctx.rewrite(
            op.table,
            f"MODIFY COLUMN {op.table}.{redefinition}",
            "InnoDB copies the table (ALGORITHM=COPY, writes blocked) if the type changes; the "
            "old definition is not in this range",
        )
    elif copies:
        ctx.rewrite(
            op.table,
            f"{name} {old.type if old else ''} -> {new.type}",
            "InnoDB copies the table (ALGORITHM=COPY), blocking writes",
        )
    elif old is not None and new.type and not engines.mysql_same_type(old.type, new.type):
        ctx.judge_new(
            op.table,
            ImpactTag.TYPE_CHANGE_NO_REWRITE,
            f"{name} {old.type} -> {new.type}: InnoDB extends it in place (ALGORITHM=INPLACE)",
        )
    if old is not None:
        _judge_json(op.table, new.name, old.type, new.type, ctx)
    loosened = old is not None and old.nullable is False and new.nullable is not False
    if loosened and not copies and not new.primary_key:
        ctx.loosened.setdefault(op.table, []).append(new.name)
    tightened = new.nullable is False and (old is None or old.nullable is not False)
    if tightened and not new.primary_key:
        certainty = "" if old is not None else " (if it allowed NULL before)"
        copied = _copied_nulls(op.table, old_name, ctx)
        ctx.judge_new(
            op.table,
            ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
            f"{name} becomes NOT NULL{certainty}: InnoDB rebuilds {op.table}; fails in strict "
            f"mode if any row is NULL{copied}",
        )
        _not_null_mitigations(op.table, old_name, ctx)


def set_not_null(op: ops.SetNotNull, ctx: Context) -> None:
    """SET NOT NULL scans under ACCESS EXCLUSIVE (Squawk adding-not-nullable-field, PG303)."""
    name = f"{op.table}.{op.column}"
    if op.table in ctx.created_here:
        return
    if known_nullable(ctx, op.table, op.column) is False:
        ctx.note(f"{name} SET NOT NULL: the column is NOT NULL already, nothing to check")
        return
    key = (op.table, op.column)
    # a column whose NULL rows the range deleted or set, or that a validated CHECK keeps from NULL,
    # leaves the lock as the risk (a backfill may skip rows, so it only makes NULLs unlikely:
    # see below)
    checked = _validated_not_null_check(op.table, op.column, ctx)
    cleared = key in ctx.state.nulls_deleted or key in ctx.state.nulls_filled or checked is not None
    fails = "" if cleared else f"; fails if any row is NULL{_copied_nulls(*key, ctx)}"
    if checked:
        consequence = (
            f"ACCESS EXCLUSIVE lock on {op.table}, brief on PostgreSQL 12+ (the validated "
            "CHECK spares the scan)"
        )
    elif ctx.engine.postgres_like:
        consequence = f"ACCESS EXCLUSIVE lock while PostgreSQL scans {op.table}{fails}"
    else:
        consequence = f"{ctx.engine.name} checks every row{fails}"
    ctx.judge_new(
        op.table, ImpactTag.NOT_NULL_ON_EXISTING_COLUMN, f"{name} SET NOT NULL: {consequence}"
    )
    _not_null_mitigations(op.table, op.column, ctx)


def _not_null_mitigations(table: str, column: str, ctx: Context) -> None:
    """What the range did that makes a NULL in `table.column` unlikely before it becomes NOT
    NULL: a validated CHECK, a backfill, a delete of the NULL rows."""
    if ctx.empty_table(table):
        return
    name = f"{table}.{column}"
    key = (table, column)
    checked = _validated_not_null_check(table, column, ctx)
    if checked:
        ctx.flag(
            ImpactTag.MITIGATED,
            f"{name}: a CHECK ({column} IS NOT NULL) validated by {ctx.by(checked)} lets "
            "PostgreSQL 12+ skip the scan",
        )
    filled = ctx.state.backfilled.get(key)
    if filled and key not in ctx.state.nulls_filled and not _copied_nulls(table, column, ctx):
        ctx.flag(
            ImpactTag.MITIGATED,
            f"{name}: backfilled by {ctx.by(filled)}, so NULLs are unlikely",
        )
    for cleared, verb in ((ctx.state.nulls_filled, "sets"), (ctx.state.nulls_deleted, "deletes")):
        by = cleared.get(key)
        if by:
            ctx.flag(
                ImpactTag.MITIGATED,
                f"{name}: {ctx.by(by)} {verb} the rows where it is NULL first, so the check "
                "finds none",
            )
    added = ctx.state.added_columns.get(key)
    if added and not filled:
        ctx.note(f"{name} was added by {ctx.by(added)}; rows hold NULL unless filled")


def _copied_nulls(table: str, column: str, ctx: Context) -> str:
    """`: the backfill … copies t.old into it, …` when the range filled the column by copying
    another column of the row that may hold NULL (its NULLs stay), or nothing."""
    source = ctx.state.backfill_sources.get((table, column))
    if source is None or (table, column) in ctx.state.nulls_filled:
        return ""
    nullable = known_nullable(ctx, table, source)
    if nullable is False:
        return ""
    by = ctx.by(ctx.state.backfilled[(table, column)])
    stays = f"and {source} allows NULL" if nullable else f"so rows where {source} is NULL stay NULL"
    return f": the backfill by {by} copies {table}.{source} into it, {stays}"


def _validated_not_null_check(table: str, column: str, ctx: Context) -> str | None:
    """The migration that validated a `CHECK (column IS NOT NULL)` still in place, when the
    engine is PostgreSQL 12+ (which then sets NOT NULL without scanning), or None."""
    if not (ctx.engine.postgres_like and ctx.engine.at_least(12)):
        return None
    return ctx.state.not_null_checks.get((table, column))


def loosened_in_place(table: str, names: list[str]) -> str:
    """The columns of one table a MySQL MODIFY only lets hold NULL: an in-place rebuild."""
    columns = first_few([f"{table}.{name}" for name in names])
    return (
        f"{columns} {'allows' if len(names) == 1 else 'allow'} NULL: InnoDB rebuilds {table} "
        "in place (ALGORITHM=INPLACE; writes continue, the rebuild takes time on a large table)"
    )


def drop_not_null(op: ops.DropNotNull, ctx: Context) -> None:
    """DROP NOT NULL is metadata-only, except on InnoDB, which rebuilds the table for it in
    place (writes continue)."""
    if ctx.engine.mysql_like and op.table not in ctx.created_here:
        ctx.note(
            f"{op.table}.{op.column} DROP NOT NULL: InnoDB rebuilds {op.table} in place "
            "(ALGORITHM=INPLACE; writes continue, the rebuild takes time on a large table)"
        )
        return
    ctx.note(f"{op.table}.{op.column} DROP NOT NULL: metadata only")


def set_default(op: ops.SetDefault, ctx: Context) -> None:
    """SET DEFAULT is metadata-only on every engine harvester knows."""
    ctx.note(f"{op.table}.{op.column} SET DEFAULT {op.default}: metadata only")


def drop_default(op: ops.DropDefault, ctx: Context) -> None:
    """Dropping the default of a NOT NULL column: the backfill-then-require pattern."""
    key = (op.table, op.column)
    name = f"{op.table}.{op.column}"
    temporary = ctx.state.temporary_defaults.get(key)
    nullable = known_nullable(ctx, op.table, op.column)
    if op.table in ctx.created_here and temporary is None:
        return
    if key in ctx.redefaulted:
        ctx.note(f"{name}: its default is dropped and set again by this migration")
        return
    if temporary is not None and nullable is True:  # made nullable too: omitted means NULL
        ctx.note(f"{name} DROP DEFAULT: it allows NULL now, so inserts that omit it store NULL")
    elif temporary is not None:
        default, origin = temporary
        ctx.dropped_fill_defaults.setdefault(op.table, []).append((op.column, default, origin))
    elif ctx.state.defaults_set.get(key) == ctx.migration:
        # SET DEFAULT, fill, SET NOT NULL, DROP DEFAULT: Django's AlterField to NOT NULL.
        ctx.note(f"{name}: the default this migration set to fill existing rows is dropped again")
    elif nullable is False:
        ctx.flag(
            ImpactTag.BACKWARD_INCOMPATIBLE,
            f"{name} is NOT NULL and loses its default: inserts that omit {op.column} fail",
        )
    else:
        ctx.note(f"{name} DROP DEFAULT: metadata only")


def dropped_fill_defaults(table: str, dropped: list[tuple[str, str, str]], ctx: Context) -> str:
    """One detail for the columns of a table added NOT NULL with a default that fills existing
    rows, whose default is then dropped (Django's AddField does this for every such field)."""
    if len(dropped) == 1:
        column, default, origin = dropped[0]
        return (
            f"{table}.{column} was added NOT NULL with DEFAULT {default} by {ctx.by(origin)} to "
            "fill existing rows, then the default is dropped: inserts by code of the previous "
            f"release that omit {column} fail during a rolling deploy"
        )
    origins = list(dict.fromkeys(ctx.by(origin) for _, _, origin in dropped))
    by = origins[0] if len(origins) == 1 else "this range"
    listed = ", ".join(f"{column} (DEFAULT {default})" for column, default, _ in dropped[:3])
    more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
    return (
        f"{table}: {len(dropped)} columns were added NOT NULL with a default by {by} to fill "
        f"existing rows, then their defaults are dropped ({listed}{more}): inserts by code of "
        "the previous release that omit them fail during a rolling deploy"
    )
