"""Files Modified: every changed path with its kind and what the range's commits did to it."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from harvester.analysis.file_kinds import classify
from harvester.analysis.wording import quote_subject
from harvester.gitsource.records import LoggedCommit, PathStat
from harvester.model import ChangeKind, FileChange, FileKind

STATUS = {
    "A": ChangeKind.ADDED,
    "M": ChangeKind.MODIFIED,
    "D": ChangeKind.DELETED,
    "R": ChangeKind.RENAMED,
    "C": ChangeKind.COPIED,
    "T": ChangeKind.TYPE_CHANGED,
}

_KIND_LABELS = {
    FileKind.TEST: "test",
    FileKind.MIGRATION: "migration",
    FileKind.SCHEMA: "schema snapshot",
    FileKind.DEPENDENCIES: "dependency manifest",
    FileKind.LOCK_FILE: "lock file",
    FileKind.CI: "CI configuration",
    FileKind.DOCS: "documentation",
    FileKind.CONFIG: "configuration",
    FileKind.BUILD: "build/deploy file",
    FileKind.GENERATED: "generated file",
    FileKind.VENDORED: "vendored code",
    FileKind.SNAPSHOT: "test snapshot",
    FileKind.TRANSLATION: "translation",
    FileKind.ASSET: "asset",
    FileKind.SUBMODULE: "submodule",
}
_SOURCE_LABELS = {
    ".py": "Python source",
    ".pyi": "Python stub",
    ".js": "JavaScript source",
    ".mjs": "JavaScript source",
    ".cjs": "JavaScript source",
    ".jsx": "React (JSX) source",
    ".ts": "TypeScript source",
    ".tsx": "React (TSX) source",
    ".go": "Go source",
    ".rb": "Ruby source",
    ".erb": "ERB template",
    ".ex": "Elixir source",
    ".exs": "Elixir script",
    ".heex": "HEEx template",
    ".rs": "Rust source",
    ".java": "Java source",
    ".kt": "Kotlin source",
    ".scala": "Scala source",
    ".cs": "C# source",
    ".php": "PHP source",
    ".swift": "Swift source",
    ".c": "C source",
    ".h": "C header",
    ".cc": "C++ source",
    ".cpp": "C++ source",
    ".hpp": "C++ header",
    ".vue": "Vue component",
    ".svelte": "Svelte component",
    ".html": "HTML template",
    ".jinja": "Jinja template",
    ".j2": "Jinja template",
    ".css": "stylesheet",
    ".scss": "stylesheet",
    ".less": "stylesheet",
    ".sql": "SQL script",
    ".sh": "shell script",
    ".bash": "shell script",
    ".lua": "Lua source",
    ".dart": "Dart source",
    ".graphql": "GraphQL schema",
    ".proto": "protobuf definition",
    ".tf": "Terraform",
    ".hcl": "HCL configuration",
}


@dataclass(frozen=True, slots=True)
class _Touch:
    sha: str
    subject: str
    lines: int


def kind_label(path: str, kind: FileKind) -> str:
    """`test`, `lock file`, `Python source`: what a reviewer calls the file."""
    if kind is FileKind.SOURCE:
        return _SOURCE_LABELS.get(posixpath.splitext(path)[1].lower(), "source")
    return _KIND_LABELS[kind]


def describe_files(
    diff: Sequence[PathStat],
    commits: Sequence[LoggedCommit],
    migration_paths: Collection[str] = (),
    generated_paths: Collection[str] = (),
) -> tuple[FileChange, ...]:
    """A `FileChange` for every path of the range diff, sorted by path."""
    touches = _touches_by_path(commits)
    files = []
    for stat in diff:
        kind = classify(
            stat.path,
            binary=stat.binary,
            mode=stat.new_mode if stat.status != "D" else stat.old_mode,
            migration=stat.path in migration_paths,
            generated=stat.path in generated_paths,
        )
        history = touches.get(stat.path, []) + (
            touches.get(stat.old_path, []) if stat.old_path else []
        )
        history = list({t.sha: t for t in history}.values())
        files.append(
            FileChange(
                path=stat.path,
                old_path=stat.old_path,
                status=STATUS.get(stat.status, ChangeKind.MODIFIED),
                additions=stat.additions or 0,
                deletions=stat.deletions or 0,
                binary=stat.binary,
                contents_missing=stat.contents_missing,
                kind=kind,
                summary=_summary(stat, kind, history),
                commits=tuple(t.sha for t in history),
                similarity=stat.similarity if stat.status in "RC" else None,
                symlink="120000" in (stat.new_mode, stat.old_mode),
            )
        )
    return tuple(sorted(files, key=lambda f: f.path))


def _touches_by_path(commits: Sequence[LoggedCommit]) -> dict[str, list[_Touch]]:
    touches: dict[str, list[_Touch]] = defaultdict(list)
    for commit in commits:
        for stat in commit.paths:
            touch = _Touch(
                commit.sha, commit.subject, (stat.additions or 0) + (stat.deletions or 0)
            )
            touches[stat.path].append(touch)
            if stat.old_path:
                touches[stat.old_path].append(touch)
    return touches


def _summary(stat: PathStat, kind: FileKind, history: Sequence[_Touch]) -> str:
    label = kind_label(stat.path, kind)
    if stat.new_mode == "120000" or (stat.status == "D" and stat.old_mode == "120000"):
        label = "symbolic link"
    if not history:
        return label
    if len(history) == 1:
        only = history[0]
        return f"{label}; {quote_subject(only.subject)} ({only.sha[:7]})"
    main = max(history, key=lambda t: t.lines)
    return f"{label}; {len(history)} commits, mostly {quote_subject(main.subject)} ({main.sha[:7]})"
