"""Which forge hosts the repository, from the `origin` remote, for commit and issue links."""

from __future__ import annotations

import re

from harvester.gitsource.runner import GitRepo, run_git
from harvester.model import Forge

_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[\w./~-]+?)(?:\.git)?/?$")
_URL = re.compile(
    r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>[\w./~-]+?)"
    r"(?:\.git)?/?$"
)
_SAFE_PATH = re.compile(r"^[\w.-]+(?:/[\w.-]+)+$")


def detect_forge(repo: GitRepo, override: str | None = None) -> Forge | None:
    """The forge of `origin` (GitHub, GitLab, Bitbucket), or of `override` when given."""
    url = override
    if url is None:
        result = run_git(repo, ["config", "--get", "remote.origin.url"], check=False)
        url = result.stdout.decode("utf-8", "replace").strip()
    return forge_from_url(url) if url else None


def forge_from_url(url: str) -> Forge | None:
    """A `Forge` for a remote URL; None for local paths and unknown hosts.

    Only host and path characters that are safe in a Markdown link are accepted, so a
    hostile remote URL can never inject a link target.
    """
    match = _URL.match(url) or _SCP.match(url)
    if not match:
        return None
    host, path = match.group("host").lower(), match.group("path")
    if not _SAFE_PATH.match(path) or ".." in path:
        return None
    if "github" in host:
        kind = "github"
    elif "gitlab" in host:
        kind = "gitlab"
    elif "bitbucket" in host:
        kind = "bitbucket"
    else:
        return None
    return Forge(kind, f"https://{host}/{path}")


def commit_url(forge: Forge, sha: str) -> str:
    """The web page of a commit."""
    return {
        "github": f"{forge.url}/commit/{sha}",
        "gitlab": f"{forge.url}/-/commit/{sha}",
        "bitbucket": f"{forge.url}/commits/{sha}",
    }[forge.kind]


def issue_url(forge: Forge, number: str) -> str:
    """The web page of issue (or pull request) `number`."""
    return {
        "github": f"{forge.url}/issues/{number}",
        "gitlab": f"{forge.url}/-/issues/{number}",
        "bitbucket": f"{forge.url}/issues/{number}",
    }[forge.kind]
