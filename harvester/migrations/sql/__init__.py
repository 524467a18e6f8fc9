"""SQL text to schema operations, for every system that holds SQL (files, RunSQL, execute).

sql_operations("ALTER TABLE t ADD COLUMN c int NOT NULL;", Dialect.POSTGRESQL)
"""

from __future__ import annotations

from dataclasses import dataclass

from harvester.migrations.schema import ops


@dataclass(frozen=True, slots=True)
class SqlAnalysis:
    """The operations a SQL text performs, and the statements nobody could parse."""

    operations: tuple[ops.Operation, ...]
    problems: tuple[str, ...] = ()


def sql_operations(text: str, dialect: ops.Dialect | None, first_line: int = 1) -> SqlAnalysis:
    """Operations for `text` in `dialect` (None: guess from the statements).

    `first_line` is the line of `text` within its file, so operations carry file lines.
    """
    summary = " ".join(text.split())[:80]
    return SqlAnalysis((ops.Opaque(summary, raw=True, line=first_line),))
