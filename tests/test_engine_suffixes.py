"""Per-engine delta files (`NN_name.sql.postgres`, `.sql.sqlite`) beside plain `.sql` ones."""

from __future__ import annotations

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql.tokens import written_types
from harvester.migrations.sql_layouts.naming import numbered_file


def test_an_engine_suffix_names_the_engine_and_keeps_the_id() -> None:
    root = "app/schema/delta"
    found = numbered_file(f"{root}/85/03_new_sequences.sql.postgres", root)
    assert found is not None
    assert (found.id, found.dialect) == ("85/03_new_sequences", Dialect.POSTGRESQL)
    sqlite = numbered_file(f"{root}/85/03_new_sequences.sql.sqlite", root)
    assert sqlite is not None and sqlite.dialect is Dialect.SQLITE
    plain = numbered_file(f"{root}/85/04_plain.sql", root)
    assert plain is not None and (plain.id, plain.dialect) == ("85/04_plain", None)


def test_a_comment_before_a_column_keeps_its_written_type() -> None:
    text = "CREATE TABLE t (a TEXT,\n  -- set once sending began\n  b BOOLEAN NOT NULL)"
    assert written_types(text) == {"a": "TEXT", "b": "BOOLEAN"}


def test_a_file_every_engine_runs_is_counted_once_when_reformatted() -> None:
    from harvester.migrations.database import analyse_database
    from tests.support.memory_view import MemoryView

    root = "app/schema/delta"
    shipped = "CREATE TABLE t (id BIGINT NOT NULL);\n"
    base = {
        f"{root}/10/01_t.sql": shipped,
        f"{root}/10/02_seq.sql.postgres": "CREATE SEQUENCE s;\n",
        f"{root}/10/02_seq.sql.sqlite": "CREATE TABLE s (id INTEGER);\n",
    }
    head = {**base, f"{root}/10/01_t.sql": "-- Copyright header\n" + shipped}
    database = analyse_database(MemoryView(base, head))
    assert [m.dialect for m in database.migrations] == ["postgresql", "sqlite"]
    (finding,) = database.findings
    assert finding.detail.startswith("1 released migration file reformatted")
