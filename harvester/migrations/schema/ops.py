"""Schema operations: the one language every migration system is translated into.

SQL statements, Django operations, Alembic `op.*` calls, Rails and Ecto DSL calls all become
these records; facts (`assemble`) and data-impact rules (`rules`) read nothing else. A system
that understands something the SQL layer cannot see (a Python data migration, a guard such as
`index_exists?`) says so with `DataChange`, `Opaque` or the `note` fields, never with its own
risk rules.

Names are as the database sees them: `table`, `column`, index and constraint names after the
ORM's naming conventions. Types are as written in the migration, or as the ORM maps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Dialect(str, Enum):
    """Database engines harvester has rules for."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    SQLITE = "sqlite"
    CLICKHOUSE = "clickhouse"
    COCKROACHDB = "cockroachdb"
    SQLSERVER = "sqlserver"


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A foreign-key reference."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None
    not_valid: bool = False
    deferrable: bool = False


@dataclass(frozen=True, slots=True)
class ColumnDef:
    """A column as a migration declares it.

    `nullable` is None when the migration does not say (SQL's default: nullable);
    `default` is the expression as written (`'active'`, `now()`, `0`).
    """

    name: str
    type: str | None
    nullable: bool | None = None
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    references: ForeignKey | None = None
    generated: str | None = None
    auto_increment: bool = False

    @property
    def numbers_rows(self) -> bool:
        """AUTO_INCREMENT, a SERIAL type or an identity column gives each row its own value."""
        identity = bool(self.generated and "IDENTITY" in self.generated)
        return self.auto_increment or (self.type or "").upper().endswith("SERIAL") or identity


class ConstraintKind(str, Enum):
    """Kinds of table constraint."""

    PRIMARY_KEY = "PRIMARY KEY"
    FOREIGN_KEY = "FOREIGN KEY"
    UNIQUE = "UNIQUE"
    CHECK = "CHECK"
    EXCLUDE = "EXCLUDE"


@dataclass(frozen=True, slots=True)
class Constraint:
    """A table constraint; `foreign_key` is set for FOREIGN KEY, `expression` for CHECK."""

    kind: ConstraintKind
    name: str | None = None
    columns: tuple[str, ...] = ()
    expression: str | None = None
    foreign_key: ForeignKey | None = None
    not_valid: bool = False
    using_index: str | None = None
    nulls_not_distinct: bool = False  # PostgreSQL 15+: NULLs in the key count as equal


@dataclass(frozen=True, slots=True)
class IndexDef:
    """An index; `columns` are column names or expressions as written. `options_unread` are
    options harvester cannot read (Rails' `**opts`), as written: the index may be unique, and
    its name is unknown (`name` is None)."""

    name: str | None
    table: str
    columns: tuple[str, ...]
    unique: bool = False
    concurrently: bool = False
    where: str | None = None
    method: str | None = None
    if_not_exists: bool = False
    algorithm: str | None = None
    include: tuple[str, ...] = ()  # covering columns stored in the index (INCLUDE)
    options_unread: str | None = None
    nulls_not_distinct: bool = False  # PostgreSQL 15+: NULLs in the key count as equal


# --- Operations ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateTable:
    """CREATE TABLE, with its columns and table constraints. `may_exist`: created only where
    it is missing (an idempotent CREATE TABLE IF NOT EXISTS the same step then alters, Rails'
    `create_table … unless table_exists?`), written for databases that already have it."""

    table: str
    columns: tuple[ColumnDef, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    if_not_exists: bool = False
    as_select: str | None = None
    temporary: bool = False
    engine: str | None = None
    may_exist: bool = False
    line: int | None = field(default=None, compare=False)
    charset: str | None = None  # MySQL's character set for the table, when the file names it


@dataclass(frozen=True, slots=True)
class DropTable:
    """DROP TABLE."""

    table: str
    if_exists: bool = False
    cascade: bool = False
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RenameTable:
    """ALTER TABLE … RENAME TO / RENAME TABLE."""

    old: str
    new: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ExchangeTables:
    """ClickHouse EXCHANGE TABLES a AND b (an atomic swap)."""

    first: str
    second: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RebuildTable:
    """A table recreated by create-copy-drop-rename (SQLite's 12 steps, a ClickHouse swap).

    Patterns produce it from the statements; it is not a drop. `copies_data` is False when the
    old rows are not carried over (`data_not_migrated`). `columns` is the new definition, when
    the statements give it; `staging` the temporary name the new table was built under.
    `applies_alters` is True when a framework rebuilds the table to apply the migration's own
    ALTERs of it (Alembic's batch mode, Rails' and Django's SQLite adapters), so constraints
    SQLite cannot add to a table are declared on the new one; `declares_columns` are the added
    columns the new table declares (no ALTER TABLE ADD COLUMN runs for them). `copies` pairs
    each new column the copy fills straight from an old one with that column. `checks` are
    the new table's CHECK constraints when its CREATE TABLE shows them (None: not shown).
    `unconfirmed` says how rows may reach the new table when no copy harvester can follow
    does (its own INSERT … VALUES, code it cannot read): then nothing is said to be lost.
    `keeps_only` is the WHERE of a copy that leaves old rows out (`deleted_time IS NULL`):
    the rows it leaves out are lost.
    `unfilled` are the new table's NOT NULL columns without a default that the copy leaves
    out: copying any row fails. `drops` are the old table's columns the new one lacks and the
    copy does not read (set once the old columns are known): their values are lost.
    """

    table: str
    via: str
    copies_data: bool = True
    changes: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)
    columns: tuple[ColumnDef, ...] = ()
    staging: str | None = None
    applies_alters: bool = False
    declares_columns: tuple[str, ...] = ()
    copies: tuple[tuple[str, str], ...] = ()
    checks: tuple[Constraint, ...] | None = None
    unconfirmed: str | None = None
    unfilled: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    keeps_only: str | None = None

    @property
    def renames(self) -> tuple[tuple[str, str], ...]:
        """(old column, new column) for each old column the copy moves into a column of
        another name that the new table has instead of it."""
        kept = {c.name for c in self.columns}
        return tuple((old, new) for new, old in self.copies if old != new and old not in kept)


@dataclass(frozen=True, slots=True)
class AddColumn:
    """ALTER TABLE … ADD COLUMN; `position` is MySQL's `FIRST` or `AFTER col` when given."""

    table: str
    column: ColumnDef
    if_not_exists: bool = False
    line: int | None = field(default=None, compare=False)
    position: str | None = None


@dataclass(frozen=True, slots=True)
class DropColumn:
    """ALTER TABLE … DROP COLUMN."""

    table: str
    column: str
    if_exists: bool = False
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RenameColumn:
    """ALTER TABLE … RENAME COLUMN."""

    table: str
    old: str
    new: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AlterColumnType:
    """A column type change; `old_type` when the range (or the ORM's state) shows it. `via`
    names the temporary column a copy-and-rename type change went through, and `nullable`
    is the NULL rule that copy leaves (the temporary column's)."""

    table: str
    column: str
    new_type: str
    old_type: str | None = None
    using: str | None = None
    line: int | None = field(default=None, compare=False)
    via: str | None = None
    nullable: bool | None = None


@dataclass(frozen=True, slots=True)
class SetNotNull:
    """ALTER COLUMN … SET NOT NULL (or its ORM equivalent)."""

    table: str
    column: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DropNotNull:
    """ALTER COLUMN … DROP NOT NULL."""

    table: str
    column: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SetDefault:
    """ALTER COLUMN … SET DEFAULT."""

    table: str
    column: str
    default: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DropDefault:
    """ALTER COLUMN … DROP DEFAULT."""

    table: str
    column: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ModifyColumn:
    """MySQL MODIFY/CHANGE COLUMN, ClickHouse MODIFY COLUMN: a full redefinition."""

    table: str
    column: ColumnDef
    old_name: str | None = None
    old: ColumnDef | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CreateIndex:
    """CREATE INDEX (or an index added by ALTER TABLE). `recreated`: the table was just
    rebuilt, and its old table had this index (same name, columns, uniqueness and WHERE),
    which the rebuild's DROP TABLE took away: it is restored over the copied rows, not new."""

    index: IndexDef
    line: int | None = field(default=None, compare=False)
    recreated: bool = False


@dataclass(frozen=True, slots=True)
class DropIndex:
    """DROP INDEX. `columns` are the columns a statement finds the index by instead of its
    name (Rails' `remove_index :t, :col`): `name` is then only the conventional guess."""

    name: str
    table: str | None = None
    concurrently: bool = False
    if_exists: bool = False
    line: int | None = field(default=None, compare=False)
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RenameIndex:
    """ALTER INDEX … RENAME TO."""

    old: str
    new: str
    table: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AddConstraint:
    """ALTER TABLE … ADD CONSTRAINT."""

    table: str
    constraint: Constraint
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DropConstraint:
    """ALTER TABLE … DROP CONSTRAINT; `kind` when known (FOREIGN KEY for drop_foreign_key).
    `ref_table`: the foreign key is found by the table it references (Rails'
    `remove_foreign_key :from, :to`): `name` is then only the conventional guess."""

    table: str
    name: str | None
    kind: ConstraintKind | None = None
    if_exists: bool = False
    line: int | None = field(default=None, compare=False)
    ref_table: str | None = None


@dataclass(frozen=True, slots=True)
class ValidateConstraint:
    """ALTER TABLE … VALIDATE CONSTRAINT; `ref_table` as for `DropConstraint`."""

    table: str
    name: str
    line: int | None = field(default=None, compare=False)
    ref_table: str | None = None


@dataclass(frozen=True, slots=True)
class CreateEnumType:
    """CREATE TYPE … AS ENUM."""

    name: str
    values: tuple[str, ...]
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AddEnumValue:
    """ALTER TYPE … ADD VALUE."""

    type_name: str
    value: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DropType:
    """DROP TYPE."""

    name: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RedefineEnumType:
    """PostgreSQL's way to change an enum's values (Prisma writes it for every removed value):
    a new type under a temporary name, columns converted to it, the old type dropped and the
    new one renamed to the old name. Patterns fold those statements into this."""

    name: str
    values: tuple[str, ...]
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RenameType:
    """ALTER TYPE … RENAME TO (the last step of PostgreSQL's enum rebuild)."""

    old: str
    new: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CreateView:
    """CREATE [MATERIALIZED] VIEW; `definition` is its query, normalised, when parsed."""

    name: str
    materialized: bool = False
    or_replace: bool = False
    to_table: str | None = None
    line: int | None = field(default=None, compare=False)
    definition: str | None = None


@dataclass(frozen=True, slots=True)
class DropView:
    """DROP [MATERIALIZED] VIEW."""

    name: str
    materialized: bool = False
    if_exists: bool = False
    line: int | None = field(default=None, compare=False)


class DataChangeKind(str, Enum):
    """What a data-changing step does to rows."""

    UPDATE = "update"
    INSERT = "insert"
    INSERT_SELECT = "insert_select"
    DELETE = "delete"
    TRUNCATE = "truncate"
    MUTATION = "mutation"
    CODE = "code"
    CHECK = "check"
    """Reads rows and raises on unexpected ones; changes none."""


@dataclass(frozen=True, slots=True)
class DataChange:
    """A step that reads or rewrites rows: UPDATE, DELETE, RunPython, update_all, …

    `detail` says what it does in a reviewer's words ("loops over rows and saves each one");
    `reversible` is False when the system's reverse step is missing or a no-op.
    `raises_on_data` marks code that fails on unexpected rows (`data_dependent`).
    `columns` are the columns an UPDATE sets or an INSERT fills, when the step says;
    `reads` pairs each column an UPDATE sets with a column of the same row its new value
    reads (`SET new_name = old_name` gives ("new_name", "old_name")); `sets` pairs each
    column an UPDATE sets with its new value as written (`SET token = NULL`);
    `unmatched_in` pairs each table its WHERE requires no matching row in with that test as
    written (`NOT EXISTS (SELECT 1 FROM users u WHERE u.id = polls.user_id)`, `user_id NOT
    IN (SELECT id FROM users)`): the step removes or clears orphans. `nulls_filled` are the
    columns whose NULL rows it sets to a value (`SET c = v WHERE c IS NULL`): none stays NULL.
    `where` is an UPDATE's condition as written, when the step shows it; a DELETE's is its
    USING or JOIN clause and WHERE (`USING tags AS b WHERE tags.id > b.id`); an INSERT …
    SELECT's, the WHERE of a SELECT that reads one table (the rows it keeps).
    `code_columns` are the only columns code looping over rows writes (`tag.update_attribute(
    :position, i)`), on rows of a table it may not name.
    """

    kind: DataChangeKind
    table: str | None = None
    detail: str = ""
    has_where: bool = True
    source_table: str | None = None
    reversible: bool | None = None
    raises_on_data: bool = False
    line: int | None = field(default=None, compare=False)
    columns: tuple[str, ...] = ()
    reads: tuple[tuple[str, str], ...] = ()
    sets: tuple[tuple[str, str], ...] = ()
    unmatched_in: tuple[tuple[str, str], ...] = ()
    nulls_filled: tuple[str, ...] = ()
    where: str | None = None
    code_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableOptions:
    """A table-level option change: engine, collation, charset, TTL, settings."""

    table: str
    options: tuple[str, ...]
    rewrites: bool = False
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SessionSetting:
    """A session setting the migration makes before its DDL (`SET lock_timeout = '5s'`)."""

    name: str
    value: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Opaque:
    """A statement harvester parsed but does not model (GRANT, CREATE FUNCTION, …), or raw SQL
    the ORM cannot inspect. `raw` is True when nobody could parse it; `state_only` when it
    runs nothing in the database (a Django change of model state alone)."""

    summary: str
    raw: bool = False
    line: int | None = field(default=None, compare=False)
    state_only: bool = False


Operation = (
    CreateTable
    | DropTable
    | RenameTable
    | ExchangeTables
    | RebuildTable
    | AddColumn
    | DropColumn
    | RenameColumn
    | AlterColumnType
    | SetNotNull
    | DropNotNull
    | SetDefault
    | DropDefault
    | ModifyColumn
    | CreateIndex
    | DropIndex
    | RenameIndex
    | AddConstraint
    | DropConstraint
    | ValidateConstraint
    | CreateEnumType
    | AddEnumValue
    | DropType
    | RenameType
    | RedefineEnumType
    | CreateView
    | DropView
    | DataChange
    | TableOptions
    | SessionSetting
    | Opaque
)


@dataclass(frozen=True, slots=True)
class Step:
    """One direction (up or down) of a migration as operations, with how it runs.

    `broken` names calls that cannot run as written (`op.drop_constraint(None, …)`), with
    their lines: a down step with any is a `down_migration_bug`.
    """

    operations: tuple[Operation, ...] = ()
    transactional: bool | None = None
    notes: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedMigration:
    """What a migration system read from one migration, before facts and rules.

    `down` is None when the system has no down steps by design (Prisma, plain SQL folders);
    `down_declared` is False when the system supports them but this migration has none;
    `down_is_noop` when it exists but does nothing (`pass`, `RunPython.noop`, `:ok`).
    `after_deploy`: it runs once the new release is deployed (Rails' `db/post_migrate`,
    django-safemigrate's `Safe.after_deploy()`), when the previous release's code is gone.
    """

    id: str
    path: str
    up: Step
    down: Step | None = None
    down_path: str | None = None
    down_declared: bool = True
    down_is_noop: bool = False
    sort_key: tuple[object, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    after_deploy: bool = False
