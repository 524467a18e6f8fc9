"""The `RepoView` migration systems read through, backed by batched git calls."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence

from harvester.gitsource.blobs import BlobReader
from harvester.gitsource.runner import GitRepo
from harvester.gitsource.trees import list_files
from harvester.migrations.base import PathChange, Side, Source, TreeFile
from harvester.migrations.text import source_from_bytes


class _Listing:
    """The files under one folder at one commit, sorted, so any subfolder is a slice."""

    def __init__(self, files: dict[str, TreeFile]) -> None:
        self.files = files
        self.paths = sorted(files)
        self.folders: dict[str, dict[str, TreeFile]] = {}

    def under(self, folder: str) -> dict[str, TreeFile]:
        if not folder:
            return self.files
        if folder not in self.folders:
            prefix = _prefix(folder)
            # "0" is the character after "/": the slice holds exactly the paths under prefix.
            low = bisect_left(self.paths, prefix)
            high = bisect_left(self.paths, prefix[:-1] + "0", low)
            self.folders[folder] = {p: self.files[p] for p in self.paths[low:high]}
        return self.folders[folder]


class GitView:
    """The repository at the range's two commits: listings by `ls-tree`, text by `cat-file`.

    Folder listings are cached per side; `prefetch` lists many folders in one call per side,
    and a listed folder answers for every folder inside it.
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
        self._listed: dict[Side, dict[str, _Listing]] = {s: {} for s in Side}

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
            wanted = [f for f in dict.fromkeys(folders) if self._covering(side, f) is None]
            if not wanted:
                continue
            entries = list_files(self._repo, self._commits[side], wanted)
            files = {path: TreeFile(path, blob, mode) for path, mode, blob in entries}
            listing = _Listing(files)
            for folder in wanted:
                self._listed[side][folder] = _Listing(listing.under(folder))

    def _covering(self, side: Side, folder: str) -> _Listing | None:
        listed = self._listed[side]
        if folder in listed:
            return listed[folder]
        for parent, listing in listed.items():
            if not parent or folder.startswith(_prefix(parent)):
                return listing
        return None

    def tree(self, side: Side, folder: str) -> Mapping[str, TreeFile]:
        """Every file under `folder` at `side`, recursively."""
        listing = self._covering(side, folder)
        if listing is None:
            self.prefetch([folder])
            listing = self._listed[side][folder]
        return listing.under(folder)

    def read(self, side: Side, path: str) -> Source:
        """The text of `path` at `side`."""
        blob = self._blobs.read(f"{self._commits[side]}:{path}")
        if blob.missing:
            return Source(path, None, "not parsed: file not found at this commit")
        return source_from_bytes(path, blob.data, blob.size, self._max)

    def prefetch_blobs(self, blobs: Collection[str]) -> None:
        """Load these blobs in one exchange with git, ahead of `read_blob`."""
        self._blobs.read_many(blobs)

    def read_blob(self, blob: str, path: str) -> Source:
        """The text of a blob, named `path` in problems."""
        found = self._blobs.read(blob)
        if found.missing:
            return Source(path, None, "not parsed: object missing from the repository")
        return source_from_bytes(path, found.data, found.size, self._max)


def _prefix(folder: str) -> str:
    return folder.rstrip("/") + "/" if folder else ""
