"""Data-impact rules: which operations deserve a reviewer's eye, on which engines, and why.

Rules are anchored in Squawk's rules, Atlas `migrate lint` analyzers and strong_migrations
checks; each rule names its anchors in a comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import ops
from harvester.model import Impact, ImpactTag


@dataclass
class RangeState:
    """What the range's earlier migrations of one system and dialect did."""

    created_tables: set[str] = field(default_factory=set)

    def observe(self, parsed: ops.ParsedMigration) -> None:
        """Remember what `parsed` created, for the migrations that follow it."""
        for operation in parsed.up.operations:
            if isinstance(operation, ops.CreateTable):
                self.created_tables.add(operation.table)


def evaluate(
    parsed: ops.ParsedMigration,
    dialect: ops.Dialect | None,
    state: RangeState,
    settings: AnalysisSettings,
) -> Iterator[Impact]:
    """The data-impact tags of one migration, worst first."""
    for operation in parsed.up.operations:
        match operation:
            case ops.DropTable(table=table):
                yield Impact(ImpactTag.DESTRUCTIVE_DROP_TABLE, f"drops table {table}: data lost")
            case ops.DropColumn(table=table, column=column):
                yield Impact(
                    ImpactTag.DESTRUCTIVE_DROP_COLUMN, f"drops column {table}.{column}: data lost"
                )
            case ops.DataChange(table=table, detail=detail):
                yield Impact(ImpactTag.DATA_BACKFILL, detail or f"changes rows of {table}")
            case ops.Opaque(summary=summary, raw=True):
                yield Impact(ImpactTag.RAW_SQL, f"not analysed: {summary}")
            case _:
                pass
