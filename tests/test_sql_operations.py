"""SQL statements become exactly the schema operations they perform, dialect by dialect."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harvester.migrations.schema import ops
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql import sql_operations


def only(sql: str, dialect: Dialect | None = Dialect.POSTGRESQL) -> ops.Operation:
    analysis = sql_operations(sql, dialect)
    assert len(analysis.operations) == 1, analysis.operations
    assert analysis.problems == ()
    return analysis.operations[0]


def test_prisma_create_table_folds_the_primary_key_into_its_column() -> None:
    created = only(
        'CREATE TABLE "public"."segment" ("segment_id" UUID NOT NULL, "name" VARCHAR(200) '
        'NOT NULL, "created_at" TIMESTAMPTZ(6) DEFAULT CURRENT_TIMESTAMP, '
        'CONSTRAINT "segment_pkey" PRIMARY KEY ("segment_id"));'
    )
    assert created == ops.CreateTable(
        "segment",
        (
            ops.ColumnDef("segment_id", "UUID", nullable=False, primary_key=True),
            ops.ColumnDef("name", "VARCHAR(200)", nullable=False),
            ops.ColumnDef("created_at", "TIMESTAMPTZ(6)", default="CURRENT_TIMESTAMP"),
        ),
    )


def test_check_not_valid_keeps_not_valid() -> None:
    assert only("ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;") == ops.AddConstraint(
        "t", ops.Constraint(ops.ConstraintKind.CHECK, "c", expression="x > 0", not_valid=True)
    )


def test_foreign_key_with_actions_and_not_valid() -> None:
    added = only(
        'ALTER TABLE "a" ADD CONSTRAINT "a_b_fkey" FOREIGN KEY ("b") REFERENCES "b"("id") '
        "ON DELETE CASCADE ON UPDATE SET NULL NOT VALID"
    )
    fk = ops.ForeignKey(("b",), "b", ("id",), "CASCADE", "SET NULL", "a_b_fkey", not_valid=True)
    assert added == ops.AddConstraint(
        "a",
        ops.Constraint(
            ops.ConstraintKind.FOREIGN_KEY, "a_b_fkey", ("b",), foreign_key=fk, not_valid=True
        ),
    )


def test_concurrent_partial_unique_index_with_expression() -> None:
    index = only(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON app.t USING gin (a, lower(b)) "
        "WHERE c IS NULL"
    )
    assert index == ops.CreateIndex(
        ops.IndexDef(
            "i",
            "app.t",
            ("a", "lower(b)"),
            unique=True,
            concurrently=True,
            where="c IS NULL",
            method="gin",
            if_not_exists=True,
        )
    )


def test_alter_type_add_value() -> None:
    assert only("ALTER TYPE \"Role\" ADD VALUE 'OWNER' BEFORE 'ADMIN'") == ops.AddEnumValue(
        "Role", "OWNER"
    )


def test_type_change_with_using_cast() -> None:
    changed = sql_operations(
        "ALTER TABLE report ALTER COLUMN parameters TYPE JSONB USING parameters::jsonb, "
        "ALTER COLUMN name SET NOT NULL",
        Dialect.POSTGRESQL,
    ).operations
    assert changed == (
        ops.AlterColumnType("report", "parameters", "JSONB", using="parameters::jsonb"),
        ops.SetNotNull("report", "name"),
    )


def test_add_column_with_default_then_drop_default() -> None:
    found = sql_operations(
        'ALTER TABLE "user" ADD COLUMN "plan" TEXT NOT NULL DEFAULT \'free\';\n'
        'ALTER TABLE "user" ALTER COLUMN "plan" DROP DEFAULT;',
        Dialect.POSTGRESQL,
    ).operations
    assert found == (
        ops.AddColumn("user", ops.ColumnDef("plan", "TEXT", nullable=False, default="'free'")),
        ops.DropDefault("user", "plan"),
    )


def test_do_block_statements_are_read_from_the_plpgsql_body() -> None:
    sql = (
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'role') THEN\n"
        "    CREATE TYPE role AS ENUM ('admin', 'member');\n"
        "  END IF;\n"
        "  EXECUTE 'DROP TABLE legacy';\n"
        "END $$;"
    )
    found = sql_operations(sql, Dialect.POSTGRESQL, first_line=5).operations
    assert found == (
        ops.CreateEnumType("role", ("admin", "member")),
        ops.DropTable("legacy"),
    )
    assert [o.line for o in found] == [7, 9]


def test_set_lock_timeout_is_kept_and_constant_select_is_not() -> None:
    found = sql_operations("SET lock_timeout = '5s'; SELECT 1; BEGIN; COMMIT;", None).operations
    assert found == (ops.SessionSetting("lock_timeout", "'5s'"),)


def test_mysql_modify_and_change_column() -> None:
    found = sql_operations(
        "ALTER TABLE `memo` MODIFY COLUMN `content` LONGTEXT NOT NULL;\n"
        "ALTER TABLE memo CHANGE COLUMN uid name VARCHAR(256) NOT NULL DEFAULT '';",
        Dialect.MYSQL,
    ).operations
    assert found == (
        ops.ModifyColumn("memo", ops.ColumnDef("content", "LONGTEXT", nullable=False)),
        ops.ModifyColumn(
            "memo",
            ops.ColumnDef("name", "VARCHAR(256)", nullable=False, default="''"),
            old_name="uid",
        ),
    )


def test_mysql_create_table_with_keys_and_engine() -> None:
    found = sql_operations(
        "CREATE TABLE `t` (`id` INT NOT NULL AUTO_INCREMENT, `n` VARCHAR(10) DEFAULT 'a', "
        "PRIMARY KEY (`id`), UNIQUE KEY `uk` (`n`), KEY `k` (`n`)) ENGINE=InnoDB",
        Dialect.MYSQL,
    ).operations
    assert found == (
        ops.CreateTable(
            "t",
            (
                ops.ColumnDef("id", "INT", nullable=False, primary_key=True, auto_increment=True),
                ops.ColumnDef("n", "VARCHAR(10)", default="'a'"),
            ),
            (ops.Constraint(ops.ConstraintKind.UNIQUE, "uk", ("n",)),),
            engine="InnoDB",
        ),
        ops.CreateIndex(ops.IndexDef("k", "t", ("n",))),
    )


def test_mysql_rename_table_and_index_algorithm() -> None:
    found = sql_operations(
        "RENAME TABLE resource TO attachment;\n"
        "ALTER TABLE memo ADD INDEX idx_memo_uid (uid), ALGORITHM=INPLACE, LOCK=NONE;",
        Dialect.MYSQL,
    ).operations
    assert found == (
        ops.RenameTable("resource", "attachment"),
        ops.CreateIndex(ops.IndexDef("idx_memo_uid", "memo", ("uid",), algorithm="INPLACE")),
    )


def test_sqlite_partial_index_keeps_its_where_as_written() -> None:
    assert only(
        "CREATE INDEX IF NOT EXISTS idx_memo_pinned ON memo (pinned) WHERE pinned = 1",
        Dialect.SQLITE,
    ) == ops.CreateIndex(
        ops.IndexDef("idx_memo_pinned", "memo", ("pinned",), where="pinned = 1", if_not_exists=True)
    )


def test_clickhouse_rename_exchange_and_mutations() -> None:
    found = sql_operations(
        "RENAME TABLE umami.event TO umami.event_old, umami.event_new TO umami.event;\n"
        "EXCHANGE TABLES umami.a AND umami.b;\n"
        "ALTER TABLE umami.event UPDATE x = 1, y = 2 WHERE z = 2;\n"
        "ALTER TABLE umami.event MODIFY COLUMN x LowCardinality(String) DEFAULT '';",
        Dialect.CLICKHOUSE,
    )
    assert found.problems == ()
    assert found.operations == (
        ops.RenameTable("umami.event", "umami.event_old"),
        ops.RenameTable("umami.event_new", "umami.event"),
        ops.ExchangeTables("umami.a", "umami.b"),
        ops.DataChange(
            ops.DataChangeKind.UPDATE,
            "umami.event",
            "ALTER TABLE umami.event UPDATE x, y",
            columns=("x", "y"),
        ),
        ops.AlterColumnType("umami.event", "x", "LowCardinality(String)"),
        ops.SetDefault("umami.event", "x", "''"),
    )


def test_unparseable_statement_is_raw_with_a_problem_and_the_rest_survives() -> None:
    analysis = sql_operations("CREATE TABLE a (id int);\nTHIS IS NOT SQL;", Dialect.POSTGRESQL)
    assert analysis.operations == (
        ops.CreateTable("a", (ops.ColumnDef("id", "INTEGER"),)),
        ops.Opaque("THIS IS NOT SQL", raw=True),
    )
    assert len(analysis.problems) == 1
    assert analysis.problems[0].startswith("line 2: not parsed (PostgreSQL parser: syntax error")


def test_dialect_is_guessed_from_the_statements() -> None:
    assert (
        sql_operations("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", None).dialect
        is Dialect.SQLITE
    )
    assert sql_operations("ALTER TABLE `t` ADD COLUMN x INT", None).dialect is Dialect.MYSQL
    assert (
        sql_operations("CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a", None).dialect
        is Dialect.CLICKHOUSE
    )
    assert sql_operations("ALTER TABLE t ADD COLUMN d JSONB", None).dialect is Dialect.POSTGRESQL
    assert sql_operations("DROP TABLE t", None).dialect is None


_PIECES = [
    *"abcXYZ_ (),;'\"`$-*/\n=.0123",
    *("CREATE ", "TABLE ", "ALTER ", "ADD ", "COLUMN ", "INDEX ", "ON ", "DROP ", "RENAME "),
    *("TO ", "SELECT ", "BEGIN ", "END ", "TRIGGER ", "DO $$ ", "INSERT INTO ", "UPDATE "),
]
_SQLISH = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@given(_SQLISH, st.sampled_from([None, *Dialect]))
def test_sql_operations_never_crash_and_never_drop_statements(
    text: str, dialect: Dialect | None
) -> None:
    analysis = sql_operations(text, dialect)
    raw = [o for o in analysis.operations if isinstance(o, ops.Opaque) and o.raw]
    assert len(analysis.problems) >= len(raw) or any("run together" in o.summary for o in raw)


def test_mysql_conditional_ddl_through_a_prepared_statement_is_read() -> None:
    text = (
        "SET @stmt = (SELECT IF(\n"
        "  (SELECT COUNT(*) FROM INFORMATION_SCHEMA.STATISTICS WHERE table_name = 'Emoji'\n"
        "   AND index_name = 'idx_emoji_create_at') > 0,\n"
        "  'SELECT 1',\n"
        "  'CREATE INDEX idx_emoji_create_at ON Emoji(CreateAt);'\n"
        "));\n"
        "PREPARE createIndexIfNotExists FROM @stmt;\n"
        "EXECUTE createIndexIfNotExists;\n"
        "DEALLOCATE PREPARE createIndexIfNotExists;\n"
    )
    found = sql_operations(text, Dialect.MYSQL)
    assert found.problems == ()
    assert found.operations == (
        ops.Opaque(
            "@stmt holds SQL run by EXECUTE only when its check holds: "
            "CREATE INDEX idx_emoji_create_at ON Emoji(CreateAt)"
        ),
        ops.CreateIndex(ops.IndexDef("idx_emoji_create_at", "Emoji", ("CreateAt",))),
    )


def test_a_column_named_like_its_table_keeps_its_own_type() -> None:
    found = sql_operations(
        "CREATE TABLE IF NOT EXISTS Status (\n  UserId varchar(26) NOT NULL,\n"
        "  Status varchar(32) DEFAULT NULL,\n  PRIMARY KEY (UserId)\n) ENGINE=InnoDB;",
        Dialect.MYSQL,
    )
    (table,) = found.operations
    assert isinstance(table, ops.CreateTable)
    assert [(c.name, c.type) for c in table.columns] == [
        ("UserId", "varchar(26)"),
        ("Status", "varchar(32)"),
    ]


def test_covering_index_keeps_its_included_columns() -> None:
    (created,) = sql_operations(
        "CREATE INDEX CONCURRENTLY ix_views ON pageview (project_id, date) INCLUDE (path, n);",
        Dialect.POSTGRESQL,
    ).operations
    assert isinstance(created, ops.CreateIndex)
    assert created.index.include == ("path", "n")


def test_renaming_a_sequence_through_alter_table_is_no_table_rename() -> None:
    found = sql_operations(
        "ALTER TABLE extras_objectchange_id_seq RENAME TO core_objectchange_id_seq;", None
    ).operations
    assert found == (
        ops.Opaque(
            "renames sequence extras_objectchange_id_seq to core_objectchange_id_seq", line=1
        ),
    )


def test_a_clickhouse_settings_clause_is_not_read_as_more_actions() -> None:
    found = sql_operations(
        "ALTER TABLE events ADD INDEX idx_meta mapKeys(metadata) TYPE bloom_filter GRANULARITY 1 "
        "SETTINGS enable_full_text_index = 1, alter_sync = 2;",
        Dialect.CLICKHOUSE,
    )
    assert found.problems == ()
    assert [type(o).__name__ for o in found.operations] == ["CreateIndex"]


def test_go_template_placeholders_are_filled_in_as_the_tool_would() -> None:
    found = sql_operations(
        'alter table {{ index .Options "Namespace" }}.flow_state\n'
        "  add column if not exists authentication_method text not null;",
        Dialect.POSTGRESQL,
    )
    assert found.problems == ()
    (added,) = found.operations
    assert isinstance(added, ops.AddColumn) and added.table == "flow_state"


def test_an_is_null_inside_a_subquery_is_not_the_deletes_own_condition() -> None:
    (deleted,) = sql_operations(
        "DELETE FROM task WHERE id IN (SELECT t.id FROM task t LEFT JOIN policy p "
        "ON p.id = t.policy_id WHERE p.id IS NULL);",
        Dialect.POSTGRESQL,
    ).operations
    assert isinstance(deleted, ops.DataChange)
    assert deleted.columns == ()
    assert deleted.detail == "DELETE FROM task WHERE id IN (SELECT … FROM task …)"


def test_comments_inside_a_statement_the_parser_rejects_are_not_columns() -> None:
    (table,) = sql_operations(
        "CREATE TABLE IF NOT EXISTS IDENTITIES (\n  environment_id String,\n"
        "  -- (environment_id, identifier) is the natural key in Flagsmith's model\n"
        "  identifier String\n)\nENGINE = ReplacingMergeTree\nORDER BY (environment_id)",
        Dialect.POSTGRESQL,
    ).operations
    assert isinstance(table, ops.CreateTable)
    assert [c.name for c in table.columns] == ["environment_id", "identifier"]


def test_insert_of_a_union_of_selects_is_a_copy_from_the_first_table_read() -> None:
    sql = (
        "INSERT INTO sections (user_id, kind) SELECT id, 'STATS' FROM users "
        "UNION ALL SELECT id, 'RECENT' FROM users UNION ALL SELECT id, 'PINNED' FROM users;"
    )
    for dialect in (Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE):
        copied = only(sql, dialect)
        assert isinstance(copied, ops.DataChange), dialect
        assert copied.kind is ops.DataChangeKind.INSERT_SELECT, dialect
        assert copied.source_table == "users", dialect
        assert copied.has_where is False, dialect
    filtered = only(sql.replace("'PINNED' FROM users", "'PINNED' FROM users WHERE id > 3"))
    assert isinstance(filtered, ops.DataChange) and filtered.has_where
    constants = only("INSERT INTO kinds (name) SELECT 'a' UNION ALL SELECT 'b';")
    assert isinstance(constants, ops.DataChange)
    assert constants.kind is ops.DataChangeKind.INSERT


def test_named_parameters_of_driver_sql_parse_as_parameters() -> None:
    # SQLAlchemy's text() in a data migration: `:name` outside quotes, `::` casts left alone
    sql = (
        "UPDATE users SET household_id = :household_id "
        "WHERE group_id = :group_id AND note <> 'a:b' AND id::text <> ''"
    )
    analysis = sql_operations(sql, Dialect.POSTGRESQL)
    (update,) = analysis.operations
    assert isinstance(update, ops.DataChange)
    assert (update.kind, update.table, update.columns) == (
        ops.DataChangeKind.UPDATE,
        "users",
        ("household_id",),
    )
    assert update.where == "group_id = $2 AND note <> 'a:b' AND CAST(id AS text) <> ''"
    assert analysis.problems == ()
