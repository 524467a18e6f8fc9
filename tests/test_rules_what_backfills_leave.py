"""What a backfill or a DELETE before a constraint really leaves in the rows: a copy of a
column that allows NULL keeps its NULLs, a DELETE of soft-deleted rows keeps duplicates."""

from __future__ import annotations

from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations
from harvester.model import ImpactTag
from tests.support.judging import detail, judge, tags

_BASE = "CREATE TABLE member (id int PRIMARY KEY, team_id text, owner_id text NOT NULL);"


def test_a_not_null_after_copying_a_column_that_allows_null_is_not_mitigated() -> None:
    judged = judge(
        "ALTER TABLE member ADD COLUMN scope_id text;\n"
        "UPDATE member SET scope_id = team_id;\n"
        "ALTER TABLE member ALTER COLUMN scope_id SET NOT NULL;",
        base=_BASE,
    )
    assert "mitigated" not in tags(judged)
    assert detail(judged, ImpactTag.NOT_NULL_ON_EXISTING_COLUMN) == (
        "member.scope_id SET NOT NULL: ACCESS EXCLUSIVE lock while PostgreSQL scans member; "
        "fails if any row is NULL: the backfill by this migration copies member.team_id into "
        "it, and team_id allows NULL"
    )


def test_a_not_null_after_copying_a_not_null_column_stays_mitigated() -> None:
    judged = judge(
        "ALTER TABLE member ADD COLUMN scope_id text;\n"
        "UPDATE member SET scope_id = owner_id;\n"
        "ALTER TABLE member ALTER COLUMN scope_id SET NOT NULL;",
        base=_BASE,
    )
    assert detail(judged, ImpactTag.MITIGATED) == (
        "member.scope_id: backfilled by this migration, so NULLs are unlikely"
    )


def test_a_copy_of_a_column_the_range_does_not_define_is_hedged() -> None:
    judged = judge(
        "UPDATE member SET scope_id = team_id;\n"
        "ALTER TABLE member ALTER COLUMN scope_id SET NOT NULL;"
    )
    assert "mitigated" not in tags(judged)
    assert detail(judged, ImpactTag.NOT_NULL_ON_EXISTING_COLUMN).endswith(
        "copies member.team_id into it, so rows where team_id is NULL stay NULL"
    )


def test_a_delete_of_soft_deleted_rows_does_not_remove_duplicates() -> None:
    for dialect in (ops.Dialect.POSTGRESQL, ops.Dialect.SQLITE):
        judged = judge(
            'DELETE FROM "member" WHERE "removed_at" IS NOT NULL;\n'
            'CREATE UNIQUE INDEX "member_team_owner" ON "member" ("team_id", "owner_id");',
            dialect,
        )
        assert "unique_on_existing_data" in tags(judged), dialect


def test_a_delete_that_keeps_one_row_per_key_may_remove_duplicates() -> None:
    judged = judge(
        "DELETE FROM member WHERE id NOT IN (SELECT min(id) FROM member GROUP BY team_id);\n"
        "CREATE UNIQUE INDEX member_team ON member (team_id);"
    )
    assert "unique_on_existing_data" not in tags(judged)
    assert "presumably the duplicates" in detail(judged, ImpactTag.MITIGATED)


def test_is_not_null_is_not_read_as_deleting_the_null_rows() -> None:
    for dialect in (ops.Dialect.POSTGRESQL, ops.Dialect.SQLITE, ops.Dialect.MYSQL):
        (delete,) = sql_operations("DELETE FROM t WHERE x IS NOT NULL;", dialect).operations
        assert isinstance(delete, ops.DataChange) and delete.columns == (), dialect


def test_a_rebuild_whose_copy_filters_rows_loses_the_others() -> None:
    judged = judge(
        'CREATE TABLE "new_member" ("id" INTEGER NOT NULL PRIMARY KEY, "owner_id" TEXT);\n'
        'INSERT INTO "new_member" ("id", "owner_id") SELECT "id", "owner_id" FROM "member" '
        'WHERE "removed_at" IS NULL;\n'
        'DROP TABLE "member";\n'
        'ALTER TABLE "new_member" RENAME TO "member";',
        ops.Dialect.SQLITE,
        base="CREATE TABLE member (id INTEGER PRIMARY KEY, owner_id TEXT, removed_at DATETIME);",
    )
    assert detail(judged, ImpactTag.DATA_DELETE) == (
        'the rebuild of member copies only its rows WHERE "removed_at" IS NULL: the other rows '
        "are lost"
    )
    assert detail(judged, ImpactTag.TABLE_REBUILD).endswith(
        "SQLite copies the kept rows into the new table, holding the database write lock"
    )


def test_a_rebuild_that_copies_every_row_loses_none() -> None:
    judged = judge(
        'CREATE TABLE "new_member" ("id" INTEGER NOT NULL PRIMARY KEY, "owner_id" TEXT);\n'
        'INSERT INTO "new_member" ("id", "owner_id") SELECT "id", "owner_id" FROM "member";\n'
        'DROP TABLE "member";\n'
        'ALTER TABLE "new_member" RENAME TO "member";',
        ops.Dialect.SQLITE,
        base="CREATE TABLE member (id INTEGER PRIMARY KEY, owner_id TEXT);",
    )
    assert "data_delete" not in tags(judged)
