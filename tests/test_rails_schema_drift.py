"""How a Rails app's db/schema.rb is matched against the range's migrations: drift or not."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.model import ImpactTag
from tests.support.memory_view import MemoryView

_SCHEMA = (
    "ActiveRecord::Schema[7.1].define(version: {version}) do\n"
    '  create_table "items", force: :cascade do |t|\n'
    '    t.string "code"\n'
    "  end\n"
    "end\n"
)

_ADD_TITLE = """class AddTitleToItems < ActiveRecord::Migration[7.1]
  def change
    add_column :items, :title, :string
  end
end
"""

_TRANSLATE_TITLE = """class TranslateItemTitles < ActiveRecord::Migration[7.1]
  def up
    Item.create_translation_table!(
      {title: :string}, {migrate_data: true, remove_source_columns: true}
    )
  end
end
"""


def test_a_column_a_later_migration_may_remove_through_unread_code_is_hedged() -> None:
    """Globalize's `create_translation_table!(…, remove_source_columns: true)` drops the source
    column from app code harvester does not read: the schema file not showing it may be right."""
    base = {"db/schema.rb": _SCHEMA.format(version="2024_01_01_000000")}
    head = {
        "db/schema.rb": _SCHEMA.format(version="2024_03_01_000000"),
        "db/migrate/20240201000000_add_title_to_items.rb": _ADD_TITLE,
        "db/migrate/20240301000000_translate_item_titles.rb": _TRANSLATE_TITLE,
    }
    database = analyse_database(MemoryView(base, head))
    (finding,) = [f for f in database.findings if f.tag is ImpactTag.SCHEMA_DRIFT]
    assert finding.detail == (
        "db/schema.rb does not show what migrations in the range do: items.title "
        "(added by 20240201000000), unless what harvester did not analyse in 20240301000000 "
        "(line 3) does it; if not, regenerate it from a migrated database"
    )


def test_a_column_missing_with_nothing_unread_after_it_is_drift() -> None:
    base = {"db/schema.rb": _SCHEMA.format(version="2024_01_01_000000")}
    head = {
        "db/schema.rb": _SCHEMA.format(version="2024_02_01_000000"),
        "db/migrate/20240201000000_add_title_to_items.rb": _ADD_TITLE,
    }
    database = analyse_database(MemoryView(base, head))
    (finding,) = [f for f in database.findings if f.tag is ImpactTag.SCHEMA_DRIFT]
    assert finding.detail == (
        "db/schema.rb does not show what migrations in the range do: items.title "
        "(added by 20240201000000); regenerate it from a migrated database"
    )


def test_a_column_rename_in_change_table_names_the_index_rails_renames_with_it() -> None:
    migration = """class RenameItemToTemplateItem < ActiveRecord::Migration[7.1]
  def change
    change_table :line_items do |t|
      t.rename :item_id, :template_item_id
      t.belongs_to :item, null: false
    end
  end
end
"""
    view = MemoryView({}, {"db/migrate/20240301000000_rename_item_to_template_item.rb": migration})
    (parsed,) = analyse_database(view).migrations
    assert parsed.notes == (
        "renaming line_items.item_id to template_item_id also renames its index "
        "index_line_items_on_item_id to index_line_items_on_template_item_id, if it has one: "
        "the index_line_items_on_item_id created at line 5 is a new index",
    )
    assert "index_line_items_on_item_id ON line_items(item_id)" in parsed.indexes_added


_ENGINE = """module Billing
  class Engine < ::Rails::Engine
    initializer "billing.append_migrations" do |app|
      config.paths["db/migrate"].expanded.each do |path|
        app.config.paths["db/migrate"] << path
      end
    end
  end
end
"""

_CREATE_PAYMENTS = """class CreatePayments < ActiveRecord::Migration[7.1]
  def change
    create_table :payments do |t|
      t.integer :amount
    end
  end
end
"""


def _engine_range(engine_rb: str) -> MemoryView:
    """An engine adding a table through its own migrations folder; the app's schema dumps it."""
    with_payments = _SCHEMA.replace(
        "end\n",
        'end\n  create_table "payments", force: :cascade do |t|\n    t.integer "amount"\n  end\n',
        1,
    )
    released = {"db/migrate/20231201000000_add_title_to_items.rb": _ADD_TITLE}
    base = {
        **released,
        "db/schema.rb": _SCHEMA.format(version="2024_01_01_000000"),
        "engines/billing/lib/billing/engine.rb": engine_rb,
    }
    head = {
        **released,
        "db/schema.rb": with_payments.format(version="2024_01_01_000000"),
        "engines/billing/lib/billing/engine.rb": engine_rb,
        "engines/billing/db/migrate/20240201000000_create_payments.rb": _CREATE_PAYMENTS,
    }
    return MemoryView(base, head)


def test_tables_of_an_engine_that_adds_its_migrations_to_the_app_are_not_drift() -> None:
    database = analyse_database(_engine_range(_ENGINE))
    assert [m.id for m in database.migrations] == ["20240201000000"]
    assert not [f for f in database.findings if f.tag is ImpactTag.SCHEMA_DRIFT]


def test_tables_of_an_engine_whose_migrations_the_app_copies_are_drift() -> None:
    """Without the initializer, `rails billing:install:migrations` copies them into db/migrate:
    the engine's own folder does not explain the app's schema file."""
    engine = _ENGINE.replace('app.config.paths["db/migrate"] << path', "puts path")
    database = analyse_database(_engine_range(engine))
    (finding,) = [f for f in database.findings if f.tag is ImpactTag.SCHEMA_DRIFT]
    assert "table payments created" in finding.detail
