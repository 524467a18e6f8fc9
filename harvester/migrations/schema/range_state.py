"""What the range's earlier migrations did, so later ones are judged in context.

A table created earlier in the range is empty when the range is deployed, so an index on it
locks nothing; a column added nullable and backfilled earlier makes a later SET NOT NULL
safer; a column's type as created earlier in the range (or at the base, when the system can
tell) is the "old" side of a type change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from harvester.migrations.schema import ops

ColumnKey = tuple[str, str]


_FILLS = frozenset(
    {ops.DataChangeKind.UPDATE, ops.DataChangeKind.CODE, ops.DataChangeKind.MUTATION}
)


@dataclass
class RangeState:
    """Facts gathered from one system and dialect's migrations, in execution order.

    Values name the migration that established each fact.
    """

    created_tables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, ops.ColumnDef]] = field(default_factory=dict)
    added_columns: dict[ColumnKey, str] = field(default_factory=dict)
    backfilled: dict[ColumnKey, str] = field(default_factory=dict)
    nulls_deleted: dict[ColumnKey, str] = field(default_factory=dict)
    not_null_checks: dict[ColumnKey, str] = field(default_factory=dict)
    unvalidated_checks: dict[tuple[str, str], str] = field(default_factory=dict)
    temporary_defaults: dict[ColumnKey, tuple[str, str]] = field(default_factory=dict)
    created_indexes: dict[str, str] = field(default_factory=dict)
    created_types: dict[str, str] = field(default_factory=dict)
    enum_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows_deleted: dict[str, str] = field(default_factory=dict)  # table -> last such migration
    filled_tables: dict[str, str] = field(default_factory=dict)  # INSERT … SELECT into them

    def observe(self, parsed: ops.ParsedMigration, migration: str = "") -> None:
        """Remember what `parsed` did, for the migrations that follow it."""
        for operation in parsed.up.operations:
            self.apply(operation, migration or parsed.id)

    def apply(self, operation: ops.Operation, migration: str) -> None:
        """Record the effect of one operation."""
        match operation:
            case ops.CreateTable(table=table, columns=columns, may_exist=True):
                self.columns.setdefault(table, {c.name: c for c in columns})
            case ops.CreateTable(table=table, columns=columns):
                self.created_tables[table] = migration
                self.columns[table] = {c.name: c for c in columns}
            # Only a rebuild that lists its columns replaces the known ones: one that does not
            # (Rails' SQLite add_foreign_key copies the table as it is) forgets none of them.
            case ops.RebuildTable(table=table, columns=rebuilt) if rebuilt:
                self.columns[table] = {c.name: c for c in rebuilt}
            case ops.DropTable(table=table):
                self.created_tables.pop(table, None)
                self.columns.pop(table, None)
            case ops.RenameTable(old=old, new=new):
                if old in self.created_tables:
                    self.created_tables[new] = self.created_tables.pop(old)
                if old in self.columns:
                    self.columns[new] = self.columns.pop(old)
            case ops.AddColumn(table=table, column=added):
                self.columns.setdefault(table, {})[added.name] = added
                self.added_columns[(table, added.name)] = migration
                if added.default is not None and added.nullable is False:
                    self.temporary_defaults[(table, added.name)] = (added.default, migration)
            case ops.DropColumn(table=table, column=name):
                self.columns.get(table, {}).pop(name, None)
            case ops.RenameColumn(table=table, old=old, new=new):
                known = self.columns.get(table, {})
                if old in known:
                    known[new] = dataclasses.replace(known.pop(old), name=new)
            case ops.AlterColumnType(table=table, column=name, new_type=new_type):
                self._update(table, name, type=new_type)
            case ops.ModifyColumn(table=table, column=redefined, old_name=old_name):
                known = self.columns.setdefault(table, {})
                known.pop(old_name or redefined.name, None)
                known[redefined.name] = redefined
            case ops.SetNotNull(table=table, column=name):
                self._update(table, name, nullable=False)
            case ops.DropNotNull(table=table, column=name):
                self._update(table, name, nullable=True)
            case ops.DataChange(kind=kind, table=table, columns=columns) if kind in _FILLS:
                # An UPDATE, a mutation or code that sets named columns row by row.
                for name in columns:
                    self.backfilled[(table or "", name)] = migration
            case ops.DataChange(kind=ops.DataChangeKind.INSERT_SELECT, table=str() as table):
                self.filled_tables[table] = migration
            case ops.DataChange(kind=ops.DataChangeKind.DELETE, table=table, columns=columns):
                # DELETE … WHERE c IS NULL leaves no NULL in c.
                for name in columns:
                    self.nulls_deleted[(table or "", name)] = migration
                if table:
                    self.rows_deleted[table] = migration
            case ops.AddConstraint(table=table, constraint=constraint):
                checked = not_null_check_column(constraint)
                if checked and not constraint.not_valid:
                    self.not_null_checks[(table, checked)] = migration
                elif checked and constraint.name:
                    self.unvalidated_checks[(table, constraint.name)] = checked
            case ops.ValidateConstraint(table=table, name=name):
                validated = self.unvalidated_checks.pop((table, name), None)
                if validated:
                    self.not_null_checks[(table, validated)] = migration
            case ops.CreateIndex(index=index) if index.name:
                self.created_indexes[index.name] = migration
            case ops.CreateEnumType(name=name, values=values):
                self.created_types[name] = migration
                self.enum_values[name] = values
            case ops.AddEnumValue(type_name=name, value=value) if name in self.enum_values:
                self.enum_values[name] = (*self.enum_values[name], value)
            case ops.RedefineEnumType(name=name, values=values):
                self.enum_values[name] = values
            case _:
                pass

    def seed(self, base_operations: Iterable[ops.Operation]) -> None:
        """Know the columns the database has before the range: replayed from the released
        migrations or read from the schema file at the base. They give later type changes
        their old type; nothing about them counts as made by the range."""
        before = RangeState()
        for operation in base_operations:
            before.apply(operation, "")
        for table, columns in before.columns.items():
            self.columns.setdefault(table, {}).update(columns)
        for name, values in before.enum_values.items():
            self.enum_values.setdefault(name, values)

    def shipped(self) -> None:
        """The migrations seen so far were released before the next one: tables, columns,
        indexes and types they created may hold data by the time it runs."""
        self.created_tables.clear()
        self.added_columns.clear()
        self.created_indexes.clear()
        self.created_types.clear()

    def copy(self) -> RangeState:
        """An independent copy, for judging one migration step by step."""
        return RangeState(
            created_tables=dict(self.created_tables),
            columns={t: dict(c) for t, c in self.columns.items()},
            added_columns=dict(self.added_columns),
            backfilled=dict(self.backfilled),
            nulls_deleted=dict(self.nulls_deleted),
            not_null_checks=dict(self.not_null_checks),
            unvalidated_checks=dict(self.unvalidated_checks),
            temporary_defaults=dict(self.temporary_defaults),
            created_indexes=dict(self.created_indexes),
            created_types=dict(self.created_types),
            enum_values=dict(self.enum_values),
            rows_deleted=dict(self.rows_deleted),
            filled_tables=dict(self.filled_tables),
        )

    def known_column(self, table: str, column: str) -> ops.ColumnDef | None:
        """The column's definition as the range has shown it so far."""
        return self.columns.get(table, {}).get(column)

    def annotated(self, parsed: ops.ParsedMigration) -> ops.ParsedMigration:
        """`parsed` with old types filled in where the range shows them (`INT -> BIGINT`)."""
        scratch = self.copy()
        result: list[ops.Operation] = []
        for operation in parsed.up.operations:
            result.append(scratch._with_old(operation))
            scratch.apply(operation, parsed.id)
        up = dataclasses.replace(parsed.up, operations=tuple(result))
        return dataclasses.replace(parsed, up=up)

    def _with_old(self, operation: ops.Operation) -> ops.Operation:
        if isinstance(operation, ops.RebuildTable) and operation.columns:
            before = self.columns.get(operation.table)
            if before:
                changes = column_changes(before, operation.columns) + operation.changes
                return dataclasses.replace(operation, changes=changes)
        if isinstance(operation, ops.AlterColumnType) and operation.old_type is None:
            known = self.known_column(operation.table, operation.column)
            if known is not None and known.type:
                return dataclasses.replace(operation, old_type=known.type)
        if isinstance(operation, ops.ModifyColumn) and operation.old is None:
            known = self.known_column(operation.table, operation.old_name or operation.column.name)
            if known is not None:
                return dataclasses.replace(operation, old=known)
        return operation

    def _update(self, table: str, column: str, **changes: object) -> None:
        known = self.columns.get(table, {})
        if column in known:
            known[column] = dataclasses.replace(known[column], **changes)  # type: ignore[arg-type]


def not_null_check_column(constraint: ops.Constraint) -> str | None:
    """The column of a `CHECK (col IS NOT NULL)` constraint, the PostgreSQL 12+ way to make a
    later SET NOT NULL skip its scan (strong_migrations change_column_null)."""
    if constraint.kind is not ops.ConstraintKind.CHECK or not constraint.expression:
        return None
    words = constraint.expression.replace('"', "").strip("() ").split()
    if len(words) == 4 and [w.upper() for w in words[1:]] == ["IS", "NOT", "NULL"]:
        return words[0]
    return None


def column_changes(
    before: dict[str, ops.ColumnDef], after: tuple[ops.ColumnDef, ...]
) -> tuple[str, ...]:
    """How a table's columns differ between two definitions, in a reviewer's words."""
    changes: list[str] = []
    names = {c.name for c in after}
    changes.extend(f"drops {name}" for name in before if name not in names)
    for column in after:
        old = before.get(column.name)
        if old is None:
            changes.append(f"adds {column.name}")
            continue
        if (old.type or "").upper() != (column.type or "").upper():
            changes.append(f"{column.name} {old.type} -> {column.type}")
        if (old.nullable is False) != (column.nullable is False):
            changes.append(f"{column.name} {'NOT NULL' if column.nullable is False else 'NULL'}")
    return tuple(changes)
