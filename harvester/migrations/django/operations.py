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


class Translator(ModelOperations, FieldOperations, IndexOperations, CodeOperations):
    """Replays one app's operations on the project state, saying what each one runs."""

    def apply(self, operation: Operation) -> Translation:
        """Translate `operation` and apply it to the state."""
        result = Translation()
        handler = getattr(self, f"_{operation.base_kind}", None)
        if operation.kind in _STATE_ONLY:
            self._options(operation, result)
        elif operation.kind in EXTENSIONS:
            self._extension(operation, result)
        elif handler is not None:
            handler(operation, result)
        else:
            unknown = ops.Opaque(
                f"operation {operation.kind} (line {operation.line}) is not a Django "
                "operation harvester knows: read it",
                raw=True,
            )
            # Its reverse is as unknown as the operation: not "nothing".
            result.up.append(unknown)
            result.down.append(unknown)
        _set_line(result, operation.line)
        return result


def _set_line(result: Translation, line: int) -> None:
    """Operations without a line of their own get the operation's line."""
    for batch in (result.up, result.down):
        for index, item in enumerate(batch):
            if getattr(item, "line", None) is None:
                batch[index] = replace(item, line=line)
