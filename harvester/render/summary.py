"""The short Markdown summary a CI job shows (`--summary FILE`, e.g. `$GITHUB_STEP_SUMMARY`):
the range in numbers, the data-impact tags found, and whether the `--fail-on` gate tripped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from harvester.analysis.wording import churn, plural
from harvester.model import ImpactTag, Report
from harvester.render.database_view import SEVERITY
from harvester.render.escape import code_span, inline

_CALM = {ImpactTag.NONE, ImpactTag.NO_OP}
_GATE_HITS_SHOWN = 10


def summary_markdown(
    report: Report, document: str | None, fail_on: Sequence[str], hits: Sequence[str]
) -> str:
    """A few lines for a CI job summary; `hits` are the gate's matches (empty: passed)."""
    span = report.range
    lines = [
        f"### harvester: {inline(report.title)}",
        "",
        f"{code_span(span.base + '..' + span.head)}: {plural(span.commits, 'commit')}, "
        f"{plural(span.files_changed, 'file')} changed ({churn(span.additions, span.deletions)}), "
        f"{plural(sum(c.key for c in report.commits), 'key commit')}, "
        f"{plural(len(report.database.migrations), 'migration')}.",
        "",
    ]
    tags = Counter(
        impact.tag
        for migration in report.database.migrations
        for impact in migration.data_impact
        if impact.tag not in _CALM
    )
    tags.update(f.tag for f in report.database.findings)
    if tags:
        ordered = sorted(tags, key=lambda t: (SEVERITY.index(t) if t in SEVERITY else 99, t.value))
        lines.append("- **Data impact**: " + ", ".join(f"`{t.value}` ×{tags[t]}" for t in ordered))
    else:
        lines.append("- **Data impact**: nothing flagged")
    if fail_on:
        shown = "; ".join(hits[:_GATE_HITS_SHOWN])
        more = (
            f" …and {len(hits) - _GATE_HITS_SHOWN:,} more" if len(hits) > _GATE_HITS_SHOWN else ""
        )
        verdict = f"**tripped** by {inline(shown)}{more}" if hits else "passed"
        lines.append(f"- **Gate** ({code_span('--fail-on ' + ','.join(fail_on))}): {verdict}")
    if document:
        lines.append(f"- **Document**: {code_span(document)}")
    return "\n".join(lines) + "\n\n"
