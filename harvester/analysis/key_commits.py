"""Key Commits: rank the range's commits by what a reviewer must know, and demote the noise.

Each commit gets concrete reasons ("adds migration api.0042_add_index", "fixes #123",
"breaking change (`!`)", "largest change: +1,204/−310 in 14 files") and a score. Merges, bot
commits, version bumps, lock-file-only, formatting-only and docs-only commits are noise: never
key, counted in one line instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from harvester.analysis.commit_text import (
    advisory_id,
    conventional,
    is_breaking,
    issue_references,
    merged_pull_request,
    reverted_sha,
    reverted_svn_revision,
    security_mention,
    sensitive_area,
    svn_revision,
)
from harvester.analysis.file_kinds import NOISY_KINDS, kind_of_path, matches_any
from harvester.analysis.wording import churn, first_few, plural
from harvester.gitsource.records import LoggedCommit
from harvester.model import Commit, FileKind, ImpactTag, Migration

DEFAULT_KEY_COMMITS = 10

BOT_PATTERN = re.compile(
    r"\[bot\]|^(?:dependabot|renovate|github-actions|pre-commit-ci|greenkeeper|snyk-bot|"
    r"imgbot|allcontributors|semantic-release-bot|mergify|weblate|hosted weblate|"
    r"depfu|pyup-bot|gitlab-bot)\b",
    re.I,
)
_VERSION_BUMP = re.compile(
    r"^(?:chore(?:\([^)]*\))?!?:\s*)?(?:release|bump(?:ed)? version|version bump|prepare"
    r"(?: for)? release|bump to|v?\d+\.\d+(?:\.\d+)?(?:[-.+]\w+)*$)"
    r"|^(?:chore\(release\)|release:)|^bump version\b|^(?:v|version\s)?\d+\.\d+\.\d+\S*$",
    re.I,
)
_LINTERS = (
    r"(?:ruff|black|prettier|isort|flake8|pylint|pyupgrade|autopep8|eslint|stylelint|"
    r"rubocop|standardrb|gofmt|goimports|golangci-lint|clippy|rustfmt|mix format|credo|lint|"
    r"linter|linting|formatting|formatter|whitespace|code style|pre-commit)"
)
_FORMATTING = re.compile(
    r"^(?:style(?:\([^)]*\))?:|(?:re)?format(?:ted|ting)?\b|(?:run|apply|update)\s+"
    + _LINTERS
    + r"|(?:fix|fixes|fixed|address|resolve|silence)\s+(?:\S+\s+){0,3}?"
    + _LINTERS
    + r"(?:\s+(?:warnings?|errors?|issues?|complaints?|violations?|findings?))?\s*$"
    + r"|lint(?:ing)?\s+fix|"
    + _LINTERS
    + r"\s+(?:fixes|cleanup|autofix))",
    re.I,
)
_TYPO = re.compile(r"\btypos?\b|\bspelling\b", re.I)

_NOISE_KINDS_ONLY = {
    "lock-file-only commit": {FileKind.LOCK_FILE},
    "dependency-only update": {FileKind.LOCK_FILE, FileKind.DEPENDENCIES},
    "docs-only commit": {FileKind.DOCS},
    "translation-only commit": {FileKind.TRANSLATION},
}
CONFIGURED_NOISE = "commit matching a noise pattern"
_NOISE_PLURALS = {
    CONFIGURED_NOISE: "commits matching a noise pattern",
    "typo fix": "typo fixes",
    "reverted later in the range": "commits reverted later in the range",
    "revert of a commit in the range": "reverts of commits in the range",
}
_FIX_SUBJECT = re.compile(r"^(?:fix(?:e[sd])?|hotfix|bugfix)\b", re.I)


@dataclass(frozen=True, slots=True)
class KeyCommitRules:
    """A project's own rules: more bot authors, subjects that are noise, paths that matter."""

    bot_authors: tuple[re.Pattern[str], ...] = ()
    noise_patterns: tuple[re.Pattern[str], ...] = ()
    important_paths: tuple[str, ...] = ()


def rank_commits(
    commits: Sequence[LoggedCommit],
    migration_ids: Mapping[str, str],
    limit: int = DEFAULT_KEY_COMMITS,
    commit_urls: Mapping[str, str] | None = None,
    released_migrations: Collection[str] = (),
    rules: KeyCommitRules | None = None,
    unknown_commits: Collection[str] = (),
    reformatted_migrations: Collection[str] = (),
    deleted_migrations: Collection[str] = (),
    shipped_edits: Mapping[tuple[str, str], str] | None = None,
    migrations: Mapping[str, Migration] | None = None,
    format_only_edits: Collection[tuple[str, str]] = (),
) -> tuple[Commit, ...]:
    """Every commit with its reasons, score and noise verdict; the best `limit` marked key.

    `migration_ids` maps migration paths to their ids; `released_migrations` are the paths
    that already existed at the base (editing those matters, editing a migration the range
    itself added does not). `rules` adds the project's configured bot authors, noise
    patterns and important paths. `unknown_commits` are the commits messages name that the
    repository does not have (a squash merge quoting "This reverts commit …" of a commit on
    the pull request's branch reverts nothing here); `reformatted_migrations` the released
    migrations the range edits without changing what they run; `deleted_migrations` those it
    deletes (a commit git shows renaming one of them into another migration replaced it);
    `shipped_edits` the release a migration the range added had shipped in before a commit
    edited it, by (commit, path); `migrations` the range's migrations by path, for what a
    commit adding one drops; `format_only_edits` the (commit, path) changes of a migration
    that leave what it runs unchanged. A commit a pull-request merge brought in names that pull
    request. The result keeps git's order (newest first); ranking is in `score`.
    """
    churn_by_sha = {c.sha: _weighed_churn(c) for c in commits}
    largest = max(
        (c for c in commits if not c.is_merge),
        key=lambda c: sum(churn_by_sha[c.sha]),
        default=None,
    )
    cancelled = _cancelled_reverts(commits)
    context = _Context(
        migration_ids,
        frozenset(released_migrations),
        cancelled,
        churn_by_sha,
        rules or KeyCommitRules(),
        frozenset(unknown_commits),
        frozenset(reformatted_migrations),
        frozenset(deleted_migrations),
        shipped_edits or {},
        migrations or {},
        _pull_requests(commits),
        frozenset(format_only_edits),
    )
    ranked = [_assess(c, context, largest is not None and c.sha == largest.sha) for c in commits]
    eligible = sorted(
        (r for r in ranked if r.noise is None and not r.is_merge),
        key=lambda r: (-r.score, -(r.additions + r.deletions), r.sha),
    )
    key_shas = {r.sha for r in eligible[: max(limit, 0)]}
    urls = commit_urls or {}
    return tuple(
        replace(r, key=r.sha in key_shas, url=urls.get(r.sha))
        if r.sha in key_shas or r.sha in urls
        else r
        for r in ranked
    )


@dataclass(frozen=True, slots=True)
class _Context:
    migration_ids: Mapping[str, str]
    released_migrations: frozenset[str]
    cancelled: Mapping[str, str]
    churn: Mapping[str, tuple[int, int]]
    rules: KeyCommitRules
    unknown_commits: frozenset[str]
    reformatted_migrations: frozenset[str]
    deleted_migrations: frozenset[str]
    shipped_edits: Mapping[tuple[str, str], str]
    migrations: Mapping[str, Migration]
    pull_requests: Mapping[str, str]
    format_only_edits: frozenset[tuple[str, str]] = frozenset()


def _lines(commit: LoggedCommit) -> int:
    return sum((p.additions or 0) + (p.deletions or 0) for p in commit.paths)


def _weighed_churn(commit: LoggedCommit) -> tuple[int, int]:
    """Lines added and deleted outside lock, generated, vendored and snapshot files."""
    kept = [p for p in commit.paths if kind_of_path(p.path) not in NOISY_KINDS]
    return sum(p.additions or 0 for p in kept), sum(p.deletions or 0 for p in kept)


def _cancelled_reverts(commits: Sequence[LoggedCommit]) -> dict[str, str]:
    """Commits reverted inside the range, and their reverts: together they change nothing. A
    revert that is itself reverted (a feature landed again) leaves the original in."""
    targets = _revert_targets(commits)
    reverters: dict[str, list[str]] = {}
    for revert, target in targets.items():
        reverters.setdefault(target, []).append(revert)

    @cache
    def undone(sha: str) -> bool:
        return any(not undone(revert) for revert in reverters.get(sha, ()))

    cancelled: dict[str, str] = {}
    for revert, target in targets.items():
        if not undone(revert):
            cancelled[target] = "reverted later in the range"
            cancelled[revert] = "revert of a commit in the range"
    return cancelled


def _pull_requests(commits: Sequence[LoggedCommit]) -> dict[str, str]:
    """The pull request that brought each commit in, where the project merges pull requests
    with merge commits ("Merge pull request #2457 from …"): the first merge on head's
    first-parent line whose second-parent side holds the commit. A merge of a long-lived
    branch (`dev`) is followed down that branch's own line. Read from the log's parents."""
    by_sha = {c.sha: c for c in commits}
    claimed: set[str] = set()

    def merges_on_line(tip: str) -> Iterator[LoggedCommit]:
        """Claims the first-parent line from `tip`; its merges, oldest first."""
        line = []
        while (commit := by_sha.get(tip)) is not None and tip not in claimed:
            claimed.add(tip)
            line.append(commit)
            tip = commit.parents[0] if commit.parents else ""
        return iter([c for c in reversed(line) if c.is_merge])

    def side(tip: str) -> list[str]:
        """Claims what `tip` reaches that nothing claimed before."""
        found, pending = [], [tip]
        while pending:
            sha = pending.pop()
            if sha in by_sha and sha not in claimed:
                claimed.add(sha)
                found.append(sha)
                pending.extend(by_sha[sha].parents)
        return found

    parents = {p for c in commits for p in c.parents}
    lines = [merges_on_line(c.sha) for c in reversed(commits) if c.sha not in parents]
    brought: dict[str, str] = {}
    while lines:
        merge = next(lines[-1], None)
        if merge is None:
            lines.pop()
            continue
        number = merged_pull_request(merge.subject, merge.body)
        for tip in merge.parents[1:]:
            if number is None:
                lines.append(merges_on_line(tip))
            else:
                brought.update(dict.fromkeys(side(tip), number))
    return brought


def _revert_targets(commits: Sequence[LoggedCommit]) -> dict[str, str]:
    """Each revert of the range and the commit of the range it reverts, by git's revert
    message or, in a Subversion mirror, by the revision it names."""
    by_prefix = {c.sha[:7]: c.sha for c in commits}
    by_revision = {rev: c.sha for c in commits if (rev := svn_revision(c.body))}
    targets: dict[str, str] = {}
    for commit in commits:
        reverted = reverted_sha(commit.subject, commit.body)
        target = by_prefix.get(reverted[:7]) if reverted else None
        if target is not None and reverted is not None and target.startswith(reverted):
            targets[commit.sha] = target
        elif (revision := reverted_svn_revision(commit.subject)) in by_revision:
            targets[commit.sha] = by_revision[revision]
    return targets


def _assess(commit: LoggedCommit, context: _Context, largest: bool) -> Commit:
    additions = sum(p.additions or 0 for p in commit.paths)
    deletions = sum(p.deletions or 0 for p in commit.paths)
    weighed_additions, weighed_deletions = context.churn[commit.sha]
    reasons: list[tuple[int, str]] = []
    header = conventional(commit.subject)
    if is_breaking(commit.subject, commit.body):
        how = "! in the subject" if header and header.breaking else "BREAKING CHANGE footer"
        reasons.append((100, f"breaking change ({how})"))
    if advisory := security_mention(commit.subject, commit.body):
        reasons.append(_security_reason(advisory, advisory_id(commit.subject, commit.body)))
    elif (area := sensitive_area(commit.subject)) and not _ci_only(commit):
        # "permissions" of a CI workflow are the workflow's, not the product's
        reasons.append((30, f"touches a security-sensitive area ({area})"))
    migration_reasons = _migration_reasons(commit, context)
    reasons += migration_reasons
    reverted = reverted_sha(commit.subject, commit.body)
    if reverted and reverted not in context.unknown_commits:
        reasons.append((40, f"reverts {reverted[:7]}"))
    elif revision := reverted_svn_revision(commit.subject):
        reasons.append((40, f"reverts r{revision}"))
    fixes = [r for r in issue_references(commit.subject, commit.body) if r.fixes]
    if fixes:
        reasons.append((25, "fixes " + ", ".join(r.ref for r in fixes[:3])))
    if header and header.type in ("feat", "feature"):
        scope = f"({header.scope})" if header.scope else ""
        reasons.append((20, f"new feature (feat{scope})"))
    elif header and header.type == "perf":
        reasons.append((15, "performance change (perf)"))
    elif header and header.type == "fix" and not fixes:
        scope = f"({header.scope})" if header.scope else ""
        reasons.append((15, f"bug fix (fix{scope})"))
    elif not header and not fixes and _FIX_SUBJECT.match(commit.subject):
        reasons.append((15, "bug fix"))
    reasons += _file_reasons(commit)
    if important := _important_paths(commit, context.rules):
        reasons.append((50, "touches important paths (" + ", ".join(important) + ")"))
    files = len(commit.paths)
    if largest and files:
        reasons.append(
            (
                30,
                f"largest change: {churn(weighed_additions, weighed_deletions)} in "
                f"{plural(files, 'file')}",
            )
        )
    size_score = min(25, (weighed_additions + weighed_deletions).bit_length() * 2)
    # a schema change matters whoever wrote it (a bot syncing a release branch, say)
    changes_schema = any(weight >= _SCHEMA_CHANGE_WEIGHT for weight, _ in migration_reasons)
    noise = context.cancelled.get(commit.sha) or _noise(commit, context.rules, changes_schema)
    if not reasons and files and noise is None:
        reasons.append((0, f"{churn(additions, deletions)} in {plural(files, 'file')}"))
    number = context.pull_requests.get(commit.sha)
    if number and not re.search(rf"{re.escape(number)}\b", commit.subject):
        reasons.append((0, f"merged in {number}"))
    return Commit(
        sha=commit.sha,
        short_sha=commit.sha[:7],
        subject=commit.subject,
        author=commit.author_name,
        date=commit.author_date,
        files_changed=files,
        additions=additions,
        deletions=deletions,
        key=False,
        significance=tuple(text for _, text in sorted(reasons, key=lambda r: -r[0])),
        is_merge=commit.is_merge,
        noise=noise,
        score=sum(weight for weight, _ in reasons) + size_score,
    )


def _security_reason(mention: str, published: str | None) -> tuple[int, str]:
    """`security (sql injection, CVE-2026-0001)`: a fix with a published advisory weighs as
    much as a breaking change (deployments must take it), a security keyword alone less."""
    named = [] if mention.lower() == "security" else [mention]
    if published and published.lower() != mention.lower():
        named.append(published)
    label = f"security ({', '.join(named)})" if named else "security fix"
    return (100 if published else 70), label


_MIGRATION_VERBS = {"A": "adds", "D": "deletes", "R": "renames"}
_MIGRATION_WEIGHTS = {
    "adds": 60,
    "deletes": 60,
    "renames": 45,
    "edits released": 45,
    "edits shipped": 45,
    "reformats released": 2,
    "edits": 5,
    "reformats": 1,
}
# Adding, deleting, renaming or editing a shipped migration: the database changes.
_SCHEMA_CHANGE_WEIGHT = 45


def _migration_reasons(commit: LoggedCommit, context: _Context) -> list[tuple[int, str]]:
    grouped: dict[tuple[str, str], list[str]] = {}
    added: list[str] = []
    reformats = context.format_only_edits
    for stat in commit.paths:
        if stat.status == "R" and stat.old_path in context.deleted_migrations:
            # git paired two migrations the system tells apart (the range deletes the old
            # one): one went, another came
            for verb, side in (("deletes", stat.old_path or ""), ("adds", stat.path)):
                if side in context.migration_ids:
                    grouped.setdefault((verb, ""), []).append(context.migration_ids[side])
            added.append(stat.path)
            continue
        path = stat.path if stat.path in context.migration_ids else stat.old_path or ""
        migration_id = context.migration_ids.get(path)
        if migration_id is None:
            continue
        verb, tag = _MIGRATION_VERBS.get(stat.status, "edits"), ""
        if verb == "adds":
            added.append(path)
        elif verb == "edits" and (
            path in context.reformatted_migrations
            or (path in context.released_migrations and (commit.sha, path) in reformats)
        ):
            verb = "reformats released"
        elif verb == "edits" and (commit.sha, path) in reformats:
            verb = "reformats"
        elif verb == "edits" and path in context.released_migrations:
            verb = "edits released"
        elif verb == "edits" and (shipped := context.shipped_edits.get((commit.sha, path))):
            verb, tag = "edits shipped", shipped
        grouped.setdefault((verb, tag), []).append(migration_id)
    reasons = [
        (_MIGRATION_WEIGHTS[verb], _migration_reason(verb, tag, ids))
        for (verb, tag), ids in grouped.items()
    ]
    if drops := _drops([context.migrations[p] for p in added if p in context.migrations]):
        reasons.append((40, drops))
    return reasons


def _migration_reason(verb: str, tag: str, ids: list[str]) -> str:
    """`adds migration api.0042_badge`, `edits 2 migrations (a, b) after they shipped in v1.2`."""
    action, _, adjective = verb.partition(" ")
    if adjective == "shipped":
        adjective = ""
    noun = f"{adjective} migration" if adjective else "migration"
    # one migration written once per dialect tree is one id, named once
    distinct = list(dict.fromkeys(ids))
    copies, uneven = divmod(len(ids), len(distinct))
    trees = (
        ""
        if copies == 1 and not uneven
        else " in several dialect trees"
        if uneven
        else f" in each of {copies} dialect trees"
    )
    if len(distinct) == 1:
        text = f"{action} {noun} {distinct[0]}{trees}"
    else:
        shown = ", ".join(distinct[:3]) + (", …" if len(distinct) > 3 else "")
        text = f"{action} {len(distinct)} {noun}s ({shown}){trees}"
    if verb in ("edits", "reformats"):
        text += " (added in this range)"
    elif tag:
        text += f" after {'it' if len(distinct) == 1 else 'they'} shipped in {tag}"
    return text


def _drops(migrations: list[Migration]) -> str | None:
    """`drops table a and 2 columns (b.x, b.y)`: what the migrations a commit adds drop, less
    what their Data Impact calls mitigated (the range created it: no released data is lost)."""
    harmless = {name for m in migrations for name in _mitigated_drops(m)}
    tables = list(
        dict.fromkeys(t for m in migrations for t in m.tables_dropped if t not in harmless)
    )
    columns = [
        column
        for column in dict.fromkeys(c for m in migrations for c in m.columns_dropped)
        if column.rpartition(".")[0] not in tables and column not in harmless
    ]
    parts = [
        f"{noun} {names[0]}"
        if len(names) == 1
        else f"{plural(len(names), noun)} ({first_few(names)})"
        for names, noun in ((tables, "table"), (columns, "column"))
        if names
    ]
    return "drops " + " and ".join(parts) if parts else None


def _mitigated_drops(migration: Migration) -> set[str]:
    """The tables and columns whose drop the migration's Data Impact calls mitigated
    (`drops t (created by … earlier in this range): no released data is lost`)."""
    return {
        impact.detail.removeprefix("drops ").split(" ", 1)[0]
        for impact in migration.data_impact
        if impact.tag is ImpactTag.MITIGATED and impact.detail.startswith("drops ")
    }


def _file_reasons(commit: LoggedCommit) -> list[tuple[int, str]]:
    kinds: dict[FileKind, list[str]] = {}
    for stat in commit.paths:
        kinds.setdefault(kind_of_path(stat.path), []).append(stat.path.rsplit("/", 1)[-1])
    reasons = []
    if FileKind.SCHEMA in kinds:
        reasons.append(
            (15, "changes schema snapshot " + ", ".join(sorted(set(kinds[FileKind.SCHEMA]))))
        )
    if FileKind.DEPENDENCIES in kinds:
        names = sorted(set(kinds[FileKind.DEPENDENCIES]))
        reasons.append((10, "changes dependencies (" + ", ".join(names[:3]) + ")"))
    if FileKind.CI in kinds:
        reasons.append((5, "changes CI configuration"))
    return reasons


def _ci_only(commit: LoggedCommit) -> bool:
    """True for a commit that changes CI configuration and nothing else."""
    return all(kind_of_path(stat.path) is FileKind.CI for stat in commit.paths)


def _important_paths(commit: LoggedCommit, rules: KeyCommitRules) -> list[str]:
    """The configured important paths the commit touches (first three)."""
    if not rules.important_paths:
        return []
    paths = [p for stat in commit.paths for p in (stat.path, stat.old_path) if p]
    hits = [pattern for pattern in rules.important_paths if matches_any(paths, (pattern,))]
    return hits[:3]


def _noise(commit: LoggedCommit, rules: KeyCommitRules, changes_schema: bool) -> str | None:
    """Why a commit is noise; one that changes the schema is not noise for who wrote it or
    for a release-like subject."""
    if commit.is_merge:
        return "merge commit"
    if not commit.paths:
        return "empty commit"
    bots = (BOT_PATTERN, *rules.bot_authors)
    by_bot = any(p.search(commit.author_name) or p.search(commit.author_email) for p in bots)
    if by_bot and not changes_schema:
        return "bot commit"
    if any(p.search(commit.subject) for p in rules.noise_patterns):
        return CONFIGURED_NOISE
    if _VERSION_BUMP.search(commit.subject.strip()) and not changes_schema:
        return "version bump"
    kinds = {kind_of_path(p.path) for p in commit.paths}
    for label, allowed in _NOISE_KINDS_ONLY.items():
        if kinds and kinds <= allowed:
            return label
    header = conventional(commit.subject)
    if _FORMATTING.search(commit.subject):
        return "formatting-only commit"
    if header and header.type == "docs" and kinds <= {FileKind.DOCS, FileKind.SOURCE}:
        return "docs-only commit"
    if _TYPO.search(commit.subject) and _lines(commit) <= 20:
        return "typo fix"
    return None


def noise_plural(noise: str, count: int) -> str:
    """`3 version bumps`, `1 merge commit`: a noise verdict counted."""
    if count == 1:
        return f"1 {noise}"
    return f"{count:,} {_NOISE_PLURALS.get(noise, noise + 's')}"
