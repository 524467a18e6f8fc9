"""Small wording helpers shared by every part of the report (numbers, plurals, quotes)."""

from __future__ import annotations

from collections.abc import Sequence

SUBJECT_LIMIT = 72


def quote_subject(subject: str, limit: int = SUBJECT_LIMIT) -> str:
    """A commit subject in quotes, shortened with an ellipsis past `limit` characters."""
    text = " ".join(subject.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 file`, `3 files`, `1,204 commits`."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def churn(additions: int, deletions: int) -> str:
    """`+1,204/−310`."""
    return f"+{additions:,}/−{deletions:,}"


def first_few(names: Sequence[str], shown: int = 3) -> str:
    """`a, b, c and 4 more`: the first names of a list, with how many are left out."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
