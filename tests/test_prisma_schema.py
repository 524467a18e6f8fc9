"""schema.prisma read as a snapshot: mapped tables and columns, diffs and drift."""

from __future__ import annotations

from harvester.migrations.prisma_schema import prisma_provider, prisma_shape
from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations
from harvester.migrations.sql_layouts.snapshots import drift_findings, shape_changes
from harvester.model import ImpactTag

BEFORE = """
datasource db {
  provider = "postgresql" // the engine
  url      = env("DATABASE_URL")
}

model Website {
  id       String    @id @map("website_id") @db.Uuid
  name     String    @db.VarChar(100)
  segments Segment[]

  @@map("website")
}

enum Role {
  ADMIN
  MEMBER
}
"""

AFTER = (
    BEFORE.replace(
        "  name     String    @db.VarChar(100)\n",
        "  name     String    @db.VarChar(100)\n  domain   String?   @db.VarChar(500)\n",
    )
    + """
model Segment {
  id        String  @id @map("segment_id") @db.Uuid
  websiteId String  @map("website_id") @db.Uuid
  website   Website @relation(fields: [websiteId], references: [id])

  @@index([websiteId])
  @@map("segment")
}
"""
)


def test_models_become_mapped_tables_and_scalar_fields_columns() -> None:
    shape = prisma_shape(AFTER)
    assert dict(shape.tables["segment"]) == {
        "segment_id": "String @db.Uuid",
        "website_id": "String @db.Uuid",
    }
    assert shape.label("segment") == "model Segment (table segment)"
    assert prisma_provider(AFTER) is ops.Dialect.POSTGRESQL


def test_snapshot_diff_at_model_level() -> None:
    assert shape_changes(prisma_shape(BEFORE), prisma_shape(AFTER)) == (
        "model Segment (table segment) added (2 columns)",
        "model Website (table website): +domain String? @db.VarChar(500)",
        "index segment(websiteId) added",
    )


def test_drift_names_what_no_migration_explains() -> None:
    migration = ops.ParsedMigration(
        "20240101_segment",
        "m.sql",
        ops.Step(
            sql_operations(
                'CREATE TABLE "segment" ("segment_id" UUID NOT NULL, "website_id" UUID NOT NULL);',
                ops.Dialect.POSTGRESQL,
            ).operations
        ),
    )
    found = drift_findings(
        "prisma/schema.prisma", prisma_shape(BEFORE), prisma_shape(AFTER), [migration], ()
    )
    assert [(f.tag, f.detail) for f in found] == [
        (
            ImpactTag.SCHEMA_DRIFT,
            "prisma/schema.prisma gains website.domain, which no migration adds",
        )
    ]


def test_fields_show_their_defaults() -> None:
    shape = prisma_shape(
        "model Survey {\n  id String @id @default(cuid())\n"
        "  isCaptureIpEnabled Boolean @default(false)\n"
        '  createdAt DateTime @default(now()) @map("created_at")\n  name String\n}\n'
    )
    assert shape.tables["Survey"] == {
        "id": "String @default(cuid())",
        "isCaptureIpEnabled": "Boolean @default(false)",
        "created_at": "DateTime @default(now())",
        "name": "String",
    }


def test_a_single_field_index_may_be_written_without_brackets() -> None:
    bracketed = prisma_shape("model A {\n  id Int @id\n  t Int\n  @@index([t])\n}\n")
    bare = prisma_shape("model A {\n  id Int @id\n  t Int\n  @@index(t)\n}\n")
    assert bracketed.objects == bare.objects == {"index A(t)": ""}


def test_a_multi_file_schema_without_migrations_is_one_snapshot() -> None:
    from harvester.migrations.database import analyse_database
    from tests.support.memory_view import MemoryView

    datasource = 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n'
    base = {
        "apps/web/prisma/schema/schema.prisma": datasource,
        "apps/web/prisma/schema/link.prisma": "model Link {\n  id String @id\n}\n",
    }
    head = {
        **base,
        "apps/web/prisma/schema/link.prisma": "model Link {\n  id String @id\n  url String\n}\n",
    }
    database = analyse_database(MemoryView(base, head))
    assert [s.root for s in database.systems] == ["apps/web/prisma/schema/migrations"]
    assert len(database.snapshots) == 1


def test_a_schema_without_any_migrations_claims_no_drift() -> None:
    from harvester.migrations.database import analyse_database
    from tests.support.memory_view import MemoryView

    base = {"prisma/schema.prisma": "model Link {\n  id String @id\n}\n"}
    head = {"prisma/schema.prisma": "model Link {\n  id String @id\n  url String\n}\n"}
    database = analyse_database(MemoryView(base, head))
    assert database.snapshots and not database.findings


def test_an_enum_that_comes_back_with_the_same_values_was_renamed() -> None:
    before = prisma_shape(
        "enum MemberRole {\n  OWNER\n  VIEWER\n}\nenum Old {\n  A\n}\n"
        "model Member {\n  id Int @id\n  role MemberRole\n}\n"
    )
    after = prisma_shape(
        "enum AccessRole {\n  OWNER\n  VIEWER\n}\nenum Fresh {\n  B\n}\n"
        "model Member {\n  id Int @id\n  role AccessRole\n}\n"
    )
    assert shape_changes(before, after) == (
        "model Member: role MemberRole -> AccessRole",
        "enum MemberRole renamed to AccessRole (same values)",
        "enum Fresh added",
        "enum Old removed",
    )
