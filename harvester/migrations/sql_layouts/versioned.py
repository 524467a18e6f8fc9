"""The Cadence and Temporal schema tools (sql-tool, cassandra-tool): one folder per schema
version, each with a manifest.json listing the files that take the schema to it.

    schema/postgres/visibility/versioned/v0.9/manifest.json
        {"CurrVersion": "0.9", "SchemaUpdateCqlFiles": ["add_execution_fields.sql"]}
    schema/postgres/visibility/versioned/v0.9/add_execution_fields.sql
        ALTER TABLE executions_visibility ADD cron_schedule VARCHAR(255) NULL;

The tool runs the versions in order and, in each, the files its manifest lists in the order
listed (a file it does not list never runs). The engine is the path's (`postgres`, `mysql/v8`,
`sqlite`); Cassandra's `.cql` files are listed in order and not read.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
from collections.abc import Mapping, Sequence

from harvester.migrations.base import MigrationRoot, PathChange, RepoView, Side
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts.layouts import CASSANDRA_TOOL, SQL_TOOL
from harvester.migrations.sql_layouts.naming import (
    MANIFEST,
    MigrationFile,
    deployed_roots,
    versioned_root,
)
from harvester.migrations.sql_layouts.system import SqlFolderSystem
from harvester.migrations.sql_layouts.units import Unit


class SchemaToolSystem(SqlFolderSystem):
    """Version folders with a manifest.json (Cadence, Temporal)."""

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """The folders (`…/versioned`) whose version folders hold changed files."""
        return deployed_roots(self.name, {r for p in changed_paths if (r := versioned_root(p))})

    def side_files(self, view: RepoView, side: Side, root: str) -> list[MigrationFile]:
        """The files each version's manifest lists, in its order; a version folder whose
        manifest cannot be read keeps all its files, by name."""
        found = []
        listings: dict[str, list[str] | None] = {}
        for file in super().side_files(view, side, root):
            folder, name = posixpath.split(file.path)
            if folder not in listings:
                listings[folder] = _listed(view.read(side, posixpath.join(folder, MANIFEST)).text)
            listed = listings[folder]
            if listed is None:
                found.append(file)
            elif name in listed:
                found.append(
                    dataclasses.replace(file, sort_key=(file.sort_key[0], listed.index(name)))
                )
        return found

    def tree_dialect(
        self, view: RepoView, root: str, units: Sequence[Unit], changes: Mapping[str, PathChange]
    ) -> ops.Dialect | None:
        """The engine the path names; none for Cassandra, whose CQL is not read."""
        if self.layout is CASSANDRA_TOOL:
            return None
        return super().tree_dialect(view, root, units, changes)

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """The keyspace's `schema.sql` beside `versioned/` (Cassandra's `schema.cql` is not
        read)."""
        if self.layout is CASSANDRA_TOOL:
            return []
        return [posixpath.join(posixpath.dirname(root), "schema.sql")]


def _listed(text: str | None) -> list[str] | None:
    """The file names a manifest lists (`SchemaUpdateCqlFiles`, for SQL too), or None."""
    try:
        manifest = json.loads(text) if text else None
    except ValueError:
        return None
    files = manifest.get("SchemaUpdateCqlFiles") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return [posixpath.basename(f) for f in files]


SYSTEMS = (SchemaToolSystem(SQL_TOOL), SchemaToolSystem(CASSANDRA_TOOL))
