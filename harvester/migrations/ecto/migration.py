"""One Ecto migration file, text in and `ParsedMigration` out: its module, `change/0` or
`up/0` + `down/0`, `@disable_ddl_transaction`, `@disable_migration_lock`, private helpers.

defmodule MyApp.Repo.Migrations.BackfillVin do
  use Ecto.Migration
  @disable_ddl_transaction true

  def up do
    execute "UPDATE cars SET vin = 'unknown' WHERE vin IS NULL"
  end

  def down, do: :ok
end
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harvester.cache import cached
from harvester.migrations import treesitter
from harvester.migrations.commands import (
    Directions,
    StepState,
    from_change,
    from_up_down,
    mark_raising,
)
from harvester.migrations.ecto.body import EctoBody
from harvester.migrations.ecto.elixir import ElixirValues, target_name
from harvester.migrations.ecto.types import EctoContext
from harvester.migrations.literals import Value
from harvester.migrations.schema import ops
from harvester.migrations.timestamped import Reading, read_directions, syntax_problem
from harvester.model import Problem

if TYPE_CHECKING:
    from tree_sitter import Node

_IRREVERSIBLE = "Ecto.MigrationError"


@cached("ecto-migration")
def read_migration(text: str, path: str, version: str, dialect: ops.Dialect | None) -> Reading:
    """The operations of one migration file (pure: text in, result out)."""
    root = treesitter.parse(text, "elixir")
    broken = syntax_problem(root, path, "Elixir")
    if broken is not None:
        return broken
    module = _module(root)
    fingerprint = _fingerprint(root, module, text)
    if module is None:
        return Reading(
            None, Problem(path, "not parsed: no `defmodule … do` in the file"), fingerprint
        )
    values = ElixirValues()
    functions, helpers, attributes, notes = _members(module, values)
    if not functions:
        notes.append("no change/0, up/0 or down/0: nothing runs")
    transactional = attributes.get("@disable_ddl_transaction") is not True
    if not transactional:
        notes.append(
            "@disable_ddl_transaction: runs outside a transaction, a failure leaves it half done"
        )
    if attributes.get("@disable_migration_lock") is True:
        notes.append("@disable_migration_lock: other nodes may run migrations at the same time")
    reader = EctoBody(values, EctoContext(dialect), helpers)
    directions = _directions(reader, functions, attributes, transactional)
    return read_directions(version, path, directions, notes, fingerprint)


def _module(root: Node) -> Node | None:
    """The `do` block of the module that `use`s Ecto.Migration (a file may define helper
    modules, such as schemas for a data migration, before it), else of the first one."""
    blocks = [
        block
        for node in treesitter.walk(root)
        if node.type == "call" and target_name(node) == "defmodule"
        for block in node.named_children
        if block.type == "do_block"
    ]
    migration = next(
        (b for b in blocks if "use Ecto.Migration" in " ".join(treesitter.text(b).split())), None
    )
    return migration or (blocks[0] if blocks else None)


def code_fingerprint(text: str) -> str:
    """What an Ecto migration file runs, as a digest: its syntax tree without comments,
    layout, documentation, and `alias` and `require` lines nothing uses."""
    root = treesitter.parse(text, "elixir")
    return _fingerprint(root, _module(root), text)


def _fingerprint(root: Node, module: Node | None, text: str) -> str:
    """The fingerprint of the file as if its documentation (`@moduledoc false`, which
    formatters such as Styler add) and the `alias` and `require` lines the module never uses
    were not there: adding or removing one changes nothing Ecto runs."""
    unused = _unused_directives(module) + _documentation(module) if module is not None else []
    if not unused:
        return treesitter.fingerprint(root, _same_call)
    source = bytearray(text.encode("utf-8"))
    for node in unused:
        source[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
    return treesitter.fingerprint(treesitter.parse(source.decode("utf-8"), "elixir"), _same_call)


# Module attributes that document the module and run nothing.
_DOCUMENTATION = frozenset({"@moduledoc", "@doc", "@typedoc", "@shortdoc"})
# Calls renamed without a change of behaviour (`Logger.warn` is the deprecated name of
# `Logger.warning`; Styler rewrites one into the other).
_RENAMED_CALLS = {"Logger.warn": "Logger.warning"}


def _documentation(module: Node) -> list[Node]:
    """The module's `@moduledoc`, `@doc`, `@typedoc` and `@shortdoc` attributes."""
    return [
        n
        for n in module.named_children
        if n.type == "unary_operator"
        and (inner := n.child_by_field_name("operand")) is not None
        and inner.type == "call"
        and "@" + target_name(inner) in _DOCUMENTATION
    ]


def _same_call(node: Node) -> str | None:
    """The current name of a call target renamed without a change of behaviour, for its old
    and its current spelling alike."""
    if node.type != "dot":
        return None
    name = "".join(treesitter.text(node).split())
    return _RENAMED_CALLS.get(name, name if name in _RENAMED_CALLS.values() else None)


def _unused_directives(module: Node) -> list[Node]:
    """`alias A.B`, `alias A.{B, C}`, `alias A.B, as: C` and `require A` statements of the
    module whose names no other code in it mentions."""
    directives = [
        n
        for n in module.named_children
        if n.type == "call" and target_name(n) in ("alias", "require")
    ]
    inside = {a.id for d in directives for a in treesitter.walk(d)}
    mentioned = [
        treesitter.text(n)
        for n in treesitter.walk(module)
        if n.type == "alias" and n.id not in inside
    ]
    return [
        d
        for d in directives
        if (names := _directive_names(d))
        and not any(m == name or m.startswith(f"{name}.") for m in mentioned for name in names)
    ]


def _directive_names(directive: Node) -> list[str]:
    """The names an `alias` statement makes usable (for `require`, the module it names);
    none when its shape is not one of the usual ones."""
    listed = next((c for c in directive.named_children if c.type == "arguments"), None)
    first = listed.named_children[0] if listed is not None and listed.named_children else None
    if first is None:
        return []
    if target_name(directive) == "require":
        return [treesitter.text(first)] if first.type == "alias" else []
    renamed = [
        pair.child_by_field_name("value")
        for keywords in listed.named_children  # type: ignore[union-attr]
        if keywords.type == "keywords"
        for pair in keywords.named_children
        if treesitter.text(pair.child_by_field_name("key")).strip().rstrip(":") == "as"
    ]
    if renamed:
        return [treesitter.text(n) for n in renamed if n is not None and n.type == "alias"]
    if first.type == "alias":
        return [treesitter.text(first).rsplit(".", 1)[-1]]
    group = first.child_by_field_name("right") if first.type == "dot" else None
    if group is not None and group.type == "tuple":
        return [treesitter.text(n).rsplit(".", 1)[-1] for n in group.named_children]
    return []


def _members(
    module: Node, values: ElixirValues
) -> tuple[dict[str, Node], dict[str, Node], dict[str, Value], list[str]]:
    """Public functions, private helpers, module attributes and notes of the module."""
    functions: dict[str, Node] = {}
    helpers: dict[str, Node] = {}
    attributes: dict[str, Value] = {}
    notes: list[str] = []
    uses_migration = False
    for node in module.named_children:
        if node.type == "unary_operator" and treesitter.text(node).startswith("@"):
            inner = node.child_by_field_name("operand")
            if inner is not None and inner.type == "call":
                name = "@" + target_name(inner)
                args = values.arguments(inner, attributes)
                # `@opts [type: :binary_id]`: a keyword list comes back as the options
                attributes[name] = (
                    args.positional[0] if args.positional else dict(args.options) or None
                )
            continue
        if node.type != "call":
            continue
        kind = target_name(node)
        if kind == "use":
            uses_migration = uses_migration or "Ecto.Migration" in treesitter.text(node)
        elif kind in ("def", "defp", "defdelegate"):
            listed = next((c for c in node.named_children if c.type == "arguments"), None)
            head = (
                listed.named_children[0] if listed is not None and listed.named_children else None
            )
            name = _function_name(head)
            if name:
                (helpers if kind == "defp" else functions)[name] = node
    if not uses_migration:
        notes.append("does not `use Ecto.Migration`: read as one anyway")
    return functions, helpers, attributes, notes


def _function_name(head: Node | None) -> str:
    if head is None:
        return ""
    if head.type == "call":
        return target_name(head)
    if head.type == "binary_operator":
        return _function_name(head.child_by_field_name("left"))
    return treesitter.text(head)


def _directions(
    reader: EctoBody, functions: dict[str, Node], env: dict[str, Value], transactional: bool
) -> Directions:
    # Ecto migrates up with change/0 when there is one (else up/0), and rolls back with
    # down/0 when there is one (else change/0 reversed).
    if "change" in functions and "down" not in functions:
        body = reader.function(functions["change"], env, change=True)
        directions = from_change(body, transactional, _IRREVERSIBLE)
        if directions.down is not None and reader.rollback_problems:
            broken = tuple(reader.rollback_problems)
            directions = replace(directions, down=replace(directions.down, broken=broken))
        return mark_raising(directions, reader.state)
    if not {"change", "up", "down"} & functions.keys():
        return Directions(ops.Step(), ops.Step(), down_is_noop=True)
    up_node = functions.get("change", functions.get("up"))
    up = reader.function(up_node, env, change=False)
    up_state = reader.state
    reader.state = StepState()
    if "down" not in functions:
        return mark_raising(from_up_down(up, None, transactional), up_state)
    down = reader.function(functions["down"], env, change=False)
    raises = bool(reader.state.raises)
    directions = from_up_down(
        up,
        down,
        transactional,
        down_raises="down/0 only raises: this migration cannot be rolled back"
        if raises and not down.up
        else None,
    )
    return mark_raising(directions, up_state)
