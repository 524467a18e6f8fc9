"""One migration system per SQL folder layout: the range's migrations in a folder, read, put in
execution order per dialect, and judged.

    -- db/migrations/000042_add_segment.up.sql
    ALTER TABLE segment ADD COLUMN parameters JSONB NOT NULL DEFAULT '{}';
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    SystemResult,
)
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.sql_layouts import history
from harvester.migrations.sql_layouts.dialects import (
    dialect_from_config,
    dialect_from_path,
    dialect_from_statements,
)
from harvester.migrations.sql_layouts.layouts import (
    NUMBERED,
    Layout,
    candidate_root,
    classify,
    migration_file,
)
from harvester.migrations.sql_layouts.naming import (
    MIGRATIONS_FOLDER,
    NOT_DEPLOYED,
    Direction,
    MigrationFile,
)
from harvester.migrations.sql_layouts.snapshots import (
    SchemaShape,
    drift_findings,
    shape_changes,
    shape_from_sql,
)
from harvester.model import ChangeKind, Finding, Migration, Problem, SchemaSnapshot


@dataclass
class Unit:
    """One migration (for one dialect): its up and down files at both ends of the range."""

    key: tuple[object, ...]
    dialect: ops.Dialect | None
    up: dict[Side, MigrationFile] = field(default_factory=dict)
    down: dict[Side, MigrationFile] = field(default_factory=dict)

    def file(self, side: Side) -> MigrationFile | None:
        return self.up.get(side) or self.down.get(side)

    @property
    def id(self) -> str:
        found = (
            self.up.get(Side.HEAD)
            or self.up.get(Side.BASE)
            or self.file(Side.HEAD)
            or self.file(Side.BASE)
        )
        return found.id if found else str(self.key)


class SqlFolderSystem:
    """The migrations of one SQL folder layout (golang-migrate, goose, Flyway, …)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.name = layout.name

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Folders whose changed files are named like this layout's migrations, and the
        migration folders that changed schema snapshots describe."""
        roots = {r for p in changed_paths if (r := candidate_root(self.layout, p)) is not None}
        roots.update(r for p in changed_paths if (r := _snapshot_root(p)) is not None)
        return [
            MigrationRoot(self.name, root)
            for root in sorted(roots)
            if not NOT_DEPLOYED.search(root)
        ]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, when the folder follows this layout."""
        if not self.owns(view, root.root):
            return SystemResult()
        files = {
            side: [
                f
                for p in view.tree(side, root.root)
                if (f := self.migration_file(p, root.root)) is not None
            ]
            for side in Side
        }
        changes = _changes_by_path(view.changes_under(posixpath.dirname(root.root)))
        units = [
            u
            for u in _units(files)
            if _touched(u, changes) and not self._moved_away(u, changes, root.root)
        ]
        snapshots = [
            p for p in self.snapshot_paths(view, root.root) if p in changes and changes[p].path == p
        ]
        if not units and not snapshots:
            return SystemResult()
        fallback = root.dialect or self.tree_dialect(view, root.root, units, changes)
        migrations: list[Migration] = []
        findings: list[Finding] = []
        parsed: list[ops.ParsedMigration] = []
        for dialect, members in _by_dialect(units, fallback).items():
            members.sort(key=lambda u: _sort_key(u.key))
            reader = _Reader(view, self.layout, changes, dialect)
            inputs = [reader.input(u) for u in members]
            parsed += [i.parsed for i in inputs if i.parsed is not None]
            migrations.extend(assemble(inputs, settings))
            findings += _out_of_order(self.name, dialect, members, files, changes)
        commits = {path: change.commits for path, change in changes.items()}
        findings += history.edit_findings(migrations, commits)
        summaries, drift = self.snapshots(
            view, root.root, [changes[p] for p in snapshots], fallback, parsed
        )
        findings += drift
        dialects = {m.dialect for m in migrations} or {fallback.value if fallback else None}
        single = (
            ops.Dialect(dialects.pop()) if len(dialects) == 1 and None not in dialects else None
        )
        return SystemResult(tuple(migrations), tuple(findings), tuple(summaries), single)

    def _moved_away(self, unit: Unit, changes: Mapping[str, PathChange], root: str) -> bool:
        """True when the range moved the unit's files into another folder of this layout,
        whose analysis reports them."""
        if unit.file(Side.HEAD) is not None:
            return False
        moved = [changes.get(f.path) for files in (unit.up, unit.down) for f in files.values()]
        return bool(moved) and all(
            c is not None
            and c.status is ChangeKind.RENAMED
            and candidate_root(self.layout, c.path) not in (None, root)
            for c in moved
        )

    # --- what a layout may refine -------------------------------------------------------------

    def owns(self, view: RepoView, root: str) -> bool:
        """True when the folder follows this layout (a numbered folder configured by hand need
        not look like a migration folder)."""
        found = classify(view, root)
        return found is self.layout or (found is None and self.layout is NUMBERED)

    def migration_file(self, path: str, root: str) -> MigrationFile | None:
        """`path` as one of this layout's migration files under `root`."""
        return migration_file(self.layout, path, root)

    def tree_dialect(
        self, view: RepoView, root: str, units: Sequence[Unit], changes: Mapping[str, PathChange]
    ) -> ops.Dialect | None:
        """The folder's dialect: folder names, then configuration, then the statements."""
        found = dialect_from_path(root)
        if found is not None:
            return found
        configured = dialect_from_config(view, root)
        if configured is not None:
            return configured[0]
        return dialect_from_statements(_up_texts(view, units))

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """Schema snapshots that describe this folder's database."""
        parent = posixpath.dirname(root)
        return [posixpath.join(parent, "schema.sql"), f"{root}/schema.sql", f"{root}/LATEST.sql"]

    def snapshot_shape(self, text: str, dialect: ops.Dialect | None) -> SchemaShape:
        """A snapshot's tables and columns."""
        return shape_from_sql(text, dialect)

    def snapshots(
        self,
        view: RepoView,
        root: str,
        changed: list[PathChange],
        dialect: ops.Dialect | None,
        parsed: list[ops.ParsedMigration],
    ) -> tuple[list[SchemaSnapshot], list[Finding]]:
        """Each changed snapshot's diff, and drift against the range's migrations."""
        summaries: list[SchemaSnapshot] = []
        findings: list[Finding] = []
        for change in changed:
            before = self.snapshot_shape(snapshot_text(view, Side.BASE, [change]), dialect)
            after = self.snapshot_shape(snapshot_text(view, Side.HEAD, [change]), dialect)
            summaries.append(
                SchemaSnapshot(
                    change.path, self.name, change.status, snapshot_changes(before, after, change)
                )
            )
            if change.status in (ChangeKind.MODIFIED, ChangeKind.RENAMED):
                findings += drift_findings(change.path, before, after, parsed, change.commits)
        return summaries, findings


def _snapshot_root(path: str) -> str | None:
    """The migration folder a snapshot describes: `db/schema.sql` -> `db/migrations` (dbmate's
    convention), `…/schema.sql` or `…/LATEST.sql` inside a migration folder -> that folder."""
    folder, name = posixpath.split(path)
    if name == "LATEST.sql":
        return folder
    if name != "schema.sql":
        return None
    if MIGRATIONS_FOLDER.search(posixpath.basename(folder) + "/"):
        return folder
    return posixpath.join(folder, "migrations")


def _changes_by_path(changes: Sequence[PathChange]) -> dict[str, PathChange]:
    """Changes by new and old path."""
    found = {c.path: c for c in changes}
    found.update({c.old_path: c for c in changes if c.old_path})
    return found


def _units(files: dict[Side, list[MigrationFile]]) -> list[Unit]:
    """Group files into migrations; a dialect-specific variant (pop) replaces the generic file
    for its dialect, and a generic file stands for every dialect without its own."""
    variants = {f.dialect for side in files.values() for f in side if f.dialect}
    grouped: dict[tuple[object, ...], dict[ops.Dialect | None, Unit]] = defaultdict(dict)
    for side, side_files in files.items():
        for found in side_files:
            unit = grouped[found.sort_key].setdefault(
                found.dialect, Unit(found.sort_key, found.dialect)
            )
            target = unit.down if found.direction is Direction.DOWN else unit.up
            target[side] = found
    units: list[Unit] = []
    for by_dialect in grouped.values():
        generic = by_dialect.get(None)
        if not variants:
            units.extend(by_dialect.values())
            continue
        for dialect in sorted(variants, key=lambda d: d.value):
            own = by_dialect.get(dialect)
            if own is None and generic is not None:
                own = Unit(generic.key, dialect, dict(generic.up), dict(generic.down))
            elif own is not None and generic is not None:
                own.up = own.up or dict(generic.up)
                own.down = own.down or dict(generic.down)
            if own is not None:
                units.append(own)
    return units


def _touched(unit: Unit, changes: dict[str, PathChange]) -> bool:
    paths = {f.path for files in (unit.up, unit.down) for f in files.values()}
    return any(p in changes for p in paths)


def _by_dialect(
    units: list[Unit], fallback: ops.Dialect | None
) -> dict[ops.Dialect | None, list[Unit]]:
    grouped: dict[ops.Dialect | None, list[Unit]] = defaultdict(list)
    for unit in units:
        grouped[unit.dialect or fallback].append(unit)
    return dict(grouped)


def _sort_key(key: tuple[object, ...]) -> tuple[str, ...]:
    """Keys of one tree share a shape; compare them as text of fixed-width numbers."""
    return tuple(_sortable(part) for part in key)


def _sortable(part: object) -> str:
    if isinstance(part, int):
        return f"{part:030d}"
    if isinstance(part, tuple):
        return "\x00".join(_sortable(p) for p in part)
    return str(part)


def snapshot_text(view: RepoView, side: Side, changes: Sequence[PathChange]) -> str:
    """The snapshot files' text at one end of the range (empty where a file is absent)."""
    texts = []
    for change in changes:
        path = change.old_path or change.path if side is Side.BASE else change.path
        texts.append(view.read(side, path).text or "")
    return "\n".join(texts)


def snapshot_changes(
    before: SchemaShape, after: SchemaShape, change: PathChange
) -> tuple[str, ...]:
    """A snapshot's diff; a snapshot the range adds or deletes is summarised as such."""
    if change.status is ChangeKind.ADDED:
        return (f"snapshot added: {len(after.tables)} tables",)
    if change.status is ChangeKind.DELETED:
        return ("snapshot deleted",)
    return shape_changes(before, after)


def _up_texts(view: RepoView, units: Sequence[Unit]) -> list[str]:
    texts = []
    for unit in units:
        for side in (Side.HEAD, Side.BASE):
            file = unit.up.get(side)
            if file is not None:
                source = view.read(side, file.path)
                if source.text is not None:
                    texts.append(source.text)
                    break
    return texts


def _out_of_order(
    system: str,
    dialect: ops.Dialect | None,
    units: list[Unit],
    files: dict[Side, list[MigrationFile]],
    changes: dict[str, PathChange],
) -> list[Finding]:
    released = [
        (f.id, _sort_key(f.sort_key))
        for f in files[Side.BASE]
        if f.direction is not Direction.DOWN
        and f.direction is not Direction.REPEATABLE
        and (f.dialect in (None, dialect))
    ]
    added = []
    for unit in units:
        up = unit.up.get(Side.HEAD)
        if up is None or Side.BASE in unit.up or up.direction is Direction.REPEATABLE:
            continue
        change = changes.get(up.path)
        if change is not None and change.status is ChangeKind.ADDED:
            added.append((unit.id, _sort_key(unit.key), up.path, change.commits))
    return history.out_of_order_findings(system, dialect, added, released)


class _Reader:
    """Reads a unit's files and turns them into an assembler input."""

    def __init__(
        self,
        view: RepoView,
        layout: Layout,
        changes: dict[str, PathChange],
        dialect: ops.Dialect | None,
    ) -> None:
        self.view = view
        self.layout = layout
        self.changes = changes
        self.dialect = dialect

    def input(self, unit: Unit) -> MigrationInput:
        side = Side.HEAD if unit.file(Side.HEAD) is not None else Side.BASE
        up = unit.up.get(side) or unit.down.get(side)
        assert up is not None
        down = unit.down.get(side)
        change = self._change(unit, side)
        path_change = self.changes.get(up.path)
        renamed = change is ChangeKind.RENAMED and path_change is not None
        released = (unit.file(Side.BASE) is not None or renamed) and change is not ChangeKind.ADDED
        parsed, problems = self._parsed(unit, side)
        found = MigrationInput(
            id=unit.id,
            path=up.path,
            system=self.layout.name,
            dialect=self.dialect,
            change=change,
            released=released,
            parsed=parsed,
            down_path=down.path if down else None,
            problems=problems,
            added_in=path_change.added_in if path_change else None,
            repeatable=up.direction is Direction.REPEATABLE,
        )
        if parsed is None or not released or change is ChangeKind.DELETED:
            return found
        if renamed and path_change is not None and path_change.old_path:
            unit = self._before_rename(unit)
            old = self.migration_file(path_change.old_path)
            found = dataclasses.replace(found, renamed_from=old.id if old else None)
        base_parsed, _ = self._parsed(unit, Side.BASE)
        if base_parsed is None:
            return found
        modification = history.edit_summary(base_parsed, parsed)
        return dataclasses.replace(found, base_parsed=base_parsed, modification=modification)

    def _change(self, unit: Unit, side: Side) -> ChangeKind:
        if side is Side.BASE:
            return ChangeKind.DELETED
        up = unit.up.get(side) or unit.file(side)
        assert up is not None
        change = self.changes.get(up.path)
        if change is not None and change.status is not ChangeKind.MODIFIED:
            return change.status
        return ChangeKind.MODIFIED

    def migration_file(self, path: str) -> MigrationFile | None:
        """`path` as a migration file of this layout, under the folder its name implies."""
        root = candidate_root(self.layout, path)
        return migration_file(self.layout, path, root) if root is not None else None

    def _before_rename(self, unit: Unit) -> Unit:
        """The unit with its files at the base taken from where renamed files came from."""
        before = Unit(unit.key, unit.dialect, dict(unit.up), dict(unit.down))
        for files in (before.up, before.down):
            current = files.get(Side.HEAD)
            change = self.changes.get(current.path) if current else None
            if current and change and change.status is ChangeKind.RENAMED and change.old_path:
                files[Side.BASE] = dataclasses.replace(current, path=change.old_path)
        return before

    def _parsed(
        self, unit: Unit, side: Side
    ) -> tuple[ops.ParsedMigration | None, tuple[Problem, ...]]:
        up = unit.up.get(side) or unit.down.get(side)
        if up is None:
            return None, ()
        source = self.view.read(side, up.path)
        if source.text is None:
            return None, (Problem(up.path, source.problem or "not parsed: unreadable"),)
        transactional = (
            up.transactional if up.transactional is not None else self.layout.default_transactional
        )
        if self.layout.sections is not None:
            return self._from_sections(unit, up, source.text)
        step, problems, _ = history.sql_step(source.text, self.dialect, up.path, 1, transactional)
        down_file = unit.down.get(side)
        down: ops.Step | None = None
        if down_file is not None:
            down_source = self.view.read(side, down_file.path)
            if down_source.text is None:
                problems += (Problem(down_file.path, down_source.problem or "unreadable"),)
            else:
                down, down_problems, _ = history.sql_step(
                    down_source.text, self.dialect, down_file.path, 1, transactional
                )
                problems += down_problems
        parsed = ops.ParsedMigration(
            unit.id,
            up.path,
            step,
            down=down,
            down_path=down_file.path if down_file else None,
            down_declared=down_file is not None or not self.layout.downs_by_design,
        )
        return parsed, problems

    def _from_sections(
        self, unit: Unit, file: MigrationFile, text: str
    ) -> tuple[ops.ParsedMigration, tuple[Problem, ...]]:
        assert self.layout.sections is not None
        sections = self.layout.sections(text)
        problems: tuple[Problem, ...] = ()
        up_step = ops.Step()
        if sections.up is None:
            problems += (Problem(file.path, f"no up section: {self.layout.name} runs nothing"),)
        else:
            up_step, found, _ = history.sql_step(
                sections.up.text,
                self.dialect,
                file.path,
                sections.up.first_line,
                sections.up.transactional,
            )
            problems += found
        down: ops.Step | None = None
        if sections.down is not None:
            down, found, _ = history.sql_step(
                sections.down.text,
                self.dialect,
                file.path,
                sections.down.first_line,
                sections.down.transactional,
            )
            problems += found
        parsed = ops.ParsedMigration(
            unit.id, file.path, up_step, down=down, down_declared=sections.down is not None
        )
        return parsed, problems
