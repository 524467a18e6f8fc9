"""Keeping repository text inert in Markdown.

Every value the template prints passes through `finalize`: repository text (commit subjects,
file names, migration facts) is escaped so it can never open a link, a table cell, an HTML tag
or a heading; values the renderer built itself are wrapped in `Trusted` and printed as they
are. Control characters (ANSI escapes, NUL, bidi overrides) are shown as visible escapes.
"""

from __future__ import annotations

import re
import unicodedata


class Trusted(str):
    """Markdown the renderer built from escaped parts; printed without further escaping."""

    __slots__ = ()


# `#` stays (GitHub links #123 to the repository's issues) except where it would open a heading;
# `@` is escaped so a commit message can never notify people when the document is posted.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~$@])")
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """Text with control and direction-changing characters shown as `\\xNN` / `\\uNNNN`."""
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if match.group(0) == "\n":
        return "\\n"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inline(text: object) -> str:
    """One line of Markdown showing `text` literally (escaped, entities neutralised)."""
    value = visible(" ".join(str(text).splitlines()).replace("\t", " "))
    # Only an `&` that would start an entity (`&lt;`, `&#60;`) changes how the line reads.
    value = re.sub(r"&(?=#?\w+;)", "&amp;", value)
    value = _INLINE_SPECIALS.sub(r"\\\1", value)
    # A value could start a line: keep list markers and numbered lists literal.
    value = re.sub(r"^([+\-])(\s|$)", r"\\\1\2", value)
    value = re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", value)
    return re.sub(r"^#", r"\\#", value)


def finalize(value: object) -> object:
    """Jinja2 `finalize` hook: escape everything that is not `Trusted` (or a number)."""
    if isinstance(value, Trusted) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    ):
        return value
    if value is None:
        return ""
    return inline(value)


def code_span(text: str) -> Trusted:
    """`text` as an inline code span, whatever backticks it contains."""
    value = visible(" ".join(text.split("\n")))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return Trusted(f"{fence}{pad}{value}{pad}{fence}")


def code_block(lines: list[str], info: str = "") -> Trusted:
    """A fenced code block holding `lines` literally, fenced longer than any backtick run."""
    body = [visible(line) for line in lines]
    longest = max(
        (len(run) for line in body for run in re.findall(r"`{3,}|~{3,}", line)), default=0
    )
    fence = "`" * max(3, longest + 1)
    return Trusted("\n".join([fence + info, *body, fence]))


def link(label: str, url: str) -> Trusted:
    """A Markdown link to a URL the renderer built (forge pages only)."""
    if not re.match(r"^https://[\w.-]+(?:/[\w.~%/#@+-]*)?$", url):
        return Trusted(inline(label))
    return Trusted(f"[{inline(label)}]({url})")


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace font (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
