"""Release tags: which tag first shipped a commit, for the Migration Status section."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence

from harvester.gitsource.runner import GitRepo, run_git

# Tags that name releases of the whole repository: `v1.2.0`, `1.2.0`, `release-2024.05`.
_RELEASE_PATTERNS = ("v[0-9]*", "[0-9]*", "release[-_/][0-9]*", "release[-_/]v[0-9]*")
_RELEASE_NAME = re.compile(r"^(v|release[-_/]v?)?[0-9]")
# Pre-releases (`3.6.19.dev2`, `v2.0.0-rc.1`, `1.0b3`, `3.2a`) and CI build tags
# (`3.2.6-jenkins-78`, `v1.4.0+build.12`) are not releases, unless the range is itself named by
# one.
_PRE_RELEASE = re.compile(
    r"(?i)[0-9][.-]?(dev|rc|alpha|beta|pre|preview)|[0-9][.-]?[ab][.-]?[0-9]|[0-9][ab]$"
    r"|nightly|snapshot|[-+.](?:jenkins|build|ci)(?:[-.]?[0-9]|$)"
)
_PRE_RELEASE_PATTERNS = (
    "*[0-9]dev*",
    "*.dev*",
    "*-dev*",
    "*rc[0-9]*",
    "*[.-]rc*",
    "*alpha*",
    "*beta*",
    "*-pre*",
    "*.pre*",
    "*preview*",
    "*nightly*",
    "*[0-9]a[0-9]*",
    "*[0-9]b[0-9]*",
    "*-a.[0-9]*",
    "*-b.[0-9]*",
    "*[0-9]a",
    "*[0-9]b",
    "*snapshot*",
    "*jenkins*",
    "*[-+.]build*",
    "*-ci[-.]*",
)


class RepoTags:
    """The repository's tags, listed once, as a range named `range_names` reads them: which
    release first shipped a commit, and a fingerprint that changes when a tag is added or
    moved."""

    def __init__(self, repo: GitRepo, range_names: Sequence[str] = ()) -> None:
        self._repo = repo
        self._range_names = tuple(range_names)

    @functools.cached_property
    def _listing(self) -> bytes:
        format_ = "--format=%(objectname) %(refname:short)"
        return run_git(self._repo, ["for-each-ref", format_, "refs/tags"], check=False).stdout

    def fingerprint(self) -> str:
        """A hash of every tag and what it points at."""
        return hashlib.sha256(self._listing).hexdigest()

    def release_patterns(self) -> tuple[str, ...]:
        """The tag patterns that name releases here (none when no tag looks like a release)."""
        lines = self._listing.decode("utf-8", "replace").splitlines()
        tags = {line.partition(" ")[2] for line in lines}
        for name in self._range_names:
            family = tag_family(name) if name in tags else None
            if family:
                return (family,)
        if any(_RELEASE_NAME.match(t) for t in tags):
            return _RELEASE_PATTERNS
        return ()

    def first_releases(self, shas: Sequence[str]) -> dict[str, str | None]:
        """For each commit, the oldest release tag that contains it (None: no tag does).

        `git name-rev --tags` names a commit after the oldest tag that contains it. Only
        release tags count: those of the family the range is named by (`v25.4.0` →
        `v[0-9]*`, `@scope/pkg@1.2.0` → `@scope/pkg@[0-9]*`), else version-like tags when the
        repository has any; pre-releases count only when the range is named by one. Package
        tags of other members of a monorepo and moving tags (`deployed/production`) would
        otherwise be named as the first release. A repository without release tags names
        none.
        """
        unique = list(dict.fromkeys(shas))
        patterns = self.release_patterns() if unique else ()
        if not patterns:
            return dict.fromkeys(unique)
        pre_releases = any(is_pre_release(name) for name in self._range_names)
        excluded = () if pre_releases else _PRE_RELEASE_PATTERNS
        result = run_git(
            self._repo,
            [
                "name-rev",
                "--tags",
                *(f"--refs=refs/tags/{p}" for p in patterns),
                *(f"--exclude=refs/tags/{p}" for p in excluded),
                "--name-only",
                "--no-undefined",
                "--always",
                *unique,
            ],
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


def first_tags(
    repo: GitRepo, shas: Sequence[str], range_names: Sequence[str] = ()
) -> dict[str, str | None]:
    """For each commit, the oldest release tag that contains it (see `RepoTags`)."""
    return RepoTags(repo, range_names).first_releases(shas)


def release_tag_patterns(repo: GitRepo, range_names: Sequence[str]) -> tuple[str, ...]:
    """The tag patterns that name releases here (see `RepoTags`)."""
    return RepoTags(repo, range_names).release_patterns()


def tag_family(tag: str) -> str | None:
    """`v25.4.0` → `v[0-9]*`, `kaizen.22` → `kaizen.[0-9]*`; None for a tag without a digit."""
    match = re.search(r"[0-9]", tag)
    if match is None:
        return None
    prefix = re.sub(r"([*?\[\]\\])", r"\\\1", tag[: match.start()])
    return f"{prefix}[0-9]*"


def is_pre_release(name: str) -> bool:
    """True for `3.6.19.dev2`, `v2.0.0-rc.1`, `1.0b3`, `26.08.0-dev`; False for `v25.4.0`."""
    return _PRE_RELEASE.search(name) is not None
