"""How a Rails migrations folder's changes are read: renames, moves, copies, drift."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.model import ChangeKind, ImpactTag
from tests.support.memory_view import MemoryView

MIGRATION = """class AddFlag < ActiveRecord::Migration[7.1]
  def change
    add_column :users, :flag, :boolean
  end
end
"""


def test_renamed_to_a_new_version_runs_again() -> None:
    view = MemoryView(
        {"db/migrate/20240101000000_add_flag.rb": MIGRATION},
        {"db/migrate/20240301000000_add_flag.rb": MIGRATION},
    )
    (migration,) = analyse_database(view).migrations
    assert migration.change is ChangeKind.RENAMED
    assert migration.released is True
    assert any("will run this migration again" in note for note in migration.notes)
    assert migration.data_impact[0].detail.startswith(
        "released migration renamed from 20240101000000: tools that record applied migrations"
    )


def test_renamed_to_a_new_version_is_no_edit_and_fails_again() -> None:
    """The Data Impact line agrees with Migration Status: it runs again, and an add_column
    run twice fails."""
    view = MemoryView(
        {"db/migrate/20240101000000_add_flag.rb": MIGRATION},
        {"db/migrate/20240301000000_add_flag.rb": MIGRATION},
    )
    (finding,) = [
        f for f in analyse_database(view).findings if f.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION
    ]
    assert "edited" not in finding.detail
    assert finding.detail.endswith(
        "databases that ran 20240101000000 run it again as 20240301000000, and it fails "
        "there: users.flag exists"
    )


def test_two_different_migrations_git_paired_by_likeness_are_one_gone_and_one_new() -> None:
    from dataclasses import replace

    other = MIGRATION.replace("AddFlag", "AddMeta").replace(":flag, :boolean", ":meta, :jsonb")
    view = MemoryView(
        {"db/migrate/20200704173104_add_flag.rb": MIGRATION},
        {"db/migrate/20240215065844_add_meta.rb": other},
    )
    added = next(c for c in view._changes if c.status is ChangeKind.ADDED)
    view._changes = (
        replace(added, old_path="db/migrate/20200704173104_add_flag.rb", status=ChangeKind.RENAMED),
    )
    gone, new = analyse_database(view).migrations
    assert (gone.id, gone.change, new.id, new.change) == (
        "20200704173104",
        ChangeKind.DELETED,
        "20240215065844",
        ChangeKind.ADDED,
    )
    assert new.released is False and new.columns_added == ("users.meta JSONB",)


def test_moved_out_of_the_folder_is_no_longer_run() -> None:
    view = MemoryView(
        {"db/migrate/20240101000000_add_flag.rb": MIGRATION},
        {"db/old_migrations/20240101000000_add_flag.rb": MIGRATION},
    )
    database = analyse_database(view)
    (migration,) = database.migrations
    assert migration.change is ChangeKind.DELETED
    assert migration.path == "db/migrate/20240101000000_add_flag.rb"
    assert "moved to db/old_migrations/" in migration.notes[0]
    assert [f.tag for f in database.findings] == [ImpactTag.MODIFIED_EXISTING_MIGRATION]


def test_schema_rb_changed_without_a_migration_is_drift() -> None:
    schema = (
        "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n"
        '  create_table "users", force: :cascade do |t|\n    t.string "name"\n  end\nend\n'
    )
    edited = schema.replace('t.string "name"', 't.string "name"\n    t.string "nickname"')
    view = MemoryView(
        {"db/schema.rb": schema, "db/migrate/20240101000000_add_flag.rb": MIGRATION},
        {"db/schema.rb": edited, "db/migrate/20240101000000_add_flag.rb": MIGRATION},
    )
    database = analyse_database(view)
    assert database.migrations == ()
    (snapshot,) = database.snapshots
    assert snapshot.changes == ("users.nickname added: string",)
    (finding,) = database.findings
    assert finding.tag is ImpactTag.SCHEMA_DRIFT
    assert "users.nickname added" in finding.detail


def test_migration_without_schema_rb_update_is_drift() -> None:
    schema = "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\nend\n"
    view = MemoryView(
        {"db/schema.rb": schema},
        {"db/schema.rb": schema, "db/migrate/20240301000000_add_flag.rb": MIGRATION},
    )
    database = analyse_database(view)
    (finding,) = database.findings
    assert finding.tag is ImpactTag.SCHEMA_DRIFT
    assert "was not updated" in finding.detail


def test_a_lagging_schema_file_catching_up_is_not_drift() -> None:
    old_schema = (
        "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n"
        '  create_table "users", force: :cascade do |t|\n    t.string "name"\n  end\nend\n'
    )
    new_schema = old_schema.replace("2024_01_01_000000", "2024_03_01_000000").replace(
        't.string "name"', 't.string "name"\n    t.boolean "flag"\n    t.string "email"'
    )
    email = MIGRATION.replace("AddFlag", "AddEmail").replace(":flag, :boolean", ":email, :string")
    released = {"db/migrate/20240201000000_add_flag.rb": MIGRATION}
    view = MemoryView(
        {"db/schema.rb": old_schema, **released},
        {"db/schema.rb": new_schema, **released, "db/migrate/20240301000000_add_email.rb": email},
    )
    database = analyse_database(view)
    assert [m.id for m in database.migrations] == ["20240301000000"]
    assert database.findings == ()


def test_migrations_moved_to_another_migrations_folder_keep_their_versions() -> None:
    view = MemoryView(
        {"core/db/migrate/20240101000000_add_flag.rb": MIGRATION},
        {"spree/core/db/migrate/20240101000000_add_flag.rb": MIGRATION},
    )
    database = analyse_database(view)
    (migration,) = database.migrations
    assert (migration.path, migration.change, migration.released, migration.format_only) == (
        "spree/core/db/migrate/20240101000000_add_flag.rb",
        ChangeKind.RENAMED,
        True,
        True,
    )
    assert not migration.columns_added and not database.findings


def test_an_edit_of_what_runs_only_after_a_rescue_is_described() -> None:
    def migration(rescued: str) -> str:
        return (
            "class AddUniqueIndex < ActiveRecord::Migration[7.1]\n"
            "  def up\n"
            "    add_index :cards, :url, unique: true\n"
            "  rescue ActiveRecord::RecordNotUnique\n"
            f"    {rescued}\n"
            "  end\nend\n"
        )

    path = "db/migrate/20240101000000_add_unique_index.rb"
    base = {path: migration("remove_index :cards, :url")}
    head = {path: migration("execute 'REINDEX INDEX cards_pkey'")}
    (edited,) = analyse_database(MemoryView(base, head)).migrations
    (impact,) = [i for i in edited.data_impact if i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION]
    assert "options of its operations changed" not in impact.detail
    assert "REINDEX" in impact.detail, impact.detail
