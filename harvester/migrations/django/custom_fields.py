"""Field classes a project defines itself, followed to the Django field they subclass.

migrations.AddField("device", "status",
    nautobot.extras.models.statuses.StatusField(on_delete=PROTECT, to="extras.status"))

`class StatusField(ForeignKeyLimitedByContentTypes)` in `nautobot/extras/models/statuses.py`,
whose base is imported from a module that subclasses `models.ForeignKey`: the column is a
foreign key `status_id`. Classes are looked up only where the migration's dotted name says
they live, in the same tree; anything not found there stays unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from harvester.migrations import pyast
from harvester.migrations.base import RepoView, Side
from harvester.migrations.django.fields import FieldClass, known_field_class
from harvester.migrations.django.files import Operation
from harvester.migrations.django.project import Project
from harvester.migrations.pyast import Call, Value
from harvester.migrations.pymodules import PythonModules

_DEPTH = 8  # classes followed from the one a migration names to a Django field


def field_bases(view: RepoView, side: Side, project: Project) -> dict[str, FieldClass]:
    """For each project field class the migrations name by its dotted path (`a.b.StatusField`),
    the Django field class it ends up subclassing (`ForeignKey`), with the arguments its
    `__init__` sets itself."""
    written = {
        call.func
        for entry in project.by_key.values()
        if entry.migration is not None
        for operation in entry.migration.operations
        for call in _field_calls(operation)
        if "." in call.func and not _django_module(call.func)
    }
    if not written:
        return {}
    modules = PythonModules(view, side)
    found = {}
    for func in sorted(written):
        module, _, name = func.rpartition(".")
        base = _django_base(modules, module, name, _DEPTH)
        if base is not None:
            found[func] = base
    return found


def _django_module(func: str) -> bool:
    """True for Django's own field classes (`models.CharField`, `django.contrib…`), which the
    tree does not define; a project's class is looked up even when its name ends with a
    Django field's (`LazyJSONField` may set `null=True` itself)."""
    return func.startswith(("models.", "django."))


def _field_calls(operation: Operation) -> Iterator[Call]:
    """The field definitions of AddField, AlterField and CreateModel (also inside
    SeparateDatabaseAndState)."""
    field = operation.arg("field")
    if isinstance(field, Call):
        yield field
    fields = operation.arg("fields")
    for item in fields if isinstance(fields, tuple) else ():
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Call):
            yield item[1]
    for inner in (*operation.database, *operation.state):
        yield from _field_calls(inner)


def _django_base(modules: PythonModules, module: str, name: str, depth: int) -> FieldClass | None:
    """The Django field class `module.name` subclasses, when the tree shows it, with the
    arguments the classes on the way set in their `__init__` (a subclass's win)."""
    if depth == 0:
        return None
    found = modules.module(module)
    if found is None:
        return None
    definition = next(
        (n for n in found.code.tree.body if isinstance(n, ast.ClassDef) and n.name == name), None
    )
    imports = found.imports()
    if definition is None:
        source, taken = imports.get(name, (module, None))
        return _django_base(modules, source, taken, depth - 1) if taken else None
    forced, defaults = _init_arguments(definition, found.code)
    for base in definition.bases:
        dotted = ast.unparse(base)
        head, _, tail = dotted.rpartition(".")
        if known_field_class(tail):
            inherited: FieldClass | None = FieldClass(tail)
        elif head:  # `fields.StatusField`: a module named in full
            inherited = _django_base(modules, head, tail, depth - 1)
        else:  # defined in the same module, or imported by name
            source, taken = imports.get(tail, (module, tail))
            inherited = _django_base(modules, source, taken or tail, depth - 1)
        if inherited is not None:
            return FieldClass(
                inherited.base,
                {**inherited.forced, **forced},
                {**inherited.defaults, **defaults},
            )
    return None


def _init_arguments(
    definition: ast.ClassDef, parsed: pyast.Module
) -> tuple[dict[str, Value], dict[str, Value]]:
    """The literal arguments a field class's `__init__` sets before calling its parent's:
    `kwargs["null"] = True` whatever the call says, `kwargs.setdefault("null", True)` when it
    says nothing. Values computed from other arguments are left out."""
    init = next(
        (n for n in definition.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
        None,
    )
    keywords = init.args.kwarg.arg if init is not None and init.args.kwarg else None
    forced: dict[str, Value] = {}
    defaults: dict[str, Value] = {}
    for statement in init.body if init is not None and keywords else []:
        for key_node, value, is_default in _keyword_settings(statement, keywords or ""):
            key = parsed.evaluate(key_node)
            literal = parsed.evaluate(value)
            if isinstance(key, str) and (
                _is_none(value) or isinstance(literal, (str, int, float, bool))
            ):
                (defaults if is_default else forced)[key] = literal
    return forced, defaults


def _keyword_settings(
    statement: ast.stmt, keywords: str
) -> Iterator[tuple[ast.expr, ast.expr, bool]]:
    """(key, value, only as a default) for each keyword argument a statement of `__init__`
    sets: `kwargs["null"] = kwargs["blank"] = True` sets two, `kwargs.setdefault("null",
    True)` one default."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Subscript) and pyast.dotted(target.value) == keywords:
                yield target.slice, statement.value, False
    elif (
        isinstance(statement, ast.Expr)
        and pyast.call_name(statement.value) == f"{keywords}.setdefault"
        and isinstance(call := statement.value, ast.Call)
        and len(call.args) == 2
    ):
        yield call.args[0], call.args[1], True


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
