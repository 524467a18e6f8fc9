"""Decoding migration files: text when it is text, otherwise the reason it is not."""

from __future__ import annotations

import codecs

from harvester.migrations.base import Source

_BINARY_SNIFF = 8000


def source_from_bytes(
    path: str, data: bytes | None, size: int | None = None, limit: int | None = None
) -> Source:
    """A `Source` for `path`: decoded text, or a "not parsed: …" reason.

    Binary means a NUL byte in the first 8,000 bytes (git's own test). UTF-8 (with or without
    BOM) and BOM-marked UTF-16 are decoded; anything else is reported with the first bad byte.
    """
    if data is None:
        if size is None:
            return Source(path, None, "not parsed: file not found at this commit")
        over = f", over the {_megabytes(limit)} limit" if limit else ""
        return Source(path, None, f"not parsed: file too large ({_megabytes(size)}{over})")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Source(path, data.decode("utf-16"))
        except UnicodeDecodeError:
            return Source(path, None, "not parsed: invalid UTF-16 text")
    if b"\0" in data[:_BINARY_SNIFF]:
        return Source(path, None, "not parsed: binary file")
    try:
        return Source(path, data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        byte = data[error.start]
        return Source(
            path,
            None,
            f"not parsed: not UTF-8 text (byte 0x{byte:02x} at offset {error.start}); "
            "re-encode the file as UTF-8",
        )


def _megabytes(size: int | None) -> str:
    return f"{(size or 0) / 1_000_000:.1f} MB"
