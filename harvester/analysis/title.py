"""The document's title, from the merge commit, branch or tag names of the range."""

from __future__ import annotations

import re

_GITHUB_MERGE = re.compile(r"^Merge pull request #(\d+) from [^/\s]+/(\S+)")
_BRANCH_MERGE = re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'")
_BRANCH_PREFIX = re.compile(
    r"^(?:feature|feat|fix|bugfix|hotfix|chore|refactor|release|users?/[^/]+|[a-z]+-\d+)/", re.I
)
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def humanize_branch(branch: str) -> str:
    """`feature/add-badge-keys` -> `Add badge keys`."""
    name = _BRANCH_PREFIX.sub("", branch)
    words = re.sub(r"[-_/]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else branch


def derive_title(
    head: str,
    head_subject: str | None,
    head_tags: list[str],
    head_branch: str | None,
    base: str,
    merge: bool,
) -> str:
    """A title for the range, in order of preference: the tag the user named as head, the
    merged branch or pull request, the head's tag (a version before a moving name such as
    `latest`), the head's branch (when it is not a default branch), else the range itself."""
    if head in head_tags:
        return head
    if head_subject is not None:
        github = _GITHUB_MERGE.match(head_subject)
        if github:
            return f"{humanize_branch(github.group(2))} (#{github.group(1)})"
        branch = _BRANCH_MERGE.match(head_subject)
        if branch:
            return humanize_branch(branch.group(1))
        if merge:
            return head_subject.strip()
    if head_tags:
        return next((t for t in head_tags if any(c.isdigit() for c in t)), head_tags[0])
    if head_branch and head_branch not in ("main", "master", "trunk", "develop"):
        return humanize_branch(head_branch)
    named = head if head != "HEAD" and not _SHA.match(head) else (head_branch or head)
    return f"Changes in {named} since {base}"
