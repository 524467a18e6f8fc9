"""Rails column types as each adapter writes them, and Ruby defaults as SQL.

t.string :name, limit: 80        # PostgreSQL VARCHAR(80), MySQL VARCHAR(80)
t.datetime :seen_at              # TIMESTAMP(6) on PostgreSQL from Migration[7.0]
t.references :user               # BIGINT from Migration[5.1], INTEGER before
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harvester.migrations.literals import (
    Code,
    Interpolated,
    Lambda,
    Sym,
    Value,
    name_of,
    type_name,
)
from harvester.migrations.rails import versions
from harvester.migrations.rails.versions import RailsVersion
from harvester.migrations.schema import ops

_GENERIC = {
    "string": "VARCHAR",
    "text": "TEXT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "decimal": "DECIMAL",
    "numeric": "DECIMAL",
    "datetime": "TIMESTAMP",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "date": "DATE",
    "binary": "BYTEA",
    "boolean": "BOOLEAN",
    "bit_varying": "BIT VARYING",
}
_BY_DIALECT: Mapping[ops.Dialect, Mapping[str, str]] = {
    ops.Dialect.MYSQL: {
        "string": "VARCHAR(255)",
        "integer": "INT",
        "binary": "BLOB",
        "datetime": "DATETIME",
        "boolean": "TINYINT(1)",
    },
    ops.Dialect.SQLITE: {"binary": "BLOB", "datetime": "DATETIME"},
}
_MYSQL_TEXT = ((0xFF, "TINY"), (0xFFFF, ""), (0xFFFFFF, "MEDIUM"))
_ON_ACTION = {
    "cascade": "CASCADE",
    "nullify": "SET NULL",
    "restrict": "RESTRICT",
    "no_action": "NO ACTION",
}


@dataclass(frozen=True, slots=True)
class RailsContext:
    """What translating a migration depends on: the adapter and `Migration[x.y]`."""

    dialect: ops.Dialect | None
    version: RailsVersion


def mysql_like(dialect: ops.Dialect | None) -> bool:
    """MySQL and MariaDB share Rails' abstract MySQL adapter."""
    return dialect in (ops.Dialect.MYSQL, ops.Dialect.MARIADB)


def column_type(rails_type: str, options: Mapping[str, Value], ctx: RailsContext) -> str:
    """The SQL type Rails creates for `rails_type` with `limit:`, `precision:`, `array:`, …"""
    if rails_type == "virtual":
        inner = name_of(options.get("type")) or "string"
        return column_type(inner, {k: v for k, v in options.items() if k != "type"}, ctx)
    if rails_type.startswith("<") and rails_type.endswith(">"):
        return f"(type computed by {rails_type[1:-1]})"  # a name from code harvester cannot run
    if rails_type == "enum":
        return name_of(options.get("enum_type")) or "ENUM"
    dialect = ops.Dialect.MYSQL if mysql_like(ctx.dialect) else ctx.dialect
    table = _BY_DIALECT.get(dialect, {}) if dialect is not None else {}
    limit = options.get("limit")
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    sql = _sized(rails_type, limit, dialect) or table.get(rails_type) or _GENERIC.get(rails_type)
    sql = sql or type_name(rails_type)
    if rails_type in ("decimal", "numeric"):
        sql += _precision_scale(options)
    elif rails_type in ("datetime", "timestamp", "time", "timestamptz"):
        sql += _fraction(rails_type, options, ctx.version)
    if options.get("array") is True:
        sql += "[]"
    if options.get("unsigned") is True and dialect is ops.Dialect.MYSQL:
        sql += " UNSIGNED"
    collation = options.get("collation")
    if isinstance(collation, str):
        sql += f" COLLATE {collation}"
    return sql


def _sized(rails_type: str, limit: int | None, dialect: ops.Dialect | None) -> str | None:
    if limit is None:
        return None
    if rails_type == "string":
        return f"VARCHAR({limit})"
    if rails_type == "integer":
        if dialect is ops.Dialect.MYSQL:
            return {1: "TINYINT", 2: "SMALLINT", 3: "MEDIUMINT"}.get(
                limit, "BIGINT" if limit > 4 else "INT"
            )
        return "SMALLINT" if limit <= 2 else "BIGINT" if limit > 4 else "INTEGER"
    if rails_type == "text" and dialect is ops.Dialect.MYSQL:
        prefix = next((p for top, p in _MYSQL_TEXT if limit <= top), "LONG")
        return f"{prefix}TEXT"
    if rails_type == "binary" and dialect is ops.Dialect.MYSQL and limit <= 0xFFF:
        return f"VARBINARY({limit})"
    return None


def _precision_scale(options: Mapping[str, Value]) -> str:
    precision, scale = options.get("precision"), options.get("scale")
    if isinstance(precision, int) and isinstance(scale, int):
        return f"({precision},{scale})"
    if isinstance(precision, int):
        return f"({precision})"
    return ""


def _fraction(rails_type: str, options: Mapping[str, Value], version: RailsVersion) -> str:
    if "precision" in options:
        precision = options["precision"]
        return f"({precision})" if isinstance(precision, int) else ""
    if rails_type == "datetime":
        default = versions.datetime_precision(version)
        return f"({default})" if default is not None else ""
    return ""


def key_type(ctx: RailsContext) -> str:
    """`bigint` or `integer`: the type of primary keys and references for this migration."""
    return "bigint" if versions.bigint_keys(ctx.version) else "integer"


def primary_key_type(id_option: Value, ctx: RailsContext) -> str:
    """The SQL type of `create_table`'s `id` column (`id: :uuid`, default auto-increment)."""
    named = name_of(id_option) if id_option not in (None, True) else None
    if named is not None and named not in ("primary_key", "bigint", "integer"):
        return column_type(named, {}, ctx)
    default = named in (None, "primary_key")
    big = named == "bigint" or (default and versions.bigint_keys(ctx.version))
    if mysql_like(ctx.dialect):
        return "BIGINT" if big else "INT"
    if ctx.dialect is ops.Dialect.SQLITE:
        return "INTEGER"
    return "BIGSERIAL" if big else "SERIAL"


def primary_key_default(
    id_option: Value, options: Mapping[str, Value], ctx: RailsContext
) -> str | None:
    """`gen_random_uuid()` for `id: :uuid` on PostgreSQL unless a default is given."""
    if "default" in options:
        return default_sql(options["default"])
    if name_of(id_option) == "uuid" and ctx.dialect in (None, ops.Dialect.POSTGRESQL):
        return "gen_random_uuid()"
    return None


def default_sql(value: Value) -> str | None:
    """A Ruby default as SQL: strings quoted, `-> { "now()" }` as the expression, nil as None."""
    if value is None:
        return None
    if isinstance(value, Lambda):
        inner = value.body
        return inner if isinstance(inner, str) else name_of(inner) or "(expression)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, Sym):
        return f"'{value.name}'"
    if isinstance(value, list | dict):
        return "'{}'" if not value else f"'{_literal(value)}'"
    if isinstance(value, Interpolated | Code):
        return f"({name_of(value)})"
    return None


def _literal(value: Value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}": {_literal(v)}' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(default_sql(value))


def on_action(value: Value) -> str | None:
    """`on_delete: :cascade` -> `CASCADE`."""
    name = name_of(value)
    return _ON_ACTION.get(name, name.upper()) if name else None
