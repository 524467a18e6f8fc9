"""Release tags: which tag first shipped a commit, for the Migration Status section."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.gitsource.runner import GitRepo, run_git


def first_tags(repo: GitRepo, shas: Sequence[str]) -> dict[str, str | None]:
    """For each commit, the nearest tag that contains it (None: no tag does), in one call.

    `git name-rev --tags` names a commit after the tag it is fewest steps behind, which
    for release tags is the first release that shipped it.
    """
    unique = list(dict.fromkeys(shas))
    if not unique:
        return {}
    result = run_git(
        repo,
        ["name-rev", "--tags", "--name-only", "--no-undefined", "--always", *unique],
        check=False,
    )
    names = result.stdout.decode("utf-8", "replace").splitlines()
    found: dict[str, str | None] = {}
    for sha, name in zip(unique, names, strict=False):
        if name == sha or name == sha[: len(name)] or not name:
            found[sha] = None
            continue
        tag = name.split("~", 1)[0].split("^", 1)[0]
        found[sha] = tag.removeprefix("tags/")
    return found
