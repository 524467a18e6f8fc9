"""The statements of an Ecto migration function as commands: schema commands, `execute/1,2`,
repo calls, pipes into the repo, `for`/`Enum.each` over literals, `if`, and private helpers.

def up do
  alter table(:cars) do
    add :vin, :string
  end
  execute "UPDATE cars SET vin = 'unknown' WHERE vin IS NULL"
  from(c in "cars", where: c.legacy) |> repo().delete_all()
end
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.commands import Command, StepState, sequence, sql_command
from harvester.migrations.ecto import repo_calls
from harvester.migrations.ecto.commands import EctoCommands
from harvester.migrations.ecto.elixir import ElixirValues, receiver, target_name
from harvester.migrations.ecto.types import EctoContext
from harvester.migrations.literals import PLACEHOLDER, Arguments, Code, Sym, Value
from harvester.migrations.schema import ops

if TYPE_CHECKING:
    from tree_sitter import Node

# Calls that run nothing in the database (`from` builds an Ecto query; running it is a repo call).
_QUIET = frozenset({"flush", "require", "import", "alias", "use", "Logger", "IO", "from"})
# Modules whose functions do not touch the database.
_LIBRARY = frozenset(
    """
    Enum Logger IO Application String Map Keyword List DateTime Date NaiveDateTime Time Jason
    Poison Integer Float Kernel Process System File Path Code Ecto.Query Ecto.Changeset Decimal
    Regex URI Base Tuple MapSet Stream Access Atom Mix Ecto.UUID Calendar :crypto
    """.split()  # noqa: SIM905 (a word list reads better than one word a line)
)
_BRANCHES = frozenset({"if", "unless", "case", "cond", "with"})
_LOOP_LIMIT = 100


class EctoBody:
    """Reads the functions of one migration module into commands."""

    def __init__(self, values: ElixirValues, ctx: EctoContext, helpers: Mapping[str, Node]) -> None:
        self.values = values
        self.ctx = ctx
        self.commands = EctoCommands(values, ctx)
        self.helpers = helpers
        self.state = StepState()
        self._inlining: set[str] = set()
        self._immediate: list[Command] = []  # repo calls in change/0: run when reached
        self.rollback_problems: list[str] = []

    def read(self, body: Node | None, env: Mapping[str, Value], in_change: bool) -> Command:
        """The commands of a function body or block, in order."""
        if body is None:
            return Command(())
        scope = dict(env)
        found: list[Command] = []
        for node in body.named_children:
            if node.type in ("else_block", "after_block", "rescue_block", "catch_block"):
                continue
            found.extend(self._statement(node, scope, in_change))
        return sequence(found)

    def function(self, definition: Node | None, env: Mapping[str, Value], change: bool) -> Command:
        """What a public function runs: `def up do … end`, or `defdelegate up, to: M`, whose
        code lives elsewhere. `change`: it is change/0, read as `read_change` does."""
        if definition is not None and target_name(definition) == "defdelegate":
            return self._delegated(definition, change)
        body = function_body(definition) if definition is not None else None
        return self.read_change(body, env) if change else self.read(body, env, False)

    def _delegated(self, definition: Node, change: bool) -> Command:
        """`defdelegate up, to: Oban.Migrations` (`as: :name` renames the target)."""
        args = self.values.arguments(definition, {})
        head = treesitter.text(args.nodes[0]).split("(")[0].strip() if args.nodes else "?"
        renamed, module = args.options.get("as"), args.options.get("to")
        target = renamed.name if isinstance(renamed, Sym) else head
        called = f"{module.text if isinstance(module, Code) else 'another module'}.{target}"
        summary = f"{head}/0 delegated to {called}: code harvester cannot see into"
        return _unknown(summary, f"{called}()", treesitter.line(definition), change)

    def read_change(self, body: Node | None, env: Mapping[str, Value]) -> Command:
        """change/0. Rolling back runs it again with its commands queued, and undone in
        reverse order when flush() is reached or the function ends; repo calls run when
        reached. So the down step is, for each part between flush() calls: its repo calls
        again, then the undoing of its commands."""
        parts: list[list[Command]] = [[]]
        scope = dict(env)
        for node in body.named_children if body is not None else ():
            if node.type == "call" and target_name(node) == "flush" and receiver(node) is None:
                parts.append([])
                continue
            parts[-1].extend(self._statement(node, scope, True))
        found = sequence([c for part in parts for c in part])
        if found.down is None:
            return found
        down: list[ops.Operation] = []
        for part in parts:
            again = [c for c in part if self._runs_when_reached(c)]
            queued = [c for c in part if not self._runs_when_reached(c)]
            rerun = [o for c in again for o in c.down or ()]
            self.rollback_problems += _on_dropped_columns(rerun, down)
            down += rerun + [o for c in reversed(queued) for o in c.down or ()]
        notes = found.notes
        if any(self._runs_when_reached(c) for part in parts[1:] for c in part):
            notes += (
                "on rollback, flush() undoes the commands before it first: the repo calls "
                "after it run again on the rolled-back schema",
            )
        return Command(found.up, tuple(down), None, notes)

    def _statement(self, node: Node, env: dict[str, Value], in_change: bool) -> list[Command]:
        kind = node.type
        if kind == "call":
            return self._call(node, env, in_change)
        if kind == "binary_operator":
            operator = treesitter.text(node.child_by_field_name("operator"))
            if operator == "|>":
                return self._pipe(node, env, in_change)
            if operator == "=":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                value = self.values.value(right, env)
                if left is not None and left.type == "identifier":
                    env[treesitter.text(left)] = value
                return self._statement(right, env, in_change) if right is not None else []
        if kind in ("comment", "unary_operator", "atom", "identifier", "string", "integer", "nil"):
            return []
        return [self._nested(node, env, in_change)]

    def _nested(self, node: Node, env: dict[str, Value], in_change: bool) -> Command:
        found: list[Command] = []
        for child in node.named_children:
            if child.type in ("call", "binary_operator"):
                found.extend(self._statement(child, env, in_change))
            elif child.named_child_count:
                found.append(self._nested(child, env, in_change))
        return sequence(found)

    def _call(self, node: Node, env: dict[str, Value], in_change: bool) -> list[Command]:
        name = target_name(node)
        line = treesitter.line(node)
        call = repo_calls.repo_call(node)
        if call is not None:
            return self._repo(call, env, in_change)
        held = receiver(node)
        if held is not None and held.type == "identifier" and _without_arguments(node):
            return []  # `row.id`: a field of a map a variable holds, not a call
        if held is not None:
            return self._remote(node, name, env, in_change)
        args = self.values.arguments(node, env)
        command = self.commands.translate(name, args, env, line)
        if command is not None:
            return [command]
        if name == "execute":
            return [self._execute(args, env, line)]
        if name == "execute_file":
            summary = f"execute_file {treesitter.text(node)[len('execute_file') :].strip()[:60]}"
            return [Command((ops.Opaque(summary, raw=True, line=line),), None, "execute_file")]
        if name in ("raise", "throw", "exit"):
            self.state.raises.append(" ".join(treesitter.text(node).split())[:80])
            return []
        if name in _BRANCHES:
            return [self._branches(node, name, env, in_change)]
        if name == "for":
            return [self._comprehension(node, args, env, in_change)]
        if name in _QUIET or name in ("def", "defp"):
            return []
        helper = self.helpers.get(name)
        if helper is not None and name not in self._inlining:
            return [self._inline(name, helper, args, env, in_change)]
        return [_unknown(f"{name}: a function harvester does not know", name, line, in_change)]

    def _inline(
        self, name: str, helper: Node, args: Arguments, env: dict[str, Value], in_change: bool
    ) -> Command:
        """A private helper's body, read where it is called, its parameters bound."""
        self._inlining.add(name)
        try:
            scope = {**env, **_bind_parameters(helper, args)}
            return self.read(function_body(helper), scope, in_change)
        finally:
            self._inlining.discard(name)

    def _remote(
        self, node: Node, name: str, env: dict[str, Value], in_change: bool
    ) -> list[Command]:
        """`Enum.each(list, fn x -> … end)` over literals, and functions passed to others."""
        module = treesitter.text(receiver(node))
        args = self.values.arguments(node, env)
        if module == "Ecto.Adapters.SQL" and name in repo_calls.SQL_CALLS and len(args.nodes) > 1:
            return [self._sql(args.positional[1], args.nodes[1], treesitter.line(node), name)]
        functions = [n for n in args.nodes if n.type == "anonymous_function" or self._captured(n)]
        if module == "Enum" and name in ("each", "map") and functions and args.positional:
            items = args.positional[0]
            return [self._expand(items, functions[0], env, in_change)]
        found = [self._function(f, env, in_change) for f in functions]
        if args.block is not None:
            found.append(self.read(args.block, env, in_change))
        if module not in _LIBRARY and not module.startswith(("Ecto.Migration", "Ecto.Query")):
            summary = f"{module}.{name}(…): code harvester cannot see into"
            called = f"{module}.{name}()"
            found.insert(0, _unknown(summary, called, treesitter.line(node), in_change))
        return found

    def _repo(
        self, call: repo_calls.RepoCall, env: dict[str, Value], in_change: bool
    ) -> list[Command]:
        line = treesitter.line(call.node)
        if call.function in repo_calls.SQL_CALLS:
            args = self.values.arguments(call.node, env)
            sql = args.positional[0] if args.positional else None
            command = self._sql(
                sql, args.nodes[0] if args.nodes else call.node, line, call.function
            )
            return [self._runs_again(command) if in_change else command]
        if repo_calls.raises_on_data(call):
            self.state.raises.append(call.function)
        if repo_calls.reads(call):
            self.state.reads = True
            return []
        change = repo_calls.data_change(call, self.values, env)
        if change is None:
            args = self.values.arguments(call.node, env)
            functions = [n for n in args.nodes if n.type == "anonymous_function"]
            return [self._function(f, env, in_change) for f in functions]
        command = Command((change,), ())
        return [self._runs_again(command) if in_change else command]

    def _runs_when_reached(self, command: Command) -> bool:
        return any(command is found for found in self._immediate)

    def _runs_again(self, command: Command) -> Command:
        """A repo call in change/0: it runs when reached instead of being queued as a
        migration command, so rolling back runs it again rather than undoing it."""
        up = tuple(
            replace(o, reversible=False) if isinstance(o, ops.DataChange) else o for o in command.up
        )
        again = tuple(
            replace(o, detail=f"{o.detail} (runs again on rollback)")
            if isinstance(o, ops.DataChange)
            else o
            for o in up
        )
        note = "repo calls in change/0 are not reversed: they run again on rollback"
        found = Command(up, again, None, (*command.notes, note))
        self._immediate.append(found)
        return found

    def _pipe(self, node: Node, env: dict[str, Value], in_change: bool) -> list[Command]:
        stages: list[Node] = []
        current: Node | None = node
        while (
            current is not None
            and current.type == "binary_operator"
            and treesitter.text(current.child_by_field_name("operator")) == "|>"
        ):
            right = current.child_by_field_name("right")
            if right is not None:
                stages.insert(0, right)
            current = current.child_by_field_name("left")
        if current is not None:
            stages.insert(0, current)
        last = stages[-1]
        call = repo_calls.repo_call(last, stages[:-1])
        if call is not None:
            return self._repo(call, env, in_change)
        return [self._nested(node, env, in_change)]

    def _execute(self, args: Arguments, env: dict[str, Value], line: int) -> Command:
        if not args.nodes:
            summary = "execute without SQL"
            return Command((ops.Opaque(summary, raw=True, line=line),), None, "execute")
        parts = [
            self._execute_part(node, value, env, line)
            for node, value in zip(args.nodes, args.positional, strict=False)
        ]
        if len(parts) > 1:
            return Command(parts[0].up, parts[1].up, None, parts[0].notes + parts[1].notes)
        return Command(parts[0].up, None, "execute/1", parts[0].notes)

    def _execute_part(self, node: Node, value: Value, env: dict[str, Value], line: int) -> Command:
        """One argument of `execute`: SQL, `fn -> … end`, or `&helper/0`."""
        if node.type == "anonymous_function":
            return self._function(node, env, False)
        if self._captured(node):
            return self._function(node, env, False)
        return self._sql(value, node, line, "execute")

    def _captured(self, node: Node) -> str | None:
        """The private helper `&helper/1` captures, when the module defines it."""
        text = treesitter.text(node)
        if node.type != "unary_operator" or not text.startswith("&"):
            return None
        name = text[1:].split("/")[0].strip()
        return name if name in self.helpers and name not in self._inlining else None

    def _sql(self, value: Value, node: Node, line: int, what: str) -> Command:
        first = treesitter.line(node)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = ";\n".join(v for v in value if isinstance(v, str))
        return sql_command(
            value, treesitter.text(node), first, line, what, self.ctx.dialect, "Elixir"
        )

    def _function(self, node: Node, env: dict[str, Value], in_change: bool) -> Command:
        """The body of `fn -> … end` (its first clause), or of the helper `&helper/0` names."""
        helper = self._captured(node)
        if helper is not None:
            return self._inline(helper, self.helpers[helper], Arguments(), env, in_change)
        clause = next((c for c in node.named_children if c.type == "stab_clause"), None)
        body = clause.child_by_field_name("right") if clause is not None else None
        return self.read(body, env, in_change)

    def _branches(self, node: Node, name: str, env: dict[str, Value], in_change: bool) -> Command:
        listed = next((c for c in node.named_children if c.type == "arguments"), None)
        condition = " ".join(treesitter.text(listed).split()) if listed is not None else ""
        for call in treesitter.walk(listed) if listed is not None else []:
            found = repo_calls.repo_call(call)
            if found is not None and repo_calls.reads(found):
                self.state.reads = True
        block = next((c for c in node.named_children if c.type == "do_block"), None)
        if block is None:
            return Command(())
        parts = [self.read(block, env, in_change)]
        parts += [
            self.read(c, env, in_change) for c in block.named_children if c.type == "else_block"
        ]
        for clause in (c for c in block.named_children if c.type == "stab_clause"):
            parts.append(self.read(clause.child_by_field_name("right"), env, in_change))
        note = f"runs only depending on `{name} {condition[:60]}`"
        return sequence([replace(p, notes=(*p.notes, note)) if p.up else p for p in parts])

    def _comprehension(
        self, node: Node, args: Arguments, env: dict[str, Value], in_change: bool
    ) -> Command:
        generator = next((n for n in args.nodes if n.type == "binary_operator"), None)
        if generator is None or args.block is None:
            return Command(())
        variable = treesitter.text(generator.child_by_field_name("left"))
        items = self.values.value(generator.child_by_field_name("right"), env)
        return self._expand_block(items, variable, args.block, env, in_change)

    def _expand(
        self, items: Value, function: Node, env: dict[str, Value], in_change: bool
    ) -> Command:
        """`function` (`fn x -> … end` or `&helper/1`) run for each of `items`."""
        helper = self._captured(function)
        if helper is not None:
            definition = self.helpers[helper]
            return self._each(
                items,
                lambda item: self._inline(helper, definition, Arguments((item,)), env, in_change),
                Code("item"),
            )
        clause = next((c for c in function.named_children if c.type == "stab_clause"), None)
        params = clause.child_by_field_name("left") if clause is not None else None
        variable = (
            treesitter.text(params.named_children[0])
            if params is not None and params.named_children
            else "_"
        )
        body = clause.child_by_field_name("right") if clause is not None else None
        return self._expand_block(items, variable, body, env, in_change)

    def _expand_block(
        self, items: Value, variable: str, body: Node | None, env: dict[str, Value], in_change: bool
    ) -> Command:
        return self._each(
            items, lambda item: self.read(body, {**env, variable: item}, in_change), Code(variable)
        )

    @staticmethod
    def _each(items: Value, run: Callable[[Value], Command], unknown: Code) -> Command:
        """`run` once per item of a literal list, else once on an `unknown` item."""
        if isinstance(items, list) and len(items) <= _LOOP_LIMIT:
            return sequence([run(item) for item in items])
        inner = run(unknown)
        computed = "; names in <…> are computed" if _computed_names(inner.up) else ""
        note = f"runs once per item{computed}"
        return replace(inner, notes=(*inner.notes, note)) if inner.up else inner


def _computed_names(operations: tuple[ops.Operation, ...]) -> bool:
    """Whether a table, column or index name of `operations` is built at run time."""
    names = (
        str(getattr(holder, field, ""))
        for o in operations
        for holder in (o, getattr(o, "index", None))
        for field in ("table", "column", "name")
    )
    return any("<…>" in name or PLACEHOLDER in name for name in names)


def _on_dropped_columns(rerun: list[ops.Operation], before: list[ops.Operation]) -> list[str]:
    """Repo calls run again on rollback that write columns the rollback already dropped."""
    dropped = {(o.table, o.column) for o in before if isinstance(o, ops.DropColumn)}
    return [
        f"{o.detail.removesuffix(' (runs again on rollback)')} runs again after flush() "
        f"has dropped {', '.join(f'{o.table}.{c}' for c in gone)}: it fails"
        for o in rerun
        if isinstance(o, ops.DataChange)
        and (gone := [c for c in o.columns if (o.table, c) in dropped])
    ]


def _without_arguments(call: Node) -> bool:
    return not any(c.type == "arguments" for c in call.named_children)


def _unknown(summary: str, called: str, line: int, in_change: bool) -> Command:
    """A call of code harvester does not read: what it runs is not known, nor (in change/0)
    how it rolls back: it may queue reversible commands, such as `execute/2`."""
    up = ops.Opaque(summary, raw=True, line=line)
    if not in_change:
        return Command((up,), None, called)
    down = ops.Opaque(f"rollback of {called} not analysed", raw=True, line=line)
    note = f"rollback not analysed: it depends on what {called} does"
    return Command((up,), (down,), None, (note,))


def _bind_parameters(definition: Node, args: Arguments) -> dict[str, Value]:
    """A helper's parameters (`defp set_null(table, column)`) bound to the call's values."""
    listed = next((c for c in definition.named_children if c.type == "arguments"), None)
    head = listed.named_children[0] if listed is not None and listed.named_children else None
    if head is None or head.type != "call":
        return {}
    params = next((c for c in head.named_children if c.type == "arguments"), None)
    names = [
        treesitter.text(p)
        for p in (params.named_children if params is not None else [])
        if p.type == "identifier"
    ]
    return dict(zip(names, args.positional, strict=False))


def function_body(definition: Node) -> Node | None:
    """The body of `def name do … end` or `def name, do: …`."""
    block = next((c for c in definition.named_children if c.type == "do_block"), None)
    if block is not None:
        return block
    listed = next((c for c in definition.named_children if c.type == "arguments"), None)
    for keywords in (c for c in listed.named_children if c.type == "keywords") if listed else ():
        for pair in keywords.named_children:
            if treesitter.text(pair.child_by_field_name("key")).strip().rstrip(":") == "do":
                return pair
    return None
