"""Reading commit messages: conventional-commit headers, issue references, reverts, security."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?:\s+\S")
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:\s", re.M)
_REVERT_BODY = re.compile(r"This reverts commit ([0-9a-f]{7,40})", re.I)
_REVERT_SUBJECT = re.compile(r"(?:revert|reapply)(?:s|ed)?\b", re.I)
_SVN_REVERT = re.compile(r"reverts? r(\d+)\b", re.I)
_SVN_ID = re.compile(r"^git-svn-id: \S+@(\d+) ", re.M)
# A published advisory's id: CVE or GitHub's GHSA.
_ADVISORY_ID = r"CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}"
_FIX_REF = re.compile(
    r"\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\b[:\s]+(?:issue\s+)?"
    rf"((?:[\w.-]+/[\w.-]+)?#\d+|GH-\d+|{_ADVISORY_ID}|"
    r"[A-Z][A-Z0-9]+-\d+(?![\w-]))",
    re.I,
)
# not a stack frame of a sanitizer or debugger (`#1 0x5555… in xcalloc`)
_ANY_REF = re.compile(r"(?<![\w/&])((?:[\w.-]+/[\w.-]+)?#\d+|GH-\d+)\b(?! +0x[0-9a-f])")
# a squash merge's own pull request, at the end of its subject (`Bump black (#5377)`)
_OWN_PULL_REQUEST = re.compile(r"\s*\(#\d+\)\s*$")
_SECURITY = re.compile(
    rf"\b({_ADVISORY_ID}|"
    r"vulnerabilit(?:y|ies)|XSS|CSRF|SSRF|"
    r"SQL injection|RCE|remote code execution|privilege escalation|auth(?:entication|orization)?"
    r" bypass|open redirect|path traversal|security (?:fix|issue|vulnerabilit\w+|advisory|patch|"
    r"hardening|problem|bug|release))\b|^(?:security|sec)(?:\([^)]*\))?!?:|\((security)\)|"
    r"\[(security)\]",
    re.I,
)


# "rate limited" (a task slowed down by someone else's limit) names no area of one's own.
_SENSITIVE = re.compile(
    r"\b(password|passwd|hasher|argon2|bcrypt|scrypt|pbkdf2|encrypt\w*|decrypt\w*|cipher|"
    r"rate[- ]?limit(?:s|ers?|ing)?|permissions?|authori[sz]ation|unauthori[sz]ed|"
    r"authenticat\w*|2fa|totp|"
    r"mfa|oauth\w*|saml|"
    r"jwt|sanitiz\w*|csp|cors|secrets?|api[ _-]?keys?|session (?:fixation|hijack\w*)|webauthn|"
    r"security keys?|passkeys?|"
    r"signature verification)\b",
    re.I,
)
# The merge commits forges write for a pull request: GitHub, Bitbucket, Azure DevOps, and
# GitLab (its number in the body).
_PULL_REQUEST_MERGE = re.compile(
    r"^Merge pull request (?P<github>#\d+) from (?:[\w.-]+/)?(?P<branch>\S+)"
    r"|^Merged in (?P<branch2>\S+) \(pull request (?P<bitbucket>#\d+)\)"
    r"|^Merged PR (?P<azure>\d+):"
)
_GITLAB_MERGE = re.compile(r"^See merge request (?:[\w.-]+/)*[\w.-]+(?P<gitlab>!\d+)$", re.M)
# Branches that gather many pull requests: merging one of them is a release, not a PR's work.
_LONG_LIVED_BRANCH = re.compile(
    r"^(?:main|master|trunk|dev|develop|development|next|staging|stable|production|"
    r"release|hotfix)$|^(?:release|hotfix)[-/_]",
    re.I,
)


@dataclass(frozen=True, slots=True)
class ConventionalHeader:
    """The `type(scope)!:` prefix of a conventional-commit subject."""

    type: str
    scope: str | None
    breaking: bool


@dataclass(frozen=True, slots=True)
class Reference:
    """An issue or pull-request reference, and whether the commit says it fixes it."""

    ref: str
    fixes: bool


def conventional(subject: str) -> ConventionalHeader | None:
    """The conventional-commit header of a subject, or None when it does not use one."""
    match = _HEADER.match(subject)
    if not match:
        return None
    return ConventionalHeader(match["type"].lower(), match["scope"] or None, bool(match["bang"]))


def is_breaking(subject: str, body: str) -> bool:
    """True for `type!:` subjects and `BREAKING CHANGE:` footers."""
    header = conventional(subject)
    return bool(header and header.breaking) or bool(_BREAKING_FOOTER.search(body))


def reverted_sha(subject: str, body: str) -> str | None:
    """The commit a revert undoes, from git's standard revert message: the subject says it
    reverts (`Revert "…"`, `revert: …`, `Reapply "…"`) or the body starts with "This reverts
    commit". A squash merge that quotes a revert made on its branch reverts nothing here."""
    if not (_REVERT_SUBJECT.match(subject) or _REVERT_BODY.match(body.lstrip())):
        return None
    match = _REVERT_BODY.search(body) or _REVERT_BODY.search(subject)
    return match.group(1) if match else None


def reverted_svn_revision(subject: str) -> str | None:
    """The Subversion revision a mirrored commit reverts (`Reverts r23811 (#31531).`)."""
    match = _SVN_REVERT.match(subject)
    return match.group(1) if match else None


def svn_revision(body: str) -> str | None:
    """The Subversion revision a git-svn mirror commit came from (its `git-svn-id:` line)."""
    match = _SVN_ID.search(body)
    return match.group(1) if match else None


def issue_references(subject: str, body: str) -> list[Reference]:
    """Issue references in a message, in order, fixes first-class (`fixes #12`, `JIRA-7`)."""
    text = f"{_OWN_PULL_REQUEST.sub('', subject)}\n{body}"
    found: dict[str, bool] = {}
    for match in _FIX_REF.finditer(text):
        found[match.group(1)] = True
    for match in _ANY_REF.finditer(text):
        found.setdefault(match.group(1), False)
    return [Reference(ref, fixes) for ref, fixes in found.items()]


def security_mention(subject: str, body: str) -> str | None:
    """The security keyword or advisory id a message mentions, if any."""
    match = _SECURITY.search(subject) or _SECURITY.search(body)
    if not match:
        return None
    found = next((g for g in match.groups() if g), match.group(0))
    return found.strip(":()[]! ")


def advisory_id(subject: str, body: str) -> str | None:
    """The published advisory (CVE, GHSA) a message names, if any."""
    match = re.search(rf"\b(?:{_ADVISORY_ID})\b", f"{subject}\n{body}", re.I)
    return match.group(0) if match else None


def sensitive_area(subject: str) -> str | None:
    """The security-sensitive area a subject names (passwords, permissions, rate limits, …)."""
    match = _SENSITIVE.search(subject)
    return match.group(1).lower() if match else None


def merged_pull_request(subject: str, body: str) -> str | None:
    """The pull request a merge commit's message says it merges (`#2457`, GitLab's `!12`),
    unless it merges a long-lived branch (`dev`, `release/1.2`) that gathers many."""
    match = _PULL_REQUEST_MERGE.match(subject)
    if match:
        branch = match["branch"] or match["branch2"] or ""
        if _LONG_LIVED_BRANCH.search(branch):
            return None
        return match["github"] or match["bitbucket"] or f"#{match['azure']}"
    if subject.startswith("Merge branch ") and (found := _GITLAB_MERGE.search(body)):
        branch = subject.split("'")[1] if subject.count("'") >= 2 else ""
        return None if _LONG_LIVED_BRANCH.search(branch) else found["gitlab"]
    return None
