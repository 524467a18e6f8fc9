"""One migration system per SQL folder layout: the range's migrations in a folder, read, put in
execution order per dialect, and judged.

    -- db/migrations/000042_add_segment.up.sql
    ALTER TABLE segment ADD COLUMN parameters JSONB NOT NULL DEFAULT '{}';
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping, Sequence
from functools import partial

from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    SystemResult,
)
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import assemble
from harvester.migrations.sql_layouts import atlas, history, reference
from harvester.migrations.sql_layouts.dialects import (
    dialect_from_config,
    dialect_from_path,
    dialect_from_statements,
)
from harvester.migrations.sql_layouts.layouts import (
    GOOSE,
    NUMBERED,
    Layout,
    candidate_root,
    classify,
    identity,
    migration_file,
)
from harvester.migrations.sql_layouts.naming import (
    CQL,
    ENGINE_SUFFIX,
    MANIFEST,
    MIGRATIONS_FOLDER,
    TEMPLATE,
    Direction,
    MigrationFile,
    deployed_roots,
    in_sample_apps,
    references_app,
)
from harvester.migrations.sql_layouts.reader import ReleasedMoves, UnitReader
from harvester.migrations.sql_layouts.snapshots import (
    SchemaShape,
    drift_findings,
    shape_changes,
    shape_from_sql,
)
from harvester.migrations.sql_layouts.units import (
    Unit,
    by_dialect,
    group_units,
    out_of_order,
    sort_key,
    touched,
)
from harvester.model import (
    ChangeKind,
    Finding,
    ImpactTag,
    Migration,
    Problem,
    SchemaSnapshot,
)


class SqlFolderSystem:
    """The migrations of one SQL folder layout (golang-migrate, goose, Flyway, …)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.name = layout.name

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Folders whose changed files are named like this layout's migrations, and the
        migration folders that changed schema snapshots describe."""
        sql_paths = [
            p
            for p in changed_paths
            if p[-4:].lower() == ".sql"
            or p.endswith(TEMPLATE)
            or ENGINE_SUFFIX.search(p)
            or (self.layout is GOOSE and p.endswith(".go"))
        ]
        roots = {r for p in sql_paths if (r := candidate_root(self.layout, p)) is not None}
        roots.update(r for p in sql_paths if (r := _snapshot_root(p)) is not None)
        return deployed_roots(self.name, roots)

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, when the folder follows this layout."""
        if not self.owns(view, root.root) or _sample_app(view, root.root):
            return SystemResult()
        files = {side: self.side_files(view, side, root.root) for side in Side}
        changes = _changes_by_path(view.changes_under(posixpath.dirname(root.root)))
        left, arrived, moves = self._relocations(view)
        units = [
            u
            for u in group_units(files)
            if touched(u, changes)
            and not self._moved_away(u, changes, root.root)
            and not _gone_elsewhere(self.layout, u, root.root, arrived)
        ]
        snapshots = [
            p
            for p in self.snapshot_paths(view, root.root)
            if p in changes and changes[p].path == p and self._describes(view, root.root, p)
        ]
        if not units and not snapshots:
            return SystemResult()
        fallback = root.dialect or self.tree_dialect(view, root.root, units, changes)
        about = None if root in settings.extra_roots else self._not_run(view, root.root)
        if about is not None:
            return self._reference_snapshot(view, root.root, changes, fallback, about)
        migrations: list[Migration] = []
        findings: list[Finding] = []
        parsed: list[ops.ParsedMigration] = []
        released_here = [u for u in group_units(files) if u.file(Side.BASE)]
        released = by_dialect(
            self._released(view, root.root, files, changes, (left, moves), fallback), fallback
        )
        writes_downs = any(f.direction is Direction.DOWN for side in Side for f in files[side])
        for dialect, members in by_dialect(units, fallback).items():
            members.sort(key=lambda u: sort_key(u.key))
            reader = UnitReader(view, self.layout, changes, dialect, writes_downs, left, moves)
            inputs = [reader.input(u) for u in members]
            parsed += [i.parsed for i in inputs if i.parsed is not None]
            at_base = sorted(released.get(dialect, []), key=lambda u: sort_key(u.key))
            migrations.extend(
                _template_not_read(m)
                for m in assemble(inputs, settings, partial(reader.operations_at_base, at_base))
            )
            findings += out_of_order(self.name, dialect, members, files, changes)
        commits = {path: change.commits for path, change in changes.items()}
        findings += history.edit_findings(migrations, commits)
        if not files[Side.HEAD] and len(units) == len(released_here):
            findings += self._tree_removed(view, root.root, migrations, changes)
        summaries, drift = self.snapshots(
            view, root.root, [changes[p] for p in snapshots], fallback, parsed
        )
        # Drift means "no migration explains it": with no migration file this layout can read
        # at the head (schema pushed without migrations, another tool's layout, or a folder
        # the range moved away), it cannot.
        if files[Side.HEAD]:
            findings += drift
        dialects = {m.dialect for m in migrations} or {fallback.value if fallback else None}
        single = (
            ops.Dialect(dialects.pop()) if len(dialects) == 1 and None not in dialects else None
        )
        return SystemResult(tuple(migrations), tuple(findings), tuple(summaries), single)

    def _not_run(self, view: RepoView, root: str) -> str | None:
        """What the folder's SQL is when no migration runner reads it (an Atlas desired
        schema, reference DDL beside code migrations), or None."""
        if atlas.desired_state(view, root):
            return (
                "Atlas desired schema: no database runs it, atlas migrate diff writes "
                "migrations from it"
            )
        beside = reference.code_migrations_above(view, root) if self.layout is NUMBERED else None
        if beside is not None:
            return (
                f"reference SQL: the runner of {beside}/ reads only the code migrations there, "
                "and none of them names this folder, so its files are applied by hand if at all"
            )
        return None

    def _reference_snapshot(
        self,
        view: RepoView,
        root: str,
        changes: Mapping[str, PathChange],
        dialect: ops.Dialect | None,
        about: str,
    ) -> SystemResult:
        """A folder of SQL no runner reads, as one snapshot of all its files: what it says, and
        its table-level diff."""
        paths = sorted(
            {p for side in Side for p in view.tree(side, root) if self.migration_file(p, root)}
        )
        changed = [changes[p] for p in paths if p in changes]
        if not changed:
            return SystemResult()
        files = [PathChange(p, None, ChangeKind.MODIFIED, None, None) for p in paths]
        change = _group_change(view, files, changed[0])
        # Each file is read as its own statements: one may not end its last with a semicolon.
        texts = {side: "\n;\n".join(snapshot_text(view, side, [f]) for f in files) for side in Side}
        before = self.snapshot_shape(texts[Side.BASE], dialect)
        after = self.snapshot_shape(texts[Side.HEAD], dialect)
        edited = len({c.path for c in changed})
        about = f"{edited} file{'s' * (edited != 1)} changed; {about}"
        summary = SchemaSnapshot(
            root, self.name, change.status, (about, *snapshot_changes(before, after, change))
        )
        return SystemResult(snapshots=(summary,), dialect=dialect)

    def _relocations(self, view: RepoView) -> tuple[Relocations, Relocations, ReleasedMoves]:
        """Migrations of this layout the range took away from a path (deleted, or renamed
        away) and brought to one (added, or renamed in), by id and dialect: a folder split per
        dialect moves `V5.x.mysql.up.sql` to `mysql/V5.x.up.sql`, and git may pair the moved
        files by likeness across dialects. Also where git moved each released file, and the
        contents of the released files the range moved or deleted."""
        left: Relocations = {}
        arrived: Relocations = {}
        moves = ReleasedMoves({}, {})
        for change in view.changes():
            if change.status is ChangeKind.DELETED or change.old_path:
                old_path = change.old_path or change.path
                if self._place(old_path, left):
                    moves.remember(change)
            if change.status is not ChangeKind.DELETED:
                self._place(change.path, arrived)
        return left, arrived, moves

    def _released(
        self,
        view: RepoView,
        root: str,
        files: dict[Side, list[MigrationFile]],
        changes: Mapping[str, PathChange],
        relocated: tuple[Relocations, ReleasedMoves],
        dialect: ops.Dialect | None,
    ) -> list[Unit]:
        """The migrations databases at the base ran, as the base holds them: this folder's,
        and those of the folders the range moved this folder's migrations from (a tree moved
        from `db/postgresql/migrations/` to `prisma/migrations/` starts from the old tree's
        schema)."""
        at_base = list(files[Side.BASE])
        here = {identity(self.layout, f) for f in at_base}
        for old_root in self._moved_from(root, files[Side.HEAD], changes, relocated, dialect):
            at_base += [
                f
                for p in view.tree(Side.BASE, old_root)
                if (f := self.migration_file(p, old_root)) is not None
                and identity(self.layout, f) not in here
            ]
        return [u for u in group_units({Side.BASE: at_base}) if u.file(Side.BASE)]

    def _moved_from(
        self,
        root: str,
        head_files: Sequence[MigrationFile],
        changes: Mapping[str, PathChange],
        relocated: tuple[Relocations, ReleasedMoves],
        dialect: ops.Dialect | None,
    ) -> set[str]:
        """The other folders of this layout whose released migrations the range moved here
        with their ids (and, when their names say a dialect, that of this folder)."""
        folders = set()
        for file in head_files:
            change = changes.get(file.path)
            if change is None or change.status is ChangeKind.MODIFIED:
                continue
            left, moves = relocated
            moved = change.old_path if change.status is ChangeKind.RENAMED else None
            moved = moved or left.get((identity(self.layout, file), file.dialect or dialect))
            moved = moved or moves.contents.get(change.new_blob or "")
            old_root = candidate_root(self.layout, moved) if moved else None
            if moved is None or old_root is None or old_root == root:
                continue
            old = self.migration_file(moved, old_root)
            same_id = old is not None and identity(self.layout, old) == identity(self.layout, file)
            if same_id and dialect_from_path(old_root) in (None, dialect):
                folders.add(old_root)
        return folders

    def _tree_removed(
        self,
        view: RepoView,
        root: str,
        migrations: Sequence[Migration],
        changes: Mapping[str, PathChange],
    ) -> list[Finding]:
        """One finding for a tree the range deleted whole (a dialect dropped), in place of a
        "released migration edited" line per migration."""
        gone = [m for m in migrations if m.change is ChangeKind.DELETED and m.released]
        if not gone or len(gone) < len(migrations):
            return []
        ids = list(dict.fromkeys(m.id for m in gone))
        label = gone[0].database_label
        extras = self.removed_with_tree(view, root, changes)
        also = f" with its {' and '.join(extras)}" if extras else ""
        span = f"{ids[0]} … {ids[-1]}" if len(ids) > 1 else ids[0]
        paths = tuple(m.path for m in gone)
        commits = tuple(dict.fromkeys(sha for p in paths for sha in changes[p].commits))
        return [
            Finding(
                ImpactTag.MODIFIED_EXISTING_MIGRATION,
                f"the {label} tree in {root}/ was removed{also}: "
                f"{len(ids)} released migrations ({span}); databases that ran them get no "
                "further migrations from it",
                paths,
                commits,
            )
        ]

    def _place(self, path: str, into: Relocations) -> bool:
        """Record an up file by id and dialect; True for any migration file of this layout."""
        root = candidate_root(self.layout, path)
        found = self.migration_file(path, root) if root is not None else None
        if found is None:
            return False
        if found.direction is not Direction.DOWN:
            into[(identity(self.layout, found), found.dialect or dialect_from_path(root or ""))] = (
                path
            )
        return True

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

    def _describes(self, view: RepoView, root: str, snapshot: str) -> bool:
        """False when the snapshot belongs to a schema tool's version folders beside it
        (`<keyspace>/schema.sql` beside `<keyspace>/versioned/v0.7/manifest.json`), not to
        this folder."""
        if self.layout.family == "versioned" or view.tree(Side.HEAD, root):
            return True
        parent = posixpath.dirname(snapshot)
        return not any(
            posixpath.basename(p) == MANIFEST
            and posixpath.dirname(posixpath.dirname(posixpath.dirname(p))) == parent
            for p in view.tree(Side.HEAD, parent)
        )

    def owns(self, view: RepoView, root: str) -> bool:
        """True when the folder follows this layout (a numbered folder configured by hand need
        not look like a migration folder)."""
        found = classify(view, root)
        return found is self.layout or (found is None and self.layout is NUMBERED)

    def migration_file(self, path: str, root: str) -> MigrationFile | None:
        """`path` as one of this layout's migration files under `root`."""
        return migration_file(self.layout, path, root)

    def side_files(self, view: RepoView, side: Side, root: str) -> list[MigrationFile]:
        """This layout's migration files under `root` at one end of the range."""
        return [f for p in view.tree(side, root) if (f := self.migration_file(p, root)) is not None]

    def tree_dialect(
        self, view: RepoView, root: str, units: Sequence[Unit], changes: Mapping[str, PathChange]
    ) -> ops.Dialect | None:
        """The folder's dialect: folder names, then configuration, then the statements, then
        those of the sibling folders of this layout when they agree (`sql/migrations/<db>/`
        trees of one project, some of whose files show no engine's peculiarities)."""
        found = dialect_from_path(root)
        if found is not None:
            return found
        configured = dialect_from_config(view, root)
        if configured is not None:
            return configured[0]
        return dialect_from_statements(_up_texts(view, units)) or self._siblings_dialect(view, root)

    def _siblings_dialect(self, view: RepoView, root: str) -> ops.Dialect | None:
        """The one dialect the statements of this folder's other files and of its sibling
        folders of this layout show, or None when they show none or several."""
        parent = posixpath.dirname(root)
        if not MIGRATIONS_FOLDER.search(parent + "/"):
            return None
        folders: dict[str, list[str]] = {}
        for path in sorted(view.tree(Side.HEAD, parent)):
            folder = posixpath.dirname(path)
            if posixpath.dirname(folder) != parent or len(folders.get(folder, ())) >= _SAMPLE:
                continue
            found = self.migration_file(path, folder)
            if found is not None and found.direction is not Direction.DOWN:
                folders.setdefault(folder, []).append(path)
        shown = set()
        for folder, paths in folders.items():
            texts = [t for p in paths if (t := view.read(Side.HEAD, p).text) is not None]
            dialect = dialect_from_path(folder) or dialect_from_statements(texts)
            if dialect is not None:
                shown.add(dialect)
        return shown.pop() if len(shown) == 1 else None

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """Schema snapshots that describe this folder's database."""
        parent = posixpath.dirname(root)
        return [posixpath.join(parent, "schema.sql"), f"{root}/schema.sql", f"{root}/LATEST.sql"]

    def removed_with_tree(
        self, view: RepoView, root: str, changes: Mapping[str, PathChange]
    ) -> list[str]:
        """What went with a deleted tree besides its migrations: its schema snapshot."""
        snapshots = [p for p in self.snapshot_paths(view, root) if view.read(Side.BASE, p).text]
        gone = snapshots and all(view.read(Side.HEAD, p).text is None for p in snapshots)
        return ["schema"] if gone else []

    def snapshot_shape(self, text: str, dialect: ops.Dialect | None) -> SchemaShape:
        """A snapshot's tables and columns."""
        return shape_from_sql(text, dialect)

    def snapshot_groups(
        self, view: RepoView, root: str, changed: list[PathChange]
    ) -> list[tuple[str, list[PathChange]]]:
        """The snapshots to summarise, each a path and the files read for it (one each here)."""
        return [(change.path, [change]) for change in changed]

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
        for path, files in self.snapshot_groups(view, root, changed):
            change = next(c for c in changed if c in files or c.path.startswith(path))
            if len(files) > 1:
                change = _group_change(view, files, change)
            before = self.snapshot_shape(snapshot_text(view, Side.BASE, files), dialect)
            after = self.snapshot_shape(snapshot_text(view, Side.HEAD, files), dialect)
            changes = snapshot_changes(before, after, change)
            summaries.append(SchemaSnapshot(path, self.name, change.status, changes))
            if change.status in (ChangeKind.MODIFIED, ChangeKind.RENAMED):
                commits = tuple(sha for c in changed for sha in c.commits)
                findings += drift_findings(path, before, after, parsed, commits)
        return summaries, findings


def _template_not_read(migration: Migration) -> Migration:
    """A migration written as a Go template, as not read. Edited after release, it may run
    again: the program that renders its folder may force golang-migrate back to run the folder
    on every start, which the files do not say. Cassandra's CQL is not read either."""
    if migration.path.lower().endswith(CQL):
        problem = Problem(migration.path, "not read: Cassandra CQL migration")
        return dataclasses.replace(migration, parsed=False, problems=(problem, *migration.problems))
    if not migration.path.endswith(TEMPLATE):
        return migration
    impacts = tuple(
        dataclasses.replace(
            i,
            detail=(
                "already released migration edited (its template changed; harvester does not "
                "read it): databases past its version do not run it again, unless the "
                "program forces golang-migrate to run the folder on every start"
            ),
        )
        if i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION
        and i.detail.startswith("already released migration edited")
        else i
        for i in migration.data_impact
    )
    problem = Problem(migration.path, "not read: Go template of a golang-migrate migration")
    return dataclasses.replace(
        migration, parsed=False, problems=(problem, *migration.problems), data_impact=impacts
    )


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


# Files read per folder when a folder's engine is judged from its siblings'
_SAMPLE = 12

Relocations = dict[tuple[object, "ops.Dialect | None"], str]


def _gone_elsewhere(layout: Layout, unit: Unit, root: str, arrived: Relocations) -> bool:
    """A migration deleted here that the range brought to another path (same identity and
    dialect, in this folder or another): the new path reports it."""
    if unit.file(Side.HEAD) is not None:
        return False
    base = unit.up.get(Side.BASE)
    if base is None:
        return False
    dialect = base.dialect or dialect_from_path(root)
    elsewhere = arrived.get((identity(layout, base), dialect))
    return elsewhere is not None and elsewhere != base.path


def _group_change(view: RepoView, files: Sequence[PathChange], changed: PathChange) -> PathChange:
    """How a snapshot split over several files changed as a whole: added only when none of
    them was there at the base, deleted only when none is left (a schema split into more
    files, or merged back, is modified)."""
    present = {side: any(view.read(side, f.path).text is not None for f in files) for side in Side}
    status = (
        ChangeKind.ADDED
        if not present[Side.BASE]
        else ChangeKind.DELETED
        if not present[Side.HEAD]
        else ChangeKind.MODIFIED
    )
    return dataclasses.replace(changed, status=status)


def _sample_app(view: RepoView, root: str) -> bool:
    """True when the tree belongs to one of several sample apps in a `references/` folder."""
    app = references_app(root)
    folder = posixpath.dirname(app) if app else None
    return folder is not None and any(
        in_sample_apps(view.tree(side, folder), root) for side in Side
    )


def _changes_by_path(changes: Sequence[PathChange]) -> dict[str, PathChange]:
    """Changes by new and old path."""
    found = {c.path: c for c in changes}
    found.update({c.old_path: c for c in changes if c.old_path})
    return found


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
        tables = len(after.tables)
        return (
            "snapshot added: 1 table"
            if tables == 1
            else f"snapshot added: {tables or 'no'} tables",
        )
    if change.status is ChangeKind.DELETED:
        return ("snapshot deleted",)
    return shape_changes(before, after)


def _up_texts(view: RepoView, units: Sequence[Unit]) -> list[str]:
    """The SQL of the units' up files; goose's Go migrations are code, not SQL (their
    comments quote names in backticks), and say nothing of the engine."""
    texts = []
    for unit in units:
        for side in (Side.HEAD, Side.BASE):
            file = unit.up.get(side)
            if file is not None and not file.path.endswith(".go"):
                source = view.read(side, file.path)
                if source.text is not None:
                    texts.append(source.text)
                    break
    return texts
