"""What the releases inside a range did to the migrations it added: one edited after it
shipped (databases that ran that release keep the text they ran), and one that shipped after
a migration ordered after it (databases upgraded release by release run it out of order).

    0237_mealtype_dedupe.py   first released in 2.6.0, edited by "quick migration fix" (2.6.2)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from itertools import accumulate

from harvester.gitsource.records import LoggedCommit
from harvester.gitsource.tags import ReleaseKey, version_key
from harvester.migrations.schema.ops import Dialect
from harvester.model import ChangeKind, Database, Impact, ImpactTag, Migration

ReadBlobs = Callable[[Iterable[str]], Mapping[str, bytes | None]]
# path -> it and the paths the file had before the range's renames (see `LogHistory`)
FormerPaths = Callable[[str], list[str]]


def edited_after_release(
    database: Database,
    read: ReadBlobs,
    head_name: str,
    head_sha: str,
    former_paths: FormerPaths = lambda path: [path],
) -> Database:
    """`database` with a finding on each added migration whose file at its first release tag
    differs from the file at the range's head in more than layout and comments (a licence
    header or a corrected comment changes nothing a database runs). A file moved after it
    shipped is read at its release under the path it had then."""
    shipped = [
        m
        for m in database.migrations
        if m.change is ChangeKind.ADDED and m.first_tag not in (None, head_name)
    ]
    if not shipped:
        return database
    paths = {m.path: former_paths(m.path) for m in shipped}
    texts = read(
        [
            *(f"{m.first_tag}:{p}" for m in shipped for p in paths[m.path]),
            *(f"{head_sha}:{m.path}" for m in shipped),
        ]
    )
    edited = {
        m.path
        for m in shipped
        if _differs(m, _as_shipped(m, paths[m.path], texts), texts.get(f"{head_sha}:{m.path}"))
    }
    if not edited:
        return database
    migrations = tuple(_flagged(m) if m.path in edited else m for m in database.migrations)
    return replace(database, migrations=migrations)


def format_only_edits(
    commits: Iterable[LoggedCommit], migrations: Mapping[str, Migration], read: ReadBlobs
) -> frozenset[tuple[str, str]]:
    """(commit, path) of each commit whose change of a migration file leaves what it runs
    unchanged (a formatter's pass, a comment): that commit did not edit the migration, even
    when other commits of the range did."""
    pairs = [
        (commit.sha, stat)
        for commit in commits
        if not commit.is_merge
        for stat in commit.paths
        if stat.status == "M" and stat.path in migrations and stat.old_blob and stat.new_blob
    ]
    texts = read([blob for _, stat in pairs for blob in (stat.old_blob, stat.new_blob) if blob])
    return frozenset(
        (sha, stat.path)
        for sha, stat in pairs
        if (before := texts.get(stat.old_blob or "")) is not None
        and (after := texts.get(stat.new_blob or "")) is not None
        and not _differs(migrations[stat.path], before, after)
    )


def _as_shipped(
    migration: Migration, paths: list[str], texts: Mapping[str, bytes | None]
) -> bytes | None:
    """The file as its first release shipped it, under the newest path it had there."""
    found = (texts.get(f"{migration.first_tag}:{p}") for p in paths)
    return next((data for data in found if data is not None), None)


def _differs(migration: Migration, shipped: bytes | None, now: bytes | None) -> bool:
    if shipped is None or now is None:
        return False
    return _program(migration, shipped) != _program(migration, now)


_SQL_FILE = re.compile(r"\.sql(?:\.[a-z0-9]+)?$", re.IGNORECASE)
# Comments that tools read as instructions (goose, sql-migrate and dbmate sections).
_DIRECTIVE = re.compile(r"^[ \t]*--[ \t]*((?:\+goose|\+migrate|migrate:)[^\n]*)", re.MULTILINE)
_LANGUAGES = {".rb": "ruby", ".ex": "elixir", ".exs": "elixir"}


def _program(migration: Migration, data: bytes) -> str:
    """What a migration file runs, with its layout and comments left out: the SQL without
    comments (tool directives kept), or the syntax tree of a migration written as code."""
    # The parsers load only for a range that edits a shipped migration.
    from harvester.migrations import pyast, treesitter
    from harvester.migrations.ecto.migration import code_fingerprint
    from harvester.migrations.rails import spelling
    from harvester.migrations.sql.split import strip_comments

    text = data.decode("utf-8", errors="replace")
    path = migration.path
    if _SQL_FILE.search(path):
        kept = _DIRECTIVE.sub(lambda m: "\0" + m.group(1), text)
        return " ".join(strip_comments(kept, _dialect(migration.dialect)).split())
    if path.endswith(".py"):
        try:
            return pyast.fingerprint(ast.parse(text))
        except (SyntaxError, ValueError):
            pass
    if migration.system == "ecto":
        return code_fingerprint(text)
    if migration.system == "rails":
        return spelling.fingerprint(text)
    language = _LANGUAGES.get(path[path.rfind(".") :])
    if language is not None:
        return treesitter.fingerprint(treesitter.parse(text, language))
    return " ".join(text.split())


def _dialect(name: str | None) -> Dialect | None:
    try:
        return Dialect(name) if name else None
    except ValueError:
        return None


def _flagged(migration: Migration) -> Migration:
    impact = Impact(
        ImpactTag.MODIFIED_EXISTING_MIGRATION,
        f"edited after it shipped in {migration.first_tag}: databases that ran "
        f"{migration.first_tag} keep the version they ran; the others run this one",
    )
    return _with(migration, impact, first=True)


# Systems that run every pending migration in version order (Django and Alembic follow their
# dependency graph instead).
_VERSION_ORDERED = frozenset(
    {
        "rails",
        "ecto",
        "prisma",
        "golang-migrate",
        "pop",
        "goose",
        "sql-migrate",
        "dbmate",
        "sqlx",
        "diesel",
        "flyway",
        "sql",
    }
)


def released_out_of_order(
    database: Database, release_order: Callable[[str | None], ReleaseKey] = version_key
) -> Database:
    """`database` with a finding on each added migration that shipped in a later release than
    a migration ordered after it: a database upgraded release by release runs it after the
    newer one, while a fresh database runs it before (`release_order`: how releases sort)."""
    flagged: dict[str, Impact] = {}
    groups: dict[tuple[str, str | None, str | None], list[Migration]] = {}
    for migration in database.migrations:
        shipped = migration.change is ChangeKind.ADDED and migration.first_tag
        if shipped and migration.system in _VERSION_ORDERED:
            tree = (migration.system, migration.dialect, database.tree_of(migration))
            groups.setdefault(tree, []).append(migration)
    for members in groups.values():
        members.sort(key=lambda m: m.order)
        keys = [release_order(m.first_tag) for m in members]
        # the earliest release among the migrations ordered after each one
        earliest_after = [*accumulate(reversed(keys[1:]), min)][::-1]
        for index, migration in enumerate(members[:-1]):
            if not earliest_after[index] < keys[index]:
                continue
            earlier = next(
                later
                for later, key in zip(members[index + 1 :], keys[index + 1 :], strict=True)
                if key < keys[index]
            )
            flagged[migration.path] = Impact(
                ImpactTag.OUT_OF_ORDER,
                f"shipped in {migration.first_tag}, after {earlier.id} (ordered after it) "
                f"shipped in {earlier.first_tag}: a database upgraded through "
                f"{earlier.first_tag} runs it after newer migrations, a fresh one before",
            )
    if not flagged:
        return database
    migrations = tuple(
        _with(m, flagged[m.path], first=False) if m.path in flagged else m
        for m in database.migrations
    )
    return replace(database, migrations=migrations)


def _with(migration: Migration, impact: Impact, first: bool) -> Migration:
    """The migration with one more impact; a calm "none" it had goes."""
    kept = tuple(i for i in migration.data_impact if i.tag is not ImpactTag.NONE)
    return replace(migration, data_impact=(impact, *kept) if first else (*kept, impact))
