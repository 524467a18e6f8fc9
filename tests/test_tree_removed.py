"""A migration tree deleted whole reads as one removal, not as each migration edited."""

from __future__ import annotations

from pathlib import Path

from harvester.migrations.database import analyse_database
from harvester.render.database_view import data_impact, migration_status
from tests.support.memory_view import MemoryView, _read_tree

_CASE = Path(__file__).parent / "fixtures" / "migrations" / "prisma" / "tree_removed"


def test_a_removed_tree_is_one_data_impact_line_and_one_status_line() -> None:
    database = analyse_database(MemoryView.from_folder(_CASE))
    impact = [str(line) for line in data_impact(database)]
    assert [line for line in impact if "modified_existing_migration" in line] == [
        "  - **modified_existing_migration** — the prisma (mysql) tree in "
        "db/mysql/migrations/ was removed with its lock and schema: 3 released migrations "
        "(01\\_init … 03\\_add\\_index); databases that ran them get no further migrations "
        "from it"
    ]
    status = [str(line) for line in migration_status(database)]
    assert status[:2] == [
        "  - prisma (mysql) in `db/mysql/migrations/`:",
        "    - all 3 released migrations deleted (`01_init` … `03_add_index`): the tree is "
        "gone; databases that ran them keep their changes",
    ]


def test_deleting_some_migrations_of_a_tree_is_no_removal() -> None:
    base = _read_tree(_CASE / "base")
    head = {p: c for p, c in base.items() if not p.startswith("db/mysql/migrations/0")}
    head["db/mysql/migrations/01_init/migration.sql"] = base[
        "db/mysql/migrations/01_init/migration.sql"
    ]
    database = analyse_database(MemoryView(base, head))
    assert not database.findings
    assert len(database.migrations) == 2
