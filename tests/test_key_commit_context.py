"""Key Commits in context: the pull request a merge brought a commit in by, what an added
migration drops, edits after a release, and reasons that only look like security."""

from __future__ import annotations

from harvester.analysis.file_kinds import kind_of_path
from harvester.model import FileKind
from tests.test_key_commits import _by_subject, _commit, _stat


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
