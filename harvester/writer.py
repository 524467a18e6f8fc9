"""Turning a report into text and writing it: atomically, never over a person's file or
words, and with the `--fail-on` gate checked after the document is safely written."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harvester.errors import GateTrippedError, OutputError, TemplateError, UsageError
from harvester.living import Kind, MarkerError, classify, has_parts, merge, parse, stamp
from harvester.model import ImpactTag, Report
from harvester.options import OutputOptions

_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Written:
    """What writing the document did that the user should hear about."""

    kept: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unchanged: bool = False


def render(report: Report, options: OutputOptions) -> str:
    """The document text in the requested format, machine parts fingerprinted."""
    if options.format == "json" and options.template is None:
        from harvester.render.json_report import report_json

        return report_json(report)
    if options.template is not None:
        from harvester.render.markdown import render_user_template

        text = render_user_template(report, options.template)
    else:
        from harvester.render.markdown import render_markdown

        text = render_markdown(report, options.fold)
    try:
        return stamp(text)
    except MarkerError as error:
        raise TemplateError(f"the rendered document has unpaired markers: {error}") from error


def write_output(text: str, options: OutputOptions) -> Written:
    """Write to stdout, or atomically to the output file, merging into a document people
    have edited so that their text survives. A device or pipe (`/dev/null`, `/dev/stdout`,
    a FIFO) is written straight through: renaming a file over it would replace it."""
    if options.output is None:
        try:
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader went away (`| head`): the command line ends quietly
        except OSError as error:
            raise OutputError(f"cannot write the standard output: {error.strerror}") from error
        return Written()
    path = options.output
    if _is_stream(path):
        _write_through(path, text)
        return Written()
    existing = _read_existing(path)
    written = Written()
    if existing is not None:
        text, written = _regenerated(path, existing, text, options)
        if text == existing:
            return Written(written.kept, written.missing, unchanged=True)
    write_atomically(path, text)
    return written


def _is_stream(path: Path) -> bool:
    """True when `path` (through its links) is something other than a file or a folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_through(path: Path, text: str) -> None:
    try:
        with path.open("wb") as stream:
            stream.write(text.encode("utf-8", "surrogateescape"))
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from error


def _read_existing(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror}") from error
    # surrogateescape: bytes that are not UTF-8 survive the merge unchanged.
    return data.decode("utf-8", "surrogateescape")


def _regenerated(
    path: Path, existing: str, fresh: str, options: OutputOptions
) -> tuple[str, Written]:
    """The text to write over `existing`, or an error when that would lose someone's text."""
    try:
        kind = classify(existing)
    except MarkerError as error:
        raise OutputError(
            f"{path}: {error}; fix the markers by hand (or move the file away) so that no text "
            "is lost"
        ) from error
    if kind is Kind.FOREIGN and not options.force:
        raise OutputError(
            f"{path} exists and was not written by harvester; refusing to overwrite it "
            "(use --force, or choose another file)"
        )
    if kind is not Kind.MARKDOWN:
        return fresh, Written()
    if options.format == "json" or not has_parts(parse(fresh)):
        if options.force:
            return fresh, Written()
        what = "JSON" if options.format == "json" else "a document without harvester markers"
        raise OutputError(
            f"{path} is a harvester document people may have written in; writing {what} over "
            "it would lose their text (use --force, or choose another file)"
        )
    bom = _BOM if existing.startswith(_BOM) else ""
    result = merge(existing[len(bom) :], fresh, force=options.force)
    return bom + result.text, Written(result.kept, result.missing)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` via a temporary file in the same folder and a rename."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8", "surrogateescape"))
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        # Whatever stopped the write (a full disk, Ctrl-C), the old file is untouched.
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path}: {error.strerror}") from error
        raise


def parse_fail_on(text: str | None) -> tuple[str, ...]:
    """Validated tag names from `--fail-on a,b` (unknown names are a usage error)."""
    if not text:
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    known = {t.value for t in ImpactTag}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"--fail-on: unknown tag {', '.join(unknown)}; known tags: {', '.join(sorted(known))}"
        )
    return names


def gate_tags(report: Report, fail_on: tuple[str, ...]) -> None:
    """Raise `GateTrippedError` (exit 3) when a migration or finding carries a gated tag."""
    hits = gate_hits(report, fail_on)
    if hits:
        raise GateTrippedError(f"--fail-on matched {len(hits)}: " + "; ".join(hits))


def gate_hits(report: Report, fail_on: tuple[str, ...]) -> list[str]:
    """The migrations and findings that carry a gated tag, as `id (tag)`, each once (`id (tag
    ×3)` when a migration carries it three times)."""
    if not fail_on:
        return []
    carried = Counter(
        (m.id, impact.tag.value)
        for m in report.database.migrations
        for impact in m.data_impact
        if impact.tag.value in fail_on
    )
    findings = report.database.findings
    carried.update(("range", f.tag.value) for f in findings if f.tag.value in fail_on)
    return [f"{name} ({tag}{f' ×{n}' if n > 1 else ''})" for (name, tag), n in carried.items()]


def append_summary(path: Path, report: Report, options: OutputOptions) -> None:
    """Append the CI summary of `report` to `path` (a job summary file grows step by step)."""
    from harvester.render.summary import summary_markdown

    document = str(options.output) if options.output else None
    text = summary_markdown(report, document, options.fail_on, gate_hits(report, options.fail_on))
    try:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise OutputError(f"cannot write the summary to {path}: {error.strerror}") from error
