"""One error hierarchy, each error carrying the exit code the contract gives it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the report contract."""

    OK = 0
    USER_ERROR = 1
    USAGE = 2
    GATE_TRIPPED = 3
    INTERNAL = 70


class HarvesterError(Exception):
    """A problem the user can fix; the CLI prints `message` on one line and exits."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotARepositoryError(HarvesterError):
    """The path is not a git repository (or git refuses to read it)."""


class UnknownRefError(HarvesterError):
    """A ref of the range does not name a commit."""


class ShallowHistoryError(HarvesterError):
    """A shallow clone lacks history the range needs."""


class EmptyRangeError(HarvesterError):
    """The range holds no commits."""


class RangeError(HarvesterError):
    """No range was given and none could be inferred, or the range text is malformed."""


class OutputError(HarvesterError):
    """The document cannot be written where the user asked."""


class TemplateError(HarvesterError):
    """A user template failed to load or render."""


class ConfigError(HarvesterError):
    """The project configuration is invalid."""


class GitError(HarvesterError):
    """git failed in a way the user can act on (missing binary, unreadable objects)."""


class MissingObjectsError(GitError):
    """git stopped at an object the clone lacks (a damaged, partial or trimmed clone)."""


class UsageError(HarvesterError):
    """The command line is inconsistent in a way click cannot see."""

    exit_code = ExitCode.USAGE


class GateTrippedError(HarvesterError):
    """`--fail-on` matched a data-impact tag; the report was still written."""

    exit_code = ExitCode.GATE_TRIPPED
