"""The one error SQL translation raises: a statement its parser rejected."""

from __future__ import annotations


class StatementError(Exception):
    """A statement the dialect's parser could not read; the message says why."""
