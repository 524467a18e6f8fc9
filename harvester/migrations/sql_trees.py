"""Folders of plain SQL migrations: golang-migrate, goose, dbmate, Flyway, sqlx, Diesel and
numbered `.sql` files.

    -- 000042_add_segment.up.sql
    ALTER TABLE segment ADD COLUMN parameters JSONB NOT NULL DEFAULT '{}';
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_FOLDER = r"(?:^|/)(?:[^/]*migrat[^/]*|versions|sql|schema|changes|patches)/"
_MIGRATION = re.compile(_FOLDER + r"(?:.*/)?(?:[VUR]\d*[^/]*__[^/]*|\d[^/]*|up|down)\.sql$", re.I)
_PRISMA = re.compile(r"/migration\.sql$")


def _is_migration(path: str) -> bool:
    return bool(_MIGRATION.search(path)) and not _PRISMA.search(path)


class SqlTreeSystem:
    """Plain SQL migration folders."""

    name = "sql"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each folder of numbered SQL files with a changed file."""
        roots = set()
        for path in changed_paths:
            if _is_migration(path):
                folder = posixpath.dirname(path)
                if posixpath.basename(path).lower() in ("up.sql", "down.sql"):
                    folder = posixpath.dirname(folder)
                roots.add(folder)
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`."""
        return list_unanalysed(
            root,
            view,
            _is_migration,
            lambda path: posixpath.basename(path).rsplit(".", 1)[0],
        )


SYSTEM = SqlTreeSystem()
