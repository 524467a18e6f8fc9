"""Numbered SQL inside a folder of code migrations: reference DDL unless a migration runs it."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.migrations.sql_layouts.reference import code_migrations_above
from tests.support.memory_view import MemoryView

_RUBY = "class CreateHits < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"
_RUNS_IT = (
    "class CreateHits < ActiveRecord::Migration[7.1]\n  def up\n"
    '    execute File.read(Rails.root.join("db/events_migrate/cloud/01_hits.sql"))\n'
    "  end\nend\n"
)
_SQL = "CREATE TABLE hits (id Int64) ENGINE = MergeTree ORDER BY id"


def test_sql_beside_code_migrations_that_never_name_it_is_reference() -> None:
    base = {
        "db/events_migrate/20240101000000_create_hits.rb": _RUBY,
        "db/events_migrate/cloud/01_hits.sql": _SQL,
    }
    head = {**base, "db/events_migrate/cloud/01_hits.sql": _SQL + " SETTINGS a = 1"}
    view = MemoryView(base, head)
    assert code_migrations_above(view, "db/events_migrate/cloud") == "db/events_migrate"
    database = analyse_database(view)
    assert [m.path for m in database.migrations if "/cloud/" in m.path] == []
    assert any("reference SQL" in s.changes[0] for s in database.snapshots)


def test_sql_a_code_migration_runs_is_not_reference() -> None:
    files = {
        "db/events_migrate/20240101000000_create_hits.rb": _RUNS_IT,
        "db/events_migrate/cloud/01_hits.sql": _SQL,
    }
    assert code_migrations_above(MemoryView(files, files), "db/events_migrate/cloud") is None
