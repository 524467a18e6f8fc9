"""Hints for the sections a person writes: facts from the range, labelled as hints.

Issues the commits reference, TODO/FIXME/HACK/XXX comments added or removed, environment
variables that appear or disappear, dependency, test, CI and infrastructure files touched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from harvester.analysis.commit_text import issue_references
from harvester.analysis.file_kinds import NOISY_KINDS
from harvester.gitsource.patch import ChangedLine
from harvester.gitsource.records import LoggedCommit
from harvester.model import (
    EnvVarChange,
    FileChange,
    FileKind,
    IssueReference,
    MarkerChange,
)

_NAME = r"([A-Z][A-Z0-9_]*[A-Z0-9])"
_Q = r"""['"]"""
CODE_ENV_PATTERNS = tuple(
    re.compile(p)
    for p in (
        rf"os\.environ(?:\.get|\.setdefault|\.pop)?\s*[\[(]\s*{_Q}{_NAME}{_Q}",
        rf"\bgetenv\s*\(\s*{_Q}{_NAME}{_Q}",
        rf"\benv(?:\.(?:str|bool|int|float|list|dict|json|url|db|cache|path))?\s*\(\s*{_Q}{_NAME}{_Q}",
        rf"\bconfig\s*\(\s*{_Q}{_NAME}{_Q}",
        rf"process\.env\.{_NAME}\b",
        rf"process\.env\[\s*{_Q}{_NAME}{_Q}",
        rf"import\.meta\.env\.{_NAME}\b",
        rf"\bENV\s*(?:\[|\.fetch\s*\(|\.key\?\s*\()\s*{_Q}{_NAME}{_Q}",
        rf"System\.(?:get_env|fetch_env!?|getenv)\s*\(\s*{_Q}{_NAME}{_Q}",
        rf"os\.(?:Getenv|LookupEnv)\s*\(\s*\"{_NAME}\"",
        rf"env::var(?:_os)?\s*\(\s*\"{_NAME}\"",
        rf"\benv!\s*\(\s*\"{_NAME}\"",
        rf"\$_ENV\[\s*{_Q}{_NAME}{_Q}",
    )
)
_ENV_FILE_LINE = re.compile(rf"^\s*(?:export\s+)?{_NAME}\s*=")
_COMPOSE_LINE = re.compile(
    rf"^\s*-\s*{_NAME}=|^\s*-\s*name:\s*{_Q}?{_NAME}{_Q}?\s*$|^\s+{_NAME}:\s"
)
_DOCKERFILE_LINE = re.compile(rf"^\s*(?:ENV|ARG)\s+{_NAME}(?:[=\s]|$)")
_ENV_FILE = re.compile(
    r"(?:^|/)(?:\.env\.(?:example|sample|template|dist|defaults)|"
    r"(?:example|sample)\.env|env\.(?:example|sample))$",
    re.I,
)
_COMPOSE_FILE = re.compile(r"(?:^|/)(?:docker-)?compose[\w.-]*\.ya?ml$", re.I)
_K8S_FILE = re.compile(r"(?:^|/)(?:charts?|helm|k8s|kubernetes|deploy|manifests)/.*\.ya?ml$", re.I)
_DOCKERFILE = re.compile(r"(?:^|/)(?:Dockerfile[\w.-]*|[\w.-]+\.dockerfile)$", re.I)

# `TODO(kradalby): text`: the owner in parentheses is dropped, the text kept whole
# A marker is a word of a comment, not of a name, string or assignment (`TODO="todo.json"`,
# `appendPattern("XXX")`, `XXX-XX-XXXX`).
MARKER = re.compile(r"(?<![\"'`=$])\b(TODO|FIXME|HACK|XXX)\b(?![=\"'`.-])(?:\([^()]*\))?[:\s]?(.*)")
# git -G takes a POSIX extended regex: a loose net; Python decides line by line.
# The anchored KEY=value alternatives are slow for git's regex engine and only mean something
# in deployment files, so code is searched with the first pattern and deployment files with
# both (two passes, split by the pathspecs below).
GIT_PATTERN = (
    r"TODO|FIXME|HACK|XXX|environ|getenv|env[.(!:]|ENV|process\.env|get_env|fetch_env|"
    r"Getenv|LookupEnv|\$_ENV|config\("
)
DEPLOY_GIT_PATTERN = (
    GIT_PATTERN + r"|^ *(export +)?[A-Z][A-Z0-9_]*=|- *[A-Z][A-Z0-9_]*=|name: *['\"]?[A-Z]|"
    r"^ +[A-Z][A-Z0-9_]+: "
)
DEPLOY_GLOBS = (
    "**/.env*",
    "**/*.env",
    "**/env.example",
    "**/env.sample",
    "**/*compose*.yml",
    "**/*compose*.yaml",
    "**/Dockerfile*",
    "**/*.dockerfile",
    "**/charts/**",
    "**/helm/**",
    "**/k8s/**",
    "**/kubernetes/**",
    "**/deploy/**",
    "**/manifests/**",
)
LINE_PATTERN = re.compile(
    r"TODO|FIXME|HACK|XXX|environ|getenv|env|ENV|config\(|^\s*(?:export\s+)?[A-Z][A-Z0-9_]*=|"
    r"-\s*[A-Z][A-Z0-9_]*=|name:|^\s+[A-Z][A-Z0-9_]+:\s|^\s*(?:ENV|ARG)\s"
)
_INFRA_NAME = re.compile(
    r"Dockerfile[\w.-]*|[\w.-]+\.dockerfile|(?:docker-)?compose[\w.-]*\.ya?ml|"
    r"Chart\.yaml|values[\w.-]*\.ya?ml|[\w.-]+\.tf|[\w.-]+\.tfvars|Procfile|fly\.toml|"
    r"render\.yaml|app\.json|vercel\.json|netlify\.toml|serverless\.ya?ml|nginx[\w.-]*\.conf|"
    r"kustomization\.ya?ml",
    re.I,
)
_INFRA_FOLDERS = frozenset(
    (
        "k8s",
        "kubernetes",
        "helm",
        "charts",
        "terraform",
        "ansible",
        "deploy",
        "infra",
        "infrastructure",
    )
)


def env_names_in_line(path: str, text: str) -> list[str]:
    """Environment variable names a changed line defines or reads."""
    if _ENV_FILE.search(path):
        match = _ENV_FILE_LINE.match(text)
        return [match.group(1)] if match else []
    if _COMPOSE_FILE.search(path) or _K8S_FILE.search(path):
        match = _COMPOSE_LINE.match(text)
        return [g for g in match.groups() if g] if match else []
    if _DOCKERFILE.search(path):
        match = _DOCKERFILE_LINE.match(text)
        return [match.group(1)] if match else []
    return [m.group(1) for pattern in CODE_ENV_PATTERNS for m in pattern.finditer(text)]


def marker_changes(
    lines: Iterable[ChangedLine], noisy: Callable[[str], bool]
) -> list[MarkerChange]:
    """TODO/FIXME/HACK/XXX lines added or removed; a comment moved unchanged is not a change."""
    seen: dict[tuple[str, str, bool], MarkerChange] = {}
    for line in lines:
        if noisy(line.path):
            continue
        match = MARKER.search(line.text)
        if match:
            text = " ".join(match.group(2).strip(" :-*/#>").split())
            change = MarkerChange(line.path, match.group(1), text, line.added)
            seen.setdefault((change.marker, change.text, change.added), change)
    return [c for (marker, text, added), c in seen.items() if (marker, text, not added) not in seen]


def env_var_changes(
    lines: Iterable[ChangedLine],
    noisy: Callable[[str], bool],
    present: Callable[[bool, set[str]], set[str]],
) -> list[EnvVarChange]:
    """Names that appear in added lines and were absent at base, or vanish from head.

    `present(at_head, names)` says which names still occur anywhere in the tree at head (or,
    with False, at base), so moving a setting between files is not reported.
    """
    seen: dict[bool, dict[str, set[str]]] = {True: defaultdict(set), False: defaultdict(set)}
    for line in lines:
        if noisy(line.path) or line.path.startswith(".github/"):
            continue
        for name in env_names_in_line(line.path, line.text):
            seen[line.added][name].add(line.path)
    added = {n for n in seen[True] if n not in seen[False]}
    removed = {n for n in seen[False] if n not in seen[True]}
    added -= present(False, added)
    removed -= present(True, removed)
    return sorted(
        [EnvVarChange(n, True, tuple(sorted(seen[True][n]))) for n in added]
        + [EnvVarChange(n, False, tuple(sorted(seen[False][n]))) for n in removed],
        key=lambda c: (not c.added, c.name),
    )


def referenced_issues(
    commits: Sequence[LoggedCommit], issue_url: Callable[[str], str | None]
) -> list[IssueReference]:
    """Issues and pull requests the commits refer to, fixes first, each with its commits."""
    found: dict[str, tuple[list[str], bool]] = {}
    for commit in commits:
        for reference in issue_references(commit.subject, commit.body):
            shas, fixes = found.get(reference.ref, ([], False))
            shas.append(commit.sha)
            found[reference.ref] = (shas, fixes or reference.fixes)
    return sorted(
        (
            IssueReference(ref, tuple(shas), fixes, issue_url(ref))
            for ref, (shas, fixes) in found.items()
        ),
        key=lambda r: (not r.fixes, _issue_sort_key(r.ref)),
    )


def _issue_sort_key(ref: str) -> tuple[str, int]:
    prefix, _, number = ref.rpartition("#") if "#" in ref else ref.rpartition("-")
    return (prefix, int(number) if number.isdigit() else 0)


def files_of_kind(files: Sequence[FileChange], *kinds: FileKind) -> tuple[FileChange, ...]:
    """The changed files of the given kinds."""
    return tuple(f for f in files if f.kind in kinds)


def infrastructure_files(files: Sequence[FileChange]) -> tuple[str, ...]:
    """Deployment and infrastructure files the range changed (Docker, Helm, Terraform, …)."""
    return tuple(f.path for f in files if _is_infrastructure(f.path))


def _is_infrastructure(path: str) -> bool:
    *folders, name = path.split("/")
    return bool(_INFRA_NAME.fullmatch(name)) or any(f.lower() in _INFRA_FOLDERS for f in folders)


def noisy_path_check(files: Mapping[str, FileChange]) -> Callable[[str], bool]:
    """A predicate: is this path a lock, generated, vendored, snapshot or translation file?"""

    def noisy(path: str) -> bool:
        change = files.get(path)
        return change is not None and change.kind in NOISY_KINDS

    return noisy
