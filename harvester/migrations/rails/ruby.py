"""Ruby literals read from a syntax tree: symbols, strings, heredocs, arrays, hashes, lambdas.

add_column :users, :role, :string, default: "member", null: false
#          Sym      Sym    Sym     {"default": "member", "null": False}

Only literals are evaluated; any other expression stays `Code` with its source text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.literals import (
    PLACEHOLDER,
    Arguments,
    Code,
    Interpolated,
    Lambda,
    Sym,
    Value,
)
from harvester.migrations.rails import naming

if TYPE_CHECKING:
    from tree_sitter import Node

_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
_SIZES = {"byte": 1, "bytes": 1, "kilobyte": 1024, "kilobytes": 1024, "megabyte": 1024**2}
_SIZES |= {"megabytes": 1024**2, "gigabyte": 1024**3, "gigabytes": 1024**3}
_TABLE_NAMES = frozenset({"table_name", "table_name_prefix", "table_name_suffix"})
_PASS_THROUGH = frozenset(
    {"freeze", "to_s", "strip", "chomp", "strip_heredoc", "dup", "html_safe", "itself"}
)


class RubyValues:
    """Evaluates literals of one file; heredoc bodies are matched to their openers once."""

    def __init__(self, root: Node) -> None:
        self.model_tables: dict[str, str] = {}
        """Tables of the models the migration defines (`self.table_name = …`), by name."""
        openers = [n for n in treesitter.walk(root) if n.type == "heredoc_beginning"]
        bodies = [n for n in treesitter.walk(root) if n.type == "heredoc_body"]
        self._heredocs = {
            opener.start_byte: (treesitter.text(opener), body)
            for opener, body in zip(openers, bodies, strict=False)
        }

    def heredoc_body(self, opener: Node) -> Node | None:
        """The body node of the heredoc `opener` starts."""
        return self._heredocs.get(opener.start_byte, ("", None))[1]

    def value(self, node: Node | None, env: Mapping[str, Value]) -> Value:
        """The value of a literal node; identifiers and constants bound in `env` resolve."""
        if node is None:
            return None
        kind = node.type
        source = treesitter.text(node)
        if kind in ("simple_symbol", "hash_key_symbol"):
            return Sym(source.lstrip(":").rstrip(":"))
        if kind in ("delimited_symbol", "bare_symbol"):
            joined = self._string(node, env)
            return Sym(joined if isinstance(joined, str) else joined.text)
        if kind in ("string", "bare_string", "chained_string"):
            return self._string(node, env)
        if kind == "heredoc_beginning":
            return self._heredoc(node, env)
        if kind == "integer":
            return _integer(source)
        if kind == "float":
            return float(source.replace("_", ""))
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "nil":
            return None
        if kind in ("array", "string_array", "symbol_array"):
            return self._items(node.named_children, env)
        if kind == "hash":
            return self._hash(node, env)
        if kind == "lambda":
            body = node.child_by_field_name("body")
            statements = body.named_children if body is not None else []
            block = statements[-1].named_children if statements else []
            return Lambda(self.value(block[-1], env) if block else None)
        if kind == "parenthesized_statements" and node.named_child_count == 1:
            return self.value(node.named_children[0], env)
        if kind == "unary" and source.startswith("-"):
            inner = self.value(node.named_children[-1], env)
            return (
                -inner
                if isinstance(inner, int | float) and not isinstance(inner, bool)
                else Code(source)
            )
        if kind in ("identifier", "constant", "scope_resolution"):
            return env[source] if source in env else Code(source)
        if kind == "call":
            return self._method_on_literal(node, env)
        return Code(source)

    def arguments(self, call: Node, env: Mapping[str, Value]) -> Arguments:
        """The arguments of a `call` node (keyword pairs become `options`)."""
        positional: list[Value] = []
        options: dict[str, Value] = {}
        unread: list[str] = []
        listed = call.child_by_field_name("arguments")
        nodes = tuple(listed.named_children) if listed is not None else ()
        for child in nodes:
            if child.type == "pair":
                options.update(self._pair(child, env))
            elif child.type == "hash_splat_argument":
                splatted = (
                    self.value(child.named_children[-1], env) if child.named_children else None
                )
                if isinstance(splatted, dict):
                    options.update(splatted)
                else:
                    unread.append(treesitter.text(child))
            elif child.type in ("comment", "block_argument"):
                continue
            else:
                positional.extend(self._items((child,), env))
        if positional and isinstance(positional[-1], dict) and not options:
            options = positional.pop()  # type: ignore[assignment]
        block = call.child_by_field_name("block")
        params: tuple[str, ...] = ()
        if block is not None:
            found = block.child_by_field_name("parameters")
            if found is not None:
                params = tuple(treesitter.text(p) for p in found.named_children)
        return Arguments(tuple(positional), options, block, params, nodes, tuple(unread))

    def _items(self, nodes: Sequence[Node], env: Mapping[str, Value]) -> list[Value]:
        """The values of list items or arguments, with splats of literal lists (`*%i[a b]`,
        `*COLUMNS` bound to one) expanded; any other splat stays `Code` (`*…`)."""
        found: list[Value] = []
        for node in nodes:
            if node.type != "splat_argument":
                found.append(self.value(node, env))
                continue
            inner = self.value(node.named_children[-1], env) if node.named_children else None
            if isinstance(inner, list):
                found.extend(inner)
            else:
                found.append(Code(treesitter.text(node)))
        return found

    def _hash(self, node: Node, env: Mapping[str, Value]) -> dict[str, Value]:
        result: dict[str, Value] = {}
        for child in node.named_children:
            if child.type == "pair":
                result.update(self._pair(child, env))
        return result

    def _pair(self, node: Node, env: Mapping[str, Value]) -> dict[str, Value]:
        key = self.value(node.child_by_field_name("key"), env)
        name = key.name if isinstance(key, Sym) else key if isinstance(key, str) else None
        if name is None:
            return {}
        value_node = node.child_by_field_name("value")
        return {name: self.value(value_node, env) if value_node is not None else Code(name)}

    def _string(self, node: Node, env: Mapping[str, Value]) -> str | Interpolated:
        parts: list[str] = []
        interpolated = False
        for child in node.children:
            if child.type in ("string_content", "heredoc_content"):
                parts.append(treesitter.text(child))
            elif child.type == "escape_sequence":
                raw = treesitter.text(child)
                parts.append(_ESCAPES.get(raw[1:], raw[1:]) if raw.startswith("\\") else raw)
            elif child.type == "interpolation":
                known = self._interpolation(child, env)
                parts.append(PLACEHOLDER if known is None else known)
                interpolated = interpolated or known is None
            elif child.type in ("string", "bare_string"):
                inner = self._string(child, env)
                interpolated = interpolated or isinstance(inner, Interpolated)
                parts.append(inner.text if isinstance(inner, Interpolated) else inner)
        joined = "".join(parts)
        return Interpolated(joined, treesitter.text(node)) if interpolated else joined

    def _interpolation(self, node: Node, env: Mapping[str, Value]) -> str | None:
        """The text of `#{…}` when it is a literal or a name bound to one."""
        inner = node.named_children
        if len(inner) != 1:
            return None
        value = self.value(inner[0], env)
        if isinstance(value, Sym):
            return value.name
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        return None

    def _heredoc(self, node: Node, env: Mapping[str, Value]) -> str | Interpolated | Code:
        opener, body = self._heredocs.get(node.start_byte, ("", None))
        if body is None:
            return Code(treesitter.text(node))
        content = self._string(body, env)
        text = content.text if isinstance(content, Interpolated) else content
        if opener.startswith("<<~"):
            text = textwrap.dedent(text)
        if isinstance(content, Interpolated):
            return Interpolated(text, treesitter.text(body))
        return text

    def _method_on_literal(self, node: Node, env: Mapping[str, Value]) -> Value:
        method = treesitter.text(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        listed = node.child_by_field_name("arguments")
        if treesitter.text(receiver) == "Arel" and method == "sql" and listed is not None:
            # `Arel.sql("…")` marks a literal as safe SQL: it is that literal.
            given = [n for n in listed.named_children if n.type != "comment"]
            return self.value(given[0], env) if len(given) == 1 else Code(treesitter.text(node))
        if receiver is None or listed is not None:
            return Code(treesitter.text(node))
        if receiver.type in ("constant", "scope_resolution") and method in _TABLE_NAMES:
            named = self._table_name(treesitter.text(receiver), method)
            return Code(treesitter.text(node)) if named is None else named
        inner = self.value(receiver, env)
        if isinstance(inner, Code):
            return Code(treesitter.text(node))
        if method in _PASS_THROUGH:
            return inner
        if method == "squish" and isinstance(inner, str):
            return " ".join(inner.split())
        if method == "squish" and isinstance(inner, Interpolated):
            return Interpolated(" ".join(inner.text.split()), inner.source)
        if method == "to_sym" and isinstance(inner, str):
            return Sym(inner)
        if method == "to_sym" and isinstance(inner, Interpolated):
            return inner  # a name built in a loop: a table takes a string or a symbol alike
        if method in _SIZES and isinstance(inner, int) and not isinstance(inner, bool):
            return inner * _SIZES[method]
        return Code(treesitter.text(node))

    def _table_name(self, model: str, method: str) -> str | None:
        """`Model.table_name`, `.table_name_prefix`, `.table_name_suffix` by Rails' defaults."""
        if method == "table_name":
            return self.model_tables.get(model) or naming.table_of_model(model)
        prefix = naming.table_name_prefix(model)
        if prefix is None:
            return None
        return prefix if method == "table_name_prefix" else ""


def _integer(source: str) -> int | Code:
    try:
        return int(source.replace("_", ""), 0)
    except ValueError:
        return Code(source)
