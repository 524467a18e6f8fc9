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


def test_several_server_drivers_leave_the_dialect_unknown() -> None:
    assert config.from_gemfile('gem "pg"\ngem "mysql2"\n') is None


def test_sqlite_beside_one_server_engine_is_judged_for_the_server() -> None:
    assert config.from_gemfile('gem "sqlite3"\ngem "trilogy"\n') is Dialect.MYSQL
    switch = (
        '<%\n  path = File.join("config", "database.#{App.db_adapter}.yml")\n%>\n'
        "<%= ERB.new(File.read(path)).result %>\n"
    )
    view = MemoryView(
        {},
        {
            "Gemfile": 'gem "sqlite3"\ngem "trilogy"\n',
            "config/database.yml": switch,
            "config/database.mysql.yml": "default: &default\n  adapter: trilogy\n",
            "config/database.sqlite.yml": "default: &default\n  adapter: sqlite3\n",
            "db/migrate/1_a.rb": "",
        },
    )
    assert config.dialect_for("db/migrate", view) is Dialect.MYSQL


def test_an_engine_switch_in_the_range_is_one_finding() -> None:
    from harvester.migrations.database import analyse_database
    from harvester.model import ImpactTag

    step = (
        "class AddNote < ActiveRecord::Migration[7.1]\n"
        "  def change\n    add_column :tags, :note, :text\n  end\nend\n"
    )
    base = {
        "config/database.yml.sample": "production:\n  adapter: trilogy\n",
        "db/migrate/20240101000000_create_tags.rb": step.replace("AddNote", "CreateTags"),
    }
    head = {
        "config/database.yml.sample": "production:\n  adapter: sqlite3\n",
        "db/migrate/20240101000000_create_tags.rb": step.replace("AddNote", "CreateTags"),
        "db/migrate/20240201000000_add_note.rb": step,
        "db/queue_migrate/20240201000000_add_queue.rb": step.replace("AddNote", "AddQueue"),
    }
    findings = analyse_database(MemoryView(base, head)).findings
    switches = [f for f in findings if "engine changes" in f.detail]
    assert [(f.tag, f.detail.split(";")[0]) for f in switches] == [
        (
            ImpactTag.BACKWARD_INCOMPATIBLE,
            "the database engine changes in this range: mysql at the base, sqlite at the head "
            "(config/database.yml, Gemfile)",
        )
    ]
    kept = {**head, "config/database.yml.sample": base["config/database.yml.sample"]}
    same = analyse_database(MemoryView(base, kept))
    assert not [f for f in same.findings if "engine changes" in f.detail]


AMBIGUOUS_GEMFILE = 'gem "rails"\ngroup :mysql do\n  gem "mysql2"\nend\ngem "pg"\ngem "sqlite3"\n'


def test_a_database_yml_template_names_the_adapter() -> None:
    view = MemoryView(
        {},
        {
            "Gemfile": AMBIGUOUS_GEMFILE,
            "config/database.yml.tmpl": "production:\n  adapter: mysql2\n  database: app\n",
            "config/database.docker.yml": "production:\n  adapter: <%= ENV['DB'] %>\n",
            "db/migrate/1_a.rb": "",
        },
    )
    assert config.dialect_for("db/migrate", view) is Dialect.MYSQL


def test_templates_that_disagree_leave_the_dialect_unknown() -> None:
    view = MemoryView(
        {},
        {
            "config/database.yml.mysql": "production:\n  adapter: mysql2\n",
            "config/database.yml.postgresql": "production:\n  adapter: postgresql\n",
            "db/migrate/1_a.rb": "",
        },
    )
    assert config.dialect_for("db/migrate", view) is None


def test_the_schema_file_tells_the_engine_it_was_dumped_from() -> None:
    innodb = (
        "ActiveRecord::Schema.define(version: 2020_01_01_000000) do\n"
        '  create_table "todos", options: "ENGINE=InnoDB DEFAULT CHARSET=utf8" do |t|\n'
        "  end\nend\n"
    )
    plpgsql = 'ActiveRecord::Schema[7.1].define(version: 1) do\n  enable_extension "plpgsql"\nend\n'
    for schema, dialect in ((innodb, Dialect.MYSQL), (plpgsql, Dialect.POSTGRESQL)):
        view = MemoryView(
            {}, {"Gemfile": AMBIGUOUS_GEMFILE, "db/schema.rb": schema, "db/migrate/1_a.rb": ""}
        )
        assert config.dialect_for("db/migrate", view) is dialect


def test_data_migrates_version_file_is_not_a_schema_snapshot() -> None:
    from harvester.migrations.rails import snapshot

    assert snapshot.migrations_folder_of("db/data_schema.rb") is None
    assert snapshot.migrations_folder_of("db/queue_schema.rb") == "db/queue_migrate"
    assert snapshot.migrations_folder_of("db/data_structure.sql") == "db/data_migrate"
