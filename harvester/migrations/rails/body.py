"""The statements of a Rails migration method as commands: schema statements, `reversible`,
`up_only`, guards, `rescue` clauses, loops over literals, `execute` SQL and model code that
changes rows.

def change
  add_column :accounts, :status, :string
  reversible do |dir|
    dir.up { execute "UPDATE accounts SET status = 'active'" }
  end
  Account.where(status: nil).update_all(status: "draft")
end
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, cast

from harvester.migrations import treesitter
from harvester.migrations.commands import Command, StepState, inverted, sequence, sql_command
from harvester.migrations.literals import PLACEHOLDER, Arguments, Code, Interpolated, Value
from harvester.migrations.rails import conditions, models, rescues
from harvester.migrations.rails.commands import ColumnCommands
from harvester.migrations.rails.ruby import RubyValues
from harvester.migrations.rails.table_commands import TableCommands, force_note
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema import ops
from harvester.migrations.timestamped import Guard

if TYPE_CHECKING:
    from tree_sitter import Node

_SQL = frozenset({"execute", "exec_query", "exec_update", "exec_delete", "exec_insert"})
# The connection's statement methods a migration reaches through method_missing.
_STATEMENTS = frozenset({"update", "insert", "delete"})
_READS = frozenset({"select_all", "select_one", "select_value", "select_values", "select_rows"})
# Kernel and logging methods that do not touch the database.
_QUIET = frozenset(
    """
    say puts print p pp sleep require require_relative logger warn rand srand format sprintf
    lambda proc binding caller Integer Float String Array Hash Rational freeze
    """.split()  # noqa: SIM905 (a word list reads better than one word a line)
)
_WRAPPERS = frozenset(
    {
        "say_with_time",
        "transaction",
        "suppress_messages",
        "with_lock_retries",
        "disable_statement_timeout",
    }
)
_CONNECTIONS = frozenset(
    {"connection", "ActiveRecord::Base.connection", "ApplicationRecord.connection"}
)
_LOOPS = frozenset(
    {
        "each",
        "each_with_index",
        "each_pair",
        "map",
        "each_slice",
        "find_each",
        "in_batches",
        "times",
    }
)
_LOOP_LIMIT = 100
_BRANCHES = frozenset({"if", "unless", "if_modifier", "unless_modifier", "conditional"})
_BARE_STATEMENTS = frozenset({"up_only", "reversible", "revert"})
_RUNS_AGAIN = "model code in `change` is not reversed: it runs again on rollback"
_RUNS_AGAIN_SQL = "SQL run by update/insert/delete in `change` is not reversed: it runs again"
RAISES_IRREVERSIBLE = "raises IrreversibleMigration"
"""The note of a `raise ActiveRecord::IrreversibleMigration` that runs."""


class BodyReader:
    """Reads method bodies of one migration class into commands."""

    def __init__(
        self,
        values: RubyValues,
        ctx: RailsContext,
        helpers: Mapping[str, Node],
        known_models: Mapping[str, str],
    ) -> None:
        self.values = values
        self.ctx = ctx
        self.columns = ColumnCommands(ctx)
        self.tables = TableCommands(values, self.columns)
        self.helpers = helpers
        self.models = models.ModelCode(known_models)
        self.state = StepState()
        self.guards: list[Guard] = []
        # Files the migration loads with require_relative, by the constant each defines.
        self.required: Mapping[str, str] = {}
        # Modules the class includes (`include MigrationHelpers`): where unknown methods may be.
        self.included: tuple[str, ...] = ()
        self._inlining: set[str] = set()

    def read(self, body: Node | None, env: Mapping[str, Value], in_change: bool) -> Command:
        """The commands of a body (method, block, branch) in order."""
        if body is None:
            return Command(())
        return self._statements(body.named_children, dict(env), in_change)

    def _statements(
        self, statements: Sequence[Node], env: dict[str, Value], in_change: bool
    ) -> Command:
        """Statements in order; those after an early return (`return if …`) are guarded by it."""
        found: list[Command] = []
        branched: list[Command] = []
        for index, node in enumerate(statements):
            if conditions.leaves_early(node):
                rest = statements[index + 1 :]
                command = self._conditional(node, env, in_change, rest)
                # `next unless x` skips the rest of one pass of a block, not the migration.
                found.append(_per_pass(command) if conditions.skips_a_pass(node) else command)
                branched.append(found[-1])
                break
            commands = self._statement(node, env, in_change)
            if node.type in _BRANCHES:
                branched.extend(commands)
            found.extend(commands)
        if any(c.up for c in found if not any(c is b for b in branched)):
            # Other statements run whatever the conditions say: each guards only a part.
            found = [_partly(c) if any(c is b for b in branched) else c for c in found]
        return sequence(found)

    def _statement(self, node: Node, env: dict[str, Value], in_change: bool) -> list[Command]:
        kind = node.type
        if kind in ("comment", "heredoc_body", "empty_statement", "return", "next", "break"):
            return []
        if kind == "call":
            return self._call(node, env, in_change)
        if kind == "identifier":
            name = treesitter.text(node)
            if name in env or not (name in self.helpers or name in _BARE_STATEMENTS):
                return []  # a local variable, or a value a block returns
            return self._named(name, Arguments(), node, env, in_change)
        if kind in ("if", "unless", "elsif", "if_modifier", "unless_modifier", "conditional"):
            return [self._conditional(node, env, in_change)]
        if kind == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None:
                value = self.values.value(right, env)
                env[treesitter.text(left)] = value
                env.update(_destructured(left, value))
                self.models.bind(treesitter.text(left), right, self.values)
                if isinstance(value, Code):
                    return self._statement(right, env, in_change)
            return []
        if kind in (
            "begin",
            "body_statement",
            "then",
            "else",
            "do",
            "parenthesized_statements",
            "block_body",
        ):
            return [self.read(node, env, in_change)]
        if kind == "case" and (chosen := conditions.case_branch(node, self.ctx.dialect)):
            inner = self._statements(chosen.body, env, in_change)
            return [replace(inner, notes=(*inner.notes, chosen.note or ""))]
        if kind in ("while", "until", "for"):
            body = node.child_by_field_name("body")
            inner = self.read(body, env, in_change)
            return [replace(inner, notes=(*inner.notes, f"runs in a `{kind}` loop"))]
        if kind == "rescue":
            return [self._rescued(node, env, in_change)]
        if kind == "ensure":
            inner = self.read(node, env, in_change)
            note = "runs in `ensure`: after the steps before it, even when they fail"
            return [replace(inner, notes=(*inner.notes, note)) if inner.up else inner]
        if kind == "binary" and (link := self.models.association_write(node)) is not None:
            return [self._data_command(link, in_change)]
        if kind == "rescue_modifier":
            body = node.child_by_field_name("body")
            return self._statement(body, env, in_change) if body is not None else []
        return [self._nested(node, env, in_change)]

    def _rescued(self, node: Node, env: dict[str, Value], in_change: bool) -> Command:
        """A `rescue` clause: it runs only if the statements before it raise."""
        raises = len(self.state.raises)
        inner = self.read(node.child_by_field_name("body"), env, in_change)
        del self.state.raises[raises:]  # re-raising the failure is no check of existing rows
        return rescues.only_on_raise(inner, rescues.caught_by(node))

    def _nested(self, node: Node, env: dict[str, Value], in_change: bool) -> Command:
        """Calls buried in an expression this reader does not model (`x = foo(…)`, `a && b`)."""
        found: list[Command] = []
        for child in node.named_children:
            if child.type == "call":
                found.extend(self._call(child, env, in_change))
            elif child.named_child_count:
                found.append(self._nested(child, env, in_change))
        return sequence(found)

    def _call(self, node: Node, env: dict[str, Value], in_change: bool) -> list[Command]:
        method = treesitter.text(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        args = self.values.arguments(node, env)
        if (
            receiver is None
            or treesitter.text(receiver) in _CONNECTIONS
            or treesitter.text(receiver).endswith(".connection")
        ):
            return self._named(method, args, node, env, in_change)
        if method in ("raise", "fail"):
            return self._named(method, args, node, env, in_change)
        task = _rake_task(receiver, method, self.values, env)
        if task is not None:
            what = f"runs rake task {task}"
            summary = f"{what}: app code harvester cannot see into (it may load or change rows)"
            opaque = ops.Opaque(summary, raw=True, line=treesitter.line(node))
            return [self._app_code(opaque, what, in_change)]
        data = self.models.association_write(node) or self.models.data_change(
            node, self.values, env
        )
        if data is not None:
            found = [self._data_command(data, in_change)]
            if args.block is not None:
                scope = {**env, **{p: Code(p) for p in args.block_params}}
                found.append(self.read(_block_body(args), scope, in_change))
            return found
        if self.models.reads_rows(node):
            self.state.reads = True
        if method in _LOOPS and args.block is not None:
            return [self._loop(receiver, args, env, in_change)]
        found = []
        unknown = self.models.opaque_call(node, env)
        if unknown is not None:
            summary = f"{unknown}: app code harvester cannot see into"
            helper = self.required.get(treesitter.text(models.chain_root(node)))
            if helper is not None:
                summary = f"{unknown}: helper in {helper}, not read"
            opaque = ops.Opaque(summary, raw=True, line=treesitter.line(node))
            found.append(self._app_code(opaque, unknown, in_change))
        if args.block is not None:
            body = args.block.child_by_field_name("body")
            found.append(self.read(body, env, in_change))
        return found

    def _named(
        self, name: str, args: Arguments, node: Node, env: dict[str, Value], in_change: bool
    ) -> list[Command]:
        line = treesitter.line(node)
        command = self.columns.translate(name, args, line) or self.tables.translate(
            name, args, line, env
        )
        if command is not None:
            return [command]
        if name in _SQL:
            return [self._sql(name, args, node, line)]
        if name in _READS:
            self.state.reads = True
            return []
        if name in ("raise", "fail"):
            text = " ".join(treesitter.text(node).split())
            if "IrreversibleMigration" not in text:
                self.state.raises.append(text[:80])
            return [
                Command(
                    (),
                    (),
                    None,
                    (RAISES_IRREVERSIBLE,) if "IrreversibleMigration" in text else (),
                )
            ]
        if name == "reversible":
            return [self._reversible(args, env)]
        if name == "up_only":
            body = self.read(_block_body(args), env, False)
            return [Command(body.up, (), None, body.notes)]
        if name == "revert":
            if args.block is None:
                what = treesitter.text(node)
                return [
                    Command(
                        (ops.Opaque(f"{what}: reverts another migration", raw=True, line=line),),
                        None,
                        what,
                    )
                ]
            return [inverted(self.read(_block_body(args), env, True), "revert block")]
        if name == "safety_assured":
            inner = self.read(_block_body(args), env, in_change)
            return [
                replace(
                    inner,
                    notes=(
                        *inner.notes,
                        "wrapped in safety_assured (strong_migrations checks skipped)",
                    ),
                )
            ]
        if name in _WRAPPERS:
            return [self.read(_block_body(args), env, in_change)]
        if name == "loop":  # `loop do … break if done … end`: its body runs until a break
            inner = self.read(_block_body(args), env, in_change)
            return [replace(inner, notes=(*inner.notes, "runs in a `loop`"))]
        if name in _QUIET or name.endswith("?"):
            return []
        helper = self.helpers.get(name)
        if helper is not None and name not in self._inlining:
            self._inlining.add(name)
            try:
                scope = {**env, **_bind_parameters(helper, args)}
                found = [self.read(helper.child_by_field_name("body"), scope, in_change)]
            finally:
                self._inlining.discard(name)
            if args.block is not None:
                # The helper yields to the block it is given (`each_row do |id| … end`).
                block_scope = {**env, **{p: Code(p) for p in args.block_params}}
                found.append(self.read(_block_body(args), block_scope, in_change))
            return found
        if name in _STATEMENTS and args.positional and _is_sql_text(args.positional[0]):
            return [self._statement_sql(name, args, node, line, in_change)]
        return [self._unknown(name, line, in_change)]

    def _unknown(self, name: str, line: int, in_change: bool) -> Command:
        """A method harvester does not know, perhaps from a module the class includes. In
        `change` it may record its own reverse (`reversible`) or make rollback raise: the
        rollback is left unjudged rather than called impossible."""
        summary = f"{name}: a method harvester does not know"
        if self.included:
            summary += f" (perhaps from the included {', '.join(self.included)}, not read)"
        opaque = ops.Opaque(summary, raw=True, line=line)
        if not in_change:
            return Command((opaque,), None, name)
        back = ops.Opaque(f"{name} rolled back: not analysed", raw=True, line=line)
        note = (
            f"rollback not analysed: {name} may record its own reverse or raise "
            "ActiveRecord::IrreversibleMigration"
        )
        return Command((opaque,), (back,), None, (note,))

    def _statement_sql(
        self, name: str, args: Arguments, node: Node, line: int, in_change: bool
    ) -> Command:
        """`update "UPDATE …"` (the connection's insert/update/delete with literal SQL): the
        command recorder of a `change` rollback passes it to the database, so it runs again."""
        command = self._sql(name, args, node, line)
        if not in_change:
            return command
        return Command(command.up, command.up, None, (*command.notes, _RUNS_AGAIN_SQL))

    def _sql(self, name: str, args: Arguments, node: Node, line: int) -> Command:
        value: Value = args.positional[0] if args.positional else None
        first = _first_line(args.nodes[0], self.values) if args.nodes else line
        command = sql_command(
            value, treesitter.text(node), first, line, name, self.ctx.dialect, "Ruby"
        )
        if not isinstance(value, Interpolated):
            return command
        # The SQL was parsed with a stand-in for what Ruby fills in: show the Ruby instead.
        pieces = re.findall(r"#\{[^}]*\}", value.source)
        shown = pieces[0] if len(set(pieces)) == 1 else "#{…}"
        up = cast(tuple[ops.Operation, ...], _interpolation_shown(command.up, shown))
        return replace(command, up=up)

    def _reversible(self, args: Arguments, env: dict[str, Value]) -> Command:
        up: list[Command] = []
        down: list[Command] = []
        if args.block is None:
            return Command(())
        direction = args.block_params[0] if args.block_params else "dir"
        for node in treesitter.walk(args.block):
            if (
                node.type != "call"
                or treesitter.text(node.child_by_field_name("receiver")) != direction
            ):
                continue
            method = treesitter.text(node.child_by_field_name("method"))
            inner = self.values.arguments(node, env)
            target = up if method == "up" else down if method == "down" else None
            if target is not None:
                target.append(self.read(_block_body(inner), env, False))
        going_up, going_down = sequence(up), sequence(down)
        steps = going_up.up if down else _deletes_one_way(going_up.up)
        return Command(steps, going_down.up, None, going_up.notes + going_down.notes)

    def _conditional(
        self, node: Node, env: dict[str, Value], in_change: bool, rest: Sequence[Node] = ()
    ) -> Command:
        self._note_reads(node.child_by_field_name("condition"))
        branches = conditions.branches(node, self.ctx.dialect, rest)
        read = [self._statements(branch.body, env, in_change) for branch in branches]
        # `if … else … end` with statements on both sides runs one side or the other.
        both = sum(1 for command in read if command.up) > 1
        condition = " ".join(treesitter.text(node.child_by_field_name("condition")).split())
        found = []
        for branch, command in zip(branches, read, strict=True):
            command = self._guarded(node, branch, command, env, in_change)
            if branch.absent is not None:
                command = _without_absent_drops(command, branch.absent)
            note = f"part runs only if `{condition}`, part only if not" if both else branch.note
            if note and (command.up or not branch.body):  # (or another adapter's)
                command = replace(command, notes=(*command.notes, note))
            found.append(command)
        return sequence(found)

    def _guarded(
        self,
        node: Node,
        branch: conditions.Branch,
        command: Command,
        env: dict[str, Value],
        in_change: bool,
    ) -> Command:
        """A branch that runs only where an object is missing: its lines remembered (a
        schema that has the object skips them). In `change`, rollback runs the body again,
        finds the object the branch made and skips the branch: nothing is undone."""
        check = node.child_by_field_name("condition")
        guard = conditions.missing_guard(check, branch.runs_when, self.values, env)
        lines = frozenset(line for op in command.up if (line := getattr(op, "line", None)))
        if guard is None or not lines:
            return command
        self.guards.append(replace(guard, lines=lines))
        if not in_change or not any(_makes(op, guard) for op in command.up):
            return command
        note = f"rollback finds what `{guard.written}` checks for and skips this branch"
        return replace(command, down=(), notes=(*command.notes, note))

    def _note_reads(self, node: Node | None) -> None:
        """Remember row reads in a condition (`if select_value(…) > 0`, `if User.exists?`)."""
        if node is None:
            return
        for call in treesitter.walk(node):
            if call.type != "call":
                continue
            method = treesitter.text(call.child_by_field_name("method"))
            if method in _READS or self.models.reads_rows(call):
                self.state.reads = True

    def _loop(
        self, receiver: Node, args: Arguments, env: dict[str, Value], in_change: bool
    ) -> Command:
        items = self.values.value(receiver, env)
        body = _block_body(args)
        params = args.block_params
        if isinstance(items, dict):
            items = [[k, v] for k, v in items.items()]
        if isinstance(items, int) and not isinstance(items, bool):
            items = list(range(items))  # `16.times do |shard| … end`
        if isinstance(items, list) and len(items) <= _LOOP_LIMIT and params:
            found = []
            for item in items:
                scope = dict(env)
                if len(params) > 1 and isinstance(item, list):
                    scope.update(zip(params, item, strict=False))
                else:
                    scope[params[0]] = item
                found.append(self.read(body, scope, in_change))
            return sequence(found)
        scope = dict(env)
        scope.update({p: Code(p) for p in params})
        inner = self.read(body, scope, in_change)
        note = f"runs once per item of {treesitter.text(receiver)[:40]}; names in <…> are computed"
        return replace(inner, notes=(*inner.notes, note)) if inner.up else inner

    def _data_command(self, data: ops.DataChange, in_change: bool) -> Command:
        if not in_change:
            return Command((data,), ())
        again = replace(data, detail=data.detail + " (runs again on rollback)", reversible=False)
        return Command((replace(data, reversible=False),), (again,), None, (_RUNS_AGAIN,))

    def _app_code(self, opaque: ops.Opaque, what: str, in_change: bool) -> Command:
        """App code called on a class or object: in `change`, rolling back does not record
        it (only the migration's own schema calls are inverted), so it simply runs again."""
        if not in_change:
            return Command((opaque,), None, what)
        again = replace(opaque, summary=opaque.summary + " (runs again on rollback)")
        return Command((opaque,), (again,), None, (_RUNS_AGAIN,))


def _partly(command: Command) -> Command:
    """`command` whose conditions guard only part of the migration: `runs only if x` ->
    `part runs only if x`."""
    notes = tuple(
        re.sub(r"^((?:guarded: )?)runs only", r"\1part runs only", n) for n in command.notes
    )
    return replace(command, notes=notes)


def _per_pass(command: Command) -> Command:
    """`command` after a `next unless x` in a block: `runs only if x` -> `the rest of a loop
    pass runs only if x` (no condition of the migration as a whole)."""
    notes = tuple(
        re.sub(r"^((?:guarded: )?)runs only", r"\1the rest of a loop pass runs only", n)
        for n in command.notes
    )
    return replace(command, notes=notes)


def _deletes_one_way(steps: tuple[ops.Operation, ...]) -> tuple[ops.Operation, ...]:
    """The steps of a `dir.up` with no `dir.down`: rolling back skips the block, so the rows
    it deletes are not restored."""
    return tuple(
        replace(o, reversible=False)
        if isinstance(o, ops.DataChange) and o.kind is ops.DataChangeKind.DELETE
        else o
        for o in steps
    )


def _makes(op: ops.Operation, guard: Guard) -> bool:
    """Whether `op` creates the object `guard` checks for."""
    if guard.kind == "table":
        return isinstance(op, ops.CreateTable) and op.table == guard.table
    if guard.kind == "column":
        return isinstance(op, ops.AddColumn) and (op.table, op.column.name) == (
            guard.table,
            guard.name,
        )
    return (
        isinstance(op, ops.CreateIndex)
        and op.index.table == guard.table
        and (op.index.name == guard.name or op.index.columns == guard.columns)
    )


def _bind_parameters(method: Node, args: Arguments) -> dict[str, Value]:
    """A helper's positional parameters bound to the values it is called with."""
    parameters = method.child_by_field_name("parameters")
    names = [
        treesitter.text(p)
        for p in (parameters.named_children if parameters is not None else [])
        if p.type == "identifier"
    ]
    return dict(zip(names, args.positional, strict=False))


def _destructured(left: Node, value: Value) -> dict[str, Value]:
    """`a, b = [x, y]`: each name bound to its item of a literal list."""
    if left.type != "left_assignment_list" or not isinstance(value, list):
        return {}
    names = [treesitter.text(n) for n in left.named_children]
    if not all(n.type == "identifier" for n in left.named_children):
        return {}
    return dict(zip(names, value, strict=False))


def _interpolation_shown(found: object, shown: str) -> object:
    """`found` (operations, their fields) with the SQL parser's stand-in for a Ruby
    interpolation written as `shown` (`#{queries_roles}`)."""
    if isinstance(found, str) and not isinstance(found, Enum):
        return found.replace(PLACEHOLDER, shown)
    if isinstance(found, tuple):
        return tuple(_interpolation_shown(item, shown) for item in found)
    if is_dataclass(found) and not isinstance(found, type):
        changed = {
            f.name: _interpolation_shown(getattr(found, f.name), shown) for f in fields(found)
        }
        return replace(found, **changed)
    return found


def _block_body(args: Arguments) -> Node | None:
    return args.block.child_by_field_name("body") if args.block is not None else None


def _first_line(node: Node, values: RubyValues) -> int:
    """The line where a string argument's text starts (a heredoc's body, not its opener)."""
    for child in treesitter.walk(node):
        if child.type == "heredoc_beginning":
            body = values.heredoc_body(child)
            return treesitter.line(body) if body is not None else treesitter.line(node)
    return treesitter.line(node)


def _without_absent_drops(command: Command, table: str) -> Command:
    """Under `unless table_exists?(:t)`, `create_table :t, force: …` drops nothing, and the
    table is created only where it is missing: a CREATE TABLE IF NOT EXISTS. Its block's
    indexes and keys run only with it, on an empty table; where the migration then changes
    the table's columns, it is judged as an existing table (see `patterns`)."""
    up = tuple(
        replace(o, if_not_exists=True) if isinstance(o, ops.CreateTable) and o.table == table else o
        for o in command.up
        if not (isinstance(o, ops.DropTable) and o.if_exists and o.table == table)
    )
    notes = tuple(n for n in command.notes if n != force_note(table))
    return replace(command, up=up, notes=notes)


def _is_sql_text(value: Value) -> bool:
    """A string literal (plain or interpolated), as SQL is written."""
    return isinstance(value, (str, Interpolated))


def _rake_task(
    receiver: Node, method: str, values: RubyValues, env: Mapping[str, Value]
) -> str | None:
    """The task `Rake::Task["db:seed_regions"].invoke` (or `.execute`) runs."""
    if method not in ("invoke", "execute") or receiver.type != "element_reference":
        return None
    if treesitter.text(receiver.child_by_field_name("object")) != "Rake::Task":
        return None
    index = [n for n in receiver.named_children[1:] if n.type != "comment"]
    named = values.value(index[0], env) if len(index) == 1 else None
    return named if isinstance(named, str) else treesitter.text(receiver)
