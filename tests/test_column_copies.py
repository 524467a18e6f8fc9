"""A column whose values the migration copies elsewhere before dropping it is not lost: the
drop reads as a rename by copy (or a move into another column), which still breaks the code
of the previous release that reads the old name."""

from __future__ import annotations

from harvester.migrations.schema.ops import Dialect
from harvester.model import ImpactTag
from tests.support.judging import detail, judge, tags

PG, MYSQL = Dialect.POSTGRESQL, Dialect.MYSQL

RENAME_BY_COPY = """ALTER TABLE challenge ADD dyn_initial INTEGER, ADD dyn_minimum INTEGER;
UPDATE challenge SET dyn_initial = initial, dyn_minimum = minimum;
ALTER TABLE challenge DROP COLUMN initial;
ALTER TABLE challenge DROP COLUMN minimum;
"""


def test_columns_copied_into_new_ones_before_the_drop_are_renamed_by_copy() -> None:
    judged = judge(RENAME_BY_COPY, PG)
    assert "destructive_drop_column" not in tags(judged)
    assert detail(judged, ImpactTag.RENAME_COLUMN) == (
        "drops challenge.initial, minimum after the UPDATE at line 2 copied their values into "
        "dyn_initial, dyn_minimum (a rename by copy): code of the previous release that still "
        "reads initial, minimum fails during a rolling deploy"
    )


def test_a_value_moved_into_an_existing_column_is_not_lost() -> None:
    judged = judge(
        "UPDATE users SET details = details || jsonb_build_object('url', url) WHERE 1=1;\n"
        "ALTER TABLE users DROP COLUMN url;",
        PG,
    )
    assert "destructive_drop_column" not in tags(judged)
    assert detail(judged, ImpactTag.BACKWARD_INCOMPATIBLE) == (
        "drops users.url after the UPDATE at line 1 copied its values into details: code of "
        "the previous release that still reads url fails during a rolling deploy"
    )
    assert "rewrites every row" in detail(judged, ImpactTag.DATA_BACKFILL)


def test_a_copy_of_some_rows_only_says_so() -> None:
    judged = judge(
        "UPDATE users SET details = url WHERE url LIKE 'https:%';\n"
        "ALTER TABLE users DROP COLUMN url;",
        PG,
    )
    assert "copied its values into details (for the rows its WHERE matches)" in detail(
        judged, ImpactTag.BACKWARD_INCOMPATIBLE
    )


def test_mysql_copies_are_read_too() -> None:
    judged = judge(
        "ALTER TABLE challenge ADD COLUMN dyn_function VARCHAR(32);\n"
        "UPDATE challenge SET dyn_function = `function`;\n"
        "ALTER TABLE challenge DROP COLUMN `function`;",
        MYSQL,
    )
    assert "destructive_drop_column" not in tags(judged)
    assert "copied its values into dyn_function (a rename by copy)" in detail(
        judged, ImpactTag.RENAME_COLUMN
    )


def test_a_column_of_another_table_or_a_subquery_is_no_copy() -> None:
    for update in (
        "UPDATE t SET a = o.minimum FROM o WHERE o.id = t.id;",
        "UPDATE t SET a = (SELECT max(minimum) FROM o);",
    ):
        judged = judge(f"{update}\nALTER TABLE t DROP COLUMN minimum;", PG)
        assert "destructive_drop_column" in tags(judged), update


def test_a_column_only_tested_or_kept_for_some_rows_by_a_case_is_lost() -> None:
    sql = """ALTER TABLE project ADD overlay TEXT;
UPDATE project SET overlay = CASE WHEN placement = 'center' AND dark_overlay THEN 'dark'
    ELSE 'none' END;
ALTER TABLE project DROP COLUMN dark_overlay;
"""
    for dialect in (PG, MYSQL):
        judged = judge(sql, dialect)
        assert "destructive_drop_column" in tags(judged), dialect
        assert "rename_column" not in tags(judged), dialect
