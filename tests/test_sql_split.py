"""Statement splitting survives dollar bodies, comments, strings and trigger blocks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql.split import Statement, split_statements, strip_comments


def texts(sql: str, dialect: Dialect | None = Dialect.POSTGRESQL) -> list[str]:
    return [s.text for s in split_statements(sql, dialect)]


def test_semicolons_inside_strings_comments_and_dollar_bodies_do_not_split() -> None:
    sql = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE a (x text DEFAULT 'a;b'); /* block; comment */\n"
        "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 'y'; RETURN NEW; END $fn$"
        " LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "SELECT E'it\\'s; fine';\n"
    )
    assert texts(sql) == [
        "CREATE TABLE a (x text DEFAULT 'a;b')",
        "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 'y'; RETURN NEW; END $fn$"
        " LANGUAGE plpgsql",
        "DO $$ BEGIN PERFORM 1; END $$",
        "SELECT E'it\\'s; fine'",
    ]


def test_statements_carry_their_file_line() -> None:
    sql = "\n-- header\n\nCREATE TABLE a (id int);\n\n  DROP TABLE b;"
    assert split_statements(sql, Dialect.POSTGRESQL, first_line=10) == [
        Statement("CREATE TABLE a (id int)", 13),
        Statement("DROP TABLE b", 15),
    ]


def test_nested_block_comments_in_postgresql() -> None:
    assert texts("/* outer /* inner; */ still; */ SELECT 1; SELECT 2") == ["SELECT 1", "SELECT 2"]


def test_sqlite_trigger_body_is_one_statement() -> None:
    sql = (
        "CREATE TRIGGER touch AFTER UPDATE ON memo BEGIN\n"
        "  UPDATE memo SET updated_ts = 1 WHERE id = NEW.id;\n"
        "END;\nCREATE INDEX i ON memo (x);"
    )
    assert texts(sql, Dialect.SQLITE) == [
        "CREATE TRIGGER touch AFTER UPDATE ON memo BEGIN\n"
        "  UPDATE memo SET updated_ts = 1 WHERE id = NEW.id;\nEND",
        "CREATE INDEX i ON memo (x)",
    ]


def test_mysql_delimiter_hash_comments_and_backslash_escapes() -> None:
    sql = (
        "DELIMITER //\n"
        "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; END//\n"
        "DELIMITER ;\n"
        "INSERT INTO t VALUES ('a\\';b'); # trailing; comment\n"
        "SELECT 2"
    )
    assert texts(sql, Dialect.MYSQL) == [
        "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; END",
        "INSERT INTO t VALUES ('a\\';b')",
        "SELECT 2",
    ]


def test_comment_only_text_has_no_statements() -> None:
    assert texts("-- nothing to do on this engine\n/* really */\n") == []


def test_strip_comments_keeps_strings() -> None:
    assert strip_comments("SELECT '--not a comment' -- a comment\n") == "SELECT '--not a comment'  "


_SAFE_STATEMENTS = st.lists(
    st.sampled_from(
        [
            "CREATE TABLE a (x text DEFAULT 'semi;colon')",
            "SELECT $$dollar; body$$",
            "SELECT $tag$ nested $$ inside; $tag$",
            'CREATE TABLE "we;ird" (id int)',
            "UPDATE t SET note = 'it''s; ok'",
            "DROP TABLE b",
        ]
    ),
    max_size=6,
)


@given(_SAFE_STATEMENTS, st.sampled_from(["\n", " ", "\n-- c;\n", " /* ; */ "]))
def test_joining_and_splitting_round_trips(statements: list[str], gap: str) -> None:
    sql = gap.join(s + ";" for s in statements)
    assert texts(sql) == statements


@given(st.text(max_size=300), st.sampled_from([*list(Dialect), None]))
def test_splitting_never_crashes(text: str, dialect: Dialect | None) -> None:
    for statement in split_statements(text, dialect):
        assert statement.text == statement.text.strip()
        assert statement.line >= 1
