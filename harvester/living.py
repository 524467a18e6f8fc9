"""Regenerating a document people have edited: refresh the machine parts, keep every other byte.

A machine part is the text between `<!-- harvester:begin NAME h=FINGERPRINT -->` and
`<!-- harvester:end NAME -->`, each marker alone on its line. The fingerprint is a hash of the
part's letters and digits as harvester wrote it, so an editor or a Markdown formatter that
re-wraps lines, renumbers lists or changes escapes does not count as an edit, while a word a
person typed does. Everything outside the markers belongs to people and is copied unchanged.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

_MARKER = re.compile(
    r"^[ \t\ufeff]*<!--[ \t]*harvester:(?P<edge>begin|end)[ \t]+(?P<name>[A-Za-z0-9][\w.-]*)"
    r"(?P<attributes>(?:[ \t]+[a-z]+=[^\s>]*)*)[ \t]*-->[ \t]*\r?$",
    re.M,
)
_FINGERPRINT = re.compile(r"(?:^|[ \t])h=([0-9a-f]+)")
_ORDERED_ITEM = re.compile(r"^[ \t>]*\d+[.)][ \t]", re.M)
_NOTE_PREFIX = "kept-"
_NOTE = (
    "> ✋ **Edited by hand**: harvester keeps the part above as it is and no longer refreshes "
    "it. Regenerate with `--force` to replace it with the current facts (and lose the edits)."
)


def fingerprint(body: str) -> str:
    """A short hash of the letters and digits of `body`, blind to formatting."""
    text = unicodedata.normalize("NFKC", html.unescape(_ORDERED_ITEM.sub("", body)))
    words = "".join(c for c in text if c.isalnum())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Part:
    """A machine part as found in a document: its name, text and stored fingerprint."""

    name: str
    text: str
    body: str
    stored: str | None

    @property
    def edited(self) -> bool:
        """True when the body no longer matches the fingerprint harvester stored."""
        return self.stored != fingerprint(self.body)


Segment = str | Part


class MarkerError(ValueError):
    """Markers that do not pair up: a begin without its end, an end without its begin."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: harvester marker {problem}")
        self.line = line
        self.problem = problem


def parse(text: str) -> list[Segment]:
    """`text` as people's text (str) and machine parts, in order; bad markers raise."""
    segments: list[Segment] = []
    position = 0
    open_begin: re.Match[str] | None = None
    for match in _MARKER.finditer(text):
        name = match.group("name")
        if match.group("edge") == "begin":
            if open_begin is not None:
                raise MarkerError(
                    _line_of(text, open_begin),
                    f"begin {open_begin['name']} has no end before begin {name} "
                    f"(line {_line_of(text, match)})",
                )
            open_begin = match
            continue
        if open_begin is None or open_begin.group("name") != name:
            expected = f" (part {open_begin['name']} is open)" if open_begin else ""
            raise MarkerError(_line_of(text, match), f"end {name} without its begin{expected}")
        if open_begin.start() > position:
            segments.append(text[position : open_begin.start()])
        body_start = _line_end(text, open_begin.end())
        body_end = match.start()
        part_end = _line_end(text, match.end())
        stored = _FINGERPRINT.search(open_begin.group("attributes"))
        segments.append(
            Part(
                name=name,
                text=text[open_begin.start() : part_end],
                body=text[body_start:body_end],
                stored=stored.group(1) if stored else None,
            )
        )
        position = part_end
        open_begin = None
    if open_begin is not None:
        raise MarkerError(_line_of(text, open_begin), f"begin {open_begin['name']} has no end")
    if position < len(text):
        segments.append(text[position:])
    return segments


def _line_of(text: str, match: re.Match[str]) -> int:
    return text.count("\n", 0, match.start()) + 1


def _line_end(text: str, index: int) -> int:
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def has_parts(segments: Sequence[Segment]) -> bool:
    """True when the parsed text holds at least one machine part."""
    return any(isinstance(s, Part) for s in segments)


def stamp(text: str) -> str:
    """Freshly rendered `text` with each begin marker carrying its part's fingerprint."""
    out: list[str] = []
    for segment in parse(text):
        out.append(
            _write_part(segment.name, segment.body) if isinstance(segment, Part) else segment
        )
    return "".join(out)


def _write_part(name: str, body: str) -> str:
    begin = f"<!-- harvester:begin {name} h={fingerprint(body)} -->"
    return f"{begin}\n{body}<!-- harvester:end {name} -->\n"


class Kind(str, Enum):
    """What an existing output file is, for deciding whether it may be replaced."""

    EMPTY = "empty"
    MARKDOWN = "markdown"
    JSON = "json"
    FOREIGN = "foreign"


def classify(text: str) -> Kind:
    """Whether `text` is empty, a harvester document (Markdown or JSON) or someone else's."""
    if not text.strip():
        return Kind.EMPTY
    if _is_harvester_json(text):
        return Kind.JSON
    return Kind.MARKDOWN if has_parts(parse(text)) else Kind.FOREIGN


def _is_harvester_json(text: str) -> bool:
    if not text.lstrip().startswith("{"):
        return False
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return False
    tool = data.get("tool") if isinstance(data, dict) else None
    return isinstance(tool, dict) and tool.get("name") == "harvester"


@dataclass(frozen=True, slots=True)
class Merge:
    """The regenerated document and what the merge had to leave as it was."""

    text: str
    kept: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def merge(existing: str, fresh: str, *, force: bool = False) -> Merge:
    """`existing` with its machine parts replaced by those of `fresh` (a stamped render).

    Parts a person edited stay as they are, followed by a note, unless `force`. Parts `fresh`
    no longer has are dropped unless edited. Parts a person deleted stay deleted unless
    `force`, which puts them back after the part that precedes them in `fresh`.
    """
    newline = "\r\n" if existing.count("\r\n") * 2 > existing.count("\n") else "\n"
    wanted = {s.name: s for s in parse(fresh) if isinstance(s, Part)}
    segments = parse(existing)
    present = {s.name for s in segments if isinstance(s, Part)}
    absent = [name for name in wanted if name not in present]
    out: list[str] = []
    kept: list[str] = []
    restored: set[str] = set()

    def emit(machine_text: str) -> None:
        if out and not out[-1].endswith("\n"):
            out.append(newline)
        out.append(machine_text if newline == "\n" else machine_text.replace("\n", newline))

    for segment in segments:
        if isinstance(segment, str):
            out.append(segment)
            continue
        if force and not restored and absent:
            # Parts deleted before the first part the document still has go back on top.
            for name in _leading(absent, wanted):
                emit(wanted[name].text)
                restored.add(name)
        new = wanted.get(segment.name)
        if _keep(segment, new, force):
            out.append(segment.text)
            if not segment.name.startswith(_NOTE_PREFIX):
                kept.append(segment.name)
                emit(_note(segment.name))
        elif new is not None:
            emit(new.text)
        if force and new is not None:
            for name in _absent_after(segment.name, list(wanted), present):
                if name not in restored:
                    emit(wanted[name].text)
                    restored.add(name)
    missing = () if force else tuple(absent)
    return Merge("".join(out), tuple(kept), missing)


def _keep(old: Part, new: Part | None, force: bool) -> bool:
    """Whether `old` holds a person's edit that must survive the regeneration."""
    if force:
        return False
    if new is None:
        return old.stored is None or old.edited
    same_facts = fingerprint(old.body) == fingerprint(new.body)
    # A part written before fingerprints existed counts as edited unless it says the same.
    return not same_facts and (old.stored is None or old.edited)


def _leading(absent: list[str], wanted: dict[str, Part]) -> list[str]:
    """Absent parts that come before every part the document still has."""
    leading = []
    for name in wanted:
        if name not in absent:
            break
        leading.append(name)
    return leading


def _absent_after(name: str, order: list[str], present: set[str]) -> list[str]:
    """The run of absent parts that directly follows `name` in the fresh order."""
    following = []
    for other in order[order.index(name) + 1 :]:
        if other in present:
            break
        following.append(other)
    return following


def _note(name: str) -> str:
    return _write_part(_NOTE_PREFIX + name, _NOTE + "\n")
