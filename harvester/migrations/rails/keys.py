"""Rails statements on keys and indexes: `add_foreign_key`, `add_check_constraint`, unique and
exclusion constraints, `add_index`/`remove_index`, and the SQLite table copies they cause.

add_foreign_key :posts, :users, column: :author_id, on_delete: :cascade   # fk_rails_…
add_index :posts, [:author_id, :created_at], algorithm: :concurrently
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from harvester.migrations.commands import Command
from harvester.migrations.literals import Arguments, Value, name_of, names_of
from harvester.migrations.rails import naming, tables, types
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema import describe, ops


class KeyCommands:
    """Foreign keys, checks, unique and exclusion constraints, and indexes of existing tables."""

    def __init__(self, ctx: RailsContext) -> None:
        self.ctx = ctx

    def add_foreign_key(self, args: Arguments, line: int) -> Command:
        """`add_foreign_key :from, :to, …` named `fk_rails_…`."""
        table, to_table = name_at(args, 0), name_at(args, 1)
        con = tables.foreign_key(table, to_table, args.options, self.ctx)
        up: list[ops.Operation] = [ops.AddConstraint(table, con, line=line)]
        up += self._rebuilt(table, f"add foreign key {con.name}", line)
        notes: tuple[str, ...] = ()
        if types.mysql_like(self.ctx.dialect) and con.foreign_key is not None:
            cols = ", ".join(con.foreign_key.columns)
            notes = (f"MySQL adds an index on {table}({cols}) for {con.name} unless one exists",)
        return Command(
            tuple(up),
            (ops.DropConstraint(table, con.name, ops.ConstraintKind.FOREIGN_KEY),),
            None,
            notes,
        )

    def remove_foreign_key(self, args: Arguments, line: int) -> Command:
        """`remove_foreign_key :from[, :to]` (reversible only with the referenced table)."""
        table = name_at(args, 0)
        options = dict(args.options)
        to_table = (
            name_of(args.positional[1])
            if len(args.positional) > 1
            else name_of(options.pop("to_table", None))
        )
        name, found_by = _foreign_key_name(table, to_table, options)
        up: list[ops.Operation] = [
            ops.DropConstraint(
                table,
                name,
                ops.ConstraintKind.FOREIGN_KEY,
                options.get("if_exists") is True,
                line=line,
                ref_table=found_by,
            )
        ]
        up += self._rebuilt(table, f"drop foreign key {name}", line)
        if to_table is None:
            return Command(
                tuple(up), None, f"remove_foreign_key on {table} without the referenced table"
            )
        return Command(
            tuple(up),
            (ops.AddConstraint(table, tables.foreign_key(table, to_table, options, self.ctx)),),
        )

    def validate_foreign_key(self, args: Arguments, line: int) -> Command:
        """`validate_foreign_key :from, :to` / `name:`."""
        table = name_at(args, 0)
        to_table = name_of(args.positional[1]) if len(args.positional) > 1 else None
        name, found_by = _foreign_key_name(table, to_table, args.options)
        name = name or naming.foreign_key_name(table, [])
        return Command((ops.ValidateConstraint(table, name, line=line, ref_table=found_by),))

    # --- checks and other constraints ----------------------------------------------------

    def add_check_constraint(self, args: Arguments, line: int) -> Command:
        """`add_check_constraint :t, "expr"` named `chk_rails_…` unless `name:`."""
        table, expression = name_at(args, 0), name_at(args, 1)
        name = name_of(args.options.get("name")) if args.options.get("name") is not None else None
        con = ops.Constraint(
            ops.ConstraintKind.CHECK,
            name=name or naming.check_name(table, expression),
            expression=expression,
            not_valid=args.options.get("validate") is False,
        )
        up: list[ops.Operation] = [ops.AddConstraint(table, con, line=line)]
        up += self._rebuilt(table, f"add check {con.name}", line)
        return Command(tuple(up), (ops.DropConstraint(table, con.name, ops.ConstraintKind.CHECK),))

    def remove_check_constraint(self, args: Arguments, line: int) -> Command:
        """`remove_check_constraint :t[, "expr"]`."""
        table = name_at(args, 0)
        expression = name_of(args.positional[1]) if len(args.positional) > 1 else None
        given = args.options.get("name")
        name = name_of(given) if given is not None else naming.check_name(table, expression or "")
        up: list[ops.Operation] = [
            ops.DropConstraint(table, name, ops.ConstraintKind.CHECK, line=line)
        ]
        up += self._rebuilt(table, f"drop check {name}", line)
        if expression is None:
            return Command(
                tuple(up), None, f"remove_check_constraint on {table} without its expression"
            )
        con = ops.Constraint(ops.ConstraintKind.CHECK, name=name, expression=expression)
        return Command(tuple(up), (ops.AddConstraint(table, con),))

    def validate_check_constraint(self, args: Arguments, line: int) -> Command:
        """`validate_check_constraint :t, name: …`."""
        table = name_at(args, 0)
        given = args.options.get("name")
        expression = name_of(args.positional[1]) if len(args.positional) > 1 else ""
        name = name_of(given) if given is not None else naming.check_name(table, expression or "")
        return Command((ops.ValidateConstraint(table, name or "", line=line),))

    def add_unique_constraint(self, args: Arguments, line: int) -> Command:
        """`add_unique_constraint :t, [:cols]` (PostgreSQL, Rails 7.1)."""
        table = name_at(args, 0)
        columns = names_of(args.positional[1]) if len(args.positional) > 1 else []
        using = (
            name_of(args.options.get("using_index")) if args.options.get("using_index") else None
        )
        given = args.options.get("name")
        name = (
            name_of(given)
            if given is not None
            else naming.unique_constraint_name(table, columns or [using or ""])
        )
        con = ops.Constraint(
            ops.ConstraintKind.UNIQUE, name=name, columns=tuple(columns), using_index=using
        )
        return Command(
            (ops.AddConstraint(table, con, line=line),),
            (ops.DropConstraint(table, name, ops.ConstraintKind.UNIQUE),),
        )

    def add_exclusion_constraint(self, args: Arguments, line: int) -> Command:
        """`add_exclusion_constraint :t, "expr", using: :gist` (PostgreSQL)."""
        table, expression = name_at(args, 0), name_at(args, 1)
        given = args.options.get("name")
        name = name_of(given) if given is not None else naming.exclusion_name(table, expression)
        con = ops.Constraint(ops.ConstraintKind.EXCLUDE, name=name, expression=expression)
        return Command(
            (ops.AddConstraint(table, con, line=line),),
            (ops.DropConstraint(table, name, ops.ConstraintKind.EXCLUDE),),
        )

    # --- indexes -------------------------------------------------------------------------

    def add_index(self, args: Arguments, line: int) -> Command:
        """`add_index :t, cols, …`, named `index_<t>_on_<cols>` unless `name:`."""
        table = name_at(args, 0)
        idx = tables.index(table, args.positional[1], args.options, self.ctx, args.unread_options)
        down = (ops.DropIndex(describe.index_name(idx), table, idx.concurrently),)
        return Command((ops.CreateIndex(idx, line=line),), down)

    def remove_index(self, args: Arguments, line: int) -> Command:
        """`remove_index :t, cols` / `name:` (reversible only with the columns)."""
        table = name_at(args, 0)
        options = args.options
        columns: Value = args.positional[1] if len(args.positional) > 1 else options.get("column")
        idx = tables.index(table, columns, options, self.ctx) if columns is not None else None
        given = name_of(options.get("name")) if options.get("name") is not None else None
        name = given or (idx.name if idx is not None else None) or "(unnamed)"
        found_by = idx.columns if idx is not None and given is None else ()
        concurrently = name_of(options.get("algorithm")) == "concurrently"
        if_exists = options.get("if_exists") is True
        up = (ops.DropIndex(name, table, concurrently, if_exists, line=line, columns=found_by),)
        if idx is None:
            return Command(up, None, f"remove_index {name} without its columns")
        return Command(up, (ops.CreateIndex(replace(idx, name=name)),))

    def rename_index(self, args: Arguments, line: int) -> Command:
        """`rename_index :t, :old, :new`."""
        table, old, new = name_at(args, 0), name_at(args, 1), name_at(args, 2)
        return Command(
            (ops.RenameIndex(old, new, table, line=line),), (ops.RenameIndex(new, old, table),)
        )

    # --- helpers -------------------------------------------------------------------------

    @property
    def _sqlite(self) -> bool:
        return self.ctx.dialect is ops.Dialect.SQLITE

    def _rebuild(self, table: str, what: str, line: int | None) -> ops.RebuildTable:
        return ops.RebuildTable(
            table,
            "Rails SQLite alter_table (copy, drop, rename)",
            True,
            (what,),
            line=line,
            applies_alters=True,
        )

    def _rebuilt(self, table: str, what: str, line: int | None) -> list[ops.Operation]:
        return [self._rebuild(table, what, line)] if self._sqlite else []

    def _implicit_fk_index(
        self, table: str, con: ops.Constraint, index: ops.IndexDef | None, line: int
    ) -> list[ops.Operation]:
        if not types.mysql_like(self.ctx.dialect) or index is not None or con.foreign_key is None:
            return []
        implicit = ops.IndexDef(con.name, table, con.foreign_key.columns)
        return [ops.CreateIndex(implicit, line=line)]


def _foreign_key_name(
    table: str, to_table: str | None, options: Mapping[str, Value]
) -> tuple[str | None, str | None]:
    """The name of the foreign key a statement finds, and the referenced table when it finds
    it by that table alone (Rails takes the table's key to `to_table`, whatever its column:
    the name is then the guess for the conventional column)."""
    if options.get("name") is not None:
        return name_of(options.get("name")), None
    columns = names_of(options.get("column"))
    if columns:
        return naming.foreign_key_name(table, columns), None
    if to_table is None:
        return None, None
    return naming.foreign_key_name(table, [naming.column_for_table(to_table)]), to_table


def name_at(args: Arguments, position: int) -> str:
    """The table, column or index name at `position` of a statement's arguments."""
    return name_of(args.positional[position]) or "?"
