"""Branches of `if`/`unless` and `case` in a migration: guards, adapter checks, others.

add_index :users, :email unless index_exists?(:users, :email)   # a guard: say so
return if index_exists?(:users, :email)                          # the same guard on the rest
if connection.adapter_name == "PostgreSQL" … else … end          # keep the adapter's branch
if Redmine::Database.postgresql? || Redmine::Database.sqlite?     # a project's adapter helpers
case adapter_name when /mysql/i … when /postgres/i … end         # keep the adapter's `when`
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harvester.migrations import treesitter
from harvester.migrations.literals import Value, name_of, names_of
from harvester.migrations.schema import ops
from harvester.migrations.timestamped import Guard

if TYPE_CHECKING:
    from tree_sitter import Node

    from harvester.migrations.rails.ruby import RubyValues

GUARDS = (
    "table_exists?",
    "column_exists?",
    "index_exists?",
    "index_name_exists?",
    "foreign_key_exists?",
    "check_constraint_exists?",
    "view_exists?",
    "extension_enabled?",
    "data_source_exists?",
)
_ADAPTER_WORDS = {
    "postg": ops.Dialect.POSTGRESQL,
    "postgis": ops.Dialect.POSTGRESQL,
    "mysql": ops.Dialect.MYSQL,
    "trilogy": ops.Dialect.MYSQL,
    "mariadb": ops.Dialect.MARIADB,
    "sqlite": ops.Dialect.SQLITE,
    "sqlserver": ops.Dialect.SQLSERVER,
}


_EXITS = frozenset({"return", "next"})
_ADAPTER_PREDICATE = re.compile(
    r"^(!\s*)?(?:[\w:]+\.)?(postgresql|postgres|postgis|mysql2?|trilogy|mariadb|sqlite3?)\?$"
)
_TABLE_EXISTS = re.compile(
    r"""^(!|not\s+)?\s*(?:[\w.]+\.)?(?:table|data_source)_exists\?\(?\s*[:"']?(\w+)["']?\s*\)?$"""
)


@dataclass(frozen=True, slots=True)
class Branch:
    """The statements of a branch to read, with why they run only sometimes; `absent` names
    the table the branch runs only without (`unless table_exists?(:t)`); `runs_when` whether
    it runs when the condition as written holds (None: a branch kept for the adapter)."""

    body: tuple[Node, ...]
    note: str | None
    absent: str | None = None
    runs_when: bool | None = None


def leaves_early(node: Node) -> bool:
    """Whether `node` is an early return: `return if cond`, `next unless cond`, or an
    `if cond … end` that only returns. The statements after it run only when it does not."""
    if node.type in ("if_modifier", "unless_modifier"):
        body = node.child_by_field_name("body")
        return body is not None and body.type in _EXITS
    if node.type not in ("if", "unless") or node.child_by_field_name("alternative") is not None:
        return False
    then = node.child_by_field_name("consequence")
    statements = [n for n in (then.named_children if then else []) if n.type != "comment"]
    return len(statements) == 1 and statements[0].type in _EXITS


def skips_a_pass(node: Node) -> bool:
    """Whether an early exit (`leaves_early`) is a `next`: it ends one pass of a block."""
    body = node.child_by_field_name("body" if node.type.endswith("_modifier") else "consequence")
    exits = (
        [body]
        if body is not None and body.type in _EXITS
        else list(body.named_children if body else [])
    )
    return any(n.type == "next" for n in exits)


def branches(node: Node, dialect: ops.Dialect | None, rest: Sequence[Node] = ()) -> list[Branch]:
    """The branches of an `if`/`unless`/`elsif`/ternary/modifier that may run on `dialect`.
    After an early return (`leaves_early`), the statements that follow it, `rest`, are the
    branch that runs when the condition does not send the method back."""
    kind = node.type
    condition = " ".join(treesitter.text(node.child_by_field_name("condition")).split())
    negated = kind in ("unless", "unless_modifier")
    then: tuple[Node, ...] | None
    other: tuple[Node, ...] | None
    if leaves_early(node):
        then, other = (), tuple(rest)
    elif kind.endswith("_modifier"):
        then, other = _alone(node.child_by_field_name("body")), None
    else:
        then, other = (
            _alone(node.child_by_field_name("consequence")),
            _alone(node.child_by_field_name("alternative")),
        )
    verdict = adapter_verdict(condition, dialect)
    if verdict is not None:
        chosen = then if verdict != negated else other
        adapter = dialect.value if dialect else "?"
        if not chosen:
            return [Branch((), f"skipped on the {adapter} adapter: `{condition}`")]
        return [Branch(chosen, f"kept for the {adapter} adapter: `{condition}`")]
    # `unless !x` reads as `if x`: the note states the condition without the `!`.
    single = re.fullmatch(r"!\s*[\w:.]+[?!]?(?:\([^()]*\))?", condition)
    shown = condition[1:].strip() if single else condition
    flipped = negated != (shown != condition)
    word = "unless" if flipped else "if"
    guarded = any(guard in condition for guard in GUARDS)
    prefix = "guarded: " if guarded else ""
    exists = _TABLE_EXISTS.match(condition)
    table = exists.group(2) if exists else None
    # The branch that runs when the condition is false, with `!` folded in.
    false_branch_first = negated != bool(exists and exists.group(1))
    found = []
    if then:
        absent = table if false_branch_first else None
        found.append(Branch(then, f"{prefix}runs only {word} `{shown}`", absent, not negated))
    if other:
        other_word = "if" if flipped else "unless"
        absent = table if not false_branch_first else None
        found.append(Branch(other, f"{prefix}runs only {other_word} `{shown}`", absent, negated))
    return found


_EXISTS_CHECKS = {
    "table_exists?": "table",
    "data_source_exists?": "table",
    "column_exists?": "column",
    "index_exists?": "index",
    "index_name_exists?": "index",
}


def missing_guard(
    condition: Node | None, runs_when: bool | None, values: RubyValues, env: Mapping[str, Value]
) -> Guard | None:
    """The object a branch runs only without (`unless column_exists?(:t, :c)`, `if
    !index_exists?(:t, :c)`), for a condition that is one such check; None otherwise, and
    for a check with options harvester does not compare (a column's type, `unique:`)."""
    negated = False
    while condition is not None and condition.type in ("unary", "parenthesized_statements"):
        if condition.type == "unary":
            if treesitter.text(condition.child_by_field_name("operator")) not in ("!", "not"):
                return None
            negated = not negated
            condition = condition.child_by_field_name("operand")
        else:
            inner = [n for n in condition.named_children if n.type != "comment"]
            condition = inner[0] if len(inner) == 1 else None
    if condition is None or condition.type != "call" or runs_when is None:
        return None
    receiver = condition.child_by_field_name("receiver")
    if receiver is not None and not treesitter.text(receiver).endswith("connection"):
        return None
    kind = _EXISTS_CHECKS.get(treesitter.text(condition.child_by_field_name("method")))
    if kind is None or runs_when != negated:  # the branch runs where the object exists
        return None
    return _checked_object(kind, condition, values, env)


def _checked_object(
    kind: str, call: Node, values: RubyValues, env: Mapping[str, Value]
) -> Guard | None:
    args = values.arguments(call, env)
    written = " ".join(treesitter.text(call).split())
    names = [name_of(v) for v in args.positional]
    if not names or names[0] is None or args.unread_options:
        return None
    table = names[0]
    if kind == "table" and len(names) == 1 and not args.options:
        return Guard(kind, table, written)
    if kind == "column" and len(names) == 2 and names[1] and not args.options:
        return Guard(kind, table, written, name=names[1])
    if kind != "index" or set(args.options) - {"name"} or len(names) > 2:
        return None
    name = name_of(args.options.get("name"))
    if treesitter.text(call.child_by_field_name("method")) == "index_name_exists?":
        return Guard(kind, table, written, name=names[1]) if len(names) == 2 else None
    columns = tuple(names_of(args.positional[1])) if len(args.positional) == 2 else ()
    return Guard(kind, table, written, name=name, columns=columns) if columns or name else None


def adapter_verdict(condition: str, dialect: ops.Dialect | None) -> bool | None:
    """Whether a condition on the adapter name holds for `dialect` (None: not such a check)."""
    lowered = condition.lower()
    if dialect is None:
        return None
    if "adapter" not in lowered:
        return _predicates_verdict(lowered, dialect)
    named = [d for word, d in _ADAPTER_WORDS.items() if word in lowered]
    if len(set(named)) != 1:
        return None
    negative = "!=" in condition or "!~" in condition
    return _same_engine(named[0], dialect) != negative


def _predicates_verdict(condition: str, dialect: ops.Dialect) -> bool | None:
    """`Redmine::Database.postgresql? || Redmine::Database.sqlite?`: a project's helpers named
    after adapters, alone, negated or joined by `||` (None for anything else)."""
    if "&&" in condition or " and " in condition:
        return None
    verdicts = []
    for term in condition.split("||"):
        found = _ADAPTER_PREDICATE.match(term.strip())
        if found is None:
            return None
        named = {d for word, d in _ADAPTER_WORDS.items() if word in found.group(2)}
        if len(named) != 1:
            return None
        verdicts.append(_same_engine(named.pop(), dialect) != bool(found.group(1)))
    return any(verdicts)


def _same_engine(named: ops.Dialect, dialect: ops.Dialect) -> bool:
    return named is dialect or {named, dialect} <= {ops.Dialect.MYSQL, ops.Dialect.MARIADB}


def case_branch(node: Node, dialect: ops.Dialect | None) -> Branch | None:
    """The `when` (or `else`) of a `case` on the adapter name that runs on `dialect`; None
    when the `case` is on something else, or the engine is not known."""
    value = " ".join(treesitter.text(node.child_by_field_name("value")).split())
    if dialect is None or "adapter" not in value.lower():
        return None
    fallback = None
    for child in node.named_children:
        if child.type == "else":
            fallback = child
        if child.type != "when":
            continue
        patterns = " ".join(treesitter.text(p) for p in child.children_by_field_name("pattern"))
        if adapter_verdict(f"adapter {patterns}", dialect):
            body = child.child_by_field_name("body")
            note = f"kept for the {dialect.value} adapter: `case {value}` when {patterns}"
            return Branch((body,), note) if body is not None else None
    if fallback is None:
        return None
    return Branch(
        (fallback,), f"kept for the {dialect.value} adapter: the `else` of `case {value}`"
    )


def _alone(node: Node | None) -> tuple[Node, ...] | None:
    """One statement as a branch body (None when there is no such branch)."""
    return (node,) if node is not None else None
