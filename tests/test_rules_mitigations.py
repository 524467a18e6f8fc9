"""Mitigations: what earlier statements of the migration, or of the same release, make safe."""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.schema.assemble import assemble
from harvester.migrations.schema.ops import Dialect
from harvester.model import ImpactTag, Migration
from tests.support.judging import detail, judge, migration_input, tags

PG = Dialect.POSTGRESQL


def test_a_backfill_shipped_in_an_earlier_release_does_not_mitigate_set_not_null() -> None:
    fill = migration_input("0001", "UPDATE plans SET owner_id = 'x' WHERE owner_id IS NULL;", PG)
    require = migration_input("0002", "ALTER TABLE plans ALTER COLUMN owner_id SET NOT NULL;", PG)

    def judged(first: str | None, second: str | None) -> Migration:
        return assemble(
            [replace(fill, first_release=first), replace(require, first_release=second)]
        )[-1]

    # Between the releases the previous code may write NULLs again.
    assert tags(judged("v1.1", "v1.2")) == ["not_null_on_existing_column"]
    assert tags(judged("v1.2", "v1.2")) == ["not_null_on_existing_column", "mitigated"]
    assert tags(judged(None, None)) == ["not_null_on_existing_column", "mitigated"]


def test_an_order_that_goes_back_to_an_earlier_release_keeps_that_release_s_backfill() -> None:
    # Django orders migrations across apps: one of v1.3 can run between two of v1.2.
    fill = migration_input("a.0001", "UPDATE plans SET owner_id = 'x' WHERE owner_id IS NULL;", PG)
    other = migration_input("b.0007", "ALTER TABLE notes ADD COLUMN pinned boolean;", PG)
    require = migration_input("a.0002", "ALTER TABLE plans ALTER COLUMN owner_id SET NOT NULL;", PG)
    judged = assemble(
        [
            replace(fill, first_release="v1.2"),
            replace(other, first_release="v1.3"),
            replace(require, first_release="v1.2"),
        ]
    )
    assert tags(judged[-1]) == ["not_null_on_existing_column", "mitigated"]
    # …but a release after the backfill's does not.
    later = assemble(
        [
            replace(fill, first_release="v1.2"),
            replace(other, first_release="v1.2"),
            replace(require, first_release="v1.3"),
        ]
    )
    assert tags(later[-1]) == ["not_null_on_existing_column"]


def test_a_unique_key_on_a_column_just_filled_with_random_uuids_cannot_collide() -> None:
    add = "ALTER TABLE segments ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();"
    judged = judge(f"{add} ALTER TABLE segments ADD CONSTRAINT segments_uuid_key UNIQUE (uuid);")
    assert "unique_on_existing_data" not in tags(judged)
    assert (
        "segments.uuid was added by this migration with DEFAULT gen_random_uuid(), so existing "
        "rows hold different values" in detail(judged, ImpactTag.MITIGATED)
    )
    # Filling the NULLs of the new column with random values keeps them apart.
    refill = (
        "ALTER TABLE rules ADD COLUMN token uuid DEFAULT gen_random_uuid();"
        "UPDATE rules SET token = gen_random_uuid() WHERE token IS NULL;"
        "CREATE UNIQUE INDEX rules_token_index ON rules (token);"
    )
    assert "unique_on_existing_data" not in tags(judge(refill))
    # A constant written over it, or a constant default, may collide.
    overwritten = refill.replace(
        "SET token = gen_random_uuid()", "SET token = '00000000-0000-0000-0000-000000000000'"
    )
    assert "unique_on_existing_data" in tags(judge(overwritten))
    constant = (
        "ALTER TABLE t ADD COLUMN c text NOT NULL DEFAULT 'x'; CREATE UNIQUE INDEX i ON t (c);"
    )
    assert "unique_on_existing_data" in tags(judge(constant))


_ENUM_REBUILD = """
ALTER TYPE processing RENAME TO processing_old;
CREATE TYPE processing AS ENUM ({values});
ALTER TABLE users ALTER COLUMN mode TYPE processing USING mode::text::processing;
DROP TYPE processing_old;
"""
_ENUM_AT_BASE = (
    "CREATE TYPE processing AS ENUM ('NONE', 'OPEN');"
    "CREATE TABLE users (id int, mode processing NOT NULL DEFAULT 'NONE');"
)


def test_an_enum_rebuilt_with_a_superset_of_its_values_converts_every_row() -> None:
    judged = judge(_ENUM_REBUILD.format(values="'NONE', 'OPEN', 'VALHALLA'"), base=_ENUM_AT_BASE)
    assert "backward_incompatible" not in tags(judged)
    assert "data_dependent" not in tags(judged)
    assert any("keeping every value it had and adding VALHALLA" in n for n in judged.notes)


def test_an_enum_rebuilt_without_a_value_names_it() -> None:
    judged = judge(_ENUM_REBUILD.format(values="'NONE'"), base=_ENUM_AT_BASE)
    assert "no longer listing OPEN: converting its columns fails if a row holds one" in detail(
        judged, ImpactTag.BACKWARD_INCOMPATIBLE
    )
    assert "data_dependent" in tags(judged)


def test_an_enum_rebuilt_from_unknown_values_says_so_instead_of_claiming_a_break() -> None:
    judged = judge(_ENUM_REBUILD.format(values="'NONE', 'OPEN', 'VALHALLA'"))
    assert "its old values not known here: if one is no longer listed" in detail(
        judged, ImpactTag.BACKWARD_INCOMPATIBLE
    )


def test_a_column_copied_out_by_an_earlier_migration_of_the_release_is_moved_not_lost() -> None:
    copy = migration_input(
        "11",
        "INSERT INTO rule_segments (rule_id, segment_key) SELECT id, segment_key FROM rules;",
        PG,
    )
    drop = migration_input(
        "12",
        "ALTER TABLE rules DROP CONSTRAINT rules_namespace_key_segment_key_fkey;\n"
        "ALTER TABLE rules DROP COLUMN segment_key;\nALTER TABLE rules DROP COLUMN rank;",
        PG,
    )

    def judged(first: str, second: str) -> Migration:
        return assemble([replace(copy, first_release=first), replace(drop, first_release=second)])[
            -1
        ]

    same = judged("v1.25.0", "v1.25.0")
    assert detail(same, ImpactTag.BACKWARD_INCOMPATIBLE) == (
        "drops rules.segment_key after 11 earlier in this range copied its values into "
        "rule_segments (INSERT … SELECT): code of the previous release that still reads "
        "segment_key fails during a rolling deploy"
    )
    # rank was not among the copied columns; the key on segment_key goes with its column.
    assert detail(same, ImpactTag.DESTRUCTIVE_DROP_COLUMN).startswith("drops column rules.rank")
    assert "fk_dropped" not in tags(same)
    assert "mitigated" not in tags(same)
    # Rows written by the release in between were never copied.
    later = judged("v1.24.0", "v1.25.0")
    assert "rules.segment_key" in detail(later, ImpactTag.DESTRUCTIVE_DROP_COLUMN)


def test_a_mysql_update_join_backfills_the_column_a_modify_then_makes_not_null() -> None:
    judged = judge(
        "UPDATE website_event we JOIN (SELECT session_id, uuid() AS uuid FROM website_event) a "
        "ON we.session_id = a.session_id SET we.visit_id = a.uuid WHERE we.visit_id IS NULL;\n"
        "ALTER TABLE website_event MODIFY visit_id VARCHAR(36) NOT NULL;",
        Dialect.MYSQL,
        base="CREATE TABLE website_event (session_id varchar(36), visit_id varchar(36));",
    )
    assert "website_event.visit_id: backfilled by this migration, so NULLs are unlikely" in (
        detail(judged, ImpactTag.MITIGATED)
    )


def test_text_made_json_on_mysql_fails_on_values_that_do_not_parse() -> None:
    judged = judge(
        "ALTER TABLE report MODIFY parameters JSON NOT NULL;",
        Dialect.MYSQL,
        base="CREATE TABLE report (parameters varchar(6000) NOT NULL);",
    )
    assert detail(judged, ImpactTag.DATA_DEPENDENT) == (
        "report.parameters varchar(6000) -> JSON: fails if a row holds text that is not valid JSON"
    )


def test_a_primary_key_on_columns_a_base_unique_key_covers_cannot_fail_on_duplicates() -> None:
    judged = judge(
        "ALTER TABLE schema_migrations ADD PRIMARY KEY (version);",
        Dialect.MYSQL,
        base="CREATE TABLE schema_migrations (version varchar(255) NOT NULL, "
        "UNIQUE KEY unique_schema_migrations (version));",
    )
    assert "unique_on_existing_data" not in tags(judged)
    assert "schema_migrations is already unique on (version) (unique_schema_migrations)" in (
        detail(judged, ImpactTag.MITIGATED)
    )


def test_dropping_if_exists_a_column_the_replayed_table_lacks_does_nothing() -> None:
    base = "CREATE TABLE IF NOT EXISTS buckets (id text PRIMARY KEY, name text);"
    absent = judge("ALTER TABLE buckets DROP COLUMN IF EXISTS catalog;", base=base)
    assert tags(absent) == ["mitigated"]
    assert detail(absent, ImpactTag.MITIGATED) == (
        "drops buckets.catalog IF EXISTS: buckets as these migrations build it has no column "
        "catalog, so this does nothing there"
    )
    present = judge("ALTER TABLE buckets DROP COLUMN IF EXISTS name;", base=base)
    assert tags(present) == ["destructive_drop_column"]


def test_a_drop_if_exists_on_a_table_not_fully_known_may_lose_data() -> None:
    # the table's CREATE is not replayed, or unread SQL may have added columns to it
    unknown = judge("ALTER TABLE buckets DROP COLUMN IF EXISTS catalog;")
    dynamic = judge(
        "ALTER TABLE buckets DROP COLUMN IF EXISTS catalog;",
        base=(
            "CREATE TABLE buckets (id text PRIMARY KEY);\n"
            "DO $$ BEGIN EXECUTE 'ALTER TABLE buckets ADD COLUMN ' || col || ' text'; END $$;"
        ),
    )
    assert tags(unknown) == tags(dynamic) == ["destructive_drop_column"]


def test_a_referenced_table_filled_from_every_row_leaves_no_orphans() -> None:
    key = (
        'ALTER TABLE "UserRole" ADD CONSTRAINT "UserRole_role_fkey" FOREIGN KEY ("role") '
        'REFERENCES "Role"("name");'
    )
    filled = judge('INSERT INTO "Role" ("name") SELECT DISTINCT "role" FROM "UserRole";\n' + key)
    assert "this migration first fills Role from every row of UserRole (line 1)" in detail(
        filled, ImpactTag.FK_ADDED_EXISTING_TABLE
    )
    # a filtered copy leaves the other rows' values out
    some = judge(
        'INSERT INTO "Role" ("name") SELECT DISTINCT "role" FROM "UserRole" WHERE x;\n' + key
    )
    assert detail(some, ImpactTag.FK_ADDED_EXISTING_TABLE).endswith("fails on orphaned rows")


def test_a_table_the_range_created_and_filled_is_unknown_to_released_code_but_holds_rows() -> None:
    earlier = [
        "CREATE TABLE usage_runs (id int, amount int, note text);",
        "INSERT INTO usage_runs SELECT id, amount, note FROM invoices;",
    ]
    dropped = judge("ALTER TABLE usage_runs DROP COLUMN note;", earlier=earlier)
    assert tags(dropped) == ["destructive_drop_column"]
    assert detail(dropped, ImpactTag.DESTRUCTIVE_DROP_COLUMN) == (
        "drops column usage_runs.note: usage_runs was created by 0000 earlier in this range, so "
        "no released code reads it, but rows were inserted by 0001 earlier in this range: the "
        "values they hold there are lost"
    )
    renamed = judge("ALTER TABLE usage_runs RENAME COLUMN note TO memo;", earlier=earlier)
    assert tags(renamed) == ["mitigated"]
    assert "no released code uses it" in detail(renamed, ImpactTag.MITIGATED)
    required = judge(
        "ALTER TABLE usage_runs ADD COLUMN kind text NOT NULL DEFAULT 'flat';"
        "ALTER TABLE usage_runs ALTER COLUMN kind DROP DEFAULT;",
        earlier=earlier,
    )
    assert ImpactTag.BACKWARD_INCOMPATIBLE.value not in tags(required)


def test_a_primary_key_dropped_and_added_again_under_its_name_holds() -> None:
    # Alembic: drop_constraint('alias_pkey', type_='primary'), then create_primary_key
    renamed = judge(
        "ALTER TABLE alias DROP CONSTRAINT alias_pkey;"
        "ALTER TABLE alias ADD CONSTRAINT alias_pkey PRIMARY KEY (email);"
    )
    assert ImpactTag.UNIQUE_ON_EXISTING_DATA.value not in tags(renamed)
    assert "a primary key of the same name, presumably on the same columns" in detail(
        renamed, ImpactTag.MITIGATED
    )
    other = judge(
        "ALTER TABLE alias DROP CONSTRAINT alias_pkey;"
        "ALTER TABLE alias ADD CONSTRAINT alias_email_pkey PRIMARY KEY (email);"
    )
    assert ImpactTag.UNIQUE_ON_EXISTING_DATA.value in tags(other)


def test_a_column_added_with_a_fill_default_then_dropped_holds_that_default() -> None:
    # Django's AddField with a default: ADD COLUMN … DEFAULT '' NOT NULL, then DROP DEFAULT
    judged = judge(
        "ALTER TABLE runs ADD COLUMN language varchar(2) DEFAULT '' NOT NULL;"
        "ALTER TABLE runs ALTER COLUMN language DROP DEFAULT;"
        "CREATE UNIQUE INDEX runs_language ON runs (course_id, language);"
    )
    assert "unique_on_existing_data" in tags(judged)
    assert "hold NULL" not in " ".join(i.detail for i in judged.data_impact)


def test_rows_soft_deleted_first_are_left_out_of_a_partial_unique_index() -> None:
    index = "CREATE UNIQUE INDEX exports_one ON exports (user_id, kind) WHERE deleted_at IS NULL;"
    marked = judge(
        "UPDATE exports SET deleted_at = now() WHERE id NOT IN "
        "(SELECT MIN(id) FROM exports GROUP BY user_id, kind);\n" + index
    )
    assert "first sets deleted_at in some rows of exports" in detail(marked, ImpactTag.MITIGATED)
    restored = judge("UPDATE exports SET deleted_at = NULL WHERE kind = 'csv';\n" + index)
    assert "unique_on_existing_data" in tags(restored)
