"""SQL text to schema operations, for every system that holds SQL (files, RunSQL, execute).

    sql_operations("ALTER TABLE t ADD COLUMN c int NOT NULL;", Dialect.POSTGRESQL)

PostgreSQL (and CockroachDB) statements are read with pglast, PostgreSQL's own grammar; MySQL,
MariaDB, SQLite and ClickHouse with sqlglot. Statements a parser rejects or returns as opaque
go through a few tested text recognisers (`fallback`); what nobody reads is kept as a raw
`Opaque` operation with a problem, never dropped. The function is pure (text in, operations
out), so callers may cache it by blob and run it in worker processes.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from functools import partial

from harvester.cache import cached
from harvester.migrations.schema import ops
from harvester.migrations.sql import fallback, prepared, rows
from harvester.migrations.sql.dialect import guess_dialect
from harvester.migrations.sql.errors import StatementError
from harvester.migrations.sql.names import dotted, summary
from harvester.migrations.sql.split import (
    Statement,
    run_together,
    split_statements,
    strip_comments,
)

_PGLAST_DIALECTS = (None, ops.Dialect.POSTGRESQL, ops.Dialect.COCKROACHDB)
_TREE_SURPRISES = (AttributeError, KeyError, TypeError, IndexError, ValueError, RecursionError)


@dataclass(frozen=True, slots=True)
class SqlAnalysis:
    """The operations a SQL text performs, and the statements nobody could parse.

    `dialect` is the dialect the text was read as (the one given, or the one its statements
    suggest); `statements` counts the statements found, comments aside.
    """

    operations: tuple[ops.Operation, ...]
    problems: tuple[str, ...] = ()
    dialect: ops.Dialect | None = None
    statements: int = 0


@cached("sql")
def sql_operations(text: str, dialect: ops.Dialect | None, first_line: int = 1) -> SqlAnalysis:
    """Operations for `text` in `dialect` (None: guess from the statements).

    `first_line` is the line of `text` within its file, so operations carry file lines.
    """
    text = _without_templates(text)
    read_as = dialect or guess_dialect(text)
    statements = split_statements(text, read_as, first_line)
    operations: list[ops.Operation] = []
    problems: list[str] = []
    for statement in statements:
        found, problem = _statement_operations(statement, read_as)
        operations.extend(found)
        if problem:
            problems.append(problem)
        problems.extend(
            f"line {o.line}: not parsed: {o.summary}"
            for o in found
            if isinstance(o, ops.Opaque) and o.raw and not problem
        )
    operations = fallback.codecs_together(operations)
    return SqlAnalysis(tuple(operations), tuple(problems), read_as, len(statements))


_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")


def _without_templates(text: str) -> str:
    """SQL with Go template placeholders filled in as the tool would (pop, and tools built on
    it, write `{{ index .Options "Namespace" }}.users`): a placeholder schema is left out, and
    any other placeholder reads as the name `tmpl`."""
    if "{{" not in text:
        return text
    text = re.sub(_TEMPLATE.pattern + r"\.", "", text)
    return _TEMPLATE.sub("tmpl", text)


# `INSERT INTO t [(cols)] VALUES (…)`: rows of data, read without a parser (seed files hold
# tens of thousands of them); anything else, INSERT … SELECT included, is parsed.
_PLAIN_INSERT = re.compile(
    r"INSERT\s+INTO\s+((?:[\w$]+|\"[^\"]+\"|`[^`]+`)(?:\.(?:[\w$]+|\"[^\"]+\"|`[^`]+`))?)"
    r"\s*(?:\([^()]*\)\s*)?VALUES\s*\(",
    re.IGNORECASE,
)


def _statement_operations(
    statement: Statement, dialect: ops.Dialect | None
) -> tuple[list[ops.Operation], str | None]:
    held = prepared.statement_operations(statement, dialect, partial(_held_sql, dialect))
    if held is not None:
        return held, None
    plain = _PLAIN_INSERT.match(statement.text)
    if plain and not re.search(
        r"\bSELECT\b|\bRETURNING\b|\bON\s+(?:CONFLICT|DUPLICATE)\b", statement.text, re.IGNORECASE
    ):
        return rows.insert(dotted(plain.group(1), dialect), None, (), statement.line), None
    try:
        return _parse(statement, dialect), None
    except StatementError as error:
        bound = _numbered_binds(statement.text, dialect)
        if bound != statement.text:
            with suppress(StatementError):
                return _parse(Statement(bound, statement.line), dialect), None
        # the text recognisers read tokens: comments inside the statement would be tokens too
        bare = strip_comments(statement.text, dialect)
        found = fallback.statement_operations(bare, statement.line, dialect)
        if found is not None:
            return found, None
        recovered = _recovered(statement, dialect)
        if recovered is not None:
            return recovered
        raw: list[ops.Operation] = [
            ops.Opaque(summary(statement.text), raw=True, line=statement.line)
        ]
        return raw, f"line {statement.line}: not parsed ({error}): {summary(statement.text)}"


# SQLAlchemy's `text()` and other drivers name parameters `:group_id`; a cast is `::type`.
_NAMED_BIND = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)\b(?!:)")
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")")


def _numbered_binds(text: str, dialect: ops.Dialect | None) -> str:
    """`text` with its named parameters (`:group_id`) as the engine's own (`$1`, `?`), outside
    quotes, so that SQL written for a driver parses."""
    if ":" not in text:
        return text
    numbered = iter(range(1, text.count(":") + 1))
    postgres = dialect in (None, ops.Dialect.POSTGRESQL, ops.Dialect.COCKROACHDB)

    def parameter(_: re.Match[str]) -> str:
        return f"${next(numbered)}" if postgres else "?"

    parts = _QUOTED.split(text)
    return "".join(
        part if index % 2 else _NAMED_BIND.sub(parameter, part) for index, part in enumerate(parts)
    )


def _held_sql(dialect: ops.Dialect | None, sql: str, line: int) -> list[ops.Operation]:
    """The operations of SQL a statement holds as text (its line is the holder's)."""
    return list(sql_operations(sql, dialect, line).operations)


def _recovered(
    statement: Statement, dialect: ops.Dialect | None
) -> tuple[list[ops.Operation], str] | None:
    """Statements a missing `;` glued together, read apart, with the problem stated; None
    unless every part parses."""
    parts = run_together(statement, dialect)
    if len(parts) < 2:
        return None
    operations: list[ops.Operation] = []
    for part in parts:
        found, problem = _statement_operations(part, dialect)
        if problem is not None or any(isinstance(o, ops.Opaque) and o.raw for o in found):
            return None
        operations.extend(found)
    where = f"line {parts[1].line}"
    problem = (
        f"line {statement.line}: a `;` seems to be missing before {where}: the engine rejects "
        f"this statement as written; harvester read it as {len(parts)} statements"
    )
    glued = ops.Opaque(
        f"statements run together (no `;` before {where}): the engine rejects them as written",
        raw=True,
        line=statement.line,
    )
    return [glued, *operations], problem


def _parse(statement: Statement, dialect: ops.Dialect | None) -> list[ops.Operation]:
    try:
        return _translate(statement, dialect)
    except _TREE_SURPRISES as error:
        # A syntax tree of a shape the translators do not expect (odd or broken SQL): the
        # statement is read like one its parser rejected, never a crash.
        raise StatementError(f"unexpected syntax tree ({type(error).__name__})") from error


def _translate(statement: Statement, dialect: ops.Dialect | None) -> list[ops.Operation]:
    if dialect in _PGLAST_DIALECTS:
        from harvester.migrations.sql import postgres

        return postgres.statement_operations(
            statement.text, statement.line, dialect or ops.Dialect.POSTGRESQL
        )
    from harvester.migrations.sql import sqlglot_dialects

    assert dialect is not None
    return sqlglot_dialects.statement_operations(statement.text, statement.line, dialect)
