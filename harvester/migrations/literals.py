"""Literal values read from migration source (Ruby, Elixir) without running it.

add_column :users, :role, :string, default: "member"   # Sym, Sym, Sym, {"default": "member"}
add :role, :string, default: "member"                   # Sym, Sym, {"default": "member"}

Anything that is not a literal stays `Code` with its source text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from tree_sitter import Node

PLACEHOLDER = "__interpolated__"
_SQL_TYPES = frozenset(
    """
    bigint bigserial bit blob boolean box bytea char cidr circle citext date datetime decimal
    double float hstore inet int integer interval json jsonb line longblob longtext lseg ltree
    macaddr mediumblob mediumint mediumtext money numeric oid path point polygon real serial
    smallint smallserial text time timestamp timestamptz timetz tinyint tinytext tsquery tsvector
    uuid varbinary varbit varchar xml year
    """.split()  # noqa: SIM905 (a word list reads better than one word a line)
)


@dataclass(frozen=True, slots=True)
class Sym:
    """A Ruby symbol or Elixir atom (`:users`)."""

    name: str


@dataclass(frozen=True, slots=True)
class Code:
    """An expression harvester does not evaluate, with its source text."""

    text: str


@dataclass(frozen=True, slots=True)
class Interpolated:
    """A string with `#{…}` parts: `text` has the unknown ones replaced by a placeholder."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Lambda:
    """A Ruby `-> { … }` literal (a default evaluated by the database), with its body's value."""

    body: Value


@dataclass(frozen=True, slots=True)
class Tuple:
    """An Elixir tuple (`{:array, :string}`)."""

    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """A call to a known constructor (`references(:users, …)`, `fragment("now()")`)."""

    name: str
    args: tuple[Value, ...] = ()
    options: dict[str, Value] = field(default_factory=dict)
    line: int = 0


Value: TypeAlias = Union[  # noqa: UP007, RUF036 (a recursive alias must stay a Union at run time)
    None,
    bool,
    int,
    float,
    str,
    Sym,
    Code,
    Interpolated,
    Lambda,
    Tuple,
    Call,
    list["Value"],
    dict[str, "Value"],
]


@dataclass(frozen=True, slots=True)
class Arguments:
    """A call's arguments: positional values, keyword options, and its block if any;
    `unread_options` are option splats (`**opts`) bound to no literal hash, as written."""

    positional: tuple[Value, ...] = ()
    options: Mapping[str, Value] = field(default_factory=dict)
    block: Node | None = None
    block_params: tuple[str, ...] = ()
    nodes: tuple[Node, ...] = ()
    unread_options: tuple[str, ...] = ()


def type_name(name: str) -> str:
    """A type written as a bare name: SQL built-ins upper-cased, others (enums, domains, engine
    types such as ClickHouse's `LowCardinality(String)`) exactly as written."""
    return name.upper() if name.lower() in _SQL_TYPES else name


def name_of(value: Value) -> str | None:
    """A table, column or index name: symbols and strings as written, computed names as `<expr>`."""
    if isinstance(value, Sym):
        return value.name
    if isinstance(value, str):
        return value
    if isinstance(value, Interpolated):
        return value.text.replace(PLACEHOLDER, "<…>")
    if isinstance(value, Code):
        return f"<{value.text}>"
    return None


def names_of(value: Value) -> list[str]:
    """Column names from a symbol, string or list of them; a splat of a list harvester cannot
    read (Ruby's `*COLUMNS`) stands for the columns it holds."""
    if isinstance(value, list):
        return [n for n in (_column_name(v) for v in value) if n is not None]
    single = _column_name(value)
    return [single] if single is not None else []


def _column_name(value: Value) -> str | None:
    if isinstance(value, Code) and value.text.startswith("*"):
        return f"(columns not read: {value.text})"
    return name_of(value)
