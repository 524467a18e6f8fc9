"""Rule details say what the engine really does for the system that wrote the migration."""

from __future__ import annotations

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import ops
from harvester.migrations.schema.rules import RangeState, assess
from harvester.model import ImpactTag


def _impacts(*operations: ops.Operation, dialect: ops.Dialect) -> list[tuple[ImpactTag, str]]:
    parsed = ops.ParsedMigration("m", "m", ops.Step(operations))
    result = assess(parsed, dialect, RangeState(), AnalysisSettings())
    return [(i.tag, i.detail) for i in result.impacts]


def test_sqlite_not_null_column_added_by_copying_fails_only_with_rows() -> None:
    column = ops.ColumnDef("state", "varchar", nullable=False)
    rebuilt = _impacts(
        ops.AddColumn("orders", column),
        ops.RebuildTable("orders", "copy and rename"),
        dialect=ops.Dialect.SQLITE,
    )
    assert (
        ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
        "adds orders.state NOT NULL without a default: orders is rebuilt by copying, and "
        "copying its rows fails on the NULL state; only an empty table passes",
    ) in rebuilt
    plain = _impacts(ops.AddColumn("orders", column), dialect=ops.Dialect.SQLITE)
    assert plain == [
        (
            ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
            "adds orders.state NOT NULL without a default: SQLite refuses this even on an empty "
            "table",
        )
    ]


def test_sqlite_not_null_column_added_by_copying_a_table_made_here_is_no_risk() -> None:
    # Django on SQLite: CreateModel, then AddField of a foreign key NOT NULL, one migration
    column = ops.ColumnDef("target_id", "integer", nullable=False)
    impacts = _impacts(
        ops.CreateTable("page_log", (ops.ColumnDef("id", "integer"),)),
        ops.AddColumn("page_log", column),
        ops.RebuildTable("page_log", "copy and rename"),
        dialect=ops.Dialect.SQLITE,
    )
    assert all(tag is not ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT for tag, _ in impacts)


def test_sqlite_rebuild_check_on_a_new_column_says_what_rows_hold() -> None:
    # Django on SQLite: AddField PositiveIntegerField(default=1) rebuilds with its CHECK
    check = ops.Constraint(
        ops.ConstraintKind.CHECK, "max_choices_check", ("max_choices",), "max_choices >= 0"
    )
    impacts = _impacts(
        ops.AddColumn("attribute", ops.ColumnDef("max_choices", "integer", default="1")),
        ops.AddConstraint("attribute", check),
        ops.RebuildTable("attribute", "copy and rename", applies_alters=True),
        dialect=ops.Dialect.SQLITE,
    )
    (detail,) = [d for tag, d in impacts if tag is ImpactTag.CHECK_CONSTRAINT_VALIDATED]
    assert detail.endswith(
        "the rebuild copies every row into the new table and the column is new, so rows hold "
        "its default 1"
    )


def test_a_dropped_constraint_without_a_name_is_called_unnamed() -> None:
    # Django: unique=True -> False drops the constraint the database named
    dropped = ops.DropConstraint("cms_page", None, ops.ConstraintKind.UNIQUE)
    parsed = ops.ParsedMigration("m", "m", ops.Step((dropped,)))
    result = assess(parsed, ops.Dialect.POSTGRESQL, RangeState(), AnalysisSettings())
    assert "drops an unnamed UNIQUE constraint on cms_page" in result.notes


def test_a_default_set_again_is_not_backward_incompatible() -> None:
    impacts = _impacts(
        ops.DropDefault("channel", "currency"),
        ops.SetDefault("channel", "currency", "'USD'"),
        dialect=ops.Dialect.POSTGRESQL,
    )
    assert all(tag is not ImpactTag.BACKWARD_INCOMPATIBLE for tag, _ in impacts)


def test_a_column_added_if_not_exists_may_already_hold_data() -> None:
    def unique_after(added: ops.AddColumn) -> list[ImpactTag]:
        state = RangeState()
        state.apply(added, "0001_add_abi")
        index = ops.IndexDef("versions_abi", "versions", ("abi",), unique=True)
        parsed = ops.ParsedMigration("0002", "0002", ops.Step((ops.CreateIndex(index),)))
        return [
            i.tag for i in assess(parsed, ops.Dialect.POSTGRESQL, state, AnalysisSettings()).impacts
        ]

    column = ops.ColumnDef("abi", "varchar")
    # a column the range added holds only NULLs, which never collide
    assert ImpactTag.UNIQUE_ON_EXISTING_DATA not in unique_after(ops.AddColumn("versions", column))
    # one added "if not exists" may have been there all along, with values
    assert ImpactTag.UNIQUE_ON_EXISTING_DATA in unique_after(
        ops.AddColumn("versions", column, if_not_exists=True)
    )


def test_a_default_evaluated_once_is_not_called_constant() -> None:
    def notes(default: str) -> tuple[str, ...]:
        column = ops.ColumnDef("seen_at", "timestamptz", default=default)
        parsed = ops.ParsedMigration("m", "m", ops.Step((ops.AddColumn("events", column),)))
        return assess(parsed, ops.Dialect.POSTGRESQL, RangeState(), AnalysisSettings()).notes

    assert notes("CURRENT_TIMESTAMP") == (
        "adds events.seen_at with DEFAULT CURRENT_TIMESTAMP: metadata only on PostgreSQL 11+, "
        "and every existing row reads the time of the migration",
    )
    assert notes("'1970-01-01'") == (
        "adds events.seen_at with a constant default: metadata only on PostgreSQL 11+",
    )


def test_a_nulls_not_distinct_key_on_a_new_empty_column_can_collide() -> None:
    # rows that all hold NULL in a new column collide under NULLS NOT DISTINCT
    column = ops.ColumnDef("contract_id", "integer")
    for equal_nulls, expected in (
        (False, ImpactTag.MITIGATED),
        (True, ImpactTag.UNIQUE_ON_EXISTING_DATA),
    ):
        key = ops.Constraint(
            ops.ConstraintKind.UNIQUE, "one_run", ("contract_id",), nulls_not_distinct=equal_nulls
        )
        impacts = _impacts(
            ops.AddColumn("runs", column),
            ops.AddConstraint("runs", key),
            dialect=ops.Dialect.POSTGRESQL,
        )
        assert expected in [tag for tag, _ in impacts], equal_nulls
