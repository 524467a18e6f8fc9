"""`db/schema.rb` read as a shape: version, tables with options, columns and indexes, and
foreign keys, checks, extensions, enums and views, each as the dump writes it.

ActiveRecord::Schema[7.2].define(version: 2025_07_24_115507) do
  enable_extension "pgcrypto"
  create_table "accounts", id: :uuid, force: :cascade do |t|
    t.string "status", default: "active"
    t.index ["status"], name: "index_accounts_on_status"
  end
  add_foreign_key "accounts", "families"
end
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.rails import naming
from harvester.migrations.snapshots import SchemaShape, TableShape

if TYPE_CHECKING:
    from tree_sitter import Node

_SKIPPED_OPTIONS = ("force:",)
_OBJECTS = {
    "add_foreign_key": "foreign key",
    "enable_extension": "extension",
    "create_enum": "enum",
    "create_schema": "schema",
    "create_view": "view",
    "create_function": "function",
    "create_trigger": "trigger",
}
_CONSTRAINTS = {
    "check_constraint": "check",
    "exclusion_constraint": "exclusion constraint",
    "unique_constraint": "unique constraint",
}


def read_schema_rb(text: str) -> SchemaShape | None:
    """The shape of a schema.rb, or None when it does not parse."""
    root = treesitter.parse(text, "ruby")
    if treesitter.syntax_error(root) is not None:
        return None
    define = next(
        (
            n
            for n in treesitter.walk(root)
            if n.type == "call" and treesitter.text(n.child_by_field_name("method")) == "define"
        ),
        None,
    )
    if define is None:
        return None
    version = _version(define)
    block = define.child_by_field_name("block")
    body = block.child_by_field_name("body") if block is not None else None
    tables: dict[str, TableShape] = {}
    objects: dict[tuple[str, str | None, str], str] = {}
    for node in body.named_children if body is not None else []:
        if node.type != "call":
            continue
        method = treesitter.text(node.child_by_field_name("method"))
        arguments = _argument_nodes(node)
        if not arguments:
            continue
        name = _unquote(arguments[0])
        if method == "create_virtual_table":
            described = _squish(", ".join(treesitter.text(a) for a in arguments[1:]))
            tables[name] = TableShape(f"virtual: {described}")
        elif method == "create_table":
            table, constraints = _table(node, arguments)
            tables[name] = table
            for (kind, constraint), constraint_text in constraints.items():
                objects[(kind, name, constraint)] = constraint_text
        elif method == "add_foreign_key" and len(arguments) > 1:
            rest = _squish(", ".join(treesitter.text(a) for a in arguments[1:]))
            label = _fk_name(name, arguments)
            objects[("foreign key", name, label)] = rest
        elif method in _OBJECTS:
            rest = _squish(", ".join(treesitter.text(a) for a in arguments[1:]))
            if method == "enable_extension":
                # Rails 8 dumps the schema of an extension outside public: "pg_catalog.plpgsql"
                # is the plpgsql every PostgreSQL database has, as older dumps wrote it.
                name = name.removeprefix("pg_catalog.").removeprefix("public.")
            objects[(_OBJECTS[method], None, name)] = rest or name
        elif method == "add_index" and name in tables and len(arguments) > 1:
            # Dumps before Rails 4 list indexes after their tables.
            named, shown = _index(arguments[1:])
            table = tables[name]
            indexes = {**table.indexes, named or _squish(treesitter.text(arguments[1])): shown}
            tables[name] = TableShape(table.options, table.columns, indexes)
        elif method == "add_check_constraint" and len(arguments) > 1:
            objects[("check", name, _unquote(arguments[1]))] = _squish(
                treesitter.text(arguments[1])
            )
    return SchemaShape(version, tables, objects)


def _version(define: Node) -> str | None:
    for node in _argument_nodes(define):
        # `version: 2025_07_24_115507`, or in older dumps `:version => 20150101120000`
        key = treesitter.text(node.child_by_field_name("key")).lstrip(":")
        if node.type == "pair" and key == "version":
            return treesitter.text(node.child_by_field_name("value")).replace("_", "")
    return None


def _table(node: Node, arguments: list[Node]) -> tuple[TableShape, dict[tuple[str, str], str]]:
    """The table's shape, and its constraints by (kind, name): checks, and the exclusion and
    unique constraints Rails 7.1+ dumps as such (older dumps show them as their indexes)."""
    written = [_squish(treesitter.text(a)) for a in arguments[1:]]
    options = ", ".join(o for o in written if not o.startswith(_SKIPPED_OPTIONS))
    columns: dict[str, str] = {}
    indexes: dict[str, str] = {}
    constraints: dict[tuple[str, str], str] = {}
    key = _implicit_key(arguments[1:])
    if key is not None:  # counted as a column, as the migration that made the table counts it
        columns[key] = "primary key"
    block = node.child_by_field_name("block")
    body = block.child_by_field_name("body") if block is not None else None
    for call in body.named_children if body is not None else []:
        if call.type != "call":
            continue
        method = treesitter.text(call.child_by_field_name("method"))
        args = _argument_nodes(call)
        if not args:
            continue
        described = _squish(", ".join(treesitter.text(a) for a in args[1:]))
        if method == "index":
            name, shown = _index(args)
            indexes[name or _squish(treesitter.text(args[0]))] = shown
        elif method in _CONSTRAINTS:
            name = next(
                (_unquote(p.child_by_field_name("value")) for p in args if _key(p) == "name"), None
            )
            # a check reads as its expression; the others with their options (`using: :gist`)
            parts = (
                args[:1] if method == "check_constraint" else [a for a in args if _key(a) != "name"]
            )
            text = _squish(", ".join(treesitter.text(a) for a in parts))
            constraints[(_CONSTRAINTS[method], name or _unquote(args[0]))] = text
        else:
            columns[_unquote(args[0])] = f"{method}, {described}" if described else method
    return TableShape(options, columns, indexes), constraints


def _implicit_key(options: list[Node]) -> str | None:
    """The primary key `create_table` makes without a `t.` line: `id`, or the one
    `primary_key: "uuid"` names; None for `id: false` or a composite key."""
    values = {_key(o): o.child_by_field_name("value") for o in options if o.type == "pair"}
    if treesitter.text(values.get("id")) == "false":
        return None
    named = values.get("primary_key")
    if named is None:
        return "id"
    return _unquote(named) if named.type in ("string", "simple_symbol") else None


def _index(args: list[Node]) -> tuple[str | None, str]:
    """(name, how it reads) of an index's columns and options (`t.index` or `add_index`
    after its table)."""
    name = next((_unquote(p.child_by_field_name("value")) for p in args if _key(p) == "name"), None)
    shown = ", ".join(treesitter.text(a) for a in args if _key(a) != "name")
    return name, _squish(shown)


def _fk_name(table: str, arguments: list[Node]) -> str:
    for pair in arguments:
        if _key(pair) == "name":
            return _unquote(pair.child_by_field_name("value"))
    column = next(
        (_unquote(p.child_by_field_name("value")) for p in arguments if _key(p) == "column"),
        naming.column_for_table(_unquote(arguments[1])),
    )
    return naming.foreign_key_name(table, [column])


def _argument_nodes(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return []
    return [n for n in arguments.named_children if n.type != "comment"]


def _key(node: Node) -> str:
    if node.type != "pair":
        return ""
    return treesitter.text(node.child_by_field_name("key")).rstrip(":").lstrip(":")


def _unquote(node: Node | None) -> str:
    text = treesitter.text(node)
    return text.strip('"').strip("'").lstrip(":")


# `:limit => 8` in dumps before Rails 4, `limit: 8` since.
_HASH_ROCKET = re.compile(r"(?<![\w:]):(\w+)\s*=>\s*")


def _squish(text: str) -> str:
    """Text of the dump on one line, with `:key => value` written `key: value`."""
    return _HASH_ROCKET.sub(r"\1: ", " ".join(text.split()))
