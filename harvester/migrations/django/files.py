"""One Django migration file as records: its dependencies and its operations, read with `ast`.

`parse_migration` is a pure function of the file's text, so its result can be cached by blob.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, replace

from harvester.cache import cached
from harvester.migrations import pyast
from harvester.migrations.django.dependencies import keys, read_dependencies
from harvester.migrations.django.markers import without_markers
from harvester.migrations.django.python_code import PythonCode, read_code
from harvester.migrations.pyast import Call, Code, Ref, Value, render

# Positional parameters of each operation, so that `AddField("check", "kind", field)` and
# `AddField(model_name="check", name="kind", field=field)` read the same.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AlterModelTableComment": ("name", "table_comment"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AlterIndexTogether": ("name", "index_together"),
    "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
    "AlterModelOptions": ("name", "options"),
    "AlterModelManagers": ("name", "managers"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
    "AddConstraint": ("model_name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "RunSQL": ("sql", "reverse_sql", "state_operations", "hints", "elidable"),
    "RunPython": ("code", "reverse_code", "atomic", "hints", "elidable"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "AddConstraintNotValid": ("model_name", "constraint"),
    "ValidateConstraint": ("model_name", "name"),
    "CreateExtension": ("name",),
    "CreateCollation": ("name", "locale", "provider", "deterministic"),
    "RemoveCollation": ("name", "locale", "provider", "deterministic"),
}
_NESTED = ("database_operations", "state_operations")


@dataclass(frozen=True, slots=True)
class LocalClass:
    """An operation class the migration module itself defines on another operation
    (`class AddIndexConcurrentlyPlainReverse(AddIndexConcurrently)`), and the methods it
    writes itself."""

    base: str
    line: int
    overrides: tuple[str, ...]

    @property
    def reads_as_base(self) -> bool:
        """True when the forward step is the base's: the class keeps its arguments and its
        way to the database, and at most changes how it is undone or described."""
        return not set(self.overrides) & {"__init__", "database_forwards", "state_forwards"}


@dataclass(frozen=True, slots=True)
class Operation:
    """One entry of a migration's `operations`, with its arguments by parameter name."""

    kind: str
    args: Mapping[str, Value]
    line: int
    database: tuple[Operation, ...] = ()
    state: tuple[Operation, ...] = ()
    code: PythonCode | None = None
    reverse_code: PythonCode | None = None
    sql_name: str = ""  # the constant or class attribute `RunSQL(forward_sql)` names
    local: LocalClass | None = None

    @property
    def base_kind(self) -> str:
        """The Django operation this one is: a project's own RunSQL or RunPython subclass
        (`PostgresOnlyRunSQL`) is read as its base, since such subclasses pick the engine or
        wrap the call and keep the SQL and code; so is a class of the migration's own module
        that keeps its base's forward step."""
        if self.local is not None and self.local.reads_as_base:
            return base_kind(self.local.base)
        return base_kind(self.kind)

    def arg(self, name: str) -> Value:
        """The argument `name`, or None."""
        return self.args.get(name)

    def text(self, name: str) -> str:
        """The argument `name` as a string ('' when it is not one)."""
        value = self.args.get(name)
        return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """What a Django migration file declares."""

    name: str
    dependencies: tuple[tuple[str, str], ...]
    replaces: tuple[tuple[str, str], ...]
    run_before: tuple[tuple[str, str], ...]
    operations: tuple[Operation, ...]
    atomic: bool
    imports: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # `if connection.vendor == "postgresql": operations = […]` in the class body.
    vendor_operations: tuple[tuple[str, tuple[Operation, ...]], ...] = ()
    after_deploy: bool = False  # django-safemigrate's `safe = Safe.after_deploy()`
    # Some `dependencies` are known only at run time (noted): the graph may miss an edge.
    runtime_dependencies: bool = False

    def operations_for(self, vendor: str | None) -> tuple[Operation, ...]:
        """The operations Django runs on a database of `vendor` (`postgresql`, `mysql`)."""
        return dict(self.vendor_operations).get(vendor or "", self.operations)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A migration file that is not Python `ast` can read, and where."""

    message: str
    line: int | None
    unknown_dependencies: bool = True  # False when the file is known to hold no migration


@cached("django-migration")
def parse_migration(name: str, text: str) -> MigrationFile | Unreadable | None:
    """The migration in `text`, `Unreadable` for a syntax error, None when the file defines no
    `Migration` class (an Alembic revision or a helper module that happens to sit there)."""
    module = pyast.parse_module(text)
    if isinstance(module, pyast.SyntaxProblem):
        return Unreadable(module.message, module.line)
    body = _migration_class(module.tree)
    if body is None:
        return None
    attributes = {key: value for s in body.body for key, value in pyast.assignments(s)}
    module = _class_scope(module, attributes)
    notes: list[str] = []
    by_vendor: dict[str, tuple[Operation, ...]] = {}
    for statement in body.body:
        vendors = _vendors(statement.test) if isinstance(statement, ast.If) else None
        if vendors is None or not isinstance(statement, ast.If):
            continue
        chosen = _assigned(statement.body).get("operations")
        others = _assigned(statement.orelse).get("operations")
        if chosen is not None:
            by_vendor.update(dict.fromkeys(vendors, _operations(chosen, module, notes)))
        if others is not None:
            attributes.setdefault("operations", others)
        notes.append(
            f"operations depend on the database vendor (line {statement.lineno}): read for "
            "the engine found in the settings"
        )
    built = _conditional_operations(body.body, module, notes)
    operations = _operations(built or attributes.get("operations"), module, notes)
    atomic = module.evaluate(attributes.get("atomic"))
    dependencies, unknown = read_dependencies(body, attributes, module)
    notes += unknown
    return MigrationFile(
        name=name,
        dependencies=dependencies,
        replaces=keys(module.evaluate(attributes.get("replaces"))),
        run_before=keys(module.evaluate(attributes.get("run_before"))),
        operations=operations,
        atomic=atomic is not False,
        imports=tuple(
            sorted({n.module or "" for n in module.tree.body if isinstance(n, ast.ImportFrom)})
        ),
        notes=tuple(notes),
        vendor_operations=tuple(by_vendor.items()),
        after_deploy="after_deploy" in render(module.evaluate(attributes.get("safe"))),
        runtime_dependencies=bool(unknown),
    )


def _vendors(test: ast.expr) -> tuple[str, ...] | None:
    """The vendors `connection.vendor == "postgresql"` (or `in (…)`) names, also as one side
    of an `and` (`vendor == "mysql" and not connection.mysql_is_mariadb`, which only narrows
    it) or on every side of an `or`; None for any other condition."""
    if isinstance(test, ast.BoolOp):
        sides = [_vendors(value) for value in test.values]
        if isinstance(test.op, ast.And):
            return next((names for names in sides if names), None)
        if all(sides):
            return tuple(dict.fromkeys(n for names in sides if names for n in names))
        return None
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.In))
        and (pyast.dotted(test.left) or "").endswith("vendor")
    ):
        return None
    value = pyast.evaluate(test.comparators[0])
    names = (value,) if isinstance(value, str) else value if isinstance(value, tuple) else ()
    found = tuple(n for n in names if isinstance(n, str))
    return found or None


def _conditional_operations(
    body: list[ast.stmt], module: pyast.Module, notes: list[str]
) -> ast.expr | None:
    """The operations of a class body that builds them under a condition other than the
    database vendor (`if settings.SKIP_HEAVY_MIGRATIONS: operations = […] else: …`, or
    `operations += […]` under an `if`): those of every branch, each branch noted with its
    condition, since which one runs depends on settings harvester cannot see. None when the
    body builds them without such a condition."""
    if not any(
        isinstance(s, ast.If) and _vendors(s.test) is None and _names_operations(s) for s in body
    ):
        return None
    elements = _follow_operations(body, [], module, notes)
    return ast.List(elts=elements, ctx=ast.Load(), lineno=body[0].lineno)


def _follow_operations(
    statements: list[ast.stmt], elements: list[ast.expr], module: pyast.Module, notes: list[str]
) -> list[ast.expr]:
    """`elements` after `statements` assign, extend or conditionally build `operations`; a
    statement building them some other way stays as itself, read later as an operation
    harvester does not know."""
    for statement in statements:
        if isinstance(statement, ast.If) and _names_operations(statement):
            if _vendors(statement.test) is not None:
                continue
            chosen = _follow_operations(statement.body, list(elements), module, notes)
            others = _follow_operations(statement.orelse, list(elements), module, notes)
            notes.append(_condition_note(statement, chosen, others, elements, module))
            seen = {pyast.fingerprint(e) for e in chosen}
            elements = chosen + [e for e in others if pyast.fingerprint(e) not in seen]
        elif _names_operations(statement):
            assigned, listed = _operations_added(statement, module)
            elements = listed if assigned else elements + listed
    return elements


def _operations_added(statement: ast.stmt, module: pyast.Module) -> tuple[bool, list[ast.expr]]:
    """What one statement does to `operations`: (True, items) for `operations = […]`, (False,
    items) for `+=`, `.extend` and `.append`."""
    value: ast.expr = ast.Name(id=ast.unparse(statement)[:60], lineno=statement.lineno)
    assigned = False
    if (found := dict(pyast.assignments(statement)).get("operations")) is not None:
        value, assigned = found, True
    elif (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.op, ast.Add)
        and pyast.dotted(statement.target) == "operations"
    ):
        value = statement.value
    elif isinstance(statement, ast.Expr) and isinstance(call := statement.value, ast.Call):
        if pyast.call_name(call) == "operations.append" and len(call.args) == 1:
            return False, [call.args[0]]
        if pyast.call_name(call) == "operations.extend" and len(call.args) == 1:
            value = call.args[0]
    if isinstance(value, ast.Name) and value.id in module.constants:
        value = module.constants[value.id]
    if isinstance(value, (ast.List, ast.Tuple)):
        return assigned, list(value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return assigned, [ast.Starred(value=value, ctx=ast.Load(), lineno=value.lineno)]
    return assigned, [value]


def _names_operations(statement: ast.stmt) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "operations" for n in ast.walk(statement))


def _condition_note(
    statement: ast.If,
    chosen: list[ast.expr],
    others: list[ast.expr],
    before: list[ast.expr],
    module: pyast.Module,
) -> str:
    """`operations depend on settings.X (line 20), …: A runs only if it holds, B only if it
    does not`."""

    def labels(elements: list[ast.expr]) -> str:
        fresh = [e for e in elements if not any(e is b for b in before)]
        found = _operations(ast.List(elts=fresh, lineno=statement.lineno), module, [])
        return ", ".join(label(o) for o in found)

    condition = ast.unparse(statement.test)[:80]
    when_true, when_false = labels(chosen), labels(others)
    parts = [f"{when_true} runs only if it holds"] if when_true else []
    if when_false:
        parts.append(f"{when_false} {'only' if parts else 'runs only'} if it does not")
    shown = ", ".join(parts) or "the same operations either way"
    return f"operations depend on {condition} (line {statement.lineno}): {shown}"


def _class_scope(module: pyast.Module, attributes: Mapping[str, ast.expr]) -> pyast.Module:
    """`module` with the Migration class's own attributes bound too, as the class body sees
    them: `state_operations = […]` or `forward_sql = "UPDATE …"` used by its `operations`."""
    own = {name: value for name, value in attributes.items() if name != "operations"}
    return replace(module, constants={**module.constants, **own}) if own else module


def _assigned(statements: list[ast.stmt]) -> dict[str, ast.expr]:
    return {key: value for s in statements for key, value in pyast.assignments(s)}


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Migration":
            return statement
    return None


def _operations(
    node: ast.expr | None, module: pyast.Module, notes: list[str]
) -> tuple[Operation, ...]:
    if isinstance(node, ast.Name) and node.id in module.constants:
        node = module.constants[node.id]
    if node is None:
        return ()
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        node = ast.List(elts=[ast.Starred(value=node, lineno=node.lineno)], lineno=node.lineno)
    if not isinstance(node, (ast.List, ast.Tuple)):
        notes.append(f"operations are built at run time (line {node.lineno}): not analysed")
        return (Operation(ast.unparse(node)[:60], {}, node.lineno),)
    found = []
    for element in node.elts:
        if isinstance(element, ast.Starred):
            element = element.value
        if isinstance(element, ast.Call):
            found.append(_operation(element, module))
        elif (
            isinstance(element, (ast.ListComp, ast.GeneratorExp))
            and isinstance(element.elt, ast.Call)
            and (bindings := module.unroll(element)) is not None
        ):
            # `*[migrations.RemoveField(m, f) for m in MODELS for f in FIELDS]`
            found += [_operation(element.elt, module, local) for local in bindings]
        else:
            found.append(Operation(ast.unparse(element)[:60], {}, element.lineno))
    return tuple(found)


def base_kind(kind: str) -> str:
    """`RunSQL` for `PostgresOnlyRunSQL`; other names as they are."""
    return next((base for base in ("RunSQL", "RunPython") if kind.endswith(base)), kind)


def _operation(
    node: ast.Call, module: pyast.Module, local: dict[str, ast.expr] | None = None
) -> Operation:
    name = (pyast.call_name(node) or "").rsplit(".", 1)[-1] or ast.unparse(node.func)
    own_class = _local_class(name, module) if base_kind(name) not in _SIGNATURES else None
    params = _SIGNATURES.get(base_kind(own_class.base if own_class else name), ())
    nodes: dict[str, ast.expr] = dict(zip(params, node.args, strict=False))
    nodes.update({k.arg: k.value for k in node.keywords if k.arg is not None})
    args = {
        key: module.evaluate(value, local) for key, value in nodes.items() if key not in _NESTED
    }
    nested = {
        key: _operations(nodes.get(key), module, []) if key in nodes else () for key in _NESTED
    }
    code = reverse = None
    if base_kind(name) == "RunPython":
        code = read_code(nodes.get("code"), module)
        reverse = read_code(nodes.get("reverse_code"), module) if "reverse_code" in nodes else None
    return Operation(
        kind=name,
        args=args,
        line=node.lineno,
        database=nested["database_operations"],
        state=nested["state_operations"],
        code=code,
        reverse_code=reverse,
        sql_name=sql.id if isinstance(sql := nodes.get("sql"), ast.Name) else "",
        local=own_class,
    )


def _local_class(name: str, module: pyast.Module) -> LocalClass | None:
    """The operation class `name` when the module defines it on another one, followed through
    the module's own classes to the first base it does not define."""
    classes = {n.name: n for n in module.tree.body if isinstance(n, ast.ClassDef)}
    found: LocalClass | None = None
    while name in classes and len(classes[name].bases) == 1:
        node = classes.pop(name)
        overrides = tuple(
            f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        name = (pyast.dotted(node.bases[0]) or "").rsplit(".", 1)[-1]
        line = found.line if found else node.lineno
        found = LocalClass(name, line, (found.overrides if found else ()) + overrides)
    return found if found and found.base else None


def label(operation: Operation) -> str:
    """`AddField check.badge_key`, `CreateModel Check`, `RunPython fill_badge_key`, `RunSQL
    forward_sql`."""
    target = operation.text("model_name") or operation.text("name") or operation.text("old_name")
    if operation.text("model_name") and operation.text("name"):
        target = f"{target}.{operation.text('name')}"
    if operation.base_kind == "RunPython" and operation.code is not None:
        target = operation.code.name
    if operation.base_kind == "RunSQL":
        target = operation.sql_name
    return f"{operation.kind} {target}".strip()


def is_noop_reference(value: Value) -> bool:
    """True for `migrations.RunSQL.noop` / `RunPython.noop` and empty SQL."""
    if isinstance(value, Ref):
        return value.tail == "noop"
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple):
        return all(is_noop_reference(v) for v in value)
    return isinstance(value, Code) and value.source in ("''", '""')


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two versions of a migration file side by side (`same`: the same program; `same_for_
    database`: the same once arguments Django never sends to the database are left out)."""

    same: bool
    operations: tuple[str, ...]
    old_operations: tuple[str, ...]
    definitions: Mapping[str, str]
    old_definitions: Mapping[str, str]
    same_for_database: bool = False
    module: pyast.Module | None = None
    old_module: pyast.Module | None = None


# Field arguments that only describe the field to people and forms: Django's schema editor
# never alters a column for them.
_DISPLAY_ONLY = frozenset(
    {"help_text", "verbose_name", "verbose_name_plural", "error_messages", "validators", "editable"}
)


def same_for_database(old: Operation, new: Operation) -> bool:
    """True when two operations differ only in arguments Django never sends to the
    database (a field's help_text or verbose_name)."""
    return _without_display(old.args) == _without_display(new.args)


def _without_display(value: object) -> object:
    if isinstance(value, Call):
        kept = {k: _without_display(v) for k, v in value.kwargs.items() if k not in _DISPLAY_ONLY}
        return (value.func, _without_display(value.args), kept)
    if isinstance(value, tuple):
        return tuple(_without_display(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _without_display(v) for k, v in value.items()}
    return value


def _database_fingerprint(text: str) -> str:
    """The file's fingerprint with display-only keyword arguments and translation markers
    that return their text unchanged left out (parsed afresh: fingerprinting keeps notes on
    the nodes of the tree it reads)."""
    tree = without_markers(ast.parse(text))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            node.keywords = [k for k in node.keywords if k.arg not in _DISPLAY_ONLY]
    return pyast.fingerprint(tree)


def compare(old_text: str, new_text: str) -> Comparison | None:
    """Fingerprints of both versions: the whole file, each operation, each definition (None
    when either side is not Python)."""
    old, new = pyast.parse_module(old_text), pyast.parse_module(new_text)
    if not isinstance(old, pyast.Module) or not isinstance(new, pyast.Module):
        return None
    return Comparison(
        same=pyast.fingerprint(old.tree) == pyast.fingerprint(new.tree),
        operations=_operation_fingerprints(new),
        old_operations=_operation_fingerprints(old),
        definitions=pyast.definitions(new.tree),
        old_definitions=pyast.definitions(old.tree),
        same_for_database=_database_fingerprint(old_text) == _database_fingerprint(new_text),
        module=new,
        old_module=old,
    )


def _operation_fingerprints(module: pyast.Module) -> tuple[str, ...]:
    body = _migration_class(module.tree)
    attributes = {k: v for s in body.body for k, v in pyast.assignments(s)} if body else {}
    module = _class_scope(module, attributes)
    node = _conditional_operations(body.body, module, []) if body else None
    node = node or attributes.get("operations")
    if isinstance(node, ast.Name) and node.id in module.constants:
        node = module.constants[node.id]
    if not isinstance(node, (ast.List, ast.Tuple)):
        return ()
    return tuple(_fingerprint(element, module.constants) for element in node.elts)


def _fingerprint(node: ast.expr, names: Mapping[str, ast.expr]) -> str:
    """The fingerprint of an operation with those of the constants and class attributes it
    names (`RunSQL(forward_sql)` changes when `forward_sql` does)."""
    parts: dict[str, str] = {}
    pending = [node]
    while pending:
        for used in ast.walk(pending.pop()):
            if isinstance(used, ast.Name) and used.id in names and used.id not in parts:
                parts[used.id] = pyast.fingerprint(names[used.id])
                pending.append(names[used.id])
    return "\n".join([pyast.fingerprint(node), *(f"{k} = {parts[k]}" for k in sorted(parts))])
