"""Ecto.Migration calls become the exact schema operations Ecto's adapters run."""

from __future__ import annotations

from harvester.migrations.ecto.migration import read_migration
from harvester.migrations.schema import describe, ops
from harvester.migrations.schema.ops import Dialect

PG = Dialect.POSTGRESQL
FK = ops.ConstraintKind.FOREIGN_KEY


def read(body: str, *, dialect: Dialect | None = PG, head: str = "") -> ops.ParsedMigration:
    """The parsed migration of a `change/0` body (or whole functions when `body` has `def`)."""
    functions = body if "def " in body else f"  def change do\n{body}\n  end"
    text = f"defmodule MyApp.Repo.Migrations.M do\n  use Ecto.Migration\n{head}\n{functions}\nend\n"
    reading = read_migration(
        text, "priv/repo/migrations/20250101000000_m.exs", "20250101000000", dialect
    )
    assert reading.problem is None, reading.problem
    assert reading.parsed is not None
    return reading.parsed


def up(body: str, **kwargs: object) -> tuple[ops.Operation, ...]:
    return read(body, **kwargs).up.operations  # type: ignore[arg-type]


def test_create_table_with_references_and_timestamps() -> None:
    found = up(
        """
    create table(:comments) do
      add :post_id, references(:posts, on_delete: :delete_all), null: false
      add :body, :text
      add :tags, {:array, :string}, default: []
      timestamps(type: :utc_datetime_usec)
    end"""
    )
    fk = ops.ForeignKey(
        ("post_id",), "posts", ("id",), on_delete="CASCADE", name="comments_post_id_fkey"
    )
    assert found == (
        ops.CreateTable(
            "comments",
            (
                ops.ColumnDef("id", "BIGSERIAL", primary_key=True),
                ops.ColumnDef("post_id", "BIGINT", nullable=False),
                ops.ColumnDef("body", "TEXT"),
                ops.ColumnDef("tags", "VARCHAR(255)[]", default="'{}'"),
                ops.ColumnDef("inserted_at", "TIMESTAMP", nullable=False),
                ops.ColumnDef("updated_at", "TIMESTAMP", nullable=False),
            ),
            (ops.Constraint(FK, "comments_post_id_fkey", foreign_key=fk),),
        ),
    )
    parsed = read("    create table(:comments) do\n      add :body, :text\n    end")
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropTable("comments"),)


def test_explicit_primary_key_and_default_timestamps() -> None:
    (table,) = up(
        """
    create table(:devices, primary_key: false) do
      add :id, :binary_id, primary_key: true
      add :name, :string, size: 40, null: false, default: "phone"
      timestamps()
    end"""
    )
    assert isinstance(table, ops.CreateTable)
    assert table.columns == (
        ops.ColumnDef("id", "UUID", primary_key=True),
        ops.ColumnDef("name", "VARCHAR(40)", nullable=False, default="'phone'"),
        ops.ColumnDef("inserted_at", "TIMESTAMP(0)", nullable=False),
        ops.ColumnDef("updated_at", "TIMESTAMP(0)", nullable=False),
    )


def test_alter_table_add_modify_remove() -> None:
    parsed = read(
        """
    alter table(:cars) do
      add :vin, :string, null: false
      add :owner_id, references(:users, type: :binary_id)
      modify :model, :text, null: true, from: {:string, null: false}
      remove :legacy, :boolean, default: false
    end"""
    )
    owner_fk = ops.ForeignKey(("owner_id",), "users", ("id",), name="cars_owner_id_fkey")
    assert parsed.up.operations == (
        ops.AddColumn("cars", ops.ColumnDef("vin", "VARCHAR(255)", nullable=False)),
        ops.AddColumn("cars", ops.ColumnDef("owner_id", "UUID", references=owner_fk)),
        ops.AlterColumnType("cars", "model", "TEXT", "VARCHAR(255)"),
        ops.DropNotNull("cars", "model"),
        ops.DropColumn("cars", "legacy"),
    )
    assert parsed.down is not None
    assert parsed.down.operations == (
        ops.AddColumn("cars", ops.ColumnDef("legacy", "BOOLEAN", default="FALSE")),
        ops.AlterColumnType("cars", "model", "VARCHAR(255)", "TEXT"),
        ops.SetNotNull("cars", "model"),
        ops.DropColumn("cars", "owner_id"),
        ops.DropColumn("cars", "vin"),
    )


def test_modify_without_from_cannot_be_rolled_back() -> None:
    parsed = read("    alter table(:cars) do\n      modify :vin, :text\n    end")
    assert (parsed.down, parsed.down_declared) == (None, False)
    assert any("rollback raises" in note and "without from:" in note for note in parsed.notes)


def test_indexes_with_default_names_outside_a_transaction() -> None:
    parsed = read(
        """
    create index(:comments, [:post_id, "lower(body)"], concurrently: true)
    create unique_index(:users, [:email], where: "deleted_at IS NULL")""",
        head="  @disable_ddl_transaction true\n  @disable_migration_lock true",
    )
    assert parsed.up.transactional is False
    assert parsed.up.operations == (
        ops.CreateIndex(
            ops.IndexDef(
                "comments_post_id_lower_body_index",
                "comments",
                ("post_id", "lower(body)"),
                concurrently=True,
            )
        ),
        ops.CreateIndex(
            ops.IndexDef(
                "users_email_index", "users", ("email",), unique=True, where="deleted_at IS NULL"
            )
        ),
    )
    assert any("migration_lock" in note for note in parsed.notes)


def test_a_covering_index_keeps_its_included_columns() -> None:
    (created,) = up(
        "    create_if_not_exists index(:dependants, [:dependency_id, :repository_id], "
        "include: [:package_id])"
    )
    assert isinstance(created, ops.CreateIndex)
    assert created.index.include == ("package_id",)
    assert describe.index(created.index) == (
        "dependants_dependency_id_repository_id_index ON dependants(dependency_id, "
        "repository_id) INCLUDE (package_id)"
    )


def test_execute_one_and_two() -> None:
    one = read('    execute "UPDATE cars SET vin = upper(vin)"')
    assert one.down_declared is False
    two = read('    execute "CREATE EXTENSION citext", "DROP EXTENSION citext"')
    assert two.down_declared is True
    assert two.down is not None
    assert len(two.down.operations) == 1


def test_rename_and_drop() -> None:
    parsed = read(
        """
    rename table(:posts), to: table(:articles)
    rename table(:articles), :title, to: :headline
    drop_if_exists index(:articles, [:slug])"""
    )
    assert parsed.up.operations == (
        ops.RenameTable("posts", "articles"),
        ops.RenameColumn("articles", "title", "headline"),
        ops.DropIndex("articles_slug_index", "articles", if_exists=True),
    )
    assert up("    drop table(:legacy)") == (ops.DropTable("legacy"),)
    assert read("    drop table(:legacy)").down_declared is False


def test_check_constraint_not_validated() -> None:
    assert up(
        '    create constraint(:products, :price_positive, check: "price > 0", validate: false)'
    ) == (
        ops.AddConstraint(
            "products",
            ops.Constraint(
                ops.ConstraintKind.CHECK, "price_positive", expression="price > 0", not_valid=True
            ),
        ),
    )


def test_repo_update_all_through_a_pipe() -> None:
    parsed = read(
        """  import Ecto.Query

  def up do
    from(c in "cars", where: is_nil(c.vin), update: [set: [vin: "unknown"]])
    |> repo().update_all([])
  end

  def down, do: :ok"""
    )
    (change,) = parsed.up.operations
    assert isinstance(change, ops.DataChange)
    assert (change.kind, change.table, change.has_where, change.reversible) == (
        ops.DataChangeKind.UPDATE,
        "cars",
        True,
        False,
    )
    assert parsed.down_is_noop is True


def test_repo_calls_in_change_run_again_on_rollback() -> None:
    parsed = read('    repo().delete_all("sessions")')
    assert parsed.down is not None
    (again,) = parsed.down.operations
    assert isinstance(again, ops.DataChange)
    assert again.kind is ops.DataChangeKind.DELETE
    assert "runs again on rollback" in again.detail


def test_up_without_down() -> None:
    assert read("  def up do\n    drop table(:old)\n  end").down_declared is False


def test_raise_on_bad_rows_is_data_dependent() -> None:
    parsed = read(
        """  def up do
    if repo().exists?(from(c in "cars", where: is_nil(c.vin))) do
      raise "cars without a VIN"
    end

    alter table(:cars) do
      modify :vin, :string, null: false
    end
  end

  def down, do: :ok"""
    )
    data = [op for op in parsed.up.operations if isinstance(op, ops.DataChange)]
    assert len(data) == 1
    assert data[0].raises_on_data is True


def test_modify_per_adapter() -> None:
    body = (
        "    alter table(:cars) do\n      modify :vin, :text, null: false, from: :string\n    end"
    )
    assert up(body, dialect=Dialect.MYSQL) == (
        ops.ModifyColumn(
            "cars",
            ops.ColumnDef("vin", "TEXT", nullable=False),
            old=ops.ColumnDef("vin", "VARCHAR(255)"),
        ),
    )
    (sqlite,) = up(body, dialect=Dialect.SQLITE)
    assert isinstance(sqlite, ops.Opaque) and sqlite.raw


def test_clickhouse_types_engine_and_no_default_key() -> None:
    (table,) = up(
        """
    create table(:events, primary_key: false, engine: "MergeTree ORDER BY (site_id, ts)") do
      add :site_id, :UInt64
      add :ts, :utc_datetime_usec
      add :name, :"LowCardinality(String)"
      add :tags, {:array, :string}
    end""",
        dialect=Dialect.CLICKHOUSE,
    )
    assert isinstance(table, ops.CreateTable)
    assert table.engine == "MergeTree ORDER BY (site_id, ts)"
    assert [c.type for c in table.columns] == [
        "UInt64",
        "DateTime64(6)",
        "LowCardinality(String)",
        "Array(String)",
    ]


def test_comprehensions_over_literals_expand() -> None:
    found = up(
        """  @tables [:cars, :drives]

  def change do
    for table <- @tables do
      alter table(table) do
        add :archived_at, :utc_datetime
      end
    end
  end"""
    )
    assert [op.table for op in found if isinstance(op, ops.AddColumn)] == ["cars", "drives"]


def test_timestamps_added_to_an_existing_table() -> None:
    assert up("    alter table(:cars) do\n      timestamps()\n    end") == (
        ops.AddColumn("cars", ops.ColumnDef("inserted_at", "TIMESTAMP(0)", nullable=False)),
        ops.AddColumn("cars", ops.ColumnDef("updated_at", "TIMESTAMP(0)", nullable=False)),
    )


def test_unknown_module_calls_are_reported() -> None:
    (found,) = up("  def up, do: Oban.Migrations.up(version: 12)\n  def down, do: :ok")
    assert isinstance(found, ops.Opaque) and found.raw


def test_syntax_error_names_its_line() -> None:
    reading = read_migration(
        "defmodule M do\n  use Ecto.Migration\n  def change do\n    add :a,, :b\n  end\nend\n",
        "priv/repo/migrations/1_m.exs",
        "1",
        PG,
    )
    assert reading.parsed is None
    assert reading.problem is not None
    assert reading.problem.line == 4


def test_helper_parameters_are_bound_and_captures_read() -> None:
    parsed = read(
        """  def change do
    execute("CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql", &noop/0)
    add_flag(:cars, :archived)
  end

  defp add_flag(table, name) do
    alter table(table) do
      add name, :boolean, default: false
    end
  end

  defp noop, do: :ok"""
    )
    assert parsed.up.operations[1:] == (
        ops.AddColumn("cars", ops.ColumnDef("archived", "BOOLEAN", default="FALSE")),
    )
    assert parsed.down_declared is True
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropColumn("cars", "archived"),)


def test_empty_down_sql_and_adapter_query() -> None:
    parsed = read('    execute "UPDATE cars SET vin = upper(vin)", ""')
    assert parsed.down is not None and parsed.down.operations == ()
    found = up(
        '  def up do\n    Ecto.Adapters.SQL.query!(repo(), "DELETE FROM sessions", [])\n  end'
    )
    assert len(found) == 1


def test_update_all_names_the_columns_it_sets() -> None:
    found = up(
        """  import Ecto.Query

  def up do
    from(c in "cars", update: [set: [vin: "x", model: "y"]]) |> repo().update_all([])
    repo().update_all("cars", set: [color: "red"], inc: [version: 1])
  end"""
    )
    assert [op.columns for op in found if isinstance(op, ops.DataChange)] == [
        ("vin", "model"),
        ("color", "version"),
    ]


def test_module_attributes_give_options_and_loop_items() -> None:
    found = up(
        """    alter table(:sessions) do
      add(:gateway_id, references(:gateways, @assoc_opts))
    end
    alter table(:clients) do
      for col <- @last_seen do
        remove(col)
      end
    end""",
        head="  @assoc_opts [type: :binary_id]\n  @last_seen [:last_seen_at, :last_seen_ip]\n",
    )
    added, *dropped = found
    assert isinstance(added, ops.AddColumn) and added.column.type == "UUID"
    assert [o.column for o in dropped if isinstance(o, ops.DropColumn)] == [
        "last_seen_at",
        "last_seen_ip",
    ]


def test_a_folder_moved_with_its_modules_renamed_runs_the_same_steps() -> None:
    from harvester.migrations.database import analyse_database
    from harvester.model import ChangeKind
    from tests.support.memory_view import MemoryView

    body = (
        "  use Ecto.Migration\n  def change do\n"
        "    alter table(:users) do\n      add :x, :text\n    end\n  end\nend\n"
    )
    old = "defmodule Domain.Repo.Migrations.AddX do\n" + body
    new = "defmodule Portal.Repo.Migrations.AddX do\n" + body
    view = MemoryView(
        {"apps/domain/priv/repo/migrations/20240101000000_add_x.exs": old},
        {"priv/repo/migrations/20240101000000_add_x.exs": new},
    )
    added = next(c for c in view._changes if c.status is ChangeKind.ADDED)
    from dataclasses import replace

    view._changes = (
        replace(
            added,
            old_path="apps/domain/priv/repo/migrations/20240101000000_add_x.exs",
            status=ChangeKind.RENAMED,
        ),
    )
    (migration,) = analyse_database(view).migrations
    assert (migration.change, migration.released, migration.format_only) == (
        ChangeKind.RENAMED,
        True,
        True,
    )


def test_the_migration_module_is_found_after_helper_modules() -> None:
    text = (
        "defmodule TeslaMate.Repo.Migrations.AddGeofenceId do\n"
        '  defmodule Address do\n    use Ecto.Schema\n    schema "addresses" do\n'
        "      field :display_name, :string\n    end\n  end\n\n"
        "  use Ecto.Migration\n\n  def change do\n    alter table(:geofences) do\n"
        "      remove :address_id\n    end\n  end\nend\n"
    )
    helper_first = 'defmodule Helper do\n  def name, do: "x"\nend\n\n' + text.replace(
        "TeslaMate.Repo.Migrations.AddGeofenceId", "M"
    )
    for source in (text, helper_first):
        reading = read_migration(
            source, "priv/repo/migrations/20190925182253_x.exs", "20190925182253", PG
        )
        assert reading.parsed is not None
        assert reading.parsed.up.operations == (ops.DropColumn("geofences", "address_id"),)


def test_modify_from_a_one_element_tuple_states_the_old_type() -> None:
    found = read(
        "    alter table(:users) do\n      modify :email, :citext, from: {:string}\n    end"
    )
    (change,) = found.up.operations
    assert change == ops.AlterColumnType("users", "email", "CITEXT", "VARCHAR(255)")
    assert found.down is not None


def test_map_fields_and_query_building_run_nothing() -> None:
    found = read(
        """  def up do
    rows = repo().all(from(s in "shelves", select: %{id: s.id}))
    query = from(s in "shelves", where: s.id > 0)
    copies = Enum.map(rows, fn row -> %{shelf_id: row.id} end)
    repo().insert_all("shelf_copies", copies)
  end

  def down, do: :ok"""
    )
    assert not any(isinstance(o, ops.Opaque) for o in found.up.operations)
