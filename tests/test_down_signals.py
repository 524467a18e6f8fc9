"""Down steps judged from the signals every system emits: drops that are never re-created,
data changes without a reverse, and down steps that cannot run."""

from __future__ import annotations

from harvester.migrations.schema import ops
from harvester.migrations.schema.downs import down_impacts
from harvester.model import ImpactTag


def _migration(
    up: tuple[ops.Operation, ...], down: tuple[ops.Operation, ...], broken: tuple[str, ...] = ()
) -> ops.ParsedMigration:
    return ops.ParsedMigration("m", "m.sql", ops.Step(up), ops.Step(down, broken=broken))


def test_a_drop_the_down_step_never_recreates_is_a_down_bug() -> None:
    impacts = down_impacts(
        _migration(
            (
                ops.DropColumn("invoices", "legacy_ref"),
                ops.CreateIndex(ops.IndexDef("invoices_code_idx", "invoices", ("code",))),
            ),
            (ops.DropIndex("invoices_code_idx"),),
        )
    )
    assert [(i.tag, i.detail) for i in impacts] == [
        (
            ImpactTag.DOWN_MIGRATION_BUG,
            "the down step does not undo the up step: it leaves column invoices.legacy_ref dropped",
        )
    ]


def test_a_drop_the_down_step_recreates_is_lossy_only() -> None:
    impacts = down_impacts(
        _migration(
            (ops.DropColumn("invoices", "legacy_ref"),),
            (ops.AddColumn("invoices", ops.ColumnDef("legacy_ref", "TEXT")),),
        )
    )
    assert [(i.tag, i.detail) for i in impacts] == [
        (
            ImpactTag.IRREVERSIBLE,
            "the down step can recreate invoices.legacy_ref but not the data the up step drops",
        )
    ]


def test_a_data_change_without_reverse_is_irreversible() -> None:
    backfill = ops.DataChange(
        ops.DataChangeKind.CODE,
        "shop_order",
        "fill(): loops over rows",
        reversible=False,
        columns=("status",),  # a column the rollback keeps
    )
    impacts = down_impacts(
        _migration(
            (ops.AddColumn("shop_order", ops.ColumnDef("badge_key", "varchar(40)")), backfill),
            (ops.DropColumn("shop_order", "badge_key"),),
        )
    )
    assert [i.tag for i in impacts] == [ImpactTag.IRREVERSIBLE]
    assert "fill(): loops over rows" in impacts[0].detail


def test_a_down_step_that_cannot_run_is_a_down_bug() -> None:
    impacts = down_impacts(
        _migration(
            (ops.AddColumn("t", ops.ColumnDef("c", "int")),),
            (ops.DropColumn("t", "c"), ops.DropConstraint("t", None)),
            broken=("line 9: op.drop_constraint(None, 't') cannot run",),
        )
    )
    assert [(i.tag, i.detail) for i in impacts] == [
        (
            ImpactTag.DOWN_MIGRATION_BUG,
            "the down step cannot run as written: line 9: op.drop_constraint(None, 't') cannot run",
        )
    ]
