"""Technical Dependencies hints in a reviewer's words: what the manifests declare first, then
what only the lock files say (a package pinned in a manifest is not repeated from its lock)."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from itertools import groupby

from harvester.analysis.dependencies import compares
from harvester.analysis.file_kinds import classify
from harvester.model import DependencyChange, FileKind, Hints
from harvester.render.escape import code_span, inline

# Past this many lock-only changes in one lock file, one counted line says it.
_LISTED_PER_LOCK = 6


def dependency_lines(hints: Hints) -> list[str]:
    """One hint line per direct change, lock-only changes listed or counted per lock file."""
    changes = hints.dependencies
    direct = [c for c in changes if classify(c.manifest) is not FileKind.LOCK_FILE]
    declared = {(posixpath.dirname(c.manifest), c.name.lower()) for c in direct}
    items = [_line(c) for c in direct]
    locked = (c for c in changes if classify(c.manifest) is FileKind.LOCK_FILE)
    for lock, entries in groupby(locked, key=lambda c: c.manifest):
        folder = posixpath.dirname(lock)
        only_locked = [c for c in entries if (folder, c.name.lower()) not in declared]
        if len(only_locked) <= _LISTED_PER_LOCK:
            items += [_line(c) for c in only_locked]
            continue
        verbs = Counter(_verb(c) for c in only_locked)
        counted = ", ".join(f"{n:,} {verb}" for verb, n in sorted(verbs.items()))
        items.append(
            f"{code_span(lock)}: {len(only_locked):,} locked packages changed ({counted}); "
            "the JSON report lists them"
        )
    # Files harvester compared and found no package change in are left out.
    items += [
        f"{code_span(p)} changed (not compared)" for p in hints.dependency_files if not compares(p)
    ]
    return items


def _line(change: DependencyChange) -> str:
    group = f" ({inline(change.group)})" if change.group else ""
    if change.old and change.new:
        what = f"{_verb(change)} {inline(change.old)} → {inline(change.new)}"
    elif change.new:
        what = f"added ({inline(change.new)})"
    else:
        what = f"removed (was {inline(change.old or '?')})"
    return f"{code_span(change.name)}{group} {what} in {code_span(change.manifest)}"


def _verb(change: DependencyChange) -> str:
    """`upgraded`, `downgraded` or `changed`, from the numbers in the two versions."""
    if not change.old or not change.new:
        return "added" if change.new else "removed"
    old, new = _numbers(change.old), _numbers(change.new)
    if old and new and old != new:
        return "upgraded" if new > old else "downgraded"
    return "changed"


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:4])
