"""Names and short texts as a reviewer reads them: quotes stripped, default schemas dropped."""

from __future__ import annotations

import re

from harvester.migrations.schema.ops import ConstraintKind, Dialect

_DEFAULT_SCHEMAS = {
    Dialect.POSTGRESQL: "public",
    Dialect.COCKROACHDB: "public",
    Dialect.SQLITE: "main",
    Dialect.SQLSERVER: "dbo",
    Dialect.CLICKHOUSE: "default",
}
_QUOTED = re.compile(r'"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]')
_SUMMARY_LENGTH = 90

# Constraint names as ORMs and engines generate them, for DROP CONSTRAINT statements that do
# not say what kind of constraint they drop.
_KIND_BY_NAME = (
    (re.compile(r"(_fkey|_fk|_foreign)$|^fk_|^fk\d|_fk_", re.I), ConstraintKind.FOREIGN_KEY),
    (re.compile(r"(_pkey|_pk)$|^pk_", re.I), ConstraintKind.PRIMARY_KEY),
    (re.compile(r"(_key|_unique|_uniq|_uk)$|^(uq|uk|unique)_", re.I), ConstraintKind.UNIQUE),
    (re.compile(r"(_check|_chk|_ck)$|^(chk|ck|check)_", re.I), ConstraintKind.CHECK),
    (re.compile(r"_excl$", re.I), ConstraintKind.EXCLUDE),
)


def unquote(identifier: str) -> str:
    """An identifier without its quotes (`"User"` -> `User`, `` `memo` `` -> `memo`)."""
    return _QUOTED.sub(lambda m: next(g for g in m.groups() if g is not None), identifier.strip())


def qualified(name: str, schema: str | None, dialect: Dialect | None) -> str:
    """`schema.name`, or just `name` when the schema is the engine's default."""
    if not schema:
        return name
    default = _DEFAULT_SCHEMAS.get(dialect or Dialect.POSTGRESQL)
    return name if schema == default else f"{schema}.{name}"


def dotted(text: str, dialect: Dialect | None) -> str:
    """A possibly qualified, possibly quoted name as written (`"public"."User"`) for the report."""
    parts = [unquote(p) for p in _split_dotted(text.strip())]
    if len(parts) >= 2:
        return qualified(parts[-1], parts[-2], dialect)
    return parts[0] if parts else text


def constraint_kind_from_name(name: str | None) -> ConstraintKind | None:
    """The kind of constraint a conventional name suggests (`orders_user_id_fkey`: FOREIGN KEY)."""
    if not name:
        return None
    for pattern, kind in _KIND_BY_NAME:
        if pattern.search(name):
            return kind
    return None


def summary(text: str) -> str:
    """One line of at most ~90 characters for a statement."""
    line = " ".join(text.split())
    return line if len(line) <= _SUMMARY_LENGTH else line[: _SUMMARY_LENGTH - 1] + "…"


def _split_dotted(text: str) -> list[str]:
    parts: list[str] = []
    current = []
    quote = ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in '"`[':
            quote = "]" if char == "[" else char
            current.append(char)
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p]
