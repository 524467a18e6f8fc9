"""Rails and SQL schema dumps compared across dumper versions: format is not a schema change."""

from __future__ import annotations

from functools import partial

import pytest

from harvester.migrations.rails.snapshot import plain_schema_rb
from harvester.migrations.schema import ops
from harvester.migrations.snapshots import Delta, Explained, compare
from harvester.migrations.structure_sql import (
    newest_version,
    plain_charset,
    plain_sql,
    read_structure_sql,
)

SAME_SQL = [
    ("smallint(6) NOT NULL DEFAULT '0'", "smallint NOT NULL DEFAULT 0"),
    ("decimal(8,2) DEFAULT '0.00'", "decimal(8,2) DEFAULT 0.00"),
    ("text", "text DEFAULT NULL"),
    ("int(10) unsigned NOT NULL", "int unsigned NOT NULL"),
    ("varchar(255) CHARACTER SET utf8 DEFAULT NULL", "varchar(255) CHARACTER SET utf8mb3"),
]
DIFFERENT_SQL = [
    ("varchar(10) DEFAULT '0'", "varchar(10) DEFAULT 0"),
    ("tinyint(1) NOT NULL", "tinyint NOT NULL"),
    ("int(11) DEFAULT '3'", "int DEFAULT 5"),
    ("interval DEFAULT '1'", "interval DEFAULT 1"),
]


@pytest.mark.parametrize(("old", "new"), SAME_SQL)
def test_mysqldump_versions_write_the_same_column_differently(old: str, new: str) -> None:
    assert plain_sql("column", old) == plain_sql("column", new)


@pytest.mark.parametrize(("old", "new"), DIFFERENT_SQL)
def test_a_changed_column_stays_changed(old: str, new: str) -> None:
    assert plain_sql("column", old) != plain_sql("column", new)


def test_an_implied_collation_is_the_charsets_default() -> None:
    assert plain_charset("utf8mb4", None) == plain_charset("utf8mb4", "utf8mb4_general_ci")
    assert plain_charset("utf8", None) == plain_charset("utf8mb3", "utf8mb3_general_ci")
    assert plain_charset("utf8mb4", None) != plain_charset("utf8mb4", "utf8mb4_unicode_ci")


def _postgres_dump(default: str) -> str:
    return f"CREATE TABLE public.queue (position bigint DEFAULT {default} NOT NULL);"


def test_pg_dump_writes_extract_as_date_part_before_postgresql_14() -> None:
    newer = read_structure_sql(_postgres_dump("EXTRACT(epoch FROM now())"), ops.Dialect.POSTGRESQL)
    older = read_structure_sql(
        _postgres_dump("date_part('epoch'::text, now())"), ops.Dialect.POSTGRESQL
    )
    other_field = read_structure_sql(
        _postgres_dump("date_part('year'::text, now())"), ops.Dialect.POSTGRESQL
    )
    assert [d.kind for d in compare(newer, older)] == ["format"]
    assert [d.kind for d in compare(older, newer)] == ["format"]
    assert [d.kind for d in compare(newer, other_field)] == ["column"]


OLD_DUMP = partial(plain_schema_rb, (0, 0))
RAILS_7 = partial(plain_schema_rb, (7, 0))


def test_datetime_precision_reads_per_dumper_version() -> None:
    assert OLD_DUMP("column", "datetime, null: false") == RAILS_7(
        "column", "datetime, precision: nil, null: false"
    )
    assert OLD_DUMP("column", "datetime, precision: 6") == RAILS_7("column", "datetime")
    assert OLD_DUMP("column", "datetime") != RAILS_7("column", "datetime")


def test_table_charset_in_options_or_keywords_is_the_same() -> None:
    old = 'id: :integer, options: "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC"'
    new = 'id: :integer, charset: "utf8mb4", collation: "utf8mb4_general_ci", '
    new += 'options: "ENGINE=InnoDB ROW_FORMAT=DYNAMIC"'
    assert OLD_DUMP("options", old) == RAILS_7("options", new)
    assert OLD_DUMP("options", old) != RAILS_7("options", new.replace("integer", "bigint"))
    assert OLD_DUMP("options", 'options: "ENGINE=MyISAM DEFAULT CHARSET=latin1"') != RAILS_7(
        "options", 'charset: "latin1"'
    )


def test_a_text_size_as_limit_or_size_is_the_same() -> None:
    assert OLD_DUMP("column", "text, limit: 4294967295") == RAILS_7("column", "text, size: :long")
    assert OLD_DUMP("column", "text") != RAILS_7("column", "text, size: :medium")


def test_a_mistyped_version_row_is_not_the_newest() -> None:
    assert newest_version(["20160403031957", "201604030319571", "20201214013251"]) == (
        "20201214013251"
    )
    assert newest_version([]) is None


def test_a_key_added_explains_its_columns_mark() -> None:
    explained = Explained()
    key = ops.Constraint(ops.ConstraintKind.PRIMARY_KEY, None, ("version",))
    explained.add("20230113225128", [ops.AddConstraint("schema_migrations", key)])
    marked = Delta("column", "schema_migrations", "version", "…")
    assert explained.explains(marked)
    assert not explained.explains(Delta("column", "schema_migrations", "other", "…"))


def test_an_old_schema_rb_header_with_a_hash_rocket_gives_its_version() -> None:
    from harvester.migrations.rails.schema_rb import read_schema_rb

    text = (
        "ActiveRecord::Schema.define(:version => 20150217034225) do\n"
        '  create_table "users", :force => true do |t|\n'
        '    t.string "login"\n'
        "  end\nend\n"
    )
    shape = read_schema_rb(text)
    assert shape is not None and shape.version == "20150217034225"


_RAILS3_DUMP = """ActiveRecord::Schema.define(:version => 20120101000000) do
  create_table "notes", :force => true do |t|
    t.string   "access", :limit => 8, :default => "Public"
    t.integer  "owner_id"
  end

  add_index "notes", ["owner_id"], :name => "index_notes_on_owner_id"
  add_index "notes", ["access", "owner_id"], :name => "by_access", :unique => true
end
"""

_RAILS5_DUMP = """ActiveRecord::Schema.define(version: 20120101000000) do
  create_table "notes", force: :cascade do |t|
    t.string "access", limit: 8, default: "Public"
    t.integer "owner_id"
    t.index ["access", "owner_id"], name: "by_access", unique: true
    t.index ["owner_id"], name: "index_notes_on_owner_id"
  end
end
"""


def test_an_old_schema_rb_with_indexes_after_its_tables_reads_as_a_new_one() -> None:
    from harvester.migrations.rails.schema_rb import read_schema_rb

    before, after = read_schema_rb(_RAILS3_DUMP), read_schema_rb(_RAILS5_DUMP)
    assert before is not None and after is not None
    assert before.tables["notes"].indexes == after.tables["notes"].indexes
    assert compare(before, after) == []
    dropped = _RAILS5_DUMP.replace(
        '    t.index ["owner_id"], name: "index_notes_on_owner_id"\n', ""
    )
    shape = read_schema_rb(dropped)
    assert shape is not None
    assert [d.name for d in compare(before, shape)] == ["index_notes_on_owner_id"]


def test_a_rails_8_dump_of_plpgsql_in_pg_catalog_is_the_same_extension() -> None:
    from harvester.migrations.rails.schema_rb import read_schema_rb

    dump = 'ActiveRecord::Schema[8.0].define(version: 1) do\n  enable_extension "{}"\nend\n'
    old, new = (
        read_schema_rb(dump.format("plpgsql")),
        read_schema_rb(dump.format("pg_catalog.plpgsql")),
    )
    assert old is not None and new is not None
    assert old.objects == new.objects
