"""Data-impact rules: which operations deserve a reviewer's eye, on which engines, and why.

Rules read operations only (never SQL text), so every system is judged alike. They are grouped
by what they judge (`tables`, `columns`, `keys`) and anchored in Squawk's rules, Atlas
`migrate lint` analyzers and strong_migrations checks, named in each module. Context from the
range (`RangeState`) turns some risks into `mitigated` ones; down steps are judged by `downs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import ops
from harvester.migrations.schema.downs import down_impacts
from harvester.migrations.schema.engines import engine_for
from harvester.migrations.schema.range_state import RangeState
from harvester.migrations.schema.rules import columns, keys, tables
from harvester.migrations.schema.rules.context import Context, rewrite_detail
from harvester.migrations.schema.rules.foreign_keys import replaced_keys
from harvester.model import SEVERITY, Impact, ImpactTag

__all__ = ["Assessment", "RangeState", "assess", "evaluate"]

_RULES: dict[type[Any], Callable[[Any, Context], None]] = {
    ops.CreateTable: tables.create_table,
    ops.DropTable: tables.drop_table,
    ops.RenameTable: tables.rename_table,
    ops.ExchangeTables: tables.exchange_tables,
    ops.RebuildTable: tables.rebuild_table,
    ops.TableOptions: tables.table_options,
    ops.CreateView: tables.create_view,
    ops.DropView: tables.drop_view,
    ops.AddEnumValue: tables.add_enum_value,
    ops.RedefineEnumType: tables.redefine_enum,
    ops.RenameType: tables.rename_type,
    ops.DataChange: tables.data_change,
    ops.Opaque: tables.opaque,
    ops.SessionSetting: tables.session_setting,
    ops.AddColumn: columns.add_column,
    ops.DropColumn: columns.drop_column,
    ops.RenameColumn: columns.rename_column,
    ops.AlterColumnType: columns.alter_column_type,
    ops.ModifyColumn: columns.modify_column,
    ops.SetNotNull: columns.set_not_null,
    ops.DropNotNull: columns.drop_not_null,
    ops.SetDefault: columns.set_default,
    ops.DropDefault: columns.drop_default,
    ops.CreateIndex: keys.create_index,
    ops.DropIndex: keys.drop_index,
    ops.AddConstraint: keys.add_constraint,
    ops.DropConstraint: keys.drop_constraint,
    ops.ValidateConstraint: keys.validate_constraint,
}

_LOCK_TAGS = frozenset(
    {
        ImpactTag.TABLE_REWRITE,
        ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
        ImpactTag.LOCK_HEAVY_INDEX,
        ImpactTag.CHECK_CONSTRAINT_VALIDATED,
        ImpactTag.FK_ADDED_EXISTING_TABLE,
        ImpactTag.INDEX_DROP_LOCK,
    }
)
_NOTES_IN_NONE = 3


@dataclass(frozen=True, slots=True)
class Assessment:
    """A migration's data-impact tags (worst first), the informational notes behind them, and
    statements that will fail whatever the data (with their lines)."""

    impacts: tuple[Impact, ...]
    notes: tuple[str, ...]
    failures: tuple[tuple[str, int | None], ...] = ()


def assess(
    parsed: ops.ParsedMigration,
    dialect: ops.Dialect | None,
    state: RangeState,
    settings: AnalysisSettings,
    together_assumed: bool = False,
    system: str | None = None,
) -> Assessment:
    """Judge one migration's up step (and its down step against it) in the range's context;
    `together_assumed` when no release tag says whether it ships with the earlier ones;
    `system` the migration tool that runs it."""
    rebuilds = [o for o in parsed.up.operations if isinstance(o, ops.RebuildTable)]
    ctx = Context(
        engine=engine_for(dialect, settings),
        state=state.copy(),
        migration=parsed.id,
        system=system,
        transactional=parsed.up.transactional,
        after_deploy=parsed.after_deploy,
        together_assumed=together_assumed,
        recreated_views=_recreated_views(parsed.up.operations),
        view_replacements=_view_replacements(parsed.up.operations),
        swaps=_swaps(parsed.up.operations),
        replaced_keys=replaced_keys(parsed.up.operations, state),
        redefaulted=_redefaulted(parsed.up.operations),
        rebuilt={o.table for o in rebuilds},
        rebuilt_for_alters={o.table for o in rebuilds if o.applies_alters},
        recreated_tables=_recreated_tables(parsed.up.operations),
        declared_in_rebuild={(o.table, c) for o in rebuilds for c in o.declares_columns},
        dropped_columns={
            (o.table, o.column) for o in parsed.up.operations if isinstance(o, ops.DropColumn)
        },
    )
    for operation in parsed.up.operations:
        rule = _RULES.get(type(operation))
        ctx.line = operation.line
        if rule is not None:
            rule(operation, ctx)
        ctx.state.apply(operation, parsed.id)
    for (tag, table), names in ctx.grouped.items():
        ctx.flag(tag, keys.grouped_impact(tag, table, names, ctx))
    for type_name, values in ctx.added_enum_values.items():
        ctx.flag(ImpactTag.ENUM_VALUE_ADDED, tables.enum_values_added(type_name, values, ctx))
    for changes in ctx.rewrites.values():
        ctx.flag(ImpactTag.TABLE_REWRITE, rewrite_detail(changes))
    for table, names in ctx.loosened.items():
        if table not in ctx.rewrites:  # a copy of the table makes the rebuild moot
            ctx.note(columns.loosened_in_place(table, names))
    for table, copied in ctx.dropped_copies.items():
        ctx.flag(*columns.dropped_copies(table, copied, ctx))
    for table, updated in ctx.dropped_after_update.items():
        ctx.flag(ImpactTag.MITIGATED, columns.dropped_after_update(table, updated))
    for table, dropped in ctx.dropped_fill_defaults.items():
        if not ctx.unreleased_table(table):  # else no released code inserts into it
            ctx.flag(
                ImpactTag.BACKWARD_INCOMPATIBLE, columns.dropped_fill_defaults(table, dropped, ctx)
            )
    if ctx.lock_timeout and any(i.tag in _LOCK_TAGS for i in ctx.impacts):
        ctx.flag(
            ImpactTag.MITIGATED,
            "a lock_timeout is set first: the migration fails fast instead of queueing every "
            "query behind its lock (Squawk require-timeout-settings)",
        )

    def released(table: str, column: str | None) -> bool:
        new = table in ctx.created_here or table in state.created_tables
        return not (new or (column is not None and (table, column) in state.added_columns))

    for impact in down_impacts(parsed, released):
        ctx.flag(impact.tag, impact.detail)
    impacts = sorted(ctx.impacts, key=lambda i: SEVERITY.index(i.tag))
    if not impacts:
        impacts = [_quiet_impact(parsed, ctx.notes)]
    return Assessment(tuple(impacts), tuple(ctx.notes), tuple(ctx.failures))


def evaluate(
    parsed: ops.ParsedMigration,
    dialect: ops.Dialect | None,
    state: RangeState,
    settings: AnalysisSettings,
) -> Iterator[Impact]:
    """The data-impact tags of one migration, worst first."""
    yield from assess(parsed, dialect, state, settings).impacts


def _recreated_views(operations: tuple[ops.Operation, ...]) -> dict[str, bool]:
    """Views dropped and created again by the same step, and whether they are materialized."""
    dropped: set[str] = set()
    recreated: dict[str, bool] = {}
    for operation in operations:
        if isinstance(operation, ops.DropView):
            dropped.add(operation.name)
        elif isinstance(operation, ops.DropTable):
            dropped.add(operation.table)
        elif isinstance(operation, ops.CreateView) and operation.name in dropped:
            recreated[operation.name] = operation.materialized
    return recreated


def _view_replacements(operations: tuple[ops.Operation, ...]) -> dict[str, str]:
    """Views the same step drops and then gives their name to another table or view (a rename
    into it, a new table): name -> what replaces it, in words."""
    dropped: set[str] = set()
    replaced: dict[str, str] = {}
    for operation in operations:
        match operation:
            case ops.DropView(name=name):
                dropped.add(name)
            case ops.RenameTable(old=old, new=new) if new in dropped:
                replaced.setdefault(new, f"{old}, renamed to {new}")
            case ops.CreateTable(table=table) if table in dropped:
                replaced.setdefault(table, f"a new table {table}")
            case _:
                pass
    return replaced


def _redefaulted(operations: tuple[ops.Operation, ...]) -> set[tuple[str, str]]:
    """Columns whose default is dropped and then set again by the same step (how Django keeps
    a database default through an AlterField with a RunSQL after it)."""
    dropped: set[tuple[str, str]] = set()
    again: set[tuple[str, str]] = set()
    for operation in operations:
        if isinstance(operation, ops.DropDefault):
            dropped.add((operation.table, operation.column))
        elif (
            isinstance(operation, ops.SetDefault) and (operation.table, operation.column) in dropped
        ):
            again.add((operation.table, operation.column))
    return again


def _swaps(operations: tuple[ops.Operation, ...]) -> dict[str, str]:
    """Names a migration swaps: `RENAME x TO x_old` then `RENAME x_new TO x` -> {x: x_new}."""
    parked: set[str] = set()
    swapped: dict[str, str] = {}
    for operation in operations:
        if isinstance(operation, ops.RenameTable):
            if operation.new in parked:
                swapped[operation.new] = operation.old
            parked.add(operation.old)
    return swapped


def _quiet_impact(parsed: ops.ParsedMigration, notes: list[str]) -> Impact:
    if not parsed.up.operations:
        why = next(iter(parsed.up.notes), None)
        return Impact(
            ImpactTag.NO_OP,
            "no statement that changes the schema or rows" + (f" ({why})" if why else ""),
        )
    if not notes:
        return Impact(ImpactTag.NONE, "nothing that needs a reviewer's eye")
    shown = "; ".join(notes[:_NOTES_IN_NONE])
    more = f"; and {len(notes) - _NOTES_IN_NONE} more" if len(notes) > _NOTES_IN_NONE else ""
    return Impact(ImpactTag.NONE, f"{shown}{more}")


def _recreated_tables(operations: tuple[ops.Operation, ...]) -> set[str]:
    """Tables dropped IF EXISTS and created again later in the same step."""
    found = set()
    for index, operation in enumerate(operations):
        if isinstance(operation, ops.DropTable) and operation.if_exists:
            later = operations[index + 1 :]
            if any(isinstance(o, ops.CreateTable) and o.table == operation.table for o in later):
                found.add(operation.table)
    return found
