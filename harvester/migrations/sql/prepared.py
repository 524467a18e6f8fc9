"""MySQL's conditional DDL idiom, read for the statements it may run:

    SET @stmt = (SELECT IF((SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE …) > 0,
                           'ALTER TABLE Users DROP COLUMN LastActivityAt;', 'SELECT 1'));
    PREPARE alterIfExists FROM @stmt;
    EXECUTE alterIfExists;
    DEALLOCATE PREPARE alterIfExists;

The SQL held in the string literals of the `SET` is parsed as what the migration runs when its
check holds; PREPARE, EXECUTE and DEALLOCATE only carry it out and say nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harvester.migrations.schema import ops
from harvester.migrations.sql.split import Statement

_MYSQL_LIKE = (ops.Dialect.MYSQL, ops.Dialect.MARIADB)
_SET_VARIABLE = re.compile(r"SET\s+@(\w+)\s*(?::=|=)", re.IGNORECASE)
_CARRIERS = re.compile(
    r"(?:PREPARE\s+\w+\s+FROM\s+@\w+|EXECUTE\s+\w+(?:\s+USING\s+@[\w\s,@]+)?|"
    r"(?:DEALLOCATE|DROP)\s+PREPARE\s+\w+)\s*;?\s*$",
    re.IGNORECASE,
)
_LITERAL = re.compile(r"'((?:[^'\\]|\\.|'')*)'", re.DOTALL)
_RUNNABLE = re.compile(
    r"\s*(?:ALTER|CREATE|DROP|RENAME|TRUNCATE|UPDATE|INSERT|DELETE)\b", re.IGNORECASE
)

Parse = Callable[[str, int], list[ops.Operation]]


def statement_operations(
    statement: Statement, dialect: ops.Dialect | None, parse: Parse
) -> list[ops.Operation] | None:
    """The operations of a statement of the idiom (None: the statement is not one).

    `parse(sql, line)` reads the SQL a string literal holds."""
    if dialect not in _MYSQL_LIKE:
        return None
    text = statement.text.strip()
    if _CARRIERS.match(text):
        return []
    variable = _SET_VARIABLE.match(text)
    if variable is None:
        return None
    held = [_unquoted(m.group(1)) for m in _LITERAL.finditer(text[variable.end() :])]
    runnable = [sql for sql in held if _RUNNABLE.match(sql)]
    if not runnable:
        return None
    found: list[ops.Operation] = [
        ops.Opaque(
            f"@{variable.group(1)} holds SQL run by EXECUTE only when its check holds: "
            + "; ".join(" ".join(sql.split()).rstrip(";")[:80] for sql in runnable),
            line=statement.line,
        )
    ]
    for sql in runnable:
        found += parse(sql, statement.line)
    return found


def _unquoted(literal: str) -> str:
    return literal.replace("''", "'").replace("\\'", "'").replace('\\"', '"')
