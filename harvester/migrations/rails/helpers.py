"""Helper methods of a migration that only compute a value, read as that value.

def change
  primary_key_type, foreign_key_type = primary_and_foreign_key_types
  create_table :active_storage_blobs, id: primary_key_type do |t| … end
end

private

def primary_and_foreign_key_types
  config = Rails.configuration.generators
  setting = config.options[config.orm][:primary_key_type]
  [setting || :primary_key, setting || :bigint]
end
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.literals import Code, Value
from harvester.migrations.rails.ruby import RubyValues

if TYPE_CHECKING:
    from tree_sitter import Node

_SKIPPED = frozenset({"comment", "empty_statement"})


@dataclass(frozen=True, slots=True)
class HelperValue:
    """What a helper returns; `unread` is the configuration it falls back from (`setting ||
    :primary_key` is read as `:primary_key`), empty when the value does not depend on any."""

    value: Value
    unread: tuple[str, ...] = ()

    def note(self, name: str) -> str | None:
        """What Migration Status says about reading the helper so."""
        if not self.unread:
            return None
        settings = ", ".join(f"`{text}`" for text in dict.fromkeys(self.unread))
        return f"{name} read as when {settings} is not set (the project's setting may differ)"


def helper_values(methods: Mapping[str, Node], values: RubyValues) -> dict[str, HelperValue]:
    """The helpers without parameters that return a literal, by name."""
    found: dict[str, HelperValue] = {}
    for name, method in methods.items():
        if method.type != "method" or method.child_by_field_name("parameters") is not None:
            continue
        returned = _returned(method.child_by_field_name("body"), values)
        if returned is not None:
            found[name] = returned
    return found


def _returned(body: Node | None, values: RubyValues) -> HelperValue | None:
    """The value of the last statement, when every earlier one only assigns a local."""
    statements = [n for n in (body.named_children if body else []) if n.type not in _SKIPPED]
    if not statements:
        return None
    env: dict[str, Value] = {}
    unread: list[str] = []
    for node in statements[:-1]:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if node.type != "assignment" or left is None or left.type != "identifier":
            return None
        env[treesitter.text(left)] = _value(right, values, env, unread)
    last = statements[-1]
    value = _value(last, values, env, unread)
    if _unknown(value):
        return None
    return HelperValue(value, tuple(unread))


def _value(
    node: Node | None, values: RubyValues, env: dict[str, Value], unread: list[str]
) -> Value:
    """`values.value`, with `setting || literal` read as the literal and lists item by item."""
    if node is None:
        return None
    if node.type == "binary" and treesitter.text(node.child_by_field_name("operator")) == "||":
        left = _value(node.child_by_field_name("left"), values, env, unread)
        right = _value(node.child_by_field_name("right"), values, env, unread)
        if isinstance(left, Code) and not _unknown(right):
            unread.append(left.text)
            return right
        return right if left is None or left is False else left
    if node.type == "array":
        return [_value(item, values, env, unread) for item in node.named_children]
    return values.value(node, env)


def _unknown(value: Value) -> bool:
    if isinstance(value, list):
        return any(_unknown(item) for item in value)
    return isinstance(value, Code)
