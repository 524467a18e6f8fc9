"""A Prisma schema split over files (`schema.prisma` plus `models/*.prisma`) is one schema."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.model import ImpactTag
from tests.support.memory_view import MemoryView

_LOCK = 'provider = "postgresql"\n'
_DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
_INIT = 'CREATE TABLE "Link" ("id" TEXT NOT NULL, CONSTRAINT "Link_pkey" PRIMARY KEY ("id"));\n'


def _tree(link_model: str) -> dict[str, str]:
    return {
        "db/prisma/migrations/migration_lock.toml": _LOCK,
        "db/prisma/migrations/01_init/migration.sql": _INIT,
        "db/prisma/schema.prisma": _DATASOURCE,
        "db/prisma/models/link.prisma": link_model,
        "db/prisma/models/tag.prisma": "model Tag {\n  id String @id\n}\n",
    }


def test_a_model_file_changed_alone_is_drift_of_the_whole_schema() -> None:
    base = _tree("model Link {\n  id String @id\n}\n")
    head = _tree("model Link {\n  id String @id\n  url String?\n}\n")
    database = analyse_database(MemoryView(base, head))
    assert [s.root for s in database.systems] == ["db/prisma/migrations"]
    (snapshot,) = database.snapshots
    assert (snapshot.path, snapshot.changes) == ("db/prisma", ("model Link: +url String?",))
    assert [f.tag for f in database.findings] == [ImpactTag.SCHEMA_DRIFT]


def test_another_tree_inside_the_schema_folder_keeps_its_own_schema() -> None:
    base = _tree("model Link {\n  id String @id\n}\n")
    nested = {
        "db/prisma/tools/migrations/migration_lock.toml": _LOCK,
        "db/prisma/tools/schema.prisma": "model Job {\n  id String @id\n}\n",
    }
    head = {**_tree("model Link {\n  id String @id\n}\n"), **nested}
    database = analyse_database(MemoryView(base, head))
    assert {s.path for s in database.snapshots} == {"db/prisma/tools/schema.prisma"}
