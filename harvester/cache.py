"""Parse results cached by content, so a second run on an overlapping range costs little
beyond git.

Keys hash a parser's inputs (the file's text and the engine it is read for), so an entry can
never be stale for its input. A range's whole database analysis is kept too, keyed by its two
commits and the analysis settings, which determine it. The cache folder is named after
harvester's version and its code, so a changed parser never meets results of an older one;
folders of other versions are removed. Only this user's cache folder is read. `--no-cache` or
`HARVESTER_NO_CACHE=1` turns it off; `HARVESTER_CACHE_DIR` moves it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from harvester import __version__

Result = TypeVar("Result")
_MISS = object()


class ContentCache:
    """Pickled results in a folder, one file per key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, namespace: str, key: str) -> Any:
        """The stored result, or the module's miss marker."""
        try:
            data = (self.folder / namespace / key[:2] / key).read_bytes()
            return pickle.loads(data)
        except Exception:  # a missing, truncated or foreign entry is a miss
            return _MISS

    def put(self, namespace: str, key: str, value: object) -> None:
        """Store a result atomically (a failure to store is not an error)."""
        target = self.folder / namespace / key[:2] / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, target)
        except (OSError, pickle.PicklingError, TypeError, RecursionError):
            pass


_active: ContentCache | None = None


def use_cache(enabled: bool) -> None:
    """Turn the cache on (in the user cache folder, unless told otherwise) or off."""
    global _active
    if not enabled or os.environ.get("HARVESTER_NO_CACHE"):
        _active = None
        return
    base = os.environ.get("HARVESTER_CACHE_DIR")
    if base is None:
        from platformdirs import user_cache_dir

        base = user_cache_dir("harvester")
    root = Path(base)
    folder = root / f"parse-{__version__}-{_code_fingerprint()}"
    if not folder.exists():
        _remove_older(root)
    _active = ContentCache(folder)


def remembered(namespace: str, inputs: object, compute: Callable[[], Result]) -> Result:
    """`compute()`, or what it gave before for the same `inputs` (which must determine it)."""
    cache = _active
    if cache is None:
        return compute()
    key = hashlib.sha256(pickle.dumps(inputs, protocol=4)).hexdigest()
    found = cache.get(namespace, key)
    if found is not _MISS:
        return found  # type: ignore[no-any-return]
    result = compute()
    cache.put(namespace, key, result)
    return result


def cached(namespace: str) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Cache a pure parser's results by its arguments (text, names, engines)."""

    def decorate(parser: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(parser)
        def read(*args: Any, **options: Any) -> Result:
            inputs = (args, sorted(options.items()))
            return remembered(namespace, inputs, lambda: parser(*args, **options))

        return read

    return decorate


@functools.cache
def _code_fingerprint() -> str:
    """A hash of harvester's migration code (names, sizes, times): parsers that change
    between runs, as in a working copy, get a fresh cache."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _remove_older(root: Path) -> None:
    for folder in root.glob("parse-*"):
        shutil.rmtree(folder, ignore_errors=True)
