"""The range's commits from one streamed `git log -z --raw --numstat` call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from harvester.errors import MissingObjectsError
from harvester.gitsource.missing import MAX_EXCLUDED, excluding, missing_paths, uncounted_change
from harvester.gitsource.records import LoggedCommit
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, run_git, stream_git
from harvester.gitsource.zstream import Incomplete, decode_text, parse_paths, read_records

# Seven NUL-separated header fields; -z ends the last one with NUL as well.
_FORMAT = "%H%x00%P%x00%aN%x00%aE%x00%aI%x00%s%x00%b"
_HEADER_FIELDS = 7


def log_args(base_sha: str, head_sha: str, *, contents: bool = True) -> list[str]:
    """The git log arguments harvester uses for a range (shared with the benchmark); without
    `contents`, from the trees alone: no line counts, no renames, no blob read."""
    return [
        "log",
        "-z",
        "--raw",
        *(["--numstat", "-M"] if contents else ["--no-renames"]),
        "--no-abbrev",
        "--encoding=UTF-8",
        "--no-notes",
        *DIFF_SAFETY,
        f"--format={_FORMAT}",
        f"{base_sha}..{head_sha}",
        "--",
    ]


def iter_commits(repo: GitRepo, base_sha: str, head_sha: str) -> Iterator[LoggedCommit]:
    """Every commit reachable from head and not from base, newest first, streamed.

    When git stops at a blob the clone lacks, the commits not yet given are read again around
    the paths that hold missing blobs (see `missing`). A commit is given only once the next
    one has arrived, or the log has ended well: the one git was writing when it stopped may
    be cut short."""
    given: set[str] = set()
    try:
        with stream_git(repo, log_args(base_sha, head_sha)) as stdout:
            pending = None
            for commit in read_records(stdout, _parse_commit):
                if pending is not None:
                    given.add(pending.sha)
                    yield pending
                pending = commit
        if pending is not None:
            yield pending
    except MissingObjectsError:
        yield from (c for c in _around_missing(repo, base_sha, head_sha) if c.sha not in given)


def _around_missing(repo: GitRepo, base_sha: str, head_sha: str) -> Iterator[LoggedCommit]:
    """The range's commits with the changes of paths whose blobs are missing read from the
    trees alone, and every other change read as usual."""
    missing = missing_paths(repo, base_sha, head_sha)
    read = {}
    if len(missing) <= MAX_EXCLUDED:
        args = [*log_args(base_sha, head_sha), *excluding(missing)]
        with stream_git(repo, args) as stdout:
            read = {c.sha: c.paths for c in read_records(stdout, _parse_commit)}
    with stream_git(repo, log_args(base_sha, head_sha, contents=False)) as stdout:
        for commit in read_records(stdout, _parse_commit):
            counted = read.get(commit.sha, ())
            seen = {path for p in counted for path in (p.path, p.old_path) if path}
            uncounted = [uncounted_change(p) for p in commit.paths if p.path not in seen]
            yield replace(commit, paths=(*counted, *uncounted))


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
    merges = ["--merges", "--diff-merges=first-parent", f"{base_sha}..{head_sha}"]
    return adding_commits(repo, merges, [folder])


def adding_commits(
    repo: GitRepo, revisions: Sequence[str], folders: Sequence[str]
) -> dict[str, str]:
    """The oldest commit among `revisions` (git log arguments) that added each file under
    `folders`, in one `git log`. Empty when git cannot say."""
    args = [
        "--literal-pathspecs",
        "log",
        "-z",
        "--diff-filter=AR",
        "--name-only",
        "--no-renames",
        "--format=%x00%H",
        *revisions,
        "--",
        *[f or "." for f in folders],
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
