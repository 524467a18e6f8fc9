"""Migrations a release of the range shipped and a later commit removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harvester.analysis.removed_migrations import shipped_then_removed
from harvester.model import ChangeKind, Database, DatabaseSystem, SchemaSnapshot


def _releases(shas: Sequence[str]) -> Mapping[str, str | None]:
    return {sha: {"a1": "v1.1", "d1": "v1.2"}.get(sha) for sha in shas}


def test_a_file_of_a_folder_read_as_a_snapshot_is_no_removed_migration() -> None:
    root = "db/clickhouse_migrate/cloud"
    database = Database(
        systems=(DatabaseSystem("sql", "clickhouse", root),),
        snapshots=(SchemaSnapshot(root, "sql", ChangeKind.MODIFIED, ("reference SQL",)),),
    )
    removed = {f"{root}/06_events_aggregated.sql": ("a1", "d1")}
    result = shipped_then_removed(database, removed, lambda p: True, _releases)
    assert result.findings == ()
    elsewhere = {"db/migrations/06_events_aggregated.sql": ("a1", "d1")}
    (finding,) = shipped_then_removed(database, elsewhere, lambda p: True, _releases).findings
    assert "v1.1" in finding.detail
