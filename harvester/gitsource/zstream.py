"""Parsing git's NUL-separated (`-z`) output: `--raw` entries joined with `--numstat` entries.

Fields are split on NUL and consumed by structure (so many header fields, then raw entries
that start with `:`, then numstat entries), so nothing a commit message or a file name contains
can shift the parse. The stream is split in large chunks at C speed and parsed by list index;
a record cut by the end of a chunk is parsed again once the next chunk arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, TypeVar

from harvester.gitsource.records import NULL_SHA, PathStat

_NUMSTAT = re.compile(rb"^(\d+|-)\t(\d+|-)\t")
_CHUNK = 1 << 20
_BATCH = 1 << 16

Record = TypeVar("Record")
# A record parser: (fields, start, final) -> (record, next start). It raises IndexError when
# the fields end before the record does and `final` is False (more fields are coming).
RecordParser = Callable[[list[bytes], int, bool], tuple[Record, int]]


class Incomplete(IndexError):
    """The fields seen so far end inside a record."""


def decode_path(raw: bytes) -> str:
    """A path as text: UTF-8 when it is, otherwise with undecodable bytes shown as `\\xNN`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def decode_text(raw: bytes) -> str:
    """Commit text (subjects, names): UTF-8, undecodable bytes replaced."""
    return raw.decode("utf-8", "replace")


def read_records(stream: IO[bytes], parse: RecordParser[Record]) -> Iterator[Record]:
    """Records parsed from a NUL-separated stream, as they arrive."""
    pending: list[bytes] = []
    rest = b""
    read = getattr(stream, "read1", stream.read)
    while True:
        # read1 takes what the pipe holds, so git keeps writing while this parses; parsing
        # waits for a batch, so a record cut by a chunk's end is seldom parsed twice.
        pieces = [rest]
        size = 0
        final = False
        while size < _BATCH and not final:
            piece = read(_CHUNK)
            final = not piece
            pieces.append(piece)
            size += len(piece)
        parts = b"".join(pieces).split(b"\0")
        rest = b"" if final else parts.pop()
        if final and parts and parts[-1] == b"":
            parts.pop()
        fields = pending + parts
        position = 0
        while position < len(fields):
            try:
                record, position = parse(fields, position, final)
            except IndexError:
                if final:
                    raise
                break
            yield record
        pending = fields[position:]
        if final:
            return


def parse_paths(fields: list[bytes], position: int, final: bool) -> tuple[list[PathStat], int]:
    """The raw entries at `position` joined with the numstat entries after them."""
    end = len(fields)
    raws: list[tuple[str, str, str | None]] = []
    while position < end and (fields[position][:1] == b":" or fields[position][:2] == b"\n:"):
        meta = fields[position].lstrip(b"\n").decode("ascii")
        renamed = meta.rsplit(" ", 1)[-1][:1] in ("R", "C")
        if position + (2 if renamed else 1) >= end:
            raise Incomplete
        first = decode_path(fields[position + 1])
        second = decode_path(fields[position + 2]) if renamed else None
        raws.append((meta, first, second))
        position += 3 if renamed else 2
    counts: dict[str, tuple[int | None, int | None]] = {}
    for _ in raws:
        if position >= end:
            if final:
                break  # a `--raw` diff without `--numstat`
            raise Incomplete
        match = _NUMSTAT.match(fields[position])
        if match is None:
            break
        path_field = fields[position][match.end() :]
        if path_field:
            path = decode_path(path_field)
            position += 1
        else:
            if position + 2 >= end:
                raise Incomplete
            path = decode_path(fields[position + 2])
            position += 3
        added, deleted = match.groups()
        counts[path] = (_count(added), _count(deleted))
    if position >= end and not final:
        raise Incomplete
    return [_path_stat(meta, first, second, counts) for meta, first, second in raws], position


def parse_diff(output: bytes) -> list[PathStat]:
    """Every path of one whole `git diff -z --raw [--numstat]` output."""
    fields = output.split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    paths, _ = parse_paths(fields, 0, True)
    return paths


def _path_stat(
    meta: str, first: str, second: str | None, counts: dict[str, tuple[int | None, int | None]]
) -> PathStat:
    old_mode, new_mode, old_blob, new_blob, status = meta[1:].split(" ", 4)
    path, old_path = (second, first) if second is not None else (first, None)
    additions, deletions = counts.get(path, (0, 0))
    return PathStat(
        path=path,
        old_path=old_path,
        status=status[0],
        similarity=int(status[1:]) if status[1:] else None,
        additions=additions,
        deletions=deletions,
        old_blob=None if old_blob == NULL_SHA else old_blob,
        new_blob=None if new_blob == NULL_SHA else new_blob,
        old_mode=old_mode,
        new_mode=new_mode,
    )


def _count(value: bytes) -> int | None:
    return None if value == b"-" else int(value)
