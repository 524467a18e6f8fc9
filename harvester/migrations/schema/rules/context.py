"""What a rule knows while it judges one operation: the engine, the range so far, and what the
migration itself did before this operation."""

from __future__ import annotations

from dataclasses import dataclass, field

from harvester.migrations.schema import ops
from harvester.migrations.schema.engines import Engine
from harvester.migrations.schema.range_state import RangeState
from harvester.migrations.schema.rules.foreign_keys import Replaced
from harvester.model import Impact, ImpactTag

_TOGETHER = " (assuming both deploy together: no release tag separates them)"
_EARLIER = "earlier in this range"


@dataclass
class Context:
    """One migration's judging context; rules add impacts and informational notes to it."""

    engine: Engine
    state: RangeState
    migration: str
    system: str | None = None  # the migration tool, for what its generated SQL adds
    transactional: bool | None = None
    after_deploy: bool = False
    # No release tag says whether this migration ships with the range's earlier ones (a
    # repository without tags, or migrations not yet released): mitigations that rely on
    # deploying them together say so.
    together_assumed: bool = False
    created_here: set[str] = field(default_factory=set)
    # Tables this migration deleted every row of (and has not filled since): line of the delete.
    emptied: dict[str, int | None] = field(default_factory=dict)
    recreated_views: dict[str, bool] = field(default_factory=dict)
    # Views dropped and replaced under their name by a table or view renamed or created.
    view_replacements: dict[str, str] = field(default_factory=dict)
    swaps: dict[str, str] = field(default_factory=dict)
    # Constraints the step adds in place of ones it dropped, with what they replace.
    replaced_keys: dict[ops.AddConstraint, Replaced] = field(default_factory=dict)
    redefaulted: set[tuple[str, str]] = field(default_factory=set)
    rebuilt: set[str] = field(default_factory=set)
    # Tables a framework rebuilds to apply this migration's ALTERs of them.
    rebuilt_for_alters: set[str] = field(default_factory=set)
    # Tables dropped IF EXISTS and then created again (Rails' `create_table …, force:`).
    recreated_tables: set[str] = field(default_factory=set)
    # (table, column) pairs a framework's rebuild declares instead of adding them.
    declared_in_rebuild: set[tuple[str, str]] = field(default_factory=set)
    copied_from: dict[str, str] = field(default_factory=dict)
    # (table, column) a rebuild declares NOT NULL without a default and does not copy: the
    # rebuild fails on any row, so only an empty table gets past it.
    unfilled: set[tuple[str, str]] = field(default_factory=set)
    # (table, column) this migration drops, anywhere in its step.
    dropped_columns: set[tuple[str, str]] = field(default_factory=set)
    # (table, column) -> the UPDATEs that copied its values: (column set, line, has WHERE).
    copied_columns: dict[tuple[str, str], list[tuple[str, int | None, bool]]] = field(
        default_factory=dict
    )
    # Per table: columns dropped after such a copy, with their copies.
    dropped_copies: dict[str, list[tuple[str, list[tuple[str, int | None, bool]]]]] = field(
        default_factory=dict
    )
    # Per table: this migration's UPDATEs of it so far; and the columns it drops after an
    # UPDATE that sets other columns from them (their value, or its WHERE, names them).
    updates: dict[str, list[ops.DataChange]] = field(default_factory=dict)
    dropped_after_update: dict[str, list[tuple[str, ops.DataChange]]] = field(default_factory=dict)
    created_views: set[str] = field(default_factory=set)
    # Enums this migration rebuilds keeping every value they had: their casts convert all rows.
    widened_enums: set[str] = field(default_factory=set)
    # DELETEs and UPDATEs that remove or clear rows with no match in another table (orphans).
    orphan_cleanups: list[ops.DataChange] = field(default_factory=list)
    # INSERT … SELECT of every row of one table into another (a referenced table filled from
    # the values a new foreign key will point at).
    copies_of_every_row: list[ops.DataChange] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    impacts: list[Impact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    grouped: dict[tuple[ImpactTag, str], list[str]] = field(default_factory=dict)
    # Per enum type: the values this migration adds to it, quoted.
    added_enum_values: dict[str, list[str]] = field(default_factory=dict)
    # Per table: (column, default, migration that added it) whose fill default is dropped.
    dropped_fill_defaults: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # Per table: (the change, what the engine does for it) for changes that rewrite it.
    rewrites: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Per table: columns a MySQL MODIFY only lets hold NULL (an in-place rebuild).
    loosened: dict[str, list[str]] = field(default_factory=dict)
    failures: list[tuple[str, int | None]] = field(default_factory=list)
    line: int | None = None

    def lost(self, subject: str, pronoun: str = "it") -> str:
        """What dropping released objects costs (`its data is` lost): the data, and the previous
        release's code that reads them, unless the migration runs after the deploy."""
        if self.after_deploy:
            return (
                f"{subject} lost (this migration runs after the deploy, when the previous "
                "release's code is gone)"
            )
        return f"{subject} lost, and code of the previous release that still reads {pronoun} fails"

    def assumed_together(self, migration: str) -> str:
        """What a judgement resting on an earlier migration (`migration`) assumes when no
        release tag separates the two, or nothing."""
        if migration != self.migration and self.together_assumed:
            return _TOGETHER
        return ""

    def flag(self, tag: ImpactTag, detail: str) -> None:
        """Add a data-impact tag (once per detail)."""
        if tag is ImpactTag.MITIGATED and self.together_assumed and _EARLIER in detail:
            detail += _TOGETHER
        impact = Impact(tag, detail)
        if impact not in self.impacts:
            self.impacts.append(impact)

    def group(self, tag: ImpactTag, table: str, name: str) -> None:
        """Flag `tag` once per table for many like statements (one detail names them all)."""
        self.grouped.setdefault((tag, table), []).append(name)

    def fails(self, text: str) -> None:
        """Record a statement that fails whatever the data (reported with the file's problems)."""
        failure = (f"will fail: {text}", self.line)
        if failure not in self.failures:
            self.failures.append(failure)

    def note(self, text: str) -> None:
        """Add something worth knowing that is not a risk."""
        if text not in self.notes:
            self.notes.append(text)

    def new_table(self, table: str) -> str | None:
        """Why `table` holds no rows when this runs, or None when it may hold rows."""
        why = self.unreleased_table(table)
        if table not in self.created_here and table in self.state.filled_tables:
            return None  # rows were inserted into it since
        return why

    def unreleased_table(self, table: str) -> str | None:
        """Why no released code knows `table` (this range created it, rows may have been
        inserted since), or None."""
        if table in self.created_here:
            return "created by this migration"
        origin = self.state.created_tables.get(table)
        return f"created by {self.by(origin)}" if origin else None

    def filled_since(self, table: str) -> str:
        """`rows were inserted by <migration>`, for a table `new_table` calls not new."""
        return f"rows were inserted by {self.by(self.state.filled_tables[table])}"

    def empty_table(self, table: str) -> str | None:
        """Why `table` holds no rows when this runs: new (`new_table`), or emptied by a delete
        of every row earlier in this migration; None when it may hold rows."""
        why = self.new_table(table)
        if why is not None or table not in self.emptied:
            return why
        line = self.emptied[table]
        at = f" at line {line}" if line else ""
        return f"emptied by this migration's delete of every row{at}"

    def by(self, migration: str) -> str:
        """`this migration`, or `<id> earlier in this range`."""
        return "this migration" if migration == self.migration else f"{migration} {_EARLIER}"

    def judge_new(self, table: str, tag: ImpactTag, detail: str) -> None:
        """Flag `tag` unless `table` is new: then say why it is not a risk (`mitigated` when an
        earlier migration of the range created it, nothing when this one did)."""
        why = self.empty_table(table)
        if why is None:
            self.flag(tag, detail)
        elif table in self.emptied and self.new_table(table) is None:
            what = detail.split(": ", 1)[0]
            self.flag(ImpactTag.MITIGATED, f"{what}: not a risk here, {table} was {why}")
        elif table not in self.created_here:
            what = detail.split(": ", 1)[0]
            self.flag(
                ImpactTag.MITIGATED,
                f"{what}: not a risk here, {table} was {why} and holds no rows yet",
            )

    @property
    def readded(self) -> set[tuple[str, str]]:
        """(table, name) of the constraints the step drops to add them again."""
        return {(replaced.table, replaced.name) for replaced in self.replaced_keys.values()}

    def rewrite(self, table: str, change: str, how: str) -> None:
        """Flag a change that rewrites (or copies) `table`, unless the table is new; one
        migration's rewrites of one table are reported in one detail (`rewrite_detail`)."""
        if self.empty_table(table) is not None:
            self.judge_new(table, ImpactTag.TABLE_REWRITE, f"{change}: {how}")
            return
        self.rewrites.setdefault(table, []).append((change, how))

    def column_new(self, table: str, column: str) -> str | None:
        """Why `table.column` holds no data yet, or None."""
        return self.new_table(table) or self._added_by(table, column)

    def column_unreleased(self, table: str, column: str) -> str | None:
        """Why no released code knows `table.column` (its table or itself was added by the
        range), or None."""
        return self.unreleased_table(table) or self._added_by(table, column)

    def _added_by(self, table: str, column: str) -> str | None:
        origin = self.state.added_columns.get((table, column))
        return f"added by {self.by(origin)}" if origin else None

    def reference_note(self, table: str, referenced: str) -> None:
        """Note the brief lock a foreign key from new `table` takes on an existing table."""
        if self.engine.postgres_like and referenced != table and self.new_table(referenced) is None:
            self.note(
                f"the foreign key from new table {table} briefly takes a SHARE ROW EXCLUSIVE "
                f"lock on {referenced}"
            )

    @property
    def lock_timeout(self) -> bool:
        """True once the migration set a lock or statement timeout."""
        return any(n in self.settings for n in ("lock_timeout", "statement_timeout"))


def rewrite_detail(changes: list[tuple[str, str]]) -> str:
    """`t.a INT -> BIGINT; t.b …: PostgreSQL rewrites t …`: the changes that rewrite one
    table, then what the engine does for them (each way once)."""
    listed = "; ".join(dict.fromkeys(change for change, _ in changes))
    return f"{listed}: {'; '.join(dict.fromkeys(how for _, how in changes))}"


def known_nullable(ctx: Context, table: str, column: str) -> bool | None:
    """The column's nullability as the range shows it (None: not shown); a column of the
    primary key holds no NULL."""
    known = ctx.state.known_column(table, column)
    if known is None:
        return None
    keyed = any(
        key.primary and column in key.columns for key in ctx.state.unique_keys.keys.get(table, ())
    )
    return known.nullable is not False and not known.primary_key and not keyed
