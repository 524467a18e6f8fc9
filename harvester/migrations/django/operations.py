"""Django migration operations as schema operations, replayed against the model state.

`AlterField("profile", "sms_limit", models.IntegerField(default=0))` means nothing to the
database when only the default changed, `SET NOT NULL` when the field was `null=True`, a type
change when it was a `CharField`: the translator compares the field with its previous
definition in the state and then updates the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from harvester.migrations.django import fields as django_fields
from harvester.migrations.django import indexes, naming
from harvester.migrations.django.alter import alter_field
from harvester.migrations.django.columns import Schema, together
from harvester.migrations.django.fields import FieldSpec, spec
from harvester.migrations.django.files import Operation, is_noop_reference
from harvester.migrations.django.python_code import PythonCode
from harvester.migrations.django.state import ModelState, ProjectState, model_bases
from harvester.migrations.pyast import Call, Value, render, strings
from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations

_EXTENSIONS = {
    "HStoreExtension": "hstore",
    "TrigramExtension": "pg_trgm",
    "UnaccentExtension": "unaccent",
    "BtreeGinExtension": "btree_gin",
    "BtreeGistExtension": "btree_gist",
    "CITextExtension": "citext",
    "CryptoExtension": "pgcrypto",
    "BloomExtension": "bloom",
}
# Options AlterModelOptions may change: all of them live in Python only.
_STATE_ONLY = frozenset({"AlterModelOptions", "AlterModelManagers", "AlterConstraint"})


@dataclass
class Translation:
    """What one operation does to the database, both ways."""

    up: list[ops.Operation] = field(default_factory=list)
    down: list[ops.Operation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state_only: list[str] = field(default_factory=list)
    irreversible: list[str] = field(default_factory=list)
    reverse_noop: bool = False


class Translator:
    """Replays one app's operations on the project state, saying what each one runs."""

    def __init__(
        self,
        state: ProjectState,
        app_label: str,
        dialect: ops.Dialect | None,
        sqlite_secondary: bool = False,
    ) -> None:
        self.state = state
        self.app = app_label
        self.dialect = dialect
        self.schema = Schema(state, dialect)
        self.sqlite_secondary = sqlite_secondary

    def apply(self, operation: Operation) -> Translation:
        """Translate `operation` and apply it to the state."""
        result = Translation()
        handler = getattr(self, f"_{operation.kind}", None)
        if operation.kind in _STATE_ONLY:
            self._options(operation, result)
        elif operation.kind in _EXTENSIONS or operation.kind == "CreateExtension":
            name = _EXTENSIONS.get(operation.kind) or operation.text("name")
            result.up.append(
                ops.Opaque(f"CREATE EXTENSION IF NOT EXISTS {name}", line=operation.line)
            )
            result.down.append(ops.Opaque(f"DROP EXTENSION IF EXISTS {name}", line=operation.line))
        elif handler is not None:
            handler(operation, result)
        else:
            result.up.append(
                ops.Opaque(
                    f"operation {operation.kind} (line {operation.line}) is not a Django "
                    "operation harvester knows: read it",
                    raw=True,
                    line=operation.line,
                )
            )
        _set_line(result, operation.line)
        return result

    # --- models ------------------------------------------------------------------------------

    def _model(self, name: str) -> ModelState:
        found = self.state.get(self.app, name)
        return found if found is not None else ModelState(self.app, name)

    def _CreateModel(self, operation: Operation, result: Translation) -> None:
        fields = operation.arg("fields")
        specs = tuple(
            (str(item[0]), spec(item[1]))
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

    # --- fields ------------------------------------------------------------------------------

    def _AddField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        definition = operation.arg("field")
        if not isinstance(definition, Call):
            return
        new = spec(definition)
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
        result.up += self.add_column(model, name, new)
        result.down.append(ops.DropColumn(model.table, django_fields.column_name(name, new)))
        self.state.put(model.with_names(self.schema.field_names(model, name, new)))
        remakes = not new.null or new.unique or new.primary_key or new.has_default
        self._sqlite_remake(model, result, remakes, f"adds {name}")
        if django_fields.is_callable_default(new):
            default = render(new.default)
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
        column = self.schema.column(model, name, new, default)
        added: list[ops.Operation] = [ops.AddColumn(model.table, column)]
        if default is not None and database_default is None:
            added.append(ops.DropDefault(model.table, column.name))
        added += [ops.CreateIndex(i) for i in self.schema.field_indexes(model, name, new).values()]
        return added

    def _RemoveField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        old = model.field(name)
        forgotten = {key: None for key in model.names_of_field(name)}
        self.state.put(model.without_field(name).with_names(forgotten))
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

    def _AlterField(self, operation: Operation, result: Translation) -> None:
        model = self._model(operation.text("model_name"))
        name = operation.text("name")
        definition = operation.arg("field")
        old = model.field(name)
        if not isinstance(definition, Call):
            return
        new = spec(definition)
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
        self._sqlite_remake(model, result, True, f"alters {name}")

    def _sqlite_remake(
        self, model: ModelState, result: Translation, remakes: bool, change: str
    ) -> None:
        """Django's SQLite backend rebuilds the table (create, copy, drop, rename) for most
        changes: an operation of its own there, a note where SQLite is a secondary engine."""
        if not remakes:
            return
        if self.dialect is ops.Dialect.SQLITE:
            rebuild = ops.RebuildTable(
                model.table, "Django's SQLite table remake", changes=(change,)
            )
            result.up.insert(0, rebuild)
        elif self.sqlite_secondary:
            result.notes.append(
                f"on SQLite Django rebuilds {model.table} (copy and rename) for this"
            )

    # --- indexes and constraints -------------------------------------------------------------

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

    # --- code --------------------------------------------------------------------------------

    def _RunSQL(self, operation: Operation, result: Translation) -> None:
        result.up += self._sql(operation.arg("sql"), operation.line)
        reverse = operation.arg("reverse_sql")
        if reverse is None:
            result.irreversible.append(f"RunSQL (line {operation.line}) has no reverse_sql")
        elif is_noop_reference(reverse):
            result.reverse_noop = True
        else:
            result.down += self._sql(reverse, operation.line)
        self._replay_state(operation.state)

    def _sql(self, value: Value, line: int) -> list[ops.Operation]:
        texts: list[str] = []
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, tuple) and item and isinstance(item[0], str):
                item = item[0]
            if isinstance(item, str):
                texts.append(item)
            elif item is not None and not is_noop_reference(item):
                return [
                    ops.Opaque(f"SQL built at run time: {render(item)[:80]}", raw=True, line=line)
                ]
        found: list[ops.Operation] = []
        for text in texts:
            if text.strip():
                found += sql_operations(text, self.dialect, line).operations
        return found

    def _RunPython(self, operation: Operation, result: Translation) -> None:
        code, reverse = operation.code, operation.reverse_code
        reversible = reverse is not None and not reverse.noop
        if reverse is None:
            result.irreversible.append(f"RunPython (line {operation.line}) has no reverse_code")
        elif reverse.noop:
            result.reverse_noop = True
        if code is not None:
            result.up += self._python(code, operation.line, reversible)
        if reverse is not None and not reverse.noop:
            result.down += self._python(reverse, operation.line, None)
        if operation.arg("atomic") is False:
            result.notes.append(f"RunPython (line {operation.line}) runs outside a transaction")

    def _python(self, code: PythonCode, line: int, reversible: bool | None) -> list[ops.Operation]:
        if code.noop:
            return []
        if not code.found:
            return [
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"runs {code.name}, defined outside this file: not read",
                    reversible=reversible,
                    line=line,
                )
            ]
        found: list[ops.Operation] = []
        for action in code.actions:
            table = self._table_of(action.app_label, action.model)
            found.append(
                ops.DataChange(
                    action.kind,
                    table=table,
                    detail=f"{code.name}(): " + action.detail.replace("{table}", table),
                    has_where=action.has_where,
                    reversible=reversible,
                    raises_on_data=code.raises,
                    line=action.line,
                )
            )
        for text, sql_line in code.sql:
            found += sql_operations(text, self.dialect, sql_line).operations
        for other in code.others:
            found.append(
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"{code.name}(): {other}",
                    reversible=reversible,
                    line=line,
                )
            )
        if not found:
            found.append(
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"runs {code.name}() (line {code.line}): no row changes recognised",
                    reversible=reversible,
                    raises_on_data=code.raises,
                    line=code.line,
                )
            )
        return found

    def _table_of(self, app_label: str | None, model_name: str) -> str:
        model = self.state.get(app_label or self.app, model_name)
        if model is not None:
            return self.state.concrete(model).table
        if app_label is None and "(" in model_name:
            return model_name
        return naming.table_name(app_label or self.app, model_name)

    def _SeparateDatabaseAndState(self, operation: Operation, result: Translation) -> None:
        scratch = Translator(self.state.copy(), self.app, self.dialect, self.sqlite_secondary)
        for inner in operation.database:
            step = scratch.apply(inner)
            result.up += step.up
            result.down = step.down + result.down
            result.notes += step.notes
            result.irreversible += step.irreversible
        self._replay_state(operation.state)
        if not operation.database:
            result.state_only.append("SeparateDatabaseAndState with state operations only")

    def _replay_state(self, operations: tuple[Operation, ...]) -> None:
        for inner in operations:
            self.apply(inner)


def _drops(schema: Schema, model: ModelState) -> list[ops.Operation]:
    found: list[ops.Operation] = []
    for name, spec_ in model.fields:
        table = schema.join_table(model, name, spec_)
        if table:
            found.append(ops.DropTable(table))
    found.append(ops.DropTable(model.table))
    return found


def _named(value: Value) -> str | None:
    name = value.get("name") if isinstance(value, Call) else None
    return name if isinstance(name, str) else None


def _renamed(value: Value, old: str, new: str) -> Value:
    if isinstance(value, Call) and value.get("name") == old:
        return replace(value, kwargs={**value.kwargs, "name": new})
    return value


def _changed_arguments(old: FieldSpec, new: FieldSpec) -> list[str]:
    keys = sorted(set(old.call.kwargs) | set(new.call.kwargs))
    changed = [k for k in keys if old.call.kwargs.get(k) != new.call.kwargs.get(k)]
    if old.written != new.written:
        changed.insert(0, f"{old.written} -> {new.written}")
    return changed


def _set_line(result: Translation, line: int) -> None:
    """Operations without a line of their own get the operation's line."""
    for batch in (result.up, result.down):
        for index, item in enumerate(batch):
            if getattr(item, "line", None) is None:
                batch[index] = replace(item, line=line)
