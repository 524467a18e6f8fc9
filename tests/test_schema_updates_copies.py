"""Schema Updates list a migration copied into two trees of one database once."""

from __future__ import annotations

from pathlib import Path

from harvester.migrations.database import analyse_database
from harvester.render.database_view import schema_updates
from tests.support.memory_view import MemoryView

_CASE = Path(__file__).parent / "fixtures" / "migrations" / "golang-migrate" / "driver_copies"


def test_a_migration_in_two_driver_folders_is_listed_once() -> None:
    lines = [str(line) for line in schema_updates(analyse_database(MemoryView.from_folder(_CASE)))]
    dedupe = [line for line in lines if "queue_job_dedupe_idx" in line]
    assert len(dedupe) == 1
