"""A `RepoView` over two in-memory trees, for testing migration systems without git."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from harvester.gitsource.blobs import MAX_BLOB_BYTES
from harvester.migrations.base import PathChange, Side, Source, TreeFile
from harvester.migrations.text import source_from_bytes
from harvester.model import ChangeKind


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _as_bytes(content: bytes | str) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


class MemoryView:
    """The repository at base and head as two `{path: content}` mappings."""

    def __init__(self, base: Mapping[str, bytes | str], head: Mapping[str, bytes | str]) -> None:
        self._files = {
            Side.BASE: {p: _as_bytes(c) for p, c in base.items()},
            Side.HEAD: {p: _as_bytes(c) for p, c in head.items()},
        }
        self._blobs = {
            _blob_id(data): data for side in self._files.values() for data in side.values()
        }
        self._changes = self._diff()

    @classmethod
    def from_folder(cls, folder: Path) -> MemoryView:
        """A view of `folder/base` (optional) and `folder/head`, read from disk."""
        return cls(_read_tree(folder / "base"), _read_tree(folder / "head"))

    def _diff(self) -> tuple[PathChange, ...]:
        base, head = self._files[Side.BASE], self._files[Side.HEAD]
        removed = {p: d for p, d in base.items() if p not in head}
        changes = []
        for path in sorted(head):
            data = head[path]
            if path not in base:
                old = next((p for p, d in removed.items() if d == data), None)
                if old is not None:
                    del removed[old]
                    changes.append(
                        PathChange(path, old, ChangeKind.RENAMED, _blob_id(data), _blob_id(data))
                    )
                else:
                    changes.append(PathChange(path, None, ChangeKind.ADDED, None, _blob_id(data)))
            elif base[path] != data:
                changes.append(
                    PathChange(
                        path, None, ChangeKind.MODIFIED, _blob_id(base[path]), _blob_id(data)
                    )
                )
        for path, data in sorted(removed.items()):
            changes.append(PathChange(path, None, ChangeKind.DELETED, _blob_id(data), None))
        return tuple(changes)

    def changes(self) -> Sequence[PathChange]:
        return self._changes

    def changes_under(self, folder: str) -> Sequence[PathChange]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return tuple(
            c
            for c in self._changes
            if c.path.startswith(prefix) or (c.old_path or "").startswith(prefix)
        )

    def tree(self, side: Side, folder: str) -> Mapping[str, TreeFile]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return {
            path: TreeFile(path, _blob_id(data), "100644")
            for path, data in sorted(self._files[side].items())
            if path.startswith(prefix)
        }

    def read(self, side: Side, path: str) -> Source:
        return _source(path, self._files[side].get(path))

    def read_blob(self, blob: str, path: str) -> Source:
        return _source(path, self._blobs.get(blob))

    def prefetch_blobs(self, blobs: Collection[str]) -> None:
        """Everything is in memory already."""


def _source(path: str, data: bytes | None) -> Source:
    """Text as the git view gives it: files over the size limit are not loaded."""
    if data is not None and len(data) > MAX_BLOB_BYTES:
        return source_from_bytes(path, None, len(data), MAX_BLOB_BYTES)
    return source_from_bytes(path, data)


def _read_tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        posixpath.join(*p.relative_to(folder).parts): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
