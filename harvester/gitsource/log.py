"""The range's commits from one streamed `git log -z --raw --numstat` call."""

from __future__ import annotations

from collections.abc import Iterator

from harvester.gitsource.records import LoggedCommit
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, stream_git
from harvester.gitsource.zstream import Fields, decode_text, read_paths

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
        fields = Fields(stdout)
        while fields.peek() is not None:
            header = [fields.take() for _ in range(_HEADER_FIELDS)]
            sha, parents, name, email, date, subject, body = header
            yield LoggedCommit(
                sha=sha.decode("ascii").strip(),
                parents=tuple(parents.decode("ascii").split()),
                author_name=decode_text(name),
                author_email=decode_text(email),
                author_date=decode_text(date),
                subject=decode_text(subject),
                body=decode_text(body).strip(),
                paths=tuple(read_paths(fields)),
            )
