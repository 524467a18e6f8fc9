"""The range's commits from one streamed `git log -z --raw --numstat` call."""

from __future__ import annotations

from collections.abc import Iterator

from harvester.gitsource.records import LoggedCommit
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, run_git, stream_git
from harvester.gitsource.zstream import Incomplete, decode_text, parse_paths, read_records

# Seven NUL-separated header fields; -z ends the last one with NUL as well.
_FORMAT = "%H%x00%P%x00%aN%x00%aE%x00%aI%x00%s%x00%b"
_HEADER_FIELDS = 7


def log_args(base_sha: str, head_sha: str) -> list[str]:
    """The git log arguments harvester uses for a range (shared with the benchmark)."""
    return [
        "log",
        "-z",
        "--raw",
        "--numstat",
        "-M",
        "--no-abbrev",
        "--encoding=UTF-8",
        "--no-notes",
        *DIFF_SAFETY,
        f"--format={_FORMAT}",
        f"{base_sha}..{head_sha}",
        "--",
    ]


def iter_commits(repo: GitRepo, base_sha: str, head_sha: str) -> Iterator[LoggedCommit]:
    """Every commit reachable from head and not from base, newest first, streamed."""
    with stream_git(repo, log_args(base_sha, head_sha)) as stdout:
        yield from read_records(stdout, _parse_commit)


def _parse_commit(fields: list[bytes], position: int, final: bool) -> tuple[LoggedCommit, int]:
    header = fields[position : position + _HEADER_FIELDS]
    if len(header) < _HEADER_FIELDS:
        raise Incomplete
    sha, parents, name, email, date, subject, body = header
    paths, position = parse_paths(fields, position + _HEADER_FIELDS, final)
    commit = LoggedCommit(
        sha=sha.decode("ascii").strip(),
        parents=tuple(parents.decode("ascii").split()),
        author_name=decode_text(name),
        author_email=decode_text(email),
        author_date=decode_text(date),
        subject=decode_text(subject),
        body=decode_text(body).strip(),
        paths=tuple(paths),
    )
    return commit, position


def merge_adders(repo: GitRepo, base_sha: str, head_sha: str, folder: str) -> dict[str, str]:
    """The merge commit that added each file under `folder` to the first parent's tree, for
    files no ordinary commit of the range added (a migration renumbered while resolving a
    merge), one `git log` per folder. Empty when git cannot say.

    The oldest such merge made the file; later ones only pass it on to a branch that did not
    have it yet (`Merge branch 'main' into feature`)."""
    args = [
        "--literal-pathspecs",
        "log",
        "-z",
        "--merges",
        "--diff-merges=first-parent",
        "--diff-filter=AR",
        "--name-only",
        "--no-renames",
        "--format=%x00%H",
        f"{base_sha}..{head_sha}",
        "--",
        folder or ".",
    ]
    result = run_git(repo, args, check=False, background=True)
    if result.returncode != 0:
        return {}
    adders: dict[str, str] = {}
    sha = ""
    for field in result.stdout.split(b"\0"):
        text = field.strip(b"\n").decode("utf-8", "replace")
        if len(text) == 40 and all(c in "0123456789abcdef" for c in text):
            sha = text
        elif text and sha:
            adders[text] = sha  # newest first: the last one seen is the oldest
    return adders
