"""Tokens of SQL text, for the statements no parser reads: types as written, top-level commas,
balanced parentheses."""

from __future__ import annotations

import re

from harvester.migrations.sql.names import unquote
from harvester.migrations.sql.split import strip_comments

TOKEN = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"[^\"]*\"|`[^`]*`|\w+|\S", re.S)
TYPE_STOP = frozenset(
    [
        "DEFAULT",
        "MATERIALIZED",
        "ALIAS",
        "EPHEMERAL",
        "CODEC",
        "TTL",
        "COMMENT",
        "FIRST",
        "AFTER",
        "SETTINGS",
        "NOT",
        "NULL",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "CONSTRAINT",
        "COLLATE",
        "AUTO_INCREMENT",
        "GENERATED",
        "ON",
    ]
)


def take_type(tokens: list[str]) -> tuple[str, list[str]]:
    """The type at the start of a column definition, and the tokens after it."""
    depth = 0
    taken: list[str] = []
    for i, token in enumerate(tokens):
        if depth == 0 and (token.upper() in TYPE_STOP or token in ",;" or token == ")"):
            return join_tokens(taken), tokens[i:]
        depth += token == "("
        depth -= token == ")"
        taken.append(token)
    return join_tokens(taken), []


def column_type(tokens: list[str]) -> tuple[str, list[str]]:
    """The type at the start of a column definition with the collation the definition gives
    (`VARCHAR(255) COLLATE utf8mb4_bin`, MySQL's `… NOT NULL COLLATE x` too: a collation
    change is a change of the column), and the tokens after the type."""
    written, rest = take_type(tokens)
    collation = _collation(rest)
    if written and collation:
        return f"{written} COLLATE {collation}", rest
    return written, rest


def _collation(tokens: list[str]) -> str | None:
    """The name after COLLATE in the rest of one column definition, or None."""
    depth = 0
    for position, token in enumerate(tokens):
        if depth == 0 and (token in ",;" or token == ")"):
            return None
        if depth == 0 and token.upper() == "COLLATE" and position + 1 < len(tokens):
            return tokens[position + 1]
        depth += token == "("
        depth -= token == ")"
    return None


def default_of(tokens: list[str]) -> str | None:
    """The expression after DEFAULT in a column definition's tokens."""
    upper = [t.upper() for t in tokens]
    if "DEFAULT" not in upper:
        return None
    value, _ = take_type(tokens[upper.index("DEFAULT") + 1 :])
    return value or None


def has_words(tokens: list[str], *words: str) -> bool:
    """True when `words` follow each other somewhere in `tokens` (any case)."""
    upper = [t.upper() for t in tokens]
    return any(upper[i : i + len(words)] == list(words) for i in range(len(upper)))


def join_tokens(tokens: list[str]) -> str:
    """Tokens back to text, spaced as SQL is usually written (`DateTime64(6, 'UTC')`)."""
    text = " ".join(tokens)
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    text = re.sub(r"\$ (?:(\w+) )?\$", r"$\1$", text)  # `$$` and `$body$` quotes
    text = re.sub(r"\$ (\d+)\b", r"$\1", text)  # `$1` parameters
    return re.sub(r"\s*\.\s*", ".", text)


def balanced(text: str) -> tuple[str, str, str]:
    """Split `text` (after an opening parenthesis) at its matching closing one."""
    depth = 1
    for match in TOKEN.finditer(text):
        depth += match.group(0) == "("
        depth -= match.group(0) == ")"
        if depth == 0:
            return text[: match.start()], ")", text[match.end() :]
    return text, "", ""


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """`text` split at separators outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in TOKEN.finditer(text):
        token = match.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == separator and depth == 0:
            parts.append(text[start : match.start()].strip())
            start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


_COLUMN_LEAD = frozenset({"(", ",", "COLUMN", "ADD", "EXISTS", "MODIFY"})


def written_types(text: str) -> dict[str, str]:
    """Column types as a statement writes them (`VARCHAR(36)`, not a parser's rendering), by
    lower-case column name, for column definitions in CREATE TABLE and ALTER TABLE."""
    tokens = TOKEN.findall(strip_comments(text))
    found: dict[str, str] = {}
    for index in range(1, len(tokens) - 1):
        lead = tokens[index - 1].upper()
        changed = index > 2 and tokens[index - 2].upper() == "CHANGE"
        if lead not in _COLUMN_LEAD and not changed:
            continue
        written, _ = column_type(tokens[index + 1 :])
        name = unquote(tokens[index]).lower()
        # `CREATE TABLE IF NOT EXISTS t (…)`: `t` follows EXISTS too, but a type never starts
        # with a parenthesis.
        if written and not written.startswith("(") and name not in found:
            found[name] = written
    return found
