"""Data migrations in Alembic revisions: `op.execute`, `connection.execute`, `bulk_insert` and
ORM sessions bound to `op.get_bind()`.

    users = sa.table("users", sa.column("role", sa.String))
    op.execute(users.update().where(users.c.role == None).values(role="member"))
    op.execute("UPDATE users SET role = 'member' WHERE role IS NULL")

SQL text goes through the SQL module; SQLAlchemy expressions say their table and statement.
"""

from __future__ import annotations

import ast
import re

from harvester.migrations import pyast
from harvester.migrations.schema import ops

_STATEMENTS = {
    "update": ops.DataChangeKind.UPDATE,
    "delete": ops.DataChangeKind.DELETE,
    "insert": ops.DataChangeKind.INSERT,
}


def table_of_clause(node: ast.expr, module: pyast.Module, local: dict[str, ast.expr]) -> str | None:
    """The table of `sa.table("users", …)`, `sa.Table("users", meta, …)`, `table("users")`."""
    value = module.evaluate(node, local)
    if isinstance(value, pyast.Call) and value.name in ("table", "Table") and value.args:
        name = value.args[0]
        return name if isinstance(name, str) else None
    called = pyast.call_name(node) or ""
    if (
        isinstance(node, ast.Call)
        and called.rsplit(".", 1)[-1] in ("table", "Table")
        and node.args
        and not isinstance(node.args[0], ast.Starred)
    ):
        # `sa.Table("user", meta, *email_columns())`: columns a helper builds hide the
        # columns, not the name
        name = module.evaluate(node.args[0], local)
        return name if isinstance(name, str) else None
    return None


def expression_change(node: ast.expr, tables: dict[str, str], line: int) -> ops.DataChange | None:
    """The row change an SQLAlchemy statement expresses: `users.update().where(…).values(…)`,
    `sa.delete(users)`, `sa.insert(users).values(…)`; None for SELECTs and anything else."""
    methods: list[str] = []
    columns: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Call):
        func = current.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "values":
            columns += _value_columns(current)
        if name in _STATEMENTS:
            kind = _STATEMENTS[name]
            module_call = isinstance(func, ast.Name) or (
                isinstance(func, ast.Attribute) and pyast.dotted(func.value) in _MODULES
            )
            if module_call and current.args:
                table = _name_table(current.args[0], tables)
                return _change(kind, table, methods, line, tuple(columns))
            if isinstance(func, ast.Attribute) and not current.args:
                table = _name_table(func.value, tables)
                return _change(kind, table, methods, line, tuple(columns))
        methods.append(name)
        if not isinstance(func, ast.Attribute):
            break
        current = func.value
    return None


_MODULES = frozenset({"sa", "sqlalchemy", "sql", "sa.sql", "sqlalchemy.sql", "expression"})


def _value_columns(call: ast.Call) -> list[str]:
    """The columns `.values(a=1)` or `.values({"a": 1})` sets."""
    found = [k.arg for k in call.keywords if k.arg]
    for argument in call.args:
        if isinstance(argument, ast.Dict):
            found += [
                k.value
                for k in argument.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
    return found


def _change(
    kind: ops.DataChangeKind,
    table: str | None,
    methods: list[str],
    line: int,
    columns: tuple[str, ...],
) -> ops.DataChange:
    where = "where" in methods or "filter" in methods or kind is ops.DataChangeKind.INSERT
    verb = {"update": "updates", "delete": "deletes", "insert": "inserts into"}[kind.value]
    scope = "" if where else " (every row)"
    return ops.DataChange(
        kind,
        table=table,
        detail=f"{verb} {table or 'rows'}{scope}",
        has_where=where,
        line=line,
        columns=columns,
    )


def _name_table(node: ast.expr, tables: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return tables.get(node.id, node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


_WRAPPERS = frozenset({"text", "literal_column", "dedent", "cleandoc"})
_METHODS = frozenset({"bindparams", "columns", "execution_options", "strip"})


def unwrap(
    node: ast.expr, local: dict[str, ast.expr], expressions: dict[str, ast.expr] | None = None
) -> ast.expr:
    """The expression holding SQL text, through `sa.text(…)`, `.bindparams(…)`, `dedent(…)`
    and local names bound to such expressions."""
    seen: set[str] = set()
    while True:
        if isinstance(node, ast.Name) and expressions and node.id in expressions:
            if node.id in seen or node.id in local:
                return node
            seen.add(node.id)
            node = expressions[node.id]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and (node.func.attr in _METHODS)
        ):
            node = node.func.value
        elif (
            isinstance(node, ast.Call)
            and node.args
            and (pyast.call_name(node) or "").rsplit(".", 1)[-1] in _WRAPPERS
        ):
            node = node.args[0]
        else:
            return node


def sql_template(node: ast.expr, module: pyast.Module, local: dict[str, ast.expr]) -> str | None:
    """An f-string's text with the parts fixed at run time left as `{expression}`."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue):
            resolved = module.evaluate(value.value, local)
            fixed = isinstance(resolved, (str, int, float))
            parts.append(str(resolved) if fixed else "{" + ast.unparse(value.value) + "}")
    return "".join(parts)


_DML = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([\w.\"`{}]+)", re.IGNORECASE)


def template_change(template: str, line: int) -> ops.Operation | None:
    """What SQL built at run time does, when its text says: an INSERT, UPDATE or DELETE of a
    table (None for a SELECT); raw SQL otherwise."""
    text = " ".join(template.split())
    match = _DML.match(text)
    if match:
        verb = match.group(1).split()[0].upper()
        kind = {"INSERT": ops.DataChangeKind.INSERT, "UPDATE": ops.DataChangeKind.UPDATE}.get(
            verb, ops.DataChangeKind.DELETE
        )
        table = match.group(2).strip('"`')
        known = "{" not in table
        return ops.DataChange(
            kind,
            table=table if known else None,
            detail=f"runs SQL built at run time (line {line}): {text[:90]}",
            has_where=" WHERE " in f" {text.upper()} " or kind is ops.DataChangeKind.INSERT,
            line=line,
        )
    if text.upper().startswith(("SELECT", "WITH")):
        return None
    return ops.Opaque(f"SQL built at run time (line {line}): {text[:90]}", raw=True, line=line)


def literal_sql(node: ast.expr, module: pyast.Module, local: dict[str, ast.expr]) -> str | None:
    """SQL text an expression spells out: a string, an f-string or `%` / `.format` whose parts
    the revision fixes (module constants, unrolled loop variables); see `unwrap` first."""
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            if not isinstance(value, ast.FormattedValue):
                return None
            resolved = module.evaluate(value.value, local)
            if not isinstance(resolved, (str, int, float)):
                return None
            parts.append(str(resolved))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template, values = module.evaluate(node.left, local), module.evaluate(node.right, local)
        if isinstance(template, str):
            try:
                return template % (values if isinstance(values, (tuple, dict)) else (values,))
            except (TypeError, ValueError, KeyError):
                return None
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        template = module.evaluate(node.func.value, local)
        args = [module.evaluate(a, local) for a in node.args]
        kwargs = {k.arg: module.evaluate(k.value, local) for k in node.keywords if k.arg}
        plain = all(isinstance(v, (str, int, float)) for v in [*args, *kwargs.values()])
        if isinstance(template, str) and plain:
            try:
                return template.format(*args, **kwargs)
            except (IndexError, KeyError, ValueError):
                return None
        return None
    evaluated = module.evaluate(node, local)
    if isinstance(evaluated, pyast.Call) and evaluated.name == "text" and evaluated.args:
        evaluated = evaluated.args[0]
    return evaluated if isinstance(evaluated, str) else None


def orm_tables(module: pyast.Module) -> dict[str, str]:
    """ORM classes the revision defines, with their `__tablename__`."""
    found = {}
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                for name, value in pyast.assignments(statement):
                    table = module.evaluate(value)
                    if name == "__tablename__" and isinstance(table, str):
                        found[node.name] = table
    return found


def assigned_attributes(body: list[ast.stmt], target: ast.expr) -> tuple[str, ...]:
    """The attributes the loop body sets on the loop variable (`user.name = …`)."""
    names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    found: list[str] = []
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found += [
                    item.attr
                    for item in targets
                    if isinstance(item, ast.Attribute)
                    and isinstance(item.value, ast.Name)
                    and item.value.id in names
                ]
    return tuple(dict.fromkeys(found))


def reads_rows(source: ast.expr, row_sources: set[str]) -> bool:
    """True for an expression that reads rows: `conn.execute(select…)`, `session.query(…)`,
    or a name bound to one."""
    if isinstance(source, ast.Name):
        return source.id in row_sources
    text = ast.unparse(source)
    return any(word in text for word in ("execute", "query", "fetch", "select", "scalars"))
