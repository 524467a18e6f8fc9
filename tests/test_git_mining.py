"""The git source: counts equal git's own, odd paths and messages survive, nothing is written."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from repo_builder import RepoBuilder

from harvester.gitsource.blobs import BlobReader
from harvester.gitsource.diff import range_diff
from harvester.gitsource.log import iter_commits
from harvester.gitsource.refs import RangeRequest
from harvester.gitsource.runner import BACKGROUND_NICENESS, open_repo, run_git, stream_git
from harvester.model import ImpactTag, Migration
from harvester.options import ReportOptions
from harvester.pipeline import build_report


def _git_count(repo: RepoBuilder, *args: str) -> int:
    return int(repo.git("rev-list", "--count", *args))


def test_counts_equal_gits_own(sample: RepoBuilder) -> None:
    report = build_report(ReportOptions(repo=str(sample.path), range=RangeRequest("v1.0..v1.1")))
    assert report.range.commits == _git_count(sample, "--no-merges", "v1.0..v1.1") == 11
    assert report.range.commits_all == _git_count(sample, "v1.0..v1.1") == 12
    names = sample.git("diff", "--name-only", "-M", "v1.0", "v1.1").splitlines()
    assert report.range.files_changed == len(names) == len(report.files)
    assert {f.path for f in report.files} == set(names)


def test_log_reads_renames_binaries_and_merges(sample: RepoBuilder) -> None:
    repo = open_repo(str(sample.path))
    commits = list(iter_commits(repo, sample.sha("v1.0"), sample.sha("v1.1")))
    by_subject = {c.subject: c for c in commits}
    merge = by_subject["Merge pull request #21 from shop/feature/customer-regions"]
    assert merge.is_merge and merge.paths == ()
    regions = by_subject["feat(web): customer regions"]
    logo = next(p for p in regions.paths if p.path == "web/logo.png")
    assert logo.binary and logo.status == "A" and logo.new_blob
    moved = by_subject["refactor: move money formatting to shop.money"]
    assert {(p.status, p.path) for p in moved.paths} >= {("M", "shop/views.py")}
    breaking = by_subject["feat(billing)!: drop legacy invoice references"]
    assert breaking.body == "BREAKING CHANGE: invoices.legacy_ref is gone"
    assert breaking.author_name == "Grace Hopper"


def test_odd_file_names_and_messages_survive(new_repo: Callable[..., RepoBuilder]) -> None:
    repo = new_repo()
    repo.write("base.txt", "x\n")
    base = repo.commit("base")
    names = ["with space.txt", 'quote"d.txt', "new\nline.txt", "üñíçødé/ファイル.md", "tab\there"]
    for name in names:
        repo.write(name, "content\n")
    repo.write(b"latin1-\xe9.txt", "bytes\n")
    repo.commit("odd names \x1e\x1f: separator characters")
    repo.write("base.txt", "y\n")
    repo.commit("second\n\nbody\n\n:100644 100644 fake raw line\n1\t2\tfake numstat")
    git_repo = open_repo(str(repo.path))
    diff = range_diff(git_repo, base, repo.sha())
    paths = {d.path for d in diff}
    assert set(names) | {"base.txt", "latin1-\\xe9.txt"} == paths
    commits = list(iter_commits(git_repo, base, repo.sha()))
    assert [c.subject for c in commits] == ["second", "odd names \x1e\x1f: separator characters"]
    assert commits[0].body.endswith("1\t2\tfake numstat")
    assert [p.path for p in commits[0].paths] == ["base.txt"]
    assert len(commits[1].paths) == 6


def test_rename_with_similarity(new_repo: Callable[..., RepoBuilder]) -> None:
    repo = new_repo()
    repo.write("src/old_name.py", "".join(f"line {i}\n" for i in range(40)))
    base = repo.commit("base")
    repo.move("src/old_name.py", "src/pkg/new_name.py")
    repo.write("src/pkg/new_name.py", "".join(f"line {i}\n" for i in range(41)))
    repo.commit("move it")
    (entry,) = range_diff(open_repo(str(repo.path)), base, repo.sha())
    assert (entry.status, entry.old_path, entry.path) == (
        "R",
        "src/old_name.py",
        "src/pkg/new_name.py",
    )
    assert entry.similarity is not None and entry.similarity >= 90
    assert (entry.additions, entry.deletions) == (1, 0)


def test_quick_diff_without_counts_lists_the_same_paths(sample: RepoBuilder) -> None:
    repo = open_repo(str(sample.path))
    full = range_diff(repo, sample.sha("v1.0"), sample.sha("v1.1"))
    quick = range_diff(repo, sample.sha("v1.0"), sample.sha("v1.1"), counts=False)
    assert len(quick) > 5
    assert [(d.path, d.old_path, d.status, d.new_blob) for d in quick] == [
        (d.path, d.old_path, d.status, d.new_blob) for d in full
    ]
    assert {(d.additions, d.deletions) for d in quick} == {(0, 0)}


def test_background_git_gives_the_same_output_at_a_lower_priority(
    sample: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = open_repo(str(sample.path))
    lowered: list[tuple[int, int, int]] = []
    monkeypatch.setattr(os, "setpriority", lambda *a: lowered.append(a), raising=False)
    args = ["log", "--format=%H", "v1.0..v1.1"]
    assert run_git(repo, args, background=True).stdout == run_git(repo, args).stdout
    with stream_git(repo, ["rev-parse", "v1.1^{commit}"], background=True) as stdout:
        assert stdout.read().decode().strip() == sample.sha("v1.1")
    assert len(lowered) == 2
    assert {(which, niceness) for which, _, niceness in lowered} == {
        (os.PRIO_PROCESS, BACKGROUND_NICENESS)
    }


def test_blob_reader_is_shared_by_threads(sample: RepoBuilder) -> None:
    repo = open_repo(str(sample.path))
    tree = sample.git("ls-tree", "-r", "--format=%(objectname)", "v1.1").split()
    specs = [f"{sample.sha('v1.1')}:{p}" for p in sample.git("ls-files").split()] + tree
    with BlobReader(repo) as shared, BlobReader(repo) as alone:
        expected = {s: b.data for s, b in alone.read_many(specs).items()}
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda part: shared.read_many(specs[part::4]), range(4)))
    found = {s: b.data for result in results for s, b in result.items()}
    assert found == expected and len(found) == len(set(specs)) > 20


def test_blob_reader_reads_caches_and_refuses_large(sample: RepoBuilder) -> None:
    repo = open_repo(str(sample.path))
    readme = sample.git("rev-parse", "v1.0:README.md")
    with BlobReader(repo, max_bytes=100) as reader:
        blob = reader.read(readme)
        assert blob.data == b"# Shop\n\nA tiny shop used to demonstrate harvester.\n"
        assert reader.read("0" * 40).missing
        big = reader.read(sample.git("rev-parse", "v1.1:shop/migrations/0002_order_badge_key.py"))
        assert big.too_large and big.size and big.size > 100
        many = reader.read_many([readme, f"{sample.sha('v1.1')}:README.md"])
        assert many[readme].data == blob.data
        assert b"make test" in (many[f"{sample.sha('v1.1')}:README.md"].data or b"")


def _fingerprint(git_dir: Path) -> dict[str, str]:
    found = {}
    for path in sorted(git_dir.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(git_dir))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return found


def test_report_never_writes_to_the_repository(sample: RepoBuilder) -> None:
    before = _fingerprint(sample.path / ".git")
    build_report(ReportOptions(repo=str(sample.path), range=RangeRequest("v1.0..v1.1")))
    assert _fingerprint(sample.path / ".git") == before


def test_repository_config_cannot_run_programs(
    new_repo: Callable[..., RepoBuilder], tmp_path: Path
) -> None:
    repo = new_repo()
    marker = tmp_path / "pwned"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    repo.write("a.txt", "one\n")
    base = repo.commit("base")
    repo.write("a.txt", "two\n")
    repo.write(".gitattributes", "*.txt diff=evil\n")
    repo.commit("change")
    for key, value in (
        ("diff.external", str(script)),
        ("diff.evil.textconv", str(script)),
        ("diff.evil.command", str(script)),
        ("core.fsmonitor", str(script)),
        ("core.pager", str(script)),
        ("gpg.program", str(script)),
        ("log.showSignature", "true"),
    ):
        repo.git("config", key, value)
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest(f"{base}..HEAD")))
    assert {f.path for f in report.files} == {"a.txt", ".gitattributes"}
    assert not marker.exists()


def test_bare_clone_and_subfolder_give_the_same_report(sample: RepoBuilder, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(sample.path), str(bare)], check=True)
    options = {"range": RangeRequest("v1.0..v1.1")}
    from_bare = build_report(ReportOptions(repo=str(bare), **options))
    from_folder = build_report(ReportOptions(repo=str(sample.path / "shop"), **options))
    assert from_bare.files == from_folder.files
    assert from_bare.range == from_folder.range


def test_git_never_reaches_a_remote(sample: RepoBuilder, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(sample.path), str(clone)], check=True)
    repo = open_repo(str(clone))
    result = run_git(repo, ["fetch", "origin"], check=False)
    assert result.returncode != 0
    assert b"transport 'file' not allowed" in result.stderr


def test_a_migration_renumbered_while_resolving_a_merge_is_added_by_that_merge(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    repo.write("app/migrations/0001_initial.py", "# initial\n")
    repo.commit("initial")
    repo.tag("v1.0")
    repo.branch("feature")
    repo.write("app/migrations/0002_add_slug.py", "# slug\n")
    repo.commit("add slug")
    repo.checkout("main")
    repo.write("app/migrations/0002_add_name.py", "# name\n")
    repo.commit("add name")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.move("app/migrations/0002_add_slug.py", "app/migrations/0003_add_slug.py")
    merge = repo.commit("Merge feature, renumbering its migration")
    repo.tag("v1.1")
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.1")))
    slug = next(m for m in report.database.migrations if m.id == "app.0003_add_slug")
    assert (slug.added_in, slug.first_tag) == (merge, "v1.1")


def test_a_merge_migration_is_added_by_the_merge_that_made_it_not_a_later_one_passing_it_on(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    repo.write("app/migrations/0001_initial.py", "# initial\n")
    repo.commit("initial")
    repo.tag("v1.0")
    repo.branch("feeds")  # a long-lived branch that later takes main in
    repo.write("app/migrations/0002_feed.py", "# feed\n")
    repo.commit("add feed")
    repo.checkout("main")
    repo.branch("covers")
    repo.write("app/migrations/0002_cover.py", "# cover\n")
    repo.commit("add cover")
    repo.checkout("main")
    repo.write("app/migrations/0002_name.py", "# name\n")
    repo.commit("add name")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "covers")
    repo.write("app/migrations/0003_merge.py", "# merge\n")
    made = repo.commit("Merge covers, with a merge migration")
    repo.tag("v1.1")
    repo.checkout("feeds")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "main")
    repo.commit("Merge main into feeds")
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "feeds", "-m", "Merge feeds")
    repo.tag("v1.2")
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.2")))
    merged = next(m for m in report.database.migrations if m.id == "app.0003_merge")
    assert (merged.added_in, merged.first_tag) == (made, "v1.1")


def _releases(repo: RepoBuilder, *steps: Callable[[RepoBuilder], None]) -> list[str]:
    """A Rails app tagged v1.0, then one commit per step, tagged v1.1, v1.2, …; the commits."""
    repo.write("db/migrate/20240101000000_create_users.rb", "# users\n")
    repo.commit("users")
    repo.tag("v1.0")
    made = []
    for number, step in enumerate(steps, start=1):
        step(repo)
        made.append(repo.commit(f"step {number}"))
        repo.tag(f"v1.{number}")
    return made


def _range_migrations(repo: RepoBuilder, span: str) -> tuple[Migration, ...]:
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest(span)))
    return report.database.migrations


def test_a_migration_renamed_after_it_was_added_keeps_its_first_commit_and_release(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    old, new = (
        "db/migrate/20240201000000_add_transform.rb",
        "db/migrate/20240201000000_add_legacy.rb",
    )
    added, _ = _releases(
        repo, lambda r: r.write(old, "# transform\n" * 20), lambda r: r.move(old, new)
    )
    (migration,) = _range_migrations(repo, "v1.0..v1.2")
    assert (migration.path, migration.added_in, migration.first_tag) == (new, added, "v1.1")


def test_a_migration_given_a_new_version_after_it_shipped_inside_the_range_runs_again(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    old, new = (
        "db/migrate/20240301000000_clean_profiles.rb",
        "db/migrate/20240201000000_clean_profiles.rb",
    )
    _, renamed = _releases(
        repo,
        lambda r: r.write(old, "class CleanProfiles < ActiveRecord::Migration[7.1]\nend\n"),
        lambda r: r.move(old, new),
    )
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.2")))
    (migration,) = report.database.migrations
    assert (migration.id, migration.added_in, migration.first_tag) == (
        "20240201000000",
        renamed,
        "v1.2",
    )
    assert migration.notes[-1] == (
        f"renamed from version 20240301000000 in {renamed[:7]}, after 20240301000000 shipped in "
        "v1.1: databases that ran v1.1 ran it as 20240301000000 and run it again as "
        "20240201000000"
    )
    (finding,) = [f for f in report.database.findings if f.paths == (new,)]
    assert finding.detail.startswith("version 20240301000000 of " + new + " shipped in v1.1")


def test_a_migration_edited_after_it_shipped_inside_the_range_says_so(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    path = "db/migrate/20240201000000_dedupe.rb"
    _releases(
        repo,
        lambda r: r.write(path, 'execute "DELETE FROM users"\n'),
        lambda r: r.write(path, 'execute "UPDATE users"\nexecute "DELETE FROM users"\n'),
    )
    (migration,) = _range_migrations(repo, "v1.0..v1.2")
    assert migration.first_tag == "v1.1"
    assert migration.data_impact[0].detail == (
        "edited after it shipped in v1.1: databases that ran v1.1 keep the version they ran; "
        "the others run this one"
    )


def test_a_migration_that_shipped_after_a_newer_one_runs_out_of_order(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    _releases(
        repo,
        lambda r: r.write("db/migrate/20240301000000_add_b.rb", "# b\n"),
        lambda r: r.write("db/migrate/20240201000000_add_a.rb", "# a, from a long-lived branch\n"),
    )
    late = next(m for m in _range_migrations(repo, "v1.0..v1.2") if m.id == "20240201000000")
    assert late.data_impact[-1].detail == (
        "shipped in v1.2, after 20240301000000 (ordered after it) shipped in v1.1: a database "
        "upgraded through v1.1 runs it after newer migrations, a fresh one before"
    )


def test_a_revert_is_named_only_when_the_reverted_commit_exists(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    repo.write("app.py", "a = 1\n")
    base = repo.commit("base")
    repo.write("app.py", "a = 2\n")
    tried = repo.commit("Try two")
    repo.write("notes.md", "n\n")
    repo.commit("Add notes")
    repo.revert(tried)
    repo.write("app.py", "a = 3\n")
    # a squash merge quoting the message of a revert made on the pull request's branch
    repo.commit('Use three (#12)\n\n* Revert "wip"\n\nThis reverts commit 0123456789abcdef.')
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest(f"{base}..HEAD")))
    reasons = {c.subject: c.significance for c in report.commits}
    assert reasons['Revert "Try two"'] == (f"reverts {tried[:7]}",)
    assert not any("reverts" in r for r in reasons["Use three (#12)"])


def test_a_migration_shipped_and_removed_inside_the_range_is_a_finding(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    shipped = "db/migrate/20240201000000_add_flag.rb"
    tried = "db/migrate/20240301000000_try_index.rb"
    added, removed = _releases(
        repo, lambda r: r.write(shipped, "# flag\n"), lambda r: r.delete(shipped)
    )
    # added and removed again before any release: no database ran it
    repo.write(tried, "# index\n")
    repo.commit("try an index")
    repo.delete(tried)
    repo.commit("drop the index again")
    repo.tag("v1.3")
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.3")))
    assert not report.database.migrations
    assert [(f.tag, f.detail, f.paths, f.commits) for f in report.database.findings] == [
        (
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"{shipped} shipped in v1.1 and was removed in {removed[:7]}: databases that ran "
            "v1.1 keep its changes, which this report does not list; databases that skip "
            "v1.1, and new ones, never run it",
            (shipped,),
            (added, removed),
        )
    ]


def test_a_migration_shipped_and_then_moved_is_not_called_removed(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    moved = "db/migrate/20240201000000_add_flag.rb"
    readded = "db/migrate/20240202000000_add_index.rb"
    _releases(
        repo,
        lambda r: (r.write(moved, "# flag\n" * 5), r.write(readded, "# index\n" * 5)),
        # moved in one commit (a rename), and deleted then added back elsewhere in two
        lambda r: (r.move(moved, f"engines/core/{moved}"), r.delete(readded)),
        lambda r: r.write(f"engines/core/{readded}", "# index\n" * 5),
    )
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.3")))
    assert not [f for f in report.database.findings if "removed" in f.detail]


def test_removed_migrations_are_known_by_their_folder_or_version(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    prisma = "prisma/migrations/20240201000000_add_flag/migration.sql"
    plain = "db/migrations/000002_add_index.up.sql"

    def rewrite(r: RepoBuilder) -> None:
        r.delete(plain)
        r.write(
            "db/migrations/000002_add_index.autocommit.up.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);\n",
        )

    _releases(
        repo,
        lambda r: (
            r.write("prisma/migrations/migration_lock.toml", 'provider = "postgresql"\n'),
            r.write(prisma, "ALTER TABLE t ADD COLUMN flag boolean;\n"),
            r.write(plain, "CREATE INDEX i ON t (a);\n"),
        ),
        # the Prisma migration goes; the plain one is rewritten under the same version
        lambda r: (r.delete(prisma), rewrite(r)),
    )
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.2")))
    removed = [f.paths for f in report.database.findings if "was removed" in f.detail]
    assert removed == [(prisma,)]


def test_a_sql_migration_renumbered_after_it_shipped_runs_again(
    new_repo: Callable[..., RepoBuilder],
) -> None:
    repo = new_repo()
    folder = "db/migrations"
    body = "-- +goose Up\nALTER TABLE t ADD COLUMN flag boolean;\n" + "-- padding\n" * 8
    _, renamed = _releases(
        repo,
        lambda r: (
            r.write(f"{folder}/20240101000000_init.sql", "-- +goose Up\nCREATE TABLE t (a int);\n"),
            r.write(f"{folder}/20240201000000_add_flag.sql", body),
        ),
        lambda r: r.move(
            f"{folder}/20240201000000_add_flag.sql", f"{folder}/20240301000000_add_flag.sql"
        ),
    )
    report = build_report(ReportOptions(repo=str(repo.path), range=RangeRequest("v1.0..v1.2")))
    assert [f.detail for f in report.database.findings if "renamed" in f.detail] == [
        f"20240201000000_add_flag shipped in v1.1 and was renamed to 20240301000000_add_flag in "
        f"{renamed[:7]}: databases that ran v1.1 ran it as 20240201000000_add_flag and run it "
        "again as 20240301000000_add_flag"
    ]
