"""Down steps judged against their up steps: missing, empty, lossy, or undoing other objects."""

from __future__ import annotations

from harvester.migrations.schema import ops
from harvester.migrations.schema.downs import down_impacts
from harvester.migrations.sql import sql_operations
from harvester.model import ImpactTag
from tests.support.judging import detail, judge, tags


def parsed(up: str, down: str | None, declared: bool = True) -> ops.ParsedMigration:
    def step(sql: str) -> ops.Step:
        return ops.Step(sql_operations(sql, ops.Dialect.POSTGRESQL).operations)

    return ops.ParsedMigration(
        "m", "m.up.sql", step(up), step(down) if down is not None else None, down_declared=declared
    )


def test_missing_down_in_a_system_with_downs_is_irreversible() -> None:
    found = down_impacts(parsed("CREATE TABLE t (id int);", None, declared=False))
    assert [(i.tag, i.detail) for i in found] == [
        (
            ImpactTag.IRREVERSIBLE,
            "no down step that can run: rolling back raises, so reverting needs a hand-written fix",
        )
    ]


def test_systems_without_downs_by_design_are_not_flagged() -> None:
    assert down_impacts(parsed("CREATE TABLE t (id int);", None, declared=True)) == []


def test_empty_down_is_irreversible() -> None:
    found = down_impacts(parsed("ALTER TABLE t ADD COLUMN c int;", "-- nothing\n"))
    assert [i.tag for i in found] == [ImpactTag.IRREVERSIBLE]


def test_down_that_undoes_the_up_is_clean() -> None:
    up = "CREATE TABLE t (id int); CREATE INDEX t_id ON t (id); ALTER TABLE u ADD COLUMN c int;"
    down = "ALTER TABLE u DROP COLUMN c; DROP TABLE t;"
    assert down_impacts(parsed(up, down)) == []


def test_down_touching_another_column_is_a_bug_with_evidence() -> None:
    found = down_impacts(
        parsed(
            "ALTER TABLE users ADD COLUMN phone_number text;",
            "ALTER TABLE users DROP COLUMN phone;",
        )
    )
    assert [(i.tag, i.detail) for i in found] == [
        (
            ImpactTag.DOWN_MIGRATION_BUG,
            "the down step does not undo the up step: it leaves column users.phone_number; "
            "it drops users.phone (not in the up step)",
        )
    ]


def test_down_after_table_renames_uses_the_new_names() -> None:
    up = 'ALTER TABLE "a" RENAME COLUMN "x" TO "y";\nALTER TABLE "a" RENAME TO "b";'
    down = 'ALTER TABLE "b" RENAME COLUMN "y" TO "x";\nALTER TABLE "b" RENAME TO "a";'
    assert down_impacts(parsed(up, down)) == []


def test_lossy_up_cannot_be_restored_by_its_down() -> None:
    found = down_impacts(parsed("ALTER TABLE t DROP COLUMN c;", "ALTER TABLE t ADD COLUMN c int;"))
    assert [(i.tag, i.detail) for i in found] == [
        (
            ImpactTag.IRREVERSIBLE,
            "the down step can recreate t.c but not the data the up step drops",
        )
    ]


def test_enum_value_cannot_be_removed_on_the_way_down() -> None:
    found = down_impacts(
        parsed("ALTER TYPE role ADD VALUE 'owner';", "SELECT 1; UPDATE x SET a = 1;")
    )
    assert [i.tag for i in found] == [ImpactTag.IRREVERSIBLE]


def test_down_checks_come_through_the_rules() -> None:
    judged = judge(
        "CREATE INDEX CONCURRENTLY idx_a ON t (a);",
        down="DROP INDEX CONCURRENTLY idx_b;",
        downs_by_design=True,
    )
    assert tags(judged) == ["down_migration_bug"]


def test_a_down_step_that_writes_the_rows_back_is_not_called_lossy() -> None:
    lossy = parsed("DROP TABLE scans;", "CREATE TABLE scans (id int);")
    refilled = parsed(
        "DROP TABLE scans;",
        "CREATE TABLE scans (id int); INSERT INTO scans SELECT id FROM scan_results;",
    )
    assert [i.tag for i in down_impacts(lossy)] == [ImpactTag.IRREVERSIBLE]
    assert down_impacts(refilled) == []


def test_a_table_dropped_if_exists_and_created_again_is_the_up_steps_own() -> None:
    found = down_impacts(
        parsed(
            "DROP TABLE IF EXISTS archives; CREATE TABLE archives (id int);",
            "DROP TABLE IF EXISTS archives;",
        )
    )
    assert found == []


def test_dropping_a_column_drops_the_checks_and_indexes_on_it() -> None:
    found = down_impacts(
        parsed(
            "ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ADD CONSTRAINT ck_t_c CHECK (c > 0);"
            " CREATE INDEX ix_t_c ON t (c);",
            "ALTER TABLE t DROP COLUMN c;",
        )
    )
    assert found == []


def test_table_names_that_differ_only_in_case_are_one_table() -> None:
    # a text recogniser keeps `IDENTITIES` as written; PostgreSQL's parser folds `identities`
    migration = ops.ParsedMigration(
        "m",
        "m.py",
        ops.Step((ops.CreateTable("IDENTITIES", (ops.ColumnDef("id", "String"),)),)),
        ops.Step((ops.DropTable("identities", if_exists=True),)),
    )
    assert down_impacts(migration) == []


def test_a_one_way_backfill_of_what_the_down_step_drops_is_undone_with_it() -> None:
    def one_way(table: str, *columns: str) -> ops.DataChange:
        return ops.DataChange(
            ops.DataChangeKind.CODE, table, "fill()", reversible=False, columns=columns
        )

    staff = ops.ColumnDef("is_staff", "boolean")
    up = ops.Step(
        (
            ops.CreateTable("statuses", (ops.ColumnDef("id", "int"),)),
            one_way("statuses"),
            ops.AddColumn("users", staff),
            one_way("users", "is_staff"),
        )
    )
    down = ops.Step((ops.DropColumn("users", "is_staff"), ops.DropTable("statuses")))
    assert down_impacts(ops.ParsedMigration("m", "m.py", up, down)) == []
    # a backfill of a column the migration keeps is still one way
    kept = ops.Step((*up.operations, one_way("users", "is_staff", "name")))
    found = down_impacts(ops.ParsedMigration("m", "m.py", kept, down))
    assert [i.tag for i in found] == [ImpactTag.IRREVERSIBLE]


def test_a_view_replaced_by_a_renamed_table_is_restored_by_dropping_the_table() -> None:
    up = (
        "CREATE TABLE new_rankings (team_id bigint PRIMARY KEY, points int);"
        " CREATE INDEX ix_rankings_points ON new_rankings (points);"
        " DROP MATERIALIZED VIEW rankings;"
        " ALTER TABLE new_rankings RENAME TO rankings;"
    )
    down = (
        "DROP TABLE rankings;"
        " CREATE MATERIALIZED VIEW rankings AS SELECT team_id, sum(points) AS points"
        " FROM results GROUP BY team_id;"
        " CREATE UNIQUE INDEX ix_rankings_team ON rankings (team_id);"
    )
    assert down_impacts(parsed(up, down)) == []
    judged = judge(up, down=down, downs_by_design=True)
    assert tags(judged) == ["view_dropped_recreated"]


def test_mysql_drop_primary_key_undoes_an_unnamed_add_primary_key() -> None:
    up = "ALTER TABLE schema_migrations ADD PRIMARY KEY (version);"
    judged = judge(up, ops.Dialect.MYSQL, down="ALTER TABLE schema_migrations DROP PRIMARY KEY;")
    assert "down_migration_bug" not in tags(judged)
    kept = judge(up, ops.Dialect.MYSQL, down="UPDATE schema_migrations SET version = version;")
    assert "leaves a primary key on schema_migrations" in detail(kept, ImpactTag.DOWN_MIGRATION_BUG)


def test_a_primary_key_is_undone_by_its_name_its_table_or_its_column() -> None:
    up = (
        "CREATE TABLE activity (id text NOT NULL, detail text);"
        "ALTER TABLE activity ADD CONSTRAINT activity_pkey PRIMARY KEY (id);"
    )
    by_name = "ALTER TABLE activity DROP CONSTRAINT activity_pkey; DROP TABLE activity;"
    assert down_impacts(parsed(up, by_name)) == []
    assert down_impacts(parsed(up, "DROP TABLE activity;")) == []
    added = "ALTER TABLE grants ADD CONSTRAINT grants_pkey PRIMARY KEY (id);"
    column = "ALTER TABLE grants DROP COLUMN id;"
    assert down_impacts(parsed("ALTER TABLE grants ADD COLUMN id int;" + added, column)) == []
    constraint = ops.DropConstraint("grants", "grants_pkey")  # Alembic, without type_
    migration = parsed(added, "SELECT 1;")
    down = ops.Step((constraint,))
    assert down_impacts(ops.ParsedMigration("m", "m.py", migration.up, down)) == []


def test_an_index_the_up_step_drops_and_creates_again_was_there_before() -> None:
    up = (
        "DROP INDEX gates_key_value;"
        "ALTER TABLE gates ALTER COLUMN value TYPE text;"
        "CREATE UNIQUE INDEX gates_key_value ON gates (key, value);"
    )
    down = "ALTER TABLE gates ALTER COLUMN value TYPE varchar(255);"
    assert down_impacts(parsed(up, down)) == []
    new = "ALTER TABLE gates ALTER COLUMN value TYPE text; CREATE INDEX g_v ON gates (value);"
    assert [i.tag for i in down_impacts(parsed(new, down))] == [ImpactTag.DOWN_MIGRATION_BUG]


def test_a_view_created_or_replaced_by_the_up_step_may_be_dropped_by_the_down_step() -> None:
    up = "CREATE OR REPLACE VIEW active_users AS SELECT id FROM users WHERE active;"
    assert down_impacts(parsed(up, "DROP VIEW active_users;")) == []


def test_a_check_the_up_step_removes_again_needs_no_undo() -> None:
    # strong_migrations' NOT NULL recipe: the CHECK only lets SET NOT NULL skip its scan
    up = (
        "ALTER TABLE wallets ADD CONSTRAINT wallets_priority_not_null "
        "CHECK (priority IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE wallets VALIDATE CONSTRAINT wallets_priority_not_null;\n"
        "ALTER TABLE wallets ALTER COLUMN priority SET NOT NULL;\n"
        "ALTER TABLE wallets DROP CONSTRAINT wallets_priority_not_null;"
    )
    down = "ALTER TABLE wallets ALTER COLUMN priority DROP NOT NULL;"
    assert down_impacts(parsed(up, down)) == []


def test_an_enum_value_is_taken_back_by_recreating_the_type() -> None:
    up = "ALTER TYPE role_enum ADD VALUE IF NOT EXISTS 'ADMIN';"
    down = (
        "UPDATE shares SET role = 'VIEWER' WHERE role = 'ADMIN';\n"
        "ALTER TABLE shares ALTER COLUMN role TYPE TEXT;\n"
        "DROP TYPE IF EXISTS role_enum;\n"
        "CREATE TYPE role_enum AS ENUM ('VIEWER', 'OWNER');\n"
        "ALTER TABLE shares ALTER COLUMN role TYPE role_enum USING role::role_enum;"
    )
    assert down_impacts(parsed(up, down)) == []


def test_dropping_an_enum_the_up_step_only_extended_is_still_a_bug() -> None:
    found = down_impacts(parsed("ALTER TYPE role_enum ADD VALUE 'ADMIN';", "DROP TYPE role_enum;"))
    assert ImpactTag.DOWN_MIGRATION_BUG in [i.tag for i in found]


def test_a_foreign_key_goes_with_the_column_the_down_step_drops() -> None:
    # Rails: `t.references :login_session, foreign_key: …` up; `t.remove :login_session_id` down
    key = ops.ForeignKey(("login_session_id",), "login_sessions", ("id",), name="fk_rails_8947")
    up = (
        ops.AddColumn("users", ops.ColumnDef("login_session_id", "uuid")),
        ops.AddConstraint(
            "users",
            ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, "fk_rails_8947", foreign_key=key),
        ),
    )
    down = (ops.DropColumn("users", "login_session_id"),)
    parsed = ops.ParsedMigration("m", "m", ops.Step(up), down=ops.Step(down))
    assert [i.tag for i in down_impacts(parsed)] == []
