"""Turn parsed migrations into report `Migration` records: facts, order and data impact.

Every migration system ends here, so that facts are worded once (`describe`) and risks are
judged once (`rules`), whatever the migration was written in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import describe, ops, patterns, rules
from harvester.model import ChangeKind, Impact, ImpactTag, Migration, Problem

_FACT_FIELDS = (
    "tables_created",
    "tables_dropped",
    "tables_renamed",
    "tables_rebuilt",
    "columns_added",
    "columns_dropped",
    "columns_altered",
    "columns_renamed",
    "indexes_added",
    "indexes_dropped",
    "constraints_added",
    "constraints_dropped",
)


@dataclass(frozen=True, slots=True)
class MigrationInput:
    """One migration of a system, in execution order, as the assembler needs it.

    `parsed` is None when the file could not be read; `problems` then say why. For a released
    migration the range modified, `base_parsed` is what it was at the base: identical
    operations make it `format_only` (a system that compares syntax trees itself sets
    `format_only` directly). A `repeatable` migration (Flyway `R__`) is re-applied whenever
    it changes, so editing it is not an edit of released history. A released migration the
    range renamed carries its former id in `renamed_from`.
    """

    id: str
    path: str
    system: str
    dialect: ops.Dialect | None
    change: ChangeKind
    released: bool
    parsed: ops.ParsedMigration | None = None
    down_path: str | None = None
    problems: tuple[Problem, ...] = ()
    format_only: bool | None = None
    base_parsed: ops.ParsedMigration | None = None
    modification: str | None = None
    added_in: str | None = None
    first_release: str | None = None
    repeatable: bool = False
    renamed_from: str | None = None
    replaced_by: str | None = None  # a deleted migration a squash at the head replaces


_UNIQUE_KINDS = (ops.ConstraintKind.UNIQUE, ops.ConstraintKind.PRIMARY_KEY)

BaseSchema = Callable[[], Iterable[ops.Operation]]
"""The operations that build the schema at the base (released migrations replayed, or a schema
file read): asked for only when a migration of the range needs a column's earlier definition."""


def assemble(
    inputs: Sequence[MigrationInput],
    settings: AnalysisSettings | None = None,
    base_schema: BaseSchema | None = None,
) -> tuple[Migration, ...]:
    """Report records for one system and dialect's migrations, given in execution order."""
    settings = settings or AnalysisSettings()
    state = rules.RangeState()
    if base_schema is not None and any(_needs_earlier_columns(item) for item in inputs):
        state.seed(base_schema())
    result = []
    shipped_in: str | None = None  # the release whose migrations the state holds facts of
    for order, item in enumerate(inputs, start=1):
        if not item.released and item.first_release != shipped_in:
            # A database upgraded release by release has put rows in what earlier ones made.
            state.enter_release(shipped_in, item.first_release)
            shipped_in = item.first_release
        result.append(_migration(item, order, state, settings))
    return tuple(result)


def _needs_earlier_columns(item: MigrationInput) -> bool:
    """True when judging the migration needs a definition from before it: a type change that
    does not say the old type, a NOT NULL that may already hold, a rebuilt table's columns, an
    enum's values, the unique keys a new one may already be implied by, the table of an index
    named alone or an index or column dropped only if it exists, the rules of a key dropped
    to be added again, the columns of a key dropped with a column."""
    if item.parsed is None or item.released or item.change is ChangeKind.DELETED:
        return False
    operations = patterns.recognise(item.parsed, item.dialect).up.operations
    dropped_keys = {o.table for o in operations if isinstance(o, ops.DropConstraint)}
    dropped_keys |= {o.new for o in operations if isinstance(o, ops.RenameTable)}
    dropped_columns = {o.table for o in operations if isinstance(o, ops.DropColumn)}
    return bool(dropped_keys & dropped_columns) or any(
        (isinstance(o, ops.AddConstraint) and o.table in dropped_keys)
        or (isinstance(o, ops.AlterColumnType) and o.old_type is None)
        or (isinstance(o, ops.ModifyColumn) and o.old is None)
        or isinstance(o, (ops.SetNotNull, ops.RebuildTable, ops.RedefineEnumType))
        or (isinstance(o, ops.CreateIndex) and o.index.unique)
        or (isinstance(o, ops.AddConstraint) and o.constraint.kind in _UNIQUE_KINDS)
        or (isinstance(o, (ops.DropIndex, ops.RenameIndex)) and o.table is None)
        or (isinstance(o, (ops.DropIndex, ops.DropColumn)) and o.if_exists)
        for o in operations
    )


def _migration(
    item: MigrationInput, order: int, state: rules.RangeState, settings: AnalysisSettings
) -> Migration:
    if item.parsed is None:
        return Migration(
            id=item.id,
            system=item.system,
            dialect=item.dialect.value if item.dialect else None,
            path=item.path,
            down_path=item.down_path,
            change=item.change,
            order=order,
            released=item.released,
            parsed=False,
            problems=item.problems,
            added_in=item.added_in,
            data_impact=(Impact(ImpactTag.RAW_SQL, "not parsed: review this migration by hand"),),
        )
    parsed = state.annotated(patterns.recognise(item.parsed, item.dialect))
    # A released migration moved with its id and operations unchanged changes nothing either.
    format_only = _format_only(item) or _moved_unchanged(item)
    facts: dict[str, list[str]] = {name: [] for name in _FACT_FIELDS}
    created: dict[str, tuple[str, ...]] = {}
    changes = []
    # Databases that ran an edited released migration never run it again: its operations are
    # not this range's schema updates (its finding says what the edit changed).
    unchanged = format_only or _edited_release(item)
    if item.change is not ChangeKind.DELETED and not unchanged:
        for operation in parsed.up.operations:
            if isinstance(operation, ops.CreateTable) and operation.columns:
                created[operation.table] = tuple(
                    describe.column(c, item.dialect) for c in operation.columns
                )
            for change in describe.table_changes(operation):
                changes.append(change)
                if change.category in facts:
                    facts[change.category].append(describe.listed(change))
    impacts, rule_notes, failures = _impacts(item, parsed, format_only, state, settings)
    if item.repeatable and item.change is ChangeKind.MODIFIED:
        rule_notes = ("repeatable: it runs again because its checksum changed", *rule_notes)
    if not item.released:
        state.observe(parsed, item.id)
    return Migration(
        id=item.id,
        system=item.system,
        dialect=item.dialect.value if item.dialect else None,
        path=item.path,
        down_path=item.down_path or parsed.down_path,
        change=item.change,
        order=order,
        released=item.released,
        format_only=format_only,
        created_table_columns=created,
        schema_changes=tuple(changes),
        data_impact=impacts,
        parsed=True,
        problems=item.problems + tuple(Problem(item.path, text, line) for text, line in failures),
        notes=parsed.notes + parsed.up.notes + rule_notes,
        added_in=item.added_in,
        tables_created=tuple(facts["tables_created"]),
        tables_dropped=tuple(facts["tables_dropped"]),
        tables_renamed=tuple(facts["tables_renamed"]),
        tables_rebuilt=tuple(facts["tables_rebuilt"]),
        columns_added=tuple(facts["columns_added"]),
        columns_dropped=tuple(facts["columns_dropped"]),
        columns_altered=tuple(facts["columns_altered"]),
        columns_renamed=tuple(facts["columns_renamed"]),
        indexes_added=tuple(facts["indexes_added"]),
        indexes_dropped=tuple(facts["indexes_dropped"]),
        constraints_added=tuple(facts["constraints_added"]),
        constraints_dropped=tuple(facts["constraints_dropped"]),
    )


# Data losses that happen only where the migration's code runs the statement.
_LOSSES = frozenset(
    {ImpactTag.DESTRUCTIVE_DROP_TABLE, ImpactTag.DESTRUCTIVE_DROP_COLUMN, ImpactTag.DATA_DELETE}
)


def _with_conditions(impacts: list[Impact], parsed: ops.ParsedMigration) -> list[Impact]:
    """Data-loss details that carry the conditions the migration's code runs under (`unless
    Rails.env.production?`), as its status line does: a drop may not run everywhere."""
    conditions = [_condition(note) for note in (*parsed.notes, *parsed.up.notes)]
    shown = "; ".join(dict.fromkeys(c for c in conditions if c))
    if not shown:
        return impacts
    return [Impact(i.tag, f"{i.detail} ({shown})") if i.tag in _LOSSES else i for i in impacts]


def _condition(note: str) -> str | None:
    """`runs only unless `x`` -> `this migration runs only unless `x``; None for a note that
    is no condition."""
    note = note.removeprefix("guarded: ")
    if note.startswith("part runs only"):
        return f"part of this migration {note.removeprefix('part ')}"
    if note.startswith("runs only"):
        return f"this migration {note}"
    return None


def _same_operations(item: MigrationInput) -> bool:
    if item.base_parsed is None or item.parsed is None:
        return False
    before, after = item.base_parsed, item.parsed
    return before.up.operations == after.up.operations and (
        before.down.operations if before.down else None
    ) == (after.down.operations if after.down else None)


def _moved_unchanged(item: MigrationInput) -> bool:
    """A released migration moved or renamed with the same id and the same operations."""
    return (
        item.released
        and item.change is ChangeKind.RENAMED
        and item.renamed_from in (None, item.id)
        # a file its system found edited beyond formatting (format_only False) is not unchanged
        and (item.format_only is True or (item.format_only is None and _same_operations(item)))
    )


def _edited_release(item: MigrationInput) -> bool:
    """A released migration edited in place, or moved with its id and edited (a repeatable
    one runs again, so it is not)."""
    kept_id = item.change is ChangeKind.MODIFIED or (
        item.change is ChangeKind.RENAMED and item.renamed_from in (None, item.id)
    )
    return item.released and kept_id and not item.repeatable


def _format_only(item: MigrationInput) -> bool:
    if not item.released or item.change is not ChangeKind.MODIFIED or item.repeatable:
        return False
    if item.format_only is not None:
        return item.format_only
    if item.base_parsed is None or item.parsed is None:
        return False
    return (item.base_parsed.up, item.base_parsed.down) == (item.parsed.up, item.parsed.down)


def _impacts(
    item: MigrationInput,
    parsed: ops.ParsedMigration,
    format_only: bool,
    state: rules.RangeState,
    settings: AnalysisSettings,
) -> tuple[tuple[Impact, ...], tuple[str, ...], tuple[tuple[str, int | None], ...]]:
    if item.change is ChangeKind.DELETED and item.replaced_by:
        what = f"migration file deleted: {item.replaced_by} replaces it"
        return (Impact(ImpactTag.NONE, what),), (), ()
    if item.change is ChangeKind.DELETED:
        return (
            (
                Impact(
                    ImpactTag.MODIFIED_EXISTING_MIGRATION if item.released else ImpactTag.NONE,
                    "migration file deleted"
                    + (": databases that ran it keep its changes" if item.released else ""),
                ),
            ),
            (),
            (),
        )
    if _moved_unchanged(item):
        return (
            (
                Impact(
                    ImpactTag.NONE,
                    "released migration moved with its id and statements unchanged: nothing runs "
                    "again",
                ),
            ),
            (),
            (),
        )
    if format_only:
        return (
            (
                Impact(
                    ImpactTag.FORMAT_ONLY_CHANGE,
                    "released migration reformatted; its operations are unchanged",
                ),
            ),
            (),
            (),
        )
    if _edited_release(item):
        # Databases that ran it will not run it again: its statements are not new risks.
        what = item.modification or "its operations changed"
        if item.change is ChangeKind.RENAMED:
            what = f"moved; {what}"
        # a system that found the edit beyond formatting (format_only False) says so itself
        if (
            _same_operations(item)
            and item.format_only is not False
            and "database operations are the same" not in what
        ):
            what += "; the database operations are the same"
        return (
            (
                Impact(
                    ImpactTag.MODIFIED_EXISTING_MIGRATION,
                    f"already released migration edited ({what}): databases that ran the old "
                    "version will not run it again, new databases run the new one",
                ),
            ),
            (),
            (),
        )
    assessment = rules.assess(
        parsed,
        item.dialect,
        state,
        settings,
        together_assumed=item.first_release is None,
        system=item.system,
    )
    found = _with_conditions(list(assessment.impacts), parsed)
    if item.released and item.renamed_from not in (None, item.id):
        found.insert(
            0,
            Impact(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"released migration renamed from {item.renamed_from}: tools that record "
                "applied migrations by id see it as new and run it again",
            ),
        )
    if not found:
        found.append(Impact(ImpactTag.NONE, "nothing that needs a reviewer's eye"))
    return tuple(found), assessment.notes, assessment.failures
