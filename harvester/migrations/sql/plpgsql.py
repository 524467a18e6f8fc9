"""The SQL statements inside a PostgreSQL `DO $$ … $$` block, read with pglast's PL/pgSQL parser.

    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'role') THEN
        CREATE TYPE role AS ENUM ('admin', 'member');
      END IF;
    END $$;

Each embedded statement is analysed like a top-level one (conditions are not evaluated, so a
guarded statement counts as run). `EXECUTE` of a string literal is read too; dynamic SQL built
at run time cannot be, and is reported as raw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_TAG = "$__harvester_do__$"


@dataclass(frozen=True, slots=True)
class InnerStatement:
    """A statement found in a DO block, or (`text` None) why one could not be read."""

    text: str | None
    line: int
    problem: str | None = None


def do_block_statements(node: Any, statement: str, line: int) -> list[InnerStatement]:
    """The statements a `DoStmt` runs, with their file lines."""
    from pglast.parser import ParseError, parse_plpgsql_json

    body = language = None
    for arg in node.args or ():
        if arg.defname == "as":
            body = arg.arg.sval
        elif arg.defname == "language":
            language = arg.arg.sval
    if body is None or (language and language.lower() != "plpgsql"):
        return [InnerStatement(None, line, f"DO block in language {language or 'unknown'}")]
    start = statement.find(body)
    body_line = line + statement.count("\n", 0, max(start, 0))
    wrapped = f"CREATE FUNCTION harvester_do() RETURNS void LANGUAGE plpgsql AS {_TAG}{body}{_TAG}"
    try:
        tree = json.loads(parse_plpgsql_json(wrapped))
    except ParseError as error:
        return [InnerStatement(None, line, f"DO block not parsed: {error}")]
    return list(_statements(tree, body_line))


def _statements(tree: Any, body_line: int) -> Iterator[InnerStatement]:
    if isinstance(tree, list):
        for item in tree:
            yield from _statements(item, body_line)
        return
    if not isinstance(tree, dict):
        return
    for key, value in tree.items():
        if key == "PLpgSQL_stmt_execsql":
            query = value["sqlstmt"]["PLpgSQL_expr"]["query"]
            yield InnerStatement(query, body_line + value.get("lineno", 1) - 1)
        elif key == "PLpgSQL_stmt_dynexecute":
            yield _dynamic(value, body_line)
        else:
            yield from _statements(value, body_line)


def _dynamic(value: dict[str, Any], body_line: int) -> InnerStatement:
    line = body_line + value.get("lineno", 1) - 1
    query = value["query"]["PLpgSQL_expr"]["query"].strip()
    if (
        len(query) >= 2
        and query[0] == query[-1] == "'"
        and "'" not in query[1:-1].replace("''", "")
    ):
        return InnerStatement(query[1:-1].replace("''", "'"), line)
    return InnerStatement(None, line, f"dynamic SQL in DO block: EXECUTE {query[:60]}")
