"""SQLAlchemy columns, types and constraints as an Alembic revision writes them.

    sa.Column("email", sa.String(length=255), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, server_default="")

is `email VARCHAR(255) NOT NULL DEFAULT '' -> users.id ON DELETE CASCADE`. A Python-side
`default=` never reaches the database, so only `server_default` becomes a DEFAULT.
"""

from __future__ import annotations

import ast
import json
import re

from harvester.migrations.pyast import Call, Code, Ref, Value, render, strings
from harvester.migrations.schema import ops

# SQLAlchemy type names and the SQL name they compile to (PostgreSQL first).
_TYPES = {
    "String": "VARCHAR",
    "Unicode": "VARCHAR",
    "Text": "TEXT",
    "UnicodeText": "TEXT",
    "Integer": "INTEGER",
    "BigInteger": "BIGINT",
    "SmallInteger": "SMALLINT",
    "Boolean": "BOOLEAN",
    "Date": "DATE",
    "Time": "TIME",
    "Interval": "INTERVAL",
    "Float": "FLOAT",
    "Double": "DOUBLE PRECISION",
    "Numeric": "NUMERIC",
    "LargeBinary": "BYTEA",
    "JSON": "JSON",
    "Uuid": "UUID",
    "PickleType": "BYTEA",
}
_ENGINE_TYPES = {
    ops.Dialect.MYSQL: {"Boolean": "BOOL", "LargeBinary": "BLOB", "Uuid": "CHAR(32)"},
    ops.Dialect.SQLITE: {"LargeBinary": "BLOB", "Uuid": "CHAR(32)"},
}
_CONSTRAINT_TYPES = {
    "foreignkey": ops.ConstraintKind.FOREIGN_KEY,
    "unique": ops.ConstraintKind.UNIQUE,
    "check": ops.ConstraintKind.CHECK,
    "primary": ops.ConstraintKind.PRIMARY_KEY,
}


def type_name(value: Value, dialect: ops.Dialect | None) -> str | None:
    """The SQL type of an SQLAlchemy type: `sa.String(255)` is `VARCHAR(255)`."""
    if value is None:
        return None
    call = value if isinstance(value, Call) else None
    name = value.name if isinstance(value, Call) else value.tail if isinstance(value, Ref) else ""
    if isinstance(value, (Code, Ref)) and (wrapper := _wrapped_by(value)):
        return f"the type under {wrapper} (not resolved)"
    if not name:
        return render(value)
    if name == "DateTime" or name == "TIMESTAMP":
        zone = call is not None and call.get("timezone", 0) is True
        if dialect in (None, ops.Dialect.POSTGRESQL):
            return f"TIMESTAMP {'WITH' if zone else 'WITHOUT'} TIME ZONE"
        return "DATETIME" if name == "DateTime" else "TIMESTAMP"
    if name == "as_mutable" and call is not None and call.args:
        return type_name(call.args[0], dialect)
    if name in ("ARRAY",) and call is not None:
        return f"{type_name(call.get('item_type', 0), dialect) or '?'}[]"
    if name in ("Geometry", "Geography"):  # GeoAlchemy2, on PostGIS
        kind = call.get("geometry_type", 0) if call is not None else None
        srid = call.get("srid", 1) if call is not None else None
        shape = ", ".join(str(v) for v in (kind, srid) if isinstance(v, (str, int)))
        return f"{name.upper()}({shape})" if shape else name.upper()
    if name == "Enum" or name == "ENUM":
        label = enum_name(call) if call is not None else None
        return f"ENUM {label}" if label else "ENUM"
    base = _ENGINE_TYPES.get(dialect or ops.Dialect.POSTGRESQL, {}).get(name) or _TYPES.get(name)
    if base is None:
        base = name.upper() if name.isupper() else name
    return base + _type_arguments(call, name)


# `JsonEncodedDict(mysql_as_long=True).impl`, `JsonEncodedDict.impl`: the type a project's
# TypeDecorator wraps, known only to its code.
_IMPL = re.compile(r"(\w+)(?:\(.*\))?\.impl$", re.DOTALL)


def _wrapped_by(value: Code | Ref) -> str | None:
    """The type decorator whose underlying type (`.impl`) the column takes, if that is it."""
    found = _IMPL.search(value.source if isinstance(value, Code) else value.name)
    return found.group(1) if found else None


_SPECIAL_TYPES = frozenset(
    {"DateTime", "TIMESTAMP", "as_mutable", "ARRAY", "Enum", "ENUM", "Geometry", "Geography"}
)


def code_defined_type(value: Value) -> str | None:
    """The name of a type the project defines (`MediumText`, `JSONType`): neither an
    SQLAlchemy generic type nor a dialect's upper-case SQL type; what it compiles to is in
    code harvester does not run."""
    name = value.name if isinstance(value, Call) else value.tail if isinstance(value, Ref) else ""
    if not name or name.isupper() or name in _TYPES or name in _SPECIAL_TYPES:
        return None
    if any(name in types for types in _ENGINE_TYPES.values()):
        return None
    return name


def _type_arguments(call: Call | None, name: str) -> str:
    if call is None:
        return ""
    if name in ("Numeric", "NUMERIC", "DECIMAL"):
        precision, scale = call.get("precision", 0), call.get("scale", 1)
        if isinstance(precision, int):
            return f"({precision}, {scale})" if isinstance(scale, int) else f"({precision})"
        return ""
    precision = call.get("fsp", default=call.get("timezone_precision"))
    if isinstance(precision, int) and not isinstance(precision, bool):
        return f"({precision})"
    length = call.get("length", 0)
    if isinstance(length, int) and not isinstance(length, bool):
        return f"({length})"
    if call.args and isinstance(call.args[0], int) and not isinstance(call.args[0], bool):
        return f"({call.args[0]})"
    return ""


def enum_type(value: Value) -> ops.CreateEnumType | None:
    """CREATE TYPE for a named `sa.Enum(...)` that SQLAlchemy creates with its table."""
    if not isinstance(value, Call) or value.name not in ("Enum", "ENUM"):
        return None
    label = value.get("name")
    if not isinstance(label, str) or value.get("create_type") is False:
        return None
    return ops.CreateEnumType(label, enum_values(value))


def enum_name(call: Call) -> str | None:
    """The type's name: `name=`, else the lower-cased name of the Python enum class it is built
    from (`sa.Enum(BillType)` is `billtype`, as SQLAlchemy names it)."""
    label = call.get("name")
    if isinstance(label, str):
        return label
    if len(call.args) == 1 and isinstance(call.args[0], Ref):
        return call.args[0].tail.lower()
    return None


def enum_values(call: Call) -> tuple[str, ...]:
    """The values written in the call; none when they come from a Python enum class."""
    return tuple(v for v in call.args if isinstance(v, str))


FROM_CODE = "value from application code"


def is_sql_expression(default: str | None) -> bool:
    """Whether a `server_default` as `server_default()` renders it is a SQL expression
    (`sa.text("now()")`, `sa.func.now()`, `sa.true()`), not a plain string or Python value."""
    return default is not None and not default.startswith(("'", FROM_CODE))


def server_default(value: Value) -> str | None:
    """A `server_default` as SQL: strings are quoted, `sa.text("now()")` is `now()`."""
    if value is None:
        return None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Call):
        if (
            value.func in ("json.dumps",)
            and value.args
            and not isinstance(value.args[0], (Call, Ref))
        ):
            return server_default(json.dumps(value.args[0]))
        if value.name in ("text", "literal_column") and value.args:
            inner = value.args[0]
            return inner if isinstance(inner, str) else render(inner)
        if value.name in ("true", "false"):
            return value.name
        if value.func.startswith(("sa.func.", "func.", "sqlalchemy.func.")):
            args = ", ".join(render(a) for a in value.args)
            return f"{value.name}({args})"
    if isinstance(value, (Ref, Code)):  # `BillType.EXPENSE.name`: Python, not SQL
        return f"{FROM_CODE} ({render(value)})"
    return render(value)


SERIALS = {"SMALLINT": "SMALLSERIAL", "INTEGER": "SERIAL", "BIGINT": "BIGSERIAL"}


def column_def(column: Call, table: str, dialect: ops.Dialect | None) -> ops.ColumnDef:
    """A `ColumnDef` for `sa.Column(name, type, *constraints, **options)`."""
    name = column.args[0] if column.args and isinstance(column.args[0], str) else column.get("name")
    kind = column.get("type_")
    rest = list(column.args[1:] if column.args and isinstance(column.args[0], str) else column.args)
    if kind is None and rest and not _is_foreign_key(rest[0]):
        kind = rest.pop(0)
    reference = next((_reference(r, str(name), table) for r in rest if _is_foreign_key(r)), None)
    primary = column.get("primary_key") is True
    nullable = column.get("nullable")
    sql_type = type_name(kind, dialect)
    # SQLAlchemy emits autoincrement=True for an integer primary key only: as AUTO_INCREMENT,
    # or on PostgreSQL as a SERIAL type.
    auto_increment = column.get("autoincrement") is True and primary
    if auto_increment and dialect is ops.Dialect.POSTGRESQL:
        sql_type, auto_increment = SERIALS.get((sql_type or "").upper(), sql_type), False
    return ops.ColumnDef(
        name=str(name),
        type=sql_type,
        nullable=not primary if nullable is None else nullable is not False,
        default=server_default(column.get("server_default")),
        primary_key=primary,
        unique=column.get("unique") is True,
        references=reference,
        auto_increment=auto_increment,
    )


def column_index(column: Call, table: str) -> ops.IndexDef | None:
    """The index SQLAlchemy creates for `index=True` (named `ix_<table>_<column>`)."""
    if column.get("index") is not True:
        return None
    name = column.args[0] if column.args and isinstance(column.args[0], str) else "?"
    return ops.IndexDef(
        f"ix_{table}_{name}", table, (str(name),), unique=column.get("unique") is True
    )


def table_constraint(value: Value, table: str) -> ops.Constraint | ops.IndexDef | None:
    """A table-level item of `op.create_table`: constraints, or an `sa.Index`."""
    if not isinstance(value, Call):
        return None
    name = constraint_name(value.get("name"))
    match value.name:
        case "PrimaryKeyConstraint":
            return ops.Constraint(ops.ConstraintKind.PRIMARY_KEY, name, strings(value.args))
        case "UniqueConstraint":
            return ops.Constraint(ops.ConstraintKind.UNIQUE, name, strings(value.args))
        case "CheckConstraint":
            return ops.Constraint(
                ops.ConstraintKind.CHECK, name, expression=sql_text(value.get("sqltext", 0))
            )
        case "ForeignKeyConstraint":
            local = strings(value.get("columns", 0))
            remote = strings(value.get("refcolumns", 1))
            fk = _foreign_key(local, remote, value, name)
            return ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, name, local, foreign_key=fk)
        case "Index":
            label = value.args[0] if value.args and isinstance(value.args[0], str) else name
            columns = tuple(render(c) if not isinstance(c, str) else c for c in value.args[1:])
            return ops.IndexDef(label, table, columns, unique=value.get("unique") is True)
    return None


def foreign_key(
    name: Value,
    local: Value,
    referent: Value,
    remote: Value,
    options: Call,
) -> ops.ForeignKey:
    """The foreign key of `op.create_foreign_key(name, source, referent, local, remote, …)`."""
    return ops.ForeignKey(
        columns=strings(local),
        ref_table=str(referent),
        ref_columns=strings(remote),
        on_delete=_text(options.get("ondelete")),
        on_update=_text(options.get("onupdate")),
        name=constraint_name(name),
        deferrable=options.get("deferrable") is True,
    )


def constraint_kind(value: Value) -> ops.ConstraintKind | None:
    """The `type_=` of `op.drop_constraint`."""
    return _CONSTRAINT_TYPES.get(value) if isinstance(value, str) else None


def constraint_name(value: Value) -> str | None:
    """A constraint or index name, through `op.f("name")` and `conv("name")`."""
    if isinstance(value, Call) and value.name in ("f", "conv") and value.args:
        value = value.args[0]
    return value if isinstance(value, str) else None


def sql_text(value: Value) -> str:
    """A condition or SQL given as a string, `sa.text(...)`, or an expression (its source)."""
    if isinstance(value, Call) and value.name == "text" and value.args:
        value = value.args[0]
    if isinstance(value, Code) and value.source.startswith(("f'", 'f"')):
        return f"built by application code: {_template(value.source)}"
    return value if isinstance(value, str) else render(value)


def _template(source: str) -> str:
    """An f-string's text with its Python parts left as `{expression}`."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return source
    if not isinstance(node, ast.JoinedStr):
        return source
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
        for part in node.values
        if isinstance(part, (ast.Constant, ast.FormattedValue))
    )


def _is_foreign_key(value: Value) -> bool:
    return isinstance(value, Call) and value.name == "ForeignKey"


def _reference(value: Value, column: str, table: str) -> ops.ForeignKey | None:
    if not isinstance(value, Call):
        return None
    target = value.get("column", 0)
    if isinstance(target, (Call, Code)):
        # a target the file computes in a way harvester does not follow: not shown as source
        return _foreign_key((column,), (), value, constraint_name(value.get("name")), _COMPUTED)
    text = target if isinstance(target, str) else render(target)
    ref_table, _, ref_column = text.rpartition(".")
    return _foreign_key(
        (column,), (ref_column,), value, constraint_name(value.get("name")), ref_table
    )


_COMPUTED = "(a column computed at run time)"


def _foreign_key(
    local: tuple[str, ...],
    remote: tuple[str, ...],
    options: Call,
    name: str | None,
    ref_table: str | None = None,
) -> ops.ForeignKey:
    if ref_table is None:
        tables = {r.rpartition(".")[0] for r in remote}
        ref_table = tables.pop() if len(tables) == 1 else ",".join(sorted(tables))
        remote = tuple(r.rpartition(".")[2] for r in remote)
    return ops.ForeignKey(
        columns=local,
        ref_table=ref_table,
        ref_columns=remote,
        on_delete=_text(options.get("ondelete")),
        on_update=_text(options.get("onupdate")),
        name=name,
        deferrable=options.get("deferrable") is True,
    )


def _text(value: Value) -> str | None:
    return value if isinstance(value, str) else None
