"""Django migration operations as schema operations, replayed against the model state.

`AlterField("profile", "sms_limit", models.IntegerField(default=0))` means nothing to the
database when only the default changed, `SET NOT NULL` when the field was `null=True`, a type
change when it was a `CharField`: the translator compares the field with its previous
definition in the state and then updates the state.
"""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.django.code_operations import EXTENSIONS, CodeOperations
from harvester.migrations.django.field_operations import FieldOperations
from harvester.migrations.django.files import Operation
from harvester.migrations.django.index_operations import IndexOperations
from harvester.migrations.django.model_operations import ModelOperations
from harvester.migrations.django.translation import Translation
from harvester.migrations.schema import ops

# Operations that change only what Django keeps in Python.
_STATE_ONLY = frozenset({"AlterModelOptions", "AlterModelManagers", "AlterConstraint"})
# Operations that run nothing at all: django-migration-linter's `IgnoreMigration()` only tells
# the linter to skip the migration.
_MARKERS = frozenset({"IgnoreMigration"})


class Translator(ModelOperations, FieldOperations, IndexOperations, CodeOperations):
    """Replays one app's operations on the project state, saying what each one runs."""

    def apply(self, operation: Operation) -> Translation:
        """Translate `operation` and apply it to the state."""
        result = Translation()
        handler = getattr(self, f"_{operation.base_kind}", None)
        if operation.base_kind in _MARKERS and operation.local is None:
            return result
        if operation.base_kind in _STATE_ONLY:
            self._options(operation, result)
        elif operation.base_kind in EXTENSIONS:
            self._extension(operation, result)
        elif handler is not None:
            handler(operation, result)
            _own_reverse(operation, result)
        else:
            unknown = ops.Opaque(
                f"operation {operation.kind} (line {operation.line}) is not a Django "
                f"operation harvester knows{_subclassing(operation)}: read it",
                raw=True,
            )
            # Its reverse is as unknown as the operation: not "nothing".
            result.up.append(unknown)
            result.down.append(unknown)
        _set_line(result, operation.line)
        return result


def _subclassing(operation: Operation) -> str:
    """`(it subclasses AddIndex at line 7 and writes its own database_forwards)`."""
    local = operation.local
    if local is None:
        return ""
    own = [m for m in local.overrides if m in ("__init__", "database_forwards", "state_forwards")]
    written = f" and writes its own {' and '.join(own)}" if own else ""
    return f" (it subclasses {local.base} at line {local.line}{written})"


def _own_reverse(operation: Operation, result: Translation) -> None:
    """A class of the migration's module read as its base, whose undoing is its own code."""
    local = operation.local
    if local is None or "database_backwards" not in local.overrides:
        return
    result.down = [
        ops.Opaque(
            f"{operation.kind} undoes it with its own database_backwards (class at line "
            f"{local.line}), not {local.base}'s: read it"
        )
    ]


def _set_line(result: Translation, line: int) -> None:
    """Operations without a line of their own get the operation's line."""
    for batch in (result.up, result.down):
        for index, item in enumerate(batch):
            if getattr(item, "line", None) is None:
                batch[index] = replace(item, line=line)
