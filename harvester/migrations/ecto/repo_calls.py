"""Repo calls inside an Ecto migration: `repo().update_all/3`, `insert_all`, `query!`, and the
queries piped into them, as data changes or SQL.

from(c in "cars", where: is_nil(c.vin), update: [set: [vin: "unknown"]])
|> repo().update_all([])                      # DataChange UPDATE on cars, with a WHERE
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.ecto.elixir import ElixirValues, receiver, target_name
from harvester.migrations.literals import Code, Value
from harvester.migrations.schema import ops

if TYPE_CHECKING:
    from tree_sitter import Node

_KINDS = {
    "update_all": ops.DataChangeKind.UPDATE,
    "delete_all": ops.DataChangeKind.DELETE,
    "insert_all": ops.DataChangeKind.INSERT,
}
_ROW_WRITES = frozenset(
    {
        "insert",
        "insert!",
        "update",
        "update!",
        "delete",
        "delete!",
        "insert_or_update",
        "insert_or_update!",
    }
)
_READS = frozenset(
    {
        "all",
        "one",
        "one!",
        "get",
        "get!",
        "get_by",
        "get_by!",
        "aggregate",
        "exists?",
        "stream",
        "reload",
    }
)
SQL_CALLS = frozenset({"query", "query!"})
_RAISING = frozenset(
    {"insert!", "update!", "delete!", "insert_or_update!", "one!", "get!", "get_by!"}
)
_WORDS = {
    ops.DataChangeKind.UPDATE: "rewrites rows of",
    ops.DataChangeKind.DELETE: "deletes rows of",
    ops.DataChangeKind.INSERT: "inserts rows into",
}


@dataclass(frozen=True, slots=True)
class RepoCall:
    """A call on the migration's repo: its function name and the pipeline feeding it."""

    function: str
    node: Node
    piped: tuple[Node, ...] = ()


def repo_call(node: Node, piped: Sequence[Node] = ()) -> RepoCall | None:
    """The repo call `node` is (`repo().f(...)`, `Repo.f(...)`, `MyApp.Repo.f(...)`), if any."""
    if node.type != "call":
        return None
    left = receiver(node)
    if left is None:
        return None
    text = treesitter.text(left)
    if text in ("repo()", "repo") or text.endswith("Repo"):
        return RepoCall(target_name(node), node, tuple(piped))
    return None


def reads(call: RepoCall) -> bool:
    """Whether the call only reads rows."""
    return call.function in _READS


def data_change(
    call: RepoCall, values: ElixirValues, env: Mapping[str, Value]
) -> ops.DataChange | None:
    """The rows a repo call writes, as a `DataChange` (None for reads and SQL)."""
    kind = _KINDS.get(call.function)
    per_row = call.function in _ROW_WRITES
    if kind is None and not per_row:
        return None
    source = call.piped[0] if call.piped else _first_argument(call.node)
    table, has_where = _source(source, call.piped, values, env)
    shown = " ".join(treesitter.text(call.node).split())
    shown = shown if len(shown) <= 70 else shown[:67] + "…"
    where = table or "a schema's table"
    if per_row:
        detail = f"writes rows of {where} one by one from Elixir code ({shown})"
        kind = ops.DataChangeKind.CODE
    else:
        assert kind is not None
        detail = f"{_WORDS[kind]} {where} from Elixir code ({shown})"
    updates = kind is ops.DataChangeKind.UPDATE
    assigned = _assignments(call, source, values, env) if updates else {}
    return ops.DataChange(
        kind,
        table,
        detail,
        has_where=has_where or per_row,
        raises_on_data=call.function in _RAISING,
        line=treesitter.line(call.node),
        columns=tuple(assigned),
        sets=tuple((column, "NULL") for column, value in assigned.items() if value is None),
    )


def _assignments(
    call: RepoCall, source: Node | None, values: ElixirValues, env: Mapping[str, Value]
) -> dict[str, Value]:
    """The columns `update_all(q, set: [a: 1])` or `from(…, update: [set: [a: 1]])` set, with
    the values they are set to (None for `nil`)."""
    updates: list[Value] = []
    args = values.arguments(call.node, env)
    updates.extend(args.positional[1:] if not call.piped else args.positional)
    updates.append(dict(args.options))
    if source is not None and source.type == "call" and target_name(source) == "from":
        updates.append(values.arguments(source, env).options.get("update"))
    found: dict[str, Value] = {}
    for update in updates:
        if isinstance(update, dict):
            for operation in ("set", "inc", "push", "pull"):
                assignments = update.get(operation)
                if isinstance(assignments, dict):
                    for column, value in assignments.items():
                        found.setdefault(column, value if operation == "set" else Code(operation))
    return found


def raises_on_data(call: RepoCall) -> bool:
    """Whether the call raises when rows are missing or invalid (`one!`, `update!`, …)."""
    return call.function in _RAISING


def _first_argument(node: Node) -> Node | None:
    listed = next((c for c in node.named_children if c.type == "arguments"), None)
    return listed.named_children[0] if listed is not None and listed.named_children else None


def _source(
    node: Node | None, piped: Sequence[Node], values: ElixirValues, env: Mapping[str, Value]
) -> tuple[str | None, bool]:
    """(table, has a where clause) of a queryable: `"cars"`, `from(c in "cars", …)`, a pipe."""
    if node is None:
        return None, False
    has_where = any(target_name(p) in ("where", "or_where") for p in piped if p.type == "call")
    value = values.value(node, env)
    if isinstance(value, str):
        return value, has_where
    if node.type == "call" and target_name(node) == "from":
        first = _first_argument(node)
        has_where = has_where or "where" in values.arguments(node, env).options
        if first is not None and first.type == "binary_operator":
            right = first.child_by_field_name("right")
            found = values.value(right, env)
            return (found if isinstance(found, str) else None), has_where
        found = values.value(first, env)
        return (found if isinstance(found, str) else None), has_where
    return None, has_where
