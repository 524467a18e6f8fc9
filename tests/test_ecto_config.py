"""Which database an Ecto repo's migrations run on, read from the app's source."""

from __future__ import annotations

from harvester.migrations.ecto import config
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

REPO = """defmodule Shop.Repo do
  use Ecto.Repo,
    otp_app: :shop,
    adapter: Ecto.Adapters.Postgres
end
"""
EVENTS_REPO = """defmodule Shop.EventsRepo do
  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.ClickHouse
end
"""


def view(files: dict[str, str]) -> MemoryView:
    return MemoryView({}, files)


def test_repo_module_adapter() -> None:
    files = {"lib/shop/repo.ex": REPO, "lib/shop/events_repo.ex": EVENTS_REPO}
    assert config.dialect_for("priv/repo/migrations", view(files)) is Dialect.POSTGRESQL
    assert config.dialect_for("priv/events_repo/migrations", view(files)) is Dialect.CLICKHOUSE


def test_priv_folder_from_config() -> None:
    files = {
        "lib/shop/repo.ex": REPO,
        "lib/shop/events_repo.ex": EVENTS_REPO,
        "config/config.exs": 'import Config\nconfig :shop, Shop.EventsRepo, priv: "priv/ch"\n',
    }
    assert config.dialect_for("priv/ch/migrations", view(files)) is Dialect.CLICKHOUSE


def test_umbrella_app_and_mix_fallback() -> None:
    files = {
        "apps/core/lib/core/repo.ex": REPO.replace("Postgres", "MyXQL"),
        "apps/web/mix.exs": 'defp deps, do: [{:phoenix, "~> 1.7"}]\n',
    }
    assert config.dialect_for("apps/core/priv/repo/migrations", view(files)) is Dialect.MYSQL
    mix_only = {"mix.exs": 'defp deps do\n  [{:ecto_sqlite3, "~> 0.12"}]\nend\n'}
    assert config.dialect_for("priv/repo/migrations", view(mix_only)) is Dialect.SQLITE


def test_unknown_without_any_hint() -> None:
    assert config.dialect_for("priv/repo/migrations", view({"README.md": "hi"})) is None


def test_migrations_compiled_with_the_app_are_found_and_configured_roots_read() -> None:
    from harvester.migrations.base import AnalysisSettings, MigrationRoot
    from harvester.migrations.database import analyse_database

    migration = """defmodule Shop.Tenants.Migrations.AddNotes do
  use Ecto.Migration

  def change do
    alter table(:notes) do
      add :pinned, :boolean, null: false
    end
  end
end
"""
    base = {"lib/shop/repo.ex": REPO}
    head = {
        **base,
        "lib/shop/tenants/repo/migrations/20240105120000_add_notes.ex": migration,
        "lib/shop/tenants/migrations.ex": "defmodule Shop.Tenants.Migrations do\nend\n",
        "tenant/migrations/20240106120000_add_notes.ex": migration,
    }
    found = analyse_database(MemoryView(base, head))
    assert [(m.path, m.columns_added) for m in found.migrations] == [
        (
            "lib/shop/tenants/repo/migrations/20240105120000_add_notes.ex",
            ("notes.pinned BOOLEAN NOT NULL",),
        )
    ]
    root = MigrationRoot("ecto", "tenant/migrations")
    configured = analyse_database(MemoryView(base, head), AnalysisSettings(extra_roots=(root,)))
    assert "tenant/migrations/20240106120000_add_notes.ex" in {
        m.path for m in configured.migrations
    }
