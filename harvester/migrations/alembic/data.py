"""Data migrations in Alembic revisions: `op.execute`, `connection.execute`, `bulk_insert` and
ORM sessions bound to `op.get_bind()`.

    users = sa.table("users", sa.column("role", sa.String))
    op.execute(users.update().where(users.c.role == None).values(role="member"))
    op.execute("UPDATE users SET role = 'member' WHERE role IS NULL")

SQL text goes through the SQL module; SQLAlchemy expressions say their table and statement.
"""

from __future__ import annotations

import ast

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
    return None


def expression_change(node: ast.expr, tables: dict[str, str], line: int) -> ops.DataChange | None:
    """The row change an SQLAlchemy statement expresses: `users.update().where(…).values(…)`,
    `sa.delete(users)`, `sa.insert(users).values(…)`; None for SELECTs and anything else."""
    methods: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Call):
        func = current.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _STATEMENTS:
            module_call = isinstance(func, ast.Name) or (
                isinstance(func, ast.Attribute) and pyast.dotted(func.value) in _MODULES
            )
            if module_call and current.args:
                return _change(
                    _STATEMENTS[name], _name_table(current.args[0], tables), methods, line
                )
            if isinstance(func, ast.Attribute) and not current.args:
                return _change(_STATEMENTS[name], _name_table(func.value, tables), methods, line)
        methods.append(name)
        if not isinstance(func, ast.Attribute):
            break
        current = func.value
    return None


_MODULES = frozenset({"sa", "sqlalchemy", "sql", "sa.sql", "sqlalchemy.sql", "expression"})


def _change(
    kind: ops.DataChangeKind, table: str | None, methods: list[str], line: int
) -> ops.DataChange:
    where = "where" in methods or "filter" in methods or kind is ops.DataChangeKind.INSERT
    verb = {"update": "updates", "delete": "deletes", "insert": "inserts into"}[kind.value]
    scope = "" if where else " (every row)"
    return ops.DataChange(
        kind, table=table, detail=f"{verb} {table or 'rows'}{scope}", has_where=where, line=line
    )


def _name_table(node: ast.expr, tables: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return tables.get(node.id, node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_sql(node: ast.expr, module: pyast.Module, local: dict[str, ast.expr]) -> str | None:
    """SQL text an expression spells out: a string, `sa.text("…")`, an f-string or `%` /
    `.format` whose parts the revision fixes (module constants, unrolled loop variables)."""
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


def assigns_attributes(body: list[ast.stmt], target: ast.expr) -> bool:
    """True when the loop body sets an attribute of the loop variable (`user.name = …`)."""
    names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for item in targets:
                    if (
                        isinstance(item, ast.Attribute)
                        and isinstance(item.value, ast.Name)
                        and item.value.id in names
                    ):
                        return True
    return False


def reads_rows(source: ast.expr, row_sources: set[str]) -> bool:
    """True for an expression that reads rows: `conn.execute(select…)`, `session.query(…)`,
    or a name bound to one."""
    if isinstance(source, ast.Name):
        return source.id in row_sources
    text = ast.unparse(source)
    return any(word in text for word in ("execute", "query", "fetch", "select", "scalars"))
