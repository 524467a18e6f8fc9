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
