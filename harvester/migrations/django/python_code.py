"""What a `RunPython` function does to rows, read from its syntax tree.

def fill_badge_key(apps, schema_editor):
    Check = apps.get_model("api", "Check")
    for check in Check.objects.filter(badge_key=None):
        check.badge_key = uuid.uuid4()
        check.save()

reads as "loops over api_check rows and saves each one"; `Channel.objects.filter(...).delete()`
as a delete; `schema_editor.execute(sql)` hands the SQL to the SQL module.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from harvester.migrations import pyast
from harvester.migrations.schema.ops import DataChangeKind

_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_QUERYSET = frozenset(
    {"all", "filter", "exclude", "using", "select_related", "prefetch_related", "only", "defer"}
    | {"order_by", "iterator", "values", "values_list", "annotate", "distinct", "select_for_update"}
)
_INSERTS = frozenset({"create", "bulk_create", "get_or_create", "update_or_create"})
_SINGLE = frozenset({"get", "first", "last", "earliest", "latest"})
_RELATED = frozenset({"add", "set", "remove", "clear"})


@dataclass(frozen=True, slots=True)
class RowAction:
    """One thing the code does to a model's rows; `detail` names the table as `{table}`."""

    app_label: str | None
    model: str
    kind: DataChangeKind
    detail: str
    has_where: bool
    line: int
    fields: tuple[str, ...] = ()
    # the model whose rows an insert copies, one by one (`{source}` in `detail`)
    source: tuple[str | None, str] | None = None


@dataclass(frozen=True, slots=True)
class PythonCode:
    """A RunPython callable: what it does, or why it could not be read."""

    name: str
    line: int
    noop: bool = False
    found: bool = True
    actions: tuple[RowAction, ...] = ()
    models: tuple[tuple[str | None, str], ...] = ()
    sql: tuple[tuple[str, int], ...] = ()
    others: tuple[str, ...] = ()
    raises: bool = False
    # models used through their live class (imported, `load_model`), not `apps.get_model`
    live: tuple[tuple[str | None, str], ...] = ()
    # lines running `SELECT setval(…)` built at run time: a sequence moved, no row changed
    sequence_resets: tuple[int, ...] = ()


def read_code(node: ast.expr | None, module: pyast.Module) -> PythonCode | None:
    """The callable `node` names (a module function, a lambda, `RunPython.noop`), read."""
    if node is None:
        return None
    name = pyast.dotted(node)
    line = node.lineno
    if name is not None and name.rsplit(".", 1)[-1] == "noop":
        return PythonCode(name, line, noop=True)
    if isinstance(node, ast.Lambda):
        return _Reader(module).read("lambda", node, line)
    if name is not None and name in module.functions:
        function = module.functions[name]
        return _Reader(module).read(name, function, function.lineno)
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    return PythonCode(name or ast.unparse(node), line, found=False)


@dataclass
class _Loop:
    """A `for` over a model's rows, and what its body does to each row."""

    model: tuple[str | None, str]
    targets: set[str]
    line: int
    has_where: bool
    saves: bool = False
    updates: bool = False
    deletes: bool = False
    bulk: bool = False
    fields: list[str] = field(default_factory=list)
    # over rows kept in a list or dict earlier, not over a query
    collected: bool = False


@dataclass
class _Reader:
    """Reads one callable and the module functions it calls."""

    module: pyast.Module
    models: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    # name -> (model, filtered, the filters as written) of a queryset kept in a variable
    querysets: dict[str, tuple[tuple[str | None, str], bool, str]] = field(default_factory=dict)
    instances: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    # rows built in code (`field = AppField(label=…)`) without a key: saving one inserts it
    built: set[str] = field(default_factory=set)
    actions: list[RowAction] = field(default_factory=list)
    sql: list[tuple[str, int]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    # models a loop bulk-updates in batches: a bulk_update after it writes the last batch
    batched: set[tuple[str | None, str]] = field(default_factory=set)
    fetched: list[tuple[str | None, str]] = field(default_factory=list)
    raises: bool = False
    # lists and dicts that hold a model's rows (`groups[key].append(row)`), and their items
    containers: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    live: set[str] = field(default_factory=set)
    live_used: list[tuple[str | None, str]] = field(default_factory=list)
    sequence_resets: list[int] = field(default_factory=list)

    def read(
        self, name: str, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, line: int
    ) -> PythonCode:
        """What the callable does, read statement by statement."""
        if pyast.is_noop_body(node) or _only_reports(node):
            return PythonCode(name, line, noop=True)
        imported = _imported_models(self.module.tree)
        self.models.update(imported)
        self.live.update(imported)
        self.visited.add(name)
        self.body(node.body if not isinstance(node, ast.Lambda) else [ast.Expr(node.body)])
        unique = sorted(dict.fromkeys(self.actions), key=lambda action: action.line)
        return PythonCode(
            name,
            line,
            actions=tuple(unique),
            models=tuple(dict.fromkeys(self.fetched)),
            sql=tuple(self.sql),
            others=tuple(dict.fromkeys(self.others)),
            raises=self.raises,
            live=tuple(dict.fromkeys(self.live_used)),
            sequence_resets=tuple(self.sequence_resets),
        )

    def body(self, statements: list[ast.stmt], loop: _Loop | None = None) -> None:
        """Read statements, inside `loop` when they are a loop body."""
        for statement in statements:
            self.statement(statement, loop)

    def statement(self, node: ast.stmt, loop: _Loop | None) -> None:
        """Read one statement: bindings, loops, raises, and the calls inside."""
        match node:
            case ast.Assign(targets=targets, value=value):
                self.expression(value, loop)
                for target in targets:
                    self.collect(target, value, loop)
                    if isinstance(target, ast.Name):
                        self.bind(target.id, value)
                    elif loop is not None and (name := _attribute_of(target, loop.targets)):
                        loop.fields.append(name)
            case ast.AugAssign(target=target) if loop is not None and (
                name := _attribute_of(target, loop.targets)
            ):
                loop.fields.append(name)
            case ast.For(target=target, iter=source) | ast.AsyncFor(target=target, iter=source):
                self.expression(source, loop)
                inner = self.loop_over(source, target, node.lineno) or loop
                self.body(node.body, inner)
                self.body(node.orelse, loop)
                if inner is not loop and inner is not None:
                    self.finish(inner)
            case ast.Raise():
                self.raises = True
            case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
                return
            case _:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        self.statement(child, loop)
                    elif isinstance(child, ast.expr):
                        self.expression(child, loop)

    def collect(self, target: ast.expr, value: ast.expr, loop: _Loop | None) -> None:
        """`groups[key] = {"first": row, "all": [row]}` in a loop over rows: `groups` holds
        rows of the loop's model."""
        if loop is None or isinstance(target, ast.Name) or isinstance(value, ast.Name):
            return
        if _holds(value, loop.targets) and (root := _root_name(target)) is not None:
            self.containers[root] = loop.model

    def bind(self, name: str, value: ast.expr) -> None:
        """Remember what a name holds: a model, a queryset or a row."""
        self.built.discard(name)
        model = _get_model(value)
        if model is not None:
            self.models[name] = model
            self.fetched.append(model)
            if not (pyast.call_name(value) or "").endswith("get_model"):
                self.live.add(name)
            return
        chain = self.chain(value)
        if chain is None:
            return
        key, calls, filtered = chain
        last = calls[-1] if calls else ""
        if last in _SINGLE or (not calls and isinstance(value, ast.Call)):
            self.instances[name] = key
            if not calls and not _names_key(value):
                self.built.add(name)
        elif not calls or last in _QUERYSET:
            self.querysets[name] = (key, filtered, self.where(value))

    def pass_arguments(
        self, node: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> None:
        """A helper's parameters stand for the models and querysets passed to it."""
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        passed = list(zip(params, node.args, strict=False))
        passed += [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        for param, value in passed:
            if not isinstance(value, ast.Name):
                continue
            if value.id in self.models:
                self.models[param] = self.models[value.id]
            if value.id in self.querysets:
                self.querysets[param] = self.querysets[value.id]
            if value.id in self.instances:
                self.instances[param] = self.instances[value.id]
            if value.id in self.built:
                self.built.add(param)

    def loop_over(self, source: ast.expr, target: ast.expr, line: int) -> _Loop | None:
        """The loop context when `source` iterates over a model's rows."""
        candidates = [source]
        if isinstance(source, ast.Call):
            candidates += list(source.args)
        for candidate in candidates:
            chain = self.chain(candidate)
            if chain is None:
                continue
            key, calls, filtered = chain
            if not calls or calls[-1] in _QUERYSET:
                names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
                return _Loop(key, names, line, filtered)
        root = _root_name(source)
        if root is not None and root in self.containers:
            model = self.containers[root]
            names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            self.containers.update(dict.fromkeys(names, model))
            return _Loop(model, names, line, has_where=True, collected=True)
        return None

    def finish(self, loop: _Loop) -> None:
        """Record what a loop did to each row, once its body is read."""
        if loop.bulk:
            what = "bulk-updates them in batches"
            kind = DataChangeKind.UPDATE
            self.batched.add(loop.model)
        elif loop.saves:
            what, kind = "saves each one", DataChangeKind.CODE
        elif loop.updates:
            what, kind = "updates each one with its own UPDATE", DataChangeKind.CODE
        elif loop.deletes:
            what, kind = "deletes each one", DataChangeKind.DELETE
        else:
            return
        rows = "{table} rows kept from an earlier query" if loop.collected else "{table} rows"
        detail = f"loops over {rows} and {what}"
        fields = tuple(dict.fromkeys(loop.fields))
        self.act(loop.model, kind, detail, loop.has_where, loop.line, fields=fields)

    def expression(self, node: ast.expr, loop: _Loop | None) -> None:
        """Read every call inside an expression."""
        for call in pyast.calls(node):
            self.call(call, loop)

    def call(self, node: ast.Call, loop: _Loop | None) -> None:
        """Read one call: helpers, queryset writes, saves, deletes, raw SQL."""
        name = pyast.call_name(node) or ""
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        method = node.func.attr if isinstance(node.func, ast.Attribute) else name
        if name in self.module.functions and name not in self.visited:
            self.visited.add(name)
            function = self.module.functions[name]
            self.pass_arguments(node, function)
            self.body(function.body, loop)
            return
        if method == "call_command" and node.args:
            self.others.append(f"runs management command {ast.unparse(node.args[0])}")
        if method == "execute" and receiver is not None:
            self.execute(node)
            return
        if receiver is None:
            return
        if (
            loop is not None
            and method in ("append", "add", "extend")
            and _holds(node, loop.targets)
            and (root := _root_name(receiver)) is not None
        ):
            self.containers[root] = loop.model
        if isinstance(receiver, ast.Name) and loop is not None and receiver.id in loop.targets:
            loop.saves |= method == "save"
            loop.deletes |= method == "delete"
            if method == "save":
                loop.fields += _names(_keyword(node, "update_fields"))
            return
        if (
            loop is not None
            and method in _RELATED
            and isinstance(receiver, ast.Attribute)
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id in loop.targets
        ):
            # The rows go to the relation's join table, not to {table}: code, not an INSERT.
            detail = f"loops over {{table}} rows and changes each one's {receiver.attr} ({method})"
            self.act(loop.model, DataChangeKind.CODE, detail, loop.has_where, node.lineno)
            return
        chain = self.chain(receiver)
        if chain is None:
            return
        key, calls, filtered = chain
        where = self.where(receiver)
        if loop is not None and method in ("update", "delete") and loop.model == key:
            loop.updates |= method == "update"
            loop.deletes |= method == "delete"
            loop.fields += _set_fields(node) if method == "update" else []
            return
        if method == "update" and (not calls or calls[-1] in _QUERYSET or calls[-1] in _MANAGERS):
            detail = "updates {table} rows in one statement" + (f": {where}" if where else "")
            fields = tuple(_set_fields(node))
            self.act(key, DataChangeKind.UPDATE, detail, filtered, node.lineno, loop, fields)
        elif method == "delete" and (not calls or calls[-1] in _QUERYSET):
            if isinstance(receiver, ast.Name) and receiver.id in self.instances:
                self.act(
                    key, DataChangeKind.DELETE, "deletes single {table} rows", True, node.lineno
                )
            else:
                # the rule says "(every row)" of a delete without a condition
                detail = "deletes {table} rows" + (f": {where}" if where else "")
                self.act(key, DataChangeKind.DELETE, detail, filtered, node.lineno, loop)
        elif method == "bulk_update":
            listed = _names(node.args[1] if len(node.args) > 1 else _keyword(node, "fields"))
            if loop is not None and loop.model == key:
                loop.bulk = True
                loop.fields += listed
            elif loop is None and key in self.batched:
                return  # the last batch of the loop above
            else:
                detail = "bulk-updates {table} rows"
                fields = tuple(listed)
                self.act(key, DataChangeKind.UPDATE, detail, True, node.lineno, loop, fields)
        elif method in _INSERTS:
            detail = f"inserts {{table}} rows ({method})"
            self.act(key, DataChangeKind.INSERT, detail, True, node.lineno, loop)
            if loop is not None and loop.model != key:
                copy = RowAction(
                    key[0],
                    key[1],
                    DataChangeKind.CODE,
                    f"inserts {{table}} rows built from {{source}} rows ({method})",
                    loop.has_where,
                    node.lineno,
                    source=loop.model,
                )
                self.actions.append(copy)
        elif method == "save" and isinstance(receiver, ast.Name) and receiver.id in self.built:
            detail = "inserts {table} rows (built in code, then saved)"
            self.act(key, DataChangeKind.INSERT, detail, True, node.lineno, loop)
        elif method == "save" and isinstance(receiver, ast.Name) and receiver.id in self.instances:
            self.act(
                key, DataChangeKind.UPDATE, "saves single {table} rows", True, node.lineno, loop
            )

    def execute(self, node: ast.Call) -> None:
        """SQL run through `schema_editor.execute` or a cursor."""
        argument = self.module.evaluate(node.args[0]) if node.args else None
        if isinstance(argument, pyast.Call) and argument.name == "text" and argument.args:
            argument = argument.args[0]
        if isinstance(argument, str):
            self.sql.append((argument, node.lineno))
        elif node.args and _resets_sequences(node.args[0]):
            self.sequence_resets.append(node.lineno)
        else:
            self.others.append(f"runs SQL built at run time (line {node.lineno})")

    def chain(self, node: ast.expr) -> tuple[tuple[str | None, str], list[str], bool] | None:
        """The model a queryset expression starts from, the methods called on it, and whether
        it is filtered: `Check.objects.filter(x=1)` is `(Check, ["objects", "filter"], True)`."""
        calls: list[str] = []
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                calls.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Subscript):
                node = node.value
            else:
                break
        if not isinstance(node, ast.Name):
            return None
        calls.reverse()
        filtered = any(c in ("filter", "exclude", "get") for c in calls)
        if node.id in self.querysets:
            key, was_filtered, _ = self.querysets[node.id]
            return key, calls, filtered or was_filtered
        if node.id in self.instances:
            return self.instances[node.id], calls, True
        if node.id in self.models and (not calls or calls[0] in _MANAGERS):
            if node.id in self.live:
                self.live_used.append(self.models[node.id])
            return self.models[node.id], calls[1:] if calls else calls, filtered
        return None

    def where(self, node: ast.expr) -> str:
        """The filters of a queryset expression, with those of the variable it starts from
        (`rows = X.objects.filter(a=1)` then `rows.exclude(b=2)`)."""
        root = node
        while isinstance(root, (ast.Call, ast.Attribute, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        stored = (
            self.querysets.get(root.id, (None, False, ""))[2] if isinstance(root, ast.Name) else ""
        )
        return ".".join(t for t in (stored, _filter_text(node)) if t)

    def act(
        self,
        key: tuple[str | None, str],
        kind: DataChangeKind,
        detail: str,
        has_where: bool,
        line: int,
        loop: _Loop | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        """Record a row change (said per loop row when inside another model's loop)."""
        if loop is not None and loop.model != key:
            detail = f"for each {loop.model[1]} row, {detail}"
        self.actions.append(RowAction(key[0], key[1], kind, detail, has_where, line, fields))


def _attribute_of(node: ast.expr, names: set[str]) -> str | None:
    """`field` for `row.field` when `row` is a loop variable."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id in names else None
    return None


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _names(node: ast.expr | None) -> list[str]:
    """The strings of a literal list or tuple (`update_fields=["a", "b"]`)."""
    return list(pyast.strings(pyast.evaluate(node))) if node is not None else []


def _set_fields(node: ast.Call) -> list[str]:
    """The fields `queryset.update(a=1, b=F("c"))` sets."""
    return [k.arg for k in node.keywords if k.arg]


def _only_reports(node: ast.AST) -> bool:
    """True for a function whose only calls print or log (nothing reaches the database)."""
    names = [pyast.call_name(c) or "?" for c in pyast.calls(node)]
    return bool(names) and all(
        n == "print" or n.split(".")[0] in ("logging", "logger", "log") for n in names
    )


def _names_key(call: ast.expr) -> bool:
    """True when a model built in code may be given its primary key (`Row(pk=…)`, positional
    values, `**values`): saving it may then update an existing row rather than insert one."""
    if not isinstance(call, ast.Call):
        return True
    return bool(call.args) or any(k.arg in ("pk", "id") or k.arg is None for k in call.keywords)


def _get_model(node: ast.expr) -> tuple[str | None, str] | None:
    """`apps.get_model("api", "Check")` or `apps.get_model("api.Check")` as `("api", "Check")`;
    `swapper.load_model("api", "Check")` and a project's `load_model("Check")` (the live class
    of a swappable model of this app) too."""
    name = pyast.call_name(node) or ""
    if not isinstance(node, ast.Call) or not name.endswith(("get_model", "load_model")):
        return None
    values = [pyast.evaluate(a) for a in node.args]
    values += [pyast.evaluate(k.value) for k in node.keywords]
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) >= 2:
        return texts[0], texts[1]
    if len(texts) == 1 and "." in texts[0]:
        app, model = texts[0].split(".", 1)
        return app, model
    if len(texts) == 1 and name.endswith("load_model") and texts[0][:1].isupper():
        return None, texts[0]
    return None, "(a model chosen at run time)"


def _root_name(node: ast.expr) -> str | None:
    """`groups` for `groups[key]["all"]`, `groups.items()` or `groups.values()`."""
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _holds(node: ast.expr, rows: set[str]) -> bool:
    """True when a row itself (not one of its fields) is an item of a literal or an argument:
    `[row]`, `{"first": row}`, `x.append(row)`."""
    if isinstance(node, ast.Call):
        items: list[ast.expr | None] = list(node.args)
    elif isinstance(node, ast.Dict):
        items = list(node.values)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = list(node.elts)
    else:
        return False
    return any(isinstance(i, ast.Name) and i.id in rows for i in items)


def _imported_models(tree: ast.Module) -> dict[str, tuple[str | None, str]]:
    """Model classes imported straight from an app's `models` module."""
    found: dict[str, tuple[str | None, str]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and (statement.module or "").endswith("models"):
            parts = (statement.module or "").split(".")
            app = parts[-2] if len(parts) >= 2 else None
            for alias in statement.names:
                if alias.name[:1].isupper():
                    found[alias.asname or alias.name] = (app, alias.name)
    return found


def _filter_text(node: ast.expr) -> str:
    """`filter(kind='msteams')` for the filter calls of a queryset expression."""
    parts = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("filter", "exclude"):
                args = ", ".join(ast.unparse(a) for a in [*node.args, *node.keywords])
                parts.append(f"{node.func.attr}({args})")
            node = node.func
        else:
            node = node.value
    text = ".".join(reversed(parts))
    return text if len(text) <= 80 else text[:77] + "…"


_SEQUENCE_RESET = re.compile(r"\s*select\s+setval\s*\(", re.IGNORECASE)


def _resets_sequences(node: ast.expr) -> bool:
    """True for SQL built at run time (an f-string, `%` or `.format`) whose every statement is
    `SELECT setval(…)`: it moves a sequence past the keys in use and changes no row."""
    text = _template(node)
    statements = [s for s in text.split(";") if s.strip()] if text else []
    return bool(statements) and all(_SEQUENCE_RESET.match(s) for s in statements)


def _template(node: ast.expr) -> str | None:
    """The literal text of SQL built at run time, `?` for what an f-string fills in."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "?"
            for v in node.values
        )
    template: ast.expr | None = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = node.left
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        template = node.func.value if node.func.attr == "format" else None
    if isinstance(template, ast.Constant) and isinstance(template.value, str):
        return template.value
    return None
