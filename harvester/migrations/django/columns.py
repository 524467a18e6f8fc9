"""A model's fields as columns, keys and indexes, the way Django's schema editor creates them.

For `AddField("check", "project", models.ForeignKey(to="api.project", on_delete=CASCADE))`
Django adds `api_check.project_id` with a foreign key `…_fk_api_project_id` (DEFERRABLE on
PostgreSQL and SQLite) and an index `api_check_project_id_<hash>`.
"""

from __future__ import annotations

from collections.abc import Callable

from harvester.migrations.django import fields as django_fields
from harvester.migrations.django import indexes, naming
from harvester.migrations.django.fields import FieldSpec
from harvester.migrations.django.state import ModelState, ProjectState
from harvester.migrations.pyast import Call, strings
from harvester.migrations.schema import ops


class Schema:
    """Column and index definitions for models of one project state on one engine."""

    def __init__(self, state: ProjectState, dialect: ops.Dialect | None) -> None:
        self.state = state
        self.dialect = dialect

    def column_of(self, model: ModelState) -> Callable[[str], str]:
        """Field name to column name for `model` (unknown names are kept as written)."""

        def column(field_name: str) -> str:
            """The column name of a field of `model`."""
            spec = model.field(field_name)
            if field_name == "pk":
                pk = model.primary_key()
                return django_fields.column_name(*pk) if pk else "id"
            return django_fields.column_name(field_name, spec) if spec else field_name

        return column

    def column_type(self, model: ModelState, spec: FieldSpec) -> str | None:
        """The column type of a field; a foreign key takes the type of the key it references."""
        if spec.relation is not None and not spec.relation.many:
            return self.state.target(
                spec.relation.to, model.app_label, spec.relation.to_field, self.dialect
            ).type
        return django_fields.db_type(spec, self.dialect)

    def foreign_key(self, model: ModelState, name: str, spec: FieldSpec) -> ops.ForeignKey | None:
        """The foreign-key constraint Django creates for a ForeignKey/OneToOneField."""
        relation = spec.relation
        if relation is None or relation.many or not relation.db_constraint:
            return None
        target = self.state.target(relation.to, model.app_label, relation.to_field, self.dialect)
        column = django_fields.column_name(name, spec)
        remembered = model.names.get(f"fk:{name}")
        return ops.ForeignKey(
            columns=(column,),
            ref_table=target.table,
            ref_columns=(target.column,),
            on_delete=relation.on_delete,
            name=remembered
            or naming.foreign_key_name(
                model.table, column, target.table, target.column, self.dialect
            ),
            deferrable=self.dialect not in (ops.Dialect.MYSQL, ops.Dialect.MARIADB),
        )

    def column(
        self, model: ModelState, name: str, spec: FieldSpec, default: str | None = None
    ) -> ops.ColumnDef:
        """The column of a concrete field; `default` is the DEFAULT the DDL carries."""
        auto = spec.kind in django_fields.AUTO_FIELDS
        postgres = self.dialect in (None, ops.Dialect.POSTGRESQL)
        return ops.ColumnDef(
            name=django_fields.column_name(name, spec),
            type=self.column_type(model, spec),
            nullable=spec.null and not spec.primary_key,
            default=default,
            primary_key=spec.primary_key,
            unique=spec.unique and not spec.primary_key,
            references=self.foreign_key(model, name, spec),
            generated="BY DEFAULT AS IDENTITY"
            if auto and postgres
            else django_fields.generated(spec),
            auto_increment=auto and not postgres,
        )

    def positive_check(
        self, model: ModelState, name: str, spec: FieldSpec, inline: bool
    ) -> ops.Constraint | None:
        """The CHECK (col >= 0) of a positive integer field: declared with its column by
        CreateModel and AddField (PostgreSQL names it `<table>_<column>_check`), or added by
        AlterField under Django's own `_check` name."""
        column = django_fields.column_name(name, spec)
        check = django_fields.positive_check(spec, column, self.dialect)
        if check is None:
            return None
        named = model.names.get(f"check:{name}") or (
            naming.postgres_object_name(model.table, column, "check")
            if inline
            else naming.index_name(model.table, [column], "_check", self.dialect)
        )
        return ops.Constraint(ops.ConstraintKind.CHECK, named, (column,), expression=check)

    def unique_name(
        self, model: ModelState, name: str, spec: FieldSpec, inline: bool
    ) -> str | None:
        """The name of a field's unique constraint: remembered, else the engine's own for one
        declared with the column, Django's `_uniq` name for one added later."""
        column = django_fields.column_name(name, spec)
        if f"unique:{name}" in model.names:
            return model.names[f"unique:{name}"]
        if inline:
            return naming.inline_unique_name(model.table, column, self.dialect)
        return naming.index_name(model.table, [column], "_uniq", self.dialect)

    def field_indexes(
        self, model: ModelState, name: str, spec: FieldSpec
    ) -> dict[str, ops.IndexDef]:
        """The indexes Django builds for a field, by kind: `index` for `db_index` (foreign keys
        have it by default) and, on PostgreSQL, `like` for indexed or unique text."""
        column = django_fields.column_name(name, spec)
        found = {}
        if spec.indexed:
            found["index"] = ops.IndexDef(
                model.names.get(f"index:{name}")
                or naming.index_name(model.table, [column], "", self.dialect),
                model.table,
                (column,),
            )
        opclass = django_fields.like_index(spec, self.dialect, self.column_type(model, spec))
        if opclass is not None:
            found["like"] = self._like_index(
                model.table, column, opclass, model.names.get(f"like:{name}")
            )
        return found

    def _like_index(
        self, table: str, column: str, opclass: str, name: str | None = None
    ) -> ops.IndexDef:
        """The `_like` index PostgreSQL gets beside an indexed text column, for LIKE 'x%'."""
        return ops.IndexDef(
            name or naming.index_name(table, [column], "_like", self.dialect),
            table,
            (f"{column} {opclass}",),
        )

    def together_name(self, model: ModelState, option: str, fields: tuple[str, ...]) -> str:
        """The name of a `unique_together` constraint or `index_together` index."""
        remembered = model.names.get(f"{option}:{','.join(fields)}")
        if remembered:
            return remembered
        columns = [self.column_of(model)(f) for f in fields]
        suffix = "_uniq" if option == "unique_together" else "_idx"
        return naming.index_name(model.table, columns, suffix, self.dialect)

    def unique_together(self, model: ModelState, fields: tuple[str, ...]) -> ops.Constraint:
        """The constraint of one `unique_together` group."""
        columns = tuple(self.column_of(model)(f) for f in fields)
        name = self.together_name(model, "unique_together", fields)
        return ops.Constraint(ops.ConstraintKind.UNIQUE, name, columns)

    def index_together(self, model: ModelState, fields: tuple[str, ...]) -> ops.IndexDef:
        """The index of one `index_together` group."""
        columns = tuple(self.column_of(model)(f) for f in fields)
        return ops.IndexDef(
            self.together_name(model, "index_together", fields), model.table, columns
        )

    def field_names(self, model: ModelState, name: str, spec: FieldSpec) -> dict[str, str]:
        """The names of the indexes and constraints a field has, to remember them."""
        names = {
            f"{kind}:{name}": index.name or ""
            for kind, index in self.field_indexes(model, name, spec).items()
        }
        fk = self.foreign_key(model, name, spec)
        if fk is not None and fk.name:
            names[f"fk:{name}"] = fk.name
        check = self.positive_check(model, name, spec, inline=True)
        if check is not None and check.name:
            names[f"check:{name}"] = check.name
        unique = self.unique_name(model, name, spec, inline=True)
        if spec.unique and not spec.primary_key and unique:
            names[f"unique:{name}"] = unique
        return names

    def model_names(self, model: ModelState) -> dict[str, str]:
        """The names of every index and constraint of a model's fields and `*_together`."""
        names: dict[str, str] = {}
        for name, spec in model.fields:
            names.update(self.field_names(model, name, spec))
        for option in ("unique_together", "index_together"):
            for fields in together(model.options.get(option)):
                names[f"{option}:{','.join(fields)}"] = self.together_name(model, option, fields)
        return names

    def join_table(self, model: ModelState, name: str, spec: FieldSpec) -> str | None:
        """The table of a ManyToManyField Django creates itself (None with `through=`)."""
        relation = spec.relation
        if relation is None or not relation.many or relation.through:
            return None
        return relation.db_table or naming.many_to_many_table(model.table, name)

    def create_join_table(
        self, model: ModelState, name: str, spec: FieldSpec
    ) -> list[ops.Operation]:
        """CREATE TABLE of an automatic many-to-many table, with its keys and indexes."""
        table = self.join_table(model, name, spec)
        if table is None or spec.relation is None:
            return []
        target = self.state.target(spec.relation.to, model.app_label, None, self.dialect)
        own = self.state.target(
            f"{model.app_label}.{model.name}", model.app_label, None, self.dialect
        )
        own_name = model.name.lower()
        other_name = (
            target.model.name
            if target.model
            else self.state.resolve(spec.relation.to, model.app_label)[1]
        ).lower()
        if own_name == other_name:
            own_name, other_name = f"from_{own_name}", f"to_{other_name}"
        columns = [
            ops.ColumnDef(
                "id",
                self._join_key_type(model),
                nullable=False,
                primary_key=True,
                generated="BY DEFAULT AS IDENTITY"
                if self.dialect in (None, ops.Dialect.POSTGRESQL)
                else None,
                auto_increment=self.dialect not in (None, ops.Dialect.POSTGRESQL),
            )
        ]
        for column_name, ref in ((f"{own_name}_id", own), (f"{other_name}_id", target)):
            columns.append(
                ops.ColumnDef(
                    column_name,
                    ref.type,
                    nullable=False,
                    references=ops.ForeignKey(
                        (column_name,),
                        ref.table,
                        (ref.column,),
                        name=naming.foreign_key_name(
                            table, column_name, ref.table, ref.column, self.dialect
                        ),
                        deferrable=self.dialect not in (ops.Dialect.MYSQL, ops.Dialect.MARIADB),
                    ),
                )
            )
        pair = [columns[1].name, columns[2].name]
        unique = ops.Constraint(
            ops.ConstraintKind.UNIQUE,
            naming.index_name(table, pair, "_uniq", self.dialect),
            tuple(pair),
        )
        result: list[ops.Operation] = [ops.CreateTable(table, tuple(columns), (unique,))]
        for column_name, ref in zip(pair, (own, target), strict=True):
            result.append(
                ops.CreateIndex(
                    ops.IndexDef(
                        naming.index_name(table, [column_name], "", self.dialect),
                        table,
                        (column_name,),
                    )
                )
            )
            opclass = django_fields.text_pattern_opclass(ref.type, self.dialect)
            if opclass is not None:  # a key to a text primary key: PostgreSQL's `_like` too
                result.append(ops.CreateIndex(self._like_index(table, column_name, opclass)))
        return result

    def _join_key_type(self, model: ModelState) -> str | None:
        """The type of the `id` of a many-to-many table Django creates for `model`: its own
        auto field (the app's or the project's default), not the type of `model`'s key. When
        the project says neither, a model keyed by an auto field suggests that default, else
        Django's own (AutoField)."""
        declared = (self.state.default_auto_field(model.app_label) or "").rsplit(".", 1)[-1]
        kind = declared if declared in django_fields.AUTO_FIELDS else None
        if kind is None:
            pk = model.primary_key()
            kind = pk[1].kind if pk and pk[1].kind in django_fields.AUTO_FIELDS else "AutoField"
        return django_fields.db_type(django_fields.spec(Call(kind)), self.dialect)

    def create_model(self, model: ModelState) -> list[ops.Operation]:
        """Everything Django runs to create a model's table: the table with its columns and
        constraints, then its indexes, then its automatic many-to-many tables."""
        columns = []
        constraints: list[ops.Constraint] = []
        after: list[ops.Operation] = []
        column_of = self.column_of(model)
        for name, spec in model.fields:
            if spec.is_many_to_many:
                continue
            column = self.column(model, name, spec, django_fields.database_default(spec))
            columns.append(column)
            check = self.positive_check(model, name, spec, inline=True)
            if check is not None:
                constraints.append(check)
            after += [ops.CreateIndex(i) for i in self.field_indexes(model, name, spec).values()]
        for fields in together(model.options.get("unique_together")):
            constraints.append(self.unique_together(model, fields))
        for fields in together(model.options.get("index_together")):
            after.append(ops.CreateIndex(self.index_together(model, fields)))
        for index in model.listed("indexes"):
            definition = indexes.index_def(index, model.table, column_of)
            if definition is not None:
                after.append(ops.CreateIndex(definition))
        for constraint in model.listed("constraints"):
            record = indexes.constraint_record(constraint, model.table, column_of)
            if isinstance(record, ops.IndexDef):
                after.append(ops.CreateIndex(record))
            elif record is not None:
                constraints.append(record)
            if nulls := indexes.nulls_not_distinct(record, model.table):
                after.append(ops.Opaque(nulls))
        result: list[ops.Operation] = [
            ops.CreateTable(model.table, tuple(columns), tuple(constraints))
        ]
        result += after
        for name, spec in model.fields:
            result += self.create_join_table(model, name, spec)
        return result


def together(value: object) -> list[tuple[str, ...]]:
    """`unique_together`/`index_together` as a list of field-name tuples (a single tuple of
    names is one group, as Django normalises it)."""
    if not isinstance(value, tuple) or not value:
        return []
    if all(isinstance(v, str) for v in value):
        return [strings(value)]
    return [strings(v) for v in value if isinstance(v, tuple)]
