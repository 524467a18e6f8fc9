"""The range diff (`git diff -M BASE HEAD`): with line counts from one `--raw --numstat -z`
call, or without them from a `--raw` call, which git answers several times faster because it
compares no file contents beyond what rename detection needs."""

from __future__ import annotations

from harvester.errors import MissingObjectsError
from harvester.gitsource.missing import MAX_EXCLUDED, excluding, missing_paths, tree_only_diff
from harvester.gitsource.records import PathStat
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, stream_git
from harvester.gitsource.zstream import parse_diff


def diff_args(base_sha: str, head_sha: str, *, counts: bool = True) -> list[str]:
    """The git diff arguments harvester uses for a range (shared with the benchmark)."""
    return [
        "diff",
        "-z",
        "--raw",
        *(["--numstat"] if counts else []),
        "-M",
        "--no-abbrev",
        *DIFF_SAFETY,
        base_sha,
        head_sha,
        "--",
    ]


def range_diff(
    repo: GitRepo,
    base_sha: str,
    head_sha: str,
    *,
    counts: bool = True,
    background: bool = False,
) -> tuple[PathStat, ...]:
    """Every path that differs between base and head, renames detected; without `counts`,
    additions and deletions are 0 and binary files are not told apart. `background` runs git
    at a lower CPU priority (see `stream_git`)."""
    args = diff_args(base_sha, head_sha, counts=counts)
    try:
        return _read_diff(repo, args, background)
    except MissingObjectsError:
        missing = missing_paths(repo, base_sha, head_sha)
        if len(missing) > MAX_EXCLUDED:
            return tree_only_diff(repo, base_sha, head_sha)
        read = _read_diff(repo, [*args, *excluding(missing)], background)
        return read + tree_only_diff(repo, base_sha, head_sha, sorted(missing))


def _read_diff(repo: GitRepo, args: list[str], background: bool) -> tuple[PathStat, ...]:
    with stream_git(repo, args, background=background) as stdout:
        return tuple(parse_diff(stdout.read()))
