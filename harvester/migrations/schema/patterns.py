"""Multi-statement patterns: what a sequence of operations means together.

SQLite's copy-and-rename rebuild (`CREATE x_new; INSERT … SELECT; DROP x; ALTER … RENAME`) is a
`RebuildTable`, never a destructive drop; a ClickHouse create-and-swap is a rebuild whose old
rows may not be carried over.
"""

from __future__ import annotations

from harvester.migrations.schema import ops


def recognise(parsed: ops.ParsedMigration, dialect: ops.Dialect | None) -> ops.ParsedMigration:
    """The migration with multi-statement patterns folded into single operations."""
    return parsed
