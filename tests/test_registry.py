"""The registry's path hints never hide a system: every path a system claims matches its hint."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from harvester.migrations.registry import SYSTEMS, concerned
from tests.migration_cases import cases
from tests.support.memory_view import MemoryView

_SEGMENTS = [
    "db",
    "migrate",
    "migrations",
    "versions",
    "priv",
    "repo",
    "prisma",
    "app",
    "api",
    "sql",
    "schema",
    "postgres",
    "mysql",
    "sqlite",
    "clickhouse",
    "post_migrate",
    "src",
    "main",
    "resources",
    "2024-01-01-000000_init",
    "20240101000000_init",
]
_NAMES = [
    "0001_initial.py",
    "a1b2_add.py",
    "20240101000000_create_users.rb",
    "up.sql",
    "20240101000000_create.exs",
    "migration.sql",
    "000001_init.up.sql",
    "V1__init.sql",
    "schema.prisma",
    "schema.rb",
    "structure.sql",
    "schema.sql",
    "migration_lock.toml",
    "R__views.sql",
    "0001_init.down.sql",
    "README.md",
    "env.py",
    "LATEST.sql",
]


def _claimed_paths(system_paths: list[str]) -> dict[str, bool]:
    return {entry.name: bool(entry.load().find_roots(system_paths)) for entry in SYSTEMS}


@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(_SEGMENTS), max_size=4), st.sampled_from(_NAMES)),
        min_size=1,
        max_size=4,
    )
)
def test_a_system_that_claims_a_path_is_hinted(parts: list[tuple[list[str], str]]) -> None:
    paths = [posixpath.join(*folders, name) for folders, name in parts]
    for entry, claims in zip(SYSTEMS, _claimed_paths(paths).values(), strict=True):
        if claims:
            assert entry.concerns(paths), (entry.name, paths)


def test_every_fixture_case_is_hinted_to_its_systems() -> None:
    for case in cases():
        view = MemoryView.from_folder(case)
        paths = [c.path for c in view.changes()] + [
            c.old_path for c in view.changes() if c.old_path
        ]
        for entry in SYSTEMS:
            if entry.load().find_roots(paths):
                assert entry.concerns(paths), (entry.name, case)


def test_hints_are_searched_path_by_path_over_all_paths_at_once() -> None:
    assert "django" in concerned(["README.md", "shop/migrations/0002_price.py"])
    # no hint may join the end of one path to the next
    assert not {"django", "alembic"} & concerned(["shop/migrations/README", "notes.py"])
    assert concerned(["docs/index.md"]) == frozenset()
