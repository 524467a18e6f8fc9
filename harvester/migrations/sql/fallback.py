"""Recognisers for the statements a parser returns as opaque or rejects.

sqlglot hands back `RENAME TABLE`, `EXCHANGE TABLES`, ClickHouse mutations (`ALTER TABLE t
UPDATE …`, `MATERIALIZE INDEX`), `MODIFY COLUMN … DEFAULT`, `OPTIMIZE`, MySQL's `CONVERT TO
CHARACTER SET` and trigger bodies unparsed. These few shapes are read here from the text;
anything else stays raw for a person to read.

    RENAME TABLE umami.website_event TO umami.website_event_old,
                 umami.website_event_new TO umami.website_event;
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from harvester.analysis.wording import first_few
from harvester.migrations.schema import ops
from harvester.migrations.sql.names import dotted, summary, unquote
from harvester.migrations.sql.tokens import (
    TOKEN,
    balanced,
    column_type,
    default_of,
    has_words,
    join_tokens,
    split_top_level,
)

_NAME = r'(?:`[^`]+`|"[^"]+"|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|"[^"]+"|[\w$]+))*'
_RENAME_PAIR = re.compile(rf"({_NAME})\s+TO\s+({_NAME})", re.I)
_RENAME_TABLE = re.compile(r"RENAME\s+TABLES?\s+(.+)$", re.I | re.S)
_EXCHANGE = re.compile(rf"EXCHANGE\s+TABLES\s+({_NAME})\s+AND\s+({_NAME})", re.I)
_OPTIMIZE = re.compile(rf"OPTIMIZE\s+TABLE\s+({_NAME})(.*)$", re.I | re.S)
_ROUTINE = re.compile(
    rf"(CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?"
    rf"(TRIGGER|FUNCTION|PROCEDURE|EVENT)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?({_NAME})",
    re.I,
)
_ALTER_TABLE = re.compile(
    rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?({_NAME})(?:\s+ON\s+CLUSTER\s+{_NAME})?\s+(.+)$",
    re.I | re.S,
)
_CREATE_TABLE = re.compile(
    rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?"
    rf"({_NAME})(?:\s+ON\s+CLUSTER\s+{_NAME})?\s*\((.*)$",
    re.I | re.S,
)
_ELEMENT_KEYWORDS = frozenset(
    [
        "INDEX",
        "PROJECTION",
        "CONSTRAINT",
        "PRIMARY",
        "KEY",
        "UNIQUE",
        "FOREIGN",
        "CHECK",
        "FULLTEXT",
        "SPATIAL",
    ]
)
# CockroachDB's own syntax, rewritten to its PostgreSQL equivalent before parsing again.
_COCKROACH_REWRITES = (
    (
        re.compile(
            r"^(CREATE\s+(?:UNIQUE\s+)?)INVERTED\s+(INDEX\s+.+?\s+ON\s+\S+?)\s*\(", re.I | re.S
        ),
        r"\1\2 USING gin (",
    ),
    (re.compile(r"\bSTORING\s*\(", re.I), "INCLUDE ("),
    (re.compile(r"\)\s*USING\s+HASH(?:\s+WITH\s*\([^)]*\))?", re.I), ")"),
    (re.compile(r"\bADD\s+CONSTRAINT\s+IF\s+NOT\s+EXISTS\b", re.I), "ADD CONSTRAINT"),
)
_COCKROACH_INDEX = re.compile(rf"({_NAME})@({_NAME})")


def statement_operations(
    text: str, line: int, dialect: ops.Dialect | None
) -> list[ops.Operation] | None:
    """Operations for a statement of one of the known shapes, or None."""
    for recognise in _RECOGNISERS:
        found = recognise(text.strip(), line, dialect)
        if found is not None:
            return found
    return None


def _cockroach(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    """CockroachDB's INVERTED and STORING indexes, `table@index` names and `ADD CONSTRAINT IF
    NOT EXISTS`, read as their PostgreSQL equivalents."""
    if dialect is not ops.Dialect.COCKROACHDB:
        return None
    from harvester.migrations.sql import postgres
    from harvester.migrations.sql.errors import StatementError

    rewritten = text
    for pattern, replacement in _COCKROACH_REWRITES:
        rewritten = pattern.sub(replacement, rewritten)
    tables = {unquote(index): unquote(table) for table, index in _COCKROACH_INDEX.findall(text)}
    rewritten = _COCKROACH_INDEX.sub(r"\2", rewritten)
    if rewritten == text:
        return None
    try:
        found = postgres.statement_operations(rewritten, line, dialect)
    except StatementError:
        return None
    return [
        dataclasses.replace(o, table=tables[o.name])
        if isinstance(o, ops.DropIndex) and o.name in tables
        else o
        for o in found
    ]


def _rename_tables(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _RENAME_TABLE.match(text)
    if not match:
        return None
    pairs = _RENAME_PAIR.findall(match.group(1))
    if not pairs:
        return None
    return [ops.RenameTable(dotted(a, dialect), dotted(b, dialect), line=line) for a, b in pairs]


def _exchange(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _EXCHANGE.match(text)
    if not match:
        return None
    first, second = (dotted(g, dialect) for g in match.groups())
    return [ops.ExchangeTables(first, second, line=line)]


def _optimize(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _OPTIMIZE.match(text)
    if not match:
        return None
    table = dotted(match.group(1), dialect)
    final = " FINAL" if re.search(r"\bFINAL\b", match.group(2), re.I) else ""
    return [
        ops.DataChange(
            ops.DataChangeKind.MUTATION,
            table,
            f"OPTIMIZE TABLE {table}{final} merges and rewrites its parts",
            line=line,
        )
    ]


def _routine(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _ROUTINE.match(text)
    if not match:
        return None
    verb = "creates" if match.group(1).upper() == "CREATE" else "drops"
    what = match.group(2).lower()
    return [ops.Opaque(f"{verb} {what} {dotted(match.group(3), dialect)}", line=line)]


def _create_table(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _CREATE_TABLE.match(text)
    if not match:
        return None
    body, _, _ = balanced(match.group(3))
    columns = []
    for element in split_top_level(body):
        tokens = TOKEN.findall(element)
        if not tokens or tokens[0].upper() in _ELEMENT_KEYWORDS:
            continue
        written, rest = column_type(tokens[1:])
        nullable = False if has_words(rest, "NOT", "NULL") else None
        columns.append(ops.ColumnDef(unquote(tokens[0]), written or None, nullable))
    table = dotted(match.group(2), dialect)
    return [ops.CreateTable(table, tuple(columns), if_not_exists=bool(match.group(1)), line=line)]


_SETTINGS_CLAUSE = re.compile(r"\s+SETTINGS\s+\w+\s*=.*$", re.I | re.S)


def _alter_table(text: str, line: int, dialect: ops.Dialect | None) -> list[ops.Operation] | None:
    match = _ALTER_TABLE.match(text)
    if not match:
        return None
    table = dotted(match.group(1), dialect)
    result: list[ops.Operation] = []
    recognised = False
    # A trailing `SETTINGS a = 1, b = 2` (ClickHouse) is one clause, not more actions.
    body = _SETTINGS_CLAUSE.sub("", match.group(2))
    mutation = re.match(r"(?:UPDATE|DELETE)\b", body, re.I)
    for command in [body] if mutation else split_top_level(body):
        found = _alter_command(table, TOKEN.findall(command), command, line)
        if found is None:
            result.append(
                ops.Opaque(f"ALTER TABLE {table} {summary(command)}", raw=True, line=line)
            )
        else:
            recognised = True
            result.extend(found)
    return result if recognised else None


def _alter_command(
    table: str, tokens: list[str], command: str, line: int
) -> list[ops.Operation] | None:
    words = [t.upper() for t in tokens]
    if words[:1] == ["UPDATE"]:
        where = "WHERE" in words
        head = words.index("WHERE") if where else len(words)
        columns = tuple(
            unquote(tokens[i - 1])
            for i in range(1, head)
            if tokens[i] == "=" and tokens[i - 1] != "="
        )
        return [
            ops.DataChange(
                ops.DataChangeKind.UPDATE,
                table,
                f"ALTER TABLE {table} UPDATE {', '.join(columns)}",
                has_where=where,
                columns=columns,
                line=line,
            )
        ]
    if words[:2] == ["DELETE", "WHERE"]:
        return [
            ops.DataChange(
                ops.DataChangeKind.DELETE, table, f"ALTER TABLE {table} DELETE", line=line
            )
        ]
    if words[:2] in (["MODIFY", "COLUMN"], ["ADD", "COLUMN"]):
        return _column_command(table, tokens, words, line)
    if (
        words[:1] in (["ADD"], ["DROP"], ["MATERIALIZE"], ["CLEAR"])
        and len(words) > 2
        and words[1] in ("INDEX", "PROJECTION")
    ) or (words[:2] == ["MATERIALIZE", "COLUMN"] and len(words) > 2):
        return _index_command(table, tokens, words, line)
    if words[:2] == ["MODIFY", "TTL"] or words[:2] == ["CONVERT", "TO"] or words[:1] == ["ENGINE"]:
        return [ops.TableOptions(table, (summary(command),), rewrites=True, line=line)]
    if words[:2] in (["MODIFY", "SETTING"], ["RESET", "SETTING"]) or words[:1] in (
        ["COMMENT"],
        ["AUTO_INCREMENT"],
    ):
        return [ops.TableOptions(table, (summary(command),), line=line)]
    if words[:2] == ["ALTER", "COLUMN"] or words[:1] == ["ALTER"]:
        offset = 2 if words[1:2] == ["COLUMN"] else 1
        column = unquote(tokens[offset]) if len(tokens) > offset else ""
        rest = words[offset + 1 :]
        if rest == ["SET", "NOT", "NULL"]:
            return [ops.SetNotNull(table, column, line=line)]
        if rest == ["DROP", "NOT", "NULL"]:
            return [ops.DropNotNull(table, column, line=line)]
    return None


def _column_command(
    table: str, tokens: list[str], words: list[str], line: int
) -> list[ops.Operation] | None:
    position = 2
    if_exists = False
    while position < len(words) and words[position] in ("IF", "NOT", "EXISTS"):
        if_exists = True
        position += 1
    if position >= len(tokens):
        return None
    column = unquote(tokens[position])
    written, rest = column_type(tokens[position + 1 :])
    default = default_of(rest)
    if words[0] == "ADD":
        definition = ops.ColumnDef(column, written or None, default=default)
        return [ops.AddColumn(table, definition, if_exists, line=line)]
    # ClickHouse changes only what MODIFY COLUMN names: the type (often restated as written),
    # the default, the codec.
    result: list[ops.Operation] = []
    if written:
        result.append(ops.AlterColumnType(table, column, written, line=line))
    if default is not None:
        result.append(ops.SetDefault(table, column, default, line=line))
    codec = _codec(rest)
    if codec is not None:
        result.append(ops.TableOptions(table, (f"CODEC({codec}) on {column}",), line=line))
    return result or None


_CODEC_OPTION = re.compile(r"^CODEC\((?P<codec>.*)\) on (?P<column>\S+)$")


def codecs_together(operations: list[ops.Operation]) -> list[ops.Operation]:
    """One codec change per table and codec in place of one per MODIFY COLUMN statement (a
    migration often recompresses a table column by column)."""
    found = [(operation, _codec_option(operation)) for operation in operations]
    columns: dict[tuple[str, str], list[str]] = {}
    for _, codec in found:
        if codec is not None:
            columns.setdefault((codec[0].table, codec[1]), []).append(codec[2])
    result: list[ops.Operation] = []
    for operation, codec in found:
        if codec is None:
            result.append(operation)
        elif (key := (codec[0].table, codec[1])) in columns:
            result.append(_codec_change(codec[0], codec[1], columns.pop(key)))
    return result


def _codec_option(operation: ops.Operation) -> tuple[ops.TableOptions, str, str] | None:
    """A codec change `_column_command` made, with its codec and column."""
    if not isinstance(operation, ops.TableOptions) or len(operation.options) != 1:
        return None
    match = _CODEC_OPTION.match(operation.options[0])
    return (operation, match.group("codec"), match.group("column")) if match else None


def _codec_change(first: ops.TableOptions, codec: str, columns: list[str]) -> ops.TableOptions:
    which = f"{len(columns)} columns ({first_few(columns)})" if len(columns) > 1 else columns[0]
    option = f"codec {codec} on {which}: metadata only, parts written or merged from now on use it"
    return dataclasses.replace(first, options=(option,))


def _codec(tokens: list[str]) -> str | None:
    """The codecs of `CODEC(Delta, ZSTD(3))` in a column definition's tokens."""
    upper = [t.upper() for t in tokens]
    start = upper.index("CODEC") + 1 if "CODEC" in upper else len(tokens)
    if tokens[start : start + 1] != ["("]:
        return None
    inside, _, _ = balanced(" ".join(tokens[start + 1 :]))
    return join_tokens(TOKEN.findall(inside)) or None


def _index_command(
    table: str, tokens: list[str], words: list[str], line: int
) -> list[ops.Operation]:
    verb, what = words[0], words[1].lower()
    position = 2
    while position < len(words) and words[position] in ("IF", "NOT", "EXISTS"):
        position += 1
    name = unquote(tokens[position]) if position < len(tokens) else "(unnamed)"
    if verb == "ADD" and what == "index":
        rest = tokens[position + 1 :]
        upper = [t.upper() for t in rest]
        cut = upper.index("TYPE") if "TYPE" in upper else len(rest)
        method = rest[cut + 1] if cut + 1 < len(rest) else None
        index = ops.IndexDef(name, table, (" ".join(rest[:cut]),), method=method)
        return [ops.CreateIndex(index, line=line)]
    if verb == "DROP" and what == "index":
        return [ops.DropIndex(name, table, line=line)]
    if verb in ("MATERIALIZE", "CLEAR"):
        return [
            ops.DataChange(
                ops.DataChangeKind.MUTATION,
                table,
                f"{verb} {what.upper()} {name} rewrites the parts of {table}",
                line=line,
            )
        ]
    return [ops.Opaque(f"{verb.lower()}s {what} {name} on {table}", line=line)]


_Recogniser = Callable[[str, int, "ops.Dialect | None"], "list[ops.Operation] | None"]
_RECOGNISERS: tuple[_Recogniser, ...] = (
    _cockroach,
    _rename_tables,
    _exchange,
    _optimize,
    _routine,
    _create_table,
    _alter_table,
)
