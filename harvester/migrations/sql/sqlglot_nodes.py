"""Reading sqlglot expressions: names, columns, keys and indexes as the report words them."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from harvester.migrations.schema import ops
from harvester.migrations.sql.names import qualified

_INDEX_WHERE = re.compile(r"\)\s*WHERE\s+(.+?)\s*$", re.IGNORECASE | re.DOTALL)
_REFERENCE_ACTION = re.compile(
    r"ON\s+(DELETE|UPDATE)\s+(CASCADE|RESTRICT|SET\s+NULL|SET\s+DEFAULT|NO\s+ACTION)",
    re.IGNORECASE,
)


def table_name(node: Any, dialect: ops.Dialect) -> str:
    """The name of a sqlglot `Table` (or any named node) as the report shows it."""
    if node is None:
        return ""
    if type(node).__name__ != "Table":
        return str(node.name)
    return qualified(node.name, node.args.get("db") and node.args["db"].name, dialect)


def property_names(tree: Any) -> set[str]:
    """Class names of a CREATE statement's properties (`MaterializedProperty`, …)."""
    properties = tree.args.get("properties")
    return {type(p).__name__ for p in properties.expressions} if properties else set()


def _property(tree: Any, name: str) -> Any:
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties else ():
        if type(prop).__name__ == name:
            return prop
    return None


def engine(tree: Any, sql_dialect: str) -> str | None:
    """The table engine (`MergeTree`, `InnoDB`) a CREATE TABLE names."""
    prop = _property(tree, "EngineProperty")
    return prop.this.sql(sql_dialect) if prop is not None else None


def to_table(tree: Any, dialect: ops.Dialect) -> str | None:
    """The target table of a ClickHouse `CREATE MATERIALIZED VIEW … TO table`."""
    prop = _property(tree, "ToTableProperty")
    return table_name(prop.this, dialect) if prop is not None else None


def query_text(tree: Any, sql_dialect: str) -> str | None:
    """A CREATE VIEW's query, normalised by sqlglot (formatting differences disappear)."""
    query = tree.args.get("expression")
    return str(query.sql(sql_dialect)) if query is not None else None


def enum_values(node: Any) -> tuple[str, ...] | None:
    """The labels of `CREATE TYPE … AS ENUM (…)`, or None for any other type."""
    if node is None or type(node).__name__ != "DataType" or "ENUM" not in str(node.this):
        return None
    return tuple(str(e.this) for e in node.expressions)


def column(
    node: Any, dialect: ops.Dialect, sql_dialect: str, written: dict[str, str] | None = None
) -> tuple[ops.ColumnDef, list[ops.Constraint]]:
    """A sqlglot `ColumnDef` and the CHECK constraints it declares inline; `written` holds the
    statement's types as written, preferred to sqlglot's rendering (`VARCHAR(36)` on SQLite)."""
    nullable: bool | None = None
    default = generated = None
    primary = unique = auto_increment = False
    reference = None
    checks = []
    for item in node.args.get("constraints") or ():
        con = item.args.get("kind")
        kind = type(con).__name__
        if kind == "NotNullColumnConstraint":
            nullable = bool(con.args.get("allow_null"))
        elif kind == "DefaultColumnConstraint":
            default = con.this.sql(sql_dialect)
        elif kind == "PrimaryKeyColumnConstraint":
            primary = True
        elif kind == "UniqueColumnConstraint":
            unique = True
        elif kind == "AutoIncrementColumnConstraint":
            auto_increment = True
        elif kind == "Reference":
            reference = foreign_key(con, (node.name,), dialect)
        elif kind == "CheckColumnConstraint":
            checks.append(
                ops.Constraint(
                    ops.ConstraintKind.CHECK,
                    columns=(node.name,),
                    expression=con.this.sql(sql_dialect),
                )
            )
        elif kind in ("GeneratedAsIdentityColumnConstraint", "ComputedColumnConstraint"):
            # without its keyword, as the PostgreSQL reader gives it (`ALWAYS AS (…)`)
            generated = con.sql(sql_dialect).removeprefix("GENERATED ")
    kind_node = node.args.get("kind")
    rendered = kind_node.sql(sql_dialect) if kind_node is not None else None
    definition = ops.ColumnDef(
        name=node.name,
        type=(written or {}).get(node.name.lower(), rendered) if rendered else None,
        nullable=nullable,
        default=default,
        primary_key=primary,
        unique=unique,
        references=reference,
        generated=generated,
        auto_increment=auto_increment,
    )
    return definition, checks


def foreign_key(reference: Any, columns: tuple[str, ...], dialect: ops.Dialect) -> ops.ForeignKey:
    """The target and actions of a sqlglot `Reference`."""
    target = reference.this
    ref_table = target.this if type(target).__name__ == "Schema" else target
    ref_columns = (
        tuple(e.name for e in target.expressions) if type(target).__name__ == "Schema" else ()
    )
    actions: dict[str, str | None] = {"DELETE": None, "UPDATE": None}
    for option in reference.args.get("options") or ():
        for when, what in _REFERENCE_ACTION.findall(str(option)):
            actions[when.upper()] = " ".join(what.upper().split())
    return ops.ForeignKey(
        columns=columns,
        ref_table=table_name(ref_table, dialect),
        ref_columns=ref_columns,
        on_delete=_unless_default(actions["DELETE"]),
        on_update=_unless_default(actions["UPDATE"]),
    )


def _unless_default(action: str | None) -> str | None:
    return None if action in (None, "NO ACTION") else action


def _names(node: Any) -> tuple[str, ...]:
    return tuple(e.name or e.sql() for e in node.expressions) if node is not None else ()


def table_element(
    element: Any, table: str, dialect: ops.Dialect, sql_dialect: str, name: str | None = None
) -> ops.Constraint | ops.IndexDef | None:
    """A table-level constraint or inline index of CREATE/ALTER TABLE, or None."""
    kind = type(element).__name__
    if kind == "Constraint":
        inner = element.expressions[0] if element.expressions else None
        if inner is None:
            return None
        return table_element(inner, table, dialect, sql_dialect, element.name)
    if kind == "PrimaryKey":
        return ops.Constraint(ops.ConstraintKind.PRIMARY_KEY, name, _names(element))
    if kind == "UniqueColumnConstraint":
        schema = element.this
        key_name = name or (schema.this.name if schema is not None and schema.this else None)
        return ops.Constraint(ops.ConstraintKind.UNIQUE, key_name, _names(schema))
    if kind == "ForeignKey":
        columns = _names(element)
        fk = dataclasses.replace(
            foreign_key(element.args["reference"], columns, dialect), name=name
        )
        return ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, name, columns, foreign_key=fk)
    if kind == "CheckColumnConstraint":
        return ops.Constraint(
            ops.ConstraintKind.CHECK, name, expression=element.this.sql(sql_dialect)
        )
    if kind == "IndexColumnConstraint":
        columns = tuple(_index_column(c, sql_dialect) for c in element.expressions)
        if element.args.get("expression") is not None:
            columns = (_index_column(element.args["expression"], sql_dialect),)
        method = element.args.get("kind") or element.args.get("index_type") or None
        return ops.IndexDef(
            name=element.name or None,
            table=table,
            columns=columns,
            method=str(method.name if hasattr(method, "name") else method) if method else None,
        )
    return None


def _index_column(node: Any, sql_dialect: str) -> str:
    if type(node).__name__ == "Ordered":
        text = _index_column(node.this, sql_dialect)
        return text + (" DESC" if node.args.get("desc") else "")
    if type(node).__name__ in ("Column", "Identifier"):
        return str(node.name)
    return str(node.sql(sql_dialect))


def index(tree: Any, text: str, dialect: ops.Dialect, sql_dialect: str) -> ops.IndexDef:
    """The index a `CREATE [UNIQUE] INDEX` statement builds."""
    node = tree.this
    params = node.args.get("params")
    columns = tuple(_index_column(c, sql_dialect) for c in (params.args.get("columns") or ()))
    using = params.args.get("using") if params is not None else None
    where = _INDEX_WHERE.search(text)
    return ops.IndexDef(
        name=node.name or None,
        table=table_name(node.args.get("table"), dialect),
        columns=columns,
        unique=bool(tree.args.get("unique")),
        where=where.group(1) if where else None,
        method=using.name if using is not None and using.name.lower() != "btree" else None,
        if_not_exists=bool(tree.args.get("exists")),
        algorithm=None,
    )


def with_algorithm(index_def: ops.IndexDef, algorithm: str | None) -> ops.IndexDef:
    """The index with the `ALGORITHM=` its MySQL statement asks for."""
    if not algorithm:
        return index_def
    return dataclasses.replace(index_def, algorithm=algorithm.upper())


def select_arms(node: Any) -> list[Any]:
    """The plain SELECTs of `SELECT … UNION ALL SELECT …` (the node itself when it is one);
    none for VALUES or a missing node."""
    if type(node).__name__ == "Union":
        return [*select_arms(node.this), *select_arms(node.expression)]
    return [node] if type(node).__name__ == "Select" else []


def select_filtered(node: Any) -> bool:
    """True when the SELECT (any arm of a UNION) may read only some rows of its table: it has
    a WHERE, or joins another table."""
    arms = select_arms(node)
    return any(arm.args.get("where") is not None or arm.args.get("joins") for arm in arms)


def select_where(node: Any) -> Any:
    """The condition of a SELECT's WHERE when it reads one table (no join, no UNION), or
    None: the rows of that table it keeps."""
    arms = select_arms(node)
    if len(arms) != 1 or arms[0].args.get("joins"):
        return None
    where = arms[0].args.get("where")
    return where.this if where is not None else None


def select_source(node: Any, dialect: ops.Dialect) -> str | None:
    """The first table a SELECT reads (through a UNION's arms), or None when `node` is
    VALUES or missing."""
    sources = [
        arm.args.get("from") or arm.args.get("from_")
        for arm in select_arms(node)
        if arm.args.get("from") or arm.args.get("from_")
    ]
    if not sources:
        return None
    first = sources[0].this
    if type(first).__name__ == "Table":
        return table_name(first, dialect)
    return "a subquery"


def column_position(node: Any) -> str | None:
    """MySQL's `FIRST` or `AFTER col` of an added column, as written."""
    if node is None:
        return None
    where = str(node.args.get("position") or "").upper()
    return (
        f"AFTER {node.this.name}" if where == "AFTER" and node.this is not None else where or None
    )


def insert_reads(tree: Any) -> tuple[tuple[str, str], ...] | None:
    """(column filled, column of the source it copies) for `INSERT INTO t (a, b) SELECT x, y
    FROM s`; None when the SELECT's list is not plain columns and constants (`*`, an
    expression)."""
    from sqlglot import exp

    select = tree.args.get("expression")
    if not isinstance(select, exp.Select) or select.args.get("joins"):
        return None  # columns of a join may come from any of its tables
    schema = tree.this if isinstance(tree.this, exp.Schema) else None
    filled = [c.name for c in schema.expressions] if schema is not None else []
    found: list[tuple[str, str]] = []
    for position, item in enumerate(select.expressions):
        value = item.this if isinstance(item, exp.Alias) else item
        if isinstance(value, exp.Star) or (isinstance(value, exp.Column) and value.is_star):
            return None
        if isinstance(value, exp.Column):
            found.append((filled[position] if position < len(filled) else value.name, value.name))
        elif not isinstance(value, (exp.Literal, exp.Boolean, exp.Null)):
            return None
    return tuple(found)


def update_reads(tree: Any) -> tuple[tuple[str, str], ...]:
    """(column set, column of the updated row its value reads) for an UPDATE's SET list;
    columns named through another table's name or inside a subquery are not the row's, and
    a CASE (which keeps a value for some rows, or only tests it) copies none."""
    from sqlglot import exp

    table = tree.this
    own = {table.name, table.alias} - {""}
    found: list[tuple[str, str]] = []
    for assignment in tree.expressions:
        target, value = assignment.this, assignment.expression
        if target is None or value is None:
            continue
        for node in value.walk(prune=lambda n: isinstance(n, (exp.Subquery, exp.Case))):
            if isinstance(node, exp.Column) and (not node.table or node.table in own):
                found.append((target.name, node.name))
    return tuple(dict.fromkeys(found))


def is_constant_select(tree: Any) -> bool:
    """True for `SELECT 1` and the like: a no-op placeholder statement."""
    if tree.args.get("from") or tree.args.get("from_"):
        return False
    constant = ("Literal", "Boolean", "Null")
    for item in tree.expressions:
        value = item.this if type(item).__name__ == "Alias" else item
        if type(value).__name__ not in constant:
            return False
    return True
