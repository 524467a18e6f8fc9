"""The range's history per path, filled while the log streams, so migration analysis can run
beside it and wait only when it asks which commits touched a file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from harvester.errors import HarvesterError
from harvester.gitsource.records import LoggedCommit


class HistoryUnavailable(HarvesterError):
    """The log failed, so no commit history can be given (the log's own error is reported)."""


# Names the first release tag of each commit, in one batch (see `gitsource.tags`).
ReleaseNamer = Callable[[Sequence[str]], Mapping[str, str | None]]


class LogHistory:
    """Which commits touched and added each path, and which release first shipped a commit;
    readers wait until the log is complete."""

    def __init__(self, name_releases: ReleaseNamer | None = None) -> None:
        self._done = threading.Event()
        self._touched: dict[str, list[str]] = {}
        self._added: dict[str, str] = {}
        self._failure: BaseException | None = None
        self._name_releases = name_releases
        self._releases: dict[str, str | None] = {}
        self._releases_lock = threading.Lock()

    def record(self, commit: LoggedCommit) -> None:
        """Take one commit of the log (newest first)."""
        for stat in commit.paths:
            self._touched.setdefault(stat.path, []).append(commit.sha)
            if stat.status in ("A", "R", "C"):
                self._added.setdefault(stat.path, commit.sha)

    def complete(self) -> None:
        """The log has ended: release every reader."""
        self._done.set()

    def fail(self, error: BaseException) -> None:
        """The log failed: readers raise instead of waiting forever."""
        self._failure = error
        self._done.set()

    def commits_touching(self, path: str) -> tuple[str, ...]:
        """The range's commits that touched `path`, newest first."""
        self._wait()
        return tuple(self._touched.get(path, ()))

    def added_in(self, path: str) -> str | None:
        """The newest commit of the range that added `path`."""
        self._wait()
        return self._added.get(path)

    def _wait(self) -> None:
        self._done.wait()
        if self._failure is not None:
            raise HistoryUnavailable("the log of the range could not be read") from self._failure

    def first_release(self, path: str) -> str | None:
        """The first release tag that contains the commit adding `path` (None: no tag, or
        the range did not add it). Every added path is named in one batch on first use."""
        sha = self.added_in(path)
        if sha is None:
            return None
        if sha not in self._releases:
            self.releases([sha, *self._added.values()])
        return self._releases[sha]

    def releases(self, shas: Sequence[str]) -> dict[str, str | None]:
        """The first release tag of each commit (named once, then remembered)."""
        with self._releases_lock:
            missing = [s for s in dict.fromkeys(shas) if s not in self._releases]
            if missing:
                named = self._name_releases(missing) if self._name_releases else {}
                self._releases.update({s: named.get(s) for s in missing})
            return {s: self._releases[s] for s in shas}
