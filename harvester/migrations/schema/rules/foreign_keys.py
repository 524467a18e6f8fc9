"""Keys a migration drops and adds again: the same reference under new rules.

Prisma (and many hand-written migrations) change a foreign key's ON DELETE or ON UPDATE by
dropping the key and adding it again. The old key already enforced the reference, so the
validation scan cannot meet an orphan; what changes is what deleting or updating a referenced
row does to the rows that reference it, for the code of the previous release too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harvester.migrations.schema import ops
from harvester.migrations.schema.range_state import RangeState, default_foreign_key_name


@dataclass(frozen=True, slots=True)
class Replaced:
    """The constraint an added one replaces: the table it was dropped from, its name, its
    definition when the range or the base schema shows it, and whether that definition was
    released (deployed code used it). `by_default_name`: only its name says it was a key on
    the same columns (the one PostgreSQL gives an unnamed key, `<table>_<columns>_fkey`, or a
    name holding the columns, `fk_forum_id`)."""

    table: str
    name: str
    former: ops.ForeignKey | None
    released: bool
    by_default_name: bool = False
    if_exists: bool = False

    def same_reference(self, key: ops.ForeignKey) -> bool:
        """True when the replaced key enforced the reference `key` enforces (a key whose
        definition is unknown is taken to, as it has the same name, unless it was dropped only
        if it exists: it may have been missing)."""
        former = self.former
        if former is None:
            return not self.if_exists
        return not former.not_valid and same_reference(former, key)


# A dropped constraint as the step names it by now: its table, and what it replaces.
_Dropped = tuple[str, Replaced]


def replaced_keys(
    operations: tuple[ops.Operation, ...], state: RangeState
) -> dict[ops.AddConstraint, Replaced]:
    """Each constraint the step adds in place of one it dropped before: under the same name,
    or (a foreign key) with the same columns and target under another name, also once the
    step has renamed the table or the column in between (Rails' `remove_foreign_key`,
    `rename_table`, `add_foreign_key`)."""
    dropped: list[_Dropped] = []
    found: dict[ops.AddConstraint, Replaced] = {}
    for operation in operations:
        match operation:
            case ops.DropConstraint(table=table, name=str() as name, if_exists=guarded) if name:
                key = (table, name)
                former = state.foreign_keys.get(key)
                released = key not in state.added_foreign_keys
                replaced = Replaced(table, name, former, released, if_exists=guarded)
                dropped.append((table, replaced))
            case ops.RenameTable() | ops.RenameColumn():
                dropped = [_renamed(one, operation) for one in dropped]
            case ops.AddConstraint():
                match = _replaced_by(operation, dropped)
                if match is not None:
                    found[operation] = match
            case _:
                pass
    return found


def _renamed(dropped: _Dropped, rename: ops.RenameTable | ops.RenameColumn) -> _Dropped:
    """`dropped` as the step names its table, columns and target after `rename`."""
    table, replaced = dropped
    former = replaced.former
    if isinstance(rename, ops.RenameTable):
        if former is not None and former.ref_table == rename.old:
            former = dataclasses.replace(former, ref_table=rename.new)
        table = rename.new if table == rename.old else table
    elif former is not None and table == rename.table:
        columns = tuple(rename.new if c == rename.old else c for c in former.columns)
        former = dataclasses.replace(former, columns=columns)
    return table, dataclasses.replace(replaced, former=former)


def _replaced_by(added: ops.AddConstraint, dropped: list[_Dropped]) -> Replaced | None:
    key = added.constraint.foreign_key
    name = added.constraint.name or (key.name if key else None)
    on_table = [replaced for table, replaced in dropped if table == added.table]
    same_name = next((replaced for replaced in on_table if replaced.name == name), None)
    if same_name is not None or key is None:
        return same_name
    same_key = next(
        (
            replaced
            for replaced in on_table
            if replaced.former is not None and same_reference(replaced.former, key)
        ),
        None,
    )
    if same_key is not None:
        return same_key
    return next(
        (
            dataclasses.replace(replaced, by_default_name=True)
            for replaced in on_table
            if replaced.former is None and _named_after(replaced, key.columns)
        ),
        None,
    )


def _named_after(replaced: Replaced, columns: tuple[str, ...]) -> bool:
    """True when a dropped key the range does not show is named after `columns`: PostgreSQL's
    default name (`forums_category_id_fkey`) or a name holding each column whole
    (`fk_forum_id`, `fk_fr_forum_id`)."""
    if replaced.name == default_foreign_key_name(replaced.table, columns):
        return True
    padded = f"_{replaced.name.lower()}_"
    return bool(columns) and all(f"_{column.lower()}_" in padded for column in columns)


def same_reference(first: ops.ForeignKey, second: ops.ForeignKey) -> bool:
    """True when two keys tie the same columns to the same target."""
    return (
        first.columns == second.columns
        and first.ref_table == second.ref_table
        and (
            not first.ref_columns
            or not second.ref_columns
            or first.ref_columns == second.ref_columns
        )
    )


def rules_change(
    table: str, name: str, before: ops.ForeignKey, after: ops.ForeignKey
) -> str | None:
    """`foreign key k (t.c -> p) ON DELETE SET NULL -> CASCADE: deleting a row of p now …`, or
    None when deleting and updating a referenced row do what they did."""
    changed: list[str] = []
    effects: list[str] = []
    for event, old, new in (
        ("DELETE", _action(before.on_delete), _action(after.on_delete)),
        ("UPDATE", _action(before.on_update), _action(after.on_update)),
    ):
        if old == new or (old in _REFUSED and new in _REFUSED):
            continue
        changed.append(f"ON {event} {old} -> {new}")
        effects.append(_effect(event, old, new, table, after))
    if not changed:
        return None
    columns = ", ".join(after.columns)
    return (
        f"foreign key {name} ({table}.{columns} -> {after.ref_table}) {', '.join(changed)}: "
        f"{'; '.join(effects)}"
    )


# NO ACTION and RESTRICT both refuse the change; they differ only for deferred checks.
_REFUSED = frozenset({"NO ACTION", "RESTRICT"})


def _action(text: str | None) -> str:
    return " ".join((text or "NO ACTION").upper().split())


def _effect(event: str, old: str, new: str, table: str, key: ops.ForeignKey) -> str:
    """What deleting (or re-keying) a referenced row now does, and what it did."""
    columns = ", ".join(key.columns)
    subject = (
        f"deleting a row of {key.ref_table}"
        if event == "DELETE"
        else f"changing the key of a row of {key.ref_table}"
    )
    referencing = f"the {table} rows that reference it"
    if new in _REFUSED:
        now = f"{subject} that {table} rows reference is now refused"
    elif new == "CASCADE" and event == "DELETE":
        now = f"{subject} now deletes {referencing}"
    elif new == "CASCADE":
        now = f"{subject} now changes {columns} in {referencing}"
    elif new == "SET NULL":
        now = f"{subject} now sets {columns} to NULL in {referencing}"
    else:
        now = f"{subject} now sets {columns} to its default in {referencing}"
    if old in _REFUSED:
        before = "where it was refused"
    elif old == "CASCADE":
        before = "where it deleted them" if event == "DELETE" else "where it changed them along"
    elif old == "SET NULL":
        before = f"where it set their {columns} to NULL"
    else:
        before = f"where it set their {columns} to the default"
    return f"{now}, {before}"
