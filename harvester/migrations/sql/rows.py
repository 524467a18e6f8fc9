"""Row changes (UPDATE, DELETE, TRUNCATE, INSERT) as operations, the same from every parser."""

from __future__ import annotations

import re

from harvester.migrations.schema import ops


def update(
    table: str,
    columns: tuple[str, ...],
    has_where: bool,
    line: int,
    reads: tuple[tuple[str, str], ...] = (),
    sets: tuple[tuple[str, str], ...] = (),
) -> list[ops.Operation]:
    """`UPDATE table SET columns [WHERE …]`; `reads`: (column set, column its value reads);
    `sets`: (column set, its new value as written)."""
    return [
        ops.DataChange(
            ops.DataChangeKind.UPDATE,
            table,
            f"UPDATE {table} SET {', '.join(columns)}",
            has_where=has_where,
            columns=columns,
            line=line,
            reads=reads,
            sets=sets,
        )
    ]


_ALWAYS_TRUE = re.compile(r"^\(?\s*(?:TRUE|1\s*=\s*1)\s*\)?$", re.IGNORECASE)


def always_true(condition: str) -> bool:
    """True for a WHERE that matches every row (`WHERE 1=1`, `WHERE true`)."""
    return bool(_ALWAYS_TRUE.match(condition.strip()))


_IS_NULL = re.compile(r"(?<![\w.])(?:\w+\.)?\"?(\w+)\"?\s+IS\s+NULL\b", re.IGNORECASE)


def delete(table: str, where: str | None, line: int) -> list[ops.Operation]:
    """`DELETE FROM table [WHERE …]`; its `columns` are those whose NULL rows it deletes
    (`WHERE account_id IS NULL`, before a SET NOT NULL)."""
    # only a plain condition: `x IS NULL OR …` or a subquery's IS NULL says nothing of x
    simple = where is not None and not re.search(r"\b(?:OR|SELECT)\b", where, re.I)
    nulls = tuple(dict.fromkeys(_IS_NULL.findall(where))) if simple and where else ()
    detail = f"DELETE FROM {table}" + (
        f" WHERE {' AND '.join(f'{c} IS NULL' for c in nulls)}" if nulls else ""
    )
    return [
        ops.DataChange(
            ops.DataChangeKind.DELETE,
            table,
            detail,
            has_where=where is not None,
            line=line,
            columns=nulls,
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
