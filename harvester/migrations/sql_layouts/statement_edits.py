"""What an edit of a released SQL migration changed in its statements, compared token by token
(case of words, spacing and comments aside): what the operations harvester reads may not show,
such as `CREATE EXTENSION ltree` gaining `SCHEMA public` or a function gaining
`SET search_path FROM CURRENT`.

    CREATE EXTENSION IF NOT EXISTS ltree;               before
    CREATE EXTENSION IF NOT EXISTS ltree SCHEMA public; after
    -> `CREATE EXTENSION IF NOT EXISTS ltree`: adds `SCHEMA public`
"""

from __future__ import annotations

from difflib import SequenceMatcher

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql.split import split_statements, strip_comments
from harvester.migrations.sql.tokens import TOKEN, join_tokens

_SHOWN_STATEMENTS = 3
_SHOWN_RUNS = 2
_LABEL_TOKENS = 8
_OPENING_WORDS = frozenset(
    (
        "CREATE",
        "OR",
        "REPLACE",
        "ALTER",
        "DROP",
        "COMMENT",
        "ON",
        "TABLE",
        "COLUMN",
        "FUNCTION",
        "PROCEDURE",
        "EXTENSION",
        "IF",
        "NOT",
        "EXISTS",
        "UNIQUE",
        "INDEX",
        "CONCURRENTLY",
        "VIEW",
        "MATERIALIZED",
        "TRIGGER",
        "TYPE",
        "SCHEMA",
        "SEQUENCE",
        "ADD",
        "CONSTRAINT",
        "TEMP",
        "TEMPORARY",
        "UPDATE",
        "INSERT",
        "INTO",
        "DELETE",
        "FROM",
        "GRANT",
        "REVOKE",
        "SET",
    )
)
_RUN_WIDTH = 40


def statement_edits(old: str, new: str, dialect: Dialect | None) -> list[str]:
    """How the statements of `new` differ from those of `old`; empty when they are the same
    statements (spacing, case of words and comments aside)."""
    before = _statements(old, dialect)
    after = _statements(new, dialect)
    keys_before = [_keys(s) for s in before]
    keys_after = [_keys(s) for s in after]
    removed = [s for s in before if _keys(s) not in keys_after]
    added = [s for s in after if _keys(s) not in keys_before]
    found = [_edit(o, n) for o, n in zip(removed, added, strict=False)]
    found += [f"removes `{_label(s)}`" for s in removed[len(added) :]]
    found += [f"adds `{_label(s)}`" for s in added[len(removed) :]]
    return found


def describe_statement_edits(edits: list[str]) -> str:
    """The edits as one clause, the first few named."""
    more = len(edits) - _SHOWN_STATEMENTS
    return "; ".join(edits[:_SHOWN_STATEMENTS]) + (f"; {more} more" if more > 0 else "")


def _statements(text: str, dialect: Dialect | None) -> list[list[str]]:
    return [TOKEN.findall(s.text) for s in split_statements(strip_comments(text, dialect), dialect)]


def _keys(tokens: list[str]) -> list[str]:
    """Tokens as the engine compares them: words in any case alike, quoted text as written."""
    return [t if t[0] in "'\"`$" else t.upper() for t in tokens]


def _label(tokens: list[str]) -> str:
    """The statement's opening up to the name of what it acts on (`ALTER TABLE versions`,
    `CREATE EXTENSION IF NOT EXISTS ltree`)."""
    head: list[str] = []
    for i, token in enumerate(tokens):
        if token == "(" or token.startswith("$") or len(head) == _LABEL_TOKENS:
            break
        head.append(token)
        if token.upper() not in _OPENING_WORDS:
            # a qualified name stays whole: `crate_owner_invitations.expires_at`
            rest = tokens[i + 1 :]
            while len(rest) >= 2 and rest[0] == ".":
                head += rest[:2]
                rest = rest[2:]
            break
    return join_tokens(head)


def _edit(old: list[str], new: list[str]) -> str:
    runs = []
    for op, i1, i2, j1, j2 in SequenceMatcher(
        a=_keys(old), b=_keys(new), autojunk=False
    ).get_opcodes():
        was, now = _run(old[i1:i2]), _run(new[j1:j2])
        if op == "insert":
            runs.append(f"adds `{now}`")
        elif op == "delete":
            runs.append(f"drops `{was}`")
        elif op == "replace":
            runs.append(f"`{was}` -> `{now}`")
    runs = list(dict.fromkeys(runs))
    more = len(runs) - _SHOWN_RUNS
    shown = ", ".join(runs[:_SHOWN_RUNS]) + (f" and {more} more" if more > 0 else "")
    return f"`{_label(new)}`: {shown}"


def _run(tokens: list[str]) -> str:
    text = join_tokens(tokens)
    return text if len(text) <= _RUN_WIDTH else text[: _RUN_WIDTH - 1].rstrip() + "…"
