"""The options of one `harvester report` run, parsed once by the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harvester.analysis.key_commits import DEFAULT_KEY_COMMITS
from harvester.gitsource.refs import RangeRequest
from harvester.migrations.base import AnalysisSettings


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What to report on and how to judge it."""

    repo: str = "."
    range: RangeRequest = field(default_factory=RangeRequest)
    title: str | None = None
    key_commits: int = DEFAULT_KEY_COMMITS
    forge_url: str | None = None
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """Where and how to write the report."""

    format: str = "markdown"
    output: Path | None = None
    template: Path | None = None
    force: bool = False
    fail_on: tuple[str, ...] = ()
