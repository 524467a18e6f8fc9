"""Row changes (UPDATE, DELETE, TRUNCATE, INSERT) as operations, the same from every parser."""

from __future__ import annotations

import re

from harvester.migrations.schema import ops
from harvester.migrations.sql.names import dotted
from harvester.migrations.sql.tokens import balanced


def update(
    table: str,
    columns: tuple[str, ...],
    has_where: bool,
    line: int,
    reads: tuple[tuple[str, str], ...] = (),
    sets: tuple[tuple[str, str], ...] = (),
    where: str | None = None,
) -> list[ops.Operation]:
    """`UPDATE table SET columns [WHERE …]`; `reads`: (column set, column its value reads);
    `sets`: (column set, its new value as written); `where`: the condition as written."""
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
            unmatched_in=unmatched_in(where),
            where=where,
        )
    ]


_ALWAYS_TRUE = re.compile(r"^\(?\s*(?:TRUE|1\s*=\s*1)\s*\)?$", re.IGNORECASE)


def always_true(condition: str) -> bool:
    """True for a WHERE that matches every row (`WHERE 1=1`, `WHERE true`)."""
    return bool(_ALWAYS_TRUE.match(condition.strip()))


# `x IS NULL`, not `NOT x IS NULL` (how sqlglot writes `x IS NOT NULL` back)
_IS_NULL = re.compile(r"(?<![\w.])(?<!\bNOT\s)(?:\w+\.)?\"?(\w+)\"?\s+IS\s+NULL\b", re.IGNORECASE)
_UNMATCHED = re.compile(
    r"\bNOT\s+(?:EXISTS\s*|([\w.\"`]+)\s+IN\s*)\(\s*SELECT\b|"
    r"([\w.\"`]+)\s+NOT\s+IN\s*\(\s*SELECT\b",
    re.IGNORECASE,
)
_FROM = re.compile(
    r"\bFROM\s+((?:\"[^\"]+\"|`[^`]+`|\w+)(?:\.(?:\"[^\"]+\"|`[^`]+`|\w+))?)", re.IGNORECASE
)
_SUBQUERY = re.compile(r"\(\s*SELECT\b", re.IGNORECASE)
# Parsers write `x NOT IN (…)` as `NOT x IN (…)` and `x IS NOT NULL` as `NOT x IS NULL`.
_NOT_FIRST = re.compile(r"\bNOT\s+([\w.\"`]+)\s+(IN\s*\(|IS\s+NULL\b)", re.IGNORECASE)
_WHERE_SHOWN = 80


def unmatched_in(where: str | None) -> tuple[tuple[str, str], ...]:
    """The tables a WHERE requires no matching row in, each with its test as written:
    `NOT EXISTS (SELECT … FROM users …)`, `x NOT IN (SELECT id FROM users)`."""
    found: list[tuple[str, str]] = []
    text = where or ""
    for match in _UNMATCHED.finditer(text):
        inner, _, _ = balanced(text[match.end() - len("SELECT") :])
        source = _FROM.search(inner)
        if source:
            tested = match.group(1) or match.group(2) or ""
            found.append((dotted(source.group(1), None), f"{tested} {inner}".strip()))
    return tuple(dict.fromkeys(found))


def shown_where(where: str) -> str:
    """A WHERE on one line, its subqueries cut to the table they read (`… NOT EXISTS (SELECT
    … FROM users …)`), and to about 80 characters."""
    text = _NOT_FIRST.sub(_not_in_place, " ".join(where.split()))
    parts: list[str] = []
    rest = text
    while match := _SUBQUERY.search(rest):
        inner, _, after = balanced(rest[match.end() - len("SELECT") :])
        source = _FROM.search(inner)
        cut = f"(SELECT … FROM {source.group(1)} …)" if source else "(SELECT …)"
        parts.append(rest[: match.start()] + cut)
        rest = after
    text = "".join(parts) + rest
    return text if len(text) <= _WHERE_SHOWN else text[: _WHERE_SHOWN - 1].rstrip() + "…"


def _not_in_place(match: re.Match[str]) -> str:
    operand, test = match.group(1), match.group(2)
    if test.upper().startswith("IS"):
        return f"{operand} IS NOT NULL"
    return f"{operand} NOT {test}"


def delete(
    table: str, where: str | None, line: int, others: str | None = None
) -> list[ops.Operation]:
    """`DELETE FROM table [USING … | JOIN …] [WHERE …]` (`others`: the USING or JOIN clause);
    its `columns` are those whose NULL rows it deletes (`WHERE account_id IS NULL`, before a
    SET NOT NULL)."""
    # only a plain condition on the table's own rows: `x IS NULL OR …`, a subquery's or a
    # joined table's IS NULL says nothing of x
    simple = where is not None and not others and not re.search(r"\b(?:OR|SELECT)\b", where, re.I)
    nulls = tuple(dict.fromkeys(_IS_NULL.findall(where))) if simple and where else ()
    detail = " ".join(
        part
        for part in (f"DELETE FROM {table}", others, where and f"WHERE {shown_where(where)}")
        if part
    )
    return [
        ops.DataChange(
            ops.DataChangeKind.DELETE,
            table,
            detail,
            has_where=where is not None or others is not None,
            line=line,
            columns=nulls,
            unmatched_in=unmatched_in(where),
            where=" ".join(part for part in (others, where and f"WHERE {where}") if part) or None,
        )
    ]


def truncate(tables: list[str], line: int) -> list[ops.Operation]:
    """`TRUNCATE tables`."""
    return [
        ops.DataChange(ops.DataChangeKind.TRUNCATE, t, f"TRUNCATE {t}", has_where=False, line=line)
        for t in tables
    ]


def insert(
    table: str,
    source: str | None,
    columns: tuple[str, ...],
    line: int,
    reads: tuple[tuple[str, str], ...] | None = None,
    filtered: bool = False,
    where: str | None = None,
) -> list[ops.Operation]:
    """`INSERT INTO table VALUES …` (no source) or `INSERT INTO table … SELECT FROM source`;
    `reads`: (column filled, column of the source it copies), None when not plain columns
    or constants;
    `filtered`: the SELECT has a WHERE (or a join); `where`: that WHERE, when the SELECT reads
    one table."""
    if source is None:
        return [ops.DataChange(ops.DataChangeKind.INSERT, table, f"INSERT INTO {table}", line=line)]
    return [
        ops.DataChange(
            ops.DataChangeKind.INSERT_SELECT,
            table,
            f"INSERT INTO {table} … SELECT FROM {source}",
            has_where=filtered,
            source_table=source,
            line=line,
            columns=columns,
            reads=reads or (),
            where=where,
        )
    ]
