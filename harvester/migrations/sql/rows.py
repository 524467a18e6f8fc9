"""Row changes (UPDATE, DELETE, TRUNCATE, INSERT) as operations, the same from every parser."""

from __future__ import annotations

from harvester.migrations.schema import ops


def update(table: str, columns: tuple[str, ...], has_where: bool, line: int) -> list[ops.Operation]:
    """`UPDATE table SET columns [WHERE …]`."""
    return [
        ops.DataChange(
            ops.DataChangeKind.UPDATE,
            table,
            f"UPDATE {table} SET {', '.join(columns)}",
            has_where=has_where,
            columns=columns,
            line=line,
        )
    ]


def delete(table: str, has_where: bool, line: int) -> list[ops.Operation]:
    """`DELETE FROM table [WHERE …]`."""
    return [
        ops.DataChange(
            ops.DataChangeKind.DELETE, table, f"DELETE FROM {table}", has_where=has_where, line=line
        )
    ]


def truncate(tables: list[str], line: int) -> list[ops.Operation]:
    """`TRUNCATE tables`."""
    return [
        ops.DataChange(ops.DataChangeKind.TRUNCATE, t, f"TRUNCATE {t}", has_where=False, line=line)
        for t in tables
    ]


def insert(
    table: str, source: str | None, columns: tuple[str, ...], line: int
) -> list[ops.Operation]:
    """`INSERT INTO table VALUES …` (no source) or `INSERT INTO table … SELECT FROM source`."""
    if source is None:
        return [ops.DataChange(ops.DataChangeKind.INSERT, table, f"INSERT INTO {table}", line=line)]
    return [
        ops.DataChange(
            ops.DataChangeKind.INSERT_SELECT,
            table,
            f"INSERT INTO {table} … SELECT FROM {source}",
            source_table=source,
            line=line,
            columns=columns,
        )
    ]
