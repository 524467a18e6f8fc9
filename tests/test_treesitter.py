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
