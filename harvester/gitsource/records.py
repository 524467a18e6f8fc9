"""What the git source hands to the rest of harvester: frozen records, nothing lazy."""

from __future__ import annotations

from dataclasses import dataclass

NULL_SHA = "0" * 40


@dataclass(frozen=True, slots=True)
class PathStat:
    """One path of a diff (a commit's, or the range's): git's raw and numstat lines joined.

    `additions`/`deletions` are None for binary files and for files whose blobs the clone
    lacks (`contents_missing`: the change is read from the trees alone); blobs are None on the
    missing side.
    """

    path: str
    old_path: str | None
    status: str
    similarity: int | None
    additions: int | None
    deletions: int | None
    old_blob: str | None
    new_blob: str | None
    old_mode: str
    new_mode: str
    contents_missing: bool = False

    @property
    def binary(self) -> bool:
        """True when git counted no lines because the content is binary."""
        return self.additions is None and not self.contents_missing


@dataclass(frozen=True, slots=True)
class LoggedCommit:
    """One commit of the range with the paths it touched (merges touch none)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    subject: str
    body: str
    paths: tuple[PathStat, ...]

    @property
    def is_merge(self) -> bool:
        """True for a commit with more than one parent."""
        return len(self.parents) > 1
