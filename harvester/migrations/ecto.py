"""Ecto migrations: `priv/repo/migrations/<timestamp>_<name>.exs`, parsed as Elixir.

defmodule MyApp.Repo.Migrations.AddEmailToUsers do
  use Ecto.Migration

  def change do
    alter table(:users) do
      add :email, :string, null: false
    end
  end
end
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.pending import list_unanalysed

_MIGRATION = re.compile(r"(?:^|/)priv/[^/]+/migrations/(\d+)_\w+\.exs$")


class EctoSystem:
    """Ecto SQL migrations."""

    name = "ecto"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `priv/<repo>/migrations` folder with a changed migration."""
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


SYSTEM = EctoSystem()
