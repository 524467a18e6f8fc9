"""Ecto migrations moved out of their `priv/<repo>/migrations` folder within the range."""

from __future__ import annotations

from dataclasses import replace

from harvester.gitsource.history import LogHistory
from harvester.gitsource.records import LoggedCommit, PathStat
from harvester.migrations.database import analyse_database
from tests.support.memory_view import MemoryView

MIGRATION = """defmodule Kennel.Repo.Migrations.CreateDogs do
  use Ecto.Migration

  def change do
    create table(:dogs) do
      add :name, :string
    end
  end
end
"""
OLD = "priv/repo/migrations/20240301090000_create_dogs.exs"


def _moved_in(sha: str, new: str) -> LogHistory:
    stat = PathStat(new, OLD, "R", 100, 0, 0, None, None, "100644", "100644")
    history = LogHistory(lambda shas: dict.fromkeys(shas, "v3"))
    history.record(LoggedCommit(sha, (), "a", "a@example.com", "2024-05-01", "move", "", (stat,)))
    history.complete()
    return history


def test_a_migration_moved_out_of_its_folder_keeps_its_release_before_the_range() -> None:
    """The move commit added the new path, not the migration: it shipped before the range."""
    new = "priv/repo/retired/20240301090000_create_dogs.exs"
    view = MemoryView({OLD: MIGRATION}, {new: MIGRATION})
    history = _moved_in("m1", new)
    view._changes = tuple(replace(c, history=history) for c in view._changes)
    (migration,) = analyse_database(view).migrations
    assert (migration.path, migration.change.value) == (OLD, "deleted")
    assert (migration.added_in, migration.first_tag) == (None, None)
    assert f"moved to {new}, outside priv/repo/migrations: no longer run" in migration.notes
