"""Listing migrations whose system has no analyser yet: reported, never silently skipped."""

from __future__ import annotations

from collections.abc import Callable

from harvester.migrations.base import MigrationRoot, RepoView, SystemResult
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.model import ChangeKind, Problem


def list_unanalysed(
    root: MigrationRoot,
    view: RepoView,
    is_migration: Callable[[str], bool],
    migration_id: Callable[[str], str],
) -> SystemResult:
    """Every changed migration file under `root`, with `parsed: false` and the reason."""
    inputs = []
    for change in sorted(view.changes_under(root.root), key=lambda c: c.path):
        if not is_migration(change.path):
            continue
        inputs.append(
            MigrationInput(
                id=migration_id(change.path),
                path=change.path,
                system=root.system,
                dialect=root.dialect,
                change=change.status,
                released=change.status is not ChangeKind.ADDED,
                problems=(
                    Problem(
                        change.path,
                        f"not parsed: analysis of {root.system} migrations is not available yet",
                    ),
                ),
                added_in=change.added_in,
            )
        )
    return SystemResult(migrations=assemble(inputs))
