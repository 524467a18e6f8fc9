"""Rules for whole tables, views, types, row changes and unread SQL.

Anchors: Squawk ban-drop-table, renaming-table; Atlas DS102 (table dropped), BC101 (renaming a
table); strong_migrations remove_table-style checks (`drop_table`), rename_table, execute.
"""

from __future__ import annotations

import re

from harvester.analysis.wording import first_few
from harvester.migrations.schema import ops
from harvester.migrations.schema.range_state import check_text
from harvester.migrations.schema.rules import columns
from harvester.migrations.schema.rules.context import Context, known_nullable
from harvester.model import ImpactTag


def create_table(op: ops.CreateTable, ctx: Context) -> None:
    """A new table holds no rows: nothing to flag, only what it references."""
    if op.may_exist:
        ctx.note(
            f"{op.table} is created only where it does not exist yet (the migration is written "
            "for databases that already have it), so it is judged as an existing table"
        )
        return
    ctx.created_here.add(op.table)
    what = "new table" if not op.as_select else "new table filled from a query"
    ctx.note(f"{what} {op.table}")
    for column in op.columns:
        if column.references is not None:
            ctx.reference_note(op.table, column.references.ref_table)
    for constraint in op.constraints:
        if constraint.foreign_key is not None:
            ctx.reference_note(op.table, constraint.foreign_key.ref_table)


def drop_table(op: ops.DropTable, ctx: Context) -> None:
    """DROP TABLE loses data unless the range created the table (Squawk ban-drop-table, DS102).

    ClickHouse drops views with DROP TABLE too: one the migration creates again is a view
    dropped and recreated."""
    if op.table in ctx.recreated_views:
        drop_view(ops.DropView(op.table, line=op.line), ctx)
        return
    why = ctx.new_table(op.table)
    if op.table in ctx.created_here:
        ctx.note(f"drops {op.table}, which this migration created")
    elif why:
        ctx.flag(ImpactTag.MITIGATED, f"drops {op.table} ({why}): no released data is lost")
    elif unreleased := ctx.unreleased_table(op.table):
        ctx.flag(
            ImpactTag.DESTRUCTIVE_DROP_TABLE,
            f"drops table {op.table}: it was {unreleased}, so no released code reads it, but "
            f"{ctx.filled_since(op.table)}: those rows are lost",
        )
    elif op.if_exists and op.table in ctx.recreated_tables:
        ctx.flag(
            ImpactTag.DESTRUCTIVE_DROP_TABLE,
            f"drops table {op.table} if it exists, to create it anew: the rows of an existing "
            f"{op.table} are lost (a database without it loses nothing)",
        )
    elif (moved := _moved_to(op.table, ctx)) is not None:
        ctx.flag(ImpactTag.BACKWARD_INCOMPATIBLE, moved)
    else:
        ctx.group(ImpactTag.DESTRUCTIVE_DROP_TABLE, "", op.table)
        copy = ctx.copied_from.get(op.table)
        if copy:
            ctx.flag(
                ImpactTag.MITIGATED,
                f"{op.table} rows were copied into {copy} first (INSERT … SELECT): check that "
                "every column that matters was kept",
            )


def _moved_to(table: str, ctx: Context) -> str | None:
    """A table dropped after an INSERT … SELECT of this migration or an earlier one of its
    release copied every row of it into another table: a move, which breaks the previous
    release's code that reads it (None when nothing copied all its rows)."""
    copy = ctx.state.tables_copied_out.get(table)
    if copy is None or copy[2]:  # a WHERE or a join: the other rows are lost
        return None
    target, migration, _ = copy
    if ctx.after_deploy:
        consequence = "rows written between the copy and the drop are lost"
    else:
        consequence = (
            "rows the previous release writes between the copy and the drop are lost, and its "
            f"code that still reads {table} fails during a rolling deploy"
        )
    assumed = ctx.assumed_together(migration)
    return (
        f"drops {table} after {ctx.by(migration)} copied its rows into {target} "
        f"(INSERT … SELECT){assumed}: {consequence}"
    )


def rename_table(op: ops.RenameTable, ctx: Context) -> None:
    """Renaming breaks code that still uses the old name (Squawk renaming-table, Atlas BC101).

    A swap (`RENAME x TO x_old; RENAME x_new TO x`) replaces x: a view swapped this way is a
    view dropped and recreated; the rename away is part of it."""
    if op.old in ctx.swaps:
        ctx.note(f"renames {op.old} -> {op.new} to make room for {ctx.swaps[op.old]}")
        return
    if op.new in ctx.swaps and op.old in ctx.created_views:
        ctx.flag(
            ImpactTag.VIEW_DROPPED_RECREATED,
            f"replaces view {op.new} with {op.old} by renaming: queries and inserts between "
            "the two renames find no view",
        )
        return
    if ctx.unreleased_table(op.old):
        ctx.note(f"renames {op.old} -> {op.new}, which the range created")
    else:
        ctx.flag(
            ImpactTag.RENAME_TABLE,
            f"renames {op.old} -> {op.new}: code of the previous release still using {op.old} "
            "fails during a rolling deploy",
        )
    if op.old in ctx.created_here:
        ctx.created_here.add(op.new)


def exchange_tables(op: ops.ExchangeTables, ctx: Context) -> None:
    """ClickHouse EXCHANGE TABLES outside a recognised swap."""
    ctx.flag(
        ImpactTag.RENAME_TABLE,
        f"swaps {op.first} and {op.second} atomically: readers of either name see the other "
        "table's rows from now on",
    )


def rebuild_table(op: ops.RebuildTable, ctx: Context) -> None:
    """A create-copy-drop-rename rebuild: not a drop, but the whole table is copied."""
    if op.staging:
        ctx.created_here.add(op.staging)
    engine = ctx.engine.name
    changes = f" ({'; '.join(op.changes)})" if op.changes else ""
    copied = "the kept rows" if op.keeps_only else "every row"
    if ctx.new_table(op.table):
        ctx.note(f"recreates {op.table}, which the range created{changes}")
        return
    if op.unconfirmed:
        how = f"{op.unconfirmed}: whether every old row is carried over is not confirmed"
    elif not op.copies_data:
        how = "the new table replaces the old one"
    elif engine == "SQLite":
        how = f"SQLite copies {copied} into the new table, holding the database write lock"
    elif engine == "ClickHouse":
        how = (
            "ClickHouse copies the rows with INSERT … SELECT; rows written to the old table "
            "after the copy starts are not carried over"
        )
    else:
        how = f"{engine} copies {copied} while the migration runs"
    ctx.flag(ImpactTag.TABLE_REBUILD, f"recreates {op.table} via {op.via}{changes}: {how}")
    if op.keeps_only and op.copies_data:
        ctx.flag(
            ImpactTag.DATA_DELETE,
            f"the rebuild of {op.table} copies only its rows WHERE {op.keeps_only}: the other "
            "rows are lost",
        )
    for column in op.unfilled:
        ctx.unfilled.add((op.table, column))
        ctx.flag(
            ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
            f"rebuilds {op.table} with {op.table}.{column} NOT NULL without a default, which "
            f"the copy does not fill: copying the rows fails if {op.table} has any row",
        )
    _columns_left_behind(op, ctx)
    _copied_into_not_null(op, ctx)
    _copied_into_new_checks(op, ctx)
    if not op.copies_data and not op.unconfirmed:
        ctx.flag(
            ImpactTag.DATA_NOT_MIGRATED,
            f"the rebuilt {op.table} starts empty: nothing copies the old rows into it",
        )


def _columns_left_behind(op: ops.RebuildTable, ctx: Context) -> None:
    """Old columns the rebuilt table no longer has: moved into a column of another name by
    the copy (a rename), or left behind (a drop)."""
    for old, new in op.renames:
        columns.rename_column(ops.RenameColumn(op.table, old, new, line=op.line), ctx)
    before = ctx.state.columns.get(op.table, {})
    filled = {new for new, _ in op.copies}
    empty = [c.name for c in op.columns if c.name not in before and c.name not in filled]
    for name in op.drops:
        extra = "; the rebuild's copy leaves it out"
        alike = [e for e in empty if _alike(e, name)]
        if alike:
            extra += f" ({alike[0]}, a new column the copy does not fill, may be its new name)"
        columns.drop_column(ops.DropColumn(op.table, name, line=op.line), ctx, extra)


def _alike(first: str, second: str) -> bool:
    """Names that differ only by case and underscores (`filesystem`, `file_system`)."""
    return first.replace("_", "").lower() == second.replace("_", "").lower()


def _copied_into_not_null(op: ops.RebuildTable, ctx: Context) -> None:
    """A nullable column copied as it is into a NOT NULL one: the copy fails on a NULL (a
    DEFAULT does not help, the INSERT names the column)."""
    declared = {c.name: c for c in op.columns}
    for column, source in op.copies:
        new = declared.get(column)
        if new is None or new.nullable is not False or new.primary_key:
            continue
        if known_nullable(ctx, op.table, source):
            ctx.flag(
                ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
                f"{op.table}.{column} becomes NOT NULL in the rebuild: copying the rows fails "
                f"if any row holds NULL in {source}",
            )


def _copied_into_new_checks(op: ops.RebuildTable, ctx: Context) -> None:
    """A CHECK the rebuilt table has and the old one did not (new, or changed under its
    name): the copy inserts every old row, so one that violates it makes the copy fail. One
    on a column the copy fills otherwise than from an old one (its default, a literal) is not
    judged, nor one that only allows more (`a OR b` where the old CHECK was `a`)."""
    old = ctx.state.table_checks.get(op.table)
    if old is None or op.checks is None or not op.copies_data:
        return
    columns = {c.name for c in op.columns}
    copied = {new for new, _ in op.copies} or columns
    for constraint in op.checks:
        text = check_text(constraint.expression or "", op.table, op.staging or op.table)
        used = columns & set(re.findall(r"\w+", text))
        if not used or not used <= copied or text in old.values():
            continue
        before = old.get(constraint.name or "")
        if before is not None and set(_or_terms(before)) <= set(_or_terms(text)):
            continue
        if constraint.name in old:
            what = f"CHECK {constraint.name} changed to ({text})"
        else:
            named = f" {constraint.name}" if constraint.name else ""
            what = f"a new CHECK{named} ({text})"
        ctx.flag(
            ImpactTag.DATA_DEPENDENT,
            f"{op.table} is rebuilt with {what}: copying the rows fails if any row violates it",
        )


def _or_terms(text: str) -> list[str]:
    """The alternatives of a condition joined by OR at its top level, without their outer
    parentheses (`(a AND b) OR c` -> `a AND b`, `c`)."""
    terms, depth, start = [], 0, 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(" OR ", position):
            terms.append(text[start:position])
            start = position + len(" OR ")
    terms.append(text[start:])
    return [_without_parentheses(term.strip()) for term in terms]


def _without_parentheses(term: str) -> str:
    """`(a AND b)` -> `a AND b`, when the parentheses enclose the whole term."""
    while term.startswith("(") and term.endswith(")"):
        depth = 0
        for position, char in enumerate(term):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and position < len(term) - 1:
                return term  # `(a) AND (b)`: the first one closes early
        term = term[1:-1].strip()
    return term


def table_options(op: ops.TableOptions, ctx: Context) -> None:
    """Engine, charset, TTL and storage changes: some rebuild the table."""
    options = ", ".join(op.options)
    if op.rewrites and not ctx.new_table(op.table):
        how = {
            "MySQL": "InnoDB copies the table (ALGORITHM=COPY), blocking writes",
            "MariaDB": "InnoDB copies the table (ALGORITHM=COPY), blocking writes",
            "ClickHouse": "ClickHouse rewrites every part in a background mutation",
        }.get(ctx.engine.name, "the table is rewritten under an ACCESS EXCLUSIVE lock")
        ctx.flag(ImpactTag.TABLE_REWRITE, f"{op.table}: {options}: {how}")
    else:
        ctx.note(f"{op.table}: {options}")


def create_view(op: ops.CreateView, ctx: Context) -> None:
    """A new or replaced view."""
    ctx.created_here.add(op.name)
    ctx.created_views.add(op.name)
    what = "materialized view" if op.materialized else "view"
    target = f" writing to {op.to_table}" if op.to_table else ""
    verb = "creates or replaces" if op.or_replace else "creates"
    ctx.note(f"{verb} {what} {op.name}{target}")


def drop_view(op: ops.DropView, ctx: Context) -> None:
    """A dropped view: recreated later in the migration, replaced by another under its name,
    or gone."""
    materialized = op.materialized or ctx.recreated_views.get(op.name, False)
    what = "materialized view" if materialized else "view"
    if op.name in ctx.recreated_views:
        consequence = (
            "rows inserted into its source tables in between are never added to its target"
            if ctx.engine.name == "ClickHouse" and materialized
            else "queries that read it fail until it exists again"
        )
        ctx.flag(
            ImpactTag.VIEW_DROPPED_RECREATED,
            f"drops and recreates {what} {op.name}: {consequence}",
        )
    elif op.name in ctx.view_replacements:
        ctx.flag(
            ImpactTag.VIEW_DROPPED_RECREATED,
            f"replaces {what} {op.name} with {ctx.view_replacements[op.name]}: queries that "
            "read it fail until the replacement takes its name",
        )
    elif op.name not in ctx.created_here:
        ctx.flag(
            ImpactTag.DESTRUCTIVE_DROP_TABLE,
            f"drops {what} {op.name}: code of the previous release that reads it fails",
        )


def redefine_enum(op: ops.RedefineEnumType, ctx: Context) -> None:
    """A rebuilt enum: converting a column fails on a row that holds a value the new type no
    longer lists, and code of the previous release may still write such a value."""
    origin = ctx.state.created_types.get(op.name)
    if origin is not None:
        ctx.note(f"enum {op.name} is rebuilt; it was created by {ctx.by(origin)}")
        return
    before = ctx.state.enum_values.get(op.name)
    values = ", ".join(op.values)
    if before is None:
        ctx.flag(
            ImpactTag.BACKWARD_INCOMPATIBLE,
            f"enum {op.name} is rebuilt with values ({values}), its old values not known here: "
            "if one is no longer listed, converting its columns fails on rows holding it, and "
            "code of the previous release that writes it fails",
        )
        return
    removed = [v for v in before if v not in op.values]
    if not removed:
        ctx.widened_enums.add(op.name)
        added = [v for v in op.values if v not in before]
        ctx.note(
            f"enum {op.name} is rebuilt keeping every value it had and adding "
            f"{', '.join(added) or 'none'}: existing rows convert"
        )
        return
    ctx.flag(
        ImpactTag.BACKWARD_INCOMPATIBLE,
        f"enum {op.name} is rebuilt with values ({values}), no longer listing "
        f"{', '.join(removed)}: converting its columns fails if a row holds one, and code of "
        "the previous release that writes one fails",
    )


def rename_type(op: ops.RenameType, ctx: Context) -> None:
    """A type renamed on its own (not as a step of an enum rebuild): columns keep using it,
    but SQL that names the old type no longer finds it."""
    origin = ctx.state.created_types.get(op.old)
    if origin is not None:
        ctx.note(f"renames type {op.old} -> {op.new}; it was created by {ctx.by(origin)}")
        return
    ctx.flag(
        ImpactTag.BACKWARD_INCOMPATIBLE,
        f"renames type {op.old} -> {op.new}: code of the previous release that still names "
        f"{op.old} (a cast, a column definition) fails during a rolling deploy",
    )


def add_enum_value(op: ops.AddEnumValue, ctx: Context) -> None:
    """ALTER TYPE … ADD VALUE: judged once per type, with every value the step adds to it."""
    ctx.added_enum_values.setdefault(op.type_name, []).append(repr(op.value))


def enum_values_added(type_name: str, values: list[str], ctx: Context) -> str:
    """Transaction limits before PostgreSQL 12; new values unusable until commit."""
    adds = f"adds {first_few(values, 4)} to enum {type_name}"
    if not ctx.engine.postgres_like:
        return adds
    one = len(values) == 1
    if ctx.engine.known_below(12):
        limit = "PostgreSQL before 12 refuses ALTER TYPE … ADD VALUE inside a transaction block"
    else:
        limit = (
            f"the new {'value' if one else 'values'} cannot be used in the same transaction, "
            f"and code of the previous release does not know {'it' if one else 'them'}"
        )
    return f"{adds}: {limit}"


# Data changes that may put rows into a table a delete emptied.
_REFILLS = frozenset(
    {ops.DataChangeKind.INSERT, ops.DataChangeKind.INSERT_SELECT, ops.DataChangeKind.CODE}
)


def data_change(op: ops.DataChange, ctx: Context) -> None:
    """UPDATE, DELETE, INSERT … SELECT, code and ClickHouse mutations touching rows."""
    table = op.table or "rows"
    detail = op.detail or f"changes rows of {table}"
    for target, source in op.reads if op.kind is ops.DataChangeKind.UPDATE else ():
        if target != source and op.table:
            copy = (target, op.line, op.has_where)
            ctx.copied_columns.setdefault((op.table, source), []).append(copy)
    if op.kind is ops.DataChangeKind.UPDATE and op.table:
        ctx.updates.setdefault(op.table, []).append(op)
    if op.unmatched_in:
        ctx.orphan_cleanups.append(op)
    if op.kind is ops.DataChangeKind.INSERT_SELECT and op.source_table and not op.has_where:
        ctx.copies_of_every_row.append(op)
    if op.raises_on_data:
        ctx.flag(ImpactTag.DATA_DEPENDENT, f"{detail}: fails on unexpected rows")
    if op.kind is ops.DataChangeKind.CHECK:
        return
    if op.kind in _REFILLS and op.table:
        ctx.emptied.pop(op.table, None)
    if op.kind is ops.DataChangeKind.INSERT:
        ctx.note(f"inserts rows into {table}")
        return
    if op.kind is ops.DataChangeKind.INSERT_SELECT and op.source_table:
        ctx.copied_from[op.source_table] = table
        if not ctx.new_table(op.source_table):
            # released rows copied: a data migration, even into a table the range created
            ctx.flag(ImpactTag.DATA_BACKFILL, f"{detail}: {_backfill_cost(op, ctx)}")
            return
    if op.table and op.table in ctx.created_here:
        ctx.note(f"fills {op.table}, which this migration created")
        return
    clickhouse = ctx.engine.name == "ClickHouse"
    if op.kind in (ops.DataChangeKind.DELETE, ops.DataChangeKind.TRUNCATE):
        scope = "" if op.has_where else " (every row)"
        how = ": an asynchronous mutation rewrites the affected parts" if clickhouse else ""
        tag = ImpactTag.DATA_DELETE
        ctx.judge_new(table, tag, f"{detail}{scope}{how}")
        if not op.has_where and op.table:
            ctx.emptied.setdefault(op.table, op.line)
        return
    if op.kind is ops.DataChangeKind.MUTATION:
        ctx.judge_new(table, ImpactTag.TABLE_REWRITE, f"{detail} (ClickHouse mutation)")
        return
    erased = [column for column, value in op.sets if value.upper() == "NULL"]
    if erased and not op.has_where:
        names = ", ".join(f"{table}.{column}" for column in erased)
        ctx.judge_new(
            table,
            ImpactTag.DATA_DELETE,
            f"UPDATE {table} SET {' = NULL, '.join(erased)} = NULL on every row: erases every "
            f"value of {names}",
        )
        if len(erased) == len(op.sets):
            return
    ctx.judge_new(table, ImpactTag.DATA_BACKFILL, f"{detail}: {_backfill_cost(op, ctx)}")


def _backfill_cost(op: ops.DataChange, ctx: Context) -> str:
    """What writing the rows costs on the engine."""
    engine = ctx.engine.name
    if op.kind is ops.DataChangeKind.CODE:
        return "runs in the migration, row by row or in bulk"
    if engine == "ClickHouse" and op.kind is ops.DataChangeKind.INSERT_SELECT:
        target = op.table or "the table"
        return f"one INSERT adds the rows as new parts of {target} (and of any view fed by it)"
    if engine == "ClickHouse":
        return "an asynchronous mutation rewrites every affected part"
    if op.kind is ops.DataChangeKind.INSERT_SELECT:
        return f"copies rows in one statement while {op.source_table or 'the source'} is read"
    rows = "the matching rows" if op.has_where else "every row"
    if engine == "SQLite":
        return f"rewrites {rows} while holding the database write lock"
    if ctx.transactional is False:  # `atomic = False`, disable_ddl_transaction!
        return f"rewrites {rows} outside a transaction: each statement commits on its own"
    return f"rewrites {rows} in one transaction, holding their row locks until commit"


def opaque(op: ops.Opaque, ctx: Context) -> None:
    """Statements nobody parsed are raw SQL for a person to read; the others are notes."""
    if op.raw:
        where = f"line {op.line}: " if op.line else ""
        ctx.flag(ImpactTag.RAW_SQL, f"{where}not analysed: {op.summary}")
    else:
        ctx.note(op.summary)


def session_setting(op: ops.SessionSetting, ctx: Context) -> None:
    """SET lock_timeout and friends: remembered, they lower lock risks."""
    ctx.settings[op.name.lower()] = op.value
