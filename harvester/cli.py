"""The command line: parse options into frozen objects, call the pipeline, write the result.

Errors the user can fix are one line on stderr with the contract's exit code; anything else is
a bug (exit 70) and says how to report it. `--debug` shows tracebacks.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harvester import __version__
from harvester.errors import ExitCode, HarvesterError, UsageError

if TYPE_CHECKING:
    from harvester.model import RangeInfo
    from harvester.writer import Written


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        click.echo(f"harvester: {message}…", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="harvester")
def cli() -> None:
    """Draft a technical-implementation document from a git commit range."""


@cli.command()
@click.argument("range_text", metavar="[RANGE]", required=False)
@click.option("--base", metavar="REF", help="Start of the range (exclusive).")
@click.option("--head", metavar="REF", help="End of the range (default HEAD).")
@click.option("--merge", metavar="REF", help="Report what merge REF brought in (REF^1..REF).")
@click.option(
    "--repo",
    default=".",
    show_default=True,
    metavar="PATH",
    help="Repository (work tree, any folder in it, or bare).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically) instead of stdout.",
)
@click.option("--title", help="Document title (default: from merge, branch or tag names).")
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Custom Jinja2 template, rendered sandboxed with the JSON data.",
)
@click.option(
    "--key-commits",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="How many key commits to list (default 10).",
)
@click.option(
    "--fail-on",
    metavar="TAG[,TAG...]",
    help="Exit 3 when a migration carries one of these data-impact tags.",
)
@click.option("--forge-url", metavar="URL", help="Forge URL for links (default: from origin).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read settings from this TOML file instead of the repository's configuration.",
)
@click.option(
    "--no-config", is_flag=True, help="Ignore .harvester.toml and [tool.harvester] in the range."
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Append a short Markdown summary for CI to FILE (e.g. $GITHUB_STEP_SUMMARY).",
)
@click.option("--force", is_flag=True, help="Overwrite an output file harvester did not write.")
@click.option(
    "--no-cache", is_flag=True, help="Do not read or store parse results in the user cache."
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def report(
    range_text: str | None,
    base: str | None,
    head: str | None,
    merge: str | None,
    repo: str,
    output_format: str,
    output: Path | None,
    title: str | None,
    template: Path | None,
    key_commits: int | None,
    fail_on: str | None,
    forge_url: str | None,
    config_file: Path | None,
    no_config: bool,
    summary: Path | None,
    force: bool,
    no_cache: bool,
    debug: bool,
) -> None:
    """Write the technical-implementation draft for RANGE (BASE..HEAD, or BASE..)."""
    from harvester.config import template_from_file
    from harvester.gitsource.refs import RangeRequest
    from harvester.options import OutputOptions, ReportOptions, configured_output
    from harvester.writer import append_summary, gate_tags, parse_fail_on, render, write_output

    if range_text and (base or head):
        raise UsageError("give either RANGE or --base/--head, not both")
    if merge and (range_text or base or head):
        raise UsageError("--merge cannot be combined with a range")
    if config_file and no_config:
        raise UsageError("give either --config or --no-config, not both")
    report_options = ReportOptions(
        repo=repo,
        range=RangeRequest(text=range_text, base=base, head=head, merge=merge),
        title=title,
        forge_url=forge_url,
        key_commits=key_commits,
        config_file=config_file,
        use_config=not no_config,
        use_cache=not no_cache,
    )
    output_options = OutputOptions(
        format=output_format,
        output=output,
        template=template_from_file(template) if template else None,
        force=force,
        fail_on=parse_fail_on(fail_on),
    )
    from harvester.pipeline import harvest

    harvested = harvest(report_options, _progress)
    result = harvested.report
    output_options = configured_output(output_options, harvested.config)
    text = render(result, output_options)
    written = write_output(text, output_options)
    _warn_about(written, output)
    _warn_about_range(result.range)
    if summary is not None:
        append_summary(summary, result, output_options)
    gate_tags(result, output_options.fail_on)


def _warn_about_range(span: RangeInfo) -> None:
    """What the summary says about a range harvester could not read as usual."""
    from harvester.render.document import contents_missing_warning, diverged_warning

    if not span.base_is_ancestor:
        click.echo(f"harvester: warning: {diverged_warning(span)}", err=True)
    if span.contents_missing:
        click.echo(f"harvester: warning: {contents_missing_warning(span)}", err=True)


def _warn_about(written: Written, output: Path | None) -> None:
    if written.kept:
        click.echo(
            f"harvester: warning: {output}: kept the hand edits in {', '.join(written.kept)} "
            "(regenerate with --force to replace them with the current facts)",
            err=True,
        )
    if written.missing:
        click.echo(
            f"harvester: warning: {output}: {', '.join(written.missing)} deleted by hand, left "
            "out (regenerate with --force to put them back)",
            err=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the CLI and turn errors into exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="harvester", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("harvester: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except HarvesterError as error:
        if debug:
            raise
        click.echo(f"harvester: error: {error.message}", err=True)
        sys.exit(int(error.exit_code))
    except KeyboardInterrupt:
        click.echo("harvester: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(int(ExitCode.OK))
    except Exception as error:
        if debug:
            raise
        click.echo(
            f"harvester: internal error: {type(error).__name__}: {error}. This is a bug in "
            f"harvester {__version__}: please report it to the harvester maintainers with the "
            "output of the same command run with --debug",
            err=True,
        )
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(int(ExitCode.OK))
