"""Elixir literals read from a syntax tree: atoms, strings, sigils, keyword lists, tuples, and
the constructor calls of Ecto's DSL (`table/2`, `references/2`, `index/3`, `fragment/1`).

add :user_id, references(:users, on_delete: :delete_all), null: false
#   Sym       Call("references", (Sym("users"),), {"on_delete": Sym("delete_all")})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.literals import (
    PLACEHOLDER,
    Arguments,
    Call,
    Code,
    Interpolated,
    Sym,
    Tuple,
    Value,
)

if TYPE_CHECKING:
    from tree_sitter import Node

CONSTRUCTORS = frozenset({"table", "references", "index", "unique_index", "constraint", "fragment"})
_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def target_name(call: Node) -> str:
    """`create` for `create(...)`, `update_all` for `repo().update_all(...)`."""
    target = call.child_by_field_name("target")
    if target is None:
        return ""
    if target.type == "dot":
        return treesitter.text(target.child_by_field_name("right"))
    return treesitter.text(target)


def receiver(call: Node) -> Node | None:
    """The left side of a remote call (`repo()` in `repo().update_all(...)`), if any; None
    for the migration DSL written out (`Ecto.Migration.execute(...)` is `execute(...)`)."""
    target = call.child_by_field_name("target")
    if target is None or target.type != "dot":
        return None
    left = target.child_by_field_name("left")
    return None if treesitter.text(left) == "Ecto.Migration" else left


def do_block(call: Node) -> Node | None:
    """The `do … end` block of a call, if any."""
    return next((c for c in call.named_children if c.type == "do_block"), None)


class ElixirValues:
    """Evaluates Elixir literals; `env` binds variables and `@attributes`."""

    def value(self, node: Node | None, env: Mapping[str, Value]) -> Value:
        """The value of a literal node (unknown expressions stay `Code`)."""
        if node is None:
            return None
        kind = node.type
        source = treesitter.text(node)
        if kind == "atom":
            return Sym(source[1:])
        if kind == "quoted_atom":
            quoted = self._string(node, env)
            return Sym(quoted if isinstance(quoted, str) else quoted.text)
        if kind in ("string", "charlist"):
            return self._string(node, env)
        if kind == "sigil":
            return self._sigil(node, env)
        if kind == "integer":
            return _number(source, int)
        if kind == "float":
            return _number(source, float)
        if kind == "boolean":
            return source == "true"
        if kind == "nil":
            return None
        if kind == "list":
            return self._list(node, env)
        if kind == "keywords":
            return self._keywords(node, env)
        if kind == "tuple":
            return Tuple(tuple(self.value(c, env) for c in node.named_children))
        if kind == "map" and not node.named_children:
            return {}
        if kind == "unary_operator" and source.startswith("@"):
            return env.get(source.split("(")[0].strip(), Code(source))
        if kind == "identifier":
            return env.get(source, Code(source))
        if kind == "binary_operator" and _operator(node) == "<>":
            left = self.value(node.child_by_field_name("left"), env)
            right = self.value(node.child_by_field_name("right"), env)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
        if kind == "call" and target_name(node) in CONSTRUCTORS and receiver(node) is None:
            args = self.arguments(node, env)
            return Call(
                target_name(node), args.positional, dict(args.options), treesitter.line(node)
            )
        if kind == "block" and len(node.named_children) == 1:
            return self.value(node.named_children[0], env)
        return Code(source)

    def arguments(self, call: Node, env: Mapping[str, Value]) -> Arguments:
        """A call's positional arguments, trailing keyword options, and `do` block."""
        listed = next((c for c in call.named_children if c.type == "arguments"), None)
        nodes = tuple(c for c in listed.named_children if c.type != "comment") if listed else ()
        positional: list[Value] = []
        options: dict[str, Value] = {}
        for child in nodes:
            if child.type == "keywords":
                options.update(self._keywords(child, env))
            else:
                positional.append(self.value(child, env))
        if positional and isinstance(positional[-1], dict) and positional[-1]:
            # A keyword list passed as the last argument (`references(:t, @opts)`) is options.
            trailing = positional.pop()
            assert isinstance(trailing, dict)
            options = {**trailing, **options}
        block = do_block(call)
        if block is None and "do" in options:
            return Arguments(tuple(positional), options, None, (), nodes)
        return Arguments(tuple(positional), options, block, (), nodes)

    def _list(self, node: Node, env: Mapping[str, Value]) -> Value:
        children = node.named_children
        if len(children) == 1 and children[0].type == "keywords":
            return self._keywords(children[0], env)
        return [self.value(c, env) for c in children]

    def _keywords(self, node: Node, env: Mapping[str, Value]) -> dict[str, Value]:
        result: dict[str, Value] = {}
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = treesitter.text(pair.child_by_field_name("key")).strip().rstrip(":").strip('"')
            result[key] = self.value(pair.child_by_field_name("value"), env)
        return result

    def _string(self, node: Node, env: Mapping[str, Value]) -> str | Interpolated:
        parts: list[str] = []
        interpolated = False
        for child in node.children:
            if child.type == "quoted_content":
                parts.append(treesitter.text(child))
            elif child.type == "escape_sequence":
                raw = treesitter.text(child)
                parts.append(_ESCAPES.get(raw[1:], raw[1:]))
            elif child.type == "interpolation":
                inner = child.named_children
                known = self.value(inner[0], env) if len(inner) == 1 else None
                if isinstance(known, Sym):
                    known = known.name
                if isinstance(known, str | int) and not isinstance(known, bool):
                    parts.append(str(known))
                else:
                    parts.append(PLACEHOLDER)
                    interpolated = True
        joined = "".join(parts)
        if node.type != "sigil" and treesitter.text(node).startswith('"""'):
            joined = _dedent_heredoc(joined)
        return Interpolated(joined, treesitter.text(node)) if interpolated else joined

    def _sigil(self, node: Node, env: Mapping[str, Value]) -> Value:
        name = next((treesitter.text(c) for c in node.children if c.type == "sigil_name"), "")
        if name in ("s", "S"):
            content = self._string(node, env)
            if treesitter.text(node)[2:5] in ('"""', "'''"):
                text = content.text if isinstance(content, Interpolated) else content
                text = _dedent_heredoc(text)
                return (
                    Interpolated(text, content.source)
                    if isinstance(content, Interpolated)
                    else text
                )
            return content
        if name in ("w", "W"):
            words = self._string(node, env)
            text = words.text if isinstance(words, Interpolated) else words
            modifier = treesitter.text(node).rsplit(_closing(node), 1)[-1]
            return [Sym(w) if modifier == "a" else w for w in text.split()]
        return Code(treesitter.text(node))


def _operator(node: Node) -> str:
    found = node.child_by_field_name("operator")
    return treesitter.text(found)


def _closing(node: Node) -> str:
    end = node.child_by_field_name("quoted_end")
    return treesitter.text(end) or ")"


def _number(source: str, kind: type[int] | type[float]) -> Value:
    try:
        return kind(source.replace("_", ""))
    except ValueError:
        return Code(source)


def _dedent_heredoc(text: str) -> str:
    """Elixir heredocs strip the closing delimiter's indentation from every line."""
    lines = text.split("\n")
    indent = len(lines[-1]) - len(lines[-1].lstrip(" ")) if lines and not lines[-1].strip() else 0
    stripped = [line[indent:] if line[:indent].strip() == "" else line for line in lines]
    return "\n".join(stripped)
