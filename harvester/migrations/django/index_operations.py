"""Index and constraint operations, django.contrib.postgres ones included.

migrations.AddIndex("ping", models.Index(fields=["created"], name="ping_created_idx"))
AddIndexConcurrently("ping", models.Index(...)); AddConstraintNotValid(...)
"""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.django import indexes
from harvester.migrations.django.columns import together
from harvester.migrations.django.files import Operation
from harvester.migrations.django.translation import Translation, TranslatorBase
from harvester.migrations.pyast import Call, Value, strings
from harvester.migrations.schema import ops


class IndexOperations(TranslatorBase):
    """Operations on indexes, constraints and collations."""

    def _AddIndex(
        self, operation: Operation, result: Translation, concurrently: bool = False
    ) -> None:
        model = self._model(operation.text("model_name"))
        index = operation.arg("index")
        self.state.put(model.with_option("indexes", (*model.listed("indexes"), index)))
        definition = indexes.index_def(
            index, model.table, self.schema.column_of(model), concurrently
        )
        if definition is None or not model.has_table:
            return
        result.up.append(ops.CreateIndex(definition))
        result.down.append(ops.DropIndex(definition.name or "?", model.table, concurrently))

    def _AddIndexConcurrently(self, operation: Operation, result: Translation) -> None:
        self._AddIndex(operation, result, concurrently=True)

    def _RemoveIndex(
        self, operation: Operation, result: Translation, concurrently: bool = False
    ) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        kept = tuple(i for i in model.listed("indexes") if _named(i) != name)
        old = next((i for i in model.listed("indexes") if _named(i) == name), None)
        self.state.put(model.with_option("indexes", kept))
        if not model.has_table:
            return
        result.up.append(ops.DropIndex(name, model.table, concurrently))
        definition = indexes.index_def(old, model.table, self.schema.column_of(model), concurrently)
        if definition is not None:
            result.down.append(ops.CreateIndex(definition))

    def _RemoveIndexConcurrently(self, operation: Operation, result: Translation) -> None:
        self._RemoveIndex(operation, result, concurrently=True)

    def _RenameIndex(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        new_name = operation.text("new_name")
        old_name = operation.text("old_name")
        if old_name:
            renamed = tuple(_renamed(i, old_name, new_name) for i in model.listed("indexes"))
            self.state.put(model.with_option("indexes", renamed))
        else:
            # An unnamed index_together index becomes a named Meta.indexes entry.
            fields = strings(operation.arg("old_fields"))
            old_name = self.schema.together_name(model, "index_together", fields)
            index = Call("models.Index", kwargs={"fields": fields, "name": new_name})
            groups = [g for g in together(model.options.get("index_together")) if g != fields]
            self.state.put(
                model.with_option("index_together", tuple(groups))
                .with_option("indexes", (*model.listed("indexes"), index))
                .with_names({f"index_together:{','.join(fields)}": None})
            )
        result.up.append(ops.RenameIndex(old_name, new_name, model.table))
        result.down.append(ops.RenameIndex(new_name, old_name, model.table))

    def _AddConstraint(
        self, operation: Operation, result: Translation, not_valid: bool = False
    ) -> None:
        model = self._model(operation.text("model_name"))
        constraint = operation.arg("constraint")
        self.state.put(model.with_option("constraints", (*model.listed("constraints"), constraint)))
        record = indexes.constraint_record(
            constraint, model.table, self.schema.column_of(model), not_valid
        )
        if record is None or not model.has_table:
            return
        if nulls := indexes.nulls_not_distinct(record, model.table):
            result.notes.append(nulls)
        if isinstance(record, ops.IndexDef):
            result.up.append(ops.CreateIndex(record))
            result.down.append(ops.DropIndex(record.name or "?", model.table))
        else:
            result.up.append(ops.AddConstraint(model.table, record))
            result.down.append(ops.DropConstraint(model.table, record.name, record.kind))

    def _AddConstraintNotValid(self, operation: Operation, result: Translation) -> None:
        self._AddConstraint(operation, result, not_valid=True)

    def _RemoveConstraint(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        old = next((c for c in model.listed("constraints") if _named(c) == name), None)
        kept = tuple(c for c in model.listed("constraints") if _named(c) != name)
        self.state.put(model.with_option("constraints", kept))
        if not model.has_table:
            return
        record = indexes.constraint_record(old, model.table, self.schema.column_of(model))
        if isinstance(record, ops.IndexDef):
            result.up.append(ops.DropIndex(name, model.table))
            result.down.append(ops.CreateIndex(record))
            return
        result.up.append(
            ops.DropConstraint(model.table, name, record.kind if record is not None else None)
        )
        if record is not None:
            result.down.append(ops.AddConstraint(model.table, record))

    def _ValidateConstraint(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        result.up.append(ops.ValidateConstraint(model.table, operation.text("name")))

    def _CreateCollation(self, operation: Operation, result: Translation) -> None:
        name = operation.text("name")
        result.up.append(ops.Opaque(f"CREATE COLLATION {name}"))
        result.down.append(ops.Opaque(f"DROP COLLATION {name}"))

    def _RemoveCollation(self, operation: Operation, result: Translation) -> None:
        name = operation.text("name")
        result.up.append(ops.Opaque(f"DROP COLLATION {name}"))
        result.down.append(ops.Opaque(f"CREATE COLLATION {name}"))


def _named(value: Value) -> str | None:
    name = value.get("name") if isinstance(value, Call) else None
    return name if isinstance(name, str) else None


def _renamed(value: Value, old: str, new: str) -> Value:
    if isinstance(value, Call) and value.get("name") == old:
        return replace(value, kwargs={**value.kwargs, "name": new})
    return value
