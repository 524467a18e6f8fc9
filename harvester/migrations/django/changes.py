"""The range's Django migration files as assembler inputs, and the findings across them.

A released migration edited in the range is compared with its base version by syntax tree:
the same tree is a reformat, anything else is described operation by operation.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from harvester.analysis.wording import first_few, plural
from harvester.migrations import pyast
from harvester.migrations.base import PathChange, RepoView
from harvester.migrations.django.data_edits import data_edits
from harvester.migrations.django.files import (
    Comparison,
    MigrationFile,
    Operation,
    compare,
    label,
    same_for_database,
)
from harvester.migrations.django.graph import Key
from harvester.migrations.django.project import (
    Entry,
    Project,
    Replay,
    inert_squash,
    migration_id,
)
from harvester.migrations.django.python_code import PythonCode
from harvester.migrations.edits import reformat_finding, same_database_operations, unreadable_base
from harvester.migrations.engines import EngineEvidence
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput
from harvester.model import ChangeKind, Finding, ImpactTag, Problem


@dataclass
class RangeChanges:
    """Turns the range's changed files into inputs, collecting findings on the way."""

    view: RepoView
    head: Project
    base: Project
    head_replay: Replay
    base_replay: Replay | None
    evidence: EngineEvidence
    system: str
    findings: list[Finding] = field(default_factory=list)
    reformatted: list[PathChange] = field(default_factory=list)

    def inputs(self, changes: Sequence[PathChange]) -> list[MigrationInput]:
        """Assembler inputs in execution order; deleted files last, in their base order."""
        head_order = {key: i for i, key in enumerate(self.head_replay.plan.order)}
        base_order = (
            {key: i for i, key in enumerate(self.base_replay.plan.order)}
            if self.base_replay
            else {}
        )
        added = {self.head.by_path[c.path].key for c in changes if c.status is ChangeKind.ADDED}
        rows: list[tuple[tuple[int, int], MigrationInput]] = []
        for change in changes:
            if change.status is ChangeKind.DELETED:
                entry = self.base.by_path[change.path]
                parsed = self.base_replay.parsed.get(entry.key) if self.base_replay else None
                position = (1, base_order.get(entry.key, 0))
                rows.append((position, self._deleted(entry, change, parsed)))
                continue
            entry = self.head.by_path[change.path]
            old = self.base.by_path.get(change.old_path or change.path)
            if (
                old is not None
                and old.key != entry.key
                and (not self._same_steps(old, entry) or _apart_at_a_release(change))
            ):
                # git paired two different migrations by likeness: one went, another came.
                gone = replace(change, path=old.path, old_path=None, status=ChangeKind.DELETED)
                parsed = self.base_replay.parsed.get(old.key) if self.base_replay else None
                rows.append(((1, base_order.get(old.key, 0)), self._deleted(old, gone, parsed)))
                change, old = replace(change, old_path=None, status=ChangeKind.ADDED), None
            item = self._input(entry, change, self.head_replay.parsed.get(entry.key), bool(old))
            if old is None:
                item = self._new_at_head(item, entry, change)
            if change.status is ChangeKind.MODIFIED and old is not None:
                item = self._modified(item, change, old, entry, added)
            elif change.status is ChangeKind.RENAMED and old is not None and old.key == entry.key:
                item = self._moved(item, change, old, entry, added)
            if change.status is ChangeKind.RENAMED and old is not None and old.key != entry.key:
                self.findings.append(_renamed(old, entry, change))
                item = replace(item, renamed_from=migration_id(old.key))
            rows.append(((0, head_order.get(entry.key, len(head_order))), item))
        rows.sort(key=lambda row: row[0])
        return [row[1] for row in rows]

    def _deleted(
        self, entry: Entry, change: PathChange, parsed: ops.ParsedMigration | None
    ) -> MigrationInput:
        """A released migration whose file is gone, with the squash that replaces it."""
        item = self._input(entry, change, parsed, True)
        squash = self._squashed_away.get(entry.key)
        return item if squash is None else replace(item, replaced_by=migration_id(squash))

    def _new_at_head(
        self, item: MigrationInput, entry: Entry, change: PathChange
    ) -> MigrationInput:
        """A migration databases at the base have not run: a squash of migrations they all
        ran is recorded as applied and runs nothing there; one that creates a table they
        already have fails."""
        migration, parsed = entry.migration, item.parsed
        if migration is None or parsed is None:
            return item
        if migration.replaces and all(k in self.base.by_key for k in migration.replaces):
            squash = inert_squash(entry, migration)
            notes = tuple(dict.fromkeys((*squash.notes, *parsed.notes)))
            return replace(item, parsed=replace(squash, notes=notes))
        clash = self._clashes.get(entry.key)
        if not clash:
            return item
        problem = Problem(
            item.path,
            f"will fail on databases at the base: it creates {first_few(clash)}, which they "
            f"already have ({_why_clash(change)})",
        )
        return replace(item, problems=(*item.problems, problem))

    @cached_property
    def _squashed_away(self) -> dict[Key, Key]:
        """Released migrations the range deletes that a squash at the head replaces, with
        that squash."""
        found = {}
        for key, entry in self.head.by_key.items():
            for replaced in entry.migration.replaces if entry.migration else ():
                if replaced in self.base.by_key and replaced not in self.head.by_key:
                    found[replaced] = key
        return found

    def _squash_reset(self) -> list[Finding]:
        """One finding for squashes whose replaced files the range deletes: Django uses a
        squash only where all or none of the migrations it replaces were applied."""
        gone = self._squashed_away
        if not gone:
            return []
        squashes = sorted(set(gone.values()))
        newest = {app: max(n for a, n in gone if a == app) for app, _ in gone}
        paths = tuple(self.head.by_key[k].path for k in squashes)
        return [
            Finding(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"{first_few([migration_id(k) for k in squashes])} "
                f"{'replaces' if len(squashes) == 1 else 'replace'} "
                f"{plural(len(gone), 'released migration')} (up to "
                f"{first_few([migration_id(k) for k in sorted(newest.items())])}) and their "
                "files are deleted: only databases that applied all of them (or none) can "
                "migrate; a database that applied only some cannot, since Django then needs "
                "the replaced migrations it has not run",
                paths,
            )
        ]

    def base_operations(self) -> list[ops.Operation]:
        """The up operations that built the base's schema, in execution order (the head's
        replay of the migrations the base has, when the range changed none of them)."""
        replayed = self.base_replay or self.head_replay
        found: list[ops.Operation] = []
        for key in replayed.plan.order:
            parsed = replayed.parsed.get(key)
            if parsed is not None and key in self.base.by_key:
                found += parsed.up.operations
        return found

    @cached_property
    def _clashes(self) -> dict[Key, list[str]]:
        """The tables each new migration creates while databases at the base already have
        them: the base's tables, followed through the new migrations in execution order (a
        table a migration drops first, or an earlier new one dropped, is no clash)."""
        tables: set[str] = set()
        _follow_tables(self.base_operations(), tables)
        clashes: dict[Key, list[str]] = {}
        for key in self.head_replay.plan.order:
            entry = self.head.by_key.get(key)
            migration = entry.migration if entry else None
            parsed = self.head_replay.parsed.get(key)
            if key in self.base.by_key or migration is None or parsed is None:
                continue
            if migration.replaces and all(k in self.base.by_key for k in migration.replaces):
                continue  # recorded as applied there: runs nothing
            clash = _follow_tables(parsed.up.operations, tables)
            if clash:
                clashes[key] = clash
        return clashes

    def _same_steps(self, old: Entry, new: Entry) -> bool:
        """True when a renamed migration runs what it ran under its old name."""
        before = self.base_replay.parsed.get(old.key) if self.base_replay else None
        after = self.head_replay.parsed.get(new.key)
        return (
            before is not None and after is not None and before.up.operations == after.up.operations
        )

    def range_findings(self, changes: Sequence[PathChange]) -> tuple[Finding, ...]:
        """The findings: one for every reformatted file together, then the others."""
        found = list(self.findings) + self._squash_reset()
        if self.reformatted:
            found.insert(
                0,
                reformat_finding(self.reformatted, "the same code, help texts and labels aside"),
            )
        apps = {self.head.by_path[c.path].key[0] for c in changes if c.path in self.head.by_path}
        found += _conflicts(self.head_replay, apps, self.head)
        return tuple(found)

    def _input(
        self,
        entry: Entry,
        change: PathChange,
        parsed: ops.ParsedMigration | None,
        released: bool,
    ) -> MigrationInput:
        problems: tuple[Problem, ...] = ()
        if entry.migration is None:
            parsed = None
            problems = (entry.why_unreadable(),)
        return MigrationInput(
            id=migration_id(entry.key),
            path=change.path,
            system=self.system,
            dialect=self.evidence.dialect,
            change=change.status,
            released=released,
            parsed=parsed,
            problems=problems,
            added_in=change.added_in,
            first_release=change.first_release,
        )

    def _modified(
        self,
        item: MigrationInput,
        change: PathChange,
        old: Entry,
        new: Entry,
        added: set[tuple[str, str]],
    ) -> MigrationInput:
        if old.migration is None and new.migration is not None:
            return replace(item, modification=unreadable_base(old.why_unreadable().message))
        if old.migration is None or new.migration is None:
            return item
        comparison = compare(self._text(old), self._text(new))
        if comparison is not None and (comparison.same or comparison.same_for_database):
            # a help_text or verbose_name reworded changes nothing a database runs
            self.reformatted.append(change)
            return replace(item, format_only=True)
        self.findings += _new_dependencies(new, old.migration, new.migration, added, change)
        what = describe_modification(old.migration, new.migration, comparison)
        before = self.base_replay.parsed.get(old.key) if self.base_replay else None
        if (
            before is not None
            and item.parsed is not None
            and same_database_operations(
                _database_steps(before),
                _database_steps(item.parsed),
                functions_unchanged=_code_unchanged(comparison),
            )
        ):
            what += "; the database operations are the same"
        return replace(item, format_only=False, modification=what)

    def _moved(
        self,
        item: MigrationInput,
        change: PathChange,
        old: Entry,
        new: Entry,
        added: set[tuple[str, str]],
    ) -> MigrationInput:
        """A migration moved with its app and name (a folder renamed): databases that ran it
        know it by those, so unchanged it runs nothing; edited, it is an edited release. Either
        way it was released before the range: the commit that moved it did not add it."""
        item = replace(item, added_in=None, first_release=None)
        if old.blob == new.blob:
            return replace(item, format_only=True)
        edited = self._modified(item, change, old, new, added)
        if edited.format_only:
            self.reformatted.remove(change)
        return edited

    def _text(self, entry: Entry) -> str:
        return self.view.read_blob(entry.blob, entry.path).text or ""


def moves_by_id(changes: Sequence[PathChange], head: Project, base: Project) -> list[PathChange]:
    """`changes` with a migration deleted at one path and added at another under the same app
    label and name joined as one move: Django knows a migration by those, not by its file (a
    folder moved and reformatted in one go, which git pairs as renames only where the text
    stayed alike)."""
    deleted = {base.by_path[c.path].key: c for c in changes if c.status is ChangeKind.DELETED}
    moved_from = {
        c.path: gone
        for c in changes
        if c.status is ChangeKind.ADDED
        and (gone := deleted.get(head.by_path[c.path].key)) is not None
    }
    gone_paths = {gone.path for gone in moved_from.values()}
    found = []
    for change in changes:
        if change.status is ChangeKind.DELETED and change.path in gone_paths:
            continue
        if change.path in moved_from and change.status is ChangeKind.ADDED:
            gone = moved_from[change.path]
            change = replace(
                change, old_path=gone.path, status=ChangeKind.RENAMED, old_blob=gone.old_blob
            )
        found.append(change)
    return found


def _follow_tables(operations: Sequence[ops.Operation], tables: set[str]) -> list[str]:
    """Apply the table creations, drops and renames of `operations` to `tables`; the tables
    they create that were there already."""
    clash = []
    for operation in operations:
        if isinstance(operation, ops.CreateTable):
            if operation.table in tables and not (operation.may_exist or operation.if_not_exists):
                clash.append(operation.table)
            tables.add(operation.table)
        elif isinstance(operation, ops.DropTable):
            tables.discard(operation.table)
        elif isinstance(operation, ops.RenameTable):
            tables.discard(operation.old)
            tables.add(operation.new)
    return clash


def _database_steps(parsed: ops.ParsedMigration) -> ops.ParsedMigration:
    """`parsed` without its changes of Django's model state only: they run nothing, and their
    wording names what differs from the state (a related_name), which no database sees."""

    def kept(step: ops.Step) -> ops.Step:
        found = tuple(
            o for o in step.operations if not (isinstance(o, ops.Opaque) and o.state_only)
        )
        return replace(step, operations=found)

    return replace(parsed, up=kept(parsed.up), down=kept(parsed.down) if parsed.down else None)


def _code_unchanged(comparison: Comparison | None) -> bool:
    """True when only the Migration class changed: the functions, classes and imports its
    RunPython code may use are the same."""
    if comparison is None:
        return False
    changed = pyast.changed_definitions(comparison.old_definitions, comparison.definitions)
    return all(name == "class Migration" for name in changed)


def describe_modification(
    old: MigrationFile, new: MigrationFile, comparison: Comparison | None
) -> str:
    """What an edit changed, in a reviewer's words: operations added, removed or changed,
    dependencies, functions the operations call."""
    parts = []
    gained = [f"+{migration_id(k)}" for k in new.dependencies if k not in old.dependencies]
    lost = [f"-{migration_id(k)}" for k in old.dependencies if k not in new.dependencies]
    if gained or lost:
        parts.append("dependencies " + ", ".join(gained + lost))
    if comparison is not None:
        matcher = difflib.SequenceMatcher(
            a=comparison.old_operations, b=comparison.operations, autojunk=False
        )
        changed = pyast.changed_definitions(comparison.old_definitions, comparison.definitions)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                parts += _replaced(old.operations[i1:i2], new.operations[j1:j2], changed)
        edits = data_edits(new, comparison, changed)
        for name in changed:
            if name in edits:
                parts.append(edits[name])
            elif name.startswith("function"):
                parts.append(name if name.endswith(("added", "removed")) else f"{name} changed")
    if old.atomic != new.atomic:
        parts.append(f"atomic {old.atomic} -> {new.atomic}")
    counted = Counter(parts)
    return (
        "; ".join(f"{n} × {part}" if n > 1 else part for part, n in counted.items())
        or "the file changed outside its operations"
    )


def _replaced(
    old: Sequence[Operation], new: Sequence[Operation], changed: Sequence[str]
) -> list[str]:
    """What a run of operations that differ became: those that kept their label (`AlterField
    check.name`) are changed, the others removed or added (paired in order when as many went
    as came); many changes of one kind as one part."""
    pairs, gone, came = _pair_by_label(old, new)
    if len(gone) == len(came):
        pairs, gone, came = pairs + list(zip(gone, came, strict=True)), [], []
    parts: list[str] = []
    plain: dict[str, list[str]] = {}
    for a, b in pairs:
        part = _operation_change(a, b, changed)
        target = label(b).removeprefix(b.kind).strip()
        if part == f"{label(b)} changed" and target:
            plain.setdefault(b.kind, []).append(target)
        parts.append(part)
    for kind, targets in plain.items():
        if len(targets) > 3:
            folded = {f"{kind} {t} changed" for t in targets}
            at = next(i for i, p in enumerate(parts) if p in folded)
            parts = [p for p in parts if p not in folded]
            parts.insert(at, f"{len(targets)} {kind} changed ({first_few(targets)})")
    return parts + [f"{label(o)} removed" for o in gone] + [f"{label(o)} added" for o in came]


def _pair_by_label(
    old: Sequence[Operation], new: Sequence[Operation]
) -> tuple[list[tuple[Operation, Operation]], list[Operation], list[Operation]]:
    """The operations of both sides with the same label, paired in order; those left over."""
    came = list(new)
    pairs, gone = [], []
    for operation in old:
        match = next((o for o in came if label(o) == label(operation)), None)
        if match is None:
            gone.append(operation)
        else:
            came.remove(match)
            pairs.append((operation, match))
    return pairs, gone, came


def _operation_change(old: Operation, new: Operation, changed: Sequence[str]) -> str:
    """`RunPython fill: reverse step added; forward unchanged` when a RunPython kept its
    forward step and only its reverse changed (`forward unchanged` only when no function the
    file had changed either); `<operation> changed` otherwise."""
    if not (
        old.base_kind == new.base_kind == "RunPython"
        and new.code is not None
        and _without_reverse(old) == _without_reverse(new)
        and old.arg("reverse_code") != new.arg("reverse_code")
    ):
        if same_for_database(old, new):
            return f"{label(new)}: help text or label only"
        return f"{label(new)} changed"
    if _does_nothing(old.reverse_code) and _does_nothing(new.reverse_code):
        step = "reverse step rewritten, still doing nothing"
    elif old.arg("reverse_code") is None:
        step = "reverse step added"
    elif new.arg("reverse_code") is None:
        step = "reverse step removed"
    else:
        step = "reverse step changed"
    # The forward function may call any other: unchanged only when no existing one changed.
    kept = all(name == "class Migration" or name.endswith(" added") for name in changed)
    forward = "; forward unchanged" if kept else ""
    return f"{label(new)}: {step}{forward}"


def _does_nothing(code: PythonCode | None) -> bool:
    return code is not None and code.noop


def _without_reverse(operation: Operation) -> dict[str, object]:
    """The operation's arguments but its reverse."""
    return {k: v for k, v in operation.args.items() if k != "reverse_code"}


def _new_dependencies(
    entry: Entry,
    old: MigrationFile,
    new: MigrationFile,
    added: set[tuple[str, str]],
    change: PathChange,
) -> list[Finding]:
    fresh = [k for k in new.dependencies if k not in old.dependencies and k in added]
    if not fresh:
        return []
    names = ", ".join(migration_id(k) for k in fresh)
    return [
        Finding(
            ImpactTag.OUT_OF_ORDER,
            f"released {migration_id(entry.key)} now depends on {names}, added in this range: "
            "databases that applied it raise InconsistentMigrationHistory on migrate",
            (change.path,),
            change.commits,
        )
    ]


def _why_clash(change: PathChange) -> str:
    """Why a new migration creates tables the base has: it shipped in a release of the range
    and was filled in later (a placeholder), else a likely cause."""
    shipped, history = change.first_release, change.history
    later = [c for c in change.commits if c != change.added_in]
    if (
        shipped is not None
        and history is not None
        and any(r != shipped for r in history.releases(later).values())
    ):
        return f"it shipped in {shipped} and was edited after"
    return "a squash whose `replaces` was removed, or a migration renamed"


def _apart_at_a_release(change: PathChange) -> bool:
    """True when git pairs as a rename, over the whole range, a file added in one commit and
    another deleted in a later one, with a release that shipped both between them (a placeholder
    squash shipped beside the migrations it later takes over): two migrations, not one."""
    history = change.history
    if history is None or change.old_path is None:
        return False
    renamed = history.renamed_from(change.path)
    if renamed is not None and renamed[1] == change.old_path:
        return False  # renamed in one commit
    added = history.added_in(change.path)
    deleted = next(iter(history.commits_touching(change.old_path)), None)
    if added is None or deleted is None or added == deleted:
        return False
    shipped = history.releases([added, deleted])
    return shipped[added] is not None and shipped[added] != shipped[deleted]


def _renamed(old: Entry, new: Entry, change: PathChange) -> Finding:
    return Finding(
        ImpactTag.MODIFIED_EXISTING_MIGRATION,
        f"{migration_id(old.key)} renamed to {migration_id(new.key)}: Django knows migrations "
        "by name, so databases that applied the old one run this one again",
        (change.path,),
        change.commits,
    )


def _conflicts(replay: Replay, apps: set[str], head: Project) -> list[Finding]:
    found = []
    # A migration harvester could not read leaves a hole in the graph: a leaf numbered before
    # it may only look like one (the unread file may depend on it).
    holes = [key for key, entry in head.by_key.items() if entry.hides_dependencies]
    for app, all_leaves in sorted(replay.plan.conflicts.items()):
        leaves = [n for n in all_leaves if not any(a == app and h > n for a, h in holes)]
        if app not in apps or len(leaves) < 2:
            continue
        paths = tuple(head.by_key[(app, n)].path for n in leaves if (app, n) in head.by_key)
        found.append(
            Finding(
                ImpactTag.MULTIPLE_HEADS,
                f"app {app} has {len(leaves)} leaf migrations ({', '.join(leaves)}): migrate "
                "stops with 'Conflicting migrations detected' until a merge migration joins them",
                paths,
            )
        )
    return found
