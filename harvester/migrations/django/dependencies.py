"""The migrations a Django migration depends on, as its class body and its `__init__` set them.

    class Migration(migrations.Migration):
        def __init__(self, name, app_label):
            super().__init__(name, app_label)
            self.dependencies = [("token_blacklist", "0010_fix_migrate_to_bigautofield")]
            if len(os.listdir(HERE)) == 9:
                self.dependencies.insert(0, ("token_blacklist", find_last()))

Literal parts are kept; a part harvester cannot read, or one added under a condition, is
known only at run time: it is noted and the migration is marked, so that no conflict is
claimed that the unknown link may resolve.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from harvester.migrations import pyast
from harvester.migrations.pyast import Call, Ref, Value

Key = tuple[str, str]

_EXTENDING = {"append", "extend", "insert"}


def read_dependencies(
    body: ast.ClassDef, attributes: Mapping[str, ast.expr], module: pyast.Module
) -> tuple[tuple[Key, ...], tuple[str, ...]]:
    """The keys the Migration class's `dependencies` name, with the class attribute then its
    `__init__` applied in order, and a note for each part known only at run time."""
    unknown: list[ast.expr] = []
    found = list(_listed(attributes.get("dependencies"), module, unknown))
    for statement in _init_statements(body):
        assigned, parts = _dependencies_set(statement, unknown)
        if assigned:
            found = []
        for part in parts:
            found += _listed(part, module, unknown)
    notes = tuple(
        f"dependencies also take {ast.unparse(part)[:60]} (line {part.lineno}), known only at "
        "run time: the migrations it names are not followed"
        for part in unknown
    )
    return keys(tuple(found)), notes


def keys(value: Value) -> tuple[Key, ...]:
    """Dependency keys: `("api", "0001_initial")`; a swappable dependency on a setting is
    `("__setting__", "AUTH_USER_MODEL")`."""
    found = []
    for item in value if isinstance(value, tuple) else ():
        if isinstance(item, tuple) and len(item) == 2 and all(isinstance(p, str) for p in item):
            found.append((str(item[0]), str(item[1])))
        elif isinstance(item, Call) and item.name == "swappable_dependency":
            setting = item.get("value", 0)
            if isinstance(setting, Ref):
                found.append(("__setting__", setting.tail))
            elif isinstance(setting, str) and "." in setting:
                found.append((setting.split(".")[0], "__first__"))
    return tuple(found)


def _listed(
    node: ast.expr | None, module: pyast.Module, unknown: list[ast.expr]
) -> tuple[Value, ...]:
    """The items a `dependencies` list names, also when it is joined to one harvester cannot
    read (`[("desk", "0027_x")] + settings.EXTRA_DEPENDENCIES`) or holds an item it cannot
    (`[latest_migration()]`): the literal parts; the others go to `unknown`."""
    if node is None:
        return ()
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(item for e in node.elts for item in _item(e, module, unknown))
    if isinstance(value := module.evaluate(node), tuple):
        return value
    found: list[Value] = []
    pending: list[ast.expr] = [node]
    while pending:
        part = pending.pop(0)
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            pending[:0] = [part.left, part.right]
        elif isinstance(listed := module.evaluate(part), tuple):
            found += listed
        else:
            unknown.append(part)
    return tuple(found)


def _item(node: ast.expr, module: pyast.Module, unknown: list[ast.expr]) -> tuple[Value, ...]:
    """One item of a literal `dependencies` list, when it reads as a key."""
    value = module.evaluate(ast.List(elts=[node], ctx=ast.Load(), lineno=node.lineno))
    if isinstance(value, tuple) and len(keys(value)) == len(value) == 1:
        return value
    unknown.append(node)
    return ()


def _init_statements(body: ast.ClassDef) -> list[ast.stmt]:
    """The statements of the class's `__init__` (none when it has none)."""
    for statement in body.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__init__":
            return statement.body
    return []


def _dependencies_set(statement: ast.stmt, unknown: list[ast.expr]) -> tuple[bool, list[ast.expr]]:
    """What one `__init__` statement does to `self.dependencies`: (True, [value]) for
    `self.dependencies = value`, (False, [items]) for `+=`, `.append`, `.extend` and
    `.insert`. A statement that touches it any other way, or under a condition or loop, adds
    what it names to `unknown` instead."""
    if not _names_self_dependencies(statement):
        return False, []
    if isinstance(statement, ast.Assign) and [pyast.dotted(t) for t in statement.targets] == [
        "self.dependencies"
    ]:
        return True, [statement.value]
    if (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.op, ast.Add)
        and _is_self_dependencies(statement.target)
    ):
        return False, [statement.value]
    if isinstance(statement, ast.Expr) and isinstance(call := statement.value, ast.Call):
        added = _extension(call)
        if added is not None:
            return False, [added]
    nested = [s for field in ("body", "orelse", "finalbody") for s in getattr(statement, field, [])]
    if not nested:
        unknown.append(_as_expression(statement))
    for inner in nested:
        _, parts = _dependencies_set(inner, unknown)
        unknown += [e for p in parts for e in (p.elts if isinstance(p, ast.List) else [p])]
    return False, []


def _extension(call: ast.Call) -> ast.expr | None:
    """The list `self.dependencies.append(x)`, `.insert(0, x)` or `.extend([…])` adds."""
    method = call.func
    if not (
        isinstance(method, ast.Attribute)
        and method.attr in _EXTENDING
        and _is_self_dependencies(method.value)
        and call.args
    ):
        return None
    item = call.args[-1]
    if method.attr == "extend":
        return item
    return ast.List(elts=[item], ctx=ast.Load(), lineno=item.lineno)


def _as_expression(statement: ast.stmt) -> ast.expr:
    """A statement standing as an expression, for its note: its first line."""
    text = ast.unparse(statement).splitlines()[0]
    return ast.Name(id=text, lineno=statement.lineno)


def _is_self_dependencies(node: ast.expr) -> bool:
    return pyast.dotted(node) == "self.dependencies"


def _names_self_dependencies(statement: ast.stmt) -> bool:
    return any(
        isinstance(n, ast.Attribute) and _is_self_dependencies(n) for n in ast.walk(statement)
    )
