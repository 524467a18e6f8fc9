"""Code in a `rescue` clause runs only if the step before it raises: its schema statements are
not changes the migration makes, and its row changes are risks only on that path.

def up
  add_index :accounts, :uri, unique: true, algorithm: :concurrently
rescue ActiveRecord::RecordNotUnique
  deduplicate!                                     # deletes rows: only after a failure
rescue
  remove_index :accounts, name: :index_accounts_on_uri
  raise
end
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.commands import Command
from harvester.migrations.schema import describe, ops

if TYPE_CHECKING:
    from tree_sitter import Node


def caught_by(rescue: Node) -> str:
    """The exceptions a `rescue` clause catches, as written ("" for a bare `rescue`)."""
    exceptions = rescue.child_by_field_name("exceptions")
    return " ".join(treesitter.text(exceptions).split()) if exceptions is not None else ""


def only_on_raise(command: Command, caught: str) -> Command:
    """`command`, read from a `rescue` clause catching `caught`: schema statements become
    notes, row changes and unread code stay (a risk on that path) and say when they run."""
    condition = f"only if the step before it raises {caught or 'an error'}"
    kept: list[ops.Operation] = []
    described: list[str] = []
    for operation in command.up:
        if isinstance(operation, ops.DataChange):
            kept.append(replace(operation, detail=f"{operation.detail} ({condition})"))
        elif isinstance(operation, ops.Opaque) and operation.raw:
            kept.append(replace(operation, summary=f"{operation.summary} ({condition})"))
        else:
            described.append(describe.operation_label(operation))
    notes = list(command.notes)
    if described:
        notes.append(f"{condition} (`rescue`): {'; '.join(described)}")
    return Command(tuple(kept), (), None, tuple(notes))
