"""Mitigations: what earlier statements of the migration, or of the same release, make safe."""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.schema.assemble import assemble
from harvester.migrations.schema.ops import Dialect
from harvester.model import Migration
from tests.support.judging import migration_input, tags

PG = Dialect.POSTGRESQL


def test_a_backfill_shipped_in_an_earlier_release_does_not_mitigate_set_not_null() -> None:
    fill = migration_input("0001", "UPDATE plans SET owner_id = 'x' WHERE owner_id IS NULL;", PG)
    require = migration_input("0002", "ALTER TABLE plans ALTER COLUMN owner_id SET NOT NULL;", PG)

    def judged(first: str | None, second: str | None) -> Migration:
        return assemble(
            [replace(fill, first_release=first), replace(require, first_release=second)]
        )[-1]

    # Between the releases the previous code may write NULLs again.
    assert tags(judged("v1.1", "v1.2")) == ["not_null_on_existing_column"]
    assert tags(judged("v1.2", "v1.2")) == ["not_null_on_existing_column", "mitigated"]
    assert tags(judged(None, None)) == ["not_null_on_existing_column", "mitigated"]
