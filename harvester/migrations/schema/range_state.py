"""What the range's earlier migrations did, so later ones are judged in context.

A table created earlier in the range is empty when the range is deployed, so an index on it
locks nothing; a column added nullable and backfilled earlier makes a later SET NOT NULL
safer; a column's type as created earlier in the range (or at the base, when the system can
tell) is the "old" side of a type change.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harvester.migrations.schema import ops
from harvester.migrations.schema.engines import mysql_charset, random_uuid, same_expression
from harvester.migrations.schema.unique_keys import UniqueKeys

ColumnKey = tuple[str, str]
# Facts of a release's own migrations, which stop holding once that release has shipped.
_PER_RELEASE = (
    "created_tables",
    "backfilled",
    "backfill_sources",
    "random_filled",
    "copied_out",
    "tables_copied_out",
    "nulls_deleted",
    "nulls_filled",
    "added_columns",
    "created_indexes",
    "created_types",
    "added_foreign_keys",
)


# Unread SQL that may add a column to some table (dynamic `EXECUTE 'ALTER TABLE … ADD …'`).
_may_add_columns = re.compile(r"\b(?:add|column)\b", re.IGNORECASE)

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
    # Tables whose every column `columns` shows: created (or rebuilt) by a replayed migration,
    # with no unread SQL since that may have added columns.
    defined_tables: set[str] = field(default_factory=set)
    added_columns: dict[ColumnKey, str] = field(default_factory=dict)
    backfilled: dict[ColumnKey, str] = field(default_factory=dict)
    # Backfilled columns set to another column of the same row as it is (`SET new = old`): old.
    backfill_sources: dict[ColumnKey, str] = field(default_factory=dict)
    # Columns every row of which holds a fresh random UUID (a new column with such a default,
    # an UPDATE of every row to one), with the migration that filled them.
    random_filled: dict[ColumnKey, str] = field(default_factory=dict)
    nulls_deleted: dict[ColumnKey, str] = field(default_factory=dict)
    # Columns an UPDATE … WHERE c IS NULL gave a value in every row that held NULL.
    nulls_filled: dict[ColumnKey, str] = field(default_factory=dict)
    not_null_checks: dict[ColumnKey, str] = field(default_factory=dict)
    unvalidated_checks: dict[tuple[str, str], str] = field(default_factory=dict)
    # Every `CHECK (col IS NOT NULL)` by (table, name) -> its column, to forget it when dropped.
    check_columns: dict[tuple[str, str], str] = field(default_factory=dict)
    # The CHECK constraints of tables whose definition the migrations show: per table, each
    # one's name (or text) -> its text as `check_text` writes it.
    table_checks: dict[str, dict[str, str]] = field(default_factory=dict)
    temporary_defaults: dict[ColumnKey, tuple[str, str]] = field(default_factory=dict)
    defaults_set: dict[ColumnKey, str] = field(default_factory=dict)  # SET DEFAULT, by whom
    created_indexes: dict[str, str] = field(default_factory=dict)
    index_tables: dict[str, str] = field(default_factory=dict)  # index name -> its table
    # Indexes whose definition the migrations show, by name; and per table, those of its old
    # table a rebuild took away, with the migration that rebuilt it (to tell one it creates
    # again from a new one).
    indexes: dict[str, ops.IndexDef] = field(default_factory=dict)
    rebuilt_indexes: dict[str, tuple[str, dict[str, ops.IndexDef]]] = field(default_factory=dict)
    created_types: dict[str, str] = field(default_factory=dict)
    enum_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Tables a DELETE may have left one row per key in (`_may_remove_duplicates`), with the
    # last migration that did.
    rows_deleted: dict[str, str] = field(default_factory=dict)
    filled_tables: dict[str, str] = field(default_factory=dict)  # rows inserted into them
    # (table, column) copied into another table by INSERT … SELECT: (that table, migration,
    # whether the SELECT had a WHERE).
    copied_out: dict[ColumnKey, tuple[str, str, bool]] = field(default_factory=dict)
    # Tables whose rows an INSERT … SELECT copied into another one, the same way.
    tables_copied_out: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    unique_keys: UniqueKeys = field(default_factory=UniqueKeys)
    # Named foreign keys by (table, name), and those the range added (their rules unreleased).
    foreign_keys: dict[tuple[str, str], ops.ForeignKey] = field(default_factory=dict)
    added_foreign_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    # MySQL character sets of tables, as created or converted by the migrations seen.
    charsets: dict[str, str] = field(default_factory=dict)
    # The facts above that hold within one release, put aside while another release's run.
    _per_release: dict[str | None, dict[str, dict[Any, Any]]] = field(
        default_factory=dict, repr=False
    )

    def observe(self, parsed: ops.ParsedMigration, migration: str = "") -> None:
        """Remember what `parsed` did, for the migrations that follow it."""
        for operation in parsed.up.operations:
            self.apply(operation, migration or parsed.id)

    def apply(self, operation: ops.Operation, migration: str) -> None:
        """Record the effect of one operation."""
        self.unique_keys.apply(operation, migration)
        match operation:
            case ops.CreateTable(table=table, columns=columns, may_exist=True):
                self.columns.setdefault(table, {c.name: c for c in columns})
            case ops.CreateTable(table=table, columns=columns, constraints=constraints):
                self.created_tables[table] = migration
                self._set_charset(table, operation.charset)
                self.columns[table] = {c.name: c for c in columns}
                self.defined_tables.add(table)
                self.table_checks[table] = _checks_by_name(constraints, table)
                for column in columns:
                    self._add_foreign_key(table, None, column.references, migration, column.name)
                for constraint in constraints:
                    self._add_foreign_key(table, constraint.name, constraint.foreign_key, migration)
            # Only a rebuild that lists its columns replaces the known ones: one that does not
            # (Rails' SQLite add_foreign_key copies the table as it is) forgets none of them.
            case ops.RebuildTable(table=table, columns=rebuilt) if rebuilt:
                if not operation.applies_alters:
                    self._drop_indexes(table, migration)
                self.columns[table] = {c.name: c for c in rebuilt}
                self.defined_tables.add(table)
                if operation.checks is not None:
                    names = (table, operation.staging or table)
                    self.table_checks[table] = _checks_by_name(operation.checks, *names)
            case ops.TableOptions(table=table, options=options):
                self._set_charset(table, mysql_charset(options))
            case ops.DropTable(table=table):
                self.created_tables.pop(table, None)
                self.charsets.pop(table, None)
                self.columns.pop(table, None)
                self.defined_tables.discard(table)
                self.table_checks.pop(table, None)
                self._drop_indexes(table, None)
                self.tables_copied_out.pop(table, None)
                for copied, copy in list(self.tables_copied_out.items()):
                    if copy[0] == table:  # the copy is gone with it
                        del self.tables_copied_out[copied]
                for key in [k for k in self.foreign_keys if k[0] == table]:
                    del self.foreign_keys[key]
            case ops.RenameTable(old=old, new=new):
                if old in self.created_tables:
                    self.created_tables[new] = self.created_tables.pop(old)
                if old in self.columns:
                    self.columns[new] = self.columns.pop(old)
                if old in self.table_checks:
                    self.table_checks[new] = self.table_checks.pop(old)
                if old in self.charsets:
                    self.charsets[new] = self.charsets.pop(old)
                if old in self.defined_tables:
                    self.defined_tables.discard(old)
                    self.defined_tables.add(new)
                for index, table in self.index_tables.items():
                    if table == old:
                        self.index_tables[index] = new
                for name, moved in self.indexes.items():
                    if moved.table == old:
                        self.indexes[name] = dataclasses.replace(moved, table=new)
                for key in [k for k in self.foreign_keys if k[0] == old]:
                    self.foreign_keys[(new, key[1])] = self.foreign_keys.pop(key)
                for key, foreign_key in self.foreign_keys.items():
                    if foreign_key.ref_table == old:  # the keys that point at it follow it
                        self.foreign_keys[key] = dataclasses.replace(foreign_key, ref_table=new)
            case ops.AddColumn(table=table, column=added, if_not_exists=True):
                # Skipped where the column exists already: it may hold data there.
                self.columns.setdefault(table, {})[added.name] = added
                self._add_foreign_key(table, None, added.references, migration, added.name)
            case ops.AddColumn(table=table, column=added):
                self.columns.setdefault(table, {})[added.name] = added
                self._add_foreign_key(table, None, added.references, migration, added.name)
                self.added_columns[(table, added.name)] = migration
                if random_uuid(added.default):
                    self.random_filled[(table, added.name)] = migration
                if added.default is not None and added.nullable is False:
                    self.temporary_defaults[(table, added.name)] = (added.default, migration)
            case ops.DropColumn(table=table, column=name):
                self.columns.get(table, {}).pop(name, None)
                self.random_filled.pop((table, name), None)
            case ops.RenameColumn(table=table, old=old, new=new):
                known = self.columns.get(table, {})
                if old in known:
                    known[new] = dataclasses.replace(known.pop(old), name=new)
            case ops.AlterColumnType(table=table, column=name, new_type=new_type):
                self._update(table, name, type=new_type)
                if operation.nullable is not None:
                    self._update(table, name, nullable=operation.nullable)
            case ops.ModifyColumn(table=table, column=redefined, old_name=old_name):
                known = self.columns.setdefault(table, {})
                was = known.pop(old_name or redefined.name, None)
                known[redefined.name] = key_kept(was, redefined)
            case ops.SetDefault(table=table, column=name, default=default):
                self.defaults_set[(table, name)] = migration
                self._update(table, name, default=default)
            case ops.DropDefault(table=table, column=name):
                self._update(table, name, default=None)
            case ops.SetNotNull(table=table, column=name):
                self._update(table, name, nullable=False)
            case ops.DropNotNull(table=table, column=name):
                self._update(table, name, nullable=True)
            case ops.DataChange(kind=kind, table=table, columns=columns) if kind in _FILLS:
                # An UPDATE, a mutation or code that sets named columns row by row.
                values = dict(operation.sets)
                for name in columns:
                    self.backfilled[(table or "", name)] = migration
                    read_as_is = _copied_column(operation, name)
                    if read_as_is is None:
                        self.backfill_sources.pop((table or "", name), None)
                    else:
                        self.backfill_sources[(table or "", name)] = read_as_is
                    if not random_uuid(values.get(name)):
                        self.random_filled.pop((table or "", name), None)
                    elif not operation.has_where:
                        self.random_filled[(table or "", name)] = migration
                for name in operation.nulls_filled:
                    self.nulls_filled[(table or "", name)] = migration
            case ops.DataChange(kind=ops.DataChangeKind.INSERT, table=str() as table):
                self.filled_tables[table] = migration
            case ops.DataChange(kind=ops.DataChangeKind.INSERT_SELECT, table=str() as table):
                self.filled_tables[table] = migration
                if operation.source_table and operation.source_table != "a subquery":
                    copy = (table, migration, operation.has_where)
                    self.tables_copied_out[operation.source_table] = copy
                for _, read in operation.reads:
                    source = (operation.source_table or "", read)
                    self.copied_out[source] = (table, migration, operation.has_where)
            case ops.DataChange(kind=ops.DataChangeKind.DELETE, table=table, columns=columns):
                # DELETE … WHERE c IS NULL leaves no NULL in c.
                for name in columns:
                    self.nulls_deleted[(table or "", name)] = migration
                if table and _may_remove_duplicates(operation, table):
                    self.rows_deleted[table] = migration
            case ops.AddConstraint(table=table, constraint=constraint):
                self._add_foreign_key(table, constraint.name, constraint.foreign_key, migration)
                if table in self.table_checks and constraint.kind is ops.ConstraintKind.CHECK:
                    self.table_checks[table].update(_checks_by_name((constraint,), table))
                checked = not_null_check_column(constraint)
                if checked and constraint.name:
                    self.check_columns[(table, constraint.name)] = checked
                if checked and not constraint.not_valid:
                    self.not_null_checks[(table, checked)] = migration
                elif checked and constraint.name:
                    self.unvalidated_checks[(table, constraint.name)] = checked
            case ops.DropConstraint(table=table, name=str() as name):
                self.foreign_keys.pop((table, name), None)
                self.added_foreign_keys.pop((table, name), None)
                self.unvalidated_checks.pop((table, name), None)
                self.table_checks.get(table, {}).pop(name, None)
                checked = self.check_columns.pop((table, name), None)
                if checked:
                    self.not_null_checks.pop((table, checked), None)
                if operation.kind is ops.ConstraintKind.PRIMARY_KEY:
                    self._drop_primary_key(table)
            case ops.ValidateConstraint(table=table, name=name):
                validated = self.unvalidated_checks.pop((table, name), None)
                if validated:
                    self.not_null_checks[(table, validated)] = migration
            case ops.CreateIndex(index=index):
                name = index.name or default_index_name(index)
                self.created_indexes[name] = migration
                self.index_tables[name] = index.table
                self.indexes[name] = index
            case ops.RenameIndex(old=old, new=new, table=table):
                owner = table or self.index_tables.pop(old, None)
                if owner:
                    self.index_tables[new] = owner
                if old in self.created_indexes:
                    self.created_indexes[new] = self.created_indexes.pop(old)
                if old in self.indexes:
                    self.indexes[new] = dataclasses.replace(self.indexes.pop(old), name=new)
            case ops.DropIndex(name=name):
                self.index_tables.pop(name, None)
                self.indexes.pop(name, None)
            case ops.Opaque(raw=True, summary=summary) if _may_add_columns.search(summary):
                self.defined_tables.clear()
            case ops.CreateEnumType(name=name, values=values):
                self.created_types[name] = migration
                self.enum_values[name] = values
            case ops.AddEnumValue(type_name=name, value=value) if name in self.enum_values:
                self.enum_values[name] = (*self.enum_values[name], value)
            case ops.RedefineEnumType(name=name, values=values):
                self.enum_values[name] = values
            case ops.RenameType(old=old, new=new):
                if old in self.created_types:
                    self.created_types[new] = self.created_types.pop(old)
                if old in self.enum_values:
                    self.enum_values[new] = self.enum_values.pop(old)
            case _:
                pass

    def _drop_indexes(self, table: str, rebuilt_by: str | None) -> None:
        """Forget the indexes of a dropped table (DROP TABLE takes them with it); those of a
        table `rebuilt_by` a migration are kept aside for the indexes it creates again."""
        gone = {name: index for name, index in self.indexes.items() if index.table == table}
        for name in gone:
            del self.indexes[name]
        if rebuilt_by is not None:
            self.rebuilt_indexes[table] = (rebuilt_by, gone)

    def _drop_primary_key(self, table: str) -> None:
        known = self.columns.get(table, {})
        for name, column in known.items():
            known[name] = dataclasses.replace(column, primary_key=False)

    def _set_charset(self, table: str, charset: str | None) -> None:
        if charset is not None:
            self.charsets[table] = charset

    def _add_foreign_key(
        self,
        table: str,
        name: str | None,
        key: ops.ForeignKey | None,
        migration: str,
        column: str | None = None,
    ) -> None:
        """Remember a foreign key (declared by a constraint, or by `column`) by its name, or
        by the one PostgreSQL gives an unnamed key."""
        if key is None:
            return
        if column and not key.columns:
            key = dataclasses.replace(key, columns=(column,))
        name = name or key.name or default_foreign_key_name(table, key.columns)
        if not name:
            return
        self.foreign_keys[(table, name)] = key
        if migration:
            self.added_foreign_keys[(table, name)] = migration

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
        for table, keys in before.unique_keys.keys.items():
            self.unique_keys.keys.setdefault(table, list(keys))
        for name, table in before.index_tables.items():
            self.index_tables.setdefault(name, table)
        for name, index in before.indexes.items():
            self.indexes.setdefault(name, index)
        for key, foreign_key in before.foreign_keys.items():
            self.foreign_keys.setdefault(key, foreign_key)
        for table, charset in before.charsets.items():
            self.charsets.setdefault(table, charset)
        # A CHECK added NOT VALID before the range may be validated by a migration of it.
        for key, column in before.unvalidated_checks.items():
            self.unvalidated_checks.setdefault(key, column)
            self.check_columns.setdefault(key, column)
        for table, checks in before.table_checks.items():
            self.table_checks.setdefault(table, dict(checks))
        self.defined_tables |= before.defined_tables

    def enter_release(self, leaving: str | None, entering: str | None) -> None:
        """The next migration shipped in `entering`, the last one in `leaving`. What earlier
        releases did is in use by then: tables, columns, indexes and types they created may
        hold data, the rules of the foreign keys they added apply, and their code may have
        written NULLs again where they backfilled or deleted them, or values where they copied
        them. Only what the migrations of `entering` seen so far did still holds (an order
        that goes back and forth between releases, as Django's across apps, keeps it)."""
        self._per_release[leaving] = {name: dict(getattr(self, name)) for name in _PER_RELEASE}
        kept = self._per_release.pop(entering, {})
        for name in _PER_RELEASE:
            facts = getattr(self, name)
            facts.clear()
            facts.update(kept.get(name, {}))

    def copy(self) -> RangeState:
        """An independent copy, for judging one migration step by step."""
        return RangeState(
            created_tables=dict(self.created_tables),
            columns={t: dict(c) for t, c in self.columns.items()},
            defined_tables=set(self.defined_tables),
            added_columns=dict(self.added_columns),
            backfilled=dict(self.backfilled),
            backfill_sources=dict(self.backfill_sources),
            random_filled=dict(self.random_filled),
            nulls_deleted=dict(self.nulls_deleted),
            nulls_filled=dict(self.nulls_filled),
            not_null_checks=dict(self.not_null_checks),
            unvalidated_checks=dict(self.unvalidated_checks),
            check_columns=dict(self.check_columns),
            table_checks={t: dict(c) for t, c in self.table_checks.items()},
            temporary_defaults=dict(self.temporary_defaults),
            defaults_set=dict(self.defaults_set),
            created_indexes=dict(self.created_indexes),
            index_tables=dict(self.index_tables),
            indexes=dict(self.indexes),
            rebuilt_indexes=dict(self.rebuilt_indexes),
            created_types=dict(self.created_types),
            enum_values=dict(self.enum_values),
            rows_deleted=dict(self.rows_deleted),
            filled_tables=dict(self.filled_tables),
            copied_out=dict(self.copied_out),
            tables_copied_out=dict(self.tables_copied_out),
            unique_keys=self.unique_keys.copy(),
            foreign_keys=dict(self.foreign_keys),
            added_foreign_keys=dict(self.added_foreign_keys),
            charsets=dict(self.charsets),
        )

    def known_column(self, table: str, column: str) -> ops.ColumnDef | None:
        """The column's definition as the range has shown it so far."""
        return self.columns.get(table, {}).get(column)

    def annotated(self, parsed: ops.ParsedMigration) -> ops.ParsedMigration:
        """`parsed` with old types filled in where the range shows them (`INT -> BIGINT`), the
        table of an index dropped or renamed by its name alone, and whether a DROP INDEX IF
        EXISTS may find no index."""
        scratch = self.copy()
        result: list[ops.Operation] = []
        for operation in parsed.up.operations:
            result.append(scratch._with_old(operation, parsed.id))
            scratch.apply(operation, parsed.id)
        up = dataclasses.replace(parsed.up, operations=tuple(result))
        return dataclasses.replace(parsed, up=up)

    def _with_old(self, operation: ops.Operation, migration: str) -> ops.Operation:
        if isinstance(operation, ops.RebuildTable) and operation.columns:
            before = self.columns.get(operation.table)
            if before:
                renamed = dict(operation.renames)
                changes = column_changes(before, operation.columns, renamed)
                if operation.table not in self.defined_tables:
                    # Code harvester cannot read may have added them: not said to be new.
                    changes = tuple(c for c in changes if not c.startswith("adds "))
                changes += operation.changes
                return dataclasses.replace(
                    operation, changes=changes, drops=_dropped_by_copy(before, operation)
                )
        if isinstance(operation, ops.AlterColumnType) and operation.old_type is None:
            known = self.known_column(operation.table, operation.column)
            if known is not None and known.type:
                return dataclasses.replace(operation, old_type=known.type)
        if isinstance(operation, ops.SetDefault):
            known = self.known_column(operation.table, operation.column)
            if known is not None and same_expression(known.default, operation.default):
                name = f"{operation.table}.{operation.column}"
                return ops.Opaque(f"{name} keeps its default {known.default}", line=operation.line)
        if isinstance(operation, ops.CreateIndex) and self._restores(operation.index, migration):
            return dataclasses.replace(operation, recreated=True)
        if isinstance(operation, ops.DropIndex):
            table = operation.table or self.index_tables.get(operation.name)
            # IF EXISTS guards nothing for an index the range or the base schema shows.
            shown = operation.name in self.index_tables or operation.name in self.created_indexes
            guarded = operation.if_exists and not shown
            return dataclasses.replace(operation, table=table, if_exists=guarded)
        if isinstance(operation, ops.RenameIndex) and operation.table is None:
            table = self.index_tables.get(operation.old)
            return dataclasses.replace(operation, table=table) if table else operation
        if isinstance(operation, ops.ModifyColumn) and operation.old is None:
            known = self.known_column(operation.table, operation.old_name or operation.column.name)
            if known is not None:
                column = key_kept(known, operation.column)
                return dataclasses.replace(operation, old=known, column=column)
        return operation

    def _restores(self, index: ops.IndexDef, migration: str) -> bool:
        """True when `migration` rebuilt the index's table and the old table had this very
        index: same name, columns, uniqueness and WHERE."""
        rebuilt_by, old_indexes = self.rebuilt_indexes.get(index.table, ("", {}))
        old = old_indexes.get(index.name or default_index_name(index))
        return (
            rebuilt_by == migration
            and old is not None
            and _spelled(old.columns) == _spelled(index.columns)
            and old.unique == index.unique
            and _spelled((old.where or "",)) == _spelled((index.where or "",))
        )

    def _update(self, table: str, column: str, **changes: object) -> None:
        known = self.columns.get(table, {})
        if column in known:
            known[column] = dataclasses.replace(known[column], **changes)  # type: ignore[arg-type]


def key_kept(old: ops.ColumnDef | None, redefined: ops.ColumnDef) -> ops.ColumnDef:
    """A column MODIFY redefines as it stands after: a primary-key column stays in the key
    (the key is the table's, not the definition's), so it stays NOT NULL whatever the new
    definition says (MySQL declares key columns NOT NULL)."""
    if old is None or not old.primary_key or redefined.primary_key:
        return redefined
    return dataclasses.replace(redefined, primary_key=True, nullable=False)


def default_index_name(index: ops.IndexDef) -> str:
    """The name PostgreSQL gives an unnamed index: `<table>_<columns>_idx` (`expr` for an
    expression)."""
    table = index.table.rsplit(".", 1)[-1]
    parts = [c if re.fullmatch(r"\w+", c) else "expr" for c in index.columns]
    return "_".join([table, *parts, "idx"])[:63]


def _spelled(parts: tuple[str, ...]) -> tuple[str, ...]:
    """Index columns or a condition written alike apart from case, quotes and spacing."""
    return tuple(" ".join(re.sub(r"[\"`\[\]]", "", p).lower().split()) for p in parts)


def default_foreign_key_name(table: str, columns: tuple[str, ...]) -> str | None:
    """The name PostgreSQL gives an unnamed foreign key: `<table>_<columns>_fkey`."""
    if not columns:
        return None
    return "_".join([table.rsplit(".", 1)[-1], *columns, "fkey"])[:63]


def not_null_check_column(constraint: ops.Constraint) -> str | None:
    """The column of a `CHECK (col IS NOT NULL)` constraint, the PostgreSQL 12+ way to make a
    later SET NOT NULL skip its scan (strong_migrations change_column_null)."""
    if constraint.kind is not ops.ConstraintKind.CHECK or not constraint.expression:
        return None
    words = constraint.expression.replace('"', "").strip("() ").split()
    if len(words) == 4 and [w.upper() for w in words[1:]] == ["IS", "NOT", "NULL"]:
        return words[0]
    return None


def check_text(expression: str, *tables: str) -> str:
    """A CHECK expression written one way whichever table name qualifies its columns (SQLite
    rebuilds spell the new table's CHECK with the staging name) and however it is quoted."""
    text = expression
    for table in tables:
        text = re.sub(rf"(?<!\w)[\"`\[]?{re.escape(table)}[\"`\]]?\.", "", text)
    text = re.sub(r"[\"`\[\]]", "", text)
    text = re.sub(r"\bNOT (\w+) IS NULL\b", r"\1 IS NOT NULL", text)  # as sqlglot writes it
    return " ".join(text.split())


def _copied_column(update: ops.DataChange, column: str) -> str | None:
    """The column of the same row `update` sets `column` to as it is (`SET new = old`,
    `= t.old`), or None (a constant, an expression, code)."""
    value = dict(update.sets).get(column)
    if value is None:
        return None
    plain = value.rsplit(".", 1)[-1].strip('"`')
    return plain if (column, plain) in update.reads else None


def _may_remove_duplicates(delete: ops.DataChange, table: str) -> bool:
    """True for a DELETE that may remove a table's duplicate rows: of every row, in code or a
    condition harvester does not read, or one that reads the table again, as the ways to find
    duplicates do (`USING t AS b WHERE t.id > b.id AND …`, `id NOT IN (SELECT min(id) FROM t
    GROUP BY …)`). `WHERE deleted_at IS NOT NULL` removes rows, not duplicates."""
    if delete.where is None:
        return True
    name = re.escape(table.rsplit(".", 1)[-1])
    reread = rf"\b(?:FROM|JOIN|USING)\s+(?:[\w\"`]+\.)?[\"`]?{name}[\"`]?(?![\w.])"
    return re.search(reread, delete.where, re.IGNORECASE) is not None


def _dropped_by_copy(
    before: dict[str, ops.ColumnDef], rebuild: ops.RebuildTable
) -> tuple[str, ...]:
    """The old columns a rebuild's copy leaves behind: not in the new table, not read by the
    copy. Known only when the copy lists plain columns (an expression may read any)."""
    if not rebuild.copies_data or rebuild.unconfirmed or not rebuild.copies:
        return ()
    kept = {c.name for c in rebuild.columns} | {old for _, old in rebuild.copies}
    return tuple(name for name in before if name not in kept)


def _checks_by_name(constraints: Iterable[ops.Constraint], *tables: str) -> dict[str, str]:
    """The CHECK constraints among `constraints`: name (or text) -> text, per `check_text`."""
    found = {}
    for constraint in constraints:
        if constraint.kind is ops.ConstraintKind.CHECK and constraint.expression:
            text = check_text(constraint.expression, *tables)
            found[constraint.name or text] = text
    return found


def column_changes(
    before: dict[str, ops.ColumnDef],
    after: tuple[ops.ColumnDef, ...],
    renamed: dict[str, str] | None = None,
) -> tuple[str, ...]:
    """How a table's columns differ between two definitions, in a reviewer's words;
    `renamed` maps old columns to the new ones a copy moved them into."""
    renamed = {old: new for old, new in (renamed or {}).items() if old in before}
    changes: list[str] = []
    names = {c.name for c in after}
    for name in before:
        if name in renamed:
            changes.append(f"{name} copied into {renamed[name]}")
        elif name not in names:
            changes.append(f"drops {name}")
    for column in after:
        old = before.get(column.name)
        if old is None:
            if column.name not in renamed.values():
                changes.append(f"adds {column.name}")
            continue
        if (old.type or "").upper() != (column.type or "").upper():
            changes.append(f"{column.name} {old.type} -> {column.type}")
        if (old.nullable is False) != (column.nullable is False):
            changes.append(f"{column.name} {'NOT NULL' if column.nullable is False else 'NULL'}")
    return tuple(changes)
