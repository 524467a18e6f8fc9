"""Where Rails keeps migrations: `db/migrate`, `db/<database>_migrate`, engines' own folders,
and the data_migrate gem's data migrations in `db/data`.

engines/billing/db/migrate/20240115090000_create_payments.billing.rb   # version 20240115090000
db/data/20240301120000_backfill_slugs.rb                               # a data migration
"""

from __future__ import annotations

import re

_MIGRATION = re.compile(
    r"(?:^|/)(db/\w*migrate)/(?:[\w.-]+/)*(\d+)_[\w.]+\.rb$"
    # data_migrate's generator names its files with a timestamp.
    r"|(?:^|/)(db/data)/(\d{14})_\w+\.rb$"
)


def root_of(path: str) -> str | None:
    """The migrations folder a migration file belongs to (nested folders included)."""
    match = _MIGRATION.search(path)
    if match is None:
        return None
    return path[: match.end(1) if match.group(1) else match.end(3)]


def version_of(path: str) -> str | None:
    """The timestamp version in a migration's file name."""
    match = _MIGRATION.search(path)
    return (match.group(2) or match.group(4)) if match else None


def holds_data_migrations(root: str) -> bool:
    """Whether `root` is data_migrate's `db/data`: migrations that change rows, run by
    `rails data:migrate` and recorded in its own table, with no schema file of their own."""
    return root == "db/data" or root.endswith("/db/data")
