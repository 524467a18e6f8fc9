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
from collections.abc import Iterator, Mapping

from harvester.migrations import pyast
from harvester.migrations.base import RepoView, Side
from harvester.migrations.django.fields import FieldClass, known_field_class
from harvester.migrations.django.files import Operation
from harvester.migrations.django.project import Project
from harvester.migrations.pyast import Call, Value

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
    modules = _Modules(view, side)
    found = {}
    for func in sorted(written):
        module, _, name = func.rpartition(".")
        base = modules.django_base(module, name, _DEPTH)
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


class _Modules:
    """The tree's Python modules by dotted name, parsed on demand."""

    def __init__(self, view: RepoView, side: Side) -> None:
        self.view = view
        self.side = side
        self.paths = {p for p in view.tree(side, "") if p.endswith(".py")}
        self.parsed: dict[str, pyast.Module | None] = {}

    def django_base(self, module: str, name: str, depth: int) -> FieldClass | None:
        """The Django field class `module.name` subclasses, when the tree shows it, with the
        arguments the classes on the way set in their `__init__` (a subclass's win)."""
        if depth == 0:
            return None
        parsed = self._module(module)
        if parsed is None:
            return None
        definition = next(
            (n for n in parsed.tree.body if isinstance(n, ast.ClassDef) and n.name == name), None
        )
        if definition is None:
            imported = _imports(parsed, module).get(name)
            return self.django_base(*imported, depth - 1) if imported else None
        forced, defaults = _init_arguments(definition, parsed)
        for base in definition.bases:
            dotted = ast.unparse(base)
            tail = dotted.rsplit(".", 1)[-1]
            where = _base_location(dotted, parsed, module)
            found = (
                FieldClass(tail)
                if known_field_class(tail)
                else self.django_base(*where, depth - 1)
                if where
                else None
            )
            if found is not None:
                return FieldClass(
                    found.base, {**found.forced, **forced}, {**found.defaults, **defaults}
                )
        return None

    def _module(self, module: str) -> pyast.Module | None:
        if module not in self.parsed:
            self.parsed[module] = self._parse(module)
        return self.parsed[module]

    def _parse(self, module: str) -> pyast.Module | None:
        stem = module.replace(".", "/")
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            # the package may sit below a source folder (`src/paperless/…`)
            path = candidate if candidate in self.paths else self._below_folder(candidate)
            if path is None:
                continue
            source = self.view.read(self.side, path)
            parsed = pyast.parse_module(source.text or "")
            return parsed if isinstance(parsed, pyast.Module) else None
        return None

    def _below_folder(self, candidate: str) -> str | None:
        matches = [p for p in self.paths if p.endswith("/" + candidate)]
        return matches[0] if len(matches) == 1 else None


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
        key, value, into = None, None, forced
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(target := statement.targets[0], ast.Subscript)
            and pyast.dotted(target.value) == keywords
        ):
            key, value = parsed.evaluate(target.slice), statement.value
        elif (
            isinstance(statement, ast.Expr)
            and pyast.call_name(statement.value) == f"{keywords}.setdefault"
            and isinstance(call := statement.value, ast.Call)
            and len(call.args) == 2
        ):
            key, value, into = parsed.evaluate(call.args[0]), call.args[1], defaults
        if value is None or not isinstance(key, str):
            continue
        literal = parsed.evaluate(value)
        if _is_none(value) or isinstance(literal, (str, int, float, bool)):
            into[key] = literal
    return forced, defaults


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _imports(parsed: pyast.Module, module: str) -> Mapping[str, tuple[str, str]]:
    """Names a module imports from others: local name -> (module, name there)."""
    found: dict[str, tuple[str, str]] = {}
    for node in parsed.tree.body:
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node.module or "", node.level, module)
            for alias in node.names:
                found[alias.asname or alias.name] = (source, alias.name)
    return found


def _base_location(dotted: str, parsed: pyast.Module, module: str) -> tuple[str, str] | None:
    """Where a base class named in `module` is defined: the same module, an imported name, or
    a dotted `package.module.Class`."""
    if "." not in dotted:
        imported = _imports(parsed, module).get(dotted)
        return imported or (module, dotted)
    head, _, name = dotted.rpartition(".")
    return head, name


def _absolute(target: str, level: int, module: str) -> str:
    """`from .fields import X` in `a.b.models` is `a.b.fields`."""
    if level == 0:
        return target
    package = module.split(".")[: -level or None]
    return ".".join([*package, target] if target else package)
