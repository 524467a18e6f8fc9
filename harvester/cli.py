"""The command line: parse options, call the pipeline, write the result."""

from __future__ import annotations

import click

from harvester import __version__


@click.group()
@click.version_option(__version__, prog_name="harvester")
def cli() -> None:
    """Draft a technical-implementation document from a git commit range."""


def main() -> None:
    """Console-script entry point."""
    cli()
