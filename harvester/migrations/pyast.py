"""Reading Python migration files as syntax trees, never importing them.

Django and Alembic migrations are Python: this module parses them with `ast`, evaluates the
literal parts of calls (`models.CharField(max_length=150)`, `sa.Column("id", sa.Integer())`)
into plain values, and compares two versions of a file while ignoring formatting, comments and
docstrings.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Ref:
    """A name the file does not define as a literal: `settings.AUTH_USER_MODEL`, `forwards`."""

    name: str

    @property
    def tail(self) -> str:
        """The last component: `AUTH_USER_MODEL`."""
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class Code:
    """An expression that is not a literal (a lambda, an f-string, arithmetic), as source."""

    source: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A call with its arguments evaluated: `models.CharField(max_length=150)`."""

    func: str
    args: tuple[Value, ...] = ()
    kwargs: Mapping[str, Value] = field(default_factory=dict)
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        """The called name without its module: `CharField`."""
        return self.func.rsplit(".", 1)[-1]

    def get(self, keyword: str, position: int | None = None, default: Value = None) -> Value:
        """An argument given by keyword, or at `position` among the positional ones."""
        if keyword in self.kwargs:
            return self.kwargs[keyword]
        if position is not None and position < len(self.args):
            return self.args[position]
        return default

    def has(self, keyword: str, position: int | None = None) -> bool:
        """True when the argument is given, by keyword or at `position`."""
        return keyword in self.kwargs or (position is not None and position < len(self.args))


Value: TypeAlias = (
    str
    | int
    | float
    | bool
    | bytes
    | tuple["Value", ...]
    | dict[str, "Value"]
    | Ref
    | Call
    | Code
    | None
)


@dataclass(frozen=True, slots=True)
class Module:
    """A parsed Python file: its tree and the module-level names it binds to expressions."""

    tree: ast.Module
    constants: Mapping[str, ast.expr]
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def evaluate(self, node: ast.expr | None, local: Mapping[str, ast.expr] | None = None) -> Value:
        """`node` as a value, resolving `local` names, module-level constants and renamed
        imports."""
        names = {**self.constants, **local} if local else self.constants
        return _Evaluator(names, self.aliases, self.functions).value(node)

    def unroll(
        self, node: ast.ListComp | ast.GeneratorExp, limit: int = 500
    ) -> list[dict[str, ast.expr]] | None:
        """The name bindings of each item of a comprehension over literal lists
        (`[RemoveField(m, f) for m in MODELS for f in FIELDS]`), or None when it loops over
        anything else, filters, or runs past `limit` items."""
        return _Evaluator(self.constants, self.aliases, self.functions).unroll(node, limit)


def bind(target: ast.expr, item: Value) -> dict[str, ast.expr]:
    """The names a loop target binds to one literal item (`for m, f in PAIRS`)."""
    if isinstance(target, ast.Name):
        return {target.id: _literal(item)}
    if isinstance(target, ast.Tuple) and isinstance(item, tuple):
        found: dict[str, ast.expr] = {}
        for inner, value in zip(target.elts, item, strict=False):
            found.update(bind(inner, value))
        return found
    return {}


def _literal(item: Value) -> ast.expr:
    """A literal value back as an expression, so that later evaluation sees it."""
    if isinstance(item, tuple):
        return ast.Tuple(elts=[_literal(i) for i in item], ctx=ast.Load())
    if isinstance(item, dict):
        return ast.Dict(
            keys=[ast.Constant(value=k) for k in item],
            values=[_literal(v) for v in item.values()],
        )
    if isinstance(item, (str, int, float, bool, bytes)) or item is None:
        return ast.Constant(value=item)
    if isinstance(item, Call):
        call = ast.Call(
            func=_source(item.func, item.line),
            args=[_literal(a) for a in item.args],
            keywords=[ast.keyword(arg=k, value=_literal(v)) for k, v in item.kwargs.items()],
        )
        return ast.copy_location(call, call.func)
    if isinstance(item, Ref):
        return _source(item.name)
    return _source(item.source, item.line)


def _source(text: str, line: int = 0) -> ast.expr:
    """An expression parsed back from its source (a `Ref`'s name, a `Code`'s source), placed
    on `line`; None when it does not parse alone."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        node = ast.Constant(value=None)
    for inner in ast.walk(node):
        if "lineno" in inner._attributes:
            inner.lineno = inner.end_lineno = line  # type: ignore[attr-defined]
            inner.col_offset = inner.end_col_offset = 0  # type: ignore[attr-defined]
    return node


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """Why a file is not Python this module can read, with the line."""

    message: str
    line: int | None


def parse_module(text: str) -> Module | SyntaxProblem:
    """The module of `text`, or the syntax error that stops it."""
    try:
        tree = _parse_any_python(text)
    except SyntaxError as error:
        return SyntaxProblem(f"not parsed: Python syntax error ({error.msg})", error.lineno)
    except (ValueError, RecursionError) as error:
        return SyntaxProblem(f"not parsed: {error}", None)
    constants: dict[str, ast.expr] = {}
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    aliases: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[statement.name] = statement
        if isinstance(statement, ast.ImportFrom) and statement.module:
            for alias in statement.names:
                if alias.asname and alias.asname != alias.name:
                    aliases[alias.asname] = alias.name
        for name, value in assignments(statement):
            constants[name] = value
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            # A function defined in the class body (`class Migration: def forwards(…)`) is
            # what the class's own `operations` name.
            for member in statement.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.setdefault(member.name, member)
    return Module(tree, constants, functions, aliases)


# `except A, B:` without parentheses (Python 3.14, PEP 758), in its 3.11 spelling.
_BARE_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?\s+)([^():\n#]+,[^():\n#]+?)(\s*:)", re.M)


def _parse_any_python(text: str) -> ast.Module:
    """`ast.parse`, also for the newer syntax migrations may use that the running Python lacks
    and that changes nothing harvester reads (PEP 758's unparenthesised except tuples)."""
    try:
        return ast.parse(text)
    except SyntaxError:
        older = _BARE_EXCEPT_TUPLE.sub(r"\1(\2)\3", text)
        if older == text:
            raise
    try:
        return ast.parse(older)
    except SyntaxError:
        return ast.parse(text)  # the original error, for the original text


def assignments(statement: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    """The `name = value` bindings of one statement (plain and annotated assignments)."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name):
                yield target.id, statement.value
    elif (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.value is not None
    ):
        yield statement.target.id, statement.value


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_name(node: ast.AST) -> str | None:
    """The dotted name a call calls (`op.add_column`), or None for anything else."""
    return dotted(node.func) if isinstance(node, ast.Call) else None


def evaluate(node: ast.expr | None, names: Mapping[str, ast.expr] | None = None) -> Value:
    """The value of an expression: literals as Python values, calls as `Call`, names as `Ref`.

    `names` are module-level bindings: a name bound to a literal evaluates to that literal.
    """
    return _Evaluator(names or {}, {}).value(node)


# String methods evaluated on literal strings: pure, and their results stay small.
_STRING_METHODS = frozenset(
    {"replace", "lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize"}
    | {"removeprefix", "removesuffix"}
)


# Calls that build a collection from a literal one; read as a tuple like the literal.
_COLLECTIONS = frozenset({"list", "tuple", "set", "frozenset"})


class _Evaluator:
    """Evaluation with a guard against names that refer to themselves."""

    def __init__(
        self,
        names: Mapping[str, ast.expr],
        aliases: Mapping[str, str],
        functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef] | None = None,
    ) -> None:
        self.names = names
        self.aliases = aliases
        self.functions = functions or {}
        self.resolving: set[str] = set()

    def dotted(self, node: ast.AST) -> str | None:
        """`dotted`, with a name imported under another name read as the original name."""
        name = dotted(node)
        if name is None:
            return None
        head, dot, rest = name.partition(".")
        return self.aliases.get(head, head) + dot + rest

    def value(self, node: ast.expr | None) -> Value:
        """The value of one expression."""
        if node is None:
            return None
        match node:
            case ast.Constant(value=value) if not isinstance(value, (complex, type(...))):
                return value
            case ast.JoinedStr() if all(isinstance(v, ast.Constant) for v in node.values):
                return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                return tuple(self.value(e) for e in elts)
            case ast.Dict():
                return self.mapping(node)
            case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() | float() as num)):
                return -num
            case ast.Subscript(slice=ast.Constant(value=str() | int() as key)):
                # `item["name"]`, `pair[0]` of a literal bound by an unrolled loop
                held = self.value(node.value)
                if isinstance(held, dict) and isinstance(key, str) and key in held:
                    return held[key]
                if (
                    isinstance(held, tuple)
                    and isinstance(key, int)
                    and -len(held) <= key < len(held)
                ):
                    return held[key]
            case ast.BinOp(op=ast.Add()):
                left, right = self.value(node.left), self.value(node.right)
                if isinstance(left, str) and isinstance(right, str):
                    return left + right
                if isinstance(left, tuple) and isinstance(right, tuple):
                    return left + right
            case ast.Name(id=bound) if bound in self.names and bound not in self.resolving:
                self.resolving.add(bound)
                try:
                    return self.value(self.names[bound])
                finally:
                    self.resolving.discard(bound)
            case ast.Name() | ast.Attribute() if (name := self.dotted(node)) is not None:
                return Ref(name)
            case ast.Call(func=ast.Name(id=helper)) if (
                returned := self.returned(helper, node)
            ) is not None:
                return returned
            case ast.Call(func=ast.Name(id=builder), args=[listed], keywords=[]) if (
                builder in _COLLECTIONS and isinstance(items := self.value(listed), tuple)
            ):
                # `set([("site", "slug")])`, as Django 1.x wrote `unique_together`
                return items
            case ast.Call(func=ast.Name(id=builder), args=[], keywords=[]) if (
                builder in _COLLECTIONS
            ):
                return ()
            case ast.Call(func=ast.Attribute(value=held, attr=method), keywords=[]) if (
                method in _STRING_METHODS
                and isinstance(text := self.value(held), str)
                and (args := self.arguments(node.args)) is not None
                and all(isinstance(a, (str, int)) for a in args)
            ):
                # `column.replace("_", ".")` over a string a loop or constant gives
                try:
                    return getattr(str, method)(text, *args)  # type: ignore[no-any-return]
                except (TypeError, ValueError):
                    pass
            case ast.Call() if (func := self.dotted(node.func)) is not None and (
                args := self.arguments(node.args)
            ) is not None:
                kwargs = {k.arg: self.value(k.value) for k in node.keywords if k.arg is not None}
                return Call(func, args, kwargs, node.lineno)
        return Code(ast.unparse(node), getattr(node, "lineno", 0))

    def arguments(self, nodes: list[ast.expr]) -> tuple[Value, ...] | None:
        """Positional arguments, a starred literal list spliced in (`*columns`); None when a
        starred argument is not a literal list."""
        found: list[Value] = []
        for node in nodes:
            if not isinstance(node, ast.Starred):
                found.append(self.value(node))
                continue
            spread = (
                self.listed(node.value)
                if isinstance(node.value, ast.ListComp)
                else self.value(node.value)
            )
            if not isinstance(spread, tuple):
                return None
            found.extend(spread)
        return tuple(found)

    def listed(self, node: ast.ListComp) -> Value:
        """A list comprehension over literal lists, as the tuple it builds."""
        bindings = self.unroll(node)
        if bindings is None:
            return None
        return tuple(
            _Evaluator({**self.names, **local}, self.aliases, self.functions).value(node.elt)
            for local in bindings
        )

    def unroll(
        self, node: ast.ListComp | ast.GeneratorExp, limit: int = 500
    ) -> list[dict[str, ast.expr]] | None:
        """See `Module.unroll`."""
        bindings: list[dict[str, ast.expr]] = [{}]
        for generator in node.generators:
            if generator.ifs or generator.is_async:
                return None
            unrolled = []
            for local in bindings:
                scope = _Evaluator({**self.names, **local}, self.aliases, self.functions)
                values = scope.value(generator.iter)
                if not isinstance(values, tuple):
                    return None
                unrolled += [{**local, **bind(generator.target, item)} for item in values]
            if len(unrolled) > limit:
                return None
            bindings = unrolled
        return bindings

    def returned(self, name: str, call: ast.Call) -> Value:
        """What a call of a module function that only returns an expression gives, its
        parameters bound to the arguments (`_workspace_column()` -> the `sa.Column` it builds);
        None for any other call."""
        function = self.functions.get(name)
        key = f"{name}()"
        if function is None or key in self.resolving:
            return None
        body = [s for s in function.body if not _is_docstring(s)]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return None
        params = [a.arg for a in function.args.args]
        bound = dict(zip(params, call.args, strict=False))
        bound.update({k.arg: k.value for k in call.keywords if k.arg is not None})
        inner = _Evaluator({**self.names, **bound}, self.aliases, self.functions)
        inner.resolving = self.resolving | {key}
        return inner.value(body[0].value)

    def mapping(self, node: ast.Dict) -> Value:
        """A dict literal with string keys (anything else stays code)."""
        result: dict[str, Value] = {}
        for key, item in zip(node.keys, node.values, strict=True):
            name = self.value(key) if key is not None else None
            if not isinstance(name, str):
                return Code(ast.unparse(node), node.lineno)
            result[name] = self.value(item)
        return result


def strings(value: Value) -> tuple[str, ...]:
    """The strings of a value that should be a list of strings (others are dropped)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def render(value: Value) -> str:
    """A value as a reader would write it: literals in Python syntax, code as its source."""
    match value:
        case Call(source=source) | Code(source=source) if source:
            return source
        case Ref(name=name):
            return name
        case Call():
            args = [render(a) for a in value.args]
            args += [f"{k}={render(v)}" for k, v in value.kwargs.items()]
            return f"{value.func}({', '.join(args)})"
        case tuple():
            return "[" + ", ".join(render(v) for v in value) + "]"
        case dict():
            return "{" + ", ".join(f"{k!r}: {render(v)}" for k, v in value.items()) + "}"
    return repr(value)


# --- Comparing versions of a file ------------------------------------------------------------


def fingerprint(node: ast.AST) -> str:
    """A text that two trees share exactly when they differ only in what Python ignores at run
    time: formatting, comments, docstrings, type annotations, imports nothing uses (or their
    order), and spellings upgrade tools rewrite (`set([a])` for `{a}`, `u"x"` for `"x"`)."""
    if not isinstance(node, ast.Module):
        return _canonical(node)
    body = [s for s in node.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    used = {name for s in body for name in _names_used(s)}
    imports = [i for i in _imports(node.body) if (i[3] or i[2].split(".")[0]) in used]
    return "\n".join([repr(imports), *(_canonical(s) for s in _skip_docstring(body))])


_IGNORED_FIELDS = frozenset({"annotation", "returns", "type_comment", "kind", "ctx"})
_FIELDS: dict[type, tuple[str, ...]] = {}
# Statements and calls keep their canonical text on the node, so the whole file, its top-level
# definitions and its operations (nested parts of the same tree) are each dumped once.
_MEMO = "_harvester_canonical"


def _fields(node_type: type[ast.AST]) -> tuple[str, ...]:
    found = _FIELDS.get(node_type)
    if found is None:
        found = _FIELDS[node_type] = tuple(
            name for name in node_type._fields if name not in _IGNORED_FIELDS
        )
    return found


def _canonical(node: object) -> str:
    """A dump of `node` without the parts `fingerprint` ignores, in one pass."""
    if isinstance(node, list):
        return "[" + ",".join([_canonical(item) for item in node]) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    memo = isinstance(node, (ast.stmt, ast.Call))
    if memo and (known := node.__dict__.get(_MEMO)) is not None:
        return str(known)
    text = _dump(node)
    if memo:
        setattr(node, _MEMO, text)
    return text


def _dump(node: ast.AST) -> str:
    if isinstance(node, ast.AnnAssign):
        if node.value is None:
            return "Pass()"
        return f"Assign([{_canonical(node.target)}],{_canonical(node.value)})"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "set"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], (ast.List, ast.Tuple))
        and node.args[0].elts
    ):
        return f"Set({_canonical(node.args[0].elts)})"
    parts = []
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        if name == "body" and isinstance(value, list):
            value = _skip_docstring(value)
        parts.append(_canonical(value))
    return f"{type(node).__name__}({','.join(parts)})"


def _names_used(node: ast.AST) -> Iterator[str]:
    """Names the code reads, leaving out type annotations."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Name):
            yield current.id
        for name in _fields(type(current)):
            value = getattr(current, name, None)
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                pending.append(value)


def names_read(module: Module, function: str) -> set[str]:
    """The names a module function reads, with those of the module functions it calls (and
    those functions' names)."""
    found: set[str] = set()
    pending = [function]
    while pending:
        current = pending.pop()
        if current in found or current not in module.functions:
            continue
        found.add(current)
        for used in _names_used(module.functions[current]):
            if used in module.functions:
                pending.append(used)
            else:
                found.add(used)
    return found


def _skip_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return body[1:] if body and _is_docstring(body[0]) else body


def _imports(statements: list[ast.stmt]) -> list[tuple[str, int, str, str]]:
    """Top-level imports as a sorted list of (module, level, name, alias), without the
    `__future__` ones (which change nothing in Python 3)."""
    found = set()
    for statement in statements:
        if isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
            for alias in statement.names:
                found.add((statement.module or "", statement.level, alias.name, alias.asname or ""))
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                found.add(("", 0, alias.name, alias.asname or ""))
    return sorted(found)


def changed_definitions(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    """The top-level parts that differ between two versions' `definitions`: `function upgrade`,
    `imports`, `revision =`."""
    changed = []
    for key in list(after) + [k for k in before if k not in after]:
        if key not in after:
            changed.append(f"{key} removed")
        elif key not in before:
            changed.append(f"{key} added")
        elif before[key] != after[key]:
            changed.append(key)
    return tuple(changed)


class _Differs(Exception):
    """Two trees differ in more than lists that gained items."""


def grown_lists(before: ast.AST, after: ast.AST) -> list[tuple[str, int]] | None:
    """The list and tuple literals that gained items when that is all that differs between two
    trees, each as (the name it is assigned to, '' when none; the number of items added);
    None when anything else differs (an item changed, one removed)."""
    found: list[tuple[str, int]] = []
    try:
        _grown(before, after, "", found)
    except _Differs:
        return None
    return found


def _grown(old: object, new: object, name: str, found: list[tuple[str, int]]) -> None:
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            raise _Differs
        for a, b in zip(old, new, strict=True):
            _grown(a, b, name, found)
        return
    if not isinstance(old, ast.AST) or not isinstance(new, ast.AST):
        if old != new:
            raise _Differs
        return
    if type(old) is not type(new):
        raise _Differs
    if (
        isinstance(old, (ast.List, ast.Tuple))
        and isinstance(new, (ast.List, ast.Tuple))
        and len(new.elts) > len(old.elts)
    ):
        _added(old.elts, new.elts, name, found)
        return
    if isinstance(old, ast.Assign) and isinstance(new, ast.Assign):
        targets = [t.id for t in old.targets if isinstance(t, ast.Name)]
        name = targets[0] if len(targets) == 1 == len(old.targets) else ""
    for field_name in _fields(type(old)):
        a, b = getattr(old, field_name, None), getattr(new, field_name, None)
        if field_name == "body" and isinstance(a, list) and isinstance(b, list):
            a, b = _skip_docstring(a), _skip_docstring(b)
        _grown(a, b, name if field_name == "value" else "", found)


def _added(
    old: list[ast.expr], new: list[ast.expr], name: str, found: list[tuple[str, int]]
) -> None:
    """Record the items `new` adds to `old`, when it keeps every old one in order."""
    kept = iter(_canonical(item) for item in new)
    if not all(any(item == k for k in kept) for item in map(_canonical, old)):
        raise _Differs
    found.append((name, len(new) - len(old)))


def definitions(tree: ast.Module) -> dict[str, str]:
    """The fingerprint of each top-level definition, keyed by what a reader calls it."""
    found: dict[str, str] = {}
    others: list[str] = []
    for statement in tree.body:
        if _is_docstring(statement) or isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        if key := definition_key(statement):
            found[key] = fingerprint(statement)
        else:
            others.append(fingerprint(statement))
    imports = _imports(tree.body)
    if imports:
        found["imports"] = repr(imports)
    if others:
        found["module code"] = "\n".join(others)
    return found


def definition_key(statement: ast.stmt) -> str | None:
    """What a reader calls a top-level definition (`function f`, `class C`, `A, B =`), or None
    for a statement that defines nothing."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"function {statement.name}"
    if isinstance(statement, ast.ClassDef):
        return f"class {statement.name}"
    names = [name for name, _ in assignments(statement)]
    return f"{', '.join(names)} =" if names else None


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


# --- Reading function bodies -----------------------------------------------------------------


def calls(node: ast.AST) -> Iterator[ast.Call]:
    """Every call inside `node`, in source order."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    yield from sorted(found, key=lambda n: (n.lineno, n.col_offset))


def ends_with_return(statements: list[ast.stmt]) -> bool:
    """True when the block's last statement is a `return` (`if engine == "sqlite": return`)."""
    return bool(statements) and isinstance(statements[-1], ast.Return)


def is_noop_body(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> bool:
    """True when a function does nothing: only `pass`, `...`, a docstring or `return`."""
    if isinstance(function, ast.Lambda):
        return isinstance(function.body, ast.Constant)
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None or isinstance(statement.value, ast.Constant)
        ):
            continue
        return False
    return True
