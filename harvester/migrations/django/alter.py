"""`AlterField` as the schema changes between a field's previous and new definitions.

Django's schema editor drops what no longer holds (foreign keys, unique constraints,
indexes), renames and retypes the column, changes NULL and database defaults, then adds what
is new; a field whose changes are all Python-side (`default`, `choices`, `help_text`,
`on_delete`) gives nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from harvester.migrations.django import fields as django_fields
from harvester.migrations.django.columns import Schema
from harvester.migrations.django.fields import FieldSpec
from harvester.migrations.django.state import ModelState
from harvester.migrations.schema import ops


def alter_field(
    schema: Schema, before: ModelState, after: ModelState, name: str, old: FieldSpec, new: FieldSpec
) -> tuple[list[ops.Operation], dict[str, str | None]]:
    """The operations that turn field `name` from `old` (in `before`) into `new` (in `after`),
    and the index and constraint names the field has afterwards (None: gone)."""
    if old.is_many_to_many or new.is_many_to_many:
        return _join_table_change(schema, before, after, name, old, new), {}
    fresh = after.with_names({key: None for key in after.names_of_field(name)})
    table = after.table
    old_column = django_fields.column_name(name, old)
    column = django_fields.column_name(name, new)
    old_type, new_type = schema.column_type(before, old), schema.column_type(after, new)
    old_fk, new_fk = schema.foreign_key(before, name, old), schema.foreign_key(fresh, name, new)
    retyped = old_type != new_type
    old_indexes = schema.field_indexes(before, name, old)
    new_indexes = schema.field_indexes(fresh, name, new)
    # Django drops a foreign key's constraint before any change to its column and creates it
    # again after (checking every row): a new type, name, NULL rule, uniqueness or index.
    column_changed = (
        retyped
        or old_column != column
        or old.null != new.null
        or old.unique != new.unique
        or {k: i.columns for k, i in old_indexes.items()}
        != {k: i.columns for k, i in new_indexes.items()}
    )
    refk = _target(old_fk) != _target(new_fk) or (column_changed and old_fk is not None)
    recollated = old.call.get("db_collation") != new.call.get("db_collation")
    if recollated and not retyped and "like" in old_indexes and "like" not in new_indexes:
        # Django leaves the `_like` index alone when only the collation changes.
        new_indexes["like"] = old_indexes["like"]
    kept = _kept_indexes(old_indexes, new_indexes)
    old_unique = old.unique and not old.primary_key
    new_unique = new.unique and not new.primary_key
    names: dict[str, str | None] = {f"{kind}:{name}": None for kind in old_indexes}
    names.update({f"{kind}:{name}": old_indexes[kind].name for kind in kept})

    result: list[ops.Operation] = []
    if old_fk is not None and refk:
        result.append(ops.DropConstraint(table, old_fk.name, ops.ConstraintKind.FOREIGN_KEY))
    if old_unique and not new_unique:
        unique = schema.unique_name(before, name, old, inline=True)
        result.append(ops.DropConstraint(table, unique, ops.ConstraintKind.UNIQUE))
        names[f"unique:{name}"] = None
    result += [ops.DropIndex(i.name or "?", table) for k, i in old_indexes.items() if k not in kept]
    old_check = schema.positive_check(before, name, old, inline=True)
    new_check = schema.positive_check(fresh, name, new, inline=False)
    if old_check is not None and new_check is None:
        result.append(ops.DropConstraint(table, old_check.name, ops.ConstraintKind.CHECK))
        names[f"check:{name}"] = None
    if old_column != column:
        result.append(ops.RenameColumn(table, old_column, column))
    unknown = [s.written for s in (old, new) if not django_fields.type_known(s)]
    if retyped and unknown:
        result.append(
            ops.Opaque(
                f"{table}.{column}: field {old.written} -> {new.written}; the column type of "
                f"{' and '.join(dict.fromkeys(unknown))} is defined in the project's code: "
                "check whether the type changes"
            )
        )
    elif retyped and new_type is not None:
        incoming = _incoming_keys(schema, after, old, new)
        result += [
            ops.DropConstraint(k.table, k.fk.name, ops.ConstraintKind.FOREIGN_KEY) for k in incoming
        ]
        result.append(ops.AlterColumnType(table, column, new_type, old_type))
        result += [ops.AlterColumnType(k.table, k.column, k.new_type, k.old_type) for k in incoming]
        result += [
            ops.AddConstraint(
                k.table,
                ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, k.fk.name, foreign_key=k.fk),
            )
            for k in incoming
        ]
    if recollated and not retyped:
        rebuilt = [schema.unique_name(before, name, old, inline=True)] if old_unique else []
        rebuilt += [old_indexes[kind].name for kind in sorted(kept)]
        result.append(_collation_change(schema, table, column, new, rebuilt))
    result += _nullability(table, column, old, new)
    result += _database_default(table, column, old, new)
    if new_unique and not old_unique:
        unique = schema.unique_name(fresh, name, new, inline=False)
        result.append(
            ops.AddConstraint(table, ops.Constraint(ops.ConstraintKind.UNIQUE, unique, (column,)))
        )
        names[f"unique:{name}"] = unique
    if new_check is not None and old_check is None:
        result.append(ops.AddConstraint(table, new_check))
        names[f"check:{name}"] = new_check.name
    for kind, index in new_indexes.items():
        if kind not in kept:
            result.append(ops.CreateIndex(index))
            names[f"{kind}:{name}"] = index.name
    if new_fk is not None and (refk or old_fk is None):
        result.append(
            ops.AddConstraint(
                table,
                ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, new_fk.name, foreign_key=new_fk),
            )
        )
        names[f"fk:{name}"] = new_fk.name
    elif new_fk is None:
        names[f"fk:{name}"] = None
    return result, names


def _kept_indexes(old: dict[str, ops.IndexDef], new: dict[str, ops.IndexDef]) -> set[str]:
    """The kinds of field index that survive the change, as Django's schema editor decides:
    a new type or column name keeps them (the database carries an index across ALTER COLUMN
    TYPE and RENAME COLUMN). Only PostgreSQL's `_like` index is rebuilt, when its operator
    class changes (varchar to text or the reverse) or when the plain index gives way to a
    unique constraint."""
    kept = {kind for kind in old if kind in new}
    if "like" in kept and (
        _opclass(old["like"]) != _opclass(new["like"]) or ("index" in old and "index" not in new)
    ):
        kept.discard("like")
    return kept


def _opclass(index: ops.IndexDef) -> str:
    return index.columns[0].rpartition(" ")[2]


def _collation_change(
    schema: Schema, table: str, column: str, new: FieldSpec, indexes: list[str | None]
) -> ops.Operation:
    """Django's ALTER COLUMN … TYPE … COLLATE: PostgreSQL keeps the rows as they are but
    rebuilds each index on the column, under the ACCESS EXCLUSIVE lock of the ALTER."""
    collation = django_fields.collation(new)
    change = (
        f'{table}.{column} COLLATE "{collation}"'
        if collation
        else (
            f"{table}.{column} back to the database's default collation"
            if not new.call.has("db_collation")
            else f"{table}.{column}: collation changes"
        )
    )
    if schema.dialect not in (None, ops.Dialect.POSTGRESQL):
        return ops.Opaque(change)
    named = ", ".join(name for name in indexes if name)
    rebuilt = f"{named} and any other index on {column}" if named else f"any index on {column}"
    return ops.Opaque(
        f"{change}: no table rewrite, but PostgreSQL rebuilds {rebuilt} under an ACCESS "
        "EXCLUSIVE lock"
    )


def _database_default(
    table: str, column: str, old: FieldSpec, new: FieldSpec
) -> list[ops.Operation]:
    before, after = django_fields.database_default(old), django_fields.database_default(new)
    if before == after:
        return []
    if after is None:
        return [ops.DropDefault(table, column)]
    return [ops.SetDefault(table, column, after)]


def _nullability(table: str, column: str, old: FieldSpec, new: FieldSpec) -> list[ops.Operation]:
    """NULL to NOT NULL. A field with a `default` has its NULL rows filled with it first
    (UPDATE … WHERE col IS NULL, then SET NOT NULL), even when the default is unchanged; a
    default that differs from the old field's is also set on the column for the duration (SET
    DEFAULT … DROP DEFAULT), which fills nothing by itself: a blank text field or an
    `auto_now` one without a `default` still fails on NULL rows."""
    if not old.null and new.null:
        return [ops.DropNotNull(table, column)]
    if not (old.null and not new.null):
        return []
    default = django_fields.effective_default(new)
    if default is None:
        return [ops.SetNotNull(table, column)]
    callable_default = django_fields.is_callable_default(new)
    sets_default = callable_default or default != django_fields.effective_default(old)
    once = " (one value Django computes once)" if callable_default else ""
    fill = ops.DataChange(
        ops.DataChangeKind.UPDATE,
        table=table,
        detail=f"Django sets {table}.{column} = {default}{once} where it is NULL, "
        "before SET NOT NULL",
        has_where=True,
        reversible=True,
        columns=(column,),
        nulls_filled=(column,),
    )
    return [
        *([ops.SetDefault(table, column, default)] if sets_default else []),
        *([fill] if new.has_default else []),
        ops.SetNotNull(table, column),
        *([ops.DropDefault(table, column)] if sets_default else []),
    ]


@dataclass(frozen=True, slots=True)
class _IncomingKey:
    """A foreign-key column of another table that points at a retyped primary key."""

    table: str
    column: str
    old_type: str | None
    new_type: str
    fk: ops.ForeignKey


def _incoming_keys(
    schema: Schema, model: ModelState, old: FieldSpec, new: FieldSpec
) -> list[_IncomingKey]:
    """A primary key's new type reaches every foreign-key column that points at it: Django
    drops their constraints first, retypes the columns, then creates the constraints again."""
    if not (old.primary_key and new.primary_key):
        return []
    old_type = django_fields.related_type(old, schema.dialect)
    new_type = django_fields.related_type(new, schema.dialect)
    if old_type == new_type or new_type is None:
        return []
    return [
        _IncomingKey(other.table, fk.columns[0], old_type, new_type, fk)
        for other, name, spec in schema.state.referencing(model)
        if other.has_table
        and other.key != model.key
        and (fk := schema.foreign_key(other, name, spec)) is not None
    ]


def _join_table_change(
    schema: Schema, before: ModelState, after: ModelState, name: str, old: FieldSpec, new: FieldSpec
) -> list[ops.Operation]:
    old_table = schema.join_table(before, name, old)
    new_table = schema.join_table(after, name, new)
    if old.is_many_to_many and new.is_many_to_many:
        if old_table and new_table and old_table != new_table:
            return [ops.RenameTable(old_table, new_table)]
        return []
    return [
        ops.Opaque(
            f"{after.table}.{name} changes between a column and a many-to-many table: "
            "Django refuses this AlterField",
            raw=True,
        )
    ]


def _target(fk: ops.ForeignKey | None) -> tuple[object, ...] | None:
    if fk is None:
        return None
    return fk.ref_table, fk.ref_columns, fk.on_delete, fk.deferrable
