"""Which schema a package's Prisma settings name: the migrations beside any other schema are
not run by `prisma migrate`."""

from __future__ import annotations

import json

from harvester.migrations.prisma import _same_schema, _schemas_named


def package(prisma: dict[str, str] | None = None, **scripts: str) -> str:
    data: dict[str, object] = {"name": "shop", "scripts": scripts}
    if prisma is not None:
        data["prisma"] = prisma
    return json.dumps(data)


def test_schema_setting_and_schema_flags_are_named() -> None:
    text = package(
        {"schema": "packages/db/prisma/schema.prisma"},
        migrate="prisma migrate deploy",
        other="npx prisma migrate deploy --schema=./tools/prisma/schema.prisma",
    )
    assert _schemas_named(text) == [
        "packages/db/prisma/schema.prisma",
        "./tools/prisma/schema.prisma",
    ]


def test_nothing_named_when_prisma_may_run_from_its_default_place() -> None:
    assert _schemas_named(package(generate="prisma generate")) == []
    assert _schemas_named(package(migrate="cd apps/api && prisma migrate deploy --schema x")) == []
    assert _schemas_named(package({"seed": "ts-node prisma/seed.ts"})) == []
    assert _schemas_named("not json") == []


def test_other_tools_are_not_the_prisma_cli() -> None:
    text = package(
        {"schema": "db/schema.prisma"},
        kysely="prisma-kysely",
        migrate="node scripts/prisma-migrate.mjs",
    )
    assert _schemas_named(text) == ["db/schema.prisma"]


def test_schema_folders_that_share_migrations() -> None:
    assert _same_schema("prisma", "prisma")
    assert _same_schema("prisma", "prisma/schema")
    assert _same_schema("prisma/schema", "prisma")
    assert not _same_schema("prisma", "packages/db/prisma")
    assert not _same_schema("prisma", "prisma-old")
