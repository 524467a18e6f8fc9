"""Key Commits: concrete reasons, noise demoted, the best N marked key."""

from __future__ import annotations

from harvester.analysis.key_commits import noise_plural, rank_commits
from harvester.gitsource.records import LoggedCommit, PathStat


def _stat(path: str, additions: int = 5, deletions: int = 1, status: str = "M") -> PathStat:
    return PathStat(
        path, None, status, None, additions, deletions, "a" * 40, "b" * 40, "100644", "100644"
    )


def _commit(
    sha: str,
    subject: str,
    *paths: PathStat,
    body: str = "",
    author: str = "Dev",
    parents: tuple[str, ...] = ("p",),
) -> LoggedCommit:
    return LoggedCommit(
        sha * 40,
        parents,
        author,
        f"{author}@example.com",
        "2024-01-01T00:00:00+00:00",
        subject,
        body,
        paths,
    )


def _by_subject(commits: list[LoggedCommit], **kwargs: object) -> dict[str, object]:
    ranked = rank_commits(commits, **kwargs)  # type: ignore[arg-type]
    return {c.subject: c for c in ranked}


def test_reasons_are_concrete() -> None:
    commits = [
        _commit("1", "feat(api)!: new auth flow", _stat("api/auth.py")),
        _commit("2", "Add badge keys", _stat("hc/api/migrations/0042_badge.py", status="A")),
        _commit("3", "Handle empty body", _stat("a.py"), body="Fixes #123"),
        _commit("4", "Big refactor", _stat("x.py", 1200, 300), _stat("y.py", 4, 10)),
        _commit("5", 'Revert "thing"', _stat("a.py"), body="This reverts commit abcdef1234."),
        _commit("6", "Escape output (CVE-2024-1234)", _stat("a.py")),
    ]
    ranked = _by_subject(
        commits, migration_ids={"hc/api/migrations/0042_badge.py": "api.0042_badge"}
    )
    assert (
        ranked["feat(api)!: new auth flow"].significance[0] == "breaking change (! in the subject)"
    )
    assert ranked["Add badge keys"].significance[0] == "adds migration api.0042_badge"
    assert ranked["Handle empty body"].significance == ("fixes #123",)
    assert ranked["Big refactor"].significance == ("largest change: +1,204/−310 in 2 files",)
    assert ranked['Revert "thing"'].significance == ("reverts abcdef1",)
    assert ranked["Escape output (CVE-2024-1234)"].significance[0] == "security (CVE-2024-1234)"
    assert all(c.key for c in ranked.values())


def test_noise_is_never_key() -> None:
    commits = [
        _commit("1", "Merge branch 'x'", parents=("a", "b")),
        _commit("2", "Bump lodash from 1 to 2", _stat("package.json"), author="dependabot[bot]"),
        _commit("3", "Bump version to 2.0.0", _stat("pyproject.toml")),
        _commit("4", "Update lock", _stat("yarn.lock", 900, 900)),
        _commit("5", "docs: typo", _stat("README.md")),
        _commit("6", "Run black", _stat("a.py", 300, 300)),
        _commit("7", "Upgrade requests", _stat("requirements.txt")),
        _commit("8", "Real work", _stat("a.py", 1, 1)),
    ]
    ranked = _by_subject(commits, migration_ids={})
    noise = {s: c.noise for s, c in ranked.items()}  # type: ignore[attr-defined]
    assert noise == {
        "Merge branch 'x'": "merge commit",
        "Bump lodash from 1 to 2": "bot commit",
        "Bump version to 2.0.0": "version bump",
        "Update lock": "lock-file-only commit",
        "docs: typo": "docs-only commit",
        "Run black": "formatting-only commit",
        "Upgrade requests": "dependency-only update",
        "Real work": None,
    }
    assert [s for s, c in ranked.items() if c.key] == ["Real work"]  # type: ignore[attr-defined]


def test_reverted_pairs_cancel_out() -> None:
    commits = [
        _commit(
            "b", 'Revert "Try caching"', _stat("a.py"), body=f"This reverts commit {'a' * 40}."
        ),
        _commit("a", "Try caching", _stat("a.py")),
    ]
    ranked = _by_subject(commits, migration_ids={})
    assert ranked["Try caching"].noise == "reverted later in the range"  # type: ignore[attr-defined]
    assert ranked['Revert "Try caching"'].noise == "revert of a commit in the range"  # type: ignore[attr-defined]


def test_limit_and_ordering() -> None:
    commits = [_commit(str(i), f"Change {i}", _stat("a.py", 10 * i, 0)) for i in range(1, 9)]
    ranked = rank_commits(commits, {}, limit=3)
    assert {c.subject for c in ranked if c.key} == {"Change 8", "Change 7", "Change 6"}
    assert [c.subject for c in ranked][:2] == ["Change 1", "Change 2"]
    assert noise_plural("version bump", 3) == "3 version bumps"
    assert noise_plural("typo fix", 2) == "2 typo fixes"


def test_a_migration_written_once_per_dialect_tree_is_named_once() -> None:
    paths = [f"migrate/{d}/0126_create_settings.up.sql" for d in ("postgres", "sqlite")]
    commit = _commit("7", "Add settings", *(_stat(p, status="A") for p in paths))
    ranked = _by_subject([commit], migration_ids=dict.fromkeys(paths, "0126_create_settings"))
    assert ranked["Add settings"].significance[0] == (  # type: ignore[attr-defined]
        "adds migration 0126_create_settings in each of 2 dialect trees"
    )


def test_a_reformat_of_released_migrations_is_not_an_edit_of_them() -> None:
    paths = [f"app/migrations/000{n}_x.py" for n in (1, 2, 3)]
    commits = [
        _commit("1", "Add licence headers", *(_stat(p) for p in paths)),
        _commit("2", "Fix a released migration", _stat(paths[0])),
    ]
    ranked = _by_subject(
        commits,
        migration_ids={p: p.rsplit("/", 1)[1][:-3] for p in paths},
        released_migrations=paths,
        reformatted_migrations=paths[1:],
    )
    headers = ranked["Add licence headers"].significance  # type: ignore[attr-defined]
    assert headers[0] == "edits released migration 0001_x"
    assert "reformats 2 released migrations (0002_x, 0003_x)" in headers


def test_a_revert_that_is_itself_reverted_leaves_the_feature_in() -> None:
    commits = [
        _commit(
            "c", 'Reapply "Add export"', _stat("a.py"), body=f"This reverts commit {'b' * 40}."
        ),
        _commit("b", 'Revert "Add export"', _stat("a.py"), body=f"This reverts commit {'a' * 40}."),
        _commit("a", "Add export", _stat("a.py")),
    ]
    ranked = _by_subject(commits, migration_ids={})
    assert ranked["Add export"].noise is None  # type: ignore[attr-defined]
    assert ranked['Revert "Add export"'].noise == "reverted later in the range"  # type: ignore[attr-defined]
    assert ranked['Reapply "Add export"'].noise == "revert of a commit in the range"  # type: ignore[attr-defined]


def test_subversion_mirror_reverts_pair_by_revision() -> None:
    svn = "git-svn-id: https://svn.example.org/app/trunk@23811 e93f8b46-1217-0410-a6f0-8f06a7374b81"
    commits = [
        _commit("b", "Reverts r23811 (#31531).", _stat("a.py"), body=svn.replace("23811", "23812")),
        _commit("a", "Change quote icon (#31531).", _stat("a.py"), body=svn),
    ]
    ranked = _by_subject(commits, migration_ids={})
    assert ranked["Change quote icon (#31531)."].noise == "reverted later in the range"  # type: ignore[attr-defined]
    assert ranked["Reverts r23811 (#31531)."].noise == "revert of a commit in the range"  # type: ignore[attr-defined]
    assert "reverts r23811" in ranked["Reverts r23811 (#31531)."].significance  # type: ignore[attr-defined]


def test_only_a_revert_message_names_a_reverted_commit() -> None:
    from harvester.analysis.commit_text import reverted_sha

    body = "This reverts commit 0123456789abcdef."
    assert reverted_sha('Revert "wip"', body) == "0123456789abcdef"
    assert reverted_sha("revert: wip", body) == "0123456789abcdef"
    assert reverted_sha("Undo wip", body) == "0123456789abcdef"
    # a squash merge quoting a revert made on its branch, after other lines
    assert reverted_sha("Allow invites (#4791)", f"* Revert AO3-6666\n\n{body}") is None


def test_a_rename_git_finds_from_a_migration_the_range_deletes_is_not_a_rename() -> None:
    def renamed(old: str, new: str) -> PathStat:
        return PathStat(new, old, "R", 61, 3, 3, "a" * 40, "b" * 40, "100644", "100644")

    moved = "shop/migrations/0007_order_note.py"
    commit = _commit(
        "8",
        "Reset migrations",
        renamed("mail/migrations/0004_rule_order.py", "shop/migrations/0003_cart_order.py"),
        renamed("old/shop/migrations/0007_order_note.py", moved),
    )
    ids = {
        "mail/migrations/0004_rule_order.py": "mail.0004_rule_order",
        "shop/migrations/0003_cart_order.py": "shop.0003_cart_order",
        "old/shop/migrations/0007_order_note.py": "shop.0007_order_note",
        moved: "shop.0007_order_note",
    }
    # the range deletes mail.0004; shop.0007 was only moved (git's pairing is right there)
    deleted = {"mail/migrations/0004_rule_order.py"}
    ranked = _by_subject([commit], migration_ids=ids, deleted_migrations=deleted)
    assert set(ranked["Reset migrations"].significance) >= {  # type: ignore[attr-defined]
        "adds migration shop.0003_cart_order",
        "deletes migration mail.0004_rule_order",
        "renames migration shop.0007_order_note",
    }


def test_a_migration_renamed_inside_the_range_is_still_a_rename() -> None:
    # an Alembic revision renamed before release: the range adds it, git shows the rename
    stat = PathStat(
        "versions/2023-11-29a_bdaeabba3e53.py",
        "versions/2023-11-29_bdaeabba3e53.py",
        "R",
        98,
        1,
        1,
        "a" * 40,
        "b" * 40,
        "100644",
        "100644",
    )
    ranked = _by_subject(
        [_commit("9", "Order the revisions", stat)],
        migration_ids={"versions/2023-11-29a_bdaeabba3e53.py": "bdaeabba3e53"},
    )
    assert "renames migration bdaeabba3e53" in ranked["Order the revisions"].significance  # type: ignore[attr-defined]


def test_a_commit_that_only_reformats_a_migration_others_edit_does_not_edit_it() -> None:
    released, added = "app/migrations/0001_x.py", "app/migrations/0009_y.py"
    commits = [
        _commit("1", "Switch to double quotes", _stat(released), _stat(added)),
        _commit("2", "Fix the migrations", _stat(released), _stat(added)),
    ]
    ranked = _by_subject(
        commits,
        migration_ids={released: "0001_x", added: "0009_y"},
        released_migrations=[released],
        format_only_edits={("1" * 40, released), ("1" * 40, added)},
    )
    quotes = ranked["Switch to double quotes"].significance  # type: ignore[attr-defined]
    assert "reformats released migration 0001_x" in quotes
    assert "reformats migration 0009_y (added in this range)" in quotes
    assert not any(reason.startswith("edits") for reason in quotes)
    fixes = ranked["Fix the migrations"].significance  # type: ignore[attr-defined]
    assert "edits released migration 0001_x" in fixes
