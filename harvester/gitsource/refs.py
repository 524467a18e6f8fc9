"""Turning what the user typed into a commit range: `A..B`, `A..`, `A...B`, `--merge REF`, or
the contract's default (the previous tag, else the merge-base with the default branch).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from harvester.errors import EmptyRangeError, RangeError, ShallowHistoryError, UnknownRefError
from harvester.gitsource.runner import GitRepo, run_git

_FETCH_ADVICE = (
    "run `git fetch --unshallow --tags` (in GitHub Actions: actions/checkout with "
    "`fetch-depth: 0`; in GitLab CI: `GIT_DEPTH: 0`)"
)


@dataclass(frozen=True, slots=True)
class RangeRequest:
    """The range as the user asked for it; every field optional."""

    text: str | None = None
    base: str | None = None
    head: str | None = None
    merge: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedRange:
    """Both ends as named and as commits, and how the base was chosen."""

    base: str
    head: str
    base_sha: str
    head_sha: str
    how: str
    diverged: bool = False  # the base is not an ancestor of the head


def split_range(text: str) -> tuple[str, str, bool]:
    """`A..B` -> (A, B, False); `A...B` -> (A, B, True); an empty side means HEAD."""
    symmetric = "..." in text
    separator = "..." if symmetric else ".."
    if separator not in text:
        if ":" in text and "::" not in text:  # `v1.0:v1.1`, typed for `v1.0..v1.1`
            typed = text.replace(":", "..", 1)
            raise RangeError(f"'{text}' is not a range: did you mean '{typed}'?")
        raise RangeError(f"'{text}' is a single ref, not a range: did you mean '{text}..HEAD'?")
    base, _, head = text.partition(separator)
    return base or "HEAD", head or "HEAD", symmetric


def resolve_range(repo: GitRepo, request: RangeRequest) -> ResolvedRange:
    """The commits a report covers, or a one-line error saying what to type instead."""
    if request.merge:
        merge_sha, first_parent = resolve_commits(repo, [request.merge, f"{request.merge}^1"])
        return ResolvedRange(f"{request.merge}^1", request.merge, first_parent, merge_sha, "merge")
    if request.text:
        base, head, symmetric = split_range(request.text)
    else:
        base, head, symmetric = request.base or "", request.head or "HEAD", False
    if not base:
        return _default_range(repo, head)
    base_sha, head_sha = resolve_commits(repo, [base, head])
    how = "given"
    if symmetric:
        base_sha = merge_base(repo, base_sha, head_sha) or _no_merge_base(repo, base, head)
        how = f"merge-base of {base} and {head}"
    if base_sha == head_sha:
        raise EmptyRangeError(
            f"the range {base}..{head} is empty: both ends are commit {head_sha[:12]}"
        )
    diverged = not symmetric and not is_ancestor(repo, base_sha, head_sha)
    return ResolvedRange(base, head, base_sha, head_sha, how, diverged)


def is_ancestor(repo: GitRepo, ancestor: str, descendant: str) -> bool:
    """True when `ancestor` is in the history of `descendant`."""
    result = run_git(repo, ["merge-base", "--is-ancestor", ancestor, descendant], check=False)
    return result.returncode == 0


def resolve_commits(repo: GitRepo, refs: Sequence[str]) -> list[str]:
    """The commit each ref names, in one git call; unknown refs raise with suggestions."""
    for ref in refs:
        if not ref.strip() or any(c in ref for c in "\n\0"):
            shown = ref.replace("\n", "\\n").replace("\0", "\\0")
            raise UnknownRefError(f"'{shown}' is not a valid ref")
    request = "".join(f"{ref}^{{commit}}\n" for ref in refs).encode()
    result = run_git(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], stdin=request)
    answers = result.stdout.decode("utf-8", "replace").splitlines()
    shas = []
    for ref, answer in zip(refs, answers, strict=False):
        sha, _, kind = answer.partition(" ")
        if kind != "commit":
            raise UnknownRefError(_unknown_ref_message(repo, ref, answer))
        shas.append(sha)
    if len(shas) != len(refs):
        raise UnknownRefError(_unknown_ref_message(repo, refs[len(shas)], "missing"))
    return shas


def _unknown_ref_message(repo: GitRepo, ref: str, answer: str) -> str:
    if answer.endswith("ambiguous"):
        return f"'{ref}' is ambiguous: more than one object starts with it; give more digits"
    bare_ref = ref.split("^", 1)[0].split("~", 1)[0]
    if ref.endswith("^1") and _exists(repo, ref[:-2]):
        return f"'{ref[:-2]}' has no parent: it is the first commit of its history"
    if bare_ref != ref and _exists(repo, bare_ref):
        if not re.fullmatch(r"(?:[~^]\d*)+", ref[len(bare_ref) :]):
            return f"'{ref}' names no commit (a tree or a file, say): give a branch, tag or commit"
        if repo.shallow:
            return f"'{ref}' names no commit: this shallow clone stops before it; {_FETCH_ADVICE}"
        return (
            f"'{ref}' names no commit: the first-parent history behind '{bare_ref}' is shorter "
            f"than that (see `git log --first-parent --oneline {bare_ref}`)"
        )
    message = f"unknown ref '{bare_ref}'"
    names = all_ref_names(repo)
    close = difflib.get_close_matches(bare_ref, names, n=3, cutoff=0.6)
    if close:
        message += "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if repo.shallow:
        message += f"; this is a shallow clone, so it may not have been fetched: {_FETCH_ADVICE}"
    elif not close:
        message += " (no branch, tag or commit by that name)"
    return message


def _exists(repo: GitRepo, ref: str) -> bool:
    result = run_git(repo, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False)
    return result.returncode == 0


def all_ref_names(repo: GitRepo) -> list[str]:
    """Short names of every branch, remote branch and tag."""
    result = run_git(repo, ["for-each-ref", "--format=%(refname:short)"])
    return result.stdout.decode("utf-8", "replace").split()


def merge_base(repo: GitRepo, first: str, second: str) -> str | None:
    """The best common ancestor of two commits, or None when histories are unrelated."""
    result = run_git(repo, ["merge-base", first, second], check=False)
    return result.stdout.decode().strip() or None


def _no_merge_base(repo: GitRepo, base: str, head: str) -> str:
    if repo.shallow:
        raise ShallowHistoryError(
            f"{base} and {head} share no history in this shallow clone: {_FETCH_ADVICE}"
        )
    raise RangeError(f"{base} and {head} have no common ancestor; give a range with '..'")


def _default_range(repo: GitRepo, head: str) -> ResolvedRange:
    (head_sha,) = resolve_commits(repo, [head])
    tag = previous_tag(repo, head_sha)
    if tag is not None:
        name, sha = tag
        return ResolvedRange(name, head, sha, head_sha, f"previous tag {name}")
    branch = default_branch(repo)
    if branch is not None:
        base_sha = merge_base(repo, branch, head_sha)
        if base_sha and base_sha != head_sha:
            return ResolvedRange(branch, head, base_sha, head_sha, f"merge-base with {branch}")
    shallow = f" (this is a shallow clone: {_FETCH_ADVICE})" if repo.shallow else ""
    raise RangeError(
        "no range given and none could be inferred: no tag is reachable from "
        f"{head} and it is not off a default branch; give one, e.g. "
        f"`harvester report {head}~10..{head}`{shallow}"
    )


def previous_tag(repo: GitRepo, head_sha: str) -> tuple[str, str] | None:
    """The newest tag reachable from head that does not point at head itself."""
    result = run_git(
        repo,
        [
            "for-each-ref",
            f"--merged={head_sha}",
            "--sort=-creatordate",
            "--format=%(refname:short)%00%(objectname)%00%(*objectname)",
            "refs/tags",
        ],
    )
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        name, sha, peeled = line.split("\0")
        commit = peeled or sha
        if commit != head_sha:
            return name, commit
    return None


def default_branch(repo: GitRepo) -> str | None:
    """The remote's default branch (origin/HEAD), else a conventional main branch."""
    result = run_git(
        repo, ["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"], check=False
    )
    name = result.stdout.decode().strip()
    if name:
        return name
    names = set(all_ref_names(repo))
    for candidate in ("origin/main", "origin/master", "main", "master"):
        if candidate in names:
            return candidate
    return None


def shallow_boundaries(repo: GitRepo) -> frozenset[str]:
    """Commits whose parents a shallow clone lacks (empty for complete clones)."""
    if not repo.shallow:
        return frozenset()
    for folder in (repo.git_dir, _common_dir(repo)):
        path = os.path.join(folder, "shallow")
        if os.path.exists(path):
            with open(path, encoding="ascii") as handle:
                return frozenset(handle.read().split())
    return frozenset()


def _common_dir(repo: GitRepo) -> str:
    path = os.path.join(repo.git_dir, "commondir")
    if not os.path.exists(path):
        return repo.git_dir
    with open(path, encoding="utf-8") as handle:
        return os.path.normpath(os.path.join(repo.git_dir, handle.read().strip()))


def truncated_history_error(base: str, boundary: str) -> ShallowHistoryError:
    """The error for a range whose history the shallow clone cuts short."""
    return ShallowHistoryError(
        f"this shallow clone lacks the history between {base} and commit {boundary[:12]}: "
        f"{_FETCH_ADVICE}"
    )
