"""A down step that adds a dropped column again and fills it with a constant brings back a
column, not the values the up step dropped."""

from __future__ import annotations

from harvester.migrations.schema import ops
from harvester.migrations.schema.downs import down_impacts
from harvester.migrations.sql import sql_operations
from harvester.model import ImpactTag


def _parsed(up: str, down: str) -> ops.ParsedMigration:
    dialect = ops.Dialect.MYSQL
    return ops.ParsedMigration(
        "m1",
        "versions/m1.py",
        ops.Step(sql_operations(up, dialect).operations),
        down=ops.Step(sql_operations(down, dialect).operations),
    )


def test_a_column_filled_with_a_constant_on_the_way_down_is_still_lost() -> None:
    found = down_impacts(
        _parsed(
            "ALTER TABLE api_key DROP COLUMN `allow_export`;",
            "ALTER TABLE api_key ADD COLUMN `allow_export` TINYINT(1);\n"
            "UPDATE api_key SET allow_export = 0;",
        )
    )
    assert [(i.tag, i.detail) for i in found] == [
        (
            ImpactTag.IRREVERSIBLE,
            "the down step can recreate api_key.allow_export (filled with 0) but not the data "
            "the up step drops",
        )
    ]


def test_a_column_filled_from_other_data_on_the_way_down_may_be_restored() -> None:
    for fill in (
        "UPDATE api_key SET allow_export = allow_locate;",
        "UPDATE api_key SET allow_export = (SELECT v FROM api_key_backup b WHERE b.id = id);",
    ):
        found = down_impacts(
            _parsed(
                "ALTER TABLE api_key DROP COLUMN allow_export;",
                f"ALTER TABLE api_key ADD COLUMN allow_export TINYINT(1);\n{fill}",
            )
        )
        assert found == [], fill


def test_a_constant_set_where_other_columns_say_so_may_restore_the_data() -> None:
    found = down_impacts(
        _parsed(
            "ALTER TABLE mirrors DROP COLUMN verify_tls;",
            "ALTER TABLE mirrors ADD COLUMN verify_tls BOOLEAN;\n"
            "UPDATE mirrors SET verify_tls = FALSE WHERE tls_mode = 'insecure';",
        )
    )
    assert found == []
