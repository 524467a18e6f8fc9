"""Ecto migrations: `priv/<repo>/migrations/<timestamp>_<name>.exs`, parsed as Elixir.

defmodule MyApp.Repo.Migrations.AddEmailToUsers do
  use Ecto.Migration

  def change do
    alter table(:users) do
      add :email, :string, null: false
    end
  end
end

Umbrella apps (`apps/<app>/priv/<repo>/migrations`) and several repos per app are roots of
their own; `priv/<repo>/structure.sql` is summarised and checked for drift.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from functools import partial

from harvester.migrations import snapshots
from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    RepoView,
    Side,
    SystemResult,
)
from harvester.migrations.ecto import config
from harvester.migrations.ecto.migration import read_migration
from harvester.migrations.snapshots import Explained, SchemaShape
from harvester.migrations.structure_sql import read_structure_sql
from harvester.migrations.timestamped import analyse_folder, released_since

# `priv/repo/migrations`, and its siblings such as `priv/repo/manual_migrations`; Ecto runs
# every `<digits>_<anything>.exs` there, spaces and punctuation in the name included
_MIGRATION = re.compile(r"(?:^|/)(priv/[^/]+/\w*migrations)/(\d+)_[^/]+\.exs$")
# migrations compiled with the application and run by its own code (a tenant repo's
# `lib/app/tenants/repo/migrations/20211116024918_create_x.ex`)
_COMPILED_MIGRATION = re.compile(r"(?:^|/)(lib/(?:[^/]+/)*\w*migrations)/(\d{14})_\w+\.ex$")
_SNAPSHOT = re.compile(r"(?:^|/)priv/[^/]+/structure\.sql$")
_FILE_NAME = re.compile(r"(\d+)_[^/]+\.exs?$")


def _root_of(path: str) -> str | None:
    match = _MIGRATION.search(path) or _COMPILED_MIGRATION.search(path)
    if match is not None:
        return path[: match.end(1)]
    if _SNAPSHOT.search(path):
        return posixpath.join(posixpath.dirname(path), "migrations")
    return None


def _version_of(path: str, root: str) -> str | None:
    """The version of a migration file directly in `root` (found above, or one the
    configuration names) or in another migrations folder of Ecto's layout. A file moved to a
    folder that is none (`test_priv/repo/migrations`, `priv/repo/old`) has no version there:
    it reads as moved out of its folder."""
    folder, name = posixpath.split(path)
    match = _FILE_NAME.match(name)
    return match.group(1) if match and folder in (root, _root_of(path)) else None


class EctoSystem:
    """Ecto SQL migrations."""

    name = "ecto"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `priv/<repo>/migrations` folder with a changed migration or structure.sql."""
        roots = {r for r in map(_root_of, changed_paths) if r is not None}
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, with its structure.sql summary and drift."""
        dialect = root.dialect or config.dialect_for(root.root, view)
        if dialect is not None and root.dialect is None:
            root = MigrationRoot(root.system, root.root, dialect)
        version_of = partial(_version_of, root=root.root)
        folder = analyse_folder(root, view, settings, version_of, read_migration)

        def shape(side: Side, path: str) -> SchemaShape | None:
            """The structure.sql at one end of the range."""
            source = view.read(side, path)
            return read_structure_sql(source.text, dialect) if source.text else None

        def explained(since: str | None) -> Explained:
            """What the range's migrations of this repo touch, and the released ones a lagging
            structure.sql (at version `since`) had not caught up with."""
            found = Explained()
            for parsed in folder.parsed:
                found.add(parsed.id, parsed.up.operations)
            if since is not None:
                for parsed in released_since(root, view, version_of, read_migration, since):
                    found.add(parsed.id, parsed.up.operations)
            return found

        structure = posixpath.join(posixpath.dirname(root.root), "structure.sql")
        found, drift = snapshots.summarise("ecto", (structure,), view, folder, shape, explained)
        return SystemResult(
            migrations=folder.migrations,
            findings=folder.findings + drift,
            snapshots=found,
            dialect=dialect,
        )


SYSTEM = EctoSystem()
