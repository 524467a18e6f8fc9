"""Ecto.Migration commands as schema operations: `create`, `alter`, `drop`, `rename` of tables,
indexes and constraints, and the `add`/`modify`/`remove`/`timestamps` inside their blocks.

create table(:comments) do
  add :post_id, references(:posts, on_delete: :delete_all), null: false
  add :body, :text
  timestamps()
end
create index(:comments, [:post_id], concurrently: true)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.commands import Command, sequence
from harvester.migrations.ecto import types
from harvester.migrations.ecto.elixir import ElixirValues, target_name
from harvester.migrations.ecto.types import EctoContext
from harvester.migrations.literals import Arguments, Call, Sym, Tuple, Value, name_of, names_of
from harvester.migrations.schema import ops

if TYPE_CHECKING:
    from tree_sitter import Node

STATEMENTS = frozenset(
    {"create", "create_if_not_exists", "alter", "drop", "drop_if_exists", "rename"}
)
_DEFAULT_PRIMARY_KEY = Sym("bigserial")


class EctoCommands:
    """Translates the schema commands of one migration."""

    def __init__(self, values: ElixirValues, ctx: EctoContext) -> None:
        self.values = values
        self.ctx = ctx

    def translate(
        self, name: str, args: Arguments, env: Mapping[str, Value], line: int
    ) -> Command | None:
        """The command for `name(args)`, or None when it is not a schema command."""
        if name not in STATEMENTS or not args.positional:
            return None
        subject = args.positional[0]
        if not isinstance(subject, Call):
            summary = f"{name} of something harvester cannot read"
            return Command((ops.Opaque(summary, raw=True, line=line),), None, name)
        if name in ("create", "create_if_not_exists"):
            return self._create(subject, args, env, line, name == "create_if_not_exists")
        if name in ("drop", "drop_if_exists"):
            return self._drop(subject, args, line, name == "drop_if_exists")
        if name == "alter" and subject.name == "table":
            return self._alter(types.table_name(subject), args, env)
        if name == "rename":
            return self._rename(subject, args, line)
        return None

    # --- create ---------------------------------------------------------------------------

    def _create(
        self, subject: Call, args: Arguments, env: Mapping[str, Value], line: int, guarded: bool
    ) -> Command:
        notes = (f"{_label(subject)} created only if it does not exist",) if guarded else ()
        if subject.name in ("index", "unique_index"):
            idx = self.index(subject, if_not_exists=guarded)
            drop_index = ops.DropIndex(idx.name or "", idx.table, idx.concurrently, guarded)
            return Command((ops.CreateIndex(idx, line=line),), (drop_index,), None, notes)
        if subject.name == "constraint":
            table, con = self.constraint(subject)
            drop = ops.DropConstraint(table, con.name, con.kind)
            return Command((ops.AddConstraint(table, con, line=line),), (drop,), None, notes)
        table = types.table_name(subject)
        columns, constraints = self._primary_key(subject)
        for statement, inner, _ in self._block(args, env):
            if statement in ("add", "add_if_not_exists") and len(inner.positional) >= 2:
                column, fk = self.column(table, inner)
                columns.append(column)
                if fk is not None:
                    constraints.append(
                        ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, fk.name, foreign_key=fk)
                    )
            elif statement == "timestamps":
                columns.extend(self.timestamps(inner.options))
        engine = (
            name_of(subject.options.get("engine"))
            if subject.options.get("engine") is not None
            else None
        )
        created = ops.CreateTable(
            table,
            tuple(columns),
            tuple(constraints),
            if_not_exists=guarded,
            engine=engine,
            line=line,
        )
        return Command((created,), (ops.DropTable(table, if_exists=guarded),), None, notes)

    def _primary_key(self, subject: Call) -> tuple[list[ops.ColumnDef], list[ops.Constraint]]:
        option = subject.options.get("primary_key", True)
        if option is False or (self.ctx.dialect is ops.Dialect.CLICKHOUSE and option is True):
            return [], []
        settings = option if isinstance(option, dict) else {}
        name = name_of(settings.get("name")) or "id"
        kind = settings.get("type", _DEFAULT_PRIMARY_KEY)
        column = ops.ColumnDef(name, types.column_type(kind, {}, self.ctx), primary_key=True)
        return [column], []

    def column(self, table: str, args: Arguments) -> tuple[ops.ColumnDef, ops.ForeignKey | None]:
        """`add :name, type, opts` as a column (and the foreign key `references/2` adds)."""
        name = name_of(args.positional[0]) or "?"
        kind = args.positional[1]
        options = args.options
        fk = (
            types.foreign_key(table, name, kind)
            if isinstance(kind, Call) and kind.name == "references"
            else None
        )
        null = options.get("null")
        column = ops.ColumnDef(
            name=name,
            type=types.column_type(kind, options, self.ctx),
            nullable=null if isinstance(null, bool) else None,
            default=types.default_sql(options["default"], self.ctx)
            if "default" in options
            else None,
            primary_key=options.get("primary_key") is True,
            generated=_generated(options.get("generated")),
        )
        return column, fk

    def timestamps(self, options: Mapping[str, Value]) -> list[ops.ColumnDef]:
        """`timestamps()`: `inserted_at`, `updated_at`, NOT NULL, `:naive_datetime` by default."""
        kind = options.get("type", Sym("naive_datetime"))
        null = options.get("null", False)
        default = types.default_sql(options["default"], self.ctx) if "default" in options else None
        found = []
        for key in ("inserted_at", "updated_at"):
            named = options.get(key, Sym(key))
            if named is False:
                continue
            found.append(
                ops.ColumnDef(
                    name_of(named) or key,
                    types.column_type(kind, options, self.ctx),
                    nullable=null if isinstance(null, bool) else None,
                    default=default,
                )
            )
        return found

    def index(self, subject: Call, *, if_not_exists: bool = False) -> ops.IndexDef:
        """`index(:t, [:a, :b], opts)` / `unique_index(...)` with Ecto's default name; `include:`
        lists the covering columns (INCLUDE)."""
        table = _owner(subject)
        columns = names_of(subject.args[1]) if len(subject.args) > 1 else []
        options = subject.options
        given = options.get("name")
        where = options.get("where")
        using = options.get("using")
        return ops.IndexDef(
            name=name_of(given) if given is not None else types.index_name(table, columns),
            table=table,
            columns=tuple(columns),
            unique=subject.name == "unique_index" or options.get("unique") is True,
            concurrently=options.get("concurrently") is True,
            where=name_of(where) if where is not None else None,
            method=name_of(using) if using is not None else None,
            if_not_exists=if_not_exists,
            include=tuple(names_of(options["include"])) if "include" in options else (),
        )

    def constraint(self, subject: Call) -> tuple[str, ops.Constraint]:
        """`constraint(:t, :name, check: …)` / `exclude: …`."""
        table = _owner(subject)
        name = name_of(subject.args[1]) if len(subject.args) > 1 else None
        options = subject.options
        check, exclude = options.get("check"), options.get("exclude")
        kind = ops.ConstraintKind.EXCLUDE if exclude is not None else ops.ConstraintKind.CHECK
        expression = name_of(exclude if exclude is not None else check)
        not_valid = options.get("validate") is False
        return table, ops.Constraint(kind, name=name, expression=expression, not_valid=not_valid)

    # --- alter ----------------------------------------------------------------------------

    def _alter(self, table: str, args: Arguments, env: Mapping[str, Value]) -> Command:
        found = []
        for statement, inner, line in self._block(args, env):
            if statement in ("add", "add_if_not_exists") and len(inner.positional) >= 2:
                column, fk = self.column(table, inner)
                guarded = statement == "add_if_not_exists"
                added = ops.AddColumn(
                    table, replace(column, references=fk), if_not_exists=guarded, line=line
                )
                found.append(Command((added,), (ops.DropColumn(table, column.name, guarded),)))
            elif statement == "modify" and len(inner.positional) >= 2:
                found.append(self._modify(table, inner, line))
            elif statement in ("remove", "remove_if_exists") and inner.positional:
                found.append(self._remove(table, inner, line, statement == "remove_if_exists"))
            elif statement == "timestamps":
                columns = self.timestamps(inner.options)
                up = tuple(ops.AddColumn(table, c, line=line) for c in columns)
                found.append(Command(up, tuple(ops.DropColumn(table, c.name) for c in columns)))
        return sequence(found)

    def _modify(self, table: str, args: Arguments, line: int, *, undo: bool = True) -> Command:
        column, fk = self.column(table, args)
        options = args.options
        source = options.get("from")
        old = self._from_column(table, column.name, source) if source is not None else None
        old_fk = old[1] if old else None
        old_column = old[0] if old else None
        up: list[ops.Operation] = []
        if old_fk is not None:
            up.append(
                ops.DropConstraint(table, old_fk.name, ops.ConstraintKind.FOREIGN_KEY, line=line)
            )
        if self.ctx.dialect is ops.Dialect.SQLITE:
            summary = (
                f"modify {table}.{column.name}: SQLite cannot alter a column (ecto_sqlite3 raises)"
            )
            return Command((ops.Opaque(summary, raw=True, line=line),), None, "modify on SQLite")
        notes: tuple[str, ...] = ()
        if self.ctx.dialect in (ops.Dialect.MYSQL, ops.Dialect.MARIADB, ops.Dialect.CLICKHOUSE):
            up.append(ops.ModifyColumn(table, column, old=old_column, line=line))
            if self.ctx.dialect is not ops.Dialect.CLICKHOUSE and not {"null", "default"} <= set(
                options
            ):
                notes = (
                    f"modify {table}.{column.name} on MySQL redefines the whole column: "
                    "NULL and DEFAULT not repeated here are reset",
                )
        else:
            assert column.type is not None
            old_type = old_column.type if old_column is not None else None
            up.append(ops.AlterColumnType(table, column.name, column.type, old_type, line=line))
            if "null" in options:
                not_null = options["null"] is False
                up.append(
                    (ops.SetNotNull if not_null else ops.DropNotNull)(table, column.name, line=line)
                )
            if "default" in options:
                default = column.default
                up.append(
                    ops.SetDefault(table, column.name, default, line=line)
                    if default is not None
                    else ops.DropDefault(table, column.name, line=line)
                )
        if fk is not None:
            con = ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, fk.name, foreign_key=fk)
            up.append(ops.AddConstraint(table, con, line=line))
        if old_column is None:
            if self.ctx.dialect in (None, ops.Dialect.POSTGRESQL, ops.Dialect.COCKROACHDB):
                notes = (
                    *notes,
                    f"modify {table}.{column.name} without from: states the type {column.type} "
                    "again; nothing is rewritten if the column already has that type",
                )
            return Command(tuple(up), None, f"modify {table}.{column.name} without from:", notes)
        if not undo:
            return Command(tuple(up), (), None, notes)
        kind, old_options = _split_from(source)
        forward = {k: v for k, v in options.items() if k != "from"}
        back_options = {**old_options, "from": _as_from(args.positional[1], forward)}
        back = self._modify(table, Arguments((Sym(column.name), kind), back_options), 0, undo=False)
        return Command(tuple(up), back.up, None, notes)

    def _from_column(
        self, table: str, name: str, source: Value
    ) -> tuple[ops.ColumnDef, ops.ForeignKey | None]:
        kind, options = _split_from(source)
        return self.column(table, Arguments((Sym(name), kind), options))

    def _remove(self, table: str, args: Arguments, line: int, guarded: bool) -> Command:
        name = name_of(args.positional[0]) or "?"
        up = (ops.DropColumn(table, name, guarded, line=line),)
        if len(args.positional) < 2:
            return Command(up, None, f"remove {table}.{name} without its type")
        column, fk = self.column(table, args)
        return Command(up, (ops.AddColumn(table, replace(column, references=fk), guarded),))

    # --- drop and rename ------------------------------------------------------------------

    def _drop(self, subject: Call, args: Arguments, line: int, guarded: bool) -> Command:
        if subject.name in ("index", "unique_index"):
            idx = self.index(subject)
            name = idx.name or ""
            up: tuple[ops.Operation, ...] = (
                ops.DropIndex(name, idx.table, idx.concurrently, guarded, line=line),
            )
            return Command(up, (ops.CreateIndex(replace(idx, if_not_exists=guarded)),))
        if subject.name == "constraint":
            table, con = self.constraint(subject)
            up = (ops.DropConstraint(table, con.name, None, guarded, line=line),)
            if con.expression is None:
                return Command(up, None, f"drop constraint {con.name} without its definition")
            return Command(up, (ops.AddConstraint(table, con),))
        table = types.table_name(subject)
        cascade = name_of(args.options.get("mode")) == "cascade"
        return Command(
            (ops.DropTable(table, guarded, cascade, line=line),), None, f"drop table {table}"
        )

    def _rename(self, subject: Call, args: Arguments, line: int) -> Command:
        to = args.options.get("to")
        if subject.name == "table" and len(args.positional) >= 2:
            table = types.table_name(subject)
            old, new = name_of(args.positional[1]) or "?", name_of(to) or "?"
            return Command(
                (ops.RenameColumn(table, old, new, line=line),),
                (ops.RenameColumn(table, new, old),),
            )
        if subject.name == "table":
            old, new = types.table_name(subject), types.table_name(to)
            return Command((ops.RenameTable(old, new, line=line),), (ops.RenameTable(new, old),))
        if subject.name in ("index", "unique_index"):
            idx = self.index(subject)
            new = name_of(to) or "?"
            return Command(
                (ops.RenameIndex(idx.name or "", new, idx.table, line=line),),
                (ops.RenameIndex(new, idx.name or "", idx.table),),
            )
        return Command((ops.Opaque(f"rename {subject.name}", raw=True, line=line),), None, "rename")

    def _block(self, args: Arguments, env: Mapping[str, Value]) -> list[tuple[str, Arguments, int]]:
        """`(statement, arguments, line)` of each call in a `create`/`alter` block; a `for`
        over a literal list (`for col <- @columns do remove(col) end`) once per item."""
        return self._calls_in(args.block, env) if args.block is not None else []

    def _calls_in(self, node: Node, env: Mapping[str, Value]) -> list[tuple[str, Arguments, int]]:
        found = []
        for child in node.named_children:
            if child.type != "call":
                found += self._calls_in(child, env)
                continue
            args = self.values.arguments(child, env)
            items, variable = self._loop(child, args, env)
            if items is not None and args.block is not None:
                for item in items:
                    found += self._calls_in(args.block, {**env, variable: item})
                continue
            if node.type in ("do_block", "block"):
                found.append((target_name(child), args, treesitter.line(child)))
            if args.block is not None:
                found += self._calls_in(args.block, env)
        return found

    def _loop(
        self, call: Node, args: Arguments, env: Mapping[str, Value]
    ) -> tuple[list[Value] | None, str]:
        """The items and variable of `for x <- [literal list]` (None for any other call)."""
        generator = next((n for n in args.nodes if n.type == "binary_operator"), None)
        if target_name(call) != "for" or generator is None:
            return None, ""
        items = self.values.value(generator.child_by_field_name("right"), env)
        variable = treesitter.text(generator.child_by_field_name("left"))
        return (items, variable) if isinstance(items, list) and len(items) <= 100 else (None, "")


def _split_from(source: Value) -> tuple[Value, dict[str, Value]]:
    """`from: {:string, null: true}` -> (:string, {null: true}); `from: :string` and
    `from: {:string}` -> (:string, {}).

    `{:array, :string}` is a type, not a type with options.
    """
    if isinstance(source, Tuple) and len(source.items) == 2 and isinstance(source.items[1], dict):
        return source.items[0], dict(source.items[1])
    if isinstance(source, Tuple) and len(source.items) == 1:
        return source.items[0], {}
    return source, {}


def _as_from(kind: Value, options: Mapping[str, Value]) -> Value:
    return Tuple((kind, dict(options))) if options else kind


def _owner(subject: Call) -> str:
    """The (prefixed) table an `index(...)` or `constraint(...)` belongs to."""
    prefix = {"prefix": subject.options["prefix"]} if "prefix" in subject.options else {}
    return types.table_name(Call("table", subject.args[:1], prefix))


def _label(subject: Call) -> str:
    """`table posts`, `index posts_user_id_index`, `constraint price_positive` for notes."""
    if subject.name in ("index", "unique_index"):
        columns = names_of(subject.args[1]) if len(subject.args) > 1 else []
        given = subject.options.get("name")
        name = name_of(given) if given is not None else types.index_name(_owner(subject), columns)
        return f"index {name}"
    if subject.name == "constraint":
        return f"constraint {name_of(subject.args[1]) if len(subject.args) > 1 else '?'}"
    return f"table {types.table_name(subject)}"


def _generated(value: Value) -> str | None:
    return name_of(value) if value is not None else None
