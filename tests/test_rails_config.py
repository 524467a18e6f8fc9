"""Which database a Rails app's migrations run on, read from database.yml or the Gemfile."""

from __future__ import annotations

from harvester.migrations.rails import config
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

MULTI = """default: &default
  adapter: <%= ENV.fetch("DB_ADAPTER") { "postgresql" } %>
  pool: 5

sqlite: &sqlite
  adapter: sqlite3

production:
  primary:
    <<: *default
    database: app
  queue:
    <<: *sqlite
    database: storage/queue.sqlite3
    migrations_paths: db/queue_migrate
"""


def test_database_yml_anchors_erb_and_migrations_paths() -> None:
    assert config.from_database_yml(MULTI, "db/migrate") is Dialect.POSTGRESQL
    assert config.from_database_yml(MULTI, "db/queue_migrate") is Dialect.SQLITE


def test_gemfile_fallback_and_engines() -> None:
    view = MemoryView(
        {},
        {
            "Gemfile": 'source "https://rubygems.org"\ngem "rails"\ngem "mysql2", "~> 0.5"\n',
            "engines/billing/db/migrate/1_a.rb": "",
        },
    )
    assert config.dialect_for("engines/billing/db/migrate", view) is Dialect.MYSQL
    sample = MemoryView({}, {"config/database.yml.sample": "production:\n  adapter: trilogy\n"})
    assert config.dialect_for("db/migrate", sample) is Dialect.MYSQL


def test_several_drivers_leave_the_dialect_unknown() -> None:
    assert config.from_gemfile('gem "pg"\ngem "sqlite3"\n') is None
