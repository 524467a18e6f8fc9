"""Key Commits in context: the pull request a merge brought a commit in by, what an added
migration drops, edits after a release, and reasons that only look like security."""

from __future__ import annotations

from harvester.analysis.commit_text import merged_pull_request, sensitive_area
from harvester.analysis.file_kinds import kind_of_path
from harvester.model import ChangeKind, FileKind, Impact, ImpactTag, Migration
from tests.test_key_commits import _by_subject, _commit, _stat


def test_each_commit_names_the_pull_request_merge_that_brought_it_in() -> None:
    # main: base <- m1 (merges a1, a2) <- direct <- m2 (merges b1, which merged main in)
    commits = [
        _commit("m", "Merge pull request #12 from team/beta", parents=("d" * 40, "f" * 40)),
        _commit("f", "Merge branch 'main' into beta", parents=("e" * 40, "d" * 40)),
        _commit("e", "Beta work", _stat("b.py"), parents=("c" * 40,)),
        _commit("d", "Direct push", _stat("d.py"), parents=("c" * 40,)),
        _commit("c", "Merge pull request #7 from alice/alpha", parents=("0" * 40, "b" * 40)),
        _commit("b", "Alpha tests", _stat("a_test.py"), parents=("a" * 40,)),
        _commit("a", "Alpha feature", _stat("a.py"), parents=("0" * 40,)),
    ]
    ranked = _by_subject(commits, migration_ids={})
    merged = {s: c.significance[-1] for s, c in ranked.items() if c.significance}  # type: ignore[attr-defined]
    assert merged["Alpha feature"] == "merged in #7"
    assert merged["Alpha tests"] == "merged in #7"
    assert merged["Beta work"] == "merged in #12"
    assert not merged["Direct push"].startswith("merged in")


def test_a_merge_of_a_long_lived_branch_is_followed_down_its_own_line() -> None:
    # main merges dev; dev had merged a feature pull request and a squashed commit
    commits = [
        _commit("m", "Merge pull request #30 from org/dev", parents=("0" * 40, "d" * 40)),
        _commit("d", "Merge pull request #29 from org/feature", parents=("c" * 40, "b" * 40)),
        _commit("c", "Squashed fix (#28)", _stat("c.py"), parents=("0" * 40,)),
        _commit("b", "Feature work", _stat("b.py"), parents=("0" * 40,)),
    ]
    ranked = _by_subject(commits, migration_ids={})
    assert ranked["Feature work"].significance[-1] == "merged in #29"  # type: ignore[attr-defined]
    assert all("#30" not in s for c in ranked.values() for s in c.significance)  # type: ignore[attr-defined]


def test_forge_merge_messages_name_their_pull_request() -> None:
    assert merged_pull_request("Merge pull request #2457 from authzed/x/use_directive", "") == (
        "#2457"
    )
    assert merged_pull_request("Merged in feature/x (pull request #12)", "") == "#12"
    assert merged_pull_request("Merged PR 431: Add export", "") == "#431"
    gitlab = "Add export\n\nSee merge request group/app!88"
    assert merged_pull_request("Merge branch 'export' into 'main'", gitlab) == "!88"
    assert merged_pull_request("Merge branch 'main' into 'dev'", gitlab) is None
    assert merged_pull_request("Merge pull request #5208 from grafana/dev", "") is None
    assert merged_pull_request("Merge pull request #9 from o/release/1.2", "") is None
    assert merged_pull_request("Merge branch 'x'", "") is None


def test_a_ci_only_commit_about_permissions_is_not_security_sensitive() -> None:
    commits = [
        _commit("1", "fix(CI): CLA action permissions", _stat(".github/workflows/cla.yaml")),
        _commit("2", "Check permissions on export", _stat("api/export.py")),
    ]
    ranked = _by_subject(commits, migration_ids={})
    ci = ranked["fix(CI): CLA action permissions"].significance  # type: ignore[attr-defined]
    assert not any("security" in s for s in ci)
    assert ranked["Check permissions on export"].significance[0] == (  # type: ignore[attr-defined]
        "touches a security-sensitive area (permissions)"
    )


def test_being_rate_limited_is_no_security_area() -> None:
    assert sensitive_area("Reschedule rate limited telegram task") is None
    assert sensitive_area("Add a rate limiter to login") == "rate limiter"
    assert sensitive_area("Rate limiting for the API") == "rate limiting"


def test_a_bot_commit_that_adds_a_migration_is_not_noise() -> None:
    path = "sql/migrations/cache/000002_add_hash.up.sql"
    commits = [
        _commit(
            "1", "chore: sync release v1.2.3 to main", _stat(path, status="A"), author="ci[bot]"
        ),
        _commit("2", "chore: bump deps", _stat("go.mod"), author="ci[bot]"),
    ]
    ranked = _by_subject(commits, migration_ids={path: "000002_add_hash"})
    assert ranked["chore: sync release v1.2.3 to main"].noise is None  # type: ignore[attr-defined]
    assert ranked["chore: sync release v1.2.3 to main"].key  # type: ignore[attr-defined]
    assert ranked["chore: bump deps"].noise == "bot commit"  # type: ignore[attr-defined]


def test_an_edit_after_the_migration_shipped_says_so() -> None:
    paths = [f"app/migrations/006{n}_x.py" for n in (3, 4)]
    commits = [
        _commit("2", "fix: faster migrations", *(_stat(p) for p in paths)),
        _commit("1", "fix: tweak before release", _stat(paths[0])),
    ]
    ranked = _by_subject(
        commits,
        migration_ids={p: p.rsplit("/", 1)[1][:-3] for p in paths},
        shipped_edits={("2" * 40, p): "v1.12.0" for p in paths},
    )
    after = ranked["fix: faster migrations"].significance  # type: ignore[attr-defined]
    assert "edits 2 migrations (0063_x, 0064_x) after they shipped in v1.12.0" in after
    before = ranked["fix: tweak before release"].significance  # type: ignore[attr-defined]
    assert "edits migration 0063_x (added in this range)" in before


def test_a_commit_adding_a_dropping_migration_names_the_drops() -> None:
    path = "alerts/migrations/0066_remove_old.py"
    migration = Migration(
        id="alerts.0066_remove_old",
        system="django",
        dialect="postgresql",
        path=path,
        down_path=None,
        change=ChangeKind.ADDED,
        order=1,
        released=False,
        tables_dropped=("alerts_postmortem",),
        columns_dropped=("alerts_postmortem.text", "alerts_filter.channel", "alerts_note.channel"),
    )
    commit = _commit("1", "chore: remove deprecated model", _stat(path, status="A"))
    ranked = _by_subject([commit], migration_ids={path: migration.id}, migrations={path: migration})
    assert ranked["chore: remove deprecated model"].significance[:2] == (  # type: ignore[attr-defined]
        "adds migration alerts.0066_remove_old",
        "drops table alerts_postmortem and 2 columns (alerts_filter.channel, alerts_note.channel)",
    )


def test_go_generators_output_is_generated_by_its_name() -> None:
    for path in (
        "pkg/cmd/server/zz_generated.options.go",
        "api/v1/zz_generated.deepcopy.go",
        "internal/msgs_gen.go",
        "proto/v1/api.pb.validate.go",
        "proto/v1/api.pb.gw.go",
    ):
        assert kind_of_path(path) is FileKind.GENERATED, path
    for path in ("internal/keygen.go", "cmd/gen.go", "internal/generator.go", "x.pb.helper.go"):
        assert kind_of_path(path) is FileKind.SOURCE, path


def test_drops_of_what_the_range_created_earn_no_drop_reason() -> None:
    path = "db/migrations/000012_split_runs.up.sql"
    migration = Migration(
        id="000012_split_runs",
        system="sql",
        dialect="postgresql",
        path=path,
        down_path=None,
        change=ChangeKind.ADDED,
        order=12,
        released=False,
        tables_dropped=("draft_runs", "legacy_runs"),
        columns_dropped=("runs.draft_note", "accounts.nickname"),
        data_impact=(
            Impact(
                ImpactTag.MITIGATED,
                "drops draft_runs (created by 000010_runs earlier in this range): no released "
                "data is lost",
            ),
            Impact(
                ImpactTag.MITIGATED,
                "drops runs.draft_note (added by 000011_notes earlier in this range): no "
                "released data is lost",
            ),
            Impact(ImpactTag.DESTRUCTIVE_DROP_TABLE, "drops table legacy_runs: its data is lost"),
            Impact(
                ImpactTag.DESTRUCTIVE_DROP_COLUMN, "drops column accounts.nickname: data is lost"
            ),
        ),
    )
    commit = _commit("1", "refactor: split runs", _stat(path, status="A"))
    ranked = _by_subject([commit], migration_ids={path: migration.id}, migrations={path: migration})
    assert ranked["refactor: split runs"].significance[:2] == (  # type: ignore[attr-defined]
        "adds migration 000012_split_runs",
        "drops table legacy_runs and column accounts.nickname",
    )


def test_a_fix_naming_a_published_advisory_outranks_a_feature_adding_a_migration() -> None:
    paths = [f"db/migrations/00000{n}_x.up.sql" for n in range(1, 4)]
    commits = [
        _commit(str(n), f"feat: part {n}", _stat(p, status="A"), _stat(f"app/p{n}.go"))
        for n, p in enumerate(paths, 1)
    ]
    commits.append(_commit("9", "fix(sec): sql injection in query (CVE-2026-0001)", _stat("q.go")))
    ranked = _by_subject(commits, migration_ids={p: p[14:-7] for p in paths}, limit=1)
    assert ranked["fix(sec): sql injection in query (CVE-2026-0001)"].key  # type: ignore[attr-defined]
