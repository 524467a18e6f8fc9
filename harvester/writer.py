"""Turning a report into text and writing it: atomically, never over a person's file, and
with the `--fail-on` gate checked after the document is safely written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from harvester.errors import GateTrippedError, OutputError, UsageError
from harvester.model import ImpactTag, Report
from harvester.options import OutputOptions

GENERATED_MARK = "<!-- harvester:begin"


def render(report: Report, options: OutputOptions) -> str:
    """The document text in the requested format."""
    if options.template is not None:
        from harvester.render.markdown import render_user_template

        return render_user_template(report, options.template)
    if options.format == "json":
        from harvester.render.json_report import report_json

        return report_json(report)
    from harvester.render.markdown import render_markdown

    return render_markdown(report)


def write_output(text: str, options: OutputOptions) -> None:
    """Write to stdout, or atomically to the output file."""
    if options.output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    path = options.output
    if path.exists() and not options.force and not _written_by_harvester(path):
        raise OutputError(
            f"{path} exists and was not written by harvester; refusing to overwrite it "
            "(use --force, or choose another file)"
        )
    write_atomically(path, text)


def _written_by_harvester(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror}") from error
    return GENERATED_MARK in head or head.lstrip().startswith('{\n  "tool"')


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` via a temporary file in the same folder and a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {error.strerror}") from error


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
    if not fail_on:
        return
    hits = [
        f"{m.id} ({impact.tag.value})"
        for m in report.database.migrations
        for impact in m.data_impact
        if impact.tag.value in fail_on
    ]
    hits += [f"range ({f.tag.value})" for f in report.database.findings if f.tag.value in fail_on]
    if hits:
        raise GateTrippedError(f"--fail-on matched {len(hits)}: " + "; ".join(hits))
