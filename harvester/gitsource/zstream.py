"""Parsing git's NUL-separated (`-z`) output: `--raw` entries joined with `--numstat` entries.

Fields are split on NUL and consumed by structure (so many header fields, then raw entries
that start with `:`, then numstat entries), so nothing a commit message or a file name contains
can shift the parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from harvester.gitsource.records import NULL_SHA, PathStat

_NUMSTAT = re.compile(rb"^(\d+|-)\t(\d+|-)\t")
_CHUNK = 1 << 16


def decode_path(raw: bytes) -> str:
    """A path as text: UTF-8 when it is, otherwise with undecodable bytes shown as `\\xNN`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def decode_text(raw: bytes) -> str:
    """Commit text (subjects, names): UTF-8, undecodable bytes replaced."""
    return raw.decode("utf-8", "replace")


class Fields:
    """NUL-separated fields of a stream, read lazily, with one field of look-ahead."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._pending: list[bytes] = []
        self._rest = b""
        self._done = False

    def _fill(self) -> bool:
        while not self._pending and not self._done:
            data = (
                self._stream.read1(_CHUNK)
                if hasattr(self._stream, "read1")
                else (self._stream.read(_CHUNK))
            )
            if not data:
                self._done = True
                if self._rest:
                    self._pending.append(self._rest)
                    self._rest = b""
                break
            parts = (self._rest + data).split(b"\0")
            self._rest = parts.pop()
            parts.reverse()
            self._pending = parts
        return bool(self._pending)

    def peek(self) -> bytes | None:
        """The next field without consuming it, or None at the end."""
        return self._pending[-1] if self._fill() else None

    def take(self) -> bytes:
        """The next field; an empty field at the end of the stream."""
        return self._pending.pop() if self._fill() else b""


def read_paths(fields: Fields) -> Iterator[PathStat]:
    """The raw entries at the current position, joined with the numstat entries after them."""
    raws: list[tuple[bytes, str, str | None]] = []
    while (head := fields.peek()) is not None and head.lstrip(b"\n").startswith(b":"):
        meta = fields.take().lstrip(b"\n")
        first = decode_path(fields.take())
        second = decode_path(fields.take()) if _renamed(meta) else None
        raws.append((meta, first, second))
    counts: dict[str, tuple[int | None, int | None]] = {}
    while (head := fields.peek()) is not None and (match := _NUMSTAT.match(head)):
        fields.take()
        path_field = head[match.end() :]
        if path_field:
            path = decode_path(path_field)
        else:
            fields.take()
            path = decode_path(fields.take())
        counts[path] = (_count(match.group(1)), _count(match.group(2)))
    for meta, first, second in raws:
        old_mode, new_mode, old_blob, new_blob, status = meta[1:].decode("ascii").split(" ", 4)
        letter = status[0]
        similarity = int(status[1:]) if status[1:] else None
        path, old_path = (second, first) if second is not None else (first, None)
        additions, deletions = counts.get(path, (0, 0))
        yield PathStat(
            path=path,
            old_path=old_path,
            status=letter,
            similarity=similarity,
            additions=additions,
            deletions=deletions,
            old_blob=None if old_blob == NULL_SHA else old_blob,
            new_blob=None if new_blob == NULL_SHA else new_blob,
            old_mode=old_mode,
            new_mode=new_mode,
        )


def _renamed(meta: bytes) -> bool:
    status = meta.rsplit(b" ", 1)[-1]
    return status[:1] in (b"R", b"C")


def _count(value: bytes) -> int | None:
    return None if value == b"-" else int(value)
