"""The shared tree-sitter helpers: parsing, syntax errors, format-insensitive fingerprints."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.migrations import treesitter

RUBY = """class AddX < ActiveRecord::Migration[7.1]
  def change
    add_column :users, :x, :string
  end
end
"""


def test_clean_ruby_has_no_syntax_error() -> None:
    assert treesitter.syntax_error(treesitter.parse(RUBY, "ruby")) is None


def test_syntax_error_names_its_line() -> None:
    broken = RUBY.replace("add_column :users,", "add_column :users,,")
    failure = treesitter.syntax_error(treesitter.parse(broken, "ruby"))
    assert failure is not None
    assert failure.line == 3
    assert failure.message.startswith("syntax error")


def test_fingerprint_ignores_comments_and_layout() -> None:
    reformatted = (
        "# frozen_string_literal: true\n"
        "class AddX < ActiveRecord::Migration[7.1]\n"
        "  def change\n"
        "    # a comment\n"
        "    add_column(:users,   :x,\n      :string)\n"
        "  end\n"
        "end\n"
    )
    before = treesitter.fingerprint(treesitter.parse(RUBY, "ruby"))
    after = treesitter.fingerprint(treesitter.parse(reformatted, "ruby"))
    assert before == after


def test_fingerprint_sees_a_changed_symbol() -> None:
    before = treesitter.fingerprint(treesitter.parse(RUBY, "ruby"))
    after = treesitter.fingerprint(treesitter.parse(RUBY.replace(":string", ":text"), "ruby"))
    assert before != after


def test_elixir_parses() -> None:
    root = treesitter.parse("defmodule M do\n  def change, do: :ok\nend\n", "elixir")
    assert treesitter.syntax_error(root) is None
    assert treesitter.line(root.named_children[0]) == 1


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["ruby", "elixir"]))
def test_never_crashes_on_arbitrary_text(text: str, language: str) -> None:
    root = treesitter.parse(text, language)
    treesitter.syntax_error(root)
    assert len(treesitter.fingerprint(root)) == 64


RAILS_LINES = [
    "add_column :users, :a, :string, null: false",
    "remove_column :users, :a",
    "change_column_default :users, :a, from: 1, to: nil",
    "add_index :users, [:a, :b], unique: true, algorithm: :concurrently",
    "create_table :t, id: :uuid do |t|\n t.references :user, foreign_key: true\n t.timestamps\nend",
    "change_table :t do |t|\n t.remove :a\n t.string :b\nend",
    "reversible do |dir|\n dir.up { execute 'SELECT 1' }\nend",
    "User.where(a: nil).update_all(a: 1)",
    "%i[a b].each { |c| add_column :t, c, :integer }",
    "raise 'bad rows' if select_value('SELECT 1')",
    "unless column_exists?(:t, :c)",
    "end",
    "execute <<~SQL\n  UPDATE t SET a = #{x}\nSQL",
    "foo(",
    "t.string",
]
ECTO_LINES = [
    "create table(:t) do\n add :a, references(:u), null: false\n timestamps()\nend",
    "alter table(:t) do\n modify :a, :text, from: :string\n remove :b\nend",
    "create index(:t, [:a], concurrently: true)",
    'execute "UPDATE t SET a = 1", ""',
    'from(x in "t", where: x.a > 1) |> repo().update_all(set: [a: 2])',
    "for t <- [:a, :b] do\n drop_if_exists table(t)\nend",
    "rename table(:a), to: table(:b)",
    "if true do",
    "end",
    "add :x,, :y",
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(RAILS_LINES), max_size=8), st.sampled_from(["7.2", "4.2", "x"]))
def test_rails_reader_never_crashes(lines: list[str], version: str) -> None:
    from harvester.migrations.rails.migration import read_migration

    body = "\n".join(lines)
    text = f"class M < ActiveRecord::Migration[{version}]\n  def change\n{body}\n  end\nend\n"
    reading = read_migration(text, "db/migrate/1_m.rb", "1", None)
    assert reading.parsed is not None or reading.problem is not None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(ECTO_LINES), max_size=8))
def test_ecto_reader_never_crashes(lines: list[str]) -> None:
    from harvester.migrations.ecto.migration import read_migration

    body = "\n".join(lines)
    text = f"defmodule M do\n  use Ecto.Migration\n  def change do\n{body}\n  end\nend\n"
    reading = read_migration(text, "priv/repo/migrations/1_m.exs", "1", None)
    assert reading.parsed is not None or reading.problem is not None
