"""One Rails migration file, text in and `ParsedMigration` out: its class, `Migration[x.y]`,
`change` or `up`/`down`, `disable_ddl_transaction!`, helper methods and inline models.

class BackfillStatus < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  class Account < ActiveRecord::Base; end

  def up
    Account.where(status: nil).in_batches.update_all(status: "active")
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from harvester.cache import cached
from harvester.migrations import treesitter
from harvester.migrations.commands import (
    Directions,
    StepState,
    from_change,
    from_up_down,
    mark_raising,
)
from harvester.migrations.literals import Value
from harvester.migrations.rails import naming, spelling, versions
from harvester.migrations.rails.body import RAISES_IRREVERSIBLE, BodyReader
from harvester.migrations.rails.helpers import helper_values
from harvester.migrations.rails.models import associations_in, table_name_set_in
from harvester.migrations.rails.paths import holds_data_migrations, root_of
from harvester.migrations.rails.ruby import RubyValues
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema import ops
from harvester.migrations.timestamped import Reading, read_directions, syntax_problem
from harvester.model import Problem

if TYPE_CHECKING:
    from tree_sitter import Node

_IRREVERSIBLE = "ActiveRecord::IrreversibleMigration"
_STEPS = frozenset({"change", "up", "down"})


@cached("rails-migration")
def read_migration(text: str, path: str, version: str, dialect: ops.Dialect | None) -> Reading:
    """The operations of one migration file (pure: text in, result out)."""
    root = treesitter.parse(text, "ruby")
    broken = syntax_problem(root, path, "Ruby")
    if broken is not None:
        return broken
    found = _migration_class(root)
    fingerprint = treesitter.fingerprint(root, spelling.meaning)
    if found is None:
        problem = Problem(
            path, "not parsed: no migration class (`class … < ActiveRecord::Migration`)"
        )
        return Reading(None, problem, fingerprint)
    node, rails_version, notes = found
    folder = root_of(path)
    if folder is not None and holds_data_migrations(folder):
        notes.append(
            "data migration (data_migrate gem): run by its tasks (`data:migrate`, "
            "`db:migrate:with_data`) and recorded in its data_migrations table"
        )
    values = RubyValues(root)
    body = node.child_by_field_name("body")
    methods, constants, models, no_transaction = _class_members(body, values)
    values.model_tables.update(models)
    if no_transaction:
        notes.append(
            "disable_ddl_transaction!: runs outside a transaction, a failure leaves it half done"
        )
    computed = helper_values({k: v for k, v in methods.items() if k not in _STEPS}, values)
    notes += [n for name, found in computed.items() if (n := found.note(name)) is not None]
    env = {**constants, **{name: found.value for name, found in computed.items()}}
    ctx = RailsContext(dialect, rails_version)
    reader = BodyReader(values, ctx, methods, models)
    reader.required = _required_files(root, path)
    reader.included = _included_modules(body)
    reader.models.tables_named = _names_spelled(root)
    reader.models.associations.update(associations_in(body, values))
    directions = _directions(reader, methods, env, not no_transaction)
    if directions is None:
        notes.append("no change, up or down method: nothing runs")
        directions = Directions(ops.Step(), ops.Step(), down_is_noop=True)
    notes += _index_renamed_with_column(directions.up.operations, ctx)
    return read_directions(version, path, directions, notes, fingerprint, reader.guards)


def _index_renamed_with_column(operations: Sequence[ops.Operation], ctx: RailsContext) -> list[str]:
    """Rails renames a column's conventionally named index with the column (`rename_column`,
    `t.rename`): an index of the old name created after it (`t.belongs_to` of a new column of
    the old name) is a new index, not the one the table had."""
    notes = []
    for at, op in enumerate(operations):
        if not isinstance(op, ops.RenameColumn):
            continue
        was, now = (naming.index_name(op.table, [c], ctx.version) for c in (op.old, op.new))
        again = next(
            (
                later
                for later in operations[at + 1 :]
                if isinstance(later, ops.CreateIndex) and later.index.name == was
            ),
            None,
        )
        if again is not None:
            where = f" at line {again.line}" if again.line else ""
            notes.append(
                f"renaming {op.table}.{op.old} to {op.new} also renames its index {was} to "
                f"{now}, if it has one: the {was} created{where} is a new index"
            )
    return notes


def _required_files(root: Node, path: str) -> dict[str, str]:
    """Files beside the migration it loads, by the constant they conventionally define:
    `require_relative "helpers/delete_content"` -> {"Helpers::DeleteContent": "db/migrate/
    helpers/delete_content.rb"}."""
    found = {}
    for call in treesitter.walk(root):
        if call.type != "call" or treesitter.text(call.child_by_field_name("method")) != (
            "require_relative"
        ):
            continue
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        if first is None or first.type != "string" or "#{" in treesitter.text(first):
            continue
        relative = treesitter.text(first).strip("\"'").removesuffix(".rb")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative)) + ".rb"
        constant = "::".join(
            "".join(w.capitalize() for w in part.split("_")) for part in relative.split("/")
        )
        found[constant] = file
    return found


def _included_modules(body: Node | None) -> tuple[str, ...]:
    """Modules the migration class includes (`include MigrationHelpers`)."""
    found = []
    for node in body.named_children if body is not None else ():
        if node.type != "call" or treesitter.text(node.child_by_field_name("method")) != "include":
            continue
        arguments = node.child_by_field_name("arguments")
        for argument in arguments.named_children if arguments is not None else ():
            if argument.type in ("constant", "scope_resolution"):
                found.append(treesitter.text(argument))
    return tuple(found)


def _names_spelled(root: Node) -> frozenset[str]:
    """Every plain symbol and string of the file (`:users`, `"users"`): the table names it
    may spell out."""
    found = set()
    for node in treesitter.walk(root):
        if node.type in ("simple_symbol", "string"):
            word = treesitter.text(node).lstrip(":").strip("\"'")
            if re.fullmatch(r"\w+", word):
                found.add(word)
    return frozenset(found)


def _migration_class(root: Node) -> tuple[Node, versions.RailsVersion, list[str]] | None:
    """The class inheriting from a migration (the first one with a `change`, `up` or `down`
    when there are several), with its `[x.y]` version."""
    aliases = _migration_constants(root)
    found: list[tuple[Node, str, str]] = []
    for node in treesitter.walk(root):
        if node.type != "class":
            continue
        written = treesitter.text(node.child_by_field_name("superclass")).lstrip("<").strip()
        parent = aliases.get(written, written)
        if "Migration" in parent:
            found.append((node, parent, written if parent == written else f"{written} ({parent})"))
            aliases[treesitter.text(node.child_by_field_name("name"))] = parent
    if not found:
        return None
    node, parent, shown = next((f for f in found if _has_steps(f[0])), found[0])
    notes: list[str] = []
    base, _, bracket = parent.partition("[")
    parsed = versions.parse_version(bracket.rstrip("]").strip()) if bracket else None
    if base.strip() == "ActiveRecord::Migration" and parsed is None and not bracket:
        return node, versions.LEGACY, notes
    if parsed is None or base.strip() != "ActiveRecord::Migration":
        notes.append(
            f"inherits from {shown}: read with the defaults of Rails "
            f"{versions.LATEST[0]}.{versions.LATEST[1]}"
        )
        parsed = versions.LATEST if base.strip() != "ActiveRecord::Migration" else parsed
    return node, parsed or versions.LATEST, notes


_MIGRATION = re.compile(r"ActiveRecord::Migration(?:\[[^\]\n]*\])?")


def _migration_constants(root: Node) -> dict[str, str]:
    """Constants set in the file to a migration class, as that class: friendly_id's generator
    writes `MIGRATION_CLASS = if … ActiveRecord::Migration["x.y"] else … end`, then
    `class CreateSlugs < MIGRATION_CLASS` (the versioned branch is the one read)."""
    constants: dict[str, str] = {}
    for node in treesitter.walk(root):
        left = node.child_by_field_name("left") if node.type == "assignment" else None
        if left is None or left.type != "constant":
            continue
        written = _MIGRATION.findall(treesitter.text(node.child_by_field_name("right")))
        if written:
            chosen = max(written, key=len)
            run_time = "#{" in chosen  # Migration["#{ActiveRecord::VERSION::MAJOR}.…"]
            constants[treesitter.text(left)] = (
                "ActiveRecord::Migration[the Rails version running it]" if run_time else chosen
            )
    return constants


def _has_steps(node: Node) -> bool:
    """Whether a class defines `change`, `up` or `down` itself."""
    body = node.child_by_field_name("body")
    return body is not None and any(
        child.type == "method" and treesitter.text(child.child_by_field_name("name")) in _STEPS
        for child in body.named_children
    )


def _class_members(
    body: Node | None, values: RubyValues
) -> tuple[dict[str, Node], dict[str, Value], dict[str, str], bool]:
    """Methods, literal constants, inline models (name -> table) and the DDL-transaction flag."""
    methods: dict[str, Node] = {}
    constants: dict[str, Value] = {}
    models: dict[str, str] = {}
    no_transaction = False
    if body is None:
        return methods, constants, models, no_transaction
    for node in body.named_children:
        if node.type in ("method", "singleton_method"):
            methods[treesitter.text(node.child_by_field_name("name"))] = node
        elif node.type == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "constant":
                constants[treesitter.text(left)] = values.value(
                    node.child_by_field_name("right"), constants
                )
        elif node.type == "class":
            name = treesitter.text(node.child_by_field_name("name"))
            models[name] = table_name_set_in(node, values) or ""
        elif (
            node.type in ("call", "identifier")
            and treesitter.text(node.child_by_field_name("method") if node.type == "call" else node)
            == "disable_ddl_transaction!"
        ):
            no_transaction = True
    return methods, constants, {k: v for k, v in models.items() if v}, no_transaction


def _directions(
    reader: BodyReader, methods: dict[str, Node], constants: dict[str, Value], transactional: bool
) -> Directions | None:
    """The migration's up and down steps from `change` or `up`/`down`."""
    if "change" in methods and _own_revert(methods):
        return _change_with_own_revert(reader, methods, constants, transactional)
    if "change" in methods:
        body = reader.read(_body(methods["change"]), constants, True)
        return mark_raising(from_change(body, transactional, _IRREVERSIBLE), reader.state)
    if "up" not in methods and "down" not in methods:
        return None
    up = reader.read(_body(methods.get("up")), constants, False)
    up_state, reader.state = reader.state, StepState()
    up_guards = len(reader.guards)
    down_node = methods.get("down")
    if down_node is None:
        missing = "no down method: rails db:rollback runs nothing for it"
        return mark_raising(from_up_down(up, None, transactional, missing=missing), up_state)
    down = reader.read(_body(down_node), constants, False)
    del reader.guards[up_guards:]  # a guard in down skips nothing of the up step
    # Read from the statements kept, so a raise under another adapter's guard does not count.
    raises = RAISES_IRREVERSIBLE in down.notes
    directions = from_up_down(
        up,
        down,
        transactional,
        down_raises=f"down raises {_IRREVERSIBLE}: this migration cannot be rolled back"
        if raises
        else None,
    )
    return mark_raising(directions, up_state)


def _own_revert(methods: dict[str, Node]) -> bool:
    """Whether the class overrides `revert` without running the block it is given: Rails
    rolls `change` back with `revert { change }`, so the override is the whole rollback."""
    method = methods.get("revert")
    if method is None:
        return False
    words = {n.type for n in treesitter.walk(method)} | {
        treesitter.text(n) for n in treesitter.walk(method) if n.type == "identifier"
    }
    return not words & {"super", "yield", "block_argument"}


def _change_with_own_revert(
    reader: BodyReader, methods: dict[str, Node], constants: dict[str, Value], transactional: bool
) -> Directions:
    """`change` rolled back by the class's own `revert`: up runs `change`, down runs only
    what `revert` does (nothing, when it is empty)."""
    up = reader.read(_body(methods["change"]), constants, False)
    up_state, reader.state = reader.state, StepState()
    guards = len(reader.guards)
    down = reader.read(_body(methods["revert"]), constants, False)
    del reader.guards[guards:]
    directions = from_up_down(up, down, transactional)
    what = "does nothing" if directions.down_is_noop else "runs only what it does"
    note = f"`revert` overridden without running `change` backwards: rollback {what}"
    return mark_raising(replace(directions, notes=(*directions.notes, note)), up_state)


def _body(method: Node | None) -> Node | None:
    if method is None:
        return None
    return method.child_by_field_name("body")
