"""Alembic migrations: revision files in a `versions/` folder, read with `ast`.

revision = "3f2a1b"
down_revision = "9c8d7e"

def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255), nullable=False))
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_REVISION = re.compile(r"(?:^|/)versions/(?!__init__)[^/]+\.py$")


class AlembicSystem:
    """SQLAlchemy's Alembic (also Flask-Migrate)."""

    name = "alembic"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `versions` folder with a changed revision file."""
        roots = {posixpath.dirname(p) for p in changed_paths if _REVISION.search(p)}
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's revisions under `root`."""
        return list_unanalysed(
            root,
            view,
            lambda path: bool(_REVISION.search(path)),
            lambda path: posixpath.basename(path)[:-3],
        )


SYSTEM = AlembicSystem()
