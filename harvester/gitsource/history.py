"""The range's history per path, filled while the log streams, so migration analysis can run
beside it and wait only when it asks which commits touched a file."""

from __future__ import annotations

import threading

from harvester.errors import HarvesterError
from harvester.gitsource.records import LoggedCommit


class HistoryUnavailable(HarvesterError):
    """The log failed, so no commit history can be given (the log's own error is reported)."""


class LogHistory:
    """Which commits touched and added each path; readers wait until the log is complete."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._touched: dict[str, list[str]] = {}
        self._added: dict[str, str] = {}
        self._failure: BaseException | None = None

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
