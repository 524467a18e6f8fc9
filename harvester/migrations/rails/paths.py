"""Where Rails keeps migrations: `db/migrate`, `db/<database>_migrate`, engines' own folders.

engines/billing/db/migrate/20240115090000_create_payments.billing.rb   # version 20240115090000
"""

from __future__ import annotations

import re

_MIGRATION = re.compile(r"(?:^|/)(db/\w*migrate)/(?:[\w.-]+/)*(\d+)_[\w.]+\.rb$")


def root_of(path: str) -> str | None:
    """The migrations folder a migration file belongs to (nested folders included)."""
    match = _MIGRATION.search(path)
    if match is None:
        return None
    return path[: match.end(1)]


def version_of(path: str) -> str | None:
    """The timestamp version in a migration's file name."""
    match = _MIGRATION.search(path)
    return match.group(2) if match else None
