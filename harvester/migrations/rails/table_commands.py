"""Rails statements on whole tables and database objects: `create_table` and its block,
`change_table`, `drop_table`, join tables, extensions, enums and (Scenic) views.

create_table :memberships do |t|
  t.references :user, null: false, foreign_key: true
  t.string :role, null: false, default: "member"
  t.index [:user_id, :role], unique: true
  t.timestamps
end
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.commands import Command, sequence
from harvester.migrations.literals import Arguments, Value, name_of, names_of
from harvester.migrations.rails import tables, types
from harvester.migrations.rails.commands import ColumnCommands, unreadable
from harvester.migrations.rails.ruby import RubyValues
from harvester.migrations.schema import ops

if TYPE_CHECKING:
    pass

# `t.<method>` inside `change_table` -> the statement it stands for.
_CHANGE_TABLE = {
    "column": "add_column",
    "remove": "remove_columns",
    "rename": "rename_column",
    "change": "change_column",
    "change_default": "change_column_default",
    "change_null": "change_column_null",
    "index": "add_index",
    "remove_index": "remove_index",
    "rename_index": "rename_index",
    "references": "add_reference",
    "belongs_to": "add_reference",
    "remove_references": "remove_reference",
    "remove_belongs_to": "remove_reference",
    "timestamps": "add_timestamps",
    "attachment": "add_attachment",
    "remove_attachment": "remove_attachment",
    "remove_timestamps": "remove_timestamps",
    "foreign_key": "add_foreign_key",
    "remove_foreign_key": "remove_foreign_key",
    "check_constraint": "add_check_constraint",
    "remove_check_constraint": "remove_check_constraint",
    "unique_constraint": "add_unique_constraint",
    "exclusion_constraint": "add_exclusion_constraint",
}
_NOT_COLUMNS = frozenset({"column_exists?", "index_exists?", "name", "comment"})
STATEMENTS = frozenset(
    {
        "create_table",
        "change_table",
        "drop_table",
        "create_join_table",
        "drop_join_table",
        "rename_table",
        "enable_extension",
        "disable_extension",
        "create_enum",
        "drop_enum",
        "add_enum_value",
        "rename_enum",
        "rename_enum_value",
        "create_view",
        "update_view",
        "replace_view",
        "drop_view",
        "change_column_comment",
        "change_table_comment",
        "create_schema",
        "drop_schema",
        "create_virtual_table",
        "drop_virtual_table",
    }
)


class TableCommands:
    """Translates table-level statements; `columns` handles what `change_table` stands for."""

    def __init__(self, values: RubyValues, columns: ColumnCommands) -> None:
        self.values = values
        self.columns = columns
        self.ctx = columns.ctx

    def translate(
        self, name: str, args: Arguments, line: int, env: Mapping[str, Value]
    ) -> Command | None:
        """The command for `name(args)`, or None when it is not a table-level statement."""
        if name not in STATEMENTS:
            return None
        if name in ("create_table", "create_join_table"):
            return self.create_table(name, args, line, env)
        if name == "change_table":
            return self.change_table(args, line, env)
        if name in ("drop_table", "drop_join_table"):
            return self.drop_table(name, args, line, env)
        if name == "rename_table":
            if len(args.positional) < 2:
                return unreadable(name, line)
            old, new = name_of(args.positional[0]) or "?", name_of(args.positional[1]) or "?"
            note = (
                f"Rails also renames {old}'s conventionally named indexes and its id sequence, "
                "if it has one"
            )
            return Command(
                (ops.RenameTable(old, new, line=line),), (ops.RenameTable(new, old),), None, (note,)
            )
        return self._object(name, args, line)

    def create_table(
        self, name: str, args: Arguments, line: int, env: Mapping[str, Value]
    ) -> Command:
        """`create_table` (or `create_join_table`) with its block."""
        options = args.options
        if name == "create_join_table":
            if len(args.positional) < 2:
                return unreadable(name, line)
            first, second = (name_of(v) or "?" for v in args.positional[:2])
            table, columns = tables.join_table(first, second, options, self.ctx)
            cols, constraints = list(columns), []
        else:
            if not args.positional:
                return unreadable(name, line)
            table = name_of(args.positional[0]) or "?"
            pk_cols, pk_constraints = tables.primary_key_columns(options, self.ctx)
            cols, constraints = list(pk_cols), list(pk_constraints)
        indexes: list[ops.IndexDef] = []
        for method, call_args, call_line in self._block_calls(args, env):
            self._definition(table, method, call_args, call_line, cols, constraints, indexes)
        up: list[ops.Operation] = []
        notes: list[str] = []
        force = options.get("force")
        if force not in (None, False):
            up.append(
                ops.DropTable(table, if_exists=True, cascade=name_of(force) == "cascade", line=line)
            )
            notes.append(force_note(table))
        if options.get("if_not_exists") is True:
            notes.append(f"create_table {table} with if_not_exists: true: skipped when it exists")
        up.append(
            ops.CreateTable(
                table,
                _first_of_each(cols),
                tuple(constraints),
                if_not_exists=options.get("if_not_exists") is True,
                temporary=options.get("temporary") is True,
                line=line,
            )
        )
        up += [ops.CreateIndex(i, line=line) for i in tables.unique_names(indexes)]
        return Command(tuple(up), (ops.DropTable(table),), None, tuple(notes))

    def _definition(
        self,
        table: str,
        method: str,
        args: Arguments,
        line: int,
        cols: list[ops.ColumnDef],
        constraints: list[ops.Constraint],
        indexes: list[ops.IndexDef],
    ) -> None:
        options = args.options
        if method in ("references", "belongs_to"):
            for ref in args.positional:
                found = tables.reference(
                    table, name_of(ref) or "?", options, self.ctx, standalone=False
                )
                cols.extend(found.columns)
                if found.index is not None:
                    indexes.append(found.index)
                if found.foreign_key is not None:
                    constraints.append(found.foreign_key)
                    if found.index is None and types.mysql_like(self.ctx.dialect):
                        fk = found.foreign_key.foreign_key
                        columns = fk.columns if fk is not None else ()
                        indexes.append(ops.IndexDef(found.foreign_key.name, table, columns))
        elif method == "timestamps":
            cols.extend(tables.timestamps(options, self.ctx))
        elif method == "attachment":
            for value in args.positional:
                for name in names_of(value):
                    cols.extend(tables.attachment_columns(name, options, self.ctx))
        elif method == "index" and args.positional:
            indexes.append(
                tables.index(table, args.positional[0], options, self.ctx, args.unread_options)
            )
        elif method == "foreign_key" and args.positional:
            constraints.append(
                tables.foreign_key(table, name_of(args.positional[0]) or "?", options, self.ctx)
            )
        elif method == "check_constraint" and args.positional:
            command = self.columns.add_check_constraint(
                Arguments((table, *args.positional), options), line
            )
            constraints.extend(
                op.constraint for op in command.up if isinstance(op, ops.AddConstraint)
            )
        elif method in ("unique_constraint", "exclusion_constraint") and args.positional:
            handler = (
                self.columns.add_unique_constraint
                if method == "unique_constraint"
                else self.columns.add_exclusion_constraint
            )
            command = handler(Arguments((table, *args.positional), options), line)
            constraints.extend(
                op.constraint for op in command.up if isinstance(op, ops.AddConstraint)
            )
        elif method in _NOT_COLUMNS:
            return
        else:
            rails_type: str = method
            names = list(args.positional)
            if method in ("column", "primary_key"):
                fallback = "string" if method == "column" else "primary_key"
                rails_type = (name_of(names[1]) if len(names) > 1 else None) or fallback
                names = names[:1]
            if method == "primary_key":
                options = {**options, "primary_key": True}
            for value in names:
                column_name = name_of(value) or "?"
                cols.append(tables.column(column_name, rails_type or "string", options, self.ctx))
                wanted = options.get("index")
                if wanted not in (None, False):
                    index_options = dict(wanted) if isinstance(wanted, dict) else {}
                    indexes.append(tables.index(table, [column_name], index_options, self.ctx))

    def change_table(self, args: Arguments, line: int, env: Mapping[str, Value]) -> Command:
        """`change_table :t do |t| … end`: each `t.` call as the statement it stands for."""
        if not args.positional:
            return unreadable("change_table", line)
        table = args.positional[0]
        found = []
        added: set[str] = set()
        for method, call_args, call_line in self._block_calls(args, env):
            statement = _CHANGE_TABLE.get(method, "add_column")
            positional = call_args.positional
            if statement == "add_column" and method != "column":
                for value in positional:
                    if repr(value) in added:
                        # The other branch of a condition (`if t.respond_to?(:jsonb) … else`):
                        # the first definition is the one shown.
                        continue
                    added.add(repr(value))
                    each = Arguments((table, value, method), call_args.options)
                    found.append(self._column_command(statement, each, call_line))
                continue
            if statement in ("add_reference", "remove_reference") and len(positional) > 1:
                for value in positional:
                    each = Arguments((table, value), call_args.options)
                    found.append(self._column_command(statement, each, call_line))
                continue
            shifted = Arguments((table, *positional), call_args.options)
            found.append(self._column_command(statement, shifted, call_line))
        return sequence(found)

    def drop_table(
        self, name: str, args: Arguments, line: int, env: Mapping[str, Value]
    ) -> Command:
        """`drop_table` (reversible only with the table's definition in a block)."""
        options = args.options
        names = [n for v in args.positional for n in names_of(v)]
        if name == "drop_join_table" and len(names) >= 2:
            restored = self.create_table("create_join_table", args, line, env)
            table = restored.up[-1].table if isinstance(restored.up[-1], ops.CreateTable) else "?"
            return Command((ops.DropTable(table, line=line),), restored.up)
        up = tuple(
            ops.DropTable(
                n,
                if_exists=options.get("if_exists") is True,
                cascade=name_of(options.get("force")) == "cascade",
                line=line,
            )
            for n in names
        )
        if args.block is not None and len(names) == 1:
            restored = self.create_table("create_table", args, line, env)
            return Command(up, restored.up)
        return Command(up, None, f"drop_table {', '.join(names)} without a block")

    def _column_command(self, statement: str, args: Arguments, line: int) -> Command:
        command = self.columns.translate(statement, args, line)
        return command if command is not None else unreadable(statement, line)

    def _block_calls(
        self, args: Arguments, env: Mapping[str, Value]
    ) -> Iterator[tuple[str, Arguments, int]]:
        """`(method, arguments, line)` of each `t.method …` call in the statement's block."""
        if args.block is None or not args.block_params:
            return
        receiver_name = args.block_params[0]
        for node in treesitter.walk(args.block):
            if node.type != "call":
                continue
            receiver = node.child_by_field_name("receiver")
            if receiver is None or treesitter.text(receiver) != receiver_name:
                continue
            method = treesitter.text(node.child_by_field_name("method"))
            if method.endswith("?") or method in _NOT_COLUMNS:
                continue  # a query (`t.respond_to?(:jsonb)`, `t.column_exists?(:x)`), no column
            yield method, self.values.arguments(node, env), treesitter.line(node)

    def _object(self, name: str, args: Arguments, line: int) -> Command:
        first = name_of(args.positional[0]) if args.positional else None
        label = first or "?"
        if name in ("enable_extension", "disable_extension"):
            verb = "enable" if name == "enable_extension" else "disable"
            other = "disable" if verb == "enable" else "enable"
            return Command(
                (ops.Opaque(f"{verb} extension {label}", line=line),),
                (ops.Opaque(f"{other} extension {label}"),),
            )
        if name == "create_enum":
            values = tuple(names_of(args.positional[1])) if len(args.positional) > 1 else ()
            return Command((ops.CreateEnumType(label, values, line=line),), (ops.DropType(label),))
        if name == "drop_enum":
            restore: tuple[ops.Operation, ...] | None
            values = tuple(names_of(args.positional[1])) if len(args.positional) > 1 else ()
            restore = (ops.CreateEnumType(label, values),) if values else None
            return Command(
                (ops.DropType(label, line=line),), restore, f"drop_enum {label} without its values"
            )
        if name == "add_enum_value":
            value = name_of(args.positional[1]) if len(args.positional) > 1 else "?"
            return Command(
                (ops.AddEnumValue(label, value or "?", line=line),), None, f"add_enum_value {label}"
            )
        if name in ("create_view", "update_view", "replace_view", "drop_view"):
            return self._view(name, label, args, line)
        if name in ("create_virtual_table", "drop_virtual_table"):
            return self._virtual_table(name, label, args, line)
        summary = f"{name.replace('_', ' ')} {label}"
        has_from_to = "from" in args.options and "to" in args.options
        down = (ops.Opaque(f"{summary} (reverted)"),) if has_from_to else None
        return Command((ops.Opaque(summary, line=line),), down, f"{name} {label} without from:/to:")

    def _virtual_table(self, name: str, label: str, args: Arguments, line: int) -> Command:
        """SQLite `create_virtual_table :t, :fts5, ["col", "option=…"]` (Rails 8)."""
        module = name_of(args.positional[1]) if len(args.positional) > 1 else "?"
        arguments = names_of(args.positional[2]) if len(args.positional) > 2 else []
        columns = tuple(ops.ColumnDef(a, None) for a in arguments if "=" not in a)
        created = ops.CreateTable(label, columns, line=line)
        note = f"{label} is a SQLite virtual table using {module}"
        if name == "create_virtual_table":
            return Command((created,), (ops.DropTable(label),), None, (note,))
        return Command((ops.DropTable(label, line=line),), (created,), None, (note,))

    def _view(self, name: str, label: str, args: Arguments, line: int) -> Command:
        materialized = args.options.get("materialized") not in (None, False)
        version = args.options.get("version")
        note = f"Scenic view {label}" + (f" version {version}" if version is not None else "")
        create = ops.CreateView(label, materialized, or_replace=name == "replace_view", line=line)
        drop = ops.DropView(label, materialized, line=line)
        reverts = args.options.get("revert_to_version") is not None
        if name == "create_view":
            return Command((create,), (ops.DropView(label, materialized),), None, (note,))
        if name == "drop_view":
            return Command(
                (drop,),
                (create,) if reverts else None,
                f"drop_view {label} without revert_to_version",
                (note,),
            )
        up: tuple[ops.Operation, ...] = (create,) if name == "replace_view" else (drop, create)
        down = up if reverts else None
        return Command(up, down, f"{name} {label} without revert_to_version", (note,))


def force_note(table: Value) -> str:
    """What `create_table …, force:` does before it creates `table`."""
    return f"create_table {table} with force: drops any existing {table} first"


def _first_of_each(columns: list[ops.ColumnDef]) -> tuple[ops.ColumnDef, ...]:
    """A column defined in both branches of a condition (`t.jsonb … if t.respond_to?(:jsonb)`,
    else `t.json …`) is one column: the first branch's (the engine that has the feature)."""
    seen: dict[str, ops.ColumnDef] = {}
    for column in columns:
        seen.setdefault(column.name, column)
    return tuple(seen.values())
