"""Migration trees of tests and examples are not deployed, whatever the test folder's style."""

from __future__ import annotations

import pytest

from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED


@pytest.mark.parametrize(
    ("path", "deployed"),
    [
        ("integration-tests/drizzle2/pg/20240101000000_init/migration.sql", False),
        ("integration_tests/migrations/0001_init.sql", False),
        ("tests/migrations/0001_init.sql", False),
        ("app/integrations/db/migrations/0001_init.sql", True),
        ("db/migrations/0001_init.sql", True),
    ],
)
def test_a_test_folder_of_any_style_is_not_deployed(path: str, deployed: bool) -> None:
    assert (NOT_DEPLOYED.search(path) is None) is deployed


def test_a_schema_file_is_no_migration() -> None:
    from harvester.migrations.database import migration_like

    assert migration_like("prisma/migrations/20240101000000_init/migration.sql")
    assert not migration_like("src/prisma/schema.prisma")
    assert not migration_like("db/schema.rb")
