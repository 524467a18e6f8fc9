"""Splitting SQL text into statements, the way the engine's own client would.

Semicolons end statements except inside strings, quoted identifiers, comments, PostgreSQL
dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) and the `BEGIN … END` body of a trigger or
routine. A MySQL client's `DELIMITER //` line changes the terminator until the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harvester.migrations.schema.ops import Dialect

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9$]*")
_DELIMITER = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
# Statements whose body is a BEGIN … END block with semicolons inside (SQLite and MySQL
# triggers, MySQL routines and events, PostgreSQL 14's BEGIN ATOMIC function bodies).
_BLOCK_STATEMENT = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?"
    r"(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b",
    re.IGNORECASE,
)
_BLOCK_CLOSERS = frozenset({"IF", "LOOP", "WHILE", "REPEAT"})
# Characters that can start a string, identifier, comment, dollar body or the `;` terminator.
_SPECIAL_CHARACTERS = "'\"`$-/#;"
_SPECIAL = re.compile(r"['\"`$\-/#;]")


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text without the terminator, and the line it starts on."""

    text: str
    line: int


def split_statements(
    text: str, dialect: Dialect | None = None, first_line: int = 1
) -> list[Statement]:
    """The statements of `text`, comment-only stretches left out.

    `first_line` is the line of `text` within its file, so statements carry file lines.
    """
    return list(_Splitter(text, dialect, first_line).statements())


def strip_comments(text: str, dialect: Dialect | None = None) -> str:
    """`text` with its comments removed (strings and quoted bodies kept as they are)."""
    splitter = _Splitter(text, dialect, 1)
    pieces = []
    pos = 0
    for start, end in splitter.comment_spans():
        pieces.append(text[pos:start])
        pieces.append(" ")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


class _Splitter:
    """A single left-to-right scan of the text."""

    def __init__(self, text: str, dialect: Dialect | None, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        mysql_like = dialect in (Dialect.MYSQL, Dialect.MARIADB)
        self.hash_comments = mysql_like or dialect is Dialect.CLICKHOUSE
        self.backslash_escapes = mysql_like or dialect is Dialect.CLICKHOUSE
        self.dollar_quotes = dialect in (None, Dialect.POSTGRESQL, Dialect.COCKROACHDB)
        self.nested_comments = dialect in (None, Dialect.POSTGRESQL, Dialect.COCKROACHDB)
        self.delimiters = dialect in (None, Dialect.MYSQL, Dialect.MARIADB)
        self._lines = 0
        self._counted = 0

    def comment_spans(self) -> list[tuple[int, int]]:
        """Where the comments are, as (start, end) offsets."""
        spans: list[tuple[int, int]] = []
        pos = 0
        while pos < len(self.text):
            end = self._comment_end(pos)
            if end is not None:
                spans.append((pos, end))
                pos = end
                continue
            pos = self._after(pos, "")
        return spans

    def statements(self) -> list[Statement]:
        """Statements in order, each with its starting line."""
        text = self.text
        found: list[Statement] = []
        delimiter = ";"
        start: int | None = None
        depth = 0
        block = False
        pos = 0
        while pos < len(text):
            if start is None and self.delimiters and _at_line_start(text, pos):
                match = _DELIMITER.match(text, pos)
                if match:
                    delimiter = match.group(1)
                    pos = match.end()
                    continue
            end = self._comment_end(pos)
            if end is not None:
                pos = end
                continue
            char = text[pos]
            if char.isspace():
                pos += 1
                continue
            if start is None:
                start = pos
                block = bool(_BLOCK_STATEMENT.match(text, pos))
                depth = 0
            if text.startswith(delimiter, pos) and depth <= 0:
                found.append(self._statement(start, pos))
                start = None
                pos += len(delimiter)
                continue
            if block and (char.isalpha() or char == "_"):
                word = _WORD.match(text, pos)
                assert word is not None
                depth += _block_depth_change(word.group(0).upper(), text, word.end())
                pos = word.end()
                continue
            pos = self._skip_quoted(pos) if block else self._after(pos, delimiter)
        if start is not None:
            found.append(self._statement(start, len(text)))
        return [s for s in found if s.text]

    def _statement(self, start: int, end: int) -> Statement:
        # Lines are counted from the previous statement on, so a long file costs one pass.
        self._lines += self.text.count("\n", self._counted, start)
        self._counted = start
        return Statement(self.text[start:end].strip(), self.first_line + self._lines)

    def _comment_end(self, pos: int) -> int | None:
        """The end of the comment starting at `pos`, or None when no comment starts there."""
        text = self.text
        if text.startswith("--", pos) or (self.hash_comments and text[pos] == "#"):
            newline = text.find("\n", pos)
            return len(text) if newline < 0 else newline + 1
        if text.startswith("/*", pos):
            depth = 0
            i = pos
            while i < len(text):
                if text.startswith("/*", i):
                    depth = depth + 1 if self.nested_comments else 1
                    i += 2
                elif text.startswith("*/", i):
                    depth -= 1
                    i += 2
                    if depth == 0:
                        return i
                else:
                    i += 1
            return len(text)
        return None

    def _after(self, pos: int, delimiter: str) -> int:
        """Past the string or quoted body at `pos`, or past a run of characters that can start
        nothing (no quote, comment, dollar body or terminator): one regex step, not a step per
        character, so long data files split fast."""
        after = self._skip_quoted(pos)
        if after != pos + 1:
            return after
        special = _SPECIAL.search(self.text, after)
        stop = special.start() if special else len(self.text)
        if delimiter and delimiter[0] not in _SPECIAL_CHARACTERS:
            found = self.text.find(delimiter[0], after, stop)
            stop = found if found >= 0 else stop
        return stop

    def _skip_quoted(self, pos: int) -> int:
        """The position after the string, identifier or dollar body at `pos` (or after one
        ordinary character)."""
        text = self.text
        char = text[pos]
        if char in "'\"`":
            escapes = self.backslash_escapes and char != "`"
            if char == "'" and pos > 0 and text[pos - 1] in "eE" and not _word_char(text, pos - 2):
                escapes = True
            return _quoted_end(text, pos, char, escapes)
        if char == "$" and self.dollar_quotes:
            tag = _DOLLAR_TAG.match(text, pos)
            if tag and not _word_char(text, pos - 1):
                close = text.find(tag.group(0), tag.end())
                return len(text) if close < 0 else close + len(tag.group(0))
        return pos + 1


def _quoted_end(text: str, pos: int, quote: str, escapes: bool) -> int:
    i = pos + 1
    while i < len(text):
        char = text[i]
        if escapes and char == "\\":
            i += 2
            continue
        if char == quote:
            if text.startswith(quote, i + 1):
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def _block_depth_change(word: str, text: str, after: int) -> int:
    if word in ("BEGIN", "CASE"):
        return 1
    if word == "END":
        following = _WORD.match(text, _skip_blanks(text, after))
        if following and following.group(0).upper() in _BLOCK_CLOSERS:
            return 0
        return -1
    return 0


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


def _word_char(text: str, pos: int) -> bool:
    return 0 <= pos < len(text) and (text[pos].isalnum() or text[pos] == "_")


_STATEMENT_START = re.compile(
    r"(?:CREATE|ALTER|DROP|RENAME|INSERT|UPDATE|DELETE|TRUNCATE|EXCHANGE|OPTIMIZE)\b", re.I
)


def run_together(statement: Statement, dialect: Dialect | None = None) -> list[Statement]:
    """`statement` cut where a line starts a new statement outside parentheses and quotes: what
    a missing `;` glued together (`INSERT … FROM t` followed by `RENAME TABLE …`)."""
    text = statement.text
    splitter = _Splitter(text, dialect, statement.line)
    starts = [0]
    depth = 0
    pos = 0
    while pos < len(text):
        end = splitter._comment_end(pos)
        char = "\n" if end is not None and text[end - 1] == "\n" else text[pos]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "\n" and depth == 0:
            line_start = _skip_space(text, end if end is not None else pos + 1)
            if splitter._comment_end(line_start) is None and _STATEMENT_START.match(
                text, line_start
            ):
                starts.append(line_start)
        if end is not None:
            pos = end
        elif char in "'\"`$":
            pos = splitter._skip_quoted(pos)
        else:
            pos += 1
    if len(starts) == 1:
        return [statement]
    bounds = [*starts, len(text)]
    return [
        splitter._statement(bounds[i], bounds[i + 1])
        for i in range(len(starts))
        if text[bounds[i] : bounds[i + 1]].strip()
    ]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
