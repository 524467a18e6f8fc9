"""Many migrations merged behind the newest released one (a long-lived branch) are one
out_of_order finding, not one per migration."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.model import ImpactTag
from tests.support.memory_view import MemoryView


def _late(base: dict[str, str], head: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
    database = analyse_database(MemoryView(base, head))
    return [(f.detail, f.paths) for f in database.findings if f.tag is ImpactTag.OUT_OF_ORDER]


def test_rails_migrations_older_than_the_base_fold_from_three() -> None:
    folder = "db/migrate"
    body = "class X < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"
    base = {f"{folder}/20240601000000_newest.rb": body}
    late = [f"{folder}/2024010{day}000000_branch_{day}.rb" for day in (1, 2, 3)]
    assert _late(base, {**base, **dict.fromkeys(late, body)}) == [
        (
            "3 migrations in db/migrate have versions older than 20240601000000 already at the "
            "base (20240101000000, 20240102000000, 20240103000000): databases migrated to the "
            "base run them after newer migrations, and a fresh database runs them before",
            tuple(late),
        )
    ]
    (one,) = _late(base, {**base, late[0]: body})
    assert one[0].startswith(f"{late[0]} has version 20240101000000, older than")


def test_sql_folder_migrations_sorting_before_the_base_fold_from_three() -> None:
    folder = "db/migrations"
    base = {f"{folder}/000010_newest.up.sql": "CREATE TABLE a (id int);\n"}
    late = {f"{folder}/00000{n}_branch.up.sql": f"CREATE TABLE b{n} (id int);\n" for n in (1, 2, 3)}
    ((detail, paths),) = _late(base, {**base, **late})
    assert detail.startswith(
        "golang-migrate: 3 migrations sort before 000010_newest, which is already at the base "
        "(000001_branch, 000002_branch, 000003_branch): "
    )
    assert paths == tuple(late)
