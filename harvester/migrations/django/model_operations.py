"""Model operations: CreateModel, DeleteModel, RenameModel, AlterModelTable, the
`*_together` options, AlterOrderWithRespectTo and the options that live in Python only.

    migrations.CreateModel("Check", [("id", models.AutoField(primary_key=True)), …])
"""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.django.columns import Schema, together
from harvester.migrations.django.fields import spec
from harvester.migrations.django.files import Operation
from harvester.migrations.django.state import ModelState, model_bases
from harvester.migrations.django.translation import Translation, TranslatorBase
from harvester.migrations.pyast import Call
from harvester.migrations.schema import ops


class ModelOperations(TranslatorBase):
    """Operations on whole models and their table-level options."""

    def _CreateModel(self, operation: Operation, result: Translation) -> None:
        fields = operation.arg("fields")
        specs = tuple(
            (str(item[0]), spec(item[1], self.state.field_bases))
            for item in (fields if isinstance(fields, tuple) else ())
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Call)
        )
        options = operation.arg("options")
        model = ModelState(
            self.app,
            operation.text("name"),
            specs,
            options if isinstance(options, dict) else {},
            model_bases(operation.arg("bases")),
        )
        self.state.put(model)
        if not model.has_table:
            result.state_only.append(f"CreateModel {model.name} (proxy or unmanaged: no table)")
            return
        result.up += self.schema.create_model(model)
        result.down += _drops(self.schema, model)
        self.state.put(model.with_names(self.schema.model_names(model)))

    def _DeleteModel(self, operation: Operation, result: Translation) -> None:
        model = self.state.remove(self.app, operation.text("name"))
        if model is None or not model.has_table:
            result.state_only.append(f"DeleteModel {operation.text('name')} (no table)")
            return
        result.up += _drops(self.schema, model)
        result.down += self.schema.create_model(model)

    def _RenameModel(self, operation: Operation, result: Translation) -> None:
        old = self._model(operation.text("old_name"))
        new = replace(old, name=operation.text("new_name"))
        self.state.remove(self.app, old.name)
        self.state.put(new)
        self._repoint(old, new)
        if old.has_table:
            self._rename_tables(old, new, result)

    def _AlterModelTable(self, operation: Operation, result: Translation) -> None:
        old = self._model(operation.text("name"))
        new = old.with_option("db_table", operation.arg("table"))
        self.state.put(new)
        if old.has_table:
            self._rename_tables(old, new, result)

    def _rename_tables(self, old: ModelState, new: ModelState, result: Translation) -> None:
        pairs = [(old.table, new.table)]
        for name, spec_ in old.fields:
            before, after = (
                self.schema.join_table(old, name, spec_),
                self.schema.join_table(new, name, spec_),
            )
            if before and after:
                pairs.append((before, after))
        for before, after in pairs:
            if before != after:
                result.up.append(ops.RenameTable(before, after))
                result.down.insert(0, ops.RenameTable(after, before))
        if all(before == after for before, after in pairs):
            result.state_only.append(f"rename of model {old.name} (table name unchanged)")

    def _repoint(self, old: ModelState, new: ModelState) -> None:
        """Foreign keys written against the old model name now point at the new one."""
        for other in list(self.state.models.values()):
            changed = False
            updated = other
            for name, spec_ in other.fields:
                relation = spec_.relation
                if relation is None:
                    continue
                app, target = self.state.resolve(relation.to, other.app_label)
                if (app, target.lower()) == old.key:
                    moved = replace(relation, to=f"{new.app_label}.{new.name}")
                    updated = updated.with_field(name, replace(spec_, relation=moved))
                    changed = True
            if changed:
                self.state.put(updated)

    def _AlterModelTableComment(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("name"))
        self.state.put(model.with_option("db_table_comment", operation.arg("table_comment")))
        result.up.append(ops.Opaque(f"COMMENT ON TABLE {model.table}"))

    def _options(self, operation: Operation, result: Translation) -> None:
        name = operation.text("name") or operation.text("model_name")
        result.state_only.append(f"{operation.kind} {name}")
        if operation.kind == "AlterModelOptions":
            model = self._model(name)
            options = operation.arg("options")
            kept = {
                k: v
                for k, v in model.options.items()
                if k in ("db_table", "unique_together", "index_together", "indexes")
                or k in ("constraints", "managed", "proxy", "order_with_respect_to")
            }
            if isinstance(options, dict):
                kept.update(options)
            self.state.put(replace(model, options=kept))

    def _AlterUniqueTogether(self, operation: Operation, result: Translation) -> None:
        self._together(operation, "unique_together", result)

    def _AlterIndexTogether(self, operation: Operation, result: Translation) -> None:
        self._together(operation, "index_together", result)

    def _together(self, operation: Operation, option: str, result: Translation) -> None:
        model = self._model(operation.text("name"))
        before = set(together(model.options.get(option)))
        after = set(together(operation.arg(option)))
        names: dict[str, str | None] = {}
        for group in sorted(before - after):
            drop, create = self._together_pair(model, option, group)
            result.up.append(drop)
            result.down.append(create)
            names[f"{option}:{','.join(group)}"] = None
        updated = model.with_option(option, operation.arg(option)).with_names(names)
        for group in sorted(after - before):
            drop, create = self._together_pair(updated, option, group)
            result.up.append(create)
            result.down.append(drop)
            names[f"{option}:{','.join(group)}"] = self.schema.together_name(updated, option, group)
        self.state.put(updated.with_names(names))
        if before == after:
            result.state_only.append(f"{operation.kind} {model.name} (unchanged)")

    def _together_pair(
        self, model: ModelState, option: str, group: tuple[str, ...]
    ) -> tuple[ops.Operation, ops.Operation]:
        """The drop and the create of one `unique_together`/`index_together` group."""
        if option == "unique_together":
            constraint = self.schema.unique_together(model, group)
            return (
                ops.DropConstraint(model.table, constraint.name, ops.ConstraintKind.UNIQUE),
                ops.AddConstraint(model.table, constraint),
            )
        index = self.schema.index_together(model, group)
        return ops.DropIndex(index.name or "?", model.table), ops.CreateIndex(index)

    def _AlterOrderWithRespectTo(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("name"))
        before = model.options.get("order_with_respect_to")
        after = operation.arg("order_with_respect_to")
        self.state.put(model.with_option("order_with_respect_to", after))
        if bool(before) == bool(after):
            result.state_only.append(f"AlterOrderWithRespectTo {model.name}")
            return
        column = ops.ColumnDef("_order", "integer", nullable=False, default="0")
        add: list[ops.Operation] = [
            ops.AddColumn(model.table, column),
            ops.DropDefault(model.table, "_order"),
        ]
        drop: list[ops.Operation] = [ops.DropColumn(model.table, "_order")]
        result.up += add if after else drop
        result.down += drop if after else add


def _drops(schema: Schema, model: ModelState) -> list[ops.Operation]:
    found: list[ops.Operation] = []
    for name, spec_ in model.fields:
        table = schema.join_table(model, name, spec_)
        if table:
            found.append(ops.DropTable(table))
    found.append(ops.DropTable(model.table))
    return found
