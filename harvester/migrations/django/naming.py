"""Names as Django gives them to the database: tables, indexes, unique and foreign keys.

Django names an index `<table>_<columns>_<8 hex of md5(table, columns)><suffix>`, shortened to
the engine's identifier limit; a model's table is `<app_label>_<model name in lower case>`.
"""

from __future__ import annotations

import hashlib

from harvester.migrations.schema.ops import Dialect

_MAX_NAME = {Dialect.POSTGRESQL: 63, Dialect.MYSQL: 64, Dialect.MARIADB: 64}


def table_name(app_label: str, model_name: str, db_table: object = None) -> str:
    """`db_table` when the model sets one, else `<app_label>_<model name lower-cased>`."""
    if isinstance(db_table, str) and db_table:
        return truncate(db_table)
    return truncate(f"{app_label}_{model_name.lower()}")


def many_to_many_table(table: str, field_name: str) -> str:
    """The join table Django creates for a ManyToManyField without `through`."""
    return truncate(f"{table}_{field_name}")


def truncate(name: str, limit: int = 63) -> str:
    """A table name cut to PostgreSQL's limit with a 4-hex digest, as Django shortens them."""
    if len(name) <= limit:
        return name
    return name[: limit - 4] + _digest(name)[:4]


def _digest(*parts: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()


def index_name(
    table: str, columns: list[str] | tuple[str, ...], suffix: str, dialect: Dialect | None
) -> str:
    """The name Django's schema editor generates for an index or constraint on `columns`."""
    table = table.rsplit(".", 1)[-1].strip('"')
    hashed = _digest(table, *columns)[:8] + suffix
    limit = _max_length(dialect)
    name = f"{table}_{'_'.join(columns)}_{hashed}"
    if len(name) <= limit:
        return name
    if len(hashed) > limit / 3:
        hashed = hashed[: limit // 3]
    half = (limit - len(hashed)) // 2 - 1
    name = f"{table[:half]}_{'_'.join(columns)[:half]}_{hashed}"
    if name[0] == "_" or name[0].isdigit():
        name = "D" + name[:-1]
    return name


def foreign_key_name(
    table: str, column: str, ref_table: str, ref_column: str, dialect: Dialect | None
) -> str:
    """`<table>_<column>_<hash>_fk_<ref_table>_<ref_column>`, shortened as Django does."""
    return index_name(table, [column], f"_fk_{ref_table}_{ref_column}", dialect)


def inline_unique_name(table: str, column: str, dialect: Dialect | None) -> str | None:
    """The name the engine gives a column's inline UNIQUE (Django does not name those)."""
    if dialect in (Dialect.MYSQL, Dialect.MARIADB):
        return column
    if dialect is Dialect.SQLITE:
        return None
    return postgres_object_name(table, column, "key")


def postgres_object_name(first: str, second: str, label: str) -> str:
    """PostgreSQL's own name for an implicit index or constraint, shortened to 63 bytes by
    trimming the longer of the two names first."""
    available = 63 - len(label) - 2
    keep_first, keep_second = len(first), len(second)
    while keep_first + keep_second > available:
        if keep_first > keep_second:
            keep_first -= 1
        else:
            keep_second -= 1
    return f"{first[:keep_first]}_{second[:keep_second]}_{label}"


def _max_length(dialect: Dialect | None) -> int:
    if dialect is None:
        return _MAX_NAME[Dialect.POSTGRESQL]
    return _MAX_NAME.get(dialect, 200)
