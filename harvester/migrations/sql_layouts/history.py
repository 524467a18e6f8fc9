"""What the range did to a tree of SQL migrations as history: steps read from SQL text, edits
to released migrations described by what changed, and migrations added out of order. Shared by
the SQL folder layouts and Prisma."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from harvester.analysis.wording import first_few
from harvester.migrations.edits import reformatted_files
from harvester.migrations.schema import describe, ops
from harvester.migrations.sql import sql_operations
from harvester.model import ChangeKind, Finding, ImpactTag, Migration, Problem

_LINE = re.compile(r"^line (\d+): ")
# What an edit to an already-applied migration does, tool by tool.
_EDIT_CONSEQUENCE = {
    "prisma": "Prisma records a checksum: `migrate dev` reports the edit and wants a reset, and "
    "databases that ran the old version keep it",
    "flyway": "Flyway's validate fails on the checksum mismatch until `flyway repair`",
    "sqlx": "sqlx refuses to migrate databases that ran the old version (checksum mismatch)",
}
_FOLDED_LATE = 3
_FOLDED_EDITS = 3
_OUT_OF_ORDER_CONSEQUENCE = {
    "golang-migrate": "golang-migrate only applies versions above a database's current one, so "
    "databases already past it skip it silently",
    "goose": "goose refuses to migrate databases already past it unless run with -allow-missing",
    "flyway": "Flyway's validate fails on databases already past it unless outOfOrder=true",
    "pop": "pop applies it on databases already past it, after newer migrations",
    "dbmate": "dbmate applies it on databases already past it, after newer migrations",
    "sqlx": "sqlx applies it on databases already past it, after newer migrations",
    "diesel": "Diesel applies it on databases already past it, after newer migrations",
    "prisma": "Prisma applies it on databases already past it, after newer migrations",
}


def sql_step(
    text: str,
    dialect: ops.Dialect | None,
    path: str,
    first_line: int = 1,
    transactional: bool | None = None,
) -> tuple[ops.Step, tuple[Problem, ...]]:
    """A step read from SQL text, and its parse problems."""
    analysis = sql_operations(text, dialect, first_line)
    problems = tuple(_problem(path, message) for message in analysis.problems)
    return ops.Step(analysis.operations, transactional), problems


def _problem(path: str, message: str) -> Problem:
    match = _LINE.match(message)
    if match:
        return Problem(path, message[match.end() :], int(match.group(1)))
    return Problem(path, message)


NO_OPERATION_CHANGE = "same operations in another order or with other details"


def edit_summary(before: ops.ParsedMigration, after: ops.ParsedMigration) -> str:
    """What an edit changed, as operations: `now also adds index x; no longer drops y`."""
    old, new = _facts(before), _facts(after)
    added = [f for f in new if f not in old]
    removed = [f for f in old if f not in new]
    # `DROP INDEX x` made `DROP INDEX IF EXISTS x` is the same drop, guarded: said last.
    guarded = {_unguarded(f) for f in added} & {_unguarded(f) for f in removed}
    added = [f for f in added if _unguarded(f) not in guarded]
    removed = [f for f in removed if _unguarded(f) not in guarded]
    parts = []
    if added:
        parts.append("now also " + "; ".join(added[:3]) + (" …" if len(added) > 3 else ""))
    if removed:
        parts.append("no longer " + "; ".join(removed[:3]) + (" …" if len(removed) > 3 else ""))
    if guarded:
        parts.append(
            f"{len(guarded)} statement{'s' if len(guarded) > 1 else ''} now run only if "
            "their object exists"
        )
    if not parts:
        return NO_OPERATION_CHANGE
    return "; ".join(parts)


def _unguarded(fact: str) -> str:
    return fact.replace(" (if it exists)", "")


def _facts(parsed: ops.ParsedMigration) -> list[str]:
    facts = [_fact(o) for o in parsed.up.operations]
    if parsed.down is not None:
        facts += [f"on the way down {_fact(o)}" for o in parsed.down.operations]
    return facts


def _fact(operation: ops.Operation) -> str:
    changes = list(describe.table_changes(operation))
    if changes:
        change = changes[0]
        return f"{change.category.replace('_', ' ')}: {change.text}"
    if isinstance(operation, ops.DataChange):
        return operation.detail or f"{operation.kind.value} {operation.table or ''}".strip()
    if isinstance(operation, ops.Opaque):
        return operation.summary
    return type(operation).__name__


def edit_findings(
    migrations: Iterable[Migration], commits: dict[str, tuple[str, ...]]
) -> list[Finding]:
    """Range findings for released migrations the range edited or reformatted (all the
    reformatted ones in one); `commits` holds the files the range changed."""
    found = []
    reformatted: list[str] = []
    reformat_commits: list[str] = []
    # (label, what the edit did) -> the migrations edited so: one line for a refactor of many
    edited: dict[tuple[str, str], list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
    for migration in migrations:
        if not migration.released or migration.change is not ChangeKind.MODIFIED:
            continue
        paths = tuple(p for p in (migration.path, migration.down_path) if p)
        shas = tuple(sha for p in paths for sha in commits.get(p, ()))
        if migration.format_only:
            # only the files the range edited (a Diesel down.sql left alone is not reformatted)
            reformatted += [p for p in paths if p in commits] or paths
            reformat_commits += shas
            continue
        detail = next(
            (
                i.detail
                for i in migration.data_impact
                if i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION
            ),
            None,
        )
        if detail is None:
            continue
        consequence = _EDIT_CONSEQUENCE.get(migration.system)
        detail += f"; {consequence}" if consequence else ""
        edited.setdefault((migration.database_label, detail), []).append(
            (migration.id, paths, shas)
        )
    for (label, detail), alike in edited.items():
        found += _edited_alike(label, detail, alike)
    if reformatted:
        # A file every engine runs is one file, however many engines read it.
        files = list(dict.fromkeys(reformatted))
        found.insert(0, reformatted_files(files, reformat_commits, "same operations"))
    return found


def _edited_alike(
    label: str, detail: str, alike: list[tuple[str, tuple[str, ...], tuple[str, ...]]]
) -> list[Finding]:
    """One finding per edited migration, or one for all when several were edited alike."""
    if len(alike) < _FOLDED_EDITS:
        return [
            Finding(ImpactTag.MODIFIED_EXISTING_MIGRATION, f"{label} {i}: {detail}", paths, shas)
            for i, paths, shas in alike
        ]
    ids = f"{alike[0][0]} … {alike[-1][0]}"
    return [
        Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"{label}, {len(alike)} migrations edited alike ({ids}), each: {detail}",
            tuple(p for _, paths, _ in alike for p in paths),
            tuple(dict.fromkeys(sha for _, _, shas in alike for sha in shas)),
        )
    ]


def out_of_order_findings(
    system: str,
    dialect: ops.Dialect | None,
    added: Sequence[tuple[str, tuple[object, ...], str, tuple[str, ...]]],
    released: Sequence[tuple[str, tuple[object, ...]]],
) -> list[Finding]:
    """Findings for added migrations (id, sort key, path, commits) that sort before the newest
    migration already present at the base."""
    if not released:
        return []
    newest_id, newest_key = max(released, key=lambda item: item[1])
    consequence = _OUT_OF_ORDER_CONSEQUENCE.get(
        system, "runners that track only the newest version skip it on databases already past it"
    )
    where = f" ({dialect.value})" if dialect else ""
    late = [(i, path, commits) for i, key, path, commits in added if key < newest_key]
    if len(late) >= _FOLDED_LATE:
        ids = [migration_id for migration_id, _, _ in late]
        return [
            Finding(
                ImpactTag.OUT_OF_ORDER,
                f"{system}{where}: {len(late)} migrations sort before {newest_id}, which is "
                f"already at the base ({first_few(ids)}): {consequence}",
                tuple(path for _, path, _ in late),
                tuple(dict.fromkeys(sha for _, _, commits in late for sha in commits)),
            )
        ]
    return [
        Finding(
            ImpactTag.OUT_OF_ORDER,
            f"{system}{where} {migration_id} sorts before {newest_id}, which is already at the "
            f"base: {consequence}",
            (path,),
            commits,
        )
        for migration_id, path, commits in late
    ]
