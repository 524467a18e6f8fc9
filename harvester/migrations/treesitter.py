"""Syntax trees for migrations written as code (Ruby, Elixir), from the tree-sitter wheels.

Grammars come from the per-language wheels (`tree-sitter-ruby`, `tree-sitter-elixir`), imported
on first use, so a range without Rails or Ecto migrations never loads them. Nothing here runs
the code it reads.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

_GRAMMARS = {"ruby": "tree_sitter_ruby", "elixir": "tree_sitter_elixir"}
_COMMENTS = frozenset({"comment"})


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Where a file stops being valid source, in a reviewer's words."""

    line: int
    message: str


@cache
def _parser(language: str) -> Parser:
    import tree_sitter

    module = importlib.import_module(_GRAMMARS[language])
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def parse(text: str, language: str) -> Node:
    """The root node of `text` parsed as `language` (`"ruby"` or `"elixir"`)."""
    return _parser(language).parse(text.encode("utf-8")).root_node


def text(node: Node | None) -> str:
    """The source text of `node` ("" for None)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def line(node: Node) -> int:
    """The 1-based line where `node` starts."""
    return node.start_point[0] + 1


def syntax_error(root: Node) -> ParseFailure | None:
    """The first place tree-sitter could not parse, or None when the tree is clean."""
    if not root.has_error:
        return None
    node = root
    while True:
        for child in node.children:
            if child.is_error or child.is_missing:
                what = f"missing {child.type!r}" if child.is_missing else "unexpected code"
                snippet = " ".join(text(child).split())[:40]
                tail = f": {snippet}" if snippet and not child.is_missing else ""
                return ParseFailure(line(child), f"syntax error ({what}){tail}")
            if child.has_error:
                node = child
                break
        else:
            return ParseFailure(line(node), "syntax error")


def walk(node: Node) -> Iterator[Node]:
    """`node` and every node below it, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def fingerprint(root: Node, spelling: Callable[[Node], str | None] | None = None) -> str:
    """A digest of the syntax tree that ignores comments, layout, commas and call parentheses.

    Two files with the same fingerprint differ only in formatting and comments. `spelling`
    may name what a node means when a language spells one value several ways (`65_535` and
    `65535`); that name then stands for the node and everything below it.
    """
    digest = hashlib.sha256()
    stack = [root]
    while stack:
        node = stack.pop()
        if _cosmetic(node):
            continue
        meaning = spelling(node) if spelling is not None else None
        if meaning is not None:
            digest.update(f"~{meaning}\0".encode())
            continue
        kept = sum(1 for child in node.children if not _cosmetic(child))
        digest.update(f"{node.type}/{kept}".encode())
        if not node.children:
            digest.update(b"=" + (node.text or b""))
        digest.update(b"\0")
        stack.extend(reversed(node.children))
    return digest.hexdigest()


def _cosmetic(node: Node) -> bool:
    """Comments, separators and the parentheses around call arguments."""
    if node.type in _COMMENTS or node.type == ",":
        return True
    parent = node.parent
    return (
        node.type in ("(", ")")
        and parent is not None
        and parent.type in ("argument_list", "arguments")
    )
