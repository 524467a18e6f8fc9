"""Which columns each table is already unique on, so that a new unique index or constraint the
existing rows already satisfy is not reported as able to fail on duplicates.

Two cases are certain. A key over columns that include an existing key (a primary key, a
UNIQUE constraint, a unique index) cannot collide when its WHERE implies the existing key's
(or the existing key has none): two rows equal on all its columns would be equal on the
existing key too. And a key that replaces one the same migration dropped (a subset of its
columns, a WHERE its own implies) holds for the rows the old one held for: Django's
`unique_together` turned into a conditional `UniqueConstraint`, an index renamed by drop and
create, a partial index narrowed by one more condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from harvester.migrations.schema import ops

_UNIQUE_KINDS = (ops.ConstraintKind.PRIMARY_KEY, ops.ConstraintKind.UNIQUE)


@dataclass(frozen=True, slots=True)
class Key:
    """One unique key: its name (None for a column's inline UNIQUE), columns and condition;
    `primary` for the table's primary key."""

    name: str | None
    columns: tuple[str, ...]
    where: str | None = None
    primary: bool = False


@dataclass
class UniqueKeys:
    """Unique keys per table, and those each migration dropped (with the migration)."""

    keys: dict[str, list[Key]] = field(default_factory=dict)
    dropped: dict[str, list[tuple[Key, str]]] = field(default_factory=dict)
    # The last migration that dropped some index or constraint of a table (None: a table the
    # statement did not name), whichever key it was.
    drops: dict[str | None, str] = field(default_factory=dict)

    def copy(self) -> UniqueKeys:
        """An independent copy."""
        return UniqueKeys(
            {t: list(k) for t, k in self.keys.items()},
            {t: list(d) for t, d in self.dropped.items()},
            dict(self.drops),
        )

    def implying(
        self,
        table: str,
        columns: tuple[str, ...],
        where: str | None,
        name: str | None,
        migration: str,
    ) -> Key | None:
        """A key of `table` whose columns are all among `columns` and whose condition (if any)
        `where` implies, other than the key `name` itself (re-created where it is missing,
        behind a guard), and none once `migration` dropped a key of the table that may have
        been it."""
        if migration in (self.drops.get(table), self.drops.get(None)):
            return None
        wanted = set(columns)
        return next(
            (
                k
                for k in self.keys.get(table, [])
                if implies(where, k.where)
                and set(k.columns) <= wanted
                and (name is None or k.name != name)
            ),
            None,
        )

    def replaced(
        self, table: str, columns: tuple[str, ...], where: str | None, migration: str
    ) -> Key | None:
        """A key `migration` dropped over some of the columns, with a condition `where`
        implies (or none at all)."""
        return next(
            (
                key
                for key, by in self.dropped.get(table, [])
                if by == migration
                and set(key.columns) <= set(columns)
                and implies(where, key.where)
            ),
            None,
        )

    def apply(self, operation: ops.Operation, migration: str) -> None:
        """Record the keys one operation creates or drops."""
        match operation:
            case ops.CreateTable(table=table, columns=columns, constraints=constraints):
                self.keys[table] = [
                    *_column_keys(columns),
                    *(
                        _constraint_key(c)
                        for c in constraints
                        if c.kind in _UNIQUE_KINDS and c.columns
                    ),
                ]
            case ops.AddColumn(table=table, column=column) if column.primary_key or column.unique:
                self._add(table, Key(None, (column.name,), primary=column.primary_key))
            case ops.AddConstraint(table=table, constraint=constraint) if (
                constraint.kind in _UNIQUE_KINDS
            ):
                self._add(table, _constraint_key(constraint))
            case ops.CreateIndex(index=index) if index.unique:
                self._add(index.table, Key(index.name, index.columns, index.where))
            case ops.DropIndex(name=name, table=table):
                self.drops[table] = migration
                self._drop_named(name, migration, table)
            case ops.DropConstraint(table=table) if _drops_primary_key(operation):
                # only the primary key goes: the table's other keys stay
                self._drop(lambda key: key.primary, migration, table)
            case ops.DropConstraint(table=table, name=name):
                self.drops[table] = migration
                if name:
                    self._drop_named(name, migration, table)
            case ops.RenameIndex(old=old, new=new):
                for table, keys in self.keys.items():
                    self.keys[table] = [replace(k, name=new) if k.name == old else k for k in keys]
            case ops.DropColumn(table=table, column=column):
                self._drop(lambda key: column in key.columns, migration, table)
            case ops.RenameColumn(table=table, old=old, new=new):
                self.keys[table] = [
                    replace(k, columns=tuple(new if c == old else c for c in k.columns))
                    for k in self.keys.get(table, [])
                ]
                self.dropped[table] = [
                    (replace(k, columns=tuple(new if c == old else c for c in k.columns)), by)
                    for k, by in self.dropped.get(table, [])
                ]
            case ops.RebuildTable(table=table, columns=columns, applies_alters=False) if columns:
                self._rebuilt(operation, migration)
            case ops.RenameTable(old=old, new=new) if old in self.keys:
                self.keys[new] = self.keys.pop(old)
            case ops.DropTable(table=table):
                self.keys.pop(table, None)

    def _rebuilt(self, rebuild: ops.RebuildTable, migration: str) -> None:
        """A copy-and-rename rebuild drops the old table with its indexes: the new table has
        only the keys its columns declare. An old key whose columns (and WHERE) the copy
        carries over unchanged held for the copied rows, so one created again replaces it."""
        table = rebuild.table
        names = {c.name.lower() for c in rebuild.columns}
        unchanged = {new.lower() for new, old in rebuild.copies if new == old}
        for key in self.keys.get(table, []):
            read = {w for w in _words(" ".join((*key.columns, key.where or ""))) if w in names}
            if read and read <= unchanged and all(c.lower() in names for c in _plain(key)):
                self.dropped.setdefault(table, []).append((key, migration))
        self.keys[table] = _column_keys(rebuild.columns)

    def _add(self, table: str, key: Key) -> None:
        if key.columns:  # a key whose columns are not known implies nothing
            self.keys.setdefault(table, []).append(key)

    def _drop_named(self, name: str, migration: str, table: str | None) -> None:
        """Drop the key called `name`; a column's inline UNIQUE has no name of its own here,
        so a name that matches no key drops the inline keys of the columns it spells
        (`users_email_key`, `users_email_3c1c5f8e_uniq`): forgetting a key only flags more."""
        if any(key.name == name for keys in self.keys.values() for key in keys):
            self._drop(lambda key: key.name == name, migration, table)
            return
        parts = f"_{name}_"
        self._drop(
            lambda key: key.name is None and all(f"_{c}_" in parts for c in key.columns),
            migration,
            table,
        )

    def _drop(self, matches: Callable[[Key], bool], migration: str, table: str | None) -> None:
        for name in [table] if table else list(self.keys):
            kept = []
            for key in self.keys.get(name, []):
                if matches(key):
                    self.dropped.setdefault(name, []).append((key, migration))
                else:
                    kept.append(key)
            if name in self.keys:
                self.keys[name] = kept


def _words(text: str) -> set[str]:
    """The identifiers (and keywords) a key's columns or condition name, lower-cased."""
    return set(re.findall(r"[a-z_][a-z0-9_]*", text.lower()))


def _plain(key: Key) -> list[str]:
    """The key's columns that are plain names, not expressions."""
    return [c for c in key.columns if re.fullmatch(r"\w+", c)]


def _column_keys(columns: tuple[ops.ColumnDef, ...]) -> list[Key]:
    """The keys a table's column definitions declare: each UNIQUE column, and one primary key
    over every column marked PRIMARY KEY (a composite key, when there are several)."""
    primary = tuple(c.name for c in columns if c.primary_key)
    unique = [Key(None, (c.name,)) for c in columns if c.unique and (c.name,) != primary]
    return [Key(None, primary, primary=True), *unique] if primary else unique


def _constraint_key(constraint: ops.Constraint) -> Key:
    primary = constraint.kind is ops.ConstraintKind.PRIMARY_KEY
    return Key(constraint.name, constraint.columns, primary=primary)


def _drops_primary_key(drop: ops.DropConstraint) -> bool:
    """True for MySQL's DROP PRIMARY KEY and PostgreSQL's DROP CONSTRAINT <table>_pkey (the
    name PostgreSQL gives a primary key)."""
    if drop.kind is ops.ConstraintKind.PRIMARY_KEY:
        return True
    table = drop.table.rsplit(".", 1)[-1]
    return (drop.name or "").lower() == f"{table}_pkey".lower()


def implies(condition: str | None, other: str | None) -> bool:
    """True when every row `condition` (a WHERE, None for every row) selects, `other` selects
    too: `other` is absent, or each of its ANDed terms is one of `condition`'s."""
    if other is None:
        return True
    if condition is None:
        return False
    return _terms(other) <= _terms(condition)


def _terms(condition: str) -> frozenset[str]:
    """The terms a condition ANDs together, written alike apart from spacing, case, quotes and
    enclosing parentheses; the whole condition as one term when it has a top-level OR."""
    text = _unwrapped(" ".join(condition.lower().replace('"', "").split()))
    parts = _top_level_split(text)
    if parts is None or len(parts) == 1:
        return frozenset({text})
    return frozenset().union(*(_terms(part) for part in parts))


def _unwrapped(text: str) -> str:
    """`text` without parentheses that enclose all of it."""
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return position == len(text) - 1
    return False


def _top_level_split(text: str) -> list[str] | None:
    """`text` split at its top-level ANDs; None when a top-level OR or a BETWEEN (whose AND
    is not a conjunction) makes that wrong."""
    parts: list[str] = []
    depth, start = 0, 0
    words = re.finditer(r"\(|\)|\b(?:and|or|between)\b", text)
    for word in words:
        token = word.group()
        if text.count("'", 0, word.start()) % 2:
            continue  # inside a string literal
        if token in "()":
            depth += 1 if token == "(" else -1
        elif depth == 0 and token in ("or", "between"):
            return None
        elif depth == 0:
            parts.append(text[start : word.start()].strip())
            start = word.end()
    parts.append(text[start:].strip())
    return parts
