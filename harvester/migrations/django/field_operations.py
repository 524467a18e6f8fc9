"""Field operations: AddField, RemoveField, RenameField and AlterField.

migrations.AddField("check", "badge_key", models.UUIDField(null=True))
"""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.django import fields as django_fields
from harvester.migrations.django.alter import alter_field
from harvester.migrations.django.columns import together
from harvester.migrations.django.fields import FieldSpec, spec
from harvester.migrations.django.files import Operation
from harvester.migrations.django.state import ModelState
from harvester.migrations.django.translation import Translation, TranslatorBase
from harvester.migrations.pyast import Call, Ref, Value, render
from harvester.migrations.schema import ops


class FieldOperations(TranslatorBase):
    """Operations on one field of a model."""

    def _AddField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        definition = operation.arg("field")
        if not isinstance(definition, Call):
            return
        new = spec(definition, self.state.field_bases)
        model = model.with_field(name, new)
        self.state.put(model)
        if not model.has_table:
            result.state_only.append(f"AddField {model.name}.{name} (model has no table)")
            return
        if new.is_many_to_many:
            result.up += self.schema.create_join_table(model, name, new)
            table = self.schema.join_table(model, name, new)
            if table:
                result.down.append(ops.DropTable(table))
            else:
                result.state_only.append(
                    f"AddField {model.name}.{name} (many-to-many through a model)"
                )
            return
        added = self.add_column(model, name, new)
        result.up += added
        result.down += self.drop_column(model, name, new)
        self.state.put(model.with_names(self.schema.field_names(model, name, new)))
        # Django's SQLite editor remakes the table unless a plain ADD COLUMN can do it
        remakes = (
            not new.null
            or new.unique
            or new.primary_key
            or django_fields.effective_default(new) is not None
            or django_fields.database_default(new) is not None
        )
        columns = tuple(o.column.name for o in added if isinstance(o, ops.AddColumn))
        self._sqlite_remake(model, result, remakes, f"adds {name}", columns)
        default = django_fields.effective_default(new)
        if django_fields.database_default(new) is None and self._mysql_keeps_default(
            model, new, default
        ):
            result.notes.append(
                f"{model.table}.{django_fields.column_name(name, new)}: Django keeps DEFAULT "
                f"({default}) on MySQL 8.0.13+; older versions take no such default, so Django "
                "adds the column without one and fills the rows with an UPDATE"
            )
        if django_fields.is_callable_default(new):
            # an auto_now field has no default of its own: Django takes the current time
            default = (
                render(new.default) if new.has_default else django_fields.effective_default(new)
            )
            result.notes.append(
                f"{model.table}.{django_fields.column_name(name, new)}: Django calls "
                f"{default} once and writes that one value into every existing row"
                + (
                    " (the UNIQUE constraint fails on a table with two rows or more)"
                    if new.unique
                    else ""
                )
            )

    def add_column(self, model: ModelState, name: str, new: FieldSpec) -> list[ops.Operation]:
        """ADD COLUMN as Django runs it: with the effective default while the column is added
        (dropped right after, unless it is a `db_default`), then the field's indexes."""
        database_default = django_fields.database_default(new)
        default = database_default or django_fields.effective_default(new)
        kept = database_default is None and self._mysql_keeps_default(model, new, default)
        if kept:
            default = f"({default})"  # MySQL takes a JSON, TEXT or BLOB default as an expression
        column = self.schema.column(model, name, new, default)
        added: list[ops.Operation] = [ops.AddColumn(model.table, column)]
        check = self.schema.positive_check(model, name, new, inline=True)
        if check is not None:  # declared in the ADD COLUMN itself
            added.append(ops.AddConstraint(model.table, check))
        if default is not None and database_default is None and not kept:
            added.append(ops.DropDefault(model.table, column.name))
        added += [ops.CreateIndex(i) for i in self.schema.field_indexes(model, name, new).values()]
        return added

    def _mysql_keeps_default(self, model: ModelState, new: FieldSpec, default: str | None) -> bool:
        """True when Django leaves the default of a new column in place: on MySQL (not
        MariaDB) a JSON, TEXT or BLOB column's default is never dropped after ADD COLUMN
        (`skip_default_on_alter`); an empty one on TEXT or BLOB is not written at all."""
        if self.schema.dialect is not ops.Dialect.MYSQL or default in (None, "''"):
            return False
        kind = (self.schema.column_type(model, new) or "").lower()
        return kind == "json" or kind.endswith(("text", "blob"))

    def drop_column(self, model: ModelState, name: str, old: FieldSpec) -> list[ops.Operation]:
        """DROP COLUMN, said with the indexes that go with the column (the database drops
        them itself), so that a reverse step visibly undoes every index the field made."""
        indexes = self.schema.field_indexes(model, name, old).values()
        dropped: list[ops.Operation] = [ops.DropIndex(i.name or "?", model.table) for i in indexes]
        return [*dropped, ops.DropColumn(model.table, django_fields.column_name(name, old))]

    def _RemoveField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        old = model.field(name)
        forgotten = {key: None for key in model.names_of_field(name)}
        self.state.put(model.without_field(name).with_names(forgotten))
        if old is not None:
            self.removed[(model.name.lower(), name.lower())] = old
        if old is None or not model.has_table:
            result.state_only.append(f"RemoveField {model.name}.{name}")
            return
        if old.is_many_to_many:
            table = self.schema.join_table(model, name, old)
            if table:
                result.up.append(ops.DropTable(table))
                result.down += self.schema.create_join_table(model, name, old)
            return
        result.up.append(ops.DropColumn(model.table, django_fields.column_name(name, old)))
        result.down += self.add_column(model, name, old)
        remakes = old.unique or old.primary_key or old.relation is not None or old.db_index
        self._sqlite_remake(model, result, remakes, f"removes {name}")

    def _RenameField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        old_name, new_name = operation.text("old_name"), operation.text("new_name")
        current = model.field(old_name)
        if current is None:
            result.state_only.append(f"RenameField {model.name}.{old_name} (unknown field)")
            return
        renamed = tuple(
            (new_name if n.lower() == old_name.lower() else n, s) for n, s in model.fields
        )
        updated = replace(model, fields=renamed).with_field_renamed_in_names(old_name, new_name)
        for option in ("unique_together", "index_together"):
            groups = together(model.options.get(option))
            if groups:
                updated = updated.with_option(
                    option,
                    tuple(tuple(new_name if f == old_name else f for f in g) for g in groups),
                )
        self.state.put(updated)
        if current.is_many_to_many:
            before = self.schema.join_table(model, old_name, current)
            after = self.schema.join_table(updated, new_name, current)
            if before and after and before != after:
                result.up.append(ops.RenameTable(before, after))
                result.down.append(ops.RenameTable(after, before))
            return
        before_col = django_fields.column_name(old_name, current)
        after_col = django_fields.column_name(new_name, current)
        if before_col == after_col:
            result.state_only.append(f"RenameField {model.name}.{old_name} (column unchanged)")
            return
        result.up.append(ops.RenameColumn(model.table, before_col, after_col))
        result.down.append(ops.RenameColumn(model.table, after_col, before_col))
        replaced = self.removed.get((model.name.lower(), new_name.lower()))
        if replaced is not None:
            result.notes += _narrowing(model.table, after_col, replaced, current)

    def _AlterField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        definition = operation.arg("field")
        old = model.field(name)
        if not isinstance(definition, Call):
            return
        new = spec(definition, self.state.field_bases)
        updated = model.with_field(name, new)
        self.state.put(updated)
        if old is None:
            result.notes.append(
                f"AlterField {model.name}.{name}: the field's earlier definition was not found; "
                "shown as if added"
            )
            result.up += self.add_column(updated, name, new)
            return
        if not model.has_table:
            result.state_only.append(f"AlterField {model.name}.{name} (model has no table)")
            return
        up, names = alter_field(self.schema, model, updated, name, old, new)
        self.state.put(updated.with_names(names))
        down, _ = alter_field(self.schema, updated.with_names(names), model, name, new, old)
        if not up:
            changed = _changed_arguments(old, new)
            result.state_only.append(
                f"AlterField {model.name}.{name}" + (f" ({', '.join(changed)})" if changed else "")
            )
            return
        result.up += up
        result.down += down
        result.notes += _narrowing(model.table, django_fields.column_name(name, new), old, new)
        self._sqlite_remake(model, result, True, f"alters {name}")


def _narrowing(table: str, column: str, old: FieldSpec, new: FieldSpec) -> list[str]:
    """What a column that goes from `old` to `new` loses in every row: a DateTimeField made a
    DateField keeps only the date."""
    if old.kind == "DateTimeField" and new.kind == "DateField":
        return [f"{table}.{column} datetime -> date: every row loses its time of day"]
    return []


def _changed_arguments(old: FieldSpec, new: FieldSpec) -> list[str]:
    """The arguments whose meaning differs: `to` given by position or by keyword, `null=False`
    or left out, `models.CASCADE` or `deletion.CASCADE` are the same."""
    before, after = _arguments(old), _arguments(new)
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    if old.written != new.written:
        changed.insert(0, f"{old.written} -> {new.written}")
    return changed


# Positional parameters of field classes, and arguments whose value is Django's default.
_RELATION_PARAMETERS = ("to", "on_delete")
_FIELD_PARAMETERS = ("verbose_name", "name")
_DJANGO_DEFAULTS: dict[str, Value] = {
    "null": False,
    "blank": False,
    "unique": False,
    "primary_key": False,
    "editable": True,
    "serialize": True,
    "db_constraint": True,
}


def _arguments(field: FieldSpec) -> dict[str, Value]:
    """A field's arguments by name, spelled one way: positional ones named, Django's defaults
    left out, Django's deletion rules by their last name (`CASCADE`), model labels in lower
    case. Other references keep their whole name: `datetime.datetime.now` is not
    `django.utils.timezone.now`."""
    names = _RELATION_PARAMETERS if field.relation is not None else _FIELD_PARAMETERS
    found: dict[str, Value] = dict(zip(names, field.call.args, strict=False))
    found.update(field.call.kwargs)
    spelled: dict[str, Value] = {}
    for key, value in found.items():
        if key in _DJANGO_DEFAULTS and value == _DJANGO_DEFAULTS[key]:
            continue
        if isinstance(value, Ref) and key == "on_delete":
            value = value.tail
        elif key == "to" and isinstance(value, str):
            value = value.lower()
        spelled[key] = value
    return spelled
