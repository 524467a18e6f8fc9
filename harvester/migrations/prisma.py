"""Prisma Migrate: `<dir>/migrations/<id>/migration.sql` beside `migration_lock.toml`.

-- CreateTable
CREATE TABLE "segment" (
    "segment_id" UUID NOT NULL,
    CONSTRAINT "segment_pkey" PRIMARY KEY ("segment_id")
);
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_MIGRATION = re.compile(r"(?:^|/)migrations/[^/]+/migration\.sql$")


class PrismaSystem:
    """Prisma Migrate."""

    name = "prisma"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `migrations` folder holding a changed `<id>/migration.sql`."""
        roots = {
            posixpath.dirname(posixpath.dirname(p)) for p in changed_paths if _MIGRATION.search(p)
        }
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`."""
        return list_unanalysed(
            root,
            view,
            lambda path: bool(_MIGRATION.search(path)),
            lambda path: posixpath.basename(posixpath.dirname(path)),
        )


SYSTEM = PrismaSystem()
