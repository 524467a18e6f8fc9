"""Folder listings at a commit from `git ls-tree -r -z`, one call for many folders."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.gitsource.runner import GitRepo, run_git
from harvester.gitsource.zstream import decode_path


def list_files(repo: GitRepo, commit: str, folders: Sequence[str]) -> list[tuple[str, str, str]]:
    """Every file under the given folders at `commit` (the whole tree for an empty list), as
    (path, mode, blob)."""
    args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit, "--"]
    output = run_git(repo, args + [f for f in folders if f]).stdout
    try:
        records = output.decode("utf-8").split("\0")
    except UnicodeDecodeError:
        records = [decode_path(r) for r in output.split(b"\0")]
    entries = []
    for record in records:
        meta, _, path = record.partition("\t")
        if " blob " in meta:
            mode, _, blob = meta.split(" ")
            entries.append((path, mode, blob))
    return entries
