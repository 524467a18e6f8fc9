"""Which release first shipped a commit: the oldest tag of the range's own family, never a
package tag of another monorepo member or a moving deployment tag."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from repo_builder import RepoBuilder

from harvester.gitsource.refs import RangeRequest
from harvester.gitsource.runner import open_repo
from harvester.gitsource.tags import (
    first_tags,
    is_pre_release,
    release_tag_patterns,
    tag_family,
)
from harvester.model import ImpactTag
from harvester.options import ReportOptions
from harvester.pipeline import build_report


def _step(repo: RepoBuilder, path: str, *tags: str) -> str:
    """Commit a new file, tag the commit with each of `tags`, return its SHA."""
    repo.write(path, f"{path}\n")
    sha = repo.commit(f"add {path}")
    for tag in tags:
        repo.tag(tag)
    return sha


def _history(repo: RepoBuilder) -> tuple[str, str]:
    """v1.0, then a migration commit tagged by a package tag, a deployment tag and v1.1."""
    _step(repo, "a.txt", "v1.0")
    migration = _step(repo, "db/0002.sql", "@acme/ui@0.4.1", "deployed/production")
    _step(repo, "b.txt", "v1.1")
    unreleased = _step(repo, "c.txt")
    return migration, unreleased


def test_the_range_family_names_the_first_release(new_repo: Callable[..., RepoBuilder]) -> None:
    repo = new_repo()
    migration, unreleased = _history(repo)
    git = open_repo(str(repo.path))
    assert first_tags(git, [migration, unreleased], ("v1.1", "v1.0")) == {
        migration: "v1.1",
        unreleased: None,
    }
    # A range named by commits falls back to version-like tags.
    assert first_tags(git, [migration], ("HEAD", "HEAD~3")) == {migration: "v1.1"}
    # Named by the package's own tags, the package family counts.
    assert first_tags(git, [migration], ("@acme/ui@0.4.1",)) == {migration: "@acme/ui@0.4.1"}


def test_without_release_tags_no_tag_is_named(new_repo: Callable[..., RepoBuilder]) -> None:
    repo = new_repo()
    repo.write("a.txt", "a\n")
    sha = repo.commit("start")
    repo.tag("deployed/production")
    repo.tag("sdk/1.0.0")
    git = open_repo(str(repo.path))
    assert release_tag_patterns(git, ("HEAD",)) == ()
    assert first_tags(git, [sha], ("HEAD",)) == {sha: None}


def test_tag_families() -> None:
    assert tag_family("v25.4.0") == "v[0-9]*"
    assert tag_family("3.21.0") == "[0-9]*"
    assert tag_family("kaizen.22") == "kaizen.[0-9]*"
    assert tag_family("@polar-sh/checkout@0.4.1") == "@polar-sh/checkout@[0-9]*"
    assert tag_family("nightly") is None


def test_pre_releases_count_only_for_a_range_named_by_one(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _step(repo, "a.txt", "3.6.0")
    migration = _step(repo, "db/0002.py", "3.6.1.dev2")
    _step(repo, "b.txt", "3.6.1rc1", "v3.6.1-beta.1")
    _step(repo, "c.txt", "3.6.1")
    git = open_repo(str(repo.path))
    assert first_tags(git, [migration], ("3.6.1", "3.6.0")) == {migration: "3.6.1"}
    assert first_tags(git, [migration], ("3.6.1rc1", "3.6.0")) == {migration: "3.6.1.dev2"}


def test_ci_build_tags_and_lettered_pre_releases_are_not_releases(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _step(repo, "a.txt", "3.1")
    migration = _step(repo, "db/0002.py", "3.1.1-jenkins-78", "3.2a")
    _step(repo, "b.txt", "3.2b")
    _step(repo, "c.txt", "3.2")
    git = open_repo(str(repo.path))
    assert first_tags(git, [migration], ("3.2", "3.1")) == {migration: "3.2"}


def _zones_then_required(repo: RepoBuilder, *between: str) -> None:
    """v1.0, a migration creating `zones`, the tags `between`, one making a column NOT NULL."""
    _step(repo, "README.md", "v1.0")
    repo.write("db/migrations/000001_zones.up.sql", "CREATE TABLE zones (id int, ends_at date);\n")
    repo.commit("create zones")
    for tag in between:
        repo.tag(tag)
    require = "ALTER TABLE zones ALTER COLUMN ends_at SET NOT NULL;\n"
    repo.write("db/migrations/000002_require_ends_at.up.sql", require)
    repo.commit("require ends_at")


def test_a_table_shipped_in_an_earlier_release_of_the_range_is_judged_as_holding_rows(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _zones_then_required(repo, "v1.1")
    repo.tag("v1.2")
    options = ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.2"))
    migrations = {m.id: m for m in build_report(options).database.migrations}
    assert migrations["000001_zones"].first_tag == "v1.1"
    assert migrations["000002_require_ends_at"].first_tag == "v1.2"
    tags = [i.tag for i in migrations["000002_require_ends_at"].data_impact]
    assert tags[0] is ImpactTag.NOT_NULL_ON_EXISTING_COLUMN
    assert ImpactTag.MITIGATED not in tags


def test_a_mitigation_says_when_it_assumes_one_deployment(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _zones_then_required(repo)

    def mitigation(span: str) -> str:
        options = ReportOptions(repo=str(repo.path), range=RangeRequest(span))
        migrations = {m.id: m for m in build_report(options).database.migrations}
        impact = migrations["000002_require_ends_at"].data_impact[0]
        assert impact.tag is ImpactTag.MITIGATED
        return impact.detail

    # unreleased: nothing says the two ship together
    assert mitigation("v1.0..HEAD").endswith(
        "holds no rows yet (assuming both deploy together: no release tag separates them)"
    )
    repo.tag("v1.1")  # one release ships both: the mitigation is a fact
    assert mitigation("v1.0..v1.1").endswith(
        "was created by 000001_zones earlier in this range and holds no rows yet"
    )


def test_pre_release_names() -> None:
    for name in (
        "26.08.0-dev",
        "3.6.19.dev2",
        "v2.0.0-rc.1",
        "1.0b3",
        "3.20.0-a.0",
        "nightly",
        "3.2a",
        "3.2.1b",
        "3.2.6-jenkins-78",
        "v1.4.0+build.12",
        "2.0.1-ci-3",
        "1.0.0-publish-native-binary.0",
        "v0.19.4-test-fix-publish-2",
    ):
        assert is_pre_release(name), name
    for name in ("v25.4.0", "3.21.0", "kaizen.22", "v20241220", "release-2024.05", "v1.2.3-1"):
        assert not is_pre_release(name), name


def test_deployment_tags_named_by_commits_are_ordered_by_history(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    # hex names: `2b38dba` reads as a beta and `fdee7aa` starts with no digit
    repo = new_repo()
    _step(repo, "a.txt", "app@2b38dba")
    migration = _step(repo, "db/migrate/20251120203100_x.rb", "app@fdee7aa")
    _step(repo, "b.txt", "app@9ab1568")
    git = open_repo(str(repo.path))
    assert tag_family("app@9ab1568") == "app@*"
    assert not is_pre_release("app@2b38dba")
    assert first_tags(git, [migration], ("app@9ab1568", "app@2b38dba")) == {
        migration: "app@fdee7aa"
    }


def _released_from_a_branch(repo: RepoBuilder, synced: str) -> None:
    """v1.0; a release branch ships a migration in v1.0.1; main gets `synced` as that file,
    then v1.1."""
    _step(repo, "README.md", "v1.0")
    repo.branch("release-1.0")
    repo.checkout("release-1.0")
    repo.write("db/migrations/000002_hash.up.sql", "ALTER TABLE t ADD COLUMN h text;\n")
    repo.commit("fix: add hash column")
    repo.tag("v1.0.1")
    repo.checkout("main")
    repo.write("db/migrations/000002_hash.up.sql", synced)
    repo.commit("chore: sync release v1.0.1 to main")
    repo.tag("v1.1")


def _first_tag(repo: RepoBuilder, span: str) -> str | None:
    options = ReportOptions(repo=str(repo.path), range=RangeRequest(span))
    migrations = {m.id: m for m in build_report(options).database.migrations}
    return migrations["000002_hash"].first_tag


def test_a_release_branch_that_shipped_the_same_file_first_released_it(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _released_from_a_branch(repo, "ALTER TABLE t ADD COLUMN h text;\n")
    assert _first_tag(repo, "v1.0..v1.1") == "v1.0.1"


def test_a_release_branch_file_of_other_content_is_not_the_release(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _released_from_a_branch(repo, "ALTER TABLE t ADD COLUMN h varchar(64);\n")
    assert _first_tag(repo, "v1.0..v1.1") == "v1.1"


def test_a_migration_removed_and_restored_was_first_released_by_its_first_addition(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _step(repo, "README.md", "v1.0")
    repo.write("db/migrations/000002_hash.up.sql", "ALTER TABLE t ADD COLUMN h text;\n")
    repo.commit("add hash column")
    repo.tag("v1.1")
    repo.delete("db/migrations/000002_hash.up.sql")
    removed = repo.commit("remove old migrations")
    repo.tag("v1.2")
    repo.revert(removed)
    repo.tag("v1.3")
    assert _first_tag(repo, "v1.0..v1.3") == "v1.1"


def test_deployments_named_by_commits_ship_in_the_order_they_were_made(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    # by their digits `2002004` would sort after `9ab1568`: history says it came first
    repo = new_repo()
    _step(repo, "README.md", "app@5d0c1e2")
    _step(repo, "db/migrations/000001_zones.up.sql", "app@2002004")
    _step(repo, "db/migrations/000002_rates.up.sql", "app@9ab1568")
    options = ReportOptions(repo=str(repo.path), range=RangeRequest("app@5d0c1e2..app@9ab1568"))
    migrations = build_report(options).database.migrations
    assert [m.first_tag for m in migrations] == ["app@2002004", "app@9ab1568"]
    assert not [i for m in migrations for i in m.data_impact if i.tag is ImpactTag.OUT_OF_ORDER]


def test_a_migration_added_on_two_lines_of_history_shipped_with_the_first_release_of_either(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    # a branch's own commit and the squash of its pull request both add the file; the squash
    # ships in v2.0, the branch is merged later
    repo = new_repo()
    _step(repo, "README.md", "v1.0")
    migration = ("db/migrations/000002_hash.up.sql", "ALTER TABLE t ADD COLUMN h text;\n")
    repo.branch("feature")
    repo.checkout("feature")
    repo.write(*migration)
    repo.commit("add hash column")
    repo.checkout("main")
    repo.write(*migration)
    repo.commit("Version 2 (#88)")
    repo.tag("v2.0")
    repo.merge("feature")
    repo.tag("v2.1")
    assert _first_tag(repo, "v1.0..v2.1") == "v2.0"


def test_a_dotted_lettered_pre_release_is_not_the_first_release(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _step(repo, "a.txt", "0.38.0")
    migration = _step(repo, "db/0002.py", "0.39.0.b1", "0.39.0-a.1", "0.39.0-publish-binary.0")
    _step(repo, "b.txt", "0.39.0")
    git = open_repo(str(repo.path))
    assert first_tags(git, [migration], ("0.39.0", "0.38.0")) == {migration: "0.39.0"}


def test_a_timestamped_deploy_tag_is_a_release(new_repo: Callable[..., RepoBuilder]) -> None:
    # `-193428-utc` is a time of day, not a pre-release label
    repo = new_repo()
    _step(repo, "a.txt", "production-2026.03.27-101500-utc")
    migration = _step(repo, "db/migrate/20260328000000_x.rb", "production-2026.03.30-193428-utc")
    _step(repo, "b.txt", "production-2026.04.02-080000-utc")
    git = open_repo(str(repo.path))
    names = ("production-2026.04.02-080000-utc", "production-2026.03.27-101500-utc")
    assert not is_pre_release("production-2026.03.30-193428-utc")
    assert first_tags(git, [migration], names) == {migration: "production-2026.03.30-193428-utc"}


def test_commits_are_named_in_batches_with_the_same_answers(
    new_repo: Callable[..., RepoBuilder], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_repo()
    shas = [_step(repo, f"f{n}.txt", *(["v1.0"] if n == 2 else [])) for n in range(4)]
    git = open_repo(str(repo.path))
    whole = first_tags(git, shas, ("v1.0",))
    monkeypatch.setattr("harvester.gitsource.tags._NAMED_AT_ONCE", 1)
    assert first_tags(git, shas, ("v1.0",)) == whole
    assert whole == {shas[0]: "v1.0", shas[1]: "v1.0", shas[2]: "v1.0", shas[3]: None}
