"""A column reads as its engine spells it: SQLite's AUTOINCREMENT is not MySQL's
AUTO_INCREMENT."""

from __future__ import annotations

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import describe, ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.model import ChangeKind

_ID = ops.ColumnDef("id", "INTEGER", nullable=False, primary_key=True, auto_increment=True)


def test_auto_increment_is_spelled_as_the_engine_spells_it() -> None:
    assert describe.column(_ID) == "id INTEGER NOT NULL AUTO_INCREMENT (PK)"
    assert describe.column(_ID, ops.Dialect.MYSQL) == "id INTEGER NOT NULL AUTO_INCREMENT (PK)"
    assert describe.column(_ID, ops.Dialect.SQLITE) == "id INTEGER NOT NULL AUTOINCREMENT (PK)"


def test_a_created_sqlite_table_lists_autoincrement() -> None:
    create = ops.CreateTable("device", (_ID, ops.ColumnDef("name", "TEXT")))
    parsed = ops.ParsedMigration("1_devices", "m/1_devices.sql", ops.Step((create,)))
    item = MigrationInput(
        id="1_devices",
        path="m/1_devices.sql",
        system="sql",
        dialect=ops.Dialect.SQLITE,
        change=ChangeKind.ADDED,
        released=False,
        parsed=parsed,
    )
    [migration] = assemble([item], AnalysisSettings())
    assert migration.created_table_columns == {
        "device": ("id INTEGER NOT NULL AUTOINCREMENT (PK)", "name TEXT")
    }
