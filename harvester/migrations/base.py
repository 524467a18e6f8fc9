"""The protocol every migration system implements, and the read-only view of the repository
that systems analyse through.

A system is a module under `harvester/migrations/` exposing one object with:

- `name`: the id used in the report (`"django"`, `"prisma"`, …);
- `find_roots(changed_paths)`: the migration folders (and schema snapshots) the range touches,
  decided from paths alone, so that systems a range does not touch cost nothing;
- `analyse(root, view, settings)`: the migrations of that root the range added, modified,
  deleted or renamed, as report `Migration` records (built with `schema.assemble`), plus range
  findings and schema-snapshot summaries.

Systems never call git: `RepoView` hands them the range's changes, folder listings at either
end of the range and decoded file text, all read from git objects.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from harvester.migrations.schema.ops import Dialect
from harvester.model import ChangeKind, Finding, Migration, SchemaSnapshot


class Side(str, Enum):
    """An end of the range."""

    BASE = "base"
    HEAD = "head"


@dataclass(frozen=True, slots=True)
class TreeFile:
    """A file in a tree at one end of the range."""

    path: str
    blob: str
    mode: str


class RangeHistory(Protocol):
    """Which of the range's commits touched a path: read from the log, which may still be
    streaming while migrations are analysed (asking waits for it)."""

    def commits_touching(self, path: str) -> tuple[str, ...]:
        """The range's commits that touched `path`, newest first."""
        ...

    def added_in(self, path: str) -> str | None:
        """The newest commit of the range that added `path`."""
        ...

    def first_release(self, path: str) -> str | None:
        """The first release tag that contains the commit adding `path`."""
        ...

    def renamed_from(self, path: str) -> tuple[str, str] | None:
        """The commit of the range that renamed a file to `path`, and its path before."""
        ...

    def releases(self, shas: Sequence[str]) -> Mapping[str, str | None]:
        """The first release tag of each commit (None: not released)."""
        ...


@dataclass(frozen=True, slots=True)
class PathChange:
    """A path of the range diff, as migration systems see it.

    `commits` are the range's commits that touched the path (newest first); `added_in` is the
    newest commit that added it, when the range added it. Both come from the range's history
    and wait for the log the first time they are read.
    """

    path: str
    old_path: str | None
    status: ChangeKind
    old_blob: str | None
    new_blob: str | None
    history: RangeHistory | None = field(default=None, compare=False, repr=False)

    @property
    def commits(self) -> tuple[str, ...]:
        """The range's commits that touched this path, newest first."""
        return self.history.commits_touching(self.path) if self.history else ()

    @property
    def added_in(self) -> str | None:
        """The newest commit that added this path, when the range added it."""
        if self.history is None or self.status not in (
            ChangeKind.ADDED,
            ChangeKind.RENAMED,
            ChangeKind.COPIED,
        ):
            return None
        return self.history.added_in(self.path)

    @property
    def first_release(self) -> str | None:
        """The first release tag that shipped this path's addition (None: none yet, or the
        range did not add it)."""
        if self.added_in is None or self.history is None:
            return None
        return self.history.first_release(self.path)


@dataclass(frozen=True, slots=True)
class Source:
    """A file's text at one end of the range, or why it cannot be read as text."""

    path: str
    text: str | None
    problem: str | None = None

    @property
    def readable(self) -> bool:
        """True when `text` holds the file's content."""
        return self.text is not None


class RepoView(Protocol):
    """Read-only access to the repository at both ends of the range."""

    def changes(self) -> Sequence[PathChange]:
        """Every path the range diff changed."""
        ...

    def changes_under(self, folder: str) -> Sequence[PathChange]:
        """Changed paths under `folder` (either the new or the old path)."""
        ...

    def tree(self, side: Side, folder: str) -> Mapping[str, TreeFile]:
        """Every file under `folder` at `side`, recursively, keyed by full path."""
        ...

    def read(self, side: Side, path: str) -> Source:
        """The text of `path` at `side`; `problem` says why not (absent, binary, too large)."""
        ...

    def read_blob(self, blob: str, path: str) -> Source:
        """The text of a blob; `path` names it in problems."""
        ...

    def prefetch_blobs(self, blobs: Collection[str]) -> None:
        """Load these blobs in one batch ahead of `read_blob` (a hint: reading works without)."""
        ...


@dataclass(frozen=True, slots=True)
class MigrationRoot:
    """A folder of migrations (or a schema snapshot) that one system owns."""

    system: str
    root: str
    dialect: Dialect | None = None


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """Options that change how migrations are judged: target engines and their versions."""

    engine_versions: Mapping[Dialect, str] = field(default_factory=dict)
    extra_roots: tuple[MigrationRoot, ...] = ()


@dataclass(frozen=True, slots=True)
class SystemResult:
    """What one system found under one root."""

    migrations: tuple[Migration, ...] = ()
    findings: tuple[Finding, ...] = ()
    snapshots: tuple[SchemaSnapshot, ...] = ()
    dialect: Dialect | None = None


class MigrationSystem(Protocol):
    """The protocol of a migration system module."""

    name: str

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Roots this system owns among the range's changed paths (paths only, no reading)."""
        ...

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, with facts, impacts and findings."""
        ...


def same_text(view: RepoView, old_path: str, new_path: str) -> bool:
    """True when a file at the base and its version at the head differ only in whitespace."""
    old, new = view.read(Side.BASE, old_path).text, view.read(Side.HEAD, new_path).text
    return old is not None and new is not None and old.split() == new.split()
