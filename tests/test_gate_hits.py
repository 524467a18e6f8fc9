"""The --fail-on gate names each migration once, with how often it carries the tag."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harvester.model import ChangeKind, Database, Impact, ImpactTag, Migration
from harvester.writer import gate_hits


def test_a_migration_carrying_a_gated_tag_several_times_is_named_once() -> None:
    deletes = tuple(Impact(ImpactTag.DATA_DELETE, f"DELETE FROM t{n}") for n in range(3))
    migration = Migration(
        id="0013_purge", system="django", dialect="postgresql", path="app/migrations/0013.py",
        down_path=None, change=ChangeKind.ADDED, order=1, released=False, data_impact=deletes,
    )  # fmt: skip
    report: Any = SimpleNamespace(database=Database(migrations=(migration,)))
    assert gate_hits(report, ("data_delete",)) == ["0013_purge (data_delete ×3)"]
