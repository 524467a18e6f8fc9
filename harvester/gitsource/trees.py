"""Folder listings at a commit from `git ls-tree -r -z`, one call for many folders."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.gitsource.records import TreeEntry
from harvester.gitsource.runner import GitRepo, run_git
from harvester.gitsource.zstream import decode_path


def list_files(repo: GitRepo, commit: str, folders: Sequence[str]) -> tuple[TreeEntry, ...]:
    """Every file under the given folders at `commit` (the whole tree for an empty list)."""
    args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit, "--"]
    result = run_git(repo, args + [f for f in folders if f])
    entries = []
    for record in result.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, blob = meta.decode("ascii").split(" ")
        if kind == "blob":
            entries.append(TreeEntry(decode_path(path), mode, blob, None))
    return tuple(entries)
