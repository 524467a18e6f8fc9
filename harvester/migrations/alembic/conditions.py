"""Branches of a revision that depend on the database engine.

    if op.get_bind().dialect.name == "postgresql": ...
    url = str(bind.engine.url)
    if url.startswith("mysql"): ...
    is_sqlite = bind.dialect.name == "sqlite"
    if is_sqlite: ...
    if settings.pg_uri: ...              # a setting named after one engine's URL

Such a condition is a predicate over engines: the walker follows the branch that runs on the
engine the project uses (PostgreSQL when it is not known, with a note).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Mapping

from harvester.migrations import pyast
from harvester.migrations.schema.ops import Dialect

Predicate = Callable[[Dialect], bool]

_ENGINE_WORDS = ("dialect", "engine", "url", "driver", "bind")
# Objects and calls that hold deployment settings.
_SETTINGS_ROOTS = ("settings", "config", "conf", "environ")
_ENVIRONMENT_READS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})
# Words that, beside an engine's name, make a setting mean "this engine is used".
_SETTING_WORDS = frozenset({"uri", "url", "dsn", "use", "is"})
_NAMES = {
    "postgresql": Dialect.POSTGRESQL,
    "postgres": Dialect.POSTGRESQL,
    "psycopg": Dialect.POSTGRESQL,
    "psycopg2": Dialect.POSTGRESQL,
    "mysql": Dialect.MYSQL,
    "mariadb": Dialect.MARIADB,
    "sqlite": Dialect.SQLITE,
    "mssql": Dialect.SQLSERVER,
    "cockroachdb": Dialect.COCKROACHDB,
}


def engine_predicate(
    test: ast.expr,
    engine_names: Collection[str],
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef] | None = None,
    tests: Mapping[str, ast.expr] | None = None,
) -> Predicate | None:
    """The engines on which `test` is true, when `test` is about the engine at all.

    `engine_names` are local names bound to engine expressions (`url = str(bind.engine.url)`);
    `tests` are local names bound to engine tests (`is_sqlite = bind.dialect.name ==
    "sqlite"`), read as the test; calls to module `functions` that only return an expression
    (`def is_postgres(): return op.get_context().dialect.name == "postgresql"`) are read
    through.
    """
    helpers, named = functions or {}, tests or {}
    test = _inline(test, helpers, named)
    match test:
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            inner = engine_predicate(operand, engine_names, helpers, named)
            return None if inner is None else (lambda d: not inner(d))
        case ast.Name() | ast.Attribute() if (engines := setting_engines(test)) is not None:
            return _within(engines)
        case ast.BoolOp(op=op, values=values):
            parts = [engine_predicate(v, engine_names, helpers, named) for v in values]
            if any(p is None for p in parts):
                return None
            found = [p for p in parts if p is not None]
            if isinstance(op, ast.And):
                return lambda d: all(p(d) for p in found)
            return lambda d: any(p(d) for p in found)
        case ast.Compare(
            left=left,
            ops=[ast.Is() | ast.Eq() | ast.IsNot() | ast.NotEq() as operator],
            comparators=[ast.Constant(value=bool() as truth)],
        ):
            tested = engine_predicate(left, engine_names, helpers, named)
            if tested is None:
                return None
            keep = truth == isinstance(operator, (ast.Is, ast.Eq))
            return tested if keep else (lambda d: not tested(d))
        case ast.Compare(
            left=ast.Name() | ast.Attribute() as left,
            ops=[ast.Is() | ast.IsNot() as operator],
            comparators=[ast.Constant(value=None)],
        ) if (engines := setting_engines(left)) is not None:
            is_set = _within(engines)
            return (lambda d: not is_set(d)) if isinstance(operator, ast.Is) else is_set
        case ast.Compare(left=left, ops=[operator], comparators=[right]):
            return _comparison(
                _inline(left, helpers, named),
                operator,
                _inline(right, helpers, named),
                engine_names,
            )
        case ast.Call(func=ast.Attribute(attr="startswith", value=subject), args=[prefix]):
            engines = _engines(prefix)
            if engines is None or not mentions_engine(subject, engine_names):
                return None
            return lambda d: d in engines
    return None


def known_outcome(
    test: ast.expr, module: pyast.Module, local: Mapping[str, ast.expr]
) -> bool | None:
    """Whether a comparison of values the file fixes holds (`table_name == "server"` in a
    helper called with "sharedserver"), or None when it depends on run time."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left = module.evaluate(test.left, local)
    right = module.evaluate(test.comparators[0], local)
    listed = right if isinstance(right, tuple) else (right,)
    if not all(isinstance(v, (str, int, float)) for v in (left, *listed)):
        return None
    match test.ops[0]:
        case ast.Eq():
            return left == right
        case ast.NotEq():
            return left != right
        case ast.In() if isinstance(right, tuple):
            return left in right
        case ast.NotIn() if isinstance(right, tuple):
            return left not in right
    return None


def setting_engines(node: ast.expr) -> frozenset[Dialect] | None:
    """The engine a setting is named after, when its name says it is set only on that engine:
    `settings.letta_pg_uri_no_default`, `config.SQLITE_URL`, `use_mysql` (an engine's name
    with `uri`, `url`, `dsn`, `use` or `is`)."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    words = set(re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_"))
    named = {_NAMES[w] for w in words if w in _NAMES} | (
        {Dialect.POSTGRESQL} if "pg" in words else set()
    )
    if len(named) != 1 or not words & _SETTING_WORDS:
        return None
    return frozenset(named | ({Dialect.MARIADB} if Dialect.MYSQL in named else set()))


def reads_setting(test: ast.expr) -> bool:
    """True when `test` reads a deployment setting (`settings.use_fts`, `not
    config.LEGACY`, `os.getenv("X")`, `settings.mode == "full"`): it decides per deployment,
    so harvester cannot tell whether its branch runs."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and all(isinstance(c, ast.Constant) for c in test.comparators):
        test = test.left
    if isinstance(test, ast.Call):
        return pyast.call_name(test) in _ENVIRONMENT_READS
    names = []
    while isinstance(test, (ast.Attribute, ast.Subscript)):
        names.append(test.attr if isinstance(test, ast.Attribute) else "")
        test = test.value
    if not isinstance(test, ast.Name) or not names:
        return False
    owners = [test.id, *names[1:]]  # the objects the setting is read from
    return any(w in name.lower() for name in owners for w in _SETTINGS_ROOTS)


def _within(engines: frozenset[Dialect]) -> Predicate:
    return lambda d: d in engines


def _inline(
    node: ast.expr,
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef],
    tests: Mapping[str, ast.expr],
) -> ast.expr:
    """`helper()` as the expression it returns, when its body is only `return <expr>`; a
    local name bound to an engine test as that test."""
    if isinstance(node, ast.Name) and node.id in tests:
        return tests[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
        function = functions.get(node.func.id)
        body = [s for s in function.body if not isinstance(s, ast.Expr)] if function else []
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return body[0].value
    return node


def mentions_engine(node: ast.AST, engine_names: Collection[str]) -> bool:
    """True when an expression reads the engine: `bind.dialect.name`, `str(engine.url)`."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in _ENGINE_WORDS:
            return True
        if isinstance(inner, ast.Name) and (
            inner.id in engine_names or any(w in inner.id.lower() for w in _ENGINE_WORDS)
        ):
            return True
    return False


def _comparison(
    left: ast.expr, operator: ast.cmpop, right: ast.expr, engine_names: Collection[str]
) -> Predicate | None:
    engines = _engines(right)
    subject = left
    if engines is None:
        engines, subject = _engines(left), right
    if engines is None or not mentions_engine(subject, engine_names):
        return None
    chosen = engines
    if isinstance(operator, (ast.Eq, ast.In, ast.Is)):
        return lambda d: d in chosen
    if isinstance(operator, (ast.NotEq, ast.NotIn, ast.IsNot)):
        return lambda d: d not in chosen
    return None


def _engines(node: ast.expr) -> frozenset[Dialect] | None:
    values: list[object] = []
    if isinstance(node, ast.Constant):
        values = [node.value]
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    found = set()
    for value in values:
        if not isinstance(value, str):
            return None
        head = value.lower().split("+")[0].split(":")[0]
        dialect = _NAMES.get(head)
        if dialect is None:
            return None
        found.add(dialect)
        if dialect is Dialect.MYSQL:
            found.add(Dialect.MARIADB)
    return frozenset(found) if found else None
