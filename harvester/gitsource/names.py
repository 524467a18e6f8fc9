"""Names that point at a commit (tags, branches), for titles."""

from __future__ import annotations

from dataclasses import dataclass

from harvester.gitsource.runner import GitRepo, run_git


@dataclass(frozen=True, slots=True)
class CommitNames:
    """Tags and branches at a commit, and the branch HEAD is on."""

    tags: tuple[str, ...]
    branches: tuple[str, ...]
    current_branch: str | None


def names_at(repo: GitRepo, sha: str) -> CommitNames:
    """Tags (newest first) and local branches pointing at `sha`."""
    result = run_git(
        repo,
        [
            "for-each-ref",
            f"--points-at={sha}",
            "--sort=-creatordate",
            "--format=%(refname)",
            "refs/tags",
            "refs/heads",
        ],
    )
    refs = result.stdout.decode("utf-8", "replace").splitlines()
    current = run_git(repo, ["symbolic-ref", "-q", "--short", "HEAD"], check=False)
    return CommitNames(
        tags=tuple(r.removeprefix("refs/tags/") for r in refs if r.startswith("refs/tags/")),
        branches=tuple(r.removeprefix("refs/heads/") for r in refs if r.startswith("refs/heads/")),
        current_branch=current.stdout.decode("utf-8", "replace").strip() or None,
    )
