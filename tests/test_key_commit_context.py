"""Key Commits in context: the pull request a merge brought a commit in by, what an added
migration drops, edits after a release, and reasons that only look like security."""

from __future__ import annotations

from harvester.analysis.file_kinds import kind_of_path
from harvester.model import FileKind


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
