"""Database Changes as Markdown lines: risks worded the same are one line, and a deleted
migration's status does not carry why it once failed to parse."""

from __future__ import annotations

from harvester.model import (
    ChangeKind,
    Database,
    DatabaseSystem,
    Impact,
    ImpactTag,
    Migration,
    Problem,
    TableChange,
)
from harvester.render.database_view import data_impact, migration_status, schema_updates

DELETED = "migration file deleted: databases that ran it keep its changes"


def _deleted(migration_id: str, dialect: str, order: int) -> Migration:
    return Migration(
        id=migration_id,
        system="golang-migrate",
        dialect=dialect,
        path=f"migrations/{dialect}/{migration_id}.up.sql",
        down_path=None,
        change=ChangeKind.DELETED,
        order=order,
        released=True,
        data_impact=(Impact(ImpactTag.MODIFIED_EXISTING_MIGRATION, DELETED),),
        problems=(Problem(f"migrations/{dialect}/{migration_id}.up.sql", "not parsed: x"),),
    )


def test_the_same_risk_in_many_migrations_is_one_line() -> None:
    deleted = [
        _deleted(f"{n}_step", dialect, n)
        for dialect in ("mysql", "postgresql")
        for n in range(1, 6)
    ]
    dropped = Migration(
        id="6_drop_users",
        system="golang-migrate",
        dialect="mysql",
        path="migrations/mysql/6_drop_users.up.sql",
        down_path=None,
        change=ChangeKind.ADDED,
        order=6,
        released=False,
        data_impact=(Impact(ImpactTag.DESTRUCTIVE_DROP_TABLE, "DROP TABLE users: rows lost"),),
    )
    lines = data_impact(Database(migrations=(*deleted, dropped)))
    assert lines == [
        "  - **destructive_drop_table** — DROP TABLE users: rows lost "
        "(golang-migrate (mysql) 6\\_drop\\_users)",
        f"  - **modified_existing_migration** — {DELETED} (golang-migrate (mysql, postgresql), "
        "10 migrations: 1\\_step, 2\\_step, 3\\_step and 2 more)",
    ]


def test_one_migration_in_two_dialect_trees_stays_one_source() -> None:
    lines = data_impact(
        Database(migrations=(_deleted("1_step", "mysql", 1), _deleted("1_step", "sqlite", 1)))
    )
    assert lines == [
        f"  - **modified_existing_migration** — {DELETED} (golang-migrate (mysql, sqlite) 1\\_step)"
    ]


def test_a_deleted_migration_does_not_say_why_it_did_not_parse() -> None:
    database = Database(
        systems=(DatabaseSystem("golang-migrate", "mysql", "migrations/mysql"),),
        migrations=(_deleted("1_step", "mysql", 1),),
    )
    (heading, line) = migration_status(database)
    assert "migrations/mysql/" in heading
    assert "deleted; already released before this range" in line
    assert "not parsed" not in line


def test_a_fill_default_dropped_by_the_same_migration_is_one_change() -> None:
    changes = (
        TableChange("tag", "columns_added", "tag.depth integer NOT NULL DEFAULT 0"),
        TableChange("tag", "columns_altered", "tag.depth DROP DEFAULT"),
        TableChange("tag", "columns_added", "tag.path text NOT NULL DEFAULT ''"),
        TableChange("tag", "columns_altered", "tag.path DROP DEFAULT"),
        TableChange("tag", "columns_altered", "tag.kind DROP DEFAULT"),
    )
    migration = Migration(
        id="0002_tree",
        system="django",
        dialect="postgresql",
        path="tags/migrations/0002_tree.py",
        down_path=None,
        change=ChangeKind.ADDED,
        order=2,
        released=False,
        schema_changes=changes,
    )
    assert schema_updates(Database(migrations=(migration,))) == [
        "  - `tag`",
        "    - 2 columns added: `depth integer NOT NULL DEFAULT 0 (fills existing rows; dropped "
        "after)`, `path text NOT NULL DEFAULT '' (fills existing rows; dropped after)` — "
        "`0002_tree`",
        "    - column altered: `kind DROP DEFAULT` — `0002_tree`",
    ]
