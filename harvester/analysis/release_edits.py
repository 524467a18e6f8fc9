"""Migrations the range added, shipped in a release inside the range, and edited after it:
databases that ran that release keep the text they ran, so the edit reaches only the others.

    0237_mealtype_dedupe.py   first released in 2.6.0, edited by "quick migration fix" (2.6.2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from harvester.model import ChangeKind, Database, Impact, ImpactTag, Migration

ReadBlobs = Callable[[Iterable[str]], Mapping[str, bytes | None]]


def edited_after_release(
    database: Database, read: ReadBlobs, head_name: str, head_sha: str
) -> Database:
    """`database` with a finding on each added migration whose file at its first release tag
    differs (beyond whitespace) from the file at the range's head."""
    shipped = [
        m
        for m in database.migrations
        if m.change is ChangeKind.ADDED and m.first_tag not in (None, head_name)
    ]
    if not shipped:
        return database
    texts = read(
        [spec for m in shipped for spec in (f"{m.first_tag}:{m.path}", f"{head_sha}:{m.path}")]
    )
    edited = {
        m.path
        for m in shipped
        if _differs(texts.get(f"{m.first_tag}:{m.path}"), texts.get(f"{head_sha}:{m.path}"))
    }
    if not edited:
        return database
    migrations = tuple(_flagged(m) if m.path in edited else m for m in database.migrations)
    return replace(database, migrations=migrations)


def _differs(shipped: bytes | None, now: bytes | None) -> bool:
    if shipped is None or now is None:
        return False
    return shipped.split() != now.split()


def _flagged(migration: Migration) -> Migration:
    impact = Impact(
        ImpactTag.MODIFIED_EXISTING_MIGRATION,
        f"edited after it shipped in {migration.first_tag}: databases that ran "
        f"{migration.first_tag} keep the version they ran; the others run this one",
    )
    return replace(migration, data_impact=(impact, *migration.data_impact))
