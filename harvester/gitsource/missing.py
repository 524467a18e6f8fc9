"""Blobs the clone lacks, and reading a range around them.

A mirror that leaves out its largest files, a damaged clone, or a partial clone that may not
fetch (harvester never touches the network) makes `git log --numstat` and `git diff -M` stop at
the first blob they cannot read. harvester then finds the range's paths whose blobs are missing
(from the trees alone, which need no blob) and reads the range without those paths' contents:
their changes come from the trees (no line counts, no rename detection), everything else as
usual.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace

from harvester.gitsource.objects import object_ids
from harvester.gitsource.records import NULL_SHA, PathStat
from harvester.gitsource.runner import GitRepo, run_git
from harvester.gitsource.zstream import parse_diff, parse_paths

# Beyond this many paths (a blob-less partial clone), excluding them one by one costs more than
# reading every change from the trees alone.
MAX_EXCLUDED = 2000

_lock = threading.Lock()
_found: dict[tuple[str, str, str], frozenset[str]] = {}


def missing_paths(repo: GitRepo, base_sha: str, head_sha: str) -> frozenset[str]:
    """The paths of the range (its commits' changes and the range diff) whose blob, on either
    side, the clone lacks; computed once per range."""
    key = (repo.git_dir, base_sha, head_sha)
    with _lock:
        if key not in _found:
            _found[key] = _find(repo, base_sha, head_sha)
        return _found[key]


def known_missing(repo: GitRepo, base_sha: str, head_sha: str) -> frozenset[str]:
    """The missing paths, when reading the range had to look for them (else none)."""
    with _lock:
        return _found.get((repo.git_dir, base_sha, head_sha), frozenset())


def tree_only_diff(
    repo: GitRepo, base_sha: str, head_sha: str, paths: Sequence[str] = ()
) -> tuple[PathStat, ...]:
    """The range diff of `paths` from the trees alone (no renames, no line counts)."""
    args = ["diff", "-z", "--raw", "--no-renames", "--no-abbrev", base_sha, head_sha, "--"]
    found = parse_diff(run_git(repo, [*args, *_literal(paths)]).stdout)
    return tuple(uncounted_change(p) for p in found)


def excluding(paths: Iterable[str], within: Sequence[str] = ()) -> list[str]:
    """Pathspecs for everything (or everything `within` names) but `paths`."""
    return [*(within or ["."]), *(f":(exclude,literal){p}" for p in sorted(paths))]


def _find(repo: GitRepo, base_sha: str, head_sha: str) -> frozenset[str]:
    blobs: dict[str, set[str]] = {}
    for stat in tree_only_diff(repo, base_sha, head_sha):
        _remember(stat, blobs)
    args = ["log", "-z", "--raw", "--no-renames", "--no-abbrev", "--format=%x00%H"]
    fields = run_git(repo, [*args, f"{base_sha}..{head_sha}", "--"]).stdout.split(b"\0")
    position = 0
    while position < len(fields):
        if fields[position][:1] == b":" or fields[position][:2] == b"\n:":
            stats, position = parse_paths(fields, position, True)
            for stat in stats:
                _remember(stat, blobs)
        else:
            position += 1
    if not blobs:
        return frozenset()
    found = object_ids(repo, list(blobs))
    missing = [blob for blob, found_id in zip(blobs, found, strict=True) if found_id is None]
    return frozenset(path for blob in missing for path in blobs[blob])


def _remember(stat: PathStat, blobs: dict[str, set[str]]) -> None:
    for blob in (stat.old_blob, stat.new_blob):
        if blob and blob != NULL_SHA:
            blobs.setdefault(blob, set()).add(stat.path)


def uncounted_change(stat: PathStat) -> PathStat:
    """A change read from the trees: its lines are not known."""
    return replace(stat, additions=None, deletions=None, contents_missing=True)


def _literal(paths: Sequence[str]) -> list[str]:
    return [f":(literal){p}" for p in paths]
