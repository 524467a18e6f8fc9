"""Keys a migration drops and adds again: the same reference under new rules.

Prisma (and many hand-written migrations) change a foreign key's ON DELETE or ON UPDATE by
dropping the key and adding it again. The old key already enforced the reference, so the
validation scan cannot meet an orphan; what changes is what deleting or updating a referenced
row does to the rows that reference it, for the code of the previous release too.
"""

from __future__ import annotations

from dataclasses import dataclass

from harvester.migrations.schema import ops
from harvester.migrations.schema.range_state import RangeState


@dataclass(frozen=True, slots=True)
class Replaced:
    """The constraint an added one replaces: its name, its definition when the range or the
    base schema shows it, and whether that definition was released (deployed code used it)."""

    name: str
    former: ops.ForeignKey | None
    released: bool

    def same_reference(self, key: ops.ForeignKey) -> bool:
        """True when the replaced key enforced the reference `key` enforces (a key whose
        definition is unknown is taken to, as it has the same name)."""
        former = self.former
        if former is None:
            return True
        return not former.not_valid and same_reference(former, key)


def replaced_keys(
    operations: tuple[ops.Operation, ...], state: RangeState
) -> dict[ops.AddConstraint, Replaced]:
    """Each constraint the step adds in place of one it dropped before: under the same name,
    or (a foreign key) with the same columns and target under another name."""
    dropped: dict[tuple[str, str], Replaced] = {}
    found: dict[ops.AddConstraint, Replaced] = {}
    for operation in operations:
        if isinstance(operation, ops.DropConstraint) and operation.name:
            key = (operation.table, operation.name)
            dropped[key] = Replaced(
                operation.name, state.foreign_keys.get(key), key not in state.added_foreign_keys
            )
        elif isinstance(operation, ops.AddConstraint):
            match = _replaced_by(operation, dropped)
            if match is not None:
                found[operation] = match
    return found


def _replaced_by(
    added: ops.AddConstraint, dropped: dict[tuple[str, str], Replaced]
) -> Replaced | None:
    key = added.constraint.foreign_key
    name = added.constraint.name or (key.name if key else None)
    same_name = dropped.get((added.table, name or ""))
    if same_name is not None:
        return same_name
    if key is None:
        return None
    return next(
        (
            replaced
            for (table, _), replaced in dropped.items()
            if table == added.table
            and replaced.former is not None
            and same_reference(replaced.former, key)
        ),
        None,
    )


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
