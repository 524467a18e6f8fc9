"""What the Python migration systems (Django, Alembic) say alike about a range's files: one calm
finding for every reformatted released file, and the engine note on the first migration.

A reformat of 150 released migrations is one `format_only_change` finding listing them, not
150 alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from harvester.migrations.base import PathChange
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput
from harvester.model import Finding, ImpactTag


def reformat_finding(changes: Sequence[PathChange], same: str = "same syntax tree") -> Finding:
    """The one finding for every released migration file edited without a semantic change
    (`same` says how that was established)."""
    commits = tuple(dict.fromkeys(sha for c in changes for sha in c.commits))
    return reformatted_files(tuple(c.path for c in changes), commits, same)


def reformatted_files(paths: Sequence[str], commits: Sequence[str], same: str) -> Finding:
    """One finding for released migration files whose edits change nothing (`same` says how
    that was established)."""
    what = "file" if len(paths) == 1 else "files"
    return Finding(
        ImpactTag.FORMAT_ONLY_CHANGE,
        f"{len(paths)} released migration {what} reformatted ({same}): nothing changes for "
        "databases",
        tuple(paths),
        tuple(dict.fromkeys(commits)),
    )


def with_note(inputs: list[MigrationInput], note: str | None) -> list[MigrationInput]:
    """The inputs with `note` (about the whole system, such as the engine) on the first one."""
    if not note or not inputs or inputs[0].parsed is None:
        return inputs
    first = inputs[0].parsed
    return [replace(inputs[0], parsed=replace(first, notes=(*first.notes, note))), *inputs[1:]]


def unreadable_base(message: str) -> str:
    """What changed, when the released version cannot be read (Python 2 syntax, say)."""
    reason = message.removeprefix("not parsed: ")
    return f"the released version could not be read ({reason}), so the change is not described"


def same_database_operations(
    old: ops.ParsedMigration, new: ops.ParsedMigration, functions_unchanged: bool = False
) -> bool:
    """True when two versions of a migration run the same schema operations both ways, and no
    code (whose edits the operations cannot show: a function, SQL nobody parsed).
    `functions_unchanged`: the file's functions are the same, so code they run is too."""
    old_down = old.down.operations if old.down else ()
    new_down = new.down.operations if new.down else ()
    code = any(
        _unseen_code(o) and not (functions_unchanged and isinstance(o, ops.DataChange))
        for o in new.up.operations + new_down
    )
    same_way_back = (old.down is None) == (new.down is None) and old_down == new_down
    return not code and old.up.operations == new.up.operations and same_way_back


def _unseen_code(operation: ops.Operation) -> bool:
    """True for an operation whose edits its description may not show: a change of rows, a
    statement harvester summarises (a function's body), raw SQL; not a Django change of model
    state only, which runs nothing."""
    if isinstance(operation, ops.DataChange):
        return True
    return isinstance(operation, ops.Opaque) and not operation.state_only
