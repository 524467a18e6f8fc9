"""Paths the repository marks as generated or vendored in its root `.gitattributes`."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

_ATTRIBUTES = frozenset(
    {"linguist-generated", "linguist-generated=true", "linguist-vendored", "linguist-vendored=true"}
)


def generated_paths(gitattributes: str, paths: Iterable[str]) -> set[str]:
    """The `paths` a `.gitattributes` text marks linguist-generated or linguist-vendored."""
    patterns = []
    for line in gitattributes.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        attributes = fields[1:]
        if _ATTRIBUTES.intersection(attributes):
            patterns.append(fields[0])
    return {p for p in paths if any(_matches(pattern, p) for pattern in patterns)}


def _matches(pattern: str, path: str) -> bool:
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if pattern.endswith("/**"):
        prefix = pattern[:-3]
        return (
            path.startswith(prefix + "/")
            if anchored or "/" in prefix
            else (f"/{prefix}/" in f"/{path}")
        )
    if anchored:
        return fnmatch.fnmatchcase(path, pattern)
    return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)
