"""From options to a `Report`: the one place where the steps are put in order.

Git is read in a constant number of batched calls whatever the size of the range: one
`git log`, one `git diff` of the range, one `cat-file --batch` process for every file read,
one patch pass for the hints, plus a few ref look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial, reduce

from harvester import __version__
from harvester.analysis.attributes import generated_paths
from harvester.analysis.commit_text import reverted_sha
from harvester.analysis.dependencies import dependency_changes
from harvester.analysis.file_kinds import is_lock_or_manifest
from harvester.analysis.files import STATUS, describe_files
from harvester.analysis.hints import (
    DEPLOY_GIT_PATTERN,
    DEPLOY_GLOBS,
    GIT_PATTERN,
    LINE_PATTERN,
    env_names_in_line,
    env_var_changes,
    files_of_kind,
    infrastructure_files,
    marker_changes,
    noisy_path_check,
    referenced_issues,
)
from harvester.analysis.key_commits import rank_commits
from harvester.analysis.release_edits import (
    edited_after_release,
    format_only_edits,
    released_out_of_order,
)
from harvester.analysis.removed_migrations import shipped_then_removed, shipped_then_renamed
from harvester.analysis.title import derive_title
from harvester.cache import remembered, use_cache
from harvester.config import ProjectConfig, load_config, title_from_pattern
from harvester.errors import EmptyRangeError
from harvester.gitsource.blobs import MAX_BLOB_BYTES, BlobReader
from harvester.gitsource.diff import range_diff
from harvester.gitsource.forge import commit_url, detect_forge, issue_url
from harvester.gitsource.grep import words_present
from harvester.gitsource.history import LogHistory
from harvester.gitsource.log import iter_commits, merge_adders
from harvester.gitsource.missing import known_missing
from harvester.gitsource.names import names_at
from harvester.gitsource.patch import ChangedLine, changed_lines
from harvester.gitsource.records import LoggedCommit
from harvester.gitsource.refs import (
    ResolvedRange,
    resolve_range,
    shallow_boundaries,
    truncated_history_error,
)
from harvester.gitsource.runner import GitRepo, open_repo
from harvester.gitsource.tags import RepoTags, files_in_releases
from harvester.gitsource.view import GitView
from harvester.migrations.base import PathChange, Side
from harvester.migrations.database import analyse_database, migration_like
from harvester.model import (
    ChangeKind,
    Database,
    FileChange,
    FileKind,
    Forge,
    Hints,
    ImpactTag,
    RangeInfo,
    Report,
    Tool,
)
from harvester.options import ReportOptions, configured

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    """Progress sink that says nothing."""


@dataclass(frozen=True, slots=True)
class Harvest:
    """A run's report and the project configuration it was made with."""

    report: Report
    config: ProjectConfig


def build_report(options: ReportOptions, progress: Progress = _silent) -> Report:
    """Read the range from git and analyse it into a `Report`."""
    return harvest(options, progress).report


def harvest(options: ReportOptions, progress: Progress = _silent) -> Harvest:
    """Read the range and the project configuration from git and analyse the range."""
    use_cache(options.use_cache)
    repo = open_repo(options.repo)
    span = resolve_range(repo, options.range)
    progress(f"reading commits {span.base}..{span.head}")
    with BlobReader(repo) as blobs:
        config = _project_config(options, blobs, span.head_sha)
        options = configured(options, config)
        tags = RepoTags(repo, (span.head, span.base))
        history = LogHistory(
            tags.first_releases, partial(merge_adders, repo, span.base_sha, span.head_sha)
        )
        # git computes the range diff and the hints' patch pass while the log streams in, and
        # migrations are analysed meanwhile: they wait for the log only to name commits.
        with ThreadPoolExecutor(max_workers=3) as background:
            # Migrations start from the quick diff without line counts; the files need the
            # counts only at the end, so that diff runs at a lower priority.
            pending_database = background.submit(
                _analyse_migrations, repo, span, history, tags, blobs, options
            )
            pending_diff = background.submit(
                range_diff, repo, span.base_sha, span.head_sha, background=True
            )
            pending_lines = background.submit(_hint_lines, repo, span)
            background.submit(tags.branch_tags, span.base_sha, span.head_sha)  # needed late
            try:
                commits = _read_commits(repo, span, history)
            except BaseException as error:
                history.fail(error)
                raise
            diff = pending_diff.result()
            # What needs no migration is done while the migrations are still being analysed.
            attributes = blobs.read(f"{span.head_sha}:.gitattributes").data or b""
            dependencies = dependency_changes(diff, blobs.contents)
            forge = detect_forge(repo, options.forge_url)
            title = options.title or _title(repo, span, commits, options)
            progress("analysing migrations")
            database = pending_database.result()
            migration_ids = {m.path: m.id for m in database.migrations}
            down_files = {m.down_path: m.id for m in database.migrations if m.down_path}
            files = describe_files(
                diff,
                commits,
                {**down_files, **migration_ids},
                generated_paths(attributes.decode("utf-8", "replace"), [d.path for d in diff]),
            )
            urls = {c.sha: commit_url(forge, c.sha) for c in commits} if forge else {}
            progress("ranking commits and collecting hints")
            released = {m.path for m in database.migrations if m.released}
            by_path = {m.path: m for m in database.migrations}
            ranked = rank_commits(
                commits,
                migration_ids,
                options.key_commit_count,
                urls,
                released,
                options.rules,
                _unknown_reverted(commits, blobs),
                {m.path for m in database.migrations if m.released and m.format_only},
                {m.path for m in database.migrations if m.change is ChangeKind.DELETED},
                _edits_after_release(database, history),
                by_path,
                format_only_edits(
                    commits,
                    by_path,
                    blobs.contents,
                ),
            )
            # The hints' patch pass runs at a lower priority; it is awaited last.
            lines, env_names = pending_lines.result()
    hints = replace(_hints(files, commits, forge, lines, env_names), dependencies=dependencies)
    report = Report(
        tool=Tool("harvester", __version__),
        range=RangeInfo(
            base=span.base,
            head=span.head,
            base_sha=span.base_sha,
            head_sha=span.head_sha,
            commits=sum(1 for c in commits if not c.is_merge),
            commits_all=len(commits),
            files_changed=len(diff),
            additions=sum(d.additions or 0 for d in diff),
            deletions=sum(d.deletions or 0 for d in diff),
            base_is_ancestor=not span.diverged,
            contents_missing=tuple(sorted(known_missing(repo, span.base_sha, span.head_sha))),
        ),
        title=title,
        files=files,
        commits=ranked,
        database=database,
        hints=hints,
        forge=forge,
    )
    return Harvest(report, config)


def _project_config(options: ReportOptions, blobs: BlobReader, head_sha: str) -> ProjectConfig:
    if not options.use_config:
        return ProjectConfig()

    def read(paths: Sequence[str]) -> Mapping[str, bytes | None]:
        found = blobs.read_many([f"{head_sha}:{p}" for p in paths])
        return {p: found[f"{head_sha}:{p}"].data for p in paths}

    return load_config(read, options.config_file)


def _read_commits(repo: GitRepo, span: ResolvedRange, history: LogHistory) -> list[LoggedCommit]:
    boundaries = shallow_boundaries(repo)
    commits = []
    for commit in iter_commits(repo, span.base_sha, span.head_sha):
        if commit.sha in boundaries:
            raise truncated_history_error(span.base, commit.sha)
        commits.append(commit)
        history.record(commit)
    if not commits:
        raise EmptyRangeError(
            f"no commits in {span.base}..{span.head}: {span.head} is already contained in "
            f"{span.base} (did you mean {span.head}..{span.base}?)"
        )
    history.complete()
    return commits


def _edits_after_release(database: Database, history: LogHistory) -> dict[tuple[str, str], str]:
    """The release each added migration had shipped in before a commit edited it, by (commit,
    path): for the migrations found edited after they shipped, the edits that release lacks."""
    shipped = {
        m.path: (m.first_tag, m.added_in)
        for m in database.migrations
        if m.first_tag
        and any(i.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION for i in m.data_impact)
    }
    edits = [
        (sha, path)
        for path, (_, added_in) in shipped.items()
        for sha in history.commits_touching(path)
        if sha != added_in
    ]
    releases = history.releases([sha for sha, _ in edits])
    return {
        (sha, path): shipped[path][0] for sha, path in edits if releases[sha] != shipped[path][0]
    }


def _unknown_reverted(commits: Sequence[LoggedCommit], blobs: BlobReader) -> set[str]:
    """The commits the range's revert messages name that the repository does not have."""
    named = {sha for c in commits if (sha := reverted_sha(c.subject, c.body))}
    found = blobs.read_many(f"{sha}^{{commit}}" for sha in named)
    return {sha for sha in named if found[f"{sha}^{{commit}}"].missing}


def _analyse_migrations(
    repo: GitRepo,
    span: ResolvedRange,
    history: LogHistory,
    tags: RepoTags,
    blobs: BlobReader,
    options: ReportOptions,
) -> Database:
    """Database Changes, from the range diff and the files at both ends (run beside the log).

    The two commits, the settings and the tags (which release shipped each migration decides
    whether a table made earlier in the range can hold rows) determine the analysis, so it is
    cached by them; each migration's first tag is read from the history every run.
    """

    def analyse() -> Database:
        changes = [
            PathChange(
                path=d.path,
                old_path=d.old_path,
                status=STATUS.get(d.status, STATUS["M"]),
                old_blob=d.old_blob,
                new_blob=d.new_blob,
                history=history,
            )
            for d in range_diff(repo, span.base_sha, span.head_sha, counts=False)
        ]
        commits = {Side.BASE: span.base_sha, Side.HEAD: span.head_sha}
        view = GitView(repo, commits, changes, blobs, MAX_BLOB_BYTES)
        return analyse_database(view, options.analysis)

    # Risks depend on which release shipped each migration, so the tags are part of the key.
    inputs = (span.base_sha, span.head_sha, options.analysis, tags.fingerprint())
    database = _with_first_tags(remembered("database", inputs, analyse), history, tags, span)
    database = released_out_of_order(database, tags.release_order)
    database = shipped_then_removed(
        database,
        history.added_then_deleted(),
        migration_like,
        history.releases,
        partial(files_in_releases, repo),
        history.former_paths,
    )
    database = shipped_then_renamed(
        database, history.renamed_from, history.first_release, history.releases
    )
    return edited_after_release(
        database,
        blobs.contents,
        span.head,
        span.head_sha,
        history.former_paths,
    )


def _with_first_tags(
    database: Database, history: LogHistory, tags: RepoTags, span: ResolvedRange
) -> Database:
    """Each migration the range added with the first release that shipped it: the oldest
    release containing a commit that added it (it may have been added more than once), or an
    older release of another branch that shipped the same file."""
    adders = {
        m.path: [m.added_in, *history.other_additions(m.path)]
        for m in database.migrations
        if m.added_in
    }
    if not adders:
        return database
    named = history.releases([sha for shas in adders.values() for sha in shas if sha])
    added = [m.path for m in database.migrations if m.added_in and m.change is ChangeKind.ADDED]
    elsewhere = tags.branch_releases(span.base_sha, span.head_sha, added)
    first = {
        path: reduce(tags.earlier, (named.get(s) for s in shas if s), elsewhere.get(path))
        for path, shas in adders.items()
    }
    migrations = tuple(
        replace(m, first_tag=first[m.path]) if m.path in first else m for m in database.migrations
    )
    return replace(database, migrations=migrations)


def _hint_lines(
    repo: GitRepo, span: ResolvedRange
) -> tuple[list[ChangedLine], dict[bool, set[str]]]:
    """The changed lines the hints read, and which environment variable names they mention
    occur anywhere at base (False) and at head (True): run beside the log."""
    deploy = [f":(glob){g}" for g in DEPLOY_GLOBS]
    code = [".", *(f":(exclude,glob){g}" for g in DEPLOY_GLOBS)]
    lines = [
        *changed_lines(repo, span.base_sha, span.head_sha, GIT_PATTERN, LINE_PATTERN, code),
        *changed_lines(
            repo, span.base_sha, span.head_sha, DEPLOY_GIT_PATTERN, LINE_PATTERN, deploy
        ),
    ]
    names = {name for line in lines for name in env_names_in_line(line.path, line.text)}
    present = {
        at_head: words_present(repo, span.head_sha if at_head else span.base_sha, names)
        for at_head in (False, True)
    }
    return lines, present


def _hints(
    files: Sequence[FileChange],
    commits: Sequence[LoggedCommit],
    forge: Forge | None,
    lines: Sequence[ChangedLine],
    env_names: dict[bool, set[str]],
) -> Hints:
    noisy = noisy_path_check({f.path: f for f in files})

    def present(at_head: bool, names: set[str]) -> set[str]:
        return env_names[at_head] & names

    return Hints(
        dependency_files=tuple(f.path for f in files if is_lock_or_manifest(f.kind)),
        test_files=files_of_kind(files, FileKind.TEST, FileKind.SNAPSHOT),
        issues=tuple(referenced_issues(commits, lambda ref: _issue_link(forge, ref))),
        markers=tuple(marker_changes(lines, noisy)),
        env_vars=tuple(env_var_changes(lines, noisy, present)),
        ci_files=tuple(f.path for f in files if f.kind is FileKind.CI),
        infrastructure_files=infrastructure_files(files),
    )


def _issue_link(forge: Forge | None, ref: str) -> str | None:
    if forge is None or not ref.startswith("#"):
        return None
    return issue_url(forge, ref[1:])


def _title(
    repo: GitRepo, span: ResolvedRange, commits: Sequence[LoggedCommit], options: ReportOptions
) -> str:
    names = names_at(repo, span.head_sha)
    head_commit = commits[0] if commits and commits[0].sha == span.head_sha else None
    head_branch = names.branches[0] if names.branches else None
    if span.head == "HEAD" and names.current_branch:
        head_branch = names.current_branch
    derived = derive_title(
        head=span.head,
        head_subject=head_commit.subject if head_commit else None,
        head_tags=list(names.tags),
        head_branch=head_branch,
        base=span.base,
        merge=span.how == "merge",
    )
    if options.title_pattern is None:
        return derived
    values = {"title": derived, "head": span.head, "base": span.base}
    return title_from_pattern(options.title_pattern, values)
