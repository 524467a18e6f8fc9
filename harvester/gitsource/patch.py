"""Added and removed lines of the range diff that match a pattern, from one streamed call.

git's own `-G` pickaxe limits the patch to files whose changes match, so a 2,000-file release
costs one diff pass, not a scan of every hunk in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from harvester.errors import MissingObjectsError
from harvester.gitsource.missing import MAX_EXCLUDED, excluding, missing_paths
from harvester.gitsource.runner import DIFF_SAFETY, GitRepo, stream_git
from harvester.gitsource.zstream import decode_path

_QUOTED = re.compile(rb'^"(.*)"$')
_ESCAPES = {
    b"n": b"\n",
    b"t": b"\t",
    b'"': b'"',
    b"\\": b"\\",
    b"a": b"\a",
    b"b": b"\b",
    b"f": b"\f",
    b"r": b"\r",
    b"v": b"\v",
}


@dataclass(frozen=True, slots=True)
class ChangedLine:
    """One added (`added=True`) or removed line of the range diff."""

    path: str
    text: str
    added: bool


def changed_lines(
    repo: GitRepo,
    base_sha: str,
    head_sha: str,
    git_pattern: str,
    line_pattern: re.Pattern[str],
    pathspecs: Sequence[str] = (),
) -> Iterator[ChangedLine]:
    """Changed lines matching `line_pattern`, in files whose changes match `git_pattern` (and
    the pathspecs, when given); files whose blobs the clone lacks are left out."""
    args = [
        "diff",
        "-U0",
        "-M",
        *DIFF_SAFETY,
        "--src-prefix=a/",
        "--dst-prefix=b/",
        f"-G{git_pattern}",
        base_sha,
        head_sha,
        "--",
    ]
    try:
        found = list(_matching_lines(repo, [*args, *pathspecs], line_pattern))
    except MissingObjectsError:
        missing = missing_paths(repo, base_sha, head_sha)
        if len(missing) > MAX_EXCLUDED:
            return
        found = list(_matching_lines(repo, [*args, *excluding(missing, pathspecs)], line_pattern))
    yield from found


def _matching_lines(
    repo: GitRepo, args: list[str], line_pattern: re.Pattern[str]
) -> Iterator[ChangedLine]:
    with stream_git(repo, args, background=True) as stdout:
        old_path = new_path = ""
        in_header = False
        for raw in stdout:
            line = raw.rstrip(b"\n")
            if line.startswith(b"diff --git "):
                old_path = new_path = ""
                in_header = True
            elif in_header and line.startswith(b"--- "):
                old_path = _header_path(line[4:], b"a/")
            elif in_header and line.startswith(b"+++ "):
                new_path = _header_path(line[4:], b"b/") or old_path
            elif line.startswith(b"@@"):
                in_header = False
                new_path = new_path or old_path
            elif not in_header and line.startswith((b"+", b"-")):
                text = line[1:].decode("utf-8", "replace")
                if line_pattern.search(text):
                    added = line.startswith(b"+")
                    yield ChangedLine(new_path if added else old_path, text, added)


def _header_path(field: bytes, prefix: bytes) -> str:
    if field == b"/dev/null":
        return ""
    match = _QUOTED.match(field)
    if match:
        field = _unquote(match.group(1))
    return decode_path(field[len(prefix) :] if field.startswith(prefix) else field)


def _unquote(quoted: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(quoted):
        char = quoted[index : index + 1]
        if char == b"\\" and index + 1 < len(quoted):
            following = quoted[index + 1 : index + 2]
            if following.isdigit():
                out.append(int(quoted[index + 1 : index + 4], 8))
                index += 4
                continue
            out += _ESCAPES.get(following, following)
            index += 2
            continue
        out += char
        index += 1
    return bytes(out)
