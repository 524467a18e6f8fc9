"""Up and down sections of single-file migrations: goose's `-- +goose Up` / `-- +goose Down`
annotations, sql-migrate's `-- +migrate Up` / `-- +migrate Down` and dbmate's
`-- migrate:up` / `-- migrate:down`.

    -- +goose Up
    -- +goose NO TRANSACTION
    CREATE INDEX CONCURRENTLY idx_event_created ON event (created_at);

    -- +goose Down
    DROP INDEX CONCURRENTLY idx_event_created;
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_GOOSE = re.compile(r"^\s*--\s*\+goose\s+(up|down)\b(.*)$", re.I)
_GOOSE_NO_TRANSACTION = re.compile(r"^\s*--\s*\+goose\s+NO\s+TRANSACTION\b", re.I | re.M)
_SQL_MIGRATE = re.compile(r"^\s*--\s*\+migrate\s+(up|down)\b(.*)$", re.I)
_SQL_MIGRATE_NO_TRANSACTION = re.compile(r"\bnotransaction\b", re.I)
_DBMATE = re.compile(r"^\s*--\s*migrate:(up|down)\b(.*)$", re.I)
_DBMATE_NO_TRANSACTION = re.compile(r"transaction\s*:\s*false", re.I)


@dataclass(frozen=True, slots=True)
class Section:
    """The text of one direction, with the file line it starts on."""

    text: str
    first_line: int
    transactional: bool = True


@dataclass(frozen=True, slots=True)
class Sections:
    """A file's up and down sections (None when the file has no such section)."""

    up: Section | None
    down: Section | None


def has_goose_sections(text: str) -> bool:
    """True when `text` carries goose's annotations."""
    return any(_GOOSE.match(line) for line in text.splitlines())


def has_sql_migrate_sections(text: str) -> bool:
    """True when `text` carries sql-migrate's annotations."""
    return any(_SQL_MIGRATE.match(line) for line in text.splitlines())


def has_dbmate_sections(text: str) -> bool:
    """True when `text` carries dbmate's annotations."""
    return any(_DBMATE.match(line) for line in text.splitlines())


def goose_sections(text: str) -> Sections:
    """The up and down sections of a goose SQL migration."""
    transactional = not _GOOSE_NO_TRANSACTION.search(text)
    return _split(text, _GOOSE, lambda rest: transactional)


def sql_migrate_sections(text: str) -> Sections:
    """The up and down sections of a sql-migrate migration (`notransaction` per section)."""
    return _split(text, _SQL_MIGRATE, lambda rest: not _SQL_MIGRATE_NO_TRANSACTION.search(rest))


def dbmate_sections(text: str) -> Sections:
    """The up and down sections of a dbmate migration (`transaction:false` per section)."""
    return _split(text, _DBMATE, lambda rest: not _DBMATE_NO_TRANSACTION.search(rest))


def _split(text: str, marker: re.Pattern[str], transactional: Callable[[str], bool]) -> Sections:
    found: dict[str, Section] = {}
    current: str | None = None
    start = 0
    lines = text.splitlines(keepends=True)
    option = ""
    for number, line in enumerate(lines):
        match = marker.match(line)
        if not match:
            continue
        if current is not None:
            body = "".join(lines[start:number])
            found[current] = Section(body, start + 1, transactional(option))
        current, option, start = match.group(1).lower(), match.group(2), number + 1
    if current is not None:
        found[current] = Section("".join(lines[start:]), start + 1, transactional(option))
    return Sections(found.get("up"), found.get("down"))
