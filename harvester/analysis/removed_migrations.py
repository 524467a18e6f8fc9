"""Migrations the range shipped in a release and then removed before its end.

Neither end of the range has the file, so no migration system sees it; yet databases upgraded
through the release that shipped it ran it, and the others never will.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from harvester.analysis.wording import first_few
from harvester.gitsource.tags import version_key
from harvester.model import Database, Finding, ImpactTag


def shipped_then_removed(
    database: Database,
    added_then_deleted: Mapping[str, tuple[str, str]],
    is_migration: Callable[[str], bool],
    releases: Callable[[Sequence[str]], Mapping[str, str | None]],
    shipped_files: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]] | None = None,
    former_paths: Callable[[str], list[str]] = lambda path: [path],
) -> Database:
    """`database` with a finding per release that shipped migrations the range then removed
    (`added_then_deleted`: path -> the commits that added and removed it). A file whose name
    or version a migration of the range still carries was moved or rewritten, not removed
    (deleted in one commit and added under another folder, `.up.sql` made `.autocommit.up.sql`).
    `shipped_files` keeps the (release, path) pairs whose release tree holds the file, under
    its path then (`former_paths`: before the range's renames): a file added and removed twice
    on two lines of history is said to ship only where it did."""
    kept = {
        key
        for m in database.migrations
        for path in (m.path, m.down_path)
        if path
        for key in _identity(path)
    }
    removed = {
        p: shas
        for p, shas in added_then_deleted.items()
        if not kept.intersection(_identity(p))
        and is_migration(p)
        and not p.startswith(_read_as_snapshots(database))
    }
    if not removed:
        return database
    named = releases([sha for shas in removed.values() for sha in shas])
    candidates = [
        (shipped, path, added, deleted)
        for path, (added, deleted) in sorted(removed.items())
        # Removed before any release included it: no database ran it.
        if (shipped := named.get(added)) is not None and shipped != named.get(deleted)
    ]
    if shipped_files is not None:
        then = {path: former_paths(path) for _, path, _, _ in candidates}
        pairs = [(shipped, p) for shipped, path, _, _ in candidates for p in then[path]]
        held = shipped_files(pairs)
        candidates = [c for c in candidates if any((c[0], p) in held for p in then[c[1]])]
    by_release: dict[str, list[tuple[str, str, str]]] = {}
    for shipped, path, added, deleted in candidates:
        by_release.setdefault(shipped, []).append((path, added, deleted))
    if len(by_release) > 1:  # one line, not one per release (a purge of a year's migrations)
        every = [item for items in by_release.values() for item in items]
        in_order = tuple(sorted(by_release, key=version_key))
        findings: tuple[Finding, ...] = (_finding(in_order, every),)
    else:
        findings = tuple(_finding((release,), items) for release, items in by_release.items())
    return replace(database, findings=database.findings + findings)


def _read_as_snapshots(database: Database) -> tuple[str, ...]:
    """Folders of SQL read as one snapshot rather than as migrations (an Atlas desired
    schema, reference DDL no runner reads): their files are no migrations."""
    roots = {s.root for s in database.systems}
    return tuple(f"{s.path}/" for s in database.snapshots if s.path in roots)


# Systems that know a revision by an id inside the file (Alembic), or that report a version
# renamed after it shipped themselves (Rails, Ecto).
_NOT_BY_FILE_NAME = frozenset({"alembic", "rails", "ecto"})


def shipped_then_renamed(
    database: Database,
    renamed_from: Callable[[str], tuple[str, str] | None],
    first_release: Callable[[str], str | None],
    releases: Callable[[Sequence[str]], Mapping[str, str | None]],
) -> Database:
    """`database` with a finding for each migration the range added that a release of the
    range had shipped under another name or version before a commit renamed it (goose's
    `…_v1_0_141.sql` made `…_v1_0_145.sql`): tools that record what ran by that name run it
    again. `renamed_from`: path -> (the renaming commit, the path before)."""
    findings = []
    for migration in database.migrations:
        if migration.released or migration.system in _NOT_BY_FILE_NAME:
            continue
        renamed = renamed_from(migration.path)
        if renamed is None or _identity(renamed[1]) & _identity(migration.path):
            continue
        if migration.system == "drizzle" and _drizzle_upgraded(renamed[1], migration.path):
            continue
        commit, old_path = renamed
        shipped = first_release(old_path)
        if shipped is None or shipped == releases([commit]).get(commit):
            continue  # no release carried the old name
        old = _known_as(old_path).split(".", 1)[0]
        findings.append(
            Finding(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"{old} shipped in {shipped} and was renamed to {migration.id} in "
                f"{commit[:7]}: databases that ran {shipped} ran it as {old} and run it again "
                f"as {migration.id}",
                (migration.path,),
                (commit,),
            )
        )
    return replace(database, findings=database.findings + tuple(findings))


# Files named alike in every migration (Prisma's `<id>/migration.sql`): their folder names them.
_GENERIC_NAMES = frozenset({"migration.sql", "up.sql", "down.sql"})
_VERSION = re.compile(r"[Vv]?(\d{3,})")


_DRIZZLE_JOURNAL_FILE = re.compile(r"^\d{4}_(?P<name>.+)\.sql$")
_DRIZZLE_FOLDER = re.compile(r"^\d{14}_(?P<name>.+)$")


def _drizzle_upgraded(old_path: str, new_path: str) -> bool:
    """True for a journal file (`0003_lazy_fox.sql`) that `drizzle-kit up` turned into a
    folder (`20240105093000_lazy_fox/migration.sql`): drizzle-orm's migrator matches the rows
    of the old file to the folder by its time, so nothing runs again."""
    old = _DRIZZLE_JOURNAL_FILE.match(posixpath.basename(old_path))
    new = _DRIZZLE_FOLDER.match(_known_as(new_path))
    return bool(old and new and old.group("name") == new.group("name"))


def _known_as(path: str) -> str:
    """A migration file's name (its folder's, for a generic one)."""
    folder, name = posixpath.split(path)
    return posixpath.basename(folder) if name in _GENERIC_NAMES else name


def _identity(path: str) -> set[str]:
    """The names a migration file is known by: its file name (its folder's for a generic one)
    and the version it starts with."""
    name = _known_as(path)
    version = _VERSION.match(name)
    return {name, f"version {version.group(1)}"} if version else {name}


def _finding(releases: Sequence[str], items: Sequence[tuple[str, str, str]]) -> Finding:
    """One line for the migrations `releases` shipped and the range removed."""
    paths = [path for path, _, _ in items]
    release = releases[0] if len(releases) == 1 else "those releases"
    if len(items) == 1:
        path, _, deleted = items[0]
        what = f"{path} shipped in {release} and was removed in {deleted[:7]}"
    else:
        shipped_in = release if len(releases) == 1 else f"releases {first_few(releases, 4)}"
        what = (
            f"{len(items)} migrations shipped in {shipped_in} and were removed later in the "
            f"range ({first_few(paths, 3)})"
        )
    it, its = ("it", "its") if len(items) == 1 else ("them", "their")
    return Finding(
        ImpactTag.MODIFIED_EXISTING_MIGRATION,
        f"{what}: databases that ran {release} keep {its} changes, which this report does "
        f"not list; databases that skip {release}, and new ones, never run {it}",
        tuple(paths),
        tuple(dict.fromkeys(sha for _, added, deleted in items for sha in (added, deleted))),
    )
