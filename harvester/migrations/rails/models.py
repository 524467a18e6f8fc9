"""Model code in a migration: `User.where(…).update_all(…)`, `find_each { … save! }`.

Account.where(status: nil).update_all(status: "draft")   # DataChange UPDATE on accounts
User.find_each { |u| u.update!(slug: u.name.parameterize) }  # DataChange CODE, raises on data
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.literals import Arguments, Value, name_of, names_of
from harvester.migrations.rails import naming
from harvester.migrations.rails.ruby import RubyValues
from harvester.migrations.schema import ops

if TYPE_CHECKING:
    from tree_sitter import Node

_UPDATES = frozenset(
    {
        "update_all",
        "update_column",
        "update_columns",
        "update",
        "update!",
        "update_attribute",
        "update_counters",
        "touch_all",
        "save",
        "save!",
        "increment!",
        "decrement!",
        "toggle!",
    }
)
_DELETES = frozenset(
    {"delete_all", "destroy_all", "delete", "destroy", "destroy!", "delete_by", "destroy_by"}
)
_INSERTS = frozenset(
    {
        "insert!",
        "upsert!",
        "insert_all",
        "insert_all!",
        "upsert_all",
        "insert",
        "upsert",
        "create",
        "create!",
        "find_or_create_by",
        "find_or_create_by!",
        "first_or_create",
        "first_or_create!",
    }
)
_ITERATIONS = frozenset(
    {"find_each", "find_in_batches", "in_batches", "each", "each_with_index", "map"}
)
_READS = frozenset(
    {
        "count",
        "exists?",
        "pluck",
        "pick",
        "sum",
        "any?",
        "none?",
        "first",
        "last",
        "take",
        "find_by",
        "find_by_sql",
        "count_by_sql",
        "ids",
    }
)
# Calls that return plain values, not records: a variable set from them holds no rows.
_VALUES = frozenset({"pluck", "pick", "ids", "count", "sum", "to_h", "exists?", "any?", "none?"})
_UNFILTERED = frozenset(
    {
        "all",
        "unscoped",
        "order",
        "includes",
        "preload",
        "eager_load",
        "select",
        "reorder",
        "readonly",
        "lock",
    }
    | _ITERATIONS
    | _UPDATES
    | _DELETES
    | _INSERTS
)
_RAISING = frozenset(
    {
        "update!",
        "save!",
        "create!",
        "destroy!",
        "find",
        "find_by!",
        "sole",
        "find_sole_by",
        "take!",
        "first!",
        "last!",
        "insert_all!",
        "find_or_create_by!",
    }
)
_HARMLESS = frozenset(
    {
        "reset_column_information",
        "table_name",
        "primary_key",
        "column_names",
        "columns_hash",
        "connection",
        "name",
        "new",
        "where",
        "not",
        "joins",
        "left_joins",
        "group",
        "having",
        "limit",
        "offset",
        "distinct",
        "to_a",
        "to_h",
        "transaction",
        "then",
        "tap",
        "yield_self",
        "find",
        "find_by!",
    }
)
_NOT_MODELS = frozenset(
    {
        "ActiveRecord::Base",
        "ApplicationRecord",
        "ActiveRecord::Migration",
        "Rails",
        "ENV",
        "Time",
        "Date",
        "DateTime",
        "File",
        "JSON",
        "YAML",
        "Kernel",
        "SecureRandom",
        "Digest",
        "Integer",
        "String",
        "Hash",
        "Array",
        "Set",
        "URI",
        "CSV",
        "Logger",
        "I18n",
        "Thread",
        "Process",
        "Dir",
        "IO",
        "STDOUT",
        "STDERR",
        "Struct",
        "OpenStruct",
    }
)


class ModelCode:
    """Recognises model calls that change or read rows, and names their tables."""

    def __init__(self, known: Mapping[str, str]) -> None:
        self.known = known
        self.bound: dict[str, str] = {}
        self.class_tables: dict[str, str] = {}
        self.associations: dict[str, Association] = {}
        # Table names the migration spells out (`change_table :invoice_run_processed_subjects`):
        # a namespaced model's table by Rails' defaults is one of them.
        self.tables_named: frozenset[str] = frozenset()

    def association_write(self, node: Node) -> ops.DataChange | None:
        """`role.features << feature`, `role.features.delete(feature)`: rows an association
        of an inline model adds or removes (a join table's rows for has_and_belongs_to_many,
        the linked rows of a has_many, whose key is set or cleared)."""
        if node.type == "binary":
            operator = treesitter.text(node.child_by_field_name("operator"))
            owner, method = node.child_by_field_name("left"), operator
        else:
            owner, method = node.child_by_field_name("receiver"), _method(node)
        if owner is None or owner.type != "call" or method not in _LINKS | _UNLINKS:
            return None
        found = self.associations.get(_method(owner))
        if found is None or owner.child_by_field_name("arguments") is not None:
            return None
        shown = re.sub(r"\s+\.", ".", " ".join(treesitter.text(node).split()))
        shown = shown if len(shown) <= 70 else shown[:67] + "…"
        if not found.joins:
            what = "links" if method in _LINKS else "unlinks"
            detail = f"{what} rows of {found.table} from Ruby model code ({shown})"
            return ops.DataChange(
                ops.DataChangeKind.CODE, found.table, detail, line=treesitter.line(node)
            )
        if method in _LINKS:
            detail = f"inserts rows into {found.table} from Ruby model code ({shown})"
            return ops.DataChange(
                ops.DataChangeKind.INSERT, found.table, detail, line=treesitter.line(node)
            )
        detail = f"deletes rows of {found.table} from Ruby model code ({shown})"
        return ops.DataChange(
            ops.DataChangeKind.DELETE, found.table, detail, line=treesitter.line(node)
        )

    def bind(self, variable: str, node: Node, values: RubyValues) -> None:
        """Remember that `variable` holds rows of a model (`story = Story.find_by(…)`), or a
        model class made on the spot (`klass = Class.new(Base) { self.table_name = "x" }`)."""
        self.bound.pop(variable, None)
        self.class_tables.pop(variable, None)
        chain = _chain(node)
        if not chain or chain[0].type not in ("constant", "scope_resolution"):
            return
        model = treesitter.text(chain[0])
        methods = {treesitter.text(n.child_by_field_name("method")) for n in chain[1:]}
        if model == "Class" and methods == {"new"}:
            table = table_name_set_in(node, values)
            if table is not None:
                self.class_tables[variable] = table
        elif model not in _NOT_MODELS and not model.isupper() and not methods & _VALUES:
            self.bound[variable] = model

    def data_change(
        self, node: Node, values: RubyValues, env: Mapping[str, Value]
    ) -> ops.DataChange | None:
        """A `DataChange` for a model call chain that writes rows (or loops over them to)."""
        chain = _chain(node)
        root = chain[0] if chain else None
        one_record = False
        named = treesitter.text(root) if root is not None and root.type == "identifier" else ""
        if named in self.class_tables:
            model = named
        elif named in self.bound:
            model = self.bound[named]
            one_record = True
        elif root is None or root.type not in ("constant", "scope_resolution"):
            return None
        else:
            model = treesitter.text(root)
        if named not in self.class_tables and (
            model in _NOT_MODELS or model in env or model.isupper()
        ):
            return None
        methods = [treesitter.text(n.child_by_field_name("method")) for n in chain[1:]]
        block_writes = _block_methods(node)
        # `find_each(&:encrypt)`: a method of the app's model runs on every row; a loop over
        # rows for nothing else is taken as writing them.
        called = _symbol_block(node)
        if called is not None:
            block_writes.add(called)
        calls_app = called is not None and called not in _HARMLESS | _READS | _VALUES
        writes = [m for m in methods if m in _UPDATES | _DELETES | _INSERTS]
        if not writes and set(methods) & _VALUES:
            return None  # `Model.pluck(:id).each { … }` loops over values, not rows
        association = _association_of(methods, writes) if one_record else None
        last = writes[-1] if writes else methods[-1] if methods else ""
        if last in _DELETES:
            kind = ops.DataChangeKind.DELETE
        elif last in _INSERTS:
            kind = ops.DataChangeKind.INSERT
        elif last in _UPDATES:
            kind = ops.DataChangeKind.UPDATE
        elif last in _ITERATIONS and _only_deletes(block_writes):
            kind = ops.DataChangeKind.DELETE  # `in_batches { |batch| batch.delete_all }`
        elif last in _ITERATIONS and (_writes(block_writes) or calls_app):
            kind = ops.DataChangeKind.CODE
        else:
            return None
        table = (
            self.class_tables.get(model)
            or self.known.get(model)
            or naming.table_of_model(model)
            or self._named_table(model)
        )
        through = ""
        if association is not None:
            # `document.editions.destroy_all`: rows of the associated table, named by convention.
            through = f" (through the {association} association of a {model} row)"
            table = association
        shown = re.sub(r"\s+\.", ".", " ".join(treesitter.text(node).split()))
        shown = shown if len(shown) <= 70 else shown[:67] + "…"
        what = {
            ops.DataChangeKind.DELETE: "deletes rows of",
            ops.DataChangeKind.INSERT: "inserts rows into",
            ops.DataChangeKind.UPDATE: "rewrites rows of",
        }.get(kind, "loops over rows of")
        detail = (
            f"{what} {table or f'the table of {model}'}{through} from Ruby model code ({shown})"
        )
        raising = (
            bool((set(methods) | block_writes) & _RAISING)
            or any(m.endswith("!") for m in block_writes)
            or _raises_in_block(node)
        )
        conditions = (
            _conditions(chain, last, values, env) if kind is ops.DataChangeKind.DELETE else None
        )
        return ops.DataChange(
            kind,
            table,
            detail,
            has_where=one_record
            or conditions is not None
            or any(m not in _UNFILTERED for m in methods),
            raises_on_data=raising,
            line=treesitter.line(node),
            columns=conditions or _set_columns(chain, last, values, env),
            code_columns=_block_columns(node) if kind is ops.DataChangeKind.CODE else (),
        )

    def _named_table(self, model: str) -> str | None:
        """The table of namespaced `model` when the migration names exactly one of those Rails
        would give it (`InvoiceRun::ProcessedSubject` beside `change_table
        :invoice_run_processed_subjects`), else None."""
        found = [t for t in naming.nested_model_tables(model) if t in self.tables_named]
        return found[0] if len(found) == 1 else None

    def opaque_call(self, node: Node, env: Mapping[str, Value]) -> str | None:
        """`Service.backfill!` and other calls on app classes whose effect harvester cannot see
        (None for model queries, metadata calls and well-known library classes)."""
        chain = _chain(node)
        if len(chain) < 2 or chain[0].type not in ("constant", "scope_resolution"):
            return None
        owner = treesitter.text(chain[0])
        if (
            owner in _NOT_MODELS
            or owner in env
            or owner.isupper()
            or owner.startswith("ActiveRecord")
        ):
            return None
        methods = {treesitter.text(n.child_by_field_name("method")) for n in chain[1:]}
        if methods <= _HARMLESS | _READS | _UNFILTERED:
            return None
        shown = re.sub(r"\s+\.", ".", " ".join(treesitter.text(node).split()))
        return shown if len(shown) <= 60 else shown[:59] + "…"

    def reads_rows(self, node: Node) -> bool:
        """Whether a call chain on a model reads rows (`count`, `exists?`, `pluck`, …)."""
        chain = _chain(node)
        if not chain or chain[0].type not in ("constant", "scope_resolution"):
            return False
        methods = {treesitter.text(n.child_by_field_name("method")) for n in chain[1:]}
        return bool(methods & (_READS | _ITERATIONS))


_LINKS = frozenset({"<<", "push", "concat"})
_UNLINKS = frozenset({"delete", "destroy", "clear", "delete_all", "destroy_all"})


@dataclass(frozen=True, slots=True)
class Association:
    """The table whose rows an association's writes change; `joins`: it is the join table of
    a has_and_belongs_to_many (rows inserted and deleted), else the linked model's table."""

    table: str
    joins: bool


def associations_in(body: Node | None, values: RubyValues) -> dict[str, Association]:
    """The has_many and has_and_belongs_to_many associations of a migration's inline models
    (`class Role < ActiveRecord::Base; has_and_belongs_to_many :features; end`), by name; a
    name two models declare differently is left out."""
    found: dict[str, Association | None] = {}
    for model in (n for n in (body.named_children if body else []) if n.type == "class"):
        name = treesitter.text(model.child_by_field_name("name"))
        own = table_name_set_in(model, values) or naming.table_of_model(name)
        for call in treesitter.walk(model):
            if call.type != "call" or call.child_by_field_name("receiver") is not None:
                continue
            kind = _method(call)
            if kind not in ("has_many", "has_and_belongs_to_many") or own is None:
                continue
            declared = _association(kind, own, values.arguments(call, {}))
            if declared is not None:
                assoc, association = declared
                found[assoc] = association if found.get(assoc, association) == association else None
    return {name: a for name, a in found.items() if a is not None}


def _association(kind: str, own: str, args: Arguments) -> tuple[str, Association] | None:
    """(name, what its writes change) of one `has_many`/`has_and_belongs_to_many` call."""
    name = name_of(args.positional[0]) if args.positional else None
    if name is None or "through" in args.options:
        return None
    model = name_of(args.options.get("class_name"))
    target = naming.table_of_model(model.rpartition("::")[2]) if model else name
    if kind == "has_many":
        return (name, Association(target, False)) if target else None
    joined = name_of(args.options.get("join_table"))
    if joined is None and target is not None:
        joined = naming.join_table_name(own, target)
    return (name, Association(joined, True)) if joined else None


def _method(call: Node) -> str:
    return treesitter.text(call.child_by_field_name("method"))


def _chain(node: Node) -> list[Node]:
    """The receiver chain of a call: root first, then each call on it."""
    chain = []
    current: Node | None = node
    while current is not None and current.type == "call":
        chain.append(current)
        current = current.child_by_field_name("receiver")
    if current is None:
        return []
    return [current, *reversed(chain)]


def _association_of(methods: list[str], writes: list[str]) -> str | None:
    """`editions` in `document.editions.destroy_all`: a has_many a record's write goes
    through (a plural name no query method has, called first), else None."""
    if not writes or not methods or methods[0] in writes:
        return None
    name = methods[0]
    if name in _HARMLESS | _UNFILTERED | _READS | _VALUES or not name.isidentifier():
        return None
    return name if naming.pluralize(naming.singularize(name)) == name else None


def chain_root(node: Node) -> Node | None:
    """`Helpers::DeleteContent` in `Helpers::DeleteContent.destroy_all_of(ids)`."""
    chain = _chain(node)
    return chain[0] if chain else None


def _set_columns(
    chain: list[Node], method: str, values: RubyValues, env: Mapping[str, Value]
) -> tuple[str, ...]:
    """The columns `update_all(a: 1)`, `update_column(:a, 1)` or `update!(a: 1)` set."""
    call = next(
        (
            n
            for n in reversed(chain[1:])
            if treesitter.text(n.child_by_field_name("method")) == method
        ),
        None,
    )
    if call is None or method not in _UPDATES | _INSERTS:
        return ()
    args = values.arguments(call, env)
    if method in ("update_column", "update_attribute") and args.positional:
        return tuple(names_of(args.positional[0]))
    return tuple(args.options)


def _conditions(
    chain: list[Node], method: str, values: RubyValues, env: Mapping[str, Value]
) -> tuple[str, ...] | None:
    """For `delete_all(username: nil)` or `delete_all("host IS NULL")`: the columns whose NULL
    rows it deletes (empty for other conditions); None when the delete has no condition."""
    call = next(
        (
            n
            for n in reversed(chain[1:])
            if treesitter.text(n.child_by_field_name("method")) == method
        ),
        None,
    )
    if call is None:
        return None
    args = values.arguments(call, env)
    if not args.positional and not args.options:
        return None
    nulls = [name for name, value in args.options.items() if value is None]
    for text in (a for a in args.positional if isinstance(a, str)):
        nulls += re.findall(r"(\w+)\s+IS\s+NULL\b", text, re.I)
    return tuple(dict.fromkeys(nulls))


def _writes(methods: set[str]) -> bool:
    """Whether methods called on rows write them (`save!`, `update`, any other `…!` method)."""
    return bool(methods & (_UPDATES | _DELETES | _INSERTS)) or any(m.endswith("!") for m in methods)


def _only_deletes(methods: set[str]) -> bool:
    """Whether the writes among methods called on rows all delete them (`delete` alone is
    left out: a Hash or an Array has one too)."""
    return _writes(methods) and not {m for m in methods if _writes({m})} - (_DELETES - {"delete"})


def _block_methods(node: Node) -> set[str]:
    """Methods called in the block on values other than models (`u.update!` on each row)."""
    block = node.child_by_field_name("block")
    if block is None:
        return set()
    found = set()
    for call in treesitter.walk(block):
        if call.type != "call" or call.child_by_field_name("receiver") is None:
            continue
        chain = _chain(call)
        if chain and chain[0].type not in ("constant", "scope_resolution"):
            found.add(treesitter.text(call.child_by_field_name("method")))
    return found


_ONE_ATTRIBUTE = frozenset({"update_attribute", "update_column"})
_ATTRIBUTES = frozenset({"update", "update!", "update_columns", "update_attributes"})


def _block_columns(node: Node) -> tuple[str, ...]:
    """The columns a loop's block writes when it writes rows only by naming them
    (`tag.update_attribute(:position, i)`, `row.update!(state: "x")`); () when it writes
    any other way (`save!`, an assignment, a method of the app) or writes nothing."""
    block = node.child_by_field_name("block")
    found: list[str] = []
    for inner in treesitter.walk(block) if block is not None else ():
        left = inner.child_by_field_name("left")
        if inner.type in ("assignment", "operator_assignment") and left and left.type == "call":
            return ()
        if inner.type != "call" or inner.child_by_field_name("receiver") is None:
            continue
        method = _method(inner)
        arguments = inner.child_by_field_name("arguments")
        given = arguments.named_children if arguments is not None else []
        if method in _ONE_ATTRIBUTE and given and given[0].type == "simple_symbol":
            found.append(treesitter.text(given[0]).lstrip(":"))
        elif method in _ATTRIBUTES and given and all(a.type == "pair" for a in given):
            keys = [a.child_by_field_name("key") for a in given]
            if any(k is None or k.type != "hash_key_symbol" for k in keys):
                return ()
            found += [treesitter.text(k) for k in keys if k is not None]
        elif _writes({method}) or method in ("save", "touch"):
            return ()
    return tuple(dict.fromkeys(found))


def _symbol_block(node: Node) -> str | None:
    """`encrypt` in `User.find_each(&:encrypt)`: the method called on each row."""
    arguments = node.child_by_field_name("arguments")
    for child in arguments.named_children if arguments is not None else ():
        symbol = child.named_children[0] if child.named_children else None
        if child.type == "block_argument" and symbol is not None and symbol.type == "simple_symbol":
            return treesitter.text(symbol).lstrip(":")
    return None


def _raises_in_block(node: Node) -> bool:
    block = node.child_by_field_name("block")
    if block is None:
        return False
    return any(
        n.type in ("call", "identifier")
        and treesitter.text(n.child_by_field_name("method") if n.type == "call" else n)
        in ("raise", "fail")
        for n in treesitter.walk(block)
    )


def table_name_set_in(node: Node, values: RubyValues) -> str | None:
    """`self.table_name = "x"` inside a model class (`class X < ApplicationRecord` or
    `Class.new(Base) do … end`)."""
    for child in treesitter.walk(node):
        if (
            child.type == "assignment"
            and treesitter.text(child.child_by_field_name("left")) == "self.table_name"
        ):
            return name_of(values.value(child.child_by_field_name("right"), {}))
    return None
