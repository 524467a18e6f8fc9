"""The range diff (`git diff -M BASE HEAD`) from one `--raw --numstat -z` call."""

from __future__ import annotations

from harvester.gitsource.records import PathStat
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, stream_git
from harvester.gitsource.zstream import parse_paths


def diff_args(base_sha: str, head_sha: str) -> list[str]:
    """The git diff arguments harvester uses for a range (shared with the benchmark)."""
    return [
        "diff",
        "-z",
        "--raw",
        "--numstat",
        "-M",
        "--no-abbrev",
        *DIFF_SAFETY,
        base_sha,
        head_sha,
        "--",
    ]


def range_diff(repo: GitRepo, base_sha: str, head_sha: str) -> tuple[PathStat, ...]:
    """Every path that differs between base and head, renames detected."""
    with stream_git(repo, diff_args(base_sha, head_sha)) as stdout:
        fields = stdout.read().split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    paths, _ = parse_paths(fields, 0, True)
    return tuple(paths)
