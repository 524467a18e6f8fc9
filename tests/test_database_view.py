"""Database Changes as Markdown lines: risks worded the same are one line, and a deleted
migration's status does not carry why it once failed to parse."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harvester.model import (
    ChangeKind,
    Database,
    DatabaseSystem,
    Finding,
    Impact,
    ImpactTag,
    Migration,
    Problem,
    SchemaSnapshot,
    TableChange,
)
from harvester.render.database_view import (
    data_impact,
    migration_status,
    no_schema_updates,
    schema_updates,
)

DELETED = "migration file deleted: databases that ran it keep its changes"


def _added(migration_id: str, dialect: str, order: int, **facts: Any) -> Migration:
    return Migration(
        id=migration_id,
        system="golang-migrate",
        dialect=dialect,
        path=f"migrations/{dialect}/{migration_id}.up.sql",
        down_path=None,
        change=ChangeKind.ADDED,
        order=order,
        released=False,
        **facts,
    )


def _deleted(migration_id: str, dialect: str, order: int) -> Migration:
    return replace(
        _added(migration_id, dialect, order),
        change=ChangeKind.DELETED,
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
    drop = Impact(ImpactTag.DESTRUCTIVE_DROP_TABLE, "DROP TABLE users: rows lost")
    dropped = _added("6_drop_users", "mysql", 6, data_impact=(drop,))
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
    migration = _added("0002_tree", "postgresql", 2, schema_changes=changes)
    assert schema_updates(Database(migrations=(migration,))) == [
        "  - `tag`",
        "    - 2 columns added: `depth integer NOT NULL DEFAULT 0 (fills existing rows; dropped "
        "after)`, `path text NOT NULL DEFAULT '' (fills existing rows; dropped after)` — "
        "`0002_tree`",
        "    - column altered: `kind DROP DEFAULT` — `0002_tree`",
    ]


def test_one_column_altered_in_several_steps_is_counted_once() -> None:
    changes = (
        TableChange("doc", "columns_altered", "doc.created timestamp -> date"),
        TableChange("doc", "columns_altered", "doc.created SET NOT NULL"),
        TableChange("doc", "columns_altered", "doc.title SET NOT NULL"),
    )
    migration = _added("0003_dates", "postgresql", 3, schema_changes=changes)
    assert schema_updates(Database(migrations=(migration,)))[1] == (
        "    - 2 columns altered: `created timestamp -> date`, `created SET NOT NULL`, "
        "`title SET NOT NULL` — `0003_dates`"
    )


def test_a_reformat_finding_is_not_repeated_by_the_calm_line() -> None:
    calm = Impact(ImpactTag.FORMAT_ONLY_CHANGE, "released migration reformatted")
    reformatted = replace(_added("1_users", "mysql", 1), released=True, data_impact=(calm,))
    finding = Finding(ImpactTag.FORMAT_ONLY_CHANGE, "1 released migration file reformatted")
    alone = data_impact(Database(migrations=(reformatted,)))
    assert alone == ["  - **format_only_change** for 1 migration: `1_users`"]
    with_finding = data_impact(Database(migrations=(reformatted,), findings=(finding,)))
    assert with_finding == [
        "  - **format_only_change** — 1 released migration file reformatted",
    ]


def test_a_migration_a_finding_names_is_not_in_the_calm_line() -> None:
    calm = (Impact(ImpactTag.NONE, "nothing that needs a reviewer's eye"),)
    older = replace(_added("2_paused", "mysql", 2), data_impact=calm)
    other = replace(_added("3_index", "mysql", 3), data_impact=calm)
    finding = Finding(
        ImpactTag.OUT_OF_ORDER,
        "2_paused has version 2, older than 5 already at the base",
        (older.path,),
    )
    assert data_impact(Database(migrations=(older, other), findings=(finding,))) == [
        "  - **out_of_order** — 2\\_paused has version 2, older than 5 already at the base",
        "  - **none** for 1 migration: `3_index`",
    ]


def test_a_finding_about_a_migration_replaces_its_own_line() -> None:
    edited = Impact(ImpactTag.MODIFIED_EXISTING_MIGRATION, "already released migration edited")
    migration = replace(
        _added("3_orders", "mysql", 3),
        change=ChangeKind.MODIFIED,
        released=True,
        data_impact=(edited,),
    )
    finding = Finding(
        ImpactTag.MODIFIED_EXISTING_MIGRATION,
        "flyway (mysql) 3_orders: already released migration edited; Flyway's validate fails",
        (migration.path,),
    )
    assert data_impact(Database(migrations=(migration,), findings=(finding,))) == [
        "  - **modified_existing_migration** — flyway (mysql) 3\\_orders: already released "
        "migration edited; Flyway's validate fails"
    ]


def test_migrations_moved_unchanged_with_their_ids_are_one_line() -> None:
    moved = [
        replace(_added(f"{n}_step", "mysql", n), change=ChangeKind.RENAMED, released=True)
        for n in (1, 2, 3)
    ]
    database = Database(
        systems=(DatabaseSystem("golang-migrate", "mysql", "migrations/mysql"),),
        migrations=(
            *(replace(m, format_only=True) for m in moved),
            replace(moved[0], id="4_step", order=4),  # moved and edited: its own line
            _added("5_step", "mysql", 5),
        ),
    )
    (_, folded, edited, added) = migration_status(database)
    assert folded == (
        "    - 3 released migrations moved here with their ids and statements unchanged "
        "(`1_step` … `3_step`): databases that ran them do not run them again"
    )
    assert edited.startswith("    4. `4_step` — renamed;")
    assert added.startswith("    5. `5_step` — added;")


def test_released_migrations_reformatted_alike_are_one_line() -> None:
    edited = [
        replace(_added(f"{n}_step", "mysql", n), change=ChangeKind.MODIFIED, released=True)
        for n in (1, 2, 3, 4)
    ]
    database = Database(
        systems=(DatabaseSystem("golang-migrate", "mysql", "migrations/mysql"),),
        migrations=(*(replace(m, format_only=True) for m in edited[:3]), edited[3]),
    )
    (_, folded, changed) = migration_status(database)
    assert folded == (
        "    - 3 released migrations reformatted (`1_step` … `3_step`): what they run is "
        "unchanged, and databases that ran them do not run them again"
    )
    assert changed.startswith("    4. `4_step` — ")


def test_a_statement_that_will_fail_leads_the_data_impact() -> None:
    failing = replace(
        _added("3_index", "postgresql", 3),
        problems=(
            Problem("p", "will fail: CREATE INDEX CONCURRENTLY cannot run in a transaction"),
        ),
        data_impact=(Impact(ImpactTag.LOCK_HEAVY_INDEX, "CREATE INDEX i ON t"),),
    )
    database = Database(
        systems=(DatabaseSystem("golang-migrate", "postgresql", "migrations/postgresql"),),
        migrations=(failing,),
    )
    first, second = data_impact(database)[:2]
    assert first == (
        "  - **will fail** — CREATE INDEX CONCURRENTLY cannot run in a transaction "
        "(golang-migrate (postgresql) 3\\_index)"
    )
    assert second.startswith("  - **lock_heavy_index**")


def test_no_schema_update_says_whether_the_migrations_change_rows() -> None:
    backfill = Impact(ImpactTag.DATA_BACKFILL, "UPDATE alerts SET options: rewrites every row")
    rows_only = _added("1_fix_options", "postgresql", 1, data_impact=(backfill,))
    assert no_schema_updates(Database(migrations=(rows_only,))) == (
        "none: the range's migrations make no schema change; they change rows (see Data Impact)"
    )
    calm = _added("2_noop", "postgresql", 2, data_impact=(Impact(ImpactTag.NONE, "nothing"),))
    assert no_schema_updates(Database(migrations=(calm,))) == (
        "none: the range's migrations make no schema change"
    )
    assert no_schema_updates(Database()) == (
        "none: no migration or schema snapshot changed in this range"
    )


def test_no_schema_update_is_not_claimed_over_operations_not_analysed() -> None:
    """Tables named at run time (f'{prefix}users') are not read: their migration may change
    the schema, so Schema Updates says the changes are not known instead of `none`."""
    unread = Impact(
        ImpactTag.RAW_SQL,
        "line 28: not analysed: op.create_table(…) on names chosen at run time (f'{p}users')",
    )
    backfill = Impact(ImpactTag.DATA_BACKFILL, "UPDATE alerts SET options: rewrites every row")
    prefixed = _added("1_initial", "postgresql", 1, data_impact=(unread, unread))
    rows_only = _added("2_fix_options", "postgresql", 2, data_impact=(backfill,))
    assert no_schema_updates(Database(migrations=(prefixed, rows_only))) == (
        "not known: 1 migration runs operations harvester could not analyse "
        "(1_initial; see Data Impact)"
    )
    gone = replace(prefixed, change=ChangeKind.DELETED)
    assert no_schema_updates(Database(migrations=(gone, rows_only))).startswith("none: ")


def test_raw_sql_worded_the_same_in_one_migration_is_one_line() -> None:
    """Dozens of calls on run-time names differ only by line and name: one line each, with a
    count, the first lines and the first names; a statement worded differently keeps its own."""
    tables = ["audit_logs", "audit_logs", "users", "clients", "roles"]
    index_calls = tuple(
        Impact(
            ImpactTag.RAW_SQL,
            f"line {10 + 6 * n}: not analysed: op.create_index(…) on names chosen at run time "
            f"(f'{{prefix}}{table}')",
        )
        for n, table in enumerate(tables)
    )
    function = Impact(ImpactTag.RAW_SQL, "line 90: not analysed: CREATE FUNCTION f()")
    initial = _added("1_initial", "postgresql", 1, data_impact=(*index_calls, function))
    lines = data_impact(Database(migrations=(initial,)))
    assert lines == [
        "  - **raw_sql** — 5 times, lines 10, 16, 22 and 2 more: not analysed: "
        "op.create\\_index(…) on names chosen at run time (f'{prefix}audit\\_logs', "
        "f'{prefix}users', f'{prefix}clients' and 1 more) "
        "(golang-migrate (postgresql) 1\\_initial)",
        "  - **raw_sql** — line 90: not analysed: CREATE FUNCTION f() "
        "(golang-migrate (postgresql) 1\\_initial)",
    ]


def test_mitigated_lines_alike_but_for_the_column_are_one_line() -> None:
    created = "(created by 1_charges earlier in this range): no released data is lost"
    drops = tuple(
        Impact(ImpactTag.MITIGATED, f"drops charges.{column} {created}")
        for column in ("status", "amount", "currency", "note")
    )
    other = Impact(ImpactTag.MITIGATED, f"drops invoices.status {created}")
    refactor = _added("2_refactor", "postgresql", 2, data_impact=(*drops, other))
    assert data_impact(Database(migrations=(refactor,))) == [
        "  - **mitigated** — drops 4 columns of charges (status, amount, currency and 1 more) "
        "(created by 1\\_charges earlier in this range): no released data is lost "
        "(golang-migrate (postgresql) 2\\_refactor)",
        "  - **mitigated** — drops invoices.status (created by 1\\_charges earlier in this "
        "range): no released data is lost (golang-migrate (postgresql) 2\\_refactor)",
    ]


def test_a_tree_does_not_list_the_migrations_of_a_tree_nested_in_it() -> None:
    def go(path: str, change: ChangeKind, order: int) -> Migration:
        return Migration(
            id=path.rsplit("/", 1)[-1].removesuffix(".go"),
            system="go",
            dialect=None,
            path=path,
            down_path=None,
            change=change,
            order=order,
            released=True,
            parsed=False,
        )

    database = Database(
        (DatabaseSystem("go", None, "migrations"), DatabaseSystem("go", None, "migrations/logs")),
        (
            go("migrations/1_init.go", ChangeKind.MODIFIED, 1),
            go("migrations/2_users.go", ChangeKind.DELETED, 2),
            go("migrations/logs/1_init.go", ChangeKind.DELETED, 1),
            go("migrations/logs/2_ip.go", ChangeKind.DELETED, 2),
        ),
        (),
        (),
    )
    assert [line.split(" — ")[0] for line in migration_status(database)] == [
        "  - go in `migrations/`:",
        "    1. `1_init`",
        "    2. `2_users`",
        "  - go in `migrations/logs/`:",
        "    1. `1_init`",
        "    2. `2_ip`",
    ]


def test_a_snapshot_changed_without_migrations_is_no_all_clear() -> None:
    snapshot = SchemaSnapshot("db/schema.sql", "sql", ChangeKind.MODIFIED, ("table audit added",))
    database = Database((DatabaseSystem("sql", None, "db/migrations"),), (), (), (snapshot,))
    assert data_impact(database) == [
        "  - not known: schema snapshot `db/schema.sql` changed without a migration file "
        "harvester reads; the migrations may be written in code harvester does not read"
    ]
    assert data_impact(Database((), (), (), ())) == []
