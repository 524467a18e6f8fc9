"""SQL tokens joined back into text read as SQL is written."""

from __future__ import annotations

import pytest

from harvester.migrations.sql.tokens import TOKEN, join_tokens


@pytest.mark.parametrize(
    "sql",
    [
        "DO LANGUAGE plpgsql $$ BEGIN PERFORM 1 END $$",
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1 $body$",
        "DELETE FROM invites WHERE id = $1 AND team = $2",
        "ALTER TABLE t ADD COLUMN c DateTime64(6, 'UTC')",
    ],
)
def test_joined_tokens_keep_dollar_quotes_parameters_and_calls_whole(sql: str) -> None:
    assert join_tokens(TOKEN.findall(sql)) == sql


def test_a_generated_column_says_generated_once() -> None:
    from harvester.migrations.schema import describe
    from harvester.migrations.schema.ops import AddColumn, Dialect
    from harvester.migrations.sql import sql_operations

    sql = "ALTER TABLE v ADD COLUMN p JSON GENERATED ALWAYS AS (JSON_EXTRACT(s, '$.P'));"
    (added,) = sql_operations(sql, Dialect.MYSQL, 1).operations
    assert isinstance(added, AddColumn)
    assert describe.column(added.column) == "p JSON GENERATED ALWAYS AS (JSON_EXTRACT(s, '$.P'))"
