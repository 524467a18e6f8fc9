"""Rails (ActiveRecord) migrations: `db/migrate/<timestamp>_<name>.rb`, parsed as Ruby.

class AddEmailToUsers < ActiveRecord::Migration[7.1]
  def change
    add_column :users, :email, :string, null: false, default: ""
  end
end

Engines' and extra databases' folders (`db/post_migrate`, `db/queue_migrate`, …) are roots of
their own, and so is the data_migrate gem's `db/data`. `db/schema.rb` and `db/structure.sql`
are summarised and checked for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings, MigrationRoot, RepoView, SystemResult
from harvester.migrations.rails import config, snapshot
from harvester.migrations.rails.base_schema import base_schema_operations
from harvester.migrations.rails.migration import read_migration
from harvester.migrations.rails.paths import holds_data_migrations, root_of, version_of
from harvester.migrations.timestamped import analyse_folder


class RailsSystem:
    """ActiveRecord migrations."""

    name = "rails"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `db/*migrate` folder with a changed migration, or whose schema file changed."""
        roots = {r for r in map(root_of, changed_paths) if r is not None}
        roots |= {r for r in map(snapshot.migrations_folder_of, changed_paths) if r is not None}
        return [MigrationRoot(self.name, root) for root in sorted(roots)]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, its schema file's summary and drift."""
        dialect = root.dialect or config.dialect_for(root.root, view)
        if dialect is not None and root.dialect is None:
            root = MigrationRoot(root.system, root.root, dialect)
        folder = analyse_folder(
            root,
            view,
            settings,
            version_of,
            read_migration,
            lambda side: base_schema_operations(root, view, side),
        )
        if holds_data_migrations(root.root):  # the schema is db/migrate's to summarise
            return SystemResult(
                migrations=folder.migrations, findings=folder.findings, dialect=dialect
            )
        snapshots, drift = snapshot.summarise(root, view, folder)
        switch = config.engine_switch(root.root, view, dialect)
        return SystemResult(
            migrations=folder.migrations,
            findings=((switch,) if switch else ()) + folder.findings + drift,
            snapshots=snapshots,
            dialect=dialect,
        )


SYSTEM = RailsSystem()
