"""Release tags: which tag first shipped a commit, for the Migration Status section."""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import threading
from collections.abc import Sequence

from harvester.gitsource.log import adding_commits
from harvester.gitsource.objects import object_ids
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
    # a semantic version's own pre-release label (`1.0.0-publish-native-binary.0`)
    r"|^[^0-9]*[0-9]+\.[0-9]+\.[0-9]+-[a-z]"
)
# Deployment tags named by a commit (`fizzy@9ab1568`, `deploy/2b38dba`): a family without version
# numbers, where hex digits must not read as versions or pre-releases (`2b38dba` is no beta). A
# name of digits alone is a commit only at git's seven-digit abbreviation (`20240105` is a date).
_COMMIT_NAMED = re.compile(
    r"^(?P<prefix>[^0-9]*[@/_-])(?=[0-9a-f]{7,40}$)(?:[0-9a-f]*[a-f][0-9a-f]*|[0-9]{7})$"
)


# Commits named by one `git name-rev` call.
_NAMED_AT_ONCE = 10_000


class RepoTags:
    """The repository's tags, listed once, as a range named `range_names` reads them: which
    release first shipped a commit, and a fingerprint that changes when a tag is added or
    moved."""

    def __init__(self, repo: GitRepo, range_names: Sequence[str] = ()) -> None:
        self._repo = repo
        self._range_names = tuple(range_names)
        self._branch_tags: dict[tuple[str, str], list[str]] = {}
        self._branch_lock = threading.Lock()

    @functools.cached_property
    def _listing(self) -> bytes:
        format_ = "--format=%(objectname) %(creatordate:unix) %(refname:short)"
        return run_git(self._repo, ["for-each-ref", format_, "refs/tags"], check=False).stdout

    @functools.cached_property
    def _dates(self) -> dict[str, int]:
        """When each tag was made (an annotated tag's date, else its commit's)."""
        dates = {}
        for line in self._listing.decode("utf-8", "replace").splitlines():
            _, date, name = line.split(" ", 2)
            dates[name] = int(date or 0)
        return dates

    def fingerprint(self) -> str:
        """A hash of every tag and what it points at."""
        return hashlib.sha256(self._listing).hexdigest()

    def release_patterns(self) -> tuple[str, ...]:
        """The tag patterns that name releases here (none when no tag looks like a release)."""
        tags = set(self._dates)
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
        return self._named(unique, [f"refs/tags/{p}" for p in patterns])

    def _named(self, unique: list[str], refs: Sequence[str]) -> dict[str, str | None]:
        """The oldest of the release tags `refs` (patterns) that contains each commit."""
        # the pre-releases named one by one: glob patterns cannot say "digits only"
        excluded = () if self._pre_releases_count() else self._pre_release_tags
        options = [
            "name-rev",
            "--tags",
            *(f"--refs={r}" for r in refs),
            *(f"--exclude=refs/tags/{_escaped(t)}" for t in excluded),
            "--name-only",
            "--no-undefined",
            "--always",
        ]
        found: dict[str, str | None] = {}
        # in batches: a command line holds some 50,000 commit names at most
        for start in range(0, len(unique), _NAMED_AT_ONCE):
            found |= self._names(options, unique[start : start + _NAMED_AT_ONCE])
        return found

    def _names(self, options: list[str], shas: list[str]) -> dict[str, str | None]:
        result = run_git(self._repo, [*options, *shas], check=False)
        names = result.stdout.decode("utf-8", "replace").splitlines()
        found: dict[str, str | None] = {}
        for sha, name in zip(shas, names, strict=False):
            if name == sha or name == sha[: len(name)] or not name:
                found[sha] = None
                continue
            tag = name.split("~", 1)[0].split("^", 1)[0]
            found[sha] = tag.removeprefix("tags/")
        return found

    @functools.cached_property
    def _pre_release_tags(self) -> tuple[str, ...]:
        return tuple(t for t in self._dates if is_pre_release(t))

    def _pre_releases_count(self) -> bool:
        """True when pre-releases count as releases: the range is named by one, or by tags
        named by commits (whose hex digits would read as pre-releases)."""
        return any(is_pre_release(n) or _COMMIT_NAMED.match(n) for n in self._range_names)

    def branch_releases(self, base_sha: str, head_sha: str, paths: Sequence[str]) -> dict[str, str]:
        """For files of the head tree, the oldest release that shipped the same file from
        another branch (a release branch: its tag contains the base but is not merged into
        the head, as when a fix is released as `v1.75.3` and then synced to main)."""
        refs = self.branch_tags(base_sha, head_sha) if paths else []
        if not refs:
            return {}
        wanted = {p for p in paths if "\n" not in p}  # one name per line for cat-file
        folders = sorted({posixpath.dirname(p) for p in wanted})
        added = adding_commits(self._repo, [*refs, "--not", head_sha, base_sha], folders)
        adders = {path: sha for path, sha in added.items() if path in wanted}
        if not adders:
            return {}
        # named by the release-branch tags alone: a shorter walk than from every release
        releases = self._named(list(dict.fromkeys(adders.values())), [_escaped(r) for r in refs])
        shipped = {p: tag for p, sha in adders.items() if (tag := releases.get(sha)) is not None}
        pairs = [(f"refs/tags/{tag}", path) for path, tag in shipped.items()]
        specs = [f"{ref}:{path}" for tag_ref, path in pairs for ref in (tag_ref, head_sha)]
        ids = object_ids(self._repo, specs)
        same = zip(pairs, ids[0::2], ids[1::2], strict=True)
        return {path: shipped[path] for (_, path), then, now in same if then and then == now}

    def branch_tags(self, base_sha: str, head_sha: str) -> list[str]:
        """The release tags (refs) that contain the base and are not merged into the head:
        releases of other branches. Listed once; a report asks early, in the background."""
        with self._branch_lock:
            key = (base_sha, head_sha)
            if key not in self._branch_tags:
                patterns = self.release_patterns()
                args = ["for-each-ref", "--format=%(refname)", f"--contains={base_sha}"]
                args += [f"--no-merged={head_sha}", *(f"refs/tags/{p}" for p in patterns)]
                listed = run_git(self._repo, args, check=False) if patterns else None
                out = listed.stdout.decode("utf-8", "replace").split() if listed else []
                self._branch_tags[key] = out
            return self._branch_tags[key]

    def release_order(self, tag: str | None) -> ReleaseKey:
        """How releases sort: by version, and tags named by commits by when they were made."""
        if tag is not None and _COMMIT_NAMED.match(tag):
            return (self._dates.get(tag, 0),), 1, ()
        return version_key(tag)

    def earlier(self, first: str | None, second: str | None) -> str | None:
        """The older of two release tags (either may be None: no release)."""
        if first is None or second is None:
            return first or second
        return second if self._dates.get(second, 0) < self._dates.get(first, 0) else first


def files_in_releases(repo: GitRepo, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (release tag, path) pairs whose tag's tree holds the path, in one batch check."""
    wanted = [(tag, path) for tag, path in pairs if "\n" not in path]
    ids = object_ids(repo, [f"refs/tags/{tag}:{path}" for tag, path in wanted])
    return {pair for pair, found in zip(wanted, ids, strict=True) if found}


def first_tags(
    repo: GitRepo, shas: Sequence[str], range_names: Sequence[str] = ()
) -> dict[str, str | None]:
    """For each commit, the oldest release tag that contains it (see `RepoTags`)."""
    return RepoTags(repo, range_names).first_releases(shas)


def release_tag_patterns(repo: GitRepo, range_names: Sequence[str]) -> tuple[str, ...]:
    """The tag patterns that name releases here (see `RepoTags`)."""
    return RepoTags(repo, range_names).release_patterns()


# Version numbers, whether the release is final, then the pre-release's own numbers.
ReleaseKey = tuple[tuple[int, ...], int, tuple[int, ...]]


def version_key(tag: str | None) -> ReleaseKey:
    """`v2.10.1` sorts after `v2.9.0`, and `5.3.0-rc.1` before `5.3.0`: the version numbers,
    whether it is a final release, then the pre-release's own numbers."""
    match = re.search(r"\d+(?:\.\d+)*", tag or "")
    if match is None:
        return (), 0, ()
    version = tuple(int(n) for n in match.group(0).split("."))
    rest = (tag or "")[match.end() :]
    final = 0 if re.search(r"[a-zA-Z]", rest) else 1
    return version, final, tuple(int(n) for n in re.findall(r"\d+", rest))


def tag_family(tag: str) -> str | None:
    """`v25.4.0` → `v[0-9]*`, `kaizen.22` → `kaizen.[0-9]*`, `fizzy@9ab1568` → `fizzy@*`;
    None for a tag without a digit."""
    named_by_commit = _COMMIT_NAMED.match(tag)
    if named_by_commit:
        return f"{_escaped(named_by_commit.group('prefix'))}*"
    match = re.search(r"[0-9]", tag)
    if match is None:
        return None
    return f"{_escaped(tag[: match.start()])}[0-9]*"


def _escaped(prefix: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", prefix)


def is_pre_release(name: str) -> bool:
    """True for `3.6.19.dev2`, `v2.0.0-rc.1`, `1.0b3`, `26.08.0-dev`; False for `v25.4.0`
    and for a tag named by a commit (`fizzy@2b38dba`)."""
    return _PRE_RELEASE.search(name) is not None and not _COMMIT_NAMED.match(name)
