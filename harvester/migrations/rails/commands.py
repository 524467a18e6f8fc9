"""Rails schema statements (`add_column`, `add_index`, `add_foreign_key`, …) as commands.

add_column :users, :email, :string, null: false   # AddColumn, undone by DropColumn
change_column :users, :email, :text                # AlterColumnType, cannot be undone
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from harvester.migrations.commands import Command
from harvester.migrations.literals import Arguments, Value, name_of, names_of
from harvester.migrations.rails import tables, types
from harvester.migrations.rails.keys import KeyCommands, name_at
from harvester.migrations.schema import ops

Handler = Callable[["ColumnCommands", Arguments, int], Command]


class ColumnCommands(KeyCommands):
    """Statements that change columns, indexes and constraints of existing tables."""

    def translate(self, name: str, args: Arguments, line: int) -> Command | None:
        """The command for `name(args)`, or None when it is not one of these statements."""
        handler = _HANDLERS.get(name)
        if handler is None:
            return None
        if len(args.positional) < _ARITY.get(name, 2):
            return unreadable(name, line)
        command = handler(self, args, line)
        guard = _guard_note(name, args.options)
        return replace(command, notes=(*command.notes, guard)) if guard else command

    # --- columns -------------------------------------------------------------------------

    def add_column(self, args: Arguments, line: int) -> Command:
        """`add_column :t, :c, :type, …`, undone by dropping the column."""
        table, name = name_at(args, 0), name_at(args, 1)
        rails_type = name_of(args.positional[2]) or "string"
        col = tables.column(name, rails_type, args.options, self.ctx)
        up: list[ops.Operation] = [
            ops.AddColumn(
                table, col, if_not_exists=args.options.get("if_not_exists") is True, line=line
            )
        ]
        if self._sqlite and ((col.nullable is False and col.default is None) or col.primary_key):
            up.append(self._rebuild(table, f"add {name}", line))
        return Command(tuple(up), (ops.DropColumn(table, name),))

    def remove_column(self, args: Arguments, line: int) -> Command:
        """`remove_column :t, :c[, :type]` (reversible only with the type)."""
        table, name = name_at(args, 0), name_at(args, 1)
        up: list[ops.Operation] = [
            ops.DropColumn(table, name, if_exists=args.options.get("if_exists") is True, line=line)
        ]
        up += self._rebuilt(table, f"drop {name}", line)
        if len(args.positional) < 3:
            return Command(tuple(up), None, f"remove_column {table}.{name} without a type")
        rails_type = name_of(args.positional[2]) or "string"
        restored = tables.column(name, rails_type, args.options, self.ctx)
        return Command(tuple(up), (ops.AddColumn(table, restored),))

    def remove_columns(self, args: Arguments, line: int) -> Command:
        """`remove_columns :t, :a, :b[, type: …]`."""
        table = name_at(args, 0)
        columns = [n for value in args.positional[1:] for n in names_of(value)]
        up: list[ops.Operation] = [ops.DropColumn(table, c, line=line) for c in columns]
        up += self._rebuilt(table, "drop " + ", ".join(columns), line)
        rails_type = name_of(args.options.get("type"))
        if rails_type is None:
            return Command(tuple(up), None, f"remove_columns on {table} without type:")
        restored = tuple(
            ops.AddColumn(table, tables.column(c, rails_type, args.options, self.ctx))
            for c in columns
        )
        return Command(tuple(up), restored)

    def add_attachment(self, args: Arguments, line: int) -> Command:
        """Paperclip's `add_attachment :t, :avatar`: its four `avatar_…` columns."""
        table = name_at(args, 0)
        columns = [
            col
            for value in args.positional[1:]
            for name in names_of(value)
            for col in tables.attachment_columns(name, args.options, self.ctx)
        ]
        up = tuple(ops.AddColumn(table, col, line=line) for col in columns)
        return Command(up, tuple(ops.DropColumn(table, col.name) for col in columns))

    def remove_attachment(self, args: Arguments, line: int) -> Command:
        """Paperclip's `remove_attachment :t, :avatar`: drops its four `avatar_…` columns."""
        table = name_at(args, 0)
        names = tables.attachment_column_names(args.positional[1:])
        up = tuple(ops.DropColumn(table, name, line=line) for name in names)
        return Command(up, None, f"remove_attachment on {table}")

    def change_column(self, args: Arguments, line: int) -> Command:
        """`change_column` (a MODIFY on MySQL, a rebuild on SQLite); never reversible. What
        it leaves out (NULL, DEFAULT, comment) ActiveRecord re-states from the current column,
        on MySQL too, so only the options written here change."""
        table, name = name_at(args, 0), name_at(args, 1)
        rails_type = name_of(args.positional[2]) or "string"
        col = tables.column(name, rails_type, args.options, self.ctx)
        assert col.type is not None
        up: list[ops.Operation] = [ops.AlterColumnType(table, name, col.type, line=line)]
        # One ALTER TABLE in Rails: a column made nullable here no longer needs its default.
        if args.options.get("null") is True:
            up.append(ops.DropNotNull(table, name, line=line))
        if "default" in args.options:
            up.append(_default_op(table, name, col.default, line))
        if args.options.get("null") is False:
            up.append(ops.SetNotNull(table, name, line=line))
        up += self._rebuilt(table, f"change {name} to {col.type}", line)
        return Command(tuple(up), None, f"change_column {table}.{name}")

    def change_column_null(self, args: Arguments, line: int) -> Command:
        """`change_column_null :t, :c, false[, fill]`, with the UPDATE a fill value runs."""
        table, name = name_at(args, 0), name_at(args, 1)
        null = args.positional[2]
        up: list[ops.Operation] = []
        if null is False:
            if len(args.positional) > 3 and args.positional[3] is not None:
                fill = types.default_sql(args.positional[3])
                up.append(
                    ops.DataChange(
                        ops.DataChangeKind.UPDATE,
                        table,
                        f"sets {table}.{name} = {fill} where it is NULL, before SET NOT NULL",
                        line=line,
                        columns=(name,),
                    )
                )
            up.append(ops.SetNotNull(table, name, line=line))
            down: tuple[ops.Operation, ...] = (ops.DropNotNull(table, name),)
        else:
            up.append(ops.DropNotNull(table, name, line=line))
            down = (ops.SetNotNull(table, name),)
        up += self._rebuilt(table, f"{name} {'NOT NULL' if null is False else 'NULL'}", line)
        return Command(tuple(up), down)

    def change_column_default(self, args: Arguments, line: int) -> Command:
        """`change_column_default` (reversible with `from:`/`to:`)."""
        table, name = name_at(args, 0), name_at(args, 1)
        given: Value = args.positional[2] if len(args.positional) > 2 else dict(args.options)
        if isinstance(given, dict) and ("from" in given or "to" in given):
            new, old = given.get("to"), given.get("from")
            up: list[ops.Operation] = [_default_op(table, name, types.default_sql(new), line)]
            up += self._rebuilt(table, f"default of {name}", line)
            return Command(tuple(up), (_default_op(table, name, types.default_sql(old), None),))
        changed: list[ops.Operation] = [_default_op(table, name, types.default_sql(given), line)]
        changed += self._rebuilt(table, f"default of {name}", line)
        return Command(
            tuple(changed), None, f"change_column_default {table}.{name} without from:/to:"
        )

    def rename_column(self, args: Arguments, line: int) -> Command:
        """`rename_column :t, :old, :new`."""
        table, old, new = name_at(args, 0), name_at(args, 1), name_at(args, 2)
        up: list[ops.Operation] = [ops.RenameColumn(table, old, new, line=line)]
        up += self._rebuilt(table, f"rename {old} to {new}", line)
        return Command(tuple(up), (ops.RenameColumn(table, new, old),))

    def add_timestamps(self, args: Arguments, line: int) -> Command:
        """`add_timestamps :t` (NOT NULL from Rails 5.0)."""
        table = name_at(args, 0)
        cols = tables.timestamps(args.options, self.ctx)
        up: list[ops.Operation] = [ops.AddColumn(table, c, line=line) for c in cols]
        up += self._rebuilt(table, "add created_at, updated_at", line)
        return Command(tuple(up), tuple(ops.DropColumn(table, c.name) for c in cols))

    def remove_timestamps(self, args: Arguments, line: int) -> Command:
        """`remove_timestamps :t`."""
        table = name_at(args, 0)
        cols = tables.timestamps(args.options, self.ctx)
        up: list[ops.Operation] = [ops.DropColumn(table, c.name, line=line) for c in cols]
        up += self._rebuilt(table, "drop created_at, updated_at", line)
        return Command(tuple(up), tuple(ops.AddColumn(table, c) for c in cols))

    # --- references and foreign keys -----------------------------------------------------

    def add_reference(self, args: Arguments, line: int) -> Command:
        """`add_reference :t, :ref, …`: column(s), index by default, optional foreign key."""
        table, ref = name_at(args, 0), name_at(args, 1)
        found = tables.reference(table, ref, args.options, self.ctx, standalone=True)
        up: list[ops.Operation] = [ops.AddColumn(table, c, line=line) for c in found.columns]
        if found.index is not None:
            up.append(ops.CreateIndex(found.index, line=line))
        down: list[ops.Operation] = []
        if found.foreign_key is not None:
            up.append(ops.AddConstraint(table, found.foreign_key, line=line))
            up += self._implicit_fk_index(table, found.foreign_key, found.index, line)
            up += self._rebuilt(table, "add foreign key", line)
            down.append(
                ops.DropConstraint(table, found.foreign_key.name, ops.ConstraintKind.FOREIGN_KEY)
            )
        if found.index is not None and found.index.name is not None:
            down.append(ops.DropIndex(found.index.name, table))
        down += [ops.DropColumn(table, c.name) for c in reversed(found.columns)]
        return Command(tuple(up), tuple(down))

    def remove_reference(self, args: Arguments, line: int) -> Command:
        """`remove_reference :t, :ref, …`."""
        table, ref = name_at(args, 0), name_at(args, 1)
        found = tables.reference(table, ref, args.options, self.ctx, standalone=True)
        up: list[ops.Operation] = []
        if found.foreign_key is not None:
            up.append(
                ops.DropConstraint(
                    table, found.foreign_key.name, ops.ConstraintKind.FOREIGN_KEY, line=line
                )
            )
        up += [ops.DropColumn(table, c.name, line=line) for c in found.columns]
        up += self._rebuilt(table, f"drop {ref}", line)
        restore: list[ops.Operation] = [ops.AddColumn(table, c) for c in found.columns]
        if found.index is not None:
            restore.append(ops.CreateIndex(found.index))
        if found.foreign_key is not None:
            restore.append(ops.AddConstraint(table, found.foreign_key))
        return Command(tuple(up), tuple(restore))


def _default_op(table: str, column: str, default: str | None, line: int | None) -> ops.Operation:
    if default is None:
        return ops.DropDefault(table, column, line=line)
    return ops.SetDefault(table, column, default, line=line)


def unreadable(name: str, line: int) -> Command:
    """A statement whose arguments harvester cannot read: reported, never guessed."""
    return Command(
        (ops.Opaque(f"{name} with arguments harvester cannot read", raw=True, line=line),),
        None,
        name,
    )


def _guard_note(name: str, options: Mapping[str, Value]) -> str | None:
    for key in ("if_not_exists", "if_exists"):
        if options.get(key) is True:
            return f"{name} with {key}: true: skipped when the database already matches"
    return None


_HANDLERS: dict[str, Handler] = {
    "add_column": ColumnCommands.add_column,
    "remove_column": ColumnCommands.remove_column,
    "remove_columns": ColumnCommands.remove_columns,
    "add_attachment": ColumnCommands.add_attachment,
    "remove_attachment": ColumnCommands.remove_attachment,
    "change_column": ColumnCommands.change_column,
    "change_column_null": ColumnCommands.change_column_null,
    "change_column_default": ColumnCommands.change_column_default,
    "rename_column": ColumnCommands.rename_column,
    "add_timestamps": ColumnCommands.add_timestamps,
    "remove_timestamps": ColumnCommands.remove_timestamps,
    "add_reference": ColumnCommands.add_reference,
    "add_belongs_to": ColumnCommands.add_reference,
    "remove_reference": ColumnCommands.remove_reference,
    "remove_belongs_to": ColumnCommands.remove_reference,
    "add_foreign_key": ColumnCommands.add_foreign_key,
    "remove_foreign_key": ColumnCommands.remove_foreign_key,
    "validate_foreign_key": ColumnCommands.validate_foreign_key,
    "add_check_constraint": ColumnCommands.add_check_constraint,
    "remove_check_constraint": ColumnCommands.remove_check_constraint,
    "validate_check_constraint": ColumnCommands.validate_check_constraint,
    "add_unique_constraint": ColumnCommands.add_unique_constraint,
    "add_exclusion_constraint": ColumnCommands.add_exclusion_constraint,
    "add_index": ColumnCommands.add_index,
    "remove_index": ColumnCommands.remove_index,
    "rename_index": ColumnCommands.rename_index,
}


def _remove_constraint(kind: ops.ConstraintKind) -> Handler:
    def handler(_: ColumnCommands, args: Arguments, line: int) -> Command:
        """`remove_unique_constraint` / `remove_exclusion_constraint` (never reversible)."""
        table = name_at(args, 0)
        given = args.options.get("name")
        name = name_of(given) if given is not None else None
        up = (ops.DropConstraint(table, name, kind, line=line),)
        return Command(up, None, f"removal of a {kind.value} constraint on {table}")

    return handler


_HANDLERS["remove_unique_constraint"] = _remove_constraint(ops.ConstraintKind.UNIQUE)
_HANDLERS["remove_exclusion_constraint"] = _remove_constraint(ops.ConstraintKind.EXCLUDE)
_ARITY = {
    "add_column": 3,
    "change_column": 3,
    "change_column_null": 3,
    "change_column_default": 2,
    "rename_column": 3,
    "rename_index": 3,
    "add_timestamps": 1,
    "remove_timestamps": 1,
    "remove_foreign_key": 1,
    "validate_foreign_key": 1,
    "remove_check_constraint": 1,
    "validate_check_constraint": 1,
    "add_unique_constraint": 1,
    "remove_unique_constraint": 1,
    "remove_exclusion_constraint": 1,
    "remove_index": 1,
    "remove_columns": 1,
}

STATEMENTS = frozenset(_HANDLERS)
"""Every statement name `ColumnCommands` translates."""
