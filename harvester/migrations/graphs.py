"""Execution order for migrations that name their parents: Django `dependencies`, Alembic
`down_revision`.

    post_order(["c"], {"c": ["b"], "b": ["a"], "a": []})  ->  ("a", "b", "c")
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def post_order(targets: Iterable[Node], parents: Mapping[Node, Sequence[Node]]) -> tuple[Node, ...]:
    """Depth-first from each target, parents in the order given, every node after all of its
    parents; nodes missing from `parents` are left out, and a cycle stops where it closes."""
    done: set[Node] = set()
    entered: set[Node] = set()
    order: list[Node] = []
    for target in targets:
        stack: list[tuple[Node, bool]] = [(target, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if expanded:
                done.add(node)
                order.append(node)
                continue
            if node in entered or node not in parents:
                continue
            entered.add(node)
            stack.append((node, True))
            stack += [(p, False) for p in reversed(parents[node]) if p not in done]
    return tuple(order)
