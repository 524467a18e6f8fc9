"""The range's history per path, filled while the log streams, so migration analysis can run
beside it and wait only when it asks which commits touched a file."""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Callable, Mapping, Sequence

from harvester.errors import HarvesterError
from harvester.gitsource.records import LoggedCommit


class HistoryUnavailable(HarvesterError):
    """The log failed, so no commit history can be given (the log's own error is reported)."""


# Names the first release tag of each commit, in one batch (see `gitsource.tags`).
ReleaseNamer = Callable[[Sequence[str]], Mapping[str, str | None]]
# The merges that added each file of a folder (see `gitsource.log.merge_adders`).
MergeAdders = Callable[[str], Mapping[str, str]]


# Up to this many commits, the first release question names the whole range with it.
_NAMED_WITH_THE_RANGE = 20_000


class LogHistory:
    """Which commits touched and added each path, and which release first shipped a commit;
    readers wait until the log is complete."""

    def __init__(
        self, name_releases: ReleaseNamer | None = None, merge_adders: MergeAdders | None = None
    ) -> None:
        self._done = threading.Event()
        self._touched: dict[str, list[str]] = {}
        self._added: dict[str, str] = {}
        self._other_adds: dict[str, list[str]] = {}
        self._renamed_from: dict[str, tuple[str, str]] = {}
        self._deleted: dict[str, str] = {}
        self._seen = 0
        self._position: dict[str, int] = {}
        self._merge_adders = merge_adders
        self._by_merge: dict[str, Mapping[str, str]] = {}
        self._failure: BaseException | None = None
        self._name_releases = name_releases
        self._releases: dict[str, str | None] = {}
        self._releases_lock = threading.Lock()

    def record(self, commit: LoggedCommit) -> None:
        """Take one commit of the log (newest first)."""
        self._position[commit.sha] = self._seen
        self._seen += 1
        for stat in commit.paths:
            if stat.status == "D":
                self._deleted.setdefault(stat.path, commit.sha)
            self._touched.setdefault(stat.path, []).append(commit.sha)
            added = stat.status in ("A", "R", "C")
            if added and self._added.setdefault(stat.path, commit.sha) != commit.sha:
                self._other_adds.setdefault(stat.path, []).append(commit.sha)
            if stat.status == "R" and stat.old_path:
                self._renamed_from.setdefault(stat.path, (commit.sha, stat.old_path))

    def complete(self) -> None:
        """The log has ended: release every reader."""
        self._done.set()

    def fail(self, error: BaseException) -> None:
        """The log failed: readers raise instead of waiting forever."""
        self._failure = error
        self._done.set()

    def added_then_deleted(self) -> dict[str, tuple[str, str]]:
        """Paths the range added and later deleted for good (a rename is not a deletion): each
        with the commit that first added it and the one that deleted it last."""
        self._wait()
        found = {}
        for path, deleted in self._deleted.items():
            newest = self._through_renames(path)
            if newest is not None and self._position[newest] > self._position[deleted]:
                found[path] = ((self.other_additions(path) or [newest])[-1], deleted)
        return found

    def other_additions(self, path: str) -> list[str]:
        """Older commits of the range that added `path` too, newest first: a file deleted and
        restored (a revert), or added on two lines of history (a squash-merged branch whose
        own commits were merged as well)."""
        self._wait()
        return self._other_adds.get(path, [])

    def commits_touching(self, path: str) -> tuple[str, ...]:
        """The range's commits that touched `path`, newest first."""
        self._wait()
        return tuple(self._touched.get(path, ()))

    def added_in(self, path: str) -> str | None:
        """The newest commit of the range that added `path` (through renames, the commit that
        added the file it was renamed from): an ordinary commit, else a merge that brought it
        in (a file renamed while resolving the merge), asked of git once per folder."""
        self._wait()
        found = self._through_renames(path)
        if found is not None or self._merge_adders is None:
            return found
        folder = posixpath.dirname(path)
        with self._releases_lock:
            if folder not in self._by_merge:
                self._by_merge[folder] = self._merge_adders(folder)
        return self._by_merge[folder].get(path)

    def _through_renames(self, path: str) -> str | None:
        """The newest commit of the range that added `path`, or the file it was renamed
        from."""
        found = self._added.get(path)
        seen = {path}
        # A file renamed in the range was added where it came from (a folder or name change).
        while found is not None and self._renamed_from.get(path, ("", ""))[0] == found:
            path = self._renamed_from[path][1]
            if path in seen or path not in self._added:
                break
            seen.add(path)
            found = self._added[path]
        return found

    def former_paths(self, path: str) -> list[str]:
        """`path` and the paths the file had before the range's renames, newest first."""
        paths = [path]
        while (renamed := self.renamed_from(paths[-1])) is not None and renamed[1] not in paths:
            paths.append(renamed[1])
        return paths

    def renamed_from(self, path: str) -> tuple[str, str] | None:
        """The newest commit of the range that renamed a file to `path`, and its old path."""
        self._wait()
        return self._renamed_from.get(path)

    def _wait(self) -> None:
        self._done.wait()
        if self._failure is not None:
            raise HistoryUnavailable("the log of the range could not be read") from self._failure

    def first_release(self, path: str) -> str | None:
        """The first release tag that contains the commit adding `path` (None: no tag, or
        the range did not add it)."""
        sha = self.added_in(path)
        return None if sha is None else self.releases([sha])[sha]

    def releases(self, shas: Sequence[str]) -> dict[str, str | None]:
        """The first release tag of each commit (named once, then remembered). The first
        call names every commit of a range of ordinary size too: git walks the tags' history
        once whatever the number of commits asked, and later checks ask for other commits."""
        with self._releases_lock:
            missing = [s for s in dict.fromkeys(shas) if s not in self._releases]
            whole = self._done.is_set() and self._failure is None
            if missing and whole and len(self._position) <= _NAMED_WITH_THE_RANGE:
                missing += [s for s in self._position if s not in self._releases]
                missing = list(dict.fromkeys(missing))
            if missing:
                named = self._name_releases(missing) if self._name_releases else {}
                self._releases.update({s: named.get(s) for s in missing})
            return {s: self._releases[s] for s in shas}
