"""Ecto migrations that reach the database through spellings other than the bare DSL call:
`Ecto.Migration.execute/1` written out, helpers passed as `&helper/1`, delegated up/down."""

from __future__ import annotations

from harvester.migrations.ecto.migration import read_migration
from harvester.migrations.schema import ops
from harvester.migrations.schema.ops import Dialect


def read(functions: str) -> ops.ParsedMigration:
    """The parsed migration of a module holding `functions`."""
    text = f"defmodule MyApp.Repo.Migrations.M do\n  use Ecto.Migration\n\n{functions}\nend\n"
    reading = read_migration(
        text, "priv/repo/migrations/20250101000000_m.exs", "20250101000000", Dialect.POSTGRESQL
    )
    assert reading.problem is None, reading.problem
    assert reading.parsed is not None
    return reading.parsed


def changes(parsed: ops.ParsedMigration) -> list[tuple[ops.DataChangeKind, str | None]]:
    return [(o.kind, o.table) for o in parsed.up.operations if isinstance(o, ops.DataChange)]


def test_qualified_execute_reads_like_the_bare_call() -> None:
    parsed = read(
        """
  def up do
    Ecto.Migration.execute("UPDATE events SET category = 'MEETING'")
  end

  def down do
    Ecto.Migration.execute("UPDATE events SET category = 'meeting' WHERE category = 'MEETING'")
  end
"""
    )
    assert changes(parsed) == [(ops.DataChangeKind.UPDATE, "events")]
    assert parsed.down is not None
    assert [o.table for o in parsed.down.operations if isinstance(o, ops.DataChange)] == ["events"]


def test_qualified_schema_commands_read_like_the_bare_ones() -> None:
    parsed = read(
        """
  def change do
    Ecto.Migration.create Ecto.Migration.index(:events, [:category])
  end
"""
    )
    assert [type(o) for o in parsed.up.operations] == [ops.CreateIndex]


def test_delegated_up_and_down_run_code_harvester_cannot_read() -> None:
    parsed = read(
        """
  defdelegate up, to: Oban.Migrations
  defdelegate down, to: Oban.Migrations
"""
    )
    assert not any("nothing runs" in n for n in parsed.notes)
    (up,) = parsed.up.operations
    assert isinstance(up, ops.Opaque)
    assert up.summary == "up/0 delegated to Oban.Migrations.up: code harvester cannot see into"
    assert parsed.down is not None
    (down,) = parsed.down.operations
    assert isinstance(down, ops.Opaque)
    assert "Oban.Migrations.down" in down.summary


def test_delegated_change_with_another_name() -> None:
    parsed = read("  defdelegate change, to: MyApp.Setup, as: :migrate\n")
    (up,) = parsed.up.operations
    assert isinstance(up, ops.Opaque)
    assert up.summary.startswith("change/0 delegated to MyApp.Setup.migrate:")


def test_helpers_passed_as_captures_are_followed() -> None:
    parsed = read(
        """
  def up do
    duplicates = list_duplicates()
    Enum.each(duplicates, &merge_duplicate/1)
  end

  def down, do: :ok

  defp list_duplicates do
    %Postgrex.Result{rows: rows} =
      Ecto.Adapters.SQL.query!(MyApp.Repo, "SELECT id, code FROM shops")
    rows
  end

  defp merge_duplicate([id, code]) do
    keep = code |> first_with_code()
    if id != keep do
      repoint_orders(id, keep)
      Ecto.Adapters.SQL.query!(MyApp.Repo, "DELETE FROM shops WHERE id = $1", [id])
    end
  end

  defp first_with_code(code) do
    %Postgrex.Result{rows: [[id]]} =
      Ecto.Adapters.SQL.query!(MyApp.Repo, "SELECT min(id) FROM shops WHERE code = $1", [code])
    id
  end

  defp repoint_orders(id, keep) do
    sql = "UPDATE orders SET shop_id = $1 WHERE shop_id = $2"
    Ecto.Adapters.SQL.query!(MyApp.Repo, sql, [keep, id])
  end
"""
    )
    assert changes(parsed) == [
        (ops.DataChangeKind.UPDATE, "orders"),
        (ops.DataChangeKind.DELETE, "shops"),
    ]


def test_capture_over_a_literal_list_runs_once_per_item() -> None:
    parsed = read(
        """
  def up do
    Enum.each(["orders", "invoices"], &clear/1)
  end

  defp clear(table) do
    execute("DELETE FROM #{table} WHERE archived")
  end
"""
    )
    assert changes(parsed) == [
        (ops.DataChangeKind.DELETE, "orders"),
        (ops.DataChangeKind.DELETE, "invoices"),
    ]


def test_loop_notes_computed_names_only_when_there_are_some() -> None:
    computed = read(
        """
  def up do
    Enum.each(tables(), fn t -> execute("DELETE FROM #{t} WHERE old") end)
  end

  defp tables, do: ["a"]
"""
    )
    assert "runs once per item; names in <…> are computed" in computed.up.notes
    values = read(
        """
  def up do
    Enum.each(rows(), fn id -> execute("DELETE FROM a WHERE id = #{id}") end)
  end

  defp rows, do: [1]
"""
    )
    assert "runs once per item" in values.up.notes
