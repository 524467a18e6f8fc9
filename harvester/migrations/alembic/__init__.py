"""Alembic migrations: revision files in a `versions/` folder (or `main_versions/`, a plugin's
`migrations/`, or any folder an `alembic.ini` names in `version_locations`).

revision = "3f2a1b"
down_revision = "9c8d7e"

def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255), nullable=False))

def downgrade():
    op.drop_column("user", "email")

Each folder is one chain, read with `ast` and ordered by `down_revision`; several folders (one
per environment, ini section or plugin) are several roots.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from harvester.migrations import engines
from harvester.migrations.alembic.changes import RevisionChanges
from harvester.migrations.alembic.locations import declared_folders
from harvester.migrations.alembic.revisions import LOOKS_LIKE_REVISION
from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    Source,
    SystemResult,
)
from harvester.migrations.schema.assemble import assemble
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts.dialects import dialect_named
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED
from harvester.model import ChangeKind

# A revision in `versions/` (or `main_versions/`, `versions_dev/`: one folder per chain), in a
# folder per engine inside it (`versions/postgresql/`, set by `version_locations`), or in a
# plugin's `migrations/`.
_CANDIDATE = re.compile(
    r"(?:^|/)(?:(?:[\w-]+_)?versions(?:_[\w-]+)?/(?:[^/]+/)?|migrations/)"
    r"(?!__init__\.py$|env\.py$)[^/]+\.py$"
)
# A file a revision folder holds revisions in, once the folder is known.
_REVISION_FILE = re.compile(r"(?:^|/)(?!__init__\.py$|env\.py$)[^/]+\.py$")
_REVISION_ID = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*['"]([^'"\n]+)['"]""", re.MULTILINE)
_DIALECT_IMPORTS = {
    "postgresql": Dialect.POSTGRESQL,
    "mysql": Dialect.MYSQL,
    "sqlite": Dialect.SQLITE,
    "mssql": Dialect.SQLSERVER,
}


class AlembicSystem:
    """SQLAlchemy's Alembic (also Flask-Migrate)."""

    name = "alembic"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `versions` folder (or engine folder inside one, or `migrations` folder) with a
        changed Python file, test and example trees left out; whether its files are revisions
        is decided when they are read."""
        roots = {
            posixpath.dirname(p)
            for p in changed_paths
            if _CANDIDATE.search(p) and not NOT_DEPLOYED.search(p)
        }
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def declared_roots(self, view: RepoView) -> Sequence[MigrationRoot]:
        """Each folder an `alembic.ini` (at base or head) names in `version_locations` that
        holds a changed Python file: names the paths alone do not reveal (`model/networking`)."""
        changed = {
            posixpath.dirname(p)
            for c in view.changes()
            for p in (c.path, c.old_path)
            if p and _REVISION_FILE.search(p) and not NOT_DEPLOYED.search(p)
        }
        # the ini sits above the revision folders named as such, which loaded this system
        named = {f for f in changed if _CANDIDATE.search(f"{f}/x.py")}
        if not named:
            return []
        declared = declared_folders(view, changed, near=named)
        return [MigrationRoot(self.name, f) for f in sorted(declared)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's revisions under `root`, in chain order."""
        moves = _moves(view)
        moved_out = {c.path for c in moves.values()}
        changes = [
            _as_move(c, moves)
            for c in view.changes_under(root.root)
            if _in_folder(c, root.root)
            and not (c.status is ChangeKind.DELETED and c.path in moved_out)
        ]
        texts = _texts(view, Side.HEAD, root.root)
        # A changed file that is not Python still belongs here when the folder holds revisions.
        if not any(_looks_like_revision(view, c) for c in changes) and not any(
            LOOKS_LIKE_REVISION.search(source.text or "") for source in texts.values()
        ):
            return SystemResult()
        evidence = _engine(root, view, texts)
        result = RevisionChanges(view, root.root, evidence, self.name).analyse(changes, texts)
        return SystemResult(
            migrations=assemble(result.inputs, settings, result.base_operations),
            findings=result.findings,
            dialect=evidence.dialect,
        )


def _moves(view: RepoView) -> dict[str, PathChange]:
    """Revision files the range deleted and added again with the same `revision` id (the id
    is what Alembic knows a migration by), keyed by the new path: a folder moved and the file
    edited after, so that git no longer pairs the two as a rename."""
    deleted = _revision_files(view, ChangeKind.DELETED)
    if not deleted:
        return {}
    gone: dict[str, PathChange] = {}
    for change in deleted:
        revision = _revision_id(view.read(Side.BASE, change.path))
        if revision is not None:
            gone.setdefault(revision, change)
    moved: dict[str, PathChange] = {}
    for change in _revision_files(view, ChangeKind.ADDED):
        revision = _revision_id(view.read(Side.HEAD, change.path))
        if revision in gone:
            moved[change.path] = gone.pop(revision)
    return moved


def _revision_files(view: RepoView, kind: ChangeKind) -> list[PathChange]:
    """The range's changes of this kind to files that may be revisions."""
    return [
        c
        for c in view.changes()
        if c.status is kind and _CANDIDATE.search(c.path) and not NOT_DEPLOYED.search(c.path)
    ]


def _as_move(change: PathChange, moves: dict[str, PathChange]) -> PathChange:
    """An added revision file that `_moves` paired with a deleted one, as the rename it is."""
    old = moves.get(change.path)
    if change.status is not ChangeKind.ADDED or old is None:
        return change
    return replace(change, status=ChangeKind.RENAMED, old_path=old.path, old_blob=old.old_blob)


def _revision_id(source: Source) -> str | None:
    match = _REVISION_ID.search(source.text or "")
    return match.group(1) if match else None


def _in_folder(change: PathChange, folder: str) -> bool:
    paths = [change.path] + ([change.old_path] if change.old_path else [])
    return any(posixpath.dirname(p) == folder and _REVISION_FILE.search(p) for p in paths)


def _looks_like_revision(view: RepoView, change: PathChange) -> bool:
    side, path = (Side.BASE, change.path) if change.new_blob is None else (Side.HEAD, change.path)
    source = view.read(side, path)
    if source.text is None:
        return True  # unreadable: reported if the folder holds revisions at all
    return bool(LOOKS_LIKE_REVISION.search(source.text))


def _texts(view: RepoView, side: Side, folder: str) -> dict[str, Source]:
    """Every Python file directly in `folder`, read."""
    return {
        path: view.read_blob(item.blob, path)
        for path, item in view.tree(side, folder).items()
        if posixpath.dirname(path) == folder and _REVISION_FILE.search(path)
    }


def _engine(
    root: MigrationRoot, view: RepoView, texts: dict[str, Source]
) -> engines.EngineEvidence:
    """The engine: given with the root, else named by config files (alembic.ini, settings),
    else by the dialect modules the revisions import."""
    if root.dialect is not None:
        return engines.EngineEvidence(root.dialect)
    folder_dialect = dialect_named(posixpath.basename(root.root))
    if folder_dialect is not None:
        return engines.EngineEvidence(folder_dialect)
    evidence = engines.engines_in_sources(
        engines.config_sources(view, near=root.root), "config files"
    )
    if evidence.dialect is not None:
        return evidence
    imported: Counter[Dialect] = Counter()
    for source in texts.values():
        for name, dialect in _DIALECT_IMPORTS.items():
            if re.search(rf"dialects(?:\.|\s+import\s+){name}\b", source.text or ""):
                imported[dialect] += 1
    found = engines.decide(imported, "revisions importing SQLAlchemy dialects")
    if found.dialect is not None:
        return engines.EngineEvidence(
            found.dialect,
            found.others,
            found.note
            or f"no engine in the config files; judged for {found.dialect.value} "
            "because revisions import its SQLAlchemy dialect",
        )
    return engines.EngineEvidence(
        None, note="no database engine found in the config files: judged for PostgreSQL first"
    )


SYSTEM = AlembicSystem()
