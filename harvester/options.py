"""The options of one `harvester report` run, parsed once by the CLI and completed from the
project's configuration (what the command line sets always wins)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from harvester.analysis.key_commits import DEFAULT_KEY_COMMITS, KeyCommitRules
from harvester.config import ProjectConfig, UserTemplate
from harvester.gitsource.refs import RangeRequest
from harvester.migrations.base import AnalysisSettings


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What to report on and how to judge it."""

    repo: str = "."
    range: RangeRequest = field(default_factory=RangeRequest)
    title: str | None = None
    key_commits: int | None = None
    forge_url: str | None = None
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    rules: KeyCommitRules = field(default_factory=KeyCommitRules)
    title_pattern: str | None = None
    config_file: Path | None = None
    use_config: bool = True
    use_cache: bool = True

    @property
    def key_commit_count(self) -> int:
        """How many key commits to mark: as asked, else the default."""
        return DEFAULT_KEY_COMMITS if self.key_commits is None else self.key_commits


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """Where and how to write the report."""

    format: str = "markdown"
    output: Path | None = None
    template: UserTemplate | None = None
    force: bool = False
    fail_on: tuple[str, ...] = ()
    fold: tuple[str, ...] = ()


def configured(options: ReportOptions, config: ProjectConfig) -> ReportOptions:
    """`options` completed from the project's configuration."""
    analysis = options.analysis
    return replace(
        options,
        key_commits=config.key_commits if options.key_commits is None else options.key_commits,
        forge_url=options.forge_url or config.forge_url,
        title_pattern=options.title_pattern or config.title,
        rules=options.rules if options.rules != KeyCommitRules() else config.rules,
        analysis=AnalysisSettings(
            engine_versions=analysis.engine_versions or config.engines,
            extra_roots=analysis.extra_roots or config.migrations,
        ),
    )


def configured_output(options: OutputOptions, config: ProjectConfig) -> OutputOptions:
    """Output options completed from the project's configuration."""
    return replace(
        options,
        template=options.template or config.template,
        fold=options.fold or config.fold,
    )
