"""The `RepoView` migration systems read through, backed by batched git calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harvester.gitsource.blobs import BlobReader
from harvester.gitsource.runner import GitRepo
from harvester.gitsource.trees import list_files
from harvester.migrations.base import PathChange, Side, Source, TreeFile
from harvester.migrations.text import source_from_bytes


class GitView:
    """The repository at the range's two commits: listings by `ls-tree`, text by `cat-file`.

    Folder listings are cached per side; `prefetch` lists many folders in one call per side.
    """

    def __init__(
        self,
        repo: GitRepo,
        commits: Mapping[Side, str],
        changes: Sequence[PathChange],
        blobs: BlobReader,
        max_bytes: int,
    ) -> None:
        self._repo = repo
        self._commits = dict(commits)
        self._changes = tuple(changes)
        self._blobs = blobs
        self._max = max_bytes
        self._listed: dict[Side, dict[str, dict[str, TreeFile]]] = {s: {} for s in Side}

    def changes(self) -> Sequence[PathChange]:
        """Every path the range diff changed."""
        return self._changes

    def changes_under(self, folder: str) -> Sequence[PathChange]:
        """Changed paths under `folder` (by new or old path)."""
        prefix = _prefix(folder)
        return tuple(
            c
            for c in self._changes
            if c.path.startswith(prefix) or (c.old_path or "").startswith(prefix)
        )

    def prefetch(self, folders: Sequence[str]) -> None:
        """List many folders at both ends of the range in one git call per side."""
        for side in Side:
            wanted = [f for f in dict.fromkeys(folders) if not self._cached(side, f)]
            if not wanted:
                continue
            entries = list_files(self._repo, self._commits[side], wanted)
            for folder in wanted:
                prefix = _prefix(folder)
                self._listed[side][folder] = {
                    e.path: TreeFile(e.path, e.blob, e.size or 0, e.mode)
                    for e in entries
                    if e.path.startswith(prefix)
                }

    def _cached(self, side: Side, folder: str) -> dict[str, TreeFile] | None:
        listed = self._listed[side]
        if folder in listed:
            return listed[folder]
        for parent, files in listed.items():
            if folder.startswith(_prefix(parent)) or not parent:
                prefix = _prefix(folder)
                return {p: f for p, f in files.items() if p.startswith(prefix)}
        return None

    def tree(self, side: Side, folder: str) -> Mapping[str, TreeFile]:
        """Every file under `folder` at `side`, recursively."""
        cached = self._cached(side, folder)
        if cached is None:
            self.prefetch([folder])
            cached = self._listed[side][folder]
        return cached

    def read(self, side: Side, path: str) -> Source:
        """The text of `path` at `side`."""
        blob = self._blobs.read(f"{self._commits[side]}:{path}")
        if blob.missing:
            return Source(path, None, "not parsed: file not found at this commit")
        return source_from_bytes(path, blob.data, blob.size, self._max)

    def read_blob(self, blob: str, path: str) -> Source:
        """The text of a blob, named `path` in problems."""
        found = self._blobs.read(blob)
        if found.missing:
            return Source(path, None, "not parsed: object missing from the repository")
        return source_from_bytes(path, found.data, found.size, self._max)


def _prefix(folder: str) -> str:
    return folder.rstrip("/") + "/" if folder else ""
