"""Rules for indexes and constraints: lock levels per engine, validation scans, uniqueness.

Anchors: Squawk require-concurrent-index-creation, require-concurrent-index-deletion,
ban-concurrent-index-creation-in-transaction, adding-foreign-key-constraint,
constraint-missing-not-valid, disallowed-unique-constraint, adding-primary-key-constraint;
Atlas PG101/PG102 (missing CONCURRENTLY), PG103 (transaction mode), PG104/PG105 (PRIMARY KEY /
UNIQUE under ACCESS EXCLUSIVE), PG305 (CHECK scan), MF101 (unique index on existing column),
CD101 (foreign key dropped); strong_migrations add_index, remove_index, add_foreign_key,
add_check_constraint, add_unique_constraint.
"""

from __future__ import annotations

import re

from harvester.analysis.wording import first_few
from harvester.migrations.schema import describe, engines, ops
from harvester.migrations.schema.rules.context import Context
from harvester.migrations.schema.rules.foreign_keys import Replaced, rules_change
from harvester.model import ImpactTag


def create_index(op: ops.CreateIndex, ctx: Context) -> None:
    """CREATE INDEX: a SHARE lock on PostgreSQL unless CONCURRENTLY; online on InnoDB."""
    index = op.index
    text = describe.index(index)
    if index.table in ctx.created_here:
        return
    engine = ctx.engine
    if any((index.table, c) in ctx.unfilled for c in index.columns):
        ctx.note(f"index {text}: only an empty {index.table} gets past the rebuild before it")
    elif index.unique or index.options_unread:
        # Options harvester cannot read may make it unique: judged as if they did.
        what = "unique index" if index.unique else "index"
        _judge_unique(
            ctx,
            index.table,
            index.columns,
            f"{what} {text}",
            where=index.where,
            name=index.name,
            equal_nulls=index.nulls_not_distinct,
        )
    if engine.postgres_like:
        if index.concurrently:
            _concurrently_in_transaction(ctx, "CREATE INDEX CONCURRENTLY")
            ctx.note(f"builds {index.name or 'an index'} CONCURRENTLY: writes continue")
        elif ctx.empty_table(index.table):
            ctx.judge_new(
                index.table, ImpactTag.LOCK_HEAVY_INDEX, f"CREATE INDEX {index.name or ''}"
            )
        else:
            ctx.group(ImpactTag.LOCK_HEAVY_INDEX, index.table, describe.index_name(index))
    elif engine.mysql_like:
        method = (index.method or "").upper()
        if method in ("FULLTEXT", "SPATIAL") or (index.algorithm or "").upper() == "COPY":
            ctx.judge_new(
                index.table,
                ImpactTag.LOCK_HEAVY_INDEX,
                f"{method or 'COPY'} index {text}: InnoDB blocks writes to {index.table} while "
                "it builds",
            )
        else:
            ctx.note(f"index {text}: InnoDB builds it online (INPLACE, writes continue)")
    elif engine.name == "SQLite":
        ctx.note(f"index {text}: SQLite builds it holding the database write lock")
    elif engine.name == "ClickHouse":
        ctx.note(f"data-skipping index {text}: only new parts get it until MATERIALIZE INDEX")
    elif engine.name == "CockroachDB":
        ctx.note(f"index {text}: CockroachDB builds it online")


def _concurrently_in_transaction(ctx: Context, what: str) -> None:
    if ctx.transactional:
        ctx.fails(f"{what} cannot run inside a transaction, and this migration runs in one")


def drop_index(op: ops.DropIndex, ctx: Context) -> None:
    """DROP INDEX: ACCESS EXCLUSIVE on PostgreSQL unless CONCURRENTLY."""
    guarded = ", if it exists" if op.if_exists else ""
    if not ctx.engine.postgres_like:
        ctx.note(f"drops index {op.name}{guarded}")
        return
    if op.concurrently:
        _concurrently_in_transaction(ctx, "DROP INDEX CONCURRENTLY")
        ctx.note(f"drops index {op.name} CONCURRENTLY{guarded}")
        return
    if op.name in ctx.state.created_indexes or (op.table and ctx.new_table(op.table)):
        ctx.note(f"drops index {op.name}, which the range created")
        return
    ctx.group(ImpactTag.INDEX_DROP_LOCK, op.table or "", op.name)


def add_constraint(op: ops.AddConstraint, ctx: Context) -> None:
    """ALTER TABLE … ADD CONSTRAINT, by kind and engine."""
    constraint = op.constraint
    if op.table in ctx.created_here:
        if constraint.foreign_key is not None:
            ctx.reference_note(op.table, constraint.foreign_key.ref_table)
        return
    kind = constraint.kind
    if ctx.engine.name == "SQLite" and op.table in ctx.rebuilt_for_alters:
        _in_sqlite_rebuild(op, ctx)
    elif kind is ops.ConstraintKind.FOREIGN_KEY and constraint.foreign_key is not None:
        _foreign_key(op, constraint.foreign_key, ctx)
    elif kind is ops.ConstraintKind.CHECK:
        _check(op, ctx)
    elif kind in (
        ops.ConstraintKind.UNIQUE,
        ops.ConstraintKind.PRIMARY_KEY,
        ops.ConstraintKind.EXCLUDE,
    ):
        _unique(op, ctx)


def _in_sqlite_rebuild(op: ops.AddConstraint, ctx: Context) -> None:
    """SQLite cannot alter a table's constraints, but a migration that rebuilds the table
    (Alembic's batch mode, a copy and rename) declares them on the new table: copying the rows
    into it checks them."""
    text = describe.constraint(op.constraint)
    kind = op.constraint.kind
    if kind is ops.ConstraintKind.CHECK:
        outcome = (
            f"the column is new, so rows hold {_new_column_holds(op, ctx)}"
            if _on_new_column(op, ctx)
            else "fails if a row violates it"
        )
        ctx.judge_new(
            op.table,
            ImpactTag.CHECK_CONSTRAINT_VALIDATED,
            f"{op.table}: {text}: the rebuild copies every row into the new table and {outcome}",
        )
    elif kind in (ops.ConstraintKind.UNIQUE, ops.ConstraintKind.PRIMARY_KEY):
        _judge_unique(
            ctx, op.table, op.constraint.columns, f"{op.table}: {text}", name=op.constraint.name
        )
    else:
        ctx.note(f"{op.table}: {text}: declared on the rebuilt table")


def _foreign_key(op: ops.AddConstraint, fk: ops.ForeignKey, ctx: Context) -> None:
    text = describe.constraint(op.constraint)
    engine = ctx.engine
    replaced = ctx.replaced_keys.get(op)
    orphans = _orphan_risk(op.table, fk, replaced, ctx)
    if replaced is not None and replaced.former is not None and replaced.released:
        changed = rules_change(op.table, op.constraint.name or fk.name or "", replaced.former, fk)
        if changed and not ctx.unreleased_table(op.table):
            ctx.flag(ImpactTag.BACKWARD_INCOMPATIBLE, changed)
    if engine.postgres_like:
        if op.constraint.not_valid or fk.not_valid:
            ctx.note(f"{text}: added NOT VALID, so no scan now; VALIDATE it later")
            return
        tables = op.table if fk.ref_table == op.table else f"{op.table} and {fk.ref_table}"
        consequence = (
            f"SHARE ROW EXCLUSIVE locks on {tables} while PostgreSQL checks every row; {orphans}"
        )
    elif engine.mysql_like:
        if ctx.settings.get("foreign_key_checks") in ("0", "OFF", "off"):
            ctx.note(f"{text}: with foreign_key_checks=0 InnoDB adds it in place, unchecked")
            return
        consequence = (
            f"InnoDB copies {op.table} (ALGORITHM=COPY, writes blocked) to add it; {orphans}"
        )
    elif engine.name == "SQLite":
        ctx.fails(f"SQLite cannot add a constraint to an existing table ({text})")
        return
    else:
        consequence = f"{engine.name} checks every row; {orphans}"
    ctx.judge_new(op.table, ImpactTag.FK_ADDED_EXISTING_TABLE, f"{op.table}: {text}: {consequence}")


def _orphan_risk(table: str, fk: ops.ForeignKey, replaced: Replaced | None, ctx: Context) -> str:
    """Whether validating the new key `fk` of `table` can meet orphaned rows, and why not: the
    migration removes them first, the key it replaces enforced the same reference, or the
    column is new and empty."""
    if cleanup := _orphan_cleanup(ctx, table, fk):
        at = f" (line {cleanup.line})" if cleanup.line else ""
        if cleanup.kind is ops.DataChangeKind.DELETE:
            how = f"deletes the rows of {table}"
        else:
            nulled = [c for c, value in cleanup.sets if value.upper() == "NULL" and c in fk.columns]
            how = f"sets {', '.join(f'{table}.{c}' for c in nulled)} to NULL in the rows"
        return (
            f"this migration first {how} with no match in {fk.ref_table}{at}, so it fails only "
            "if any remain"
        )
    if fill := _referenced_rows_filled(ctx, table, fk):
        at = f" (line {fill.line})" if fill.line else ""
        return (
            f"this migration first fills {fk.ref_table} from every row of {table}{at}, so no "
            "row can be orphaned"
        )
    if replaced is not None and replaced.by_default_name:
        columns = "column" if len(fk.columns) == 1 else "columns"
        return (
            f"the key it replaces ({replaced.name}, on the same {columns}) presumably enforced "
            "the same reference, so orphaned rows are unlikely"
        )
    if replaced is not None and replaced.same_reference(fk):
        return "the key it replaces enforced the same reference, so no row can be orphaned"
    empty = next((c for c in fk.columns if _null_in_every_row(ctx, table, c)), None)
    if empty is not None:
        added = ctx.by(ctx.state.added_columns[(table, empty)])
        return (
            f"{table}.{empty} was added by {added} without a default, so every row holds NULL "
            "there and none can be orphaned"
        )
    return "fails on orphaned rows"


def _referenced_rows_filled(ctx: Context, table: str, fk: ops.ForeignKey) -> ops.DataChange | None:
    """The INSERT … SELECT of this migration that copies every row's key values of `table`
    into the referenced columns (`INSERT INTO roles (name) SELECT DISTINCT role FROM
    user_roles`): every row then has its match."""
    wanted = set(zip(fk.ref_columns, fk.columns, strict=False))
    for fill in ctx.copies_of_every_row:
        if fill.table == fk.ref_table and fill.source_table == table and wanted <= set(fill.reads):
            return fill
    return None


def _orphan_cleanup(ctx: Context, table: str, fk: ops.ForeignKey) -> ops.DataChange | None:
    """The statement of this migration that deletes the rows of `table` with no match in the
    referenced table (or sets their key to NULL), testing one of the key's columns."""
    for change in ctx.orphan_cleanups:
        nulled = {column for column, value in change.sets if value.upper() == "NULL"}
        removes = change.kind is ops.DataChangeKind.DELETE or set(fk.columns) & nulled
        if change.table != table or not removes:
            continue
        for referenced, test in change.unmatched_in:
            named = any(re.search(rf"\b{re.escape(c)}\b", test) for c in fk.columns)
            if referenced == fk.ref_table and named:
                return change
    return None


def _check(op: ops.AddConstraint, ctx: Context) -> None:
    text = describe.constraint(op.constraint)
    engine = ctx.engine
    if engine.postgres_like:
        if op.constraint.not_valid:
            ctx.note(f"{op.table}: {text}: no scan now; VALIDATE it later")
            return
        consequence = (
            f"ACCESS EXCLUSIVE lock while PostgreSQL scans {op.table}; fails if a row violates it"
        )
    elif engine.mysql_like:
        consequence = (
            f"InnoDB copies {op.table} (ALGORITHM=COPY) to check every row; fails if a row "
            "violates it"
        )
    elif engine.name == "SQLite":
        if _on_new_column(op, ctx):
            ctx.note(f"{op.table}: {text}: declared with its new column, as SQLite allows")
        else:
            ctx.fails(f"SQLite cannot add a constraint to an existing table ({text})")
        return
    else:
        consequence = f"{engine.name} checks every row; fails if a row violates it"
    if _on_new_column(op, ctx):
        consequence = consequence.replace(
            "fails if a row violates it",
            f"the column is new, so rows hold {_new_column_holds(op, ctx)}",
        )
    ctx.judge_new(
        op.table, ImpactTag.CHECK_CONSTRAINT_VALIDATED, f"{op.table}: {text}: {consequence}"
    )


def _new_column_holds(op: ops.AddConstraint, ctx: Context) -> str:
    """What every existing row holds in the new column a CHECK is declared with: its default
    (or NULL, which passes a CHECK)."""
    name = op.constraint.columns[0]
    column = ctx.state.columns.get(op.table, {}).get(name)
    filled = ctx.state.temporary_defaults.get((op.table, name), (None, ""))[0]
    default = (column.default if column else None) or filled
    return "NULL there, which passes" if default is None else f"its default {default}"


def _on_new_column(op: ops.AddConstraint, ctx: Context) -> bool:
    """True for a CHECK declared inline with a column this migration adds."""
    columns = op.constraint.columns
    return (
        len(columns) == 1 and ctx.state.added_columns.get((op.table, columns[0])) == ctx.migration
    )


def _unique(op: ops.AddConstraint, ctx: Context) -> None:
    constraint = op.constraint
    text = describe.constraint(constraint)
    engine = ctx.engine
    if engine.name == "SQLite":
        ctx.fails(f"SQLite cannot add a constraint to an existing table ({text})")
        return
    if constraint.using_index:
        ctx.note(f"{op.table}: {text}: adopts an index that already enforces it")
    elif (renamed := _named_again(op, ctx)) is not None:
        ctx.flag(
            ImpactTag.MITIGATED, f"{op.table}: {text}: duplicates are not a risk here, {renamed}"
        )
    elif constraint.kind is not ops.ConstraintKind.EXCLUDE:
        _judge_unique(
            ctx,
            op.table,
            constraint.columns,
            f"{op.table}: {text}",
            name=constraint.name,
            equal_nulls=constraint.nulls_not_distinct,
        )
    if engine.postgres_like and not constraint.using_index:
        ctx.judge_new(
            op.table,
            ImpactTag.LOCK_HEAVY_INDEX,
            f"{op.table}: {text} builds its index under an ACCESS EXCLUSIVE lock (reads and "
            "writes wait); build it CONCURRENTLY and add the constraint USING INDEX",
        )
    elif engine.mysql_like and constraint.kind is ops.ConstraintKind.PRIMARY_KEY:
        ctx.note(f"{op.table}: {text}: InnoDB rebuilds the table in place")


def _named_again(op: ops.AddConstraint, ctx: Context) -> str | None:
    """Why a primary key added under the name of the one this migration dropped (of columns
    the range does not show) holds: the same name, presumably the same columns (Alembic's
    `drop_constraint('domain_pkey', type_='primary')` then `create_primary_key('domain_pkey',
    …)`, to name keys)."""
    replaced = ctx.replaced_keys.get(op)
    if (
        op.constraint.kind is not ops.ConstraintKind.PRIMARY_KEY
        or replaced is None
        or replaced.if_exists
        or ctx.state.unique_keys.replaced(op.table, op.constraint.columns, None, ctx.migration)
    ):
        return None
    return (
        f"it replaces {replaced.name}, which this migration dropped: a primary key of the same "
        "name, presumably on the same columns, which the rows satisfied"
    )


def _rows_satisfy(
    ctx: Context, table: str, columns: tuple[str, ...], where: str | None, name: str | None
) -> str | None:
    """Why the existing rows already satisfy a new unique key `name`, or None."""
    keys = ctx.state.unique_keys
    if (existing := keys.implying(table, columns, where, name, ctx.migration)) is not None:
        named = f" ({existing.name})" if existing.name else ""
        rows = f" for the rows where {existing.where}" if existing.where else ""
        return f"{table} is already unique on ({', '.join(existing.columns)}){named}{rows}"
    if (dropped := keys.replaced(table, columns, where, ctx.migration)) is not None:
        return (
            f"it replaces {dropped.name or 'a key'} on ({', '.join(dropped.columns)}), which "
            "this migration dropped and the rows satisfied"
        )
    return None


def _judge_unique(
    ctx: Context,
    table: str,
    columns: tuple[str, ...],
    what: str,
    where: str | None = None,
    name: str | None = None,
    equal_nulls: bool = False,
) -> None:
    """Uniqueness over existing rows is a risk, unless every existing row holds NULL in one of
    the key's columns: rows with a NULL never collide (PostgreSQL, MySQL, SQLite, CockroachDB),
    unless the key is NULLS NOT DISTINCT (`equal_nulls`); or the rows already satisfy it (a
    key it includes exists, or it replaces one this migration dropped)."""
    if table in ctx.emptied and not ctx.new_table(table):
        ctx.judge_new(table, ImpactTag.UNIQUE_ON_EXISTING_DATA, what)
        return
    if not ctx.new_table(table) and (held := _rows_satisfy(ctx, table, columns, where, name)):
        ctx.flag(ImpactTag.MITIGATED, f"{what}: duplicates are not a risk here, {held}")
        return
    if not ctx.new_table(table) and (random := _random_in_every_row(ctx, table, columns)):
        ctx.flag(ImpactTag.MITIGATED, f"{what}: duplicates are not a risk here, {random}")
        return
    empty = (
        None
        if equal_nulls
        else next((c for c in columns if _null_in_every_row(ctx, table, c)), None)
    )
    # Deleting rows, or rewriting a key column the table already had, just before the index
    # is how migrations remove duplicates (a backfill of a new column is not).
    deleted = ctx.state.rows_deleted.get(table) == ctx.migration
    rewritten = any(
        ctx.state.backfilled.get((table, c)) == ctx.migration
        and (table, c) not in ctx.state.added_columns
        for c in columns
    )
    if empty is None and (marked := _marked_out_of(ctx, table, where)) is not None:
        ctx.flag(
            ImpactTag.MITIGATED,
            f"{what}: this migration first sets {marked} in some rows of {table}, which the "
            "index's WHERE then leaves out (presumably the duplicates, soft-deleted): it fails "
            "only if any remain",
        )
        return
    if empty is None and (deleted or rewritten) and not ctx.new_table(table):
        how = "deletes" if deleted else "rewrites"
        ctx.flag(
            ImpactTag.MITIGATED,
            f"{what}: this migration first {how} rows of {table}, presumably the duplicates: "
            "it fails only if any remain",
        )
        return
    if empty is None or ctx.new_table(table):
        detail = f"{what}: fails if {table} already holds duplicates"
        ctx.judge_new(table, ImpactTag.UNIQUE_ON_EXISTING_DATA, detail)
        return
    added = ctx.by(ctx.state.added_columns[(table, empty)])
    ctx.flag(
        ImpactTag.MITIGATED,
        f"{what}: duplicates are not a risk here, {table}.{empty} was added by {added} "
        "without a default, so existing rows hold NULL there and cannot collide",
    )


def _marked_out_of(ctx: Context, table: str, where: str | None) -> str | None:
    """The columns an UPDATE of this migration sets that a partial unique index's WHERE
    names (`SET deleted_at = now()` before `… WHERE deleted_at IS NULL`), or None."""
    if not where or ctx.new_table(table):
        return None
    named = set(re.findall(r"\w+", where))
    for update in ctx.updates.get(table, []):
        cleared = {c for c, value in update.sets if value.upper() == "NULL"}
        marked = [c for c in update.columns if c in named and c not in cleared]
        if marked and update.has_where:
            return ", ".join(marked)
    return None


def _random_in_every_row(ctx: Context, table: str, columns: tuple[str, ...]) -> str | None:
    """Why every existing row holds a different value in one of `columns` (a random UUID
    filled by the range), or None."""
    for column in columns:
        filled = ctx.state.random_filled.get((table, column))
        if filled is None:
            continue
        known = ctx.state.known_column(table, column)
        default = known.default if known else None
        if ctx.state.added_columns.get((table, column)) == filled and engines.random_uuid(default):
            how = f"was added by {ctx.by(filled)} with DEFAULT {default}"
        else:
            how = f"is set to a random UUID in every row by {ctx.by(filled)}"
        return f"{table}.{column} {how}, so existing rows hold different values"
    return None


def _null_in_every_row(ctx: Context, table: str, column: str) -> bool:
    """True for a column the range added without a default and has not filled since (a
    default set only to fill existing rows, then dropped, filled them)."""
    known = ctx.state.known_column(table, column)
    return (
        (table, column) in ctx.state.added_columns
        and (table, column) not in ctx.state.backfilled
        and (table, column) not in ctx.state.temporary_defaults
        and known is not None
        and known.default is None
        and known.generated is None
        and not known.auto_increment
        and not known.primary_key
    )


def drop_constraint(op: ops.DropConstraint, ctx: Context) -> None:
    """Dropping a foreign key lets orphans in (Atlas CD101)."""
    key = _named(op, "foreign key")
    if op.name and (op.table, op.name) in ctx.readded:
        ctx.note(f"drops constraint {op.name} on {op.table} to add it again with a new definition")
    elif op.kind is ops.ConstraintKind.FOREIGN_KEY and _on_dropped_column(op, ctx):
        ctx.note(f"drops {key} on {op.table}, whose column this migration drops")
    elif op.kind is ops.ConstraintKind.FOREIGN_KEY and not ctx.new_table(op.table):
        ctx.flag(
            ImpactTag.FK_DROPPED,
            f"drops {key} on {op.table}: the database no longer rejects orphaned rows",
        )
    else:
        kind = f"{op.kind.value} constraint" if op.kind else "constraint"
        ctx.note(f"drops {_named(op, kind)} on {op.table}")


def _named(op: ops.DropConstraint, kind: str) -> str:
    """`foreign key orders_user_fk`, or `an unnamed UNIQUE constraint` (Django's unique=False
    drops the constraint the database named)."""
    return f"{kind} {op.name}" if op.name else f"an unnamed {kind}"


def _on_dropped_column(op: ops.DropConstraint, ctx: Context) -> bool:
    """True for a foreign key on a column the same migration drops (its drop says what is
    lost): its columns as the range shows them, else as its conventional name lists them
    (`rules_namespace_key_segment_key_fkey`, CockroachDB's `fk_namespace_key_ref_segments`)."""
    dropped = {column for table, column in ctx.dropped_columns if table == op.table}
    known = ctx.state.foreign_keys.get((op.table, op.name or ""))
    if known is not None and known.columns:
        return bool(dropped & set(known.columns))
    name = op.name or ""
    listed = f"_{name.removeprefix(op.table)}_"  # `fk_namespace_key_ref_segments` too
    return any(f"_{column}_" in listed for column in dropped)


def validate_constraint(op: ops.ValidateConstraint, ctx: Context) -> None:
    """VALIDATE CONSTRAINT scans without blocking writes (the safe second step)."""
    ctx.note(f"validates {op.name} on {op.table} under SHARE UPDATE EXCLUSIVE: writes continue")


def grouped_impact(tag: ImpactTag, table: str, names: list[str], ctx: Context) -> str:
    """One detail for every index of a table built or dropped without CONCURRENTLY, or for
    every table a migration drops."""
    listed = first_few(names)
    if tag is ImpactTag.DESTRUCTIVE_DROP_TABLE:
        if len(names) == 1:
            return f"drops table {listed}: {ctx.lost('its rows are')}"
        return f"drops {len(names)} tables ({listed}): {ctx.lost('their rows are', 'them')}"
    if tag is ImpactTag.LOCK_HEAVY_INDEX:
        what = "CREATE INDEX" if len(names) == 1 else f"{len(names)} CREATE INDEX"
        return (
            f"{what} {listed} ON {table} without CONCURRENTLY: a SHARE lock blocks writes to "
            f"{table} while {'each index builds' if len(names) > 1 else 'the index builds'}"
        )
    on = f" on {table}" if table else " on its table"
    what = "DROP INDEX" if len(names) == 1 else f"{len(names)} DROP INDEX"
    return (
        f"{what} {listed} without CONCURRENTLY: an ACCESS EXCLUSIVE lock{on}, queued behind "
        "running queries"
    )
