"""Rails (ActiveRecord) migrations: `db/migrate/<timestamp>_<name>.rb`, parsed as Ruby.

class AddEmailToUsers < ActiveRecord::Migration[7.1]
  def change
    add_column :users, :email, :string, null: false, default: ""
  end
end
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_MIGRATION = re.compile(r"(?:^|/)db/\w*migrate/(\d+)_\w+\.rb$")


class RailsSystem:
    """ActiveRecord migrations."""

    name = "rails"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `db/migrate`-like folder with a changed migration."""
        roots = {posixpath.dirname(p) for p in changed_paths if _MIGRATION.search(p)}
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`."""
        return list_unanalysed(
            root,
            view,
            lambda path: bool(_MIGRATION.search(path)),
            lambda path: posixpath.basename(path).split("_", 1)[0],
        )


SYSTEM = RailsSystem()
