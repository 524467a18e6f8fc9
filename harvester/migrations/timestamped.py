"""Migration folders whose files run in the order of a timestamp version (Rails, Ecto).

db/migrate/20250701161640_add_account_status.rb
priv/repo/migrations/20240105120000_add_vin_to_cars.exs

Both tools run every pending file in version order, remember versions (not contents) of what
ran, and never re-run an edited file. This module lists the range's changes to such a folder,
orders them, compares edited files with what was released, and reports out-of-order versions;
the system only supplies how one file is read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from harvester.analysis.wording import first_few
from harvester.migrations import treesitter
from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    Source,
)
from harvester.migrations.commands import Directions
from harvester.migrations.schema import describe, ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.model import ChangeKind, Finding, ImpactTag, Migration, Problem

if TYPE_CHECKING:
    from tree_sitter import Node

VersionOf = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Guard:
    """Up operations (by line) that run only where an object is missing (`unless
    column_exists?(:t, :c)`, `return if index_exists?(…)`): where the schema already has it,
    they do nothing. `kind` is "table", "column" or "index"; `name` is the column, or the
    index's name; `columns` the index's columns."""

    kind: str
    table: str
    written: str
    lines: frozenset[int] = frozenset()
    name: str | None = None
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """One migration file read: its operations, or why not; `fingerprint` of its syntax tree;
    `guards` over its up operations."""

    parsed: ops.ParsedMigration | None
    problem: Problem | None = None
    fingerprint: str | None = None
    guards: tuple[Guard, ...] = ()


def syntax_problem(root: Node, path: str, language: str) -> Reading | None:
    """A `Reading` for a file tree-sitter could not parse, with where; None when it parsed."""
    failure = treesitter.syntax_error(root)
    if failure is None:
        return None
    return Reading(None, Problem(path, f"not parsed: {language} {failure.message}", failure.line))


def read_directions(
    version: str,
    path: str,
    directions: Directions,
    notes: Sequence[str],
    fingerprint: str,
    guards: Sequence[Guard] = (),
) -> Reading:
    """The `Reading` of a timestamped migration from its two directions and notes."""
    parsed = ops.ParsedMigration(
        id=version,
        path=path,
        up=directions.up,
        down=directions.down,
        down_declared=directions.down_declared,
        down_is_noop=directions.down_is_noop,
        sort_key=(int(version),),
        notes=(*notes, *directions.notes),
        after_deploy=_POST_DEPLOYMENT.search(path) is not None,
    )
    return Reading(parsed, None, fingerprint, tuple(guards))


# Folders of migrations run after the deploy (GitLab's and Mastodon's `db/post_migrate`).
_POST_DEPLOYMENT = re.compile(r"(?:^|/)post_?(?:deploy(?:ment)?_?)?migrat\w*/")


ReadMigration = Callable[[str, str, str, "ops.Dialect | None"], Reading]
"""(text, path, version, dialect) -> Reading."""


@dataclass(frozen=True, slots=True)
class FolderResult:
    """The range's migrations of one folder, assembled, with the range findings."""

    migrations: tuple[Migration, ...]
    findings: tuple[Finding, ...]
    parsed: tuple[ops.ParsedMigration, ...]
    added: tuple[ops.ParsedMigration, ...] = ()


@dataclass(frozen=True, slots=True)
class _Renumbered:
    """A migration added in the range, shipped in a release of it, then given a new version."""

    old_version: str
    shipped_in: str
    renamed_in: str
    renamed_release: str | None


@dataclass(frozen=True, slots=True)
class _Entry:
    version: str
    change: PathChange
    item: MigrationInput
    renumbered: _Renumbered | None = None
    guards: tuple[Guard, ...] = ()


def analyse_folder(
    root: MigrationRoot,
    view: RepoView,
    settings: AnalysisSettings,
    version_of: VersionOf,
    read: ReadMigration,
    schema_file: Callable[[Side], Sequence[ops.Operation] | None] = lambda side: None,
) -> FolderResult:
    """Every migration of `root` the range changed, in version order, with findings.

    The schema at the base, when a migration needs it, comes from `schema_file` (the
    system's schema dump at a side), else from the released migrations replayed."""
    dialect = root.dialect
    base_paths = {v: p for p in view.tree(Side.BASE, root.root) if (v := version_of(p)) is not None}
    base_versions = sorted((int(v), v) for v in base_paths)
    newest_base = base_versions[-1][1] if base_versions else None
    entries: list[_Entry] = []
    for change in view.changes_under(root.root):
        entries += _entry(root, view, change, version_of, read, dialect, base_paths)
    # A file that took over a deleted file's version (a squash into an old timestamp) is
    # reported once, as that version's new content.
    kept = {e.version for e in entries if e.item.change is not ChangeKind.DELETED}
    entries = [
        e for e in entries if e.item.change is not ChangeKind.DELETED or e.version not in kept
    ]
    entries.sort(key=lambda e: (int(e.version), e.item.path))
    findings = _findings(root, entries, newest_base)

    @cache
    def base_schema() -> Sequence[ops.Operation]:
        dumped = schema_file(Side.BASE)
        if dumped is not None:
            return dumped
        return _replayed(root, view, read, base_paths, [v for _, v in base_versions])

    entries = _keys_found_by_target(entries, base_schema)
    entries = _drops_of_absent_objects(entries, schema_file)
    entries = _guarded_work_already_done(entries, schema_file)
    migrations = assemble([e.item for e in entries], settings, base_schema)
    parsed = tuple(
        e.item.parsed
        for e in entries
        if e.item.parsed is not None and e.item.change is not ChangeKind.DELETED
    )
    added = tuple(
        e.item.parsed
        for e in entries
        if e.item.parsed is not None and e.item.change is ChangeKind.ADDED
    )
    return FolderResult(migrations, tuple(findings), parsed, added)


def _keys_found_by_target(
    entries: list[_Entry], base_schema: Callable[[], Sequence[ops.Operation]]
) -> list[_Entry]:
    """Foreign keys a statement finds by the table they reference (Rails'
    `validate_foreign_key :from, :to`), named after the one key from `from` to `to` that the
    base or an earlier migration added, whatever its column."""
    if not any(_finds_by_target(op) for e in entries for op in _up(e)):
        return entries
    keys: dict[tuple[str, str], list[str]] = {}
    for op in base_schema():
        _note_foreign_keys(op, keys)
    found = []
    for entry in entries:
        resolved = []
        for op in _up(entry):
            if _finds_by_target(op):
                assert isinstance(op, (ops.ValidateConstraint, ops.DropConstraint))
                named = keys.get((op.table, op.ref_table or ""), [])
                op = replace(op, name=named[0]) if len(named) == 1 else op
            _note_foreign_keys(op, keys)
            resolved.append(op)
        found.append(_with_up(entry, resolved))
    return found


def _drops_of_absent_objects(
    entries: list[_Entry], schema_file: Callable[[Side], Sequence[ops.Operation] | None]
) -> list[_Entry]:
    """`remove_index …, if_exists: true` (and DROP … IF EXISTS) of a table or index that
    neither schema dump has and no earlier migration of the range creates: it does nothing,
    so it takes no lock and drops nothing."""
    if not any(_drops_if_exists(op) for e in entries for op in _up(e)):
        return entries
    dumps = [schema_file(side) for side in (Side.BASE, Side.HEAD)]
    if any(dump is None for dump in dumps):
        return entries  # without a complete dump at both ends, absence is not known
    known = {name for dump in dumps for op in dump or () for name in _created_names(op)}
    found = []
    for entry in entries:
        kept: list[ops.Operation] = []
        absent: list[str] = []
        operations = _up(entry)
        for at, op in enumerate(operations):
            known.update(_created_names(op))
            if _drops_if_exists(op) and not known & set(_dropped_names(op)):
                absent.append(_absent_drop_label(op, operations[at + 1 : at + 2]))
            else:
                kept.append(op)
        if absent:
            what = "it does" if len(absent) == 1 else "they do"
            note = (
                f"{first_few(absent)}: in neither schema file and created by no migration of "
                f"the range, so {what} nothing"
            )
            entry = _with_up(entry, kept, note)
        found.append(entry)
    return found


def _absent_drop_label(op: ops.Operation, following: Sequence[ops.Operation]) -> str:
    """A drop that only clears the way for creating the table anew (Rails' `create_table …,
    force: true`) reads as part of that create, not as a drop."""
    if (
        isinstance(op, ops.DropTable)
        and following
        and isinstance(following[0], ops.CreateTable)
        and following[0].table == op.table
    ):
        return f"dropping {op.table} before creating it anew"
    return describe.operation_label(op)


def _guarded_work_already_done(
    entries: list[_Entry], schema_file: Callable[[Side], Sequence[ops.Operation] | None]
) -> list[_Entry]:
    """Steps that run only where an object is missing (`unless column_exists?(…)`,
    `create_table …, if_not_exists: true`) do nothing on databases whose schema file at the
    base already has it: they take no lock, fill no rows and check no NOT NULL there. An
    object a migration of the range drops first is missing again by then."""
    if not any(e.guards or any(_own_guard(op) for op in _up(e)) for e in entries):
        return entries
    dump = schema_file(Side.BASE)
    if not dump:
        return entries
    existing = {key for op in dump for key in _object_keys(op)}
    found = []
    for entry in entries:
        own = [g for op in _up(entry) if (g := _own_guard(op)) is not None]
        guards = [*entry.guards, *own]
        skipped: dict[int, bool] = {}
        kept: list[ops.Operation] = []
        for op in _up(entry):
            covering = [i for i, g in enumerate(guards) if _covers(g, op)]
            for i in covering:
                skipped.setdefault(i, _guard_key(guards[i]) <= existing)
            if any(skipped[i] for i in covering):
                continue
            kept.append(op)
            existing -= _keys_gone(op, existing)
        done = dict.fromkeys(guards[i] for i, skip in skipped.items() if skip)
        if done:
            entry = _with_up(entry, kept, "; ".join(map(_already_done_note, done)))
        found.append(entry)
    return found


def _covers(guard: Guard, op: ops.Operation) -> bool:
    """Whether `op` is one of the steps `guard` skips: on one of its lines and on its table
    (the same lines run once per item of a loop, each with its own guard)."""
    index = getattr(op, "index", None)
    table = index.table if isinstance(index, ops.IndexDef) else getattr(op, "table", None)
    return getattr(op, "line", None) in guard.lines and table in (None, guard.table)


def _own_guard(op: ops.Operation) -> Guard | None:
    """The guard an operation carries itself (IF NOT EXISTS): the table's, with the indexes
    of its block (written on its line), or the column's or index's alone."""
    line = getattr(op, "line", None)
    if line is None:
        return None
    lines = frozenset({line})
    if isinstance(op, ops.CreateTable) and op.if_not_exists:
        return Guard("table", op.table, "IF NOT EXISTS", lines)
    if isinstance(op, ops.AddColumn) and op.if_not_exists:
        return Guard("column", op.table, "IF NOT EXISTS", lines, op.column.name)
    if isinstance(op, ops.CreateIndex) and op.index.if_not_exists and op.index.name:
        return Guard("index", op.index.table, "IF NOT EXISTS", lines, op.index.name)
    return None


def _object_keys(op: ops.Operation) -> set[tuple[str, ...]]:
    """The tables, columns and indexes an operation of a schema file creates."""
    if isinstance(op, ops.CreateTable):
        return {("table", op.table)} | {("column", op.table, c.name) for c in op.columns}
    if isinstance(op, ops.AddColumn):
        return {("column", op.table, op.column.name)}
    if isinstance(op, ops.CreateIndex):
        index = op.index
        keys = {("index on", index.table, *index.columns)}
        return keys | ({("index", index.table, index.name)} if index.name else set())
    return set()


def _guard_key(guard: Guard) -> set[tuple[str, ...]]:
    """What the schema must have for `guard` to skip its steps."""
    if guard.kind == "table":
        return {("table", guard.table)}
    if guard.kind == "column":
        return {("column", guard.table, guard.name or "")}
    keys = {("index on", guard.table, *guard.columns)} if guard.columns else set()
    return keys | ({("index", guard.table, guard.name)} if guard.name else set())


def _keys_gone(op: ops.Operation, existing: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The objects of `existing` that a drop or rename makes missing."""
    if isinstance(op, (ops.DropTable, ops.RenameTable)):
        table = op.table if isinstance(op, ops.DropTable) else op.old
        return {key for key in existing if key[1] == table}
    if isinstance(op, (ops.DropColumn, ops.RenameColumn)):
        column = op.column if isinstance(op, ops.DropColumn) else op.old
        return {key for key in existing if key[:3] == ("column", op.table, column)}
    if isinstance(op, (ops.DropIndex, ops.RenameIndex)):
        # Any index of the table may be the one it finds (by columns, or by a name).
        return {k for k in existing if k[0].startswith("index") and op.table in (None, k[1])}
    return set()


def _already_done_note(guard: Guard) -> str:
    what = {
        "table": f"table {guard.table}",
        "column": f"column {guard.table}.{guard.name}",
        "index": f"index {guard.name} on {guard.table}"
        if guard.name
        else f"an index on {guard.table}({', '.join(guard.columns)})",
    }[guard.kind]
    how = (
        "its IF NOT EXISTS makes it do nothing"
        if guard.written == "IF NOT EXISTS"
        else f"what `{guard.written}` guards does nothing"
    )
    return f"the schema file at the base already has {what}, so {how} on databases at the base"


def _drops_if_exists(op: ops.Operation) -> bool:
    return (
        isinstance(op, (ops.DropTable, ops.DropColumn, ops.DropIndex))
        and op.if_exists
        and op.table is not None
    )


def _created_names(op: ops.Operation) -> tuple[str, ...]:
    """Tables and indexes an operation creates (`index:<name>`, `table:<name>`)."""
    if isinstance(op, ops.CreateTable):
        return (f"table:{op.table}",)
    if isinstance(op, ops.RenameTable):
        return (f"table:{op.new}",)
    if isinstance(op, ops.CreateIndex):
        return (f"index:{describe.index_name(op.index)}", f"table:{op.index.table}")
    if isinstance(op, ops.RenameIndex):
        return (f"index:{op.new}",)
    if isinstance(op, (ops.AddColumn, ops.AddConstraint)):
        return (f"table:{op.table}",)
    return ()


def _dropped_names(op: ops.Operation) -> tuple[str, ...]:
    """What must exist for an IF EXISTS drop to do something."""
    if isinstance(op, ops.DropIndex):
        return (f"index:{op.name}",) if not op.columns else (f"table:{op.table}",)
    return (f"table:{getattr(op, 'table', '')}",)


def _up(entry: _Entry) -> tuple[ops.Operation, ...]:
    parsed = entry.item.parsed
    if parsed is None or entry.item.change is ChangeKind.DELETED:
        return ()
    return parsed.up.operations


def _with_up(entry: _Entry, operations: list[ops.Operation], note: str | None = None) -> _Entry:
    """`entry` with its up step's operations replaced (and a note added)."""
    parsed = entry.item.parsed
    if parsed is None or entry.item.change is ChangeKind.DELETED:
        return entry
    parsed = replace(parsed, up=replace(parsed.up, operations=tuple(operations)))
    if note is not None:
        parsed = _with_note(parsed, note)
    return replace(entry, item=replace(entry.item, parsed=parsed))


def _finds_by_target(op: ops.Operation) -> bool:
    return isinstance(op, (ops.ValidateConstraint, ops.DropConstraint)) and bool(op.ref_table)


def _note_foreign_keys(op: ops.Operation, keys: dict[tuple[str, str], list[str]]) -> None:
    """Keep `keys` ((table, referenced table) -> names) up to date with one operation."""
    if isinstance(op, ops.DropTable):
        for key in [k for k in keys if k[0] == op.table]:
            del keys[key]
    added = (
        [(op.table, c) for c in op.constraints]
        if isinstance(op, ops.CreateTable)
        else [(op.table, op.constraint)]
        if isinstance(op, ops.AddConstraint)
        else []
    )
    for table, constraint in added:
        fk = constraint.foreign_key
        name = constraint.name or (fk.name if fk is not None else None)
        if fk is not None and name is not None:
            keys.setdefault((table, fk.ref_table), []).append(name)
    if isinstance(op, ops.DropConstraint) and op.name is not None:
        for names in keys.values():
            if op.name in names:
                names.remove(op.name)


_MOST_REPLAYED = 2000


def _replayed(
    root: MigrationRoot,
    view: RepoView,
    read: ReadMigration,
    paths: Mapping[str, str],
    versions: Sequence[str],
) -> list[ops.Operation]:
    """The up operations of the migrations at the base, in version order (none past a few
    thousand files: a history that long has a schema dump to read instead)."""
    if len(versions) > _MOST_REPLAYED:
        return []
    tree = view.tree(Side.BASE, root.root)
    view.prefetch_blobs([tree[paths[v]].blob for v in versions])
    found: list[ops.Operation] = []
    for version in versions:
        path = paths[version]
        source = view.read_blob(tree[path].blob, path)
        if source.text is None:
            continue
        reading = read(source.text, path, version, root.dialect)
        if reading.parsed is not None:
            found += reading.parsed.up.operations
    return found


def released_since(
    root: MigrationRoot,
    view: RepoView,
    version_of: VersionOf,
    read: ReadMigration,
    since: str,
    limit: int = 500,
) -> list[ops.ParsedMigration]:
    """Migrations at head newer than `since` that the range left alone: what a lagging schema
    snapshot catches up on when it is regenerated (newest first, at most `limit`)."""
    changed = {c.path for c in view.changes_under(root.root)}
    candidates = sorted(
        (
            (int(version), path)
            for path in view.tree(Side.HEAD, root.root)
            if path not in changed
            and (version := version_of(path)) is not None
            and int(version) > int(since)
        ),
        reverse=True,
    )
    found = []
    for number, path in candidates[:limit]:
        source = view.read(Side.HEAD, path)
        if source.text is None:
            continue
        reading = read(source.text, path, str(number), root.dialect)
        if reading.parsed is not None:
            found.append(reading.parsed)
    return found


def _inside(root: str, path: str | None) -> bool:
    return path is not None and path.startswith(root.rstrip("/") + "/")


def _paths(change: PathChange) -> tuple[str | None, str | None]:
    """(path at base, path at head) of a change; a copy is new at head."""
    if change.status is ChangeKind.DELETED:
        return change.path, None
    if change.status is ChangeKind.ADDED or change.status is ChangeKind.COPIED:
        return None, change.path
    if change.status is ChangeKind.RENAMED:
        return change.old_path, change.path
    return change.path, change.path


def _entry(
    root: MigrationRoot,
    view: RepoView,
    change: PathChange,
    version_of: VersionOf,
    read: ReadMigration,
    dialect: ops.Dialect | None,
    base_paths: Mapping[str, str],
) -> list[_Entry]:
    old_path, new_path = _paths(change)
    # A migration moved between two migrations folders of the system (an engine or app folder
    # renamed) keeps its version: the new folder reports it as moved, the old one not at all.
    moved = (
        old_path is not None
        and new_path is not None
        and version_of(old_path) is not None
        and version_of(old_path) == version_of(new_path)
        and _inside(root.root, old_path) != _inside(root.root, new_path)
    )
    if moved and not _inside(root.root, new_path):
        return []
    old_path = old_path if _inside(root.root, old_path) or moved else None
    new_path = new_path if _inside(root.root, new_path) else None
    old_version = version_of(old_path) if old_path else None
    new_version = version_of(new_path) if new_path else None
    taken_over = None
    if old_path is None and new_version is not None and new_version in base_paths:
        # A new file under a version the base already has: databases that ran that version
        # record it as done and skip this file, as if the old one had been edited.
        old_path = taken_over = base_paths[new_version]
        old_version = new_version
    if new_path is None or new_version is None:
        if old_path is None or old_version is None:
            return []
        return [_Entry(old_version, change, _deleted(root, change, old_path, old_version, dialect))]
    head = view.read(Side.HEAD, new_path)
    if head.text is None:
        return [_Entry(new_version, change, _unreadable(root, change, new_path, new_version, head))]
    reading = read(head.text, new_path, new_version, dialect)
    released = old_path is not None and old_version is not None
    status = change.status if released else ChangeKind.ADDED
    if taken_over is not None:
        status = ChangeKind.MODIFIED
    format_only: bool | None = None
    modification: str | None = None
    parsed = reading.parsed
    if released and old_path is not None and old_version is not None:
        base = view.read(Side.BASE, old_path)
        before = read(base.text, old_path, old_version, dialect) if base.text else None
        format_only, modification = _compare(before, reading)
        if moved and before is not None and _same_operations(before, reading):
            # Moved with its module renamed (`Domain.Repo…` -> `Portal.Repo…`): the same steps.
            format_only, modification = True, None
        if taken_over is not None:
            format_only = False
            modification = (
                f"takes over version {new_version} from {posixpath.basename(taken_over)}"
                + (f"; {modification}" if modification else "")
            )
        if parsed is not None and old_version == new_version:
            # Databases that ran it skip it: what its code does (a `force:`, a raising down)
            # is no news; Data Impact says what the edit changed.
            parsed = replace(parsed, notes=(), up=replace(parsed.up, notes=()))
        if old_version != new_version and not _same_operations(before, reading):
            # git paired two different migrations by likeness: one went, another came.
            gone = replace(change, status=ChangeKind.DELETED)
            return [
                _Entry(old_version, gone, _deleted(root, gone, old_path, old_version, dialect)),
                *_entry(
                    root,
                    view,
                    replace(change, old_path=None, status=ChangeKind.ADDED),
                    version_of,
                    read,
                    dialect,
                    {},
                ),
            ]
        if old_version != new_version:
            format_only = False
            if parsed is not None:
                parsed = _with_note(
                    parsed,
                    f"version changed from {old_version} to {new_version}: databases that ran "
                    f"{old_version} will run this migration again",
                )
    item = MigrationInput(
        id=new_version,
        path=new_path,
        system=root.system,
        dialect=dialect,
        change=status,
        released=released,
        parsed=parsed,
        problems=(reading.problem,) if reading.problem else (),
        format_only=format_only,
        modification=modification,
        added_in=None if moved else change.added_in,
        first_release=None if moved else change.first_release,
        renamed_from=old_version if old_version != new_version else None,
    )
    shipped = (
        None if released else _shipped_under_another_version(root, change, new_version, version_of)
    )
    if shipped is not None:
        item = _renumbered(item, shipped)
    return [_Entry(new_version, change, item, shipped, reading.guards)]


def _shipped_under_another_version(
    root: MigrationRoot, change: PathChange, version: str, version_of: VersionOf
) -> _Renumbered | None:
    """How a file the range added got its version: renamed from another version that a
    release of the range already shipped (None: it was not)."""
    history = change.history
    if history is None:
        return None
    renamed = history.renamed_from(change.path)
    if renamed is None:
        return None
    commit, old_path = renamed
    old_version = version_of(old_path) if _inside(root.root, old_path) else None
    if old_version is None or old_version == version:
        return None
    shipped = history.first_release(old_path)
    renamed_release = history.releases([commit]).get(commit)
    if shipped is None or shipped == renamed_release:
        return None  # no release carried the old version
    return _Renumbered(old_version, shipped, commit, renamed_release)


def _renumbered(item: MigrationInput, shipped: _Renumbered) -> MigrationInput:
    """`item` as the migration its new version is: added by the rename, first released with
    it, and run a second time by databases that ran the old version."""
    note = (
        f"renamed from version {shipped.old_version} in {shipped.renamed_in[:7]}, after "
        f"{shipped.old_version} shipped in {shipped.shipped_in}: databases that ran "
        f"{shipped.shipped_in} ran it as {shipped.old_version} and run it again as {item.id}"
    )
    parsed = _with_note(item.parsed, note) if item.parsed is not None else None
    return replace(
        item,
        parsed=parsed,
        added_in=shipped.renamed_in,
        first_release=shipped.renamed_release,
        renamed_from=shipped.old_version,
    )


def _same_operations(before: Reading | None, after: Reading) -> bool:
    """True when two readings run the same up operations (a file renamed to a new version)."""
    if before is None or before.parsed is None or after.parsed is None:
        return False
    return before.parsed.up.operations == after.parsed.up.operations


def _compare(before: Reading | None, after: Reading) -> tuple[bool | None, str | None]:
    """(format_only, what changed) for a released file edited in the range."""
    if before is None or before.parsed is None or after.parsed is None:
        return False, None
    if before.fingerprint is not None and before.fingerprint == after.fingerprint:
        return True, None
    old, new = before.parsed, after.parsed
    if (old.up, old.down) == (new.up, new.down):
        return False, "code edited; its schema operations are unchanged"
    if _unguarded(old.up) == _unguarded(new.up):
        if _guards(new.up) > _guards(old.up):
            return False, "now guarded with IF [NOT] EXISTS so it can run again; same operations"
        if _guards(new.up) < _guards(old.up):
            return False, "IF [NOT] EXISTS guards removed; same operations"
    gone = _facts(old.up) - _facts(new.up)
    added = _facts(new.up) - _facts(old.up)
    parts = []
    if added:
        parts.append("now also " + "; ".join(sorted(added)))
    if gone:
        parts.append("no longer " + "; ".join(sorted(gone)))
    if not parts:
        # Steps that run only in some branches (a rescue) are notes: compare them too.
        gone_notes = [n for n in old.up.notes if n not in new.up.notes]
        new_notes = [n for n in new.up.notes if n not in old.up.notes]
        parts += [f"now also {n}" for n in new_notes[:2]]
        parts += [f"no longer {n}" for n in gone_notes[:2]]
    if not parts:
        changed_down = old.down != new.down or old.down_declared != new.down_declared
        parts.append(
            "its down step changed" if changed_down else "options of its operations changed"
        )
    return False, ", ".join(parts)


def _unguarded(step: ops.Step) -> tuple[object, ...]:
    """The step's operations with IF [NOT] EXISTS guards cleared, for comparison."""
    return tuple(_without_guard(op) for op in step.operations)


def _without_guard(op: ops.Operation) -> object:
    for name in ("if_not_exists", "if_exists"):
        if getattr(op, name, False):
            op = replace(op, **{name: False})  # type: ignore[arg-type]
    if isinstance(op, ops.CreateIndex) and op.index.if_not_exists:
        op = replace(op, index=replace(op.index, if_not_exists=False))
    return op


def _guards(step: ops.Step) -> int:
    return sum(
        bool(getattr(op, "if_not_exists", False) or getattr(op, "if_exists", False))
        or (isinstance(op, ops.CreateIndex) and op.index.if_not_exists)
        for op in step.operations
    )


def _facts(step: ops.Step) -> set[str]:
    found: set[str] = set()
    for operation in step.operations:
        texts = [change.text for change in describe.table_changes(operation)]
        if not texts and isinstance(operation, ops.DataChange):
            texts = [operation.detail or f"changes rows of {operation.table}"]
        if not texts and isinstance(operation, ops.Opaque):
            texts = [operation.summary]
        found.update(texts)
    return found


def _with_note(parsed: ops.ParsedMigration, note: str) -> ops.ParsedMigration:
    return replace(parsed, notes=(*parsed.notes, note))


def _deleted(
    root: MigrationRoot,
    change: PathChange,
    old_path: str,
    version: str,
    dialect: ops.Dialect | None,
) -> MigrationInput:
    notes: tuple[str, ...] = ()
    if change.status is not ChangeKind.DELETED:
        # A `…migrations` folder outside the system's layout may be one the project's
        # configuration points the tool at (Ecto's `priv: "test_priv/repo"`).
        runs = "no longer run"
        if posixpath.dirname(change.path).endswith("migrations"):
            runs = "it runs there only if the project's configuration names that folder"
        notes = (f"moved to {change.path}, outside {root.root}: {runs}",)
    placeholder = ops.ParsedMigration(version, old_path, ops.Step(), notes=notes)
    return MigrationInput(
        id=version,
        path=old_path,
        system=root.system,
        dialect=dialect,
        change=ChangeKind.DELETED,
        released=True,
        parsed=placeholder,
        # It was there at base: the commit that added the path it moved to is not its origin.
        added_in=None,
        first_release=None,
    )


def _unreadable(
    root: MigrationRoot,
    change: PathChange,
    path: str,
    version: str,
    source: Source,
) -> MigrationInput:
    reason = source.problem or "not parsed: unreadable"
    return MigrationInput(
        id=version,
        path=path,
        system=root.system,
        dialect=root.dialect,
        change=change.status if change.status is not ChangeKind.COPIED else ChangeKind.ADDED,
        released=change.status not in (ChangeKind.ADDED, ChangeKind.COPIED),
        problems=(Problem(path, reason),),
        added_in=change.added_in,
        first_release=change.first_release,
    )


_FOLDED_LATE = 3


def _findings(
    root: MigrationRoot, entries: Sequence[_Entry], newest_base: str | None
) -> list[Finding]:
    findings: list[Finding] = []
    late = [
        e
        for e in entries
        if newest_base is not None and not e.item.released and int(e.version) < int(newest_base)
    ]
    if len(late) >= _FOLDED_LATE:
        # A long-lived branch merged at once (mastodon): one line, not one per migration.
        findings.append(
            Finding(
                ImpactTag.OUT_OF_ORDER,
                f"{len(late)} migrations in {root.root} have versions older than {newest_base} "
                f"already at the base ({first_few([e.version for e in late])}): databases "
                "migrated to the base run them after newer migrations, and a fresh database "
                "runs them before",
                tuple(e.item.path for e in late),
                _commits(late),
            )
        )
    else:
        findings += [
            Finding(
                ImpactTag.OUT_OF_ORDER,
                f"{e.item.path} has version {e.version}, older than {newest_base} already at "
                "the base: databases migrated to the base run it after newer migrations, and a "
                "fresh database runs it before them",
                (e.item.path,),
                e.change.commits,
            )
            for e in late
        ]
    # (a file moved unchanged is not reformatted: Migration Status says it moved)
    reformatted = [
        e for e in entries if e.item.format_only and e.item.change is ChangeKind.MODIFIED
    ]
    if reformatted:
        findings.append(
            Finding(
                ImpactTag.FORMAT_ONLY_CHANGE,
                f"{_count(len(reformatted), 'released migration')} in {root.root} reformatted "
                "(comments, layout or the same values spelled differently): no effect on any "
                "database",
                tuple(e.item.path for e in reformatted),
                _commits(reformatted),
            )
        )
    edited = [
        e
        for e in entries
        if e.item.released
        and e.item.change is not ChangeKind.DELETED
        and not e.item.format_only
        and e.item.problems == ()
        and not _version_changed(e)
    ]
    if edited:
        findings.append(
            Finding(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"{_count(len(edited), 'released migration')} in {root.root} edited: databases "
                "that already ran the old text keep it, fresh databases get the new one",
                tuple(e.item.path for e in edited),
                _commits(edited),
            )
        )
    findings += [
        Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"released migration {e.item.renamed_from} renamed to {e.version} ({e.item.path}): "
            f"databases that ran {e.item.renamed_from} run it again as {e.version}"
            f"{_fails_again(e)}",
            (e.item.path,),
            e.change.commits,
        )
        for e in entries
        if e.item.released and _version_changed(e)
    ]
    findings += [
        Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"version {e.renumbered.old_version} of {e.item.path} shipped in "
            f"{e.renumbered.shipped_in} and was renamed to {e.version} in "
            f"{e.renumbered.renamed_in[:7]}: databases that ran {e.renumbered.shipped_in} "
            f"keep {e.renumbered.old_version} as run, with no file, and run the migration "
            f"again as {e.version}",
            (e.item.path,),
            e.change.commits,
        )
        for e in entries
        if e.renumbered is not None
    ]
    deleted = [e for e in entries if e.item.change is ChangeKind.DELETED]
    if deleted:
        findings.append(
            Finding(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"{_count(len(deleted), 'released migration')} removed from {root.root}: "
                "databases keep their changes; a fresh database now depends on the schema "
                "file or the remaining migrations",
                tuple(e.item.path for e in deleted),
                _commits(deleted),
            )
        )
    return findings


def _version_changed(entry: _Entry) -> bool:
    """A released migration the range gave a new version (its file renamed)."""
    return entry.item.renamed_from not in (None, entry.version)


def _fails_again(entry: _Entry) -> str:
    """`, and it fails there: …` when the first step of the migration that cannot run
    twice is unguarded, or nothing (unread code before it may prepare the way)."""
    parsed = entry.item.parsed
    for op in parsed.up.operations if parsed is not None else ():
        if (isinstance(op, ops.Opaque) and op.raw) or _drops_if_exists(op):
            return ""  # (a drop IF EXISTS, Rails' `force: true`, clears the way)
        guarded = _own_guard(op) is not None or any(_covers(g, op) for g in entry.guards)
        why = None if guarded else _already_there(op)
        if why is not None:
            return f", and it fails there: {why}"
    return ""


def _already_there(op: ops.Operation) -> str | None:
    """Why `op` fails on a database where it already ran, or None."""
    if isinstance(op, ops.AddColumn):
        return f"{op.table}.{op.column.name} exists"
    if isinstance(op, ops.CreateTable) and not op.may_exist:
        return f"table {op.table} exists"
    if isinstance(op, ops.CreateIndex) and op.index.name:
        return f"index {op.index.name} exists"
    if isinstance(op, ops.RenameColumn):
        return f"{op.table}.{op.old} is gone"
    if isinstance(op, ops.RenameTable):
        return f"table {op.old} is gone"
    if isinstance(op, ops.DropColumn) and not op.if_exists:
        return f"{op.table}.{op.column} is gone"
    if isinstance(op, ops.DropTable) and not op.if_exists:
        return f"table {op.table} is gone"
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _commits(entries: Sequence[_Entry]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for e in entries for c in e.change.commits))
