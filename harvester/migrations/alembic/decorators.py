"""Decorators on `upgrade()` / `downgrade()` that skip the body on some database engines.

    from myapp.migrations import utils

    @utils.skip_if_sqlite
    def upgrade():
        op.alter_column("project", "password", type_=sa.String(256))

    # myapp/migrations/utils.py
    def skip_if_sqlite(func):
        def wrapper(*args, **kwargs):
            if op.get_bind().engine.dialect.name == "sqlite":
                return
            return func(*args, **kwargs)
        return wrapper

The decorator is read where the repository defines it (the revision file itself, or the module
it is imported from); one harvester cannot find or follow is judged from its name only when the
name says so (`skip_if_sqlite`), and said so.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from harvester.migrations import pyast
from harvester.migrations.alembic.conditions import engine_predicate
from harvester.migrations.base import RepoView, Side
from harvester.migrations.pymodules import PythonFile, PythonModules, package_of
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts.dialects import dialect_named

_SKIP_NAME = re.compile(r"skip(?:s|ped)?_(?:if|on|for|with|when)_([a-z0-9]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EngineSkip:
    """A decorator that makes `function` do nothing on `engines`."""

    function: str  # upgrade or downgrade
    decorator: str  # as written: utils.skip_if_sqlite
    source: str  # where it was read: a path, or "its name"
    engines: tuple[Dialect, ...]


def engine_skips(view: RepoView, side: Side, path: str, text: str) -> tuple[EngineSkip, ...]:
    """The engine skips of the decorators on a revision's upgrade() and downgrade()."""
    if "@" not in text:
        return ()
    module = pyast.parse_module(text)
    if isinstance(module, pyast.SyntaxProblem):
        return ()
    found = []
    for name in ("upgrade", "downgrade"):
        function = module.functions.get(name)
        for decorator in function.decorator_list if function else ():
            written = pyast.dotted(decorator)
            if written is None:
                continue
            skip = _read_skip(view, side, path, module, written) or _named_skip(written)
            if skip is not None:
                found.append(EngineSkip(name, written, *skip))
    return tuple(found)


def _read_skip(
    view: RepoView, side: Side, path: str, module: pyast.Module, written: str
) -> tuple[str, tuple[Dialect, ...]] | None:
    """The engines the decorator's own body skips, read in this file or the one it comes from."""
    head, _, name = written.rpartition(".")
    if not head and name in module.functions:
        skipped = _skipped_engines(module.functions[name], module)
        return (path, skipped) if skipped else None
    revision = PythonFile(path, package_of(path), module)
    imported = revision.imports().get(head or name)
    if imported is None:
        return None
    source, taken = imported
    if head:  # `guards.skip_if_sqlite`: guards is a module, or a module taken from a package
        dotted, function = (f"{source}.{taken}" if taken else source), name
    elif taken is not None:  # `skip_if_sqlite` taken from a module
        dotted, function = source, taken
    else:
        return None
    other = PythonModules(view, side).module(dotted)
    if other is None or function not in other.code.functions:
        return None
    skipped = _skipped_engines(other.code.functions[function], other.code)
    return (other.path, skipped) if skipped else None


def _named_skip(written: str) -> tuple[str, tuple[Dialect, ...]] | None:
    """`skip_if_sqlite` names the engine it skips."""
    match = _SKIP_NAME.search(written.rsplit(".", 1)[-1])
    dialect = dialect_named(match.group(1)) if match else None
    return ("its name", (dialect,)) if dialect is not None else None


def _skipped_engines(
    decorator: ast.FunctionDef | ast.AsyncFunctionDef, module: pyast.Module
) -> tuple[Dialect, ...]:
    """The engines on which the decorator returns without calling the function it wraps:
    `if <engine test>: return` with the call in the `else` or after the `if`, or the call
    only in the branch of the engines it runs on."""
    params = [a.arg for a in decorator.args.args]
    if not params:
        return ()
    wrapped = params[0]
    everywhere = _calls(decorator.body, wrapped)
    for node in ast.walk(decorator):
        if not isinstance(node, ast.If):
            continue
        predicate = engine_predicate(node.test, (), module.functions)
        if predicate is None:
            continue
        in_body, in_else = _calls(node.body, wrapped), _calls(node.orelse, wrapped)
        elsewhere = everywhere > in_body + in_else
        if not in_body and pyast.ends_with_return(node.body) and (in_else or elsewhere):
            runs = [d for d in Dialect if not predicate(d)]
        elif in_body and not in_else and not elsewhere:
            runs = [d for d in Dialect if predicate(d)]
        else:
            continue
        skipped = tuple(d for d in Dialect if d not in runs)
        return skipped if runs and skipped else ()
    return ()


def _calls(statements: list[ast.stmt], name: str) -> int:
    """How many calls of `name` the statements hold."""
    return sum(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
        for s in statements
        for n in ast.walk(s)
    )
