"""Translation markers that hand their text back unchanged, read out of a migration's code.

    _ = lambda s: s          # or: from django.utils.translation import gettext_noop as _

    def create_roles(apps, schema_editor):
        Role.objects.create(name=_("Member"))

stores "Member" whichever marker wraps it: swapping `_` for `pgettext_lazy = lambda c, s: s`
and `pgettext_lazy("role name", "Member")` changes no value the database gets.
"""

from __future__ import annotations

import ast

# Django's markers that return their message as given, and the position of the message.
_NOOP_MARKERS = {"gettext_noop": 0, "ugettext_noop": 0, "pgettext_noop": 1}
_TRANSLATION = "django.utils.translation"


def without_markers(tree: ast.Module) -> ast.Module:
    """`tree` with each call of an identity marker replaced by the text it marks, and the
    markers' definitions left out (the tree is changed in place)."""
    markers = _markers(tree)
    if not markers:
        return tree
    tree.body = [s for s in tree.body if not _defines_marker(s, markers)]
    _Unwrap(markers).visit(tree)
    return tree


def _markers(tree: ast.Module) -> dict[str, int]:
    """Module-level names bound to an identity marker, with the position of the text."""
    found: dict[str, int] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == _TRANSLATION:
            for alias in statement.names:
                if alias.name in _NOOP_MARKERS:
                    found[alias.asname or alias.name] = _NOOP_MARKERS[alias.name]
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and (position := _returned_argument(statement.value)) is not None
        ):
            found[statement.targets[0].id] = position
    return found


def _returned_argument(node: ast.expr) -> int | None:
    """The position of the argument a lambda returns as it is (`lambda c, s: s` -> 1)."""
    if not isinstance(node, ast.Lambda) or not isinstance(node.body, ast.Name):
        return None
    names = [a.arg for a in node.args.args]
    return names.index(node.body.id) if node.body.id in names else None


def _defines_marker(statement: ast.stmt, markers: dict[str, int]) -> bool:
    return (
        isinstance(statement, ast.Assign)
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id in markers
        and _returned_argument(statement.value) is not None
    )


class _Unwrap(ast.NodeTransformer):
    """Replaces `_("Member")` by `"Member"`."""

    def __init__(self, markers: dict[str, int]) -> None:
        self.markers = markers

    def visit_Call(self, node: ast.Call) -> ast.AST:
        position = self.markers.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if (
            position is None
            or node.keywords
            or len(node.args) != position + 1
            or any(isinstance(a, ast.Starred) for a in node.args)
        ):
            return self.generic_visit(node)
        text: ast.AST = self.visit(node.args[position])
        return text
