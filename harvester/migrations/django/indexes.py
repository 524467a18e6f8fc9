"""`models.Index`, `UniqueConstraint`, `CheckConstraint` and `Q(...)` as the database sees them.

models.Index(fields=["-created"], name="api_ping_created_idx", condition=Q(kind=2))
models.CheckConstraint(condition=Q(price__gte=0), name="price_not_negative")
"""

from __future__ import annotations

from collections.abc import Callable

from harvester.migrations.django.fields import sql_literal
from harvester.migrations.pyast import Call, Code, Ref, Value, render, strings
from harvester.migrations.schema import ops

# Index classes of django.contrib.postgres and the access method each one uses.
_METHODS = {
    "GinIndex": "gin",
    "GistIndex": "gist",
    "BrinIndex": "brin",
    "HashIndex": "hash",
    "SpGistIndex": "spgist",
    "BloomIndex": "bloom",
    "BTreeIndex": None,
}
_LOOKUPS = {
    "exact": "=",
    "iexact": "ILIKE",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "in": "IN",
    "contains": "LIKE",
    "startswith": "LIKE",
    "endswith": "LIKE",
    "regex": "~",
}

ColumnOf = Callable[[str], str]


def index_def(
    index: Value, table: str, column_of: ColumnOf, concurrently: bool = False
) -> ops.IndexDef | None:
    """An `IndexDef` for a `models.Index(...)` (or a contrib index class) call."""
    if not isinstance(index, Call):
        return None
    name = index.get("name")
    columns = [_ordered_column(f, column_of) for f in strings(index.get("fields"))]
    columns += [render(e) for e in index.args]
    opclasses = strings(index.get("opclasses"))
    columns = [f"{c} {o}" for c, o in zip(columns, opclasses, strict=False)] + columns[
        len(opclasses) :
    ]
    condition = index.get("condition")
    return ops.IndexDef(
        name=name if isinstance(name, str) else None,
        table=table,
        columns=tuple(columns),
        concurrently=concurrently,
        where=q_text(condition, column_of) if condition is not None else None,
        method=_METHODS.get(index.name),
        include=tuple(column_of(f) for f in strings(index.get("include"))),
    )


def constraint_record(
    constraint: Value, table: str, column_of: ColumnOf, not_valid: bool = False
) -> ops.Constraint | ops.IndexDef | None:
    """A `Constraint` for a Unique/Check/Exclusion constraint call, or a unique `IndexDef`
    when Django builds it as an index (a condition, expressions, `include` or opclasses)."""
    if not isinstance(constraint, Call):
        return None
    name = constraint.get("name")
    label = name if isinstance(name, str) else None
    if constraint.name == "UniqueConstraint":
        columns = tuple(column_of(f) for f in strings(constraint.get("fields")))
        expressions = tuple(render(e) for e in constraint.args)
        condition = constraint.get("condition")
        equal_nulls = constraint.get("nulls_distinct") is False
        if (
            condition is not None
            or expressions
            or constraint.has("include")
            or constraint.has("opclasses")
        ):
            return ops.IndexDef(
                name=label,
                table=table,
                columns=columns + expressions,
                unique=True,
                where=q_text(condition, column_of) if condition is not None else None,
                include=tuple(column_of(f) for f in strings(constraint.get("include"))),
                nulls_not_distinct=equal_nulls,
            )
        return ops.Constraint(
            ops.ConstraintKind.UNIQUE,
            label,
            columns,
            not_valid=not_valid,
            nulls_not_distinct=equal_nulls,
        )
    if constraint.name == "CheckConstraint":
        check = constraint.get("condition", default=constraint.get("check"))
        return ops.Constraint(
            ops.ConstraintKind.CHECK,
            label,
            expression=q_text(check, column_of),
            not_valid=not_valid,
        )
    if constraint.name == "ExclusionConstraint":
        return ops.Constraint(
            ops.ConstraintKind.EXCLUDE, label, expression=render(constraint.get("expressions"))
        )
    return ops.Constraint(ops.ConstraintKind.CHECK, label, expression=render(constraint))


def nulls_not_distinct(record: ops.Constraint | ops.IndexDef | None, table: str) -> str | None:
    """What a `UniqueConstraint(nulls_distinct=False)` changes: PostgreSQL 15+ builds it
    NULLS NOT DISTINCT, so NULLs in its key columns count as equal."""
    if record is None or not record.nulls_not_distinct:
        return None
    label = record.name or "a unique constraint"
    return (
        f"{label} on {table} is NULLS NOT DISTINCT (needs PostgreSQL 15+): two rows whose "
        "key columns hold the same values, NULLs included, count as duplicates"
    )


def q_text(value: Value, column_of: ColumnOf) -> str:
    """A `Q(...)` condition as SQL-like text: `Q(price__gte=0)` is `price >= 0`."""
    if isinstance(value, Call) and value.name == "Q":
        connector = " OR " if value.kwargs.get("_connector") == "OR" else " AND "
        parts = [q_text(a, column_of) for a in value.args]
        parts += [
            _lookup(k, v, column_of) for k, v in value.kwargs.items() if not k.startswith("_")
        ]
        text = connector.join(parts) if len(parts) < 2 else "(" + connector.join(parts) + ")"
        return f"NOT {text}" if value.kwargs.get("_negated") is True else text
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return _lookup(value[0], value[1], column_of)
    if isinstance(value, (Call, Code, Ref)):
        return render(value)
    return sql_literal(value)


def _lookup(key: str, value: Value, column_of: ColumnOf) -> str:
    field, _, lookup = key.partition("__")
    column = column_of(field)
    if lookup == "isnull":
        return f"{column} IS {'' if value else 'NOT '}NULL"
    operator = _LOOKUPS.get(lookup or "exact", lookup.upper())
    if isinstance(value, Call) and value.name == "F":
        right = column_of(str(value.get("name", 0)))
    elif isinstance(value, tuple):
        right = "(" + ", ".join(sql_literal(v) for v in value) + ")"
    else:
        right = sql_literal(value)
    if lookup in ("startswith", "endswith", "contains") and isinstance(value, str):
        pattern = {"startswith": f"{value}%", "endswith": f"%{value}", "contains": f"%{value}%"}
        right = sql_literal(pattern[lookup])
    return f"{column} {operator} {right}"


def _ordered_column(field: str, column_of: ColumnOf) -> str:
    if field.startswith("-"):
        return f"{column_of(field[1:])} DESC"
    return column_of(field)
