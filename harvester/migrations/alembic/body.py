"""The body of `upgrade()` or `downgrade()` as the schema operations it runs.

    def upgrade():
        with op.batch_alter_table("user") as batch_op:
            batch_op.add_column(sa.Column("email", sa.String(255)))
        bind = op.get_bind()
        if bind.dialect.name == "postgresql":
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("user", "team"):
            op.create_index(f"ix_{table}_created", table, ["created"])

Engine-dependent branches follow the engine the project uses (also through a local name bound
to the test, or a setting named after one engine's URL); loops over literal lists are unrolled;
module helpers the body calls are read too. Of an `if … else` decided at run time, and of a
branch on a deployment setting, only what runs either way is a schema change; the rest is
described, not listed as done. Other conditions are read as if they hold, with a note.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from harvester.analysis.wording import first_few
from harvester.migrations import pyast
from harvester.migrations.alembic import calls, columns, data
from harvester.migrations.alembic.conditions import (
    Predicate,
    engine_predicate,
    known_outcome,
    mentions_engine,
    reads_setting,
    setting_engines,
)
from harvester.migrations.schema import describe, ops
from harvester.migrations.sql import sql_operations

_SESSIONS = frozenset({"Session", "sessionmaker", "orm.Session", "sa.orm.Session"})
_MOST_HELPERS = 24


@dataclass
class StepReader:
    """Reads one function of a revision into a `Step`."""

    module: pyast.Module
    dialect: ops.Dialect | None
    operations: list[ops.Operation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    local: dict[str, ast.expr] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    ops_names: set[str] = field(default_factory=lambda: {"op"})
    connections: set[str] = field(default_factory=set)
    engine_names: set[str] = field(default_factory=set)
    # local names bound to an engine test (`is_sqlite = bind.dialect.name == "sqlite"`)
    engine_tests: dict[str, ast.expr] = field(default_factory=dict)
    # lines of `if`s on the engine, and settings read as the engine they are named after
    engine_branches: list[int] = field(default_factory=list)
    engine_settings: dict[str, str] = field(default_factory=dict)
    batches: dict[str, tuple[str, bool]] = field(default_factory=dict)
    ended_batches: set[str] = field(default_factory=set)
    helpers: list[str] = field(default_factory=list)
    # the module functions being read, innermost last: a `return` there ends only that one
    calling: list[str] = field(default_factory=list)
    # each helper call read, by name and argument values: a helper runs once per table
    helper_calls: set[str] = field(default_factory=set)
    row_sources: set[str] = field(default_factory=set)
    batched: list[str] = field(default_factory=list)
    expressions: dict[str, ast.expr] = field(default_factory=dict)
    # lists a loop fills with literal items (`needed.append(table)` over a literal tuple):
    # the items they may hold
    gathered: dict[str, list[ast.expr] | None] = field(default_factory=dict)
    transactional: bool | None = None
    # schema changes that run only on one side of a run-time condition (left out)
    conditional: bool = False
    unread: dict[str, int] = field(default_factory=dict)
    unfollowed: dict[str, int] = field(default_factory=dict)
    # enum types add_column expects to exist, with the columns that use them
    types_needed: dict[str, list[str]] = field(default_factory=dict)
    types_created: set[str] = field(default_factory=set)
    types_if_missing: set[str] = field(default_factory=set)

    def read(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, module_code: bool = False
    ) -> ops.Step:
        """The step the function runs (after the file's own module-level enum creation, for
        upgrade())."""
        self.helpers.append(function.name)
        for statement in self.module.tree.body:
            for name, value in pyast.assignments(statement):
                table = data.table_of_clause(value, self.module, {})
                if table is not None:
                    self.tables[name] = table
        if module_code:
            self.module_enum_types()
        self.body(function.body, outermost=True)
        self.notes += self.engine_notes()
        if self.unread:
            self.operations.append(_unread_code(function, self.unread))
        if not self.operations and self.unfollowed:
            # Code ran that changed nothing harvester could name: not read, never "nothing".
            named = [f"{what} (line {line})" for what, line in self.unfollowed.items()]
            summary = f"{function.name}() runs Python harvester does not follow: "
            self.operations.append(ops.Opaque(summary + first_few(named), raw=True))
        if self.batched:
            self.notes.append(
                f"batch_alter_table on {', '.join(self.batched)}: the ALTERs run directly here; "
                "on SQLite Alembic would rebuild each table (copy and rename)"
            )
        return ops.Step(
            tuple(self.operations),
            transactional=self.transactional,
            notes=tuple(dict.fromkeys(self.notes + self.broken)),
        )

    def body(self, statements: list[ast.stmt], outermost: bool = False) -> None:
        """Read statements in order; after an `if …: return`, the rest as what runs when its
        test is false (`outermost`: the statements of upgrade() or downgrade() itself, not of
        a block or a helper they call)."""
        for position, statement in enumerate(statements):
            if isinstance(statement, ast.If) and pyast.ends_with_return(statement.body):
                self.early_return(statement, statements[position + 1 :], outermost)
                return
            before = len(self.operations)
            self.statement(statement)
            if isinstance(statement, ast.Try) and (
                returns := [h for h in statement.handlers if pyast.ends_with_return(h.body)]
            ):
                first = outermost and before == 0
                self.returned_on_error(statement, returns, statements[position + 1 :], first)
                return

    def returned_on_error(
        self, block: ast.Try, returns: list[ast.ExceptHandler], rest: list[ast.stmt], first: bool
    ) -> None:
        """`try: …; except ModuleNotFoundError: return` (securedrop skips its data fixes on a
        fresh install this way): the rest runs only when the `try` raises none of those
        (`first`: no operation of the migration comes before it)."""
        start = len(self.operations)
        self.body(rest)
        if len(self.operations) == start:
            return
        raised = " or ".join(ast.unparse(h.type) if h.type else "an error" for h in returns)
        tried = block.body[0] if len(block.body) == 1 else None
        when = (
            f"`{_short(tried.value)}` (line {tried.lineno}) raises no {raised}"
            if isinstance(tried, (ast.Expr, ast.Assign))
            else f"the try block at line {block.lineno} raises no {raised}"
        )
        self.returns_note(when, returns[0].body[-1].lineno, first)

    def early_return(self, guard: ast.If, rest: list[ast.stmt], outermost: bool) -> None:
        """`if <test>: return` (a guard such as `if skip_legacy(op, __name__): return`): on
        the engine's side when it tests the engine, else the rest read as conditional."""
        before_return = guard.body[:-1]
        predicate = self.engine_test(guard.test)
        if predicate is not None:
            engine = self.dialect or ops.Dialect.POSTGRESQL
            assumed = " (engine not known)" if self.dialect is None else ""
            self.notes.append(
                f"line {guard.lineno} returns early depending on the database engine; read "
                f"for {engine.value}{assumed}"
            )
            self.body(before_return if predicate(engine) else guard.orelse + rest)
            return
        holds = known_outcome(guard.test, self.module, self.local)
        if holds is not None:
            self.body(before_return if holds else guard.orelse + rest)
            return
        if reads_setting(guard.test):
            # a deployment setting: whether the rest runs is not known here
            self.either(guard.test, before_return, guard.orelse + rest)
            return
        self.branch(guard.test, before_return, [])
        start = len(self.operations)
        self.body(guard.orelse + rest)
        if len(self.operations) > start:
            when = _when(guard.test, holds=False)
            self.returns_note(when, guard.lineno, start == 0 and outermost)

    def returns_note(self, when: str, line: int, first: bool) -> None:
        """The note for operations that run only `when`, the return at `line` skipping them
        otherwise: before any operation of the migration (`first`), inside a helper, or
        part way through."""
        if first:
            self.notes.append(
                f"runs only if {when}: line {line} returns before any operation otherwise"
            )
        elif self.calling:
            helper = f"{self.calling[-1]}()"
            self.notes.append(
                f"in {helper}, the operations after line {line} run only if {when} (it returns "
                f"from {helper} there otherwise; what follows the call still runs)"
            )
        else:
            self.notes.append(
                f"the operations after line {line} run only if {when} (it returns there otherwise)"
            )

    def statement(self, node: ast.stmt) -> None:
        """Read one statement: calls, bindings, blocks, branches, loops."""
        match node:
            case ast.Expr(value=ast.Call() as call) if pyast.call_name(call) in _EXITS:
                # like a raise: the upgrade stops here when the branch it sits in runs
                self.notes.append(
                    f"stops the upgrade at line {node.lineno} ({pyast.call_name(call)}()): a "
                    "precondition to meet before deploying"
                )
            case ast.Expr(
                value=ast.Call(
                    func=ast.Attribute(value=ast.Name(id=held), attr="append")
                ) as appended
            ) if held in self.local or held in self.gathered:
                self.gather(held, appended)
            case ast.Expr(value=value):
                start = len(self.operations)
                self.expression(value)
                if isinstance(value, ast.Call) and self.is_outside_call(value):
                    self.unread.setdefault(pyast.call_name(value) or "a call", node.lineno)
                elif len(self.operations) == start and (called := self.unfollowed_call(value)):
                    self.unfollowed.setdefault(called, node.lineno)
            case ast.Assign(value=value) | ast.AnnAssign(value=ast.expr() as value):
                self.expression(value)
                for name, bound in pyast.assignments(node):
                    self.bind(name, bound)
                for written in _attribute_targets(node):
                    self.unfollowed.setdefault(f"{_short(written)} = …", node.lineno)
            case ast.With(items=items, body=inner) | ast.AsyncWith(items=items, body=inner):
                self.with_block(items, inner)
            case ast.If(test=test, body=inner, orelse=orelse):
                self.branch(test, inner, orelse)
            case ast.For(target=target, iter=source, body=inner):
                self.loop(target, source, inner, node.lineno)
            case ast.Try(body=inner, finalbody=final):
                self.body(inner)
                self.body(final)
            case ast.While(body=inner):
                self.body(inner)
            case ast.Raise():
                self.notes.append(f"raises at line {node.lineno}")
            case _:
                return

    def is_outside_call(self, node: ast.Call) -> bool:
        """A call of code outside this file (`upgrade_catalog_perms()`, `Migrator.upgrade()`):
        neither op.*, a connection or session, a module function read here, nor logging."""
        name = pyast.call_name(node) or ""
        root = name.split(".", 1)[0]
        known = self.ops_names | self.connections | set(self.batches) | set(self.module.functions)
        known |= self.ended_batches
        if self.enum_method(node) is not None:
            return False
        return bool(name) and root not in known and root not in _NOT_SCHEMA_CALLS

    def unfollowed_call(self, node: ast.expr) -> str | None:
        """A call on an object (`session.delete(user)`, `record.save()`) that produced no
        operation and is not known to change nothing (commit, close, logging), as written."""
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        root = ast.unparse(node.func).split(".", 1)[0]
        known = self.ops_names | set(self.batches) | self.ended_batches | _NOT_SCHEMA_CALLS
        if root in known or node.func.attr in _CHANGES_NOTHING or self.enum_method(node):
            return None
        return f"{_short(node.func)}()"

    def bind(self, name: str, value: ast.expr) -> None:
        """Remember what a local name holds: a connection, a table, an engine, a literal."""
        call = pyast.call_name(value) or ""
        if call.endswith(("get_bind", ".connect", ".connection", ".execution_options")) or (
            call.rsplit(".", 1)[-1] in _SESSIONS or call in _SESSIONS
        ):
            self.connections.add(name)
        if call.endswith(".execution_options") and _is_autocommit(value):
            self.transactional = False
            self.notes.append(
                f"line {value.lineno}: statements on {name} run outside a transaction "
                "(AUTOCOMMIT isolation level)"
            )
        table = data.table_of_clause(value, self.module, self.local)
        if table is not None:
            self.tables[name] = table
        if self.engine_test(value) is not None:
            self.engine_tests[name] = value
        if mentions_engine(value, self.engine_names):
            self.engine_names.add(name)
        if data.reads_rows(value, self.row_sources):
            self.row_sources.add(name)
        self.expressions[name] = value
        self.gathered.pop(name, None)
        evaluated = self.module.evaluate(value, self.local)
        if isinstance(evaluated, (str, int, float, tuple)) or _is_enum(evaluated):
            self.local[name] = value
        else:
            self.local.pop(name, None)  # no longer the literal it may have held

    def gather(self, held: str, call: ast.Call) -> None:
        """`held.append(item)` on a list written in the file: the literal items it may hold
        (a loop over it later runs for each); any other item, and it may hold anything."""
        written = self.local.pop(held, None)  # no longer the literal it was
        known = self.gathered.setdefault(held, [])
        if known is None:
            return
        if isinstance(written, (ast.List, ast.Tuple)):
            known += written.elts
        item = self.module.evaluate(call.args[0], self.local) if len(call.args) == 1 else None
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            known.append(ast.Constant(item))
        else:
            self.gathered[held] = None

    def with_block(self, items: list[ast.withitem], inner: list[ast.stmt]) -> None:
        """A `with` block: a batch block, an autocommit block, or a plain one."""
        for item in items:
            call = pyast.call_name(item.context_expr) or ""
            target = item.optional_vars
            opened = (
                self.module.evaluate(item.context_expr, self.local)
                if isinstance(item.context_expr, (ast.Call, ast.Name))
                else None
            )
            # `op.batch_alter_table(…)`, a module helper that returns one, or a name bound to
            # one (`for batch_op in batches: with batch_op: …`)
            if isinstance(opened, pyast.Call) and opened.func.endswith("batch_alter_table"):
                named = item.context_expr if isinstance(item.context_expr, ast.Name) else None
                self.batch(opened, target or named, inner)
                return
            if call.endswith("autocommit_block"):
                self.transactional = False
                self.notes.append("runs outside a transaction (autocommit_block)")
            if isinstance(target, ast.Name):
                self.bind(target.id, item.context_expr)
        self.body(inner)

    def batch(self, args: pyast.Call, target: ast.expr | None, inner: list[ast.stmt]) -> None:
        """A `batch_alter_table` block: its calls apply to the block's table; on SQLite Alembic
        recreates the table (create, copy, drop, rename) when an operation needs it."""
        table = calls.model_table(args.get("table_name", 0))
        schema = args.get("schema")
        if isinstance(table, str) and isinstance(schema, str) and schema:
            table = f"{schema}.{table}"
        name = table if isinstance(table, str) else "?"
        recreate = args.get("recreate")
        start = len(self.operations)
        if isinstance(target, ast.Name):
            self.batches[target.id] = (name, recreate == "always")
            self.ended_batches.discard(target.id)
        self.body(inner)
        if isinstance(target, ast.Name):
            # Alembic runs a batch's operations when its block ends; later calls only queue
            self.batches.pop(target.id, None)
            self.ended_batches.add(target.id)
        inside = self.operations[start:]
        on_sqlite = recreate != "never" and _rebuilds_on_sqlite(inside)
        rebuilds = recreate == "always" or (on_sqlite and self.dialect is ops.Dialect.SQLITE)
        line = f" (line {args.line})"
        if rebuilds:
            # rows the block updates are not a change of the table's definition
            changes = tuple(describe.operation_label(o) for o in inside if _is_schema(o))
            changes += _table_options(args)
            rebuild = ops.RebuildTable(
                name,
                "Alembic batch_alter_table",
                changes=changes,
                line=args.line,
                applies_alters=True,
                declares_columns=tuple(
                    o.column.name for o in inside if isinstance(o, ops.AddColumn)
                ),
            )
            self.operations.insert(start, rebuild)
        elif self.dialect is not ops.Dialect.SQLITE and on_sqlite:
            self.batched.append(f"{name}{line}")

    def engine_test(self, test: ast.expr) -> Predicate | None:
        """The engines on which `test` holds, when it tests the engine (remembering a setting
        read as the engine it is named after, for the note)."""
        predicate = engine_predicate(
            test, self.engine_names, self.module.functions, self.engine_tests
        )
        for node in ast.walk(test):
            if predicate is None or not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            engines = setting_engines(node)
            if engines is not None and reads_setting(node):
                named = sorted(d.value for d in engines if d is not ops.Dialect.MARIADB)
                self.engine_settings[_short(node)] = " or ".join(named)
        return predicate

    def engine_notes(self) -> list[str]:
        """One note for every `if` on the engine, and how settings were read."""
        engine = self.dialect or ops.Dialect.POSTGRESQL
        assumed = " (engine not known)" if self.dialect is None else ""
        notes = []
        lines = [str(n) for n in dict.fromkeys(self.engine_branches)]
        if lines:
            where = (
                f"line {lines[0]} branches"
                if len(lines) == 1
                else f"lines {first_few(lines)} branch"
            )
            notes.append(f"{where} on the database engine; read for {engine.value}{assumed}")
        for setting, engine_named in self.engine_settings.items():
            notes.append(f"`{setting}` taken as set only on {engine_named} (judged from its name)")
        return notes

    def branch(self, test: ast.expr, inner: list[ast.stmt], orelse: list[ast.stmt]) -> None:
        """An `if`: the engine's branch when it tests the engine; else, when both sides (or
        a side under a deployment setting) change something, only what runs either way;
        else the one side, with a note."""
        predicate = self.engine_test(test)
        if predicate is not None:
            self.engine_branches.append(test.lineno)
            self.body(inner if predicate(self.dialect or ops.Dialect.POSTGRESQL) else orelse)
            return
        holds = known_outcome(test, self.module, self.local)
        if holds is not None:
            self.body(inner if holds else orelse)
            return
        if orelse or reads_setting(test):
            self.either(test, inner, orelse)
            return
        start = len(self.operations)
        self.body(inner)
        if len(self.operations) > start:
            self.notes.append(f"some operations run only if {_when(test)} (line {test.lineno})")

    def either(self, test: ast.expr, inner: list[ast.stmt], orelse: list[ast.stmt]) -> None:
        """Two sides of which one runs, decided at run time: what both run is kept; what one
        side alone runs is a note (its row changes and unread code stay, saying when)."""
        start = len(self.operations)
        self.body(inner)
        when_true = self.operations[start:]
        del self.operations[start:]
        self.body(orelse)
        when_false = self.operations[start:]
        del self.operations[start:]
        if not (when_true and when_false) and not reads_setting(test):
            self.operations += when_true + when_false
            when = _when(test, holds=bool(when_true))
            if when_true or when_false:
                self.notes.append(f"some operations run only if {when} (line {test.lineno})")
            return
        both = [o for o in when_true if o in when_false]
        self.operations += both
        described = []
        for holds, side in ((True, when_true), (False, when_false)):
            alone = [o for o in side if o not in both]
            self.operations += _on_one_side(alone, _when(test, holds))
            labels = [describe.operation_label(o) for o in alone if _is_schema(o)]
            if labels:
                described.append(f"if {_when(test, holds)}, {first_few(labels)}")
        if described:
            self.conditional = True
            summary = (
                f"line {test.lineno} branches on a condition known only at run time: "
                f"{'; '.join(described)} (not listed as done: only what runs either way is)"
            )
            self.operations.append(ops.Opaque(summary, line=test.lineno))

    def loop(self, target: ast.expr, source: ast.expr, inner: list[ast.stmt], line: int) -> None:
        """A `for`: unrolled over a literal list, else read once as a loop over rows."""
        values = self.module.evaluate(source, self.local)
        if isinstance(source, ast.Name) and (gathered := self.gathered.get(source.id)):
            values = tuple(dict.fromkeys(self.module.evaluate(e) for e in gathered))
            self.notes.append(
                f"line {line} loops over what `{source.id}` collects: read for each item it may "
                f"hold ({first_few([str(v) for v in values])})"
            )
        if isinstance(values, tuple) and values and isinstance(target, (ast.Name, ast.Tuple)):
            elements = self._elements(source)
            for index, item in enumerate(values):
                if isinstance(item, pyast.Call) and isinstance(target, ast.Name) and elements:
                    # a call is kept as written, so that the body sees what it builds
                    self.local[target.id] = elements[index]
                else:
                    self.local.update(pyast.bind(target, item))
                self.body(inner)
            return
        start = len(self.operations)
        self.expression(source)
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                self.local.pop(name.id, None)  # bound to each row at run time
        self.body(inner)
        orm_table = self._orm_table(source)
        assigned = data.assigned_attributes(inner, target)
        if orm_table and assigned:
            detail = (
                f"loops over {orm_table} rows through the ORM and changes each one (line {line})"
            )
            self.operations.append(
                ops.DataChange(
                    ops.DataChangeKind.CODE, orm_table, detail, False, line=line, columns=assigned
                )
            )
            return
        per_row = [
            i
            for i in range(start, len(self.operations))
            if isinstance(self.operations[i], ops.DataChange)
        ]
        if per_row and data.reads_rows(source, self.row_sources):
            first = self.operations[per_row[0]]
            assert isinstance(first, ops.DataChange)
            if first.kind is ops.DataChangeKind.CODE and first.detail.startswith("loops over"):
                return
            detail = f"loops over rows (line {line}) and, for each one, {first.detail}"
            # rows deleted one by one are still deleted
            kind = (
                first.kind if first.kind is ops.DataChangeKind.DELETE else ops.DataChangeKind.CODE
            )
            self.operations[per_row[0]] = ops.DataChange(
                kind,
                first.table,
                detail,
                first.has_where,
                line=line,
                columns=first.columns,
            )

    def _elements(self, source: ast.expr) -> list[ast.expr] | None:
        """The items of a list written in the file that `source` is (or names), as written."""
        node = self._followed(source)
        if isinstance(node, (ast.List, ast.Tuple)) and not any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            return node.elts
        return None

    def _followed(self, node: ast.expr) -> ast.expr:
        """What a local name was bound to (`instances = session.query(M).all()`), through
        names bound to names; other expressions as they are."""
        seen: set[str] = set()
        while isinstance(node, ast.Name) and node.id not in seen:
            seen.add(node.id)
            bound = self.expressions.get(node.id, self.local.get(node.id))
            if bound is None:
                break
            node = bound
        return node

    def _orm_table(self, source: ast.expr) -> str | None:
        """The table of `session.query(Model)…` (or a name bound to it): the one the revision's
        own `Model` names, else the imported model's name (`Slice`), which says what is
        rewritten even without its table name."""
        for call in pyast.calls(self._followed(source)):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "query" and call.args:
                model = call.args[0]
                if isinstance(model, ast.Name):
                    return data.orm_tables(self.module).get(model.id) or f"{model.id} (model)"
        return None

    def expression(self, node: ast.expr) -> None:
        """Read every call inside an expression."""
        for call in pyast.calls(node):
            self.call(call)

    def call(self, node: ast.Call) -> None:
        """Read one call: op.* and batch_op.*, execute, session writes, helpers."""
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        receiver = pyast.dotted(func.value) if isinstance(func, ast.Attribute) else None
        if receiver in self.ops_names or receiver in self.batches:
            self.op_call(method, node, self.batches.get(receiver or "", (None, False))[0])
        elif receiver in self.ended_batches and method not in _RUN_NOTHING:
            self.broken.append(
                f"line {node.lineno}: {receiver}.{method}() comes after its batch_alter_table "
                "block ended: Alembic queues it and never runs it"
            )
        elif (enum := self.enum_method(node)) is not None:
            self.enum_call(method, enum, node)
        elif method in ("execute", "exec_driver_sql") and receiver is not None:
            self.execute(node)
        elif method == "add" and receiver in self.connections and node.args:
            self.operations.append(
                ops.DataChange(
                    ops.DataChangeKind.INSERT,
                    detail="adds rows through the ORM session",
                    line=node.lineno,
                )
            )
        elif isinstance(func, ast.Name) and func.id in self.module.functions:
            self.helper(func.id, node)

    def op_call(self, method: str, node: ast.Call, batch_table: str | None) -> None:
        """Translate one op.* (or batch_op.*) call."""
        if method == "execute":
            self.execute(node)
            return
        if method in _RUN_NOTHING:
            return
        value = self.module.evaluate(node, self.local)
        if not isinstance(value, pyast.Call):
            self.operations.append(
                ops.Opaque(f"{_short(node.func)}(…)", raw=True, line=node.lineno)
            )
            return
        if method == "bulk_insert":
            self.bulk_insert(node, value)
            return
        result = calls.translate(method, value, batch_table, self.dialect)
        self.operations += [_at(o, node.lineno) for o in result.operations]
        self.notes += result.notes
        self.broken += result.broken
        created = self.types_created | {
            o.name for o in self.operations if isinstance(o, ops.CreateEnumType)
        }
        for enum, column in result.types_needed:
            if enum not in created:
                self.types_needed.setdefault(enum, []).append(column)

    def enum_method(self, node: ast.Call) -> pyast.Call | None:
        """The enum of `<enum>.create(bind)` / `<enum>.drop(bind)`, where `<enum>` is an
        `sa.Enum(…)` or `postgresql.ENUM(…)` (written there, or bound to a name)."""
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in ("create", "drop"):
            return None
        value = self.module.evaluate(func.value, self.local)
        return value if isinstance(value, pyast.Call) and _is_enum(value) else None

    def enum_call(self, method: str, enum: pyast.Call, node: ast.Call) -> None:
        """`visibility.create(op.get_bind(), checkfirst=True)`: CREATE TYPE (only when it is
        missing, with checkfirst), or DROP TYPE; enum types exist on PostgreSQL only."""
        name = columns.enum_name(enum)
        where = f"line {node.lineno}: {_short(node.func)}()"
        if self.dialect not in (None, ops.Dialect.POSTGRESQL):
            self.notes.append(f"{where} does nothing on {self.dialect.value}: no enum types there")
            return
        if name is None:
            self.operations.append(ops.Opaque(f"{where}: an enum type named at run time", True))
            return
        if method == "drop":
            self.operations.append(ops.DropType(name, line=node.lineno))
            return
        self.types_created.add(name)
        # postgresql.ENUM checks first unless told not to; sa.Enum only when told to
        checkfirst = self.module.evaluate(_keyword(node, "checkfirst"), self.local)
        if checkfirst is True or (checkfirst is None and enum.name == "ENUM"):
            self.types_if_missing.add(name)
            self.notes.append(f"{where} creates enum type {name} only if it does not exist")
        values = columns.enum_values(enum)
        if values:
            self.operations.append(ops.CreateEnumType(name, values, line=node.lineno))
        else:
            self.operations.append(
                ops.Opaque(
                    f"creates enum type {name} with the values of "
                    f"{pyast.render(enum.args[0]) if enum.args else 'application code'}",
                    line=node.lineno,
                )
            )

    def module_enum_types(self) -> None:
        """`status.create(op.get_bind())` outside any function (in a `try` or not): the type is
        created when Alembic loads the file, before upgrade() runs."""
        for statement in self.module.tree.body:
            for node in statement.body if isinstance(statement, ast.Try) else [statement]:
                if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
                    continue
                enum = self.enum_method(node.value)
                if enum is not None and getattr(node.value.func, "attr", "") == "create":
                    self.enum_call("create", enum, node.value)
                    self.notes.append(
                        f"line {node.lineno}: the enum type is created at module level, when "
                        "Alembic loads the file"
                    )

    def type_notes(self) -> list[str]:
        """The enum types add_column needs that this function does not create."""
        return [
            calls.type_needed_note(enum, column)
            for enum, found in self.types_needed.items()
            for column in found
        ]

    def bulk_insert(self, node: ast.Call, value: pyast.Call) -> None:
        """`op.bulk_insert(table, rows)`: rows inserted into the table."""
        table_node = node.args[0] if node.args else None
        table = self.tables.get(table_node.id) if isinstance(table_node, ast.Name) else None
        rows = value.get("rows", 1)
        count = f"{len(rows)} rows" if isinstance(rows, tuple) else "rows"
        self.operations.append(
            ops.DataChange(
                ops.DataChangeKind.INSERT,
                table=table,
                detail=f"inserts {count} into {table or 'a table'} (bulk_insert)",
                line=node.lineno,
            )
        )

    def execute(self, node: ast.Call) -> None:
        """SQL text, an SQLAlchemy statement, or SQL built at run time."""
        if not node.args:
            return
        statement = data.unwrap(node.args[0], self.local, self.expressions)
        text = data.literal_sql(statement, self.module, self.local)
        if text is not None:
            placed, line = _placed(text, statement)
            self.operations += sql_operations(placed, self.dialect, line).operations
            return
        template = data.sql_template(statement, self.module, self.local)
        change = data.expression_change(statement, self.tables, node.lineno)
        if template is not None:
            found = data.template_change(template, node.lineno)
            self.operations += [found] if found is not None else []
        elif change is not None:
            self.operations.append(change)
        elif not _is_select(statement):
            summary = f"SQL built at run time (line {node.lineno}): {_short(statement)}"
            self.operations.append(ops.Opaque(summary, raw=True, line=node.lineno))

    def helper(self, name: str, node: ast.Call) -> None:
        """Read a module function the body calls, its parameters bound to the arguments."""
        function = self.module.functions[name]
        params = [a.arg for a in function.args.args]
        passed = list(zip(params, node.args, strict=False))
        passed += [(k.arg, k.value) for k in node.keywords if k.arg]
        values = {param: self.module.evaluate(value, self.local) for param, value in passed}
        called = f"{name}{values!r}"
        if called in self.helper_calls:
            return
        if len(self.helpers) >= _MOST_HELPERS:
            self.unread.setdefault(name, node.lineno)  # not read: never "nothing"
            return
        self.helper_calls.add(called)
        self.helpers.append(name)
        for param, value in passed:
            # a literal by value: the caller's name may be the parameter's own (`f(table)`)
            held = values[param]
            is_literal = isinstance(held, (str, int, float, tuple))
            self.local.update(pyast.bind(ast.Name(param), held) if is_literal else {param: value})
        for param, value in passed:
            if not isinstance(value, ast.Name):
                continue
            if value.id in self.ops_names:
                self.ops_names.add(param)
            if value.id in self.connections:
                self.connections.add(param)
            if value.id in self.tables:
                self.tables[param] = self.tables[value.id]
            if value.id in self.expressions:
                self.expressions[param] = self.expressions[value.id]
        self.calling.append(name)
        self.body(function.body)
        self.calling.pop()


# Calls that end the process: the upgrade stops (a deploy precondition, as FitTrackee checks).
_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
# Calls that change no schema or data by themselves: logging, printing, SQLAlchemy constructs.
_NOT_SCHEMA_CALLS = frozenset(
    {"print", "logger", "log", "logging", "LOG", "warnings", "time", "sa", "sqlalchemy"}
)
# op.* helpers that build or fetch something rather than run an operation.
_RUN_NOTHING = frozenset({"get_bind", "f", "inline_literal", "get_context", "batch_alter_table"})
# Methods that end or read a unit of work rather than change rows.
_CHANGES_NOTHING = frozenset(
    {"commit", "flush", "close", "rollback", "begin", "expunge_all", "refresh", "dispose"}
    | {"info", "debug", "warning", "warn", "error", "exception", "append", "extend"}
)


def _is_autocommit(node: ast.expr) -> bool:
    """`connection.execution_options(isolation_level="AUTOCOMMIT")`."""
    return isinstance(node, ast.Call) and any(
        k.arg == "isolation_level"
        and isinstance(k.value, ast.Constant)
        and str(k.value.value).upper() == "AUTOCOMMIT"
        for k in node.keywords
    )


def _is_schema(operation: ops.Operation) -> bool:
    """A schema change (kept out of a branch that may not run), not rows or unread code."""
    return not isinstance(operation, ops.DataChange) and not (
        isinstance(operation, ops.Opaque) and operation.raw
    )


def _on_one_side(operations: list[ops.Operation], when: str) -> list[ops.Operation]:
    """The row changes and unread code of a side that runs only `when`, saying so (a risk on
    that path); its schema changes are left to a note."""
    kept: list[ops.Operation] = []
    for operation in operations:
        if isinstance(operation, ops.DataChange):
            kept.append(replace(operation, detail=f"{operation.detail} (only if {when})"))
        elif isinstance(operation, ops.Opaque) and operation.raw:
            kept.append(replace(operation, summary=f"{operation.summary} (only if {when})"))
    return kept


def _when(test: ast.expr, holds: bool = True) -> str:
    """`x` holding or not, in words without a double negative: `not x` false is `x`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, holds = test.operand, not holds
    return f"`{_short(test)}`" if holds else f"`{_short(test)}` is false"


def _is_enum(value: pyast.Value) -> bool:
    return isinstance(value, pyast.Call) and value.name in ("Enum", "ENUM")


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _rebuilds_on_sqlite(operations: list[ops.Operation]) -> bool:
    """Whether Alembic recreates a batch's table on SQLite (its `requires_recreate_in_batch`):
    for anything but creating or dropping an index and adding a column without a SQL
    expression or computed default, which run as plain ALTERs."""
    for operation in filter(_is_schema, operations):
        if isinstance(operation, ops.AddColumn):
            column = operation.column
            if column.generated or columns.is_sql_expression(column.default):
                return True
        elif not isinstance(operation, (ops.CreateIndex, ops.DropIndex)):
            return True
    return False


def _table_options(args: pyast.Call) -> tuple[str, ...]:
    """`table_kwargs={"sqlite_autoincrement": True}`: options the rebuilt table is given."""
    options = args.get("table_kwargs")
    if not isinstance(options, dict):
        return ()
    return tuple(f"table option {k}={pyast.render(v)}" for k, v in options.items())


def _attribute_targets(node: ast.stmt) -> list[ast.expr]:
    """The attributes an assignment writes (`instance.project_id = …`): a change of an ORM
    object, or of anything else, that harvester does not follow on its own."""
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [t for t in targets if isinstance(t, ast.Attribute)]


def _unread_code(
    function: ast.FunctionDef | ast.AsyncFunctionDef, calls: dict[str, int]
) -> ops.Opaque:
    """The calls of code outside the file: they may change schema or data (rather than "no
    statements" for a revision whose work is all in a shared helper)."""
    named = [f"{name}() (line {line})" for name, line in calls.items()]
    what = first_few(named)
    return ops.Opaque(f"{function.name}() calls {what}: code harvester does not read", raw=True)


def _is_select(node: ast.expr) -> bool:
    return "select" in ast.unparse(node).lower()[:80]


def _placed(text: str, node: ast.expr) -> tuple[str, int]:
    """SQL text and the file line it starts on: a string written in place counts its lines
    from its opening quotes (the statement splitter counts the newlines after them); text
    put together elsewhere (a variable, a `%` template) is placed at the expression."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return text, node.lineno
    return text.lstrip(), node.lineno


def _at(operation: ops.Operation, line: int) -> ops.Operation:
    return operation if getattr(operation, "line", None) else replace(operation, line=line)


def _short(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 70 else text[:67] + "…"
