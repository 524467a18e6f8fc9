"""Django migrations: `<app>/migrations/NNNN_name.py`, read with `ast`, never imported.

class Migration(migrations.Migration):
    dependencies = [("api", "0116_alter_channel_kind")]
    operations = [migrations.AddField("check", "badge_key", models.CharField(max_length=150))]
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_MIGRATION = re.compile(r"(?:^|/)migrations/(\d{4}_\w+)\.py$")


class DjangoSystem:
    """Django's migration framework."""

    name = "django"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `<app>/migrations` folder with a changed numbered migration."""
        roots = {posixpath.dirname(p) for p in changed_paths if _MIGRATION.search(p)}
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`."""
        app = posixpath.basename(posixpath.dirname(root.root))
        return list_unanalysed(
            root,
            view,
            lambda path: bool(_MIGRATION.search(path)),
            lambda path: f"{app}.{posixpath.basename(path)[:-3]}",
        )


SYSTEM = DjangoSystem()
