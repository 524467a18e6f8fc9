"""Data-impact tags engine by engine: the same statement is judged by what each engine does."""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.schema import engines, ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.schema.ops import Dialect
from harvester.model import ChangeKind, ImpactTag, Migration
from tests.support.judging import detail, judge, migration_input, tags

PG, MYSQL, SQLITE, CH = Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.CLICKHOUSE


def test_index_build_locks_writes_on_postgresql_but_not_on_innodb() -> None:
    sql = "CREATE INDEX idx_event_created ON event (created_at);"
    assert tags(judge(sql, PG)) == ["lock_heavy_index"]
    assert "SHARE lock blocks writes to event" in detail(judge(sql, PG), ImpactTag.LOCK_HEAVY_INDEX)
    innodb = judge(sql, MYSQL)
    assert tags(innodb) == ["none"]
    assert "InnoDB builds it online (INPLACE, writes continue)" in innodb.data_impact[0].detail


def test_concurrent_index_is_not_a_lock_risk_but_fails_inside_a_transaction() -> None:
    judged = judge("CREATE INDEX CONCURRENTLY idx_a ON event (a);", PG)
    assert tags(judged) == ["none"]
    assert judged.indexes_added == ("idx_a ON event(a) CONCURRENTLY",)


def test_index_on_a_table_created_earlier_in_the_range_is_mitigated() -> None:
    judged = judge(
        "CREATE UNIQUE INDEX segment_name_key ON segment (name);",
        PG,
        earlier=["CREATE TABLE segment (id uuid PRIMARY KEY, name text);"],
    )
    assert tags(judged) == ["mitigated", "mitigated"]
    assert "segment was created by 0000 earlier in this range and holds no rows yet" in (
        judged.data_impact[0].detail
    )


def test_index_in_the_migration_that_creates_the_table_is_quiet() -> None:
    judged = judge("CREATE TABLE t (id int); CREATE INDEX t_id ON t (id);", PG)
    assert tags(judged) == ["none"]


def _renamed_index_table(migration: Migration) -> list[tuple[str, str]]:
    return [(c.table, c.text) for c in migration.schema_changes if c.category == "indexes_renamed"]


def test_an_index_renamed_with_alter_index_is_filed_under_its_table() -> None:
    rename = "ALTER INDEX outbox_key_idx RENAME TO outbox_group_idx;"
    earlier = judge(rename, PG, earlier=["CREATE INDEX outbox_key_idx ON outbox (key);"])
    assert _renamed_index_table(earlier) == [("outbox", "outbox_key_idx -> outbox_group_idx")]
    same_step = judge(f"ALTER TABLE outbox RENAME COLUMN key TO group_key; {rename}", PG)
    assert _renamed_index_table(same_step) == [("outbox", "outbox_key_idx -> outbox_group_idx")]
    at_base = judge(rename, PG, base="CREATE INDEX outbox_key_idx ON outbox (key);")
    assert _renamed_index_table(at_base) == [("outbox", "outbox_key_idx -> outbox_group_idx")]


def test_a_guarded_drop_of_an_index_nothing_created_reads_if_it_exists() -> None:
    drop = "DROP INDEX CONCURRENTLY IF EXISTS events_kind_idx;"
    unknown = judge(drop, PG, base="CREATE INDEX events_at_idx ON events (at);")
    assert unknown.indexes_dropped == ("events_kind_idx (if it exists)",)
    unnamed = judge(drop, PG, base="CREATE INDEX ON events (kind);")
    assert unnamed.indexes_dropped == ("events_kind_idx ON events",)
    assert "drops index events_kind_idx CONCURRENTLY, if it exists" in unknown.notes
    known = judge(drop, PG, base="CREATE INDEX events_kind_idx ON events (kind);")
    assert known.indexes_dropped == ("events_kind_idx ON events",)
    assert "drops index events_kind_idx CONCURRENTLY" in known.notes


def test_check_constraint_with_and_without_not_valid() -> None:
    assert tags(judge("ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0);", PG)) == [
        "check_constraint_validated"
    ]
    judged = judge("ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;", PG)
    assert tags(judged) == ["none"]
    assert judged.constraints_added == ("t: c CHECK (x > 0) NOT VALID",)


def test_constraints_added_name_their_table_unless_their_name_does() -> None:
    judged = judge(
        "CREATE TABLE api_token (id int, owner_id int,\n"
        "  FOREIGN KEY (owner_id) REFERENCES auth_user (id) ON DELETE CASCADE);\n"
        "CREATE TABLE api_hook (id int, owner_id int,\n"
        "  FOREIGN KEY (owner_id) REFERENCES auth_user (id) ON DELETE CASCADE);\n"
        "ALTER TABLE api_hook ADD CONSTRAINT api_hook_owner_fk FOREIGN KEY (owner_id)\n"
        "  REFERENCES auth_user (id);",
        PG,
    )
    assert judged.constraints_added == (
        "api_token: FOREIGN KEY (owner_id) -> auth_user.id ON DELETE CASCADE",
        "api_hook: FOREIGN KEY (owner_id) -> auth_user.id ON DELETE CASCADE",
        "api_hook_owner_fk FOREIGN KEY (owner_id) -> auth_user.id",
    )


def test_foreign_key_validation_and_not_valid() -> None:
    sql = (
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) "
        "REFERENCES users (id) ON DELETE CASCADE"
    )
    assert tags(judge(sql + ";", PG)) == ["fk_added_existing_table"]
    assert tags(judge(sql + " NOT VALID;", PG)) == ["none"]
    assert "ALGORITHM=COPY" in detail(judge(sql + ";", MYSQL), ImpactTag.FK_ADDED_EXISTING_TABLE)


def test_enum_value_added_depends_on_the_postgresql_version() -> None:
    sql = "ALTER TYPE role ADD VALUE 'owner';"
    assert "cannot be used in the same transaction" in detail(
        judge(sql), ImpactTag.ENUM_VALUE_ADDED
    )
    old = judge(sql, versions={PG: "11"})
    assert "before 12 refuses" in detail(old, ImpactTag.ENUM_VALUE_ADDED)


def test_values_added_to_one_enum_are_one_line() -> None:
    judged = judge(
        "ALTER TYPE op ADD VALUE 'like'; ALTER TYPE op ADD VALUE 'ilike';\n"
        "ALTER TYPE op ADD VALUE 'is'; ALTER TYPE kind ADD VALUE 'new';"
    )
    assert [(i.tag, i.detail) for i in judged.data_impact] == [
        (
            ImpactTag.ENUM_VALUE_ADDED,
            "adds 'like', 'ilike', 'is' to enum op: the new values cannot be used in the same "
            "transaction, and code of the previous release does not know them",
        ),
        (
            ImpactTag.ENUM_VALUE_ADDED,
            "adds 'new' to enum kind: the new value cannot be used in the same transaction, and "
            "code of the previous release does not know it",
        ),
    ]


def test_type_change_with_using_rewrites_and_may_fail_on_data() -> None:
    judged = judge("ALTER TABLE report ALTER COLUMN parameters TYPE jsonb USING parameters::jsonb;")
    assert tags(judged) == ["table_rewrite", "data_dependent"]
    assert judged.columns_altered == ("report.parameters TYPE JSONB USING parameters::jsonb",)


def test_changes_that_rewrite_one_table_are_one_rewrite_line_listing_them() -> None:
    judged = judge(
        'ALTER TABLE "User" ALTER COLUMN "createdOn" SET DATA TYPE TIMESTAMPTZ(3), '
        'ALTER COLUMN "seenOn" SET DATA TYPE TIMESTAMPTZ(3);\n'
        "ALTER TABLE releases ADD COLUMN sort_key text GENERATED ALWAYS AS (lower(v)) STORED, "
        "ADD COLUMN stable boolean GENERATED ALWAYS AS (v NOT LIKE '%-%') STORED;",
        earlier=['ALTER TABLE "User" ADD "createdOn" TIMESTAMP(3), ADD "seenOn" DATE;'],
    )
    assert [i.detail for i in judged.data_impact if i.tag is ImpactTag.TABLE_REWRITE] == [
        "User.createdOn TIMESTAMP(3) -> TIMESTAMPTZ(3); User.seenOn DATE -> TIMESTAMPTZ(3): "
        "PostgreSQL rewrites User and its indexes under an ACCESS EXCLUSIVE lock",
        "adds releases.sort_key; adds releases.stable: a stored generated column is computed "
        "for every existing row, rewriting releases under an ACCESS EXCLUSIVE lock",
    ]


def test_a_timestamp_moved_to_a_time_zone_cannot_fail_on_a_row() -> None:
    for using in ("\"at\" AT TIME ZONE 'UTC'", "pg_catalog.timezone('UTC', \"at\")"):
        judged = judge(
            f'ALTER TABLE "Log" ALTER COLUMN "at" SET DATA TYPE TIMESTAMPTZ(3) USING {using};',
            earlier=['ALTER TABLE "Log" ADD COLUMN "at" TIMESTAMP(3);'],
        )
        assert tags(judged) == ["table_rewrite"], using


def test_old_type_from_the_range_is_shown_and_a_new_table_mitigates() -> None:
    alter = "ALTER TABLE note ALTER COLUMN body TYPE varchar(500);"
    judged = judge(alter, earlier=["CREATE TABLE note (body varchar(200));"])
    assert judged.columns_altered == ("note.body VARCHAR(200) -> VARCHAR(500)",)
    assert tags(judged) == ["mitigated"]
    # rows inserted since it was created: the table is no longer empty
    seeded = judge(
        alter,
        earlier=["CREATE TABLE note (body varchar(200));", "INSERT INTO note VALUES ('x');"],
    )
    assert tags(seeded) == ["type_change_no_rewrite"]


def test_type_change_without_the_old_type_is_a_hedged_rewrite() -> None:
    judged = judge("ALTER TABLE note ALTER COLUMN body TYPE text;")
    assert tags(judged) == ["table_rewrite"]
    assert "old type is not in this range" in judged.data_impact[0].detail


def test_widening_a_varchar_the_range_added_does_not_rewrite() -> None:
    judged = judge(
        "ALTER TABLE note ALTER COLUMN body TYPE varchar(500);",
        earlier=["ALTER TABLE note ADD COLUMN body varchar(200);"],
    )
    assert judged.columns_altered == ("note.body VARCHAR(200) -> VARCHAR(500)",)
    assert tags(judged) == ["type_change_no_rewrite"]


def test_constant_default_is_metadata_only_since_postgresql_11_and_volatile_rewrites() -> None:
    constant = "ALTER TABLE t ADD COLUMN plan text NOT NULL DEFAULT 'free';"
    assert tags(judge(constant)) == ["none"]
    assert tags(judge(constant, versions={PG: "10.5"})) == ["table_rewrite"]
    volatile = judge("ALTER TABLE t ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();")
    assert tags(volatile) == ["table_rewrite"]


def test_not_null_column_without_default_fails_on_rows_except_on_a_new_table() -> None:
    assert tags(judge("ALTER TABLE t ADD COLUMN n int NOT NULL;")) == [
        "not_null_column_without_default"
    ]
    created = judge(
        "ALTER TABLE t ADD COLUMN n int NOT NULL;", earlier=["CREATE TABLE t (id int);"]
    )
    assert tags(created) == ["mitigated"]
    assert "SQLite refuses this even on an empty table" in detail(
        judge("ALTER TABLE t ADD COLUMN n INTEGER NOT NULL;", SQLITE),
        ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
    )


def test_add_column_default_then_drop_default_is_backward_incompatible() -> None:
    judged = judge(
        'ALTER TABLE "user" ADD COLUMN "plan" TEXT NOT NULL DEFAULT \'free\';\n'
        'ALTER TABLE "user" ALTER COLUMN "plan" DROP DEFAULT;'
    )
    assert tags(judged) == ["backward_incompatible"]
    assert "inserts by code of the previous release that omit plan fail" in (
        judged.data_impact[0].detail
    )


def test_set_not_null_scans_and_a_validated_check_mitigates() -> None:
    assert tags(judge("ALTER TABLE t ALTER COLUMN c SET NOT NULL;")) == [
        "not_null_on_existing_column"
    ]
    judged = judge(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
        earlier=[
            "ALTER TABLE t ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID;",
            "ALTER TABLE t VALIDATE CONSTRAINT c_not_null;",
        ],
    )
    assert tags(judged) == ["not_null_on_existing_column", "mitigated"]
    assert "lets PostgreSQL 12+ skip the scan" in judged.data_impact[1].detail
    assert "while PostgreSQL scans" not in judged.data_impact[0].detail


def test_a_check_added_before_the_range_and_validated_in_it_mitigates() -> None:
    # strong_migrations' NOT NULL in three migrations, the first one already released
    judged = judge(
        "ALTER TABLE payments ALTER COLUMN customer_id SET NOT NULL;",
        earlier=["ALTER TABLE payments VALIDATE CONSTRAINT payments_customer_id_null;"],
        base=(
            "CREATE TABLE payments (id bigint PRIMARY KEY, customer_id uuid);\n"
            "ALTER TABLE payments ADD CONSTRAINT payments_customer_id_null "
            "CHECK (customer_id IS NOT NULL) NOT VALID;"
        ),
    )
    assert [(i.tag, i.detail) for i in judged.data_impact] == [
        (
            ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
            "payments.customer_id SET NOT NULL: ACCESS EXCLUSIVE lock on payments, brief on "
            "PostgreSQL 12+ (the validated CHECK spares the scan)",
        ),
        (
            ImpactTag.MITIGATED,
            "payments.customer_id: a CHECK (customer_id IS NOT NULL) validated by 0000 earlier "
            "in this range lets PostgreSQL 12+ skip the scan (assuming both deploy together: "
            "no release tag separates them)",
        ),
    ]


def test_a_check_dropped_before_set_not_null_no_longer_mitigates() -> None:
    judged = judge(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
        earlier=[
            "ALTER TABLE t ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL);",
            "ALTER TABLE t DROP CONSTRAINT c_not_null;",
        ],
    )
    assert tags(judged) == ["not_null_on_existing_column"]
    assert "while PostgreSQL scans t; fails if any row is NULL" in judged.data_impact[0].detail


def test_lock_timeout_mitigates_lock_risks() -> None:
    judged = judge("SET lock_timeout = '5s'; CREATE INDEX i ON t (a);")
    assert tags(judged) == ["lock_heavy_index", "mitigated"]


def test_mysql_modify_column_copies_the_table_and_may_fail_on_nulls() -> None:
    judged = judge("ALTER TABLE `memo` MODIFY COLUMN `content` LONGTEXT NOT NULL;", MYSQL)
    assert tags(judged) == ["table_rewrite", "not_null_on_existing_column"]
    assert judged.columns_altered == ("memo.content LONGTEXT NOT NULL",)


def test_mysql_modify_with_the_old_definition_in_the_range() -> None:
    judged = judge(
        "ALTER TABLE memo MODIFY COLUMN title VARCHAR(200) NOT NULL;",
        MYSQL,
        earlier=[
            "CREATE TABLE memo (title VARCHAR(100) NOT NULL);",
            "INSERT INTO memo VALUES ('a');",
        ],
    )
    assert judged.columns_altered == ("memo.title VARCHAR(100) NOT NULL -> VARCHAR(200) NOT NULL",)


def test_sqlite_copy_and_rename_is_a_rebuild_never_a_drop() -> None:
    judged = judge(
        "PRAGMA foreign_keys=OFF;\n"
        'CREATE TABLE "new_memo" (id INTEGER PRIMARY KEY, body TEXT NOT NULL,\n'
        "  pinned INTEGER NOT NULL DEFAULT 0);\n"
        'INSERT INTO "new_memo" (id, body) SELECT id, body FROM "memo";\n'
        'DROP TABLE "memo";\n'
        'ALTER TABLE "new_memo" RENAME TO "memo";\n'
        "PRAGMA foreign_keys=ON;",
        SQLITE,
    )
    assert judged.tables_rebuilt == (
        "memo via copy-and-rename through new_memo (pinned not copied: gets its default)",
    )
    assert judged.tables_dropped == ()
    assert tags(judged) == ["table_rebuild"]


def test_sqlite_rebuild_without_copy_leaves_data_behind() -> None:
    judged = judge(
        "CREATE TABLE memo_new (id INTEGER); DROP TABLE memo; ALTER TABLE memo_new RENAME TO memo;",
        SQLITE,
    )
    assert tags(judged) == ["data_not_migrated", "table_rebuild"]


def test_sqlite_rebuild_filled_by_its_own_inserts_is_not_said_to_start_empty() -> None:
    judged = judge(
        "CREATE TABLE memo_new (id INTEGER, body TEXT);\n"
        "INSERT OR IGNORE INTO memo_new (id, body) VALUES (?, ?);\n"
        "DROP TABLE memo;\n"
        "ALTER TABLE memo_new RENAME TO memo;",
        SQLITE,
    )
    assert tags(judged) == ["table_rebuild"]
    assert detail(judged, ImpactTag.TABLE_REBUILD).endswith(
        ": the migration fills memo_new with INSERT statements of its own (line 2), not an "
        "INSERT … SELECT: whether every old row is carried over is not confirmed"
    )


def test_clickhouse_create_and_swap_is_a_rebuild_with_a_gap() -> None:
    judged = judge(
        "CREATE TABLE umami.event_new (id UUID, created_at DateTime('UTC'))\n"
        "  ENGINE = MergeTree ORDER BY id;\n"
        "INSERT INTO umami.event_new SELECT id, created_at FROM umami.event;\n"
        "RENAME TABLE umami.event TO umami.event_old, umami.event_new TO umami.event;",
        CH,
    )
    assert judged.tables_rebuilt == (
        "umami.event via create-and-swap with umami.event_new (old table kept as umami.event_old)",
    )
    assert tags(judged) == ["table_rebuild"]
    assert "rows written to the old table after the copy starts are not carried over" in (
        judged.data_impact[0].detail
    )


def test_clickhouse_mutation_and_view_recreation() -> None:
    judged = judge(
        "ALTER TABLE umami.event UPDATE region = '' WHERE region IS NULL;\n"
        "DROP TABLE umami.event_mv;\n"
        "CREATE MATERIALIZED VIEW umami.event_mv TO umami.event_hourly AS SELECT 1;",
        CH,
    )
    assert tags(judged) == ["data_backfill", "view_dropped_recreated"]
    assert "asynchronous mutation" in judged.data_impact[0].detail


def test_comment_only_file_is_a_no_op() -> None:
    assert tags(judge("-- nothing to do on this engine\n", SQLITE)) == ["no_op"]


def test_drop_table_and_column_lose_data_unless_the_range_created_them() -> None:
    assert tags(judge("DROP TABLE legacy;")) == ["destructive_drop_table"]
    assert tags(judge("ALTER TABLE t DROP COLUMN c;")) == ["destructive_drop_column"]
    judged = judge("DROP TABLE scratch;", earlier=["CREATE TABLE scratch (id int);"])
    assert tags(judged) == ["mitigated"]


def test_raw_statement_is_raw_sql_with_its_line() -> None:
    judged = judge("CREATE TABLE a (id int);\nFROBNICATE everything;")
    assert tags(judged) == ["raw_sql"]
    assert judged.data_impact[0].detail.startswith("line 2: not analysed: FROBNICATE")
    assert judged.tables_created == ("a",)


def test_index_builds_on_one_table_are_one_finding() -> None:
    judged = judge("CREATE INDEX a ON t (a); CREATE INDEX b ON t (b); CREATE INDEX c ON u (c);")
    assert [i.detail.split(" without")[0] for i in judged.data_impact] == [
        "2 CREATE INDEX a, b ON t",
        "CREATE INDEX c ON u",
    ]


def test_dropping_a_column_after_copying_its_rows_elsewhere_is_mitigated() -> None:
    judged = judge(
        'CREATE TABLE "share" ("share_id" UUID NOT NULL, "slug" VARCHAR(100) NOT NULL);\n'
        'INSERT INTO "share" (share_id, slug) SELECT gen_random_uuid(), share_id FROM "website"\n'
        "WHERE share_id IS NOT NULL;\n"
        'ALTER TABLE "website" DROP COLUMN "share_id";'
    )
    assert tags(judged) == ["destructive_drop_column", "data_backfill", "mitigated"]
    assert detail(judged, ImpactTag.MITIGATED) == (
        "website rows were copied into share first (INSERT … SELECT): check that share_id is "
        "among what was kept"
    )


def test_unique_key_over_a_column_added_without_default_cannot_collide() -> None:
    sql = (
        "ALTER TABLE users ADD COLUMN reset_digest varchar;"
        "CREATE UNIQUE INDEX CONCURRENTLY users_reset_digest ON users (reset_digest);"
    )
    judged = judge(sql, PG)
    assert tags(judged) == ["mitigated"]
    assert "users.reset_digest was added by this migration without a default" in (
        detail(judged, ImpactTag.MITIGATED)
    )
    earlier = judge(
        "ALTER TABLE versions ADD CONSTRAINT versions_abi UNIQUE (number, abi);",
        MYSQL,
        earlier=["ALTER TABLE versions ADD COLUMN abi varchar(32);"],
    )
    assert "abi was added by 0000 earlier in this range" in detail(earlier, ImpactTag.MITIGATED)


def test_unique_key_over_a_filled_or_defaulted_new_column_is_still_a_risk() -> None:
    defaulted = "ALTER TABLE users ADD COLUMN kind varchar DEFAULT 'a';"
    index = "CREATE UNIQUE INDEX CONCURRENTLY users_kind ON users (kind);"
    assert "unique_on_existing_data" in tags(judge(defaulted + index, PG))
    filled = "ALTER TABLE users ADD COLUMN kind varchar; UPDATE users SET kind = email;"
    assert "unique_on_existing_data" in tags(judge(filled + index, PG))
    existing = "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);"
    assert tags(judge(existing, PG)) == ["unique_on_existing_data"]


def test_sqlite_constraint_fails_as_a_statement_but_not_inside_a_framework_rebuild() -> None:
    sql = "ALTER TABLE notes ADD CONSTRAINT notes_title CHECK (title <> '');"
    assert "will fail: SQLite cannot add a constraint" in judge(sql, SQLITE).problems[0].message
    batch = ops.RebuildTable("notes", "Alembic batch_alter_table", applies_alters=True)
    check = ops.AddConstraint(
        "notes", ops.Constraint(ops.ConstraintKind.CHECK, "notes_title", (), "title <> ''")
    )
    parsed = ops.ParsedMigration("0002", "versions/0002.py", ops.Step((batch, check)))
    item = MigrationInput(
        "0002", parsed.path, "alembic", SQLITE, ChangeKind.ADDED, released=False, parsed=parsed
    )
    (judged,) = assemble([item])
    assert not judged.problems
    assert "the rebuild copies every row into the new table" in detail(
        judged, ImpactTag.CHECK_CONSTRAINT_VALIDATED
    )


PRISMA_ENUM_CHANGE = """
CREATE TYPE "Role_new" AS ENUM ('ADMIN', 'MEMBER');
ALTER TABLE "members" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
ALTER TYPE "Role" RENAME TO "Role_old";
ALTER TYPE "Role_new" RENAME TO "Role";
DROP TYPE "Role_old";
"""
CLASSIC_ENUM_CHANGE = """
ALTER TYPE role RENAME TO role_old;
CREATE TYPE role AS ENUM ('admin', 'member');
ALTER TABLE members ALTER COLUMN role TYPE role USING role::text::role;
DROP TYPE role_old;
"""


def test_an_enum_rebuilt_under_a_temporary_name_is_one_redefinition() -> None:
    for sql, name, values in (
        (PRISMA_ENUM_CHANGE, "Role", "ADMIN, MEMBER"),
        (CLASSIC_ENUM_CHANGE, "role", "admin, member"),
    ):
        judged = judge(sql, PG)
        types = [c for c in judged.schema_changes if c.category.startswith("types_")]
        assert [(c.table, c.category, c.text) for c in types] == [
            (name, "types_altered", f"{name} ENUM values now ({values})")
        ]
        assert f"enum {name} is rebuilt with values ({values})" in detail(
            judged, ImpactTag.BACKWARD_INCOMPATIBLE
        )
        assert "table_rewrite" in tags(judged)


def test_an_enum_created_earlier_in_the_range_is_rebuilt_without_risk() -> None:
    judged = judge(
        PRISMA_ENUM_CHANGE,
        PG,
        earlier=["""CREATE TYPE "Role" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');"""],
    )
    assert "backward_incompatible" not in tags(judged)
    assert "enum Role is rebuilt; it was created by 0000 earlier in this range" in judged.notes


def test_a_type_renamed_on_its_own_is_listed_and_breaks_the_old_name() -> None:
    judged = judge('ALTER TYPE "MemberRole" RENAME TO "AccessRole";', PG)
    assert [(c.table, c.category, c.text) for c in judged.schema_changes] == [
        ("AccessRole", "types_renamed", "MemberRole -> AccessRole")
    ]
    assert tags(judged) == ["backward_incompatible"]
    assert detail(judged, ImpactTag.BACKWARD_INCOMPATIBLE) == (
        "renames type MemberRole -> AccessRole: code of the previous release that still names "
        "MemberRole (a cast, a column definition) fails during a rolling deploy"
    )


def test_a_type_created_earlier_in_the_range_is_renamed_without_risk() -> None:
    judged = judge(
        'ALTER TYPE "MemberRole" RENAME TO "AccessRole";',
        PG,
        earlier=["""CREATE TYPE "MemberRole" AS ENUM ('OWNER', 'MEMBER');"""],
    )
    assert tags(judged) == ["none"]
    assert (
        "renames type MemberRole -> AccessRole; it was created by 0000 earlier in this range"
        in judged.notes
    )


def test_sqlite_type_change_is_declared_by_a_framework_rebuild() -> None:
    remake = ops.RebuildTable("docs", "Django's SQLite table remake", applies_alters=True)
    change = ops.AlterColumnType("docs", "size", "bigint", "integer")

    def judged(*operations: ops.Operation) -> Migration:
        parsed = ops.ParsedMigration("0014", "docs/migrations/0014.py", ops.Step(operations))
        item = MigrationInput(
            "0014", parsed.path, "django", SQLITE, ChangeKind.ADDED, released=False, parsed=parsed
        )
        return assemble([item])[0]

    assert "will fail: SQLite has no ALTER COLUMN TYPE" in judged(change).problems[0].message
    rebuilt = judged(remake, change)
    assert not rebuilt.problems
    assert "docs.size integer -> bigint: the rebuilt table declares the new type" in rebuilt.notes
    assert tags(rebuilt) == ["table_rebuild"]


def test_a_table_made_in_an_earlier_release_of_the_range_may_hold_rows() -> None:
    create = migration_input("0001", "CREATE TABLE zones (id int, ends_at timestamp);", PG)
    require = migration_input("0002", "ALTER TABLE zones ALTER COLUMN ends_at SET NOT NULL;", PG)

    def judged(first: str | None, second: str | None) -> Migration:
        return assemble(
            [replace(create, first_release=first), replace(require, first_release=second)]
        )[-1]

    assert tags(judged("v1.1", "v1.2")) == ["not_null_on_existing_column"]
    assert tags(judged("v1.2", "v1.2")) == ["mitigated"]
    assert tags(judged(None, None)) == ["mitigated"]
    assert tags(judged("v1.1", None)) == ["not_null_on_existing_column"]


def test_a_unique_constraint_adopting_an_index_checks_nothing_new() -> None:
    judged = judge("ALTER TABLE page ADD CONSTRAINT uniq_slug UNIQUE USING INDEX uniq_slug;", PG)
    assert "unique_on_existing_data" not in tags(judged)
    assert any("adopts an index that already enforces it" in n for n in judged.notes)


def test_drop_if_exists_then_create_says_only_an_existing_table_loses_rows() -> None:
    judged = judge("DROP TABLE IF EXISTS promos CASCADE; CREATE TABLE promos (id int);", PG)
    assert "drops table promos if it exists, to create it anew" in detail(
        judged, ImpactTag.DESTRUCTIVE_DROP_TABLE
    )
    plain = judge("DROP TABLE promos;", PG)
    assert "its rows are lost" in detail(plain, ImpactTag.DESTRUCTIVE_DROP_TABLE)


def test_an_alter_to_the_same_type_is_a_note_not_a_lock_warning() -> None:
    def judged(*operations: ops.Operation) -> Migration:
        parsed = ops.ParsedMigration("a1", "versions/a1.py", ops.Step(operations))
        item = MigrationInput(
            "a1", parsed.path, "alembic", PG, ChangeKind.ADDED, released=False, parsed=parsed
        )
        return assemble([item])[0]

    same = judged(ops.AlterColumnType("logs", "extra", "VARCHAR(2048)", "VARCHAR(2048)"))
    assert tags(same) == ["none"]
    assert "logs.extra VARCHAR(2048) -> VARCHAR(2048): the type stays the same" in same.notes
    assert same.columns_altered == ()  # restated, not a schema update


def test_create_if_not_exists_then_column_changes_is_judged_as_an_existing_table() -> None:
    judged = judge(
        "CREATE TABLE IF NOT EXISTS posts (id varchar(26) PRIMARY KEY, message text);\n"
        "ALTER TABLE posts DROP COLUMN IF EXISTS parentid;\n"
        "CREATE INDEX IF NOT EXISTS idx_posts_message ON posts (message);"
    )
    assert tags(judged)[:2] == ["destructive_drop_column", "lock_heavy_index"]
    assert judged.tables_created == ()
    assert (
        "posts is created only where it does not exist yet (the migration is written for "
        "databases that already have it), so it is judged as an existing table" in judged.notes
    )
    fresh = judge(
        "CREATE TABLE IF NOT EXISTS tags (id int PRIMARY KEY, name text);\n"
        "CREATE INDEX idx_tags_name ON tags (name);"
    )
    assert fresh.tables_created == ("tags",) and "lock_heavy_index" not in tags(fresh)


def test_deleting_the_null_rows_first_mitigates_set_not_null() -> None:
    judged = judge(
        "DELETE FROM account_aliases WHERE account_id IS NULL;\n"
        "ALTER TABLE account_aliases ALTER COLUMN account_id SET NOT NULL;"
    )
    assert tags(judged)[:3] == ["data_delete", "not_null_on_existing_column", "mitigated"]
    assert detail(judged, ImpactTag.MITIGATED) == (
        "account_aliases.account_id: this migration deletes the rows where it is NULL first, "
        "so the check finds none"
    )
    assert detail(judged, ImpactTag.NOT_NULL_ON_EXISTING_COLUMN) == (
        "account_aliases.account_id SET NOT NULL: ACCESS EXCLUSIVE lock while PostgreSQL scans "
        "account_aliases"
    )


def test_a_unique_index_after_the_migration_removes_duplicates_is_mitigated() -> None:
    deleted = judge(
        "DELETE FROM tags a USING tags b WHERE a.id > b.id AND a.name = b.name;\n"
        "CREATE UNIQUE INDEX CONCURRENTLY tags_name ON tags (name);"
    )
    renamed = judge(
        "UPDATE endpoints SET name = name || '-' || id WHERE id IN (SELECT id FROM dupes);\n"
        "CREATE UNIQUE INDEX CONCURRENTLY endpoints_name ON endpoints (name);"
    )
    assert "unique_on_existing_data" not in tags(deleted) + tags(renamed)
    assert detail(deleted, ImpactTag.MITIGATED).endswith(
        "this migration first deletes rows of tags, presumably the duplicates: it fails only "
        "if any remain"
    )
    assert "first rewrites rows of endpoints" in detail(renamed, ImpactTag.MITIGATED)


def test_a_type_change_on_mysql_is_judged_by_innodb_not_postgresql() -> None:
    def judged(change: ops.AlterColumnType) -> Migration:
        parsed = ops.ParsedMigration("a1", "versions/a1.py", ops.Step((change,)))
        item = MigrationInput(
            "a1", parsed.path, "alembic", MYSQL, ChangeKind.ADDED, released=False, parsed=parsed
        )
        return assemble([item])[0]

    widened = judged(ops.AlterColumnType("audit", "info", "VARCHAR(500)", "VARCHAR(50)"))
    assert detail(widened, ImpactTag.TABLE_REWRITE) == (
        "audit.info VARCHAR(50) -> VARCHAR(500): InnoDB copies audit (ALGORITHM=COPY), "
        "blocking writes"
    )
    small = judged(ops.AlterColumnType("audit", "user", "VARCHAR(40)", "VARCHAR(20)"))
    assert detail(small, ImpactTag.TYPE_CHANGE_NO_REWRITE).endswith(
        "InnoDB extends it in place (ALGORITHM=INPLACE)"
    )


def test_a_varchar_widened_on_mysql_is_judged_by_the_tables_character_set() -> None:
    """node_history created utf8mb3 in one release, its user column widened in a later one,
    and the table converted to utf8mb4 after that (as OpenStack Ironic did)."""
    user = ops.ColumnDef("user", "VARCHAR(32)")
    converted_to = ("CONVERT TO CHARACTER SET utf8mb4",)
    steps: list[tuple[str, tuple[ops.Operation, ...]]] = [
        ("v1", (ops.CreateTable("history", (user,), charset="utf8mb3"),)),
        ("v2", (ops.AlterColumnType("history", "user", "VARCHAR(64)", "VARCHAR(32)"),)),
        ("v3", (ops.TableOptions("history", converted_to, rewrites=True),)),
        ("v4", (ops.AlterColumnType("history", "user", "VARCHAR(80)", "VARCHAR(60)"),)),
    ]
    items = [
        MigrationInput(
            f"a{n}", f"versions/a{n}.py", "alembic", MYSQL, ChangeKind.ADDED, released=False,
            parsed=ops.ParsedMigration(f"a{n}", f"versions/a{n}.py", ops.Step(operations)),
            first_release=release,
        )
        for n, (release, operations) in enumerate(steps, start=1)
    ]  # fmt: skip
    _, widened, _, converted = assemble(items)
    assert detail(widened, ImpactTag.TYPE_CHANGE_NO_REWRITE).endswith(
        "InnoDB extends it in place (ALGORITHM=INPLACE)"
    )
    assert detail(converted, ImpactTag.TABLE_REWRITE) == (
        "history.user VARCHAR(60) -> VARCHAR(80): InnoDB copies history (ALGORITHM=COPY), "
        "blocking writes"
    )


def test_only_django_casts_a_narrowed_varchar_so_only_there_it_may_be_cut_short() -> None:
    narrowed = ops.AlterColumnType("providers", "uid", "VARCHAR(255)", "VARCHAR(3000)")
    parsed = ops.ParsedMigration("m1", "m1", ops.Step((narrowed,)))

    def judged(system: str) -> str:
        item = MigrationInput(
            "m1", "m1", system, Dialect.POSTGRESQL, ChangeKind.ADDED, released=False,
            parsed=parsed,
        )  # fmt: skip
        return detail(assemble([item])[0], ImpactTag.DATA_DEPENDENT)

    assert judged("django").endswith("(Django adds USING … ::type)")
    assert judged("ecto").endswith("longer than 255 characters makes it fail")


def test_a_table_the_range_filled_from_another_holds_rows() -> None:
    judged = judge(
        "CREATE INDEX sessions_gateway ON gateway_sessions (gateway_id);",
        earlier=[
            "CREATE TABLE gateway_sessions (id int, gateway_id int);",
            "INSERT INTO gateway_sessions SELECT id, gateway_id FROM gateway_tokens;",
        ],
    )
    assert tags(judged) == ["lock_heavy_index"]


def test_drop_not_null_rebuilds_an_innodb_table_in_place() -> None:
    def judged(dialect: Dialect) -> Migration:
        step = ops.Step((ops.DropNotNull("testruns_testrun", "start_date"),))
        parsed = ops.ParsedMigration("0014", "testruns/migrations/0014.py", step)
        item = MigrationInput(
            "0014", parsed.path, "django", dialect, ChangeKind.ADDED, released=False, parsed=parsed
        )
        return assemble([item])[0]

    assert "testruns_testrun.start_date DROP NOT NULL: metadata only" in judged(PG).notes
    assert (
        judged(MYSQL)
        .notes[0]
        .startswith(
            "testruns_testrun.start_date DROP NOT NULL: InnoDB rebuilds testruns_testrun in place"
        )
    )


def test_dropping_a_table_whose_rows_were_just_copied_says_so() -> None:
    judged = judge(
        "INSERT INTO webauthn_credentials (id, kid) SELECT id, kid FROM webauthn_devices;\n"
        "DROP TABLE webauthn_devices;"
    )
    assert tags(judged) == ["data_backfill", "backward_incompatible"]
    assert detail(judged, ImpactTag.BACKWARD_INCOMPATIBLE) == (
        "drops webauthn_devices after this migration copied its rows into webauthn_credentials "
        "(INSERT … SELECT): rows the previous release writes between the copy and the drop are "
        "lost, and its code that still reads webauthn_devices fails during a rolling deploy"
    )
    some = judge(
        "INSERT INTO webauthn_credentials (id, kid) SELECT id, kid FROM webauthn_devices\n"
        "WHERE kid IS NOT NULL;\nDROP TABLE webauthn_devices;"
    )
    assert "destructive_drop_table" in tags(some)
    assert detail(some, ImpactTag.MITIGATED).startswith(
        "webauthn_devices rows were copied into webauthn_credentials first"
    )


def test_dropping_a_table_an_earlier_migration_of_the_release_copied_is_a_move() -> None:
    judged = judge(
        "DROP TABLE case_options_old;",
        earlier=[
            "CREATE TABLE case_options (case_id bigint NOT NULL, option_id bigint NOT NULL);\n"
            "INSERT INTO case_options (case_id, option_id)\n"
            "SELECT case_id, option_id FROM case_options_old;"
        ],
    )
    assert tags(judged) == ["backward_incompatible"]
    assert detail(judged, ImpactTag.BACKWARD_INCOMPATIBLE).startswith(
        "drops case_options_old after 0000 earlier in this range copied its rows into "
        "case_options (INSERT … SELECT)"
    )


def test_a_narrowing_type_change_fails_on_values_that_do_not_fit() -> None:
    decimals = judge(
        "ALTER TABLE trades ALTER COLUMN qty TYPE numeric(10,3);",
        earlier=["ALTER TABLE trades ADD COLUMN qty numeric(10,2);"],
    )
    names = judge(
        "ALTER TABLE tags ALTER COLUMN name TYPE varchar(50);",
        earlier=["ALTER TABLE tags ADD COLUMN name varchar(255);"],
    )
    assert "a row holding a value with more than 7 digits before the decimal point makes it " in (
        detail(decimals, ImpactTag.DATA_DEPENDENT)
    )
    assert "a row holding a value longer than 50 characters makes it fail" in detail(
        names, ImpactTag.DATA_DEPENDENT
    )


def test_a_smaller_integer_type_fails_on_values_out_of_its_range() -> None:
    small = judge(
        "ALTER TABLE rules ALTER COLUMN maximum_age TYPE smallint;",
        earlier=["ALTER TABLE rules ADD COLUMN maximum_age integer;"],
    )
    assert "a row holding a value outside SMALLINT's range (-32,768..32,767) makes it fail" in (
        detail(small, ImpactTag.DATA_DEPENDENT)
    )
    wider = judge(
        "ALTER TABLE rules ALTER COLUMN maximum_age TYPE bigint;",
        earlier=["ALTER TABLE rules ADD COLUMN maximum_age integer;"],
    )
    assert "data_dependent" not in tags(wider)


def test_text_to_citext_is_no_rewrite_but_rebuilds_indexes() -> None:
    judged = judge(
        "ALTER TABLE users ALTER COLUMN email TYPE citext;",
        earlier=["ALTER TABLE users ADD COLUMN email varchar(255);"],
    )
    assert tags(judged) == ["type_change_no_rewrite"]
    assert "indexes on the column are rebuilt" in detail(judged, ImpactTag.TYPE_CHANGE_NO_REWRITE)


def test_more_fractional_second_precision_is_no_rewrite() -> None:
    judged = judge(
        "ALTER TABLE positions ALTER COLUMN date TYPE timestamp;",
        earlier=["ALTER TABLE positions ADD COLUMN date timestamp(0);"],
    )
    assert tags(judged) == ["type_change_no_rewrite"]


def test_text_to_a_bounded_varchar_narrows() -> None:
    judged = judge(
        "ALTER TABLE ingredient ALTER COLUMN description TYPE varchar(80);",
        earlier=["ALTER TABLE ingredient ADD COLUMN description text;"],
    )
    assert "a value longer than 80 characters" in detail(judged, ImpactTag.DATA_DEPENDENT)


def test_instant_add_column_names_the_versions_it_needs_unless_configured() -> None:
    sql = "ALTER TABLE orders ADD COLUMN status varchar(20);"
    unknown = judge(sql, Dialect.MYSQL).notes
    assert (
        "adds orders.status: ALGORITHM=INSTANT on MySQL 8.0.12+, no table rebuild (older "
        "versions rebuild it in place)" in unknown
    )
    current = judge(sql, Dialect.MYSQL, versions={Dialect.MYSQL: "8.0.36"}).notes
    assert "adds orders.status: ALGORITHM=INSTANT, no table rebuild" in current
    old = judge(sql, Dialect.MYSQL, versions={Dialect.MYSQL: "5.7"}).notes
    assert "adds orders.status: MySQL before 8.0.12 rebuilds the table in place" in old


def test_a_column_placed_with_after_or_first_is_instant_only_from_mysql_8_0_29() -> None:
    placed = judge("ALTER TABLE flags ADD COLUMN metadata JSON AFTER enabled;", MYSQL)
    assert (
        "adds flags.metadata AFTER enabled: ALGORITHM=INSTANT on MySQL 8.0.29+, no table "
        "rebuild (older versions rebuild it in place)" in placed.notes
    )
    old = judge(
        "ALTER TABLE flags ADD COLUMN metadata JSON FIRST;", MYSQL, versions={MYSQL: "8.0.20"}
    )
    assert "adds flags.metadata FIRST: MySQL before 8.0.29 rebuilds the table in place" in (
        old.notes
    )
    appended = judge(
        "ALTER TABLE flags ADD COLUMN metadata JSON;", MYSQL, versions={MYSQL: "8.0.20"}
    )
    assert "adds flags.metadata: ALGORITHM=INSTANT, no table rebuild" in appended.notes


def test_adding_an_auto_increment_primary_key_on_mysql_copies_the_table() -> None:
    judged = judge(
        "ALTER TABLE roles_users ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY;", MYSQL
    )
    assert tags(judged) == ["table_rewrite"]
    assert "InnoDB copies the table for an auto-increment or stored generated column" in detail(
        judged, ImpactTag.TABLE_REWRITE
    )
    assert not any("INSTANT" in n for n in judged.notes)
    keyed = judge(
        "ALTER TABLE roles_users ADD COLUMN code INT NOT NULL DEFAULT 0 PRIMARY KEY;", MYSQL
    )
    assert "adds roles_users.code as the primary key: InnoDB rebuilds roles_users in place" in (
        keyed.notes
    )


def test_mysql_modify_to_a_synonym_type_only_loosens_nullability_in_place() -> None:
    base = (
        "CREATE TABLE flows (id int NOT NULL, keep BOOLEAN NOT NULL DEFAULT FALSE, "
        "remember_for int(11) NOT NULL, PRIMARY KEY (id));"
    )
    judged = judge(
        "ALTER TABLE flows MODIFY COLUMN keep tinyint(1) NULL, "
        "MODIFY COLUMN remember_for INTEGER NULL;",
        MYSQL,
        earlier=[base],
    )
    assert "table_rewrite" not in tags(judged)
    assert (
        "flows.keep, flows.remember_for allow NULL: InnoDB rebuilds flows in place "
        "(ALGORITHM=INPLACE; writes continue, the rebuild takes time on a large table)"
    ) in judged.notes


def test_mysql_display_width_and_boolean_are_no_type_change() -> None:
    assert engines.mysql_same_type("BOOLEAN", "tinyint(1)")
    assert engines.mysql_same_type("int(11)", "INT")
    assert engines.mysql_same_type("BIGINT(20)", "int8")
    assert not engines.mysql_same_type("int", "bigint")
    assert engines.mysql_type_change_copies("int(11)", "int") is False
    assert engines.mysql_type_change_copies("int", "bigint") is True


def test_a_varchar_widened_on_mysql_copies_only_when_its_length_prefix_grows() -> None:
    """The prefix is one byte under 256 bytes: the character set decides the bytes."""
    copies = engines.mysql_type_change_copies
    assert copies("VARCHAR(32)", "VARCHAR(64)", "utf8mb3") is False  # 96 -> 192 bytes
    assert copies("VARCHAR(32)", "VARCHAR(64)", "utf8mb4") is True  # 128 -> 256 bytes
    assert copies("VARCHAR(80)", "VARCHAR(200)", "latin1") is False
    assert copies("VARCHAR(80)", "VARCHAR(100)", "utf8") is True  # 240 -> 300 bytes
    # without the character set, only what holds for all of them
    assert copies("VARCHAR(10)", "VARCHAR(60)") is False
    assert copies("VARCHAR(300)", "VARCHAR(400)") is False
    assert copies("VARCHAR(50)", "VARCHAR(500)") is True
    assert copies("VARCHAR(32)", "VARCHAR(64)") is None
    # latin1, utf8mb3 and utf8mb4 all keep 100 -> 255 on one side of the prefix boundary
    assert copies("VARCHAR(100)", "VARCHAR(255)") is False
    assert copies("VARCHAR(255)", "VARCHAR(2080)") is None  # latin1 grows past 255 bytes
    assert "character set" in engines.mysql_copy_hedge("VARCHAR(32)")
    assert engines.mysql_charset(("CONVERT TO CHARACTER SET utf8mb4 COLLATE x",)) == "utf8mb4"
    assert engines.mysql_charset(("ENGINE=InnoDB DEFAULT CHARSET=latin1",)) == "latin1"


def test_a_type_restated_as_an_expression_harvester_cannot_read_rewrites_nothing() -> None:
    enum = "<Enums.SyncStatus.type()>"
    restated = ops.AlterColumnType("sheets", "sync_status", enum, old_type=enum)
    parsed = ops.ParsedMigration("0002", "migrations/0002.exs", ops.Step((restated,)))
    item = MigrationInput(
        "0002", parsed.path, "ecto", PG, ChangeKind.ADDED, released=False, parsed=parsed
    )
    (judged,) = assemble([item])
    assert "table_rewrite" not in tags(judged)
    assert f"sheets.sync_status {enum} -> {enum}: the type stays the same" in judged.notes


def test_types_harvester_cannot_read_are_the_same_only_when_written_alike() -> None:
    assert engines.same_type("<Enums.A.type()>", "<enums.a.type()>")
    assert not engines.same_type("<Enums.A.type()>", "<Enums.B.type()>")
    assert engines.same_type("character varying(20)", "VARCHAR(20)")


def test_sqlite_drop_column_caveat_is_for_the_statement_not_a_framework_rebuild() -> None:
    alone = judge("ALTER TABLE deployment DROP COLUMN schedule;", SQLITE)
    assert "SQLite 3.35+" in detail(alone, ImpactTag.DESTRUCTIVE_DROP_COLUMN)
    batch = ops.RebuildTable("deployment", "Alembic batch_alter_table", applies_alters=True)
    dropped = ops.DropColumn("deployment", "schedule")
    parsed = ops.ParsedMigration("0002", "versions/0002.py", ops.Step((batch, dropped)))
    item = MigrationInput(
        "0002", parsed.path, "alembic", SQLITE, ChangeKind.ADDED, released=False, parsed=parsed
    )
    (judged,) = assemble([item])
    assert detail(judged, ImpactTag.DESTRUCTIVE_DROP_COLUMN) == (
        "drops column deployment.schedule: its data is lost, and code of the previous release "
        "that still reads it fails"
    )


def test_a_mysql_collation_change_of_a_key_column_copies_the_table() -> None:
    from harvester.migrations.schema import engines

    assert engines.mysql_collation_changes("VARCHAR(255)", "VARCHAR(255) COLLATE utf8mb4_bin")
    assert not engines.mysql_collation_changes("VARCHAR(255)", "VARCHAR(512)")
    assert not engines.mysql_collation_changes(
        "VARCHAR(255) COLLATE utf8mb4_bin", "varchar(255) COLLATE utf8mb4_bin"
    )
