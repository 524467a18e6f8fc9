"""Ruby spellings of one value, so a released migration respelled by a linter or a Rails
upgrade reads as reformatted rather than edited.

class AddBody < ActiveRecord::Migration[4.2]           # was `< ActiveRecord::Migration`
  def change
    add_column :posts, :body, :text, limit: 65_535      # was `:limit => 65535`
    execute <<~SQL.squish                               # was `<<-SQL.squish`
      UPDATE posts SET body = ''
    SQL
  end
end
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.rails import versions

if TYPE_CHECKING:
    from tree_sitter import Node

_SYMBOL_KEYS = frozenset({"hash_key_symbol", "simple_symbol"})


def meaning(node: Node) -> str | None:
    """What `node` stands for when Ruby or Rails spells it several ways; None otherwise."""
    match node.type:
        case "superclass":
            return "superclass " + _superclass(treesitter.text(node))
        case "integer":
            return _integer(treesitter.text(node))
        case "hash_key_symbol":
            return "symbol " + treesitter.text(node)
        case "simple_symbol":
            return "symbol " + treesitter.text(node)[1:]
        case "=>" | ":" if _symbol_pair(node):
            return "pair"
        case "string":
            return _plain_string(node)
        case "array" | "symbol_array" | "string_array":
            return _word_list(node)
        case "heredoc_beginning" if _squished(node):
            return "squished heredoc " + treesitter.text(node).lstrip("<").lstrip("-~")
    return None


def _squished(heredoc: Node) -> bool:
    """`<<-SQL.squish` and `<<~SQL.squish`: `.squish` collapses the whitespace the two
    heredoc styles keep differently, so the string is the same."""
    call = heredoc.parent
    return (
        call is not None
        and call.type == "call"
        and call.child_by_field_name("receiver") == heredoc
        and treesitter.text(call.child_by_field_name("method")) == "squish"
    )


def fingerprint(text: str) -> str:
    """A digest of a migration file that two spellings of the same migration share."""
    return treesitter.fingerprint(treesitter.parse(text, "ruby"), meaning)


def _word_list(node: Node) -> str | None:
    """`%i[a b]` and `[:a, :b]`, `%w[a b]` and `["a", "b"]`: the same list of words."""
    items = [c for c in node.named_children if c.type != "comment"]
    if items and all(c.type in ("bare_symbol", "simple_symbol") for c in items):
        return "symbols " + " ".join(treesitter.text(c).lstrip(":") for c in items)
    words = [_plain_string(c) if c.type == "string" else _bare(c) for c in items]
    if items and all(words):
        return "strings " + " ".join(w.removeprefix("string ") for w in words if w)
    return None


def _bare(node: Node) -> str | None:
    """A `%w[]` word without interpolation, as a string."""
    if node.type != "bare_string" or any(c.type != "string_content" for c in node.children):
        return None
    return "string " + treesitter.text(node)


def _superclass(text: str) -> str:
    """`ActiveRecord::Migration[4.2]` is the bare `ActiveRecord::Migration` (the tag Rails 5
    asks of old migrations keeps their 4.2 behaviour)."""
    parent = "".join(text.lstrip("<").split())
    base, _, bracket = parent.partition("[")
    version = versions.parse_version(bracket.rstrip("]")) if bracket else None
    if base == "ActiveRecord::Migration" and version is not None and version <= versions.LEGACY:
        return base
    return parent


def _integer(text: str) -> str | None:
    """`65_535` and `65535`; octal, hex and binary literals keep their spelling."""
    digits = text.replace("_", "")
    if not digits.isdigit() or (len(digits) > 1 and digits.startswith("0")):
        return None
    return f"integer {int(digits)}"


def _symbol_pair(node: Node) -> bool:
    """The `=>` of `:key => v` or the `:` of `key: v` (a string key before `=>` stays apart)."""
    parent = node.parent
    if parent is None or parent.type != "pair":
        return False
    key = parent.child_by_field_name("key")
    return key is not None and key.type in _SYMBOL_KEYS


def _plain_string(node: Node) -> str | None:
    """`'text'` and `"text"` without escapes or interpolation."""
    parts = [c for c in node.children if c.type != '"']
    if any(c.type != "string_content" for c in parts):
        return None
    return "string " + "".join(treesitter.text(c) for c in parts)
