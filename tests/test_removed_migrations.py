"""Migrations a release of the range shipped and a later commit removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from harvester.analysis.removed_migrations import shipped_then_removed
from harvester.gitsource.history import LogHistory
from harvester.gitsource.records import LoggedCommit, PathStat
from harvester.model import ChangeKind, Database, DatabaseSystem, SchemaSnapshot


def _releases(shas: Sequence[str]) -> Mapping[str, str | None]:
    return {sha: {"a1": "v1.1", "d1": "v1.2"}.get(sha) for sha in shas}


def test_a_file_of_a_folder_read_as_a_snapshot_is_no_removed_migration() -> None:
    root = "db/clickhouse_migrate/cloud"
    database = Database(
        systems=(DatabaseSystem("sql", "clickhouse", root),),
        snapshots=(SchemaSnapshot(root, "sql", ChangeKind.MODIFIED, ("reference SQL",)),),
    )
    removed = {f"{root}/06_events_aggregated.sql": ("a1", "d1")}
    result = shipped_then_removed(database, removed, lambda p: True, _releases)
    assert result.findings == ()
    elsewhere = {"db/migrations/06_events_aggregated.sql": ("a1", "d1")}
    (finding,) = shipped_then_removed(database, elsewhere, lambda p: True, _releases).findings
    assert "v1.1" in finding.detail


def _commit(sha: str, *paths: PathStat) -> LoggedCommit:
    return LoggedCommit(sha, (), "a", "a@example.com", "2016-04-27", "s", "", paths)


def _stat(status: str, path: str, old_path: str | None = None) -> PathStat:
    return PathStat(path, old_path, status, None, 1, 0, None, None, "100644", "100644")


def test_a_migration_moved_to_another_folder_then_removed_was_added_where_it_came_from() -> None:
    """ichnaea shipped revisions in `alembic/versions/`, moved the folder into its package,
    then deleted the revisions when it squashed them: they were added before the move."""
    old = "alembic/versions/4255_remove_scores.py"
    new = f"pkg/{old}"
    history = LogHistory()
    for commit in (  # newest first, as the log streams
        _commit("d1", _stat("D", new)),
        _commit("m1", _stat("R", new, old)),
        _commit("a1", _stat("A", old)),
    ):
        history.record(commit)
    history.complete()
    assert history.added_then_deleted() == {new: ("a1", "d1")}


def test_migrations_several_releases_shipped_and_a_purge_removed_are_one_line() -> None:
    removed = {
        "db/migrate/20230804094159_add_banner.rb": ("a1", "d9"),
        "db/migrate/20230814160809_enable_pkce.rb": ("a2", "d9"),
        "db/migrate/20230918141453_drop_sets.rb": ("a3", "d9"),
    }
    names = {"a1": "v4", "a2": "v18", "a3": "v61"}
    (finding,) = shipped_then_removed(
        Database(), removed, lambda p: True, lambda shas: {s: names.get(s) for s in shas}
    ).findings
    assert finding.detail.startswith(
        "3 migrations shipped in releases v4, v18, v61 and were removed later in the range "
        "(db/migrate/20230804094159_add_banner.rb, "
    )
    assert finding.detail.endswith(
        "databases that ran those releases keep their changes, which this report does not "
        "list; databases that skip those releases, and new ones, never run them"
    )


def test_a_migration_whose_release_tree_lacks_it_is_not_said_to_ship_there() -> None:
    # added and reverted on one line, added and removed again on a branch merged for v1.2:
    # the release named by one addition never held the file
    removed = {"prisma/migrations/15_boards/migration.sql": ("a1", "d1")}
    names = {"a1": "v1.1", "d1": "v1.2"}

    def shipped(pairs: Sequence[tuple[str, str]], held: bool) -> set[tuple[str, str]]:
        return set(pairs) if held else set()

    def findings(held: bool) -> int:
        database = shipped_then_removed(
            Database(),
            removed,
            lambda p: True,
            lambda shas: {s: names.get(s) for s in shas},
            lambda pairs: shipped(pairs, held),
        )
        return len(database.findings)

    assert findings(held=True) == 1
    assert findings(held=False) == 0


def test_a_migration_moved_after_it_shipped_is_found_in_its_release_under_its_old_path() -> None:
    new, old = "pkg/alembic/versions/4255_drop_scores.py", "alembic/versions/4255_drop_scores.py"
    (finding,) = shipped_then_removed(
        Database(),
        {new: ("a1", "d1")},
        lambda p: True,
        lambda shas: {s: {"a1": "v1.1", "d1": "v1.2"}.get(s) for s in shas},
        lambda pairs: {pair for pair in pairs if pair == ("v1.1", old)},
        lambda path: [path, old] if path == new else [path],
    ).findings
    assert finding.detail.startswith(f"{new} shipped in v1.1 and was removed in d1")


def test_a_drizzle_journal_file_made_a_folder_by_drizzle_kit_up_runs_nothing_again() -> None:
    from harvester.analysis.removed_migrations import shipped_then_renamed
    from harvester.model import ChangeKind, Migration

    new = "drizzle/20230331135521_nostalgic_carnage/migration.sql"
    migration = Migration(
        id="20230331135521_nostalgic_carnage", system="drizzle", dialect="postgresql",
        path=new, down_path=None, change=ChangeKind.ADDED, order=1, released=False,
    )  # fmt: skip
    renamed = {new: ("c9", "drizzle/0000_nostalgic_carnage.sql")}

    def findings(system: str) -> int:
        database = Database(migrations=(replace(migration, system=system),))
        return len(
            shipped_then_renamed(
                database,
                renamed.get,
                lambda path: "v0.31.0",
                lambda shas: {s: "v1.0.0" for s in shas},
            ).findings
        )

    assert findings("drizzle") == 0
    assert findings("goose") == 1
