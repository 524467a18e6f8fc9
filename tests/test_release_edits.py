"""Migrations edited after the release that first shipped them, judged on what they run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harvester.analysis.release_edits import edited_after_release
from harvester.model import ChangeKind, Database, ImpactTag, Migration


def _edited(
    path: str, shipped: str, now: str, dialect: str | None = "postgresql", system: str = "sql"
) -> bool:
    migration = Migration(
        id="m", system=system, dialect=dialect, path=path, down_path=None,
        change=ChangeKind.ADDED, order=1, released=False, first_tag="v1.1",
    )  # fmt: skip
    texts = {f"v1.1:{path}": shipped.encode(), f"head:{path}": now.encode()}

    def read(specs: Iterable[str]) -> Mapping[str, bytes | None]:
        return {s: texts.get(s) for s in specs}

    database = edited_after_release(Database(migrations=(migration,)), read, "v1.2", "head")
    (result,) = database.migrations
    return any(i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION for i in result.data_impact)


def test_a_licence_header_added_to_a_shipped_sql_migration_is_no_edit() -> None:
    body = "CREATE TABLE delayed (id BIGINT); /* the queue */\n"
    header = "--\n-- Copyright (C) 2024 Example\n-- Licensed under the AGPL\n--\n\n"
    assert not _edited("delta/88/01_add.sql", body, header + body.replace("queue */", "rows */"))
    assert not _edited("delta/88/02_idx.sql.postgres", "-- old\nSELECT 1;\n", "-- new\nSELECT 1;")


def test_a_changed_statement_in_a_shipped_sql_migration_is_an_edit() -> None:
    assert _edited(
        "delta/88/01_add.sql", "-- x\nCREATE INDEX a ON t (b);", "CREATE INDEX a ON t (c);"
    )
    # a string that looks like a comment is data
    assert _edited(
        "m/1_seed.sql", "INSERT INTO t VALUES ('-- a');", "INSERT INTO t VALUES ('-- b');"
    )


def test_a_moved_tool_directive_is_an_edit() -> None:
    shipped = "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n"
    now = "-- +goose Up\nCREATE TABLE a (id int);\nDROP TABLE a;\n-- +goose Down\n"
    assert _edited("db/1_a.sql", shipped, now)


def test_code_migrations_compare_their_syntax_trees() -> None:
    assert not _edited("app/migrations/0002_x.py", "x = 1  # one\n", "# header\nx = 1\n", None)
    assert _edited("app/migrations/0002_x.py", "x = 1\n", "x = 2\n", None)
    assert not _edited(
        "db/migrate/2024_x.rb", "# a\nadd_index :t, :c\n", "add_index(:t, :c)\n", None
    )
    assert _edited("db/migrate/2024_x.rb", "add_index :t, :c\n", "add_index :t, :d\n", None)


_RAILS_SHIPPED = """class AddOwnerToLists < ActiveRecord::Migration
  def change
    add_column :lists, :owner_id, :integer, :default => nil
    add_index :lists, [:owner_id, :name]
  end
end
"""

_RAILS_RESTYLED = """# frozen_string_literal: true

class AddOwnerToLists < ActiveRecord::Migration[4.2]
  def change
    add_column :lists, :owner_id, :integer, default: nil
    add_index :lists, %i[owner_id name]
  end
end
"""


def test_a_rails_migration_restyled_after_it_shipped_is_no_edit() -> None:
    path = "db/migrate/20131207033244_add_owner_to_lists.rb"
    assert not _edited(path, _RAILS_SHIPPED, _RAILS_RESTYLED, system="rails")
    changed = _RAILS_RESTYLED.replace("%i[owner_id name]", "%i[owner_id]")
    assert _edited(path, _RAILS_SHIPPED, changed, system="rails")
    assert _edited(path, _RAILS_SHIPPED, _RAILS_RESTYLED.replace("[4.2]", "[7.1]"), system="rails")


_ECTO = """defmodule Shop.Repo.Migrations.MarkOrders do
  use Ecto.Migration
{aliases}
  def change do
    repo().query!("UPDATE orders SET kind = 'retail'")
  end
end
"""


def test_unused_ecto_aliases_added_or_removed_are_no_edit() -> None:
    path = "priv/repo/migrations/20250101000000_mark_orders.exs"
    unused = "  alias Shop.Orders.Order\n  alias Shop.Repo\n  require Logger\n"
    bare = _ECTO.format(aliases="")
    assert not _edited(path, _ECTO.format(aliases=unused), bare, system="ecto")
    # an alias the code uses changes what the code names
    used = _ECTO.format(aliases="  alias Shop.Repo\n").replace("repo()", "Repo")
    assert _edited(path, used, used.replace("  alias Shop.Repo\n", ""), system="ecto")


def test_an_ecto_formatter_pass_is_no_edit() -> None:
    """Styler adds `@moduledoc false` and renames `Logger.warn` to `Logger.warning`."""
    path = "priv/repo/migrations/20250101000000_mark_orders.exs"
    shipped = _ECTO.format(aliases="  require Logger\n").replace(
        "  def change do\n", '  def change do\n    Logger.warn("marking")\n'
    )
    now = shipped.replace("use Ecto", "@moduledoc false\n  use Ecto").replace("warn(", "warning(")
    assert not _edited(path, shipped, now, system="ecto")
    assert _edited(path, shipped, now.replace("'retail'", "'trade'"), system="ecto")


def test_migrations_of_separate_trees_are_not_ordered_against_each_other() -> None:
    from harvester.analysis.release_edits import released_out_of_order
    from harvester.model import DatabaseSystem

    def shipped(path: str, order: int, tag: str) -> Migration:
        return Migration(
            id=path.rsplit("/", 1)[-1], system="sql", dialect="postgresql", path=path,
            down_path=None, change=ChangeKind.ADDED, order=order, released=False, first_tag=tag,
        )  # fmt: skip

    systems = tuple(
        DatabaseSystem("sql", "postgresql", root) for root in ("db/tenant", "db/control")
    )
    migrations = (
        shipped("db/control/0018-b.sql", 1, "v1.8"),
        shipped("db/tenant/0036-x.sql", 1, "v1.2"),
        shipped("db/tenant/0039-late.sql", 2, "v1.4"),
        shipped("db/tenant/0040-y.sql", 3, "v1.3"),
    )
    database = released_out_of_order(Database(systems, migrations))
    flagged = [
        m.path
        for m in database.migrations
        if any(i.tag is ImpactTag.OUT_OF_ORDER for i in m.data_impact)
    ]
    assert flagged == ["db/tenant/0039-late.sql"]


def test_a_migration_moved_to_another_folder_after_it_shipped_is_read_where_it_shipped() -> None:
    """ichnaea moved `alembic/versions/` into its package, then rewrote a shipped revision's
    down_revision when it squashed the revisions before it."""
    path = "app/alembic/versions/1b2c_extend.py"
    migration = Migration(
        id="1b2c", system="alembic", dialect="mysql", path=path, down_path=None,
        change=ChangeKind.ADDED, order=1, released=False, first_tag="v1.1",
    )  # fmt: skip
    shipped = "revision = '1b2c'\ndown_revision = '6e00'\n"
    texts = {
        "v1.1:alembic/versions/1b2c_extend.py": shipped.encode(),
        f"head:{path}": shipped.replace("6e00", "0000").encode(),
    }

    def moves(p: str) -> list[str]:
        return [p, "alembic/versions/1b2c_extend.py"] if p == path else [p]

    def read(specs: Iterable[str]) -> Mapping[str, bytes | None]:
        return {s: texts.get(s) for s in specs}

    def flagged(database: Database) -> bool:
        (result,) = database.migrations
        return any(i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION for i in result.data_impact)

    database = Database(migrations=(migration,))
    assert flagged(edited_after_release(database, read, "v1.2", "head", moves))
    texts[f"head:{path}"] = shipped.encode()  # moved, not edited
    assert not flagged(edited_after_release(database, read, "v1.2", "head", moves))


def test_a_commit_changing_only_the_layout_of_a_migration_is_a_format_only_edit() -> None:
    from harvester.analysis.release_edits import format_only_edits
    from harvester.gitsource.records import LoggedCommit, PathStat

    path = "app/migrations/0001_x.py"
    migration = Migration(
        id="m", system="django", dialect=None, path=path, down_path=None,
        change=ChangeKind.MODIFIED, order=1, released=True,
    )  # fmt: skip
    blobs = {"a": b"x = {'k': 1}\n", "b": b'x = {"k": 1}  # quotes\n', "c": b'x = {"k": 2}\n'}

    def commit(sha: str, old: str, new: str) -> LoggedCommit:
        stat = PathStat(path, None, "M", None, 1, 1, old, new, "100644", "100644")
        return LoggedCommit(sha, ("p",), "Dev", "d@example.com", "2024", "s", "", (stat,))

    def read(specs: Iterable[str]) -> Mapping[str, bytes | None]:
        return {s: blobs.get(s) for s in specs}

    found = format_only_edits(
        [commit("q", "a", "b"), commit("e", "b", "c")], {path: migration}, read
    )
    assert found == {("q", path)}
