"""Which objects exist, and their ids, from one `git cat-file --batch-check` for many names."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.gitsource.runner import GitRepo, run_git


def object_ids(repo: GitRepo, names: Sequence[str]) -> list[str | None]:
    """The object id of each name (a SHA, or `<commit>:<path>`), None where there is none.
    Names must not hold a newline."""
    if not names:
        return []
    request = "".join(f"{name}\n" for name in names).encode()
    answers = run_git(repo, ["cat-file", "--batch-check=%(objectname)"], stdin=request).stdout
    lines = answers.decode("utf-8", "replace").splitlines()
    # an id alone, else "<name> missing" (or "ambiguous")
    return [None if " " in line else line for line in lines]
