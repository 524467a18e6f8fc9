"""Atlas projects: the desired-state SQL beside the migration directory is a snapshot."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.migrations.sql_layouts.atlas import desired_state
from tests.support.memory_view import MemoryView

_TABLE = "CREATE TABLE events (id Int64) ENGINE = MergeTree() ORDER BY id;\n"
_WIDER = "CREATE TABLE events (id Int64, name String) ENGINE = MergeTree() ORDER BY id;\n"


def test_a_folder_atlas_hcl_names_as_its_source_is_not_a_migration_tree() -> None:
    config = (
        'env "dev" {\n  src = "file://db/sql"\n'
        '  migration {\n    dir = "file://db/migrations"\n  }\n}\n'
    )
    base = {
        "atlas.hcl": config,
        "db/migrations/20240101000000.sql": _TABLE,
        "db/sql/001_events.sql": _TABLE,
    }
    head = {**base, "db/sql/001_events.sql": _WIDER}
    view = MemoryView(base, head)
    assert desired_state(view, "db/sql")
    assert not desired_state(view, "db/migrations")
    database = analyse_database(view)
    assert database.migrations == ()
    assert database.findings == ()
    (snapshot,) = database.snapshots
    assert snapshot.path == "db/sql"
    assert snapshot.changes[1:] == ("table events: +name String",)


def test_trees_that_each_hold_atlas_sum_are_both_migration_trees() -> None:
    base = {
        "db/migrations/20240101000000.sql": _TABLE,
        "db/migrations/atlas.sum": "h1:a=\n",
        "db/schema/20240101000000.sql": _TABLE,
        "db/schema/atlas.sum": "h1:b=\n",
    }
    view = MemoryView(base, base)
    assert not desired_state(view, "db/schema")
