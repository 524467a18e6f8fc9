"""A SQL folder's migrations as units: the up and down files of one migration, for one
dialect, at both ends of the range; their execution order and the ones added out of order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from harvester.migrations.base import PathChange, Side
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts import history
from harvester.migrations.sql_layouts.naming import Direction, MigrationFile
from harvester.model import ChangeKind, Finding


@dataclass
class Unit:
    """One migration (for one dialect): its up and down files at both ends of the range."""

    key: tuple[object, ...]
    dialect: ops.Dialect | None
    up: dict[Side, MigrationFile] = field(default_factory=dict)
    down: dict[Side, MigrationFile] = field(default_factory=dict)

    def file(self, side: Side) -> MigrationFile | None:
        return self.up.get(side) or self.down.get(side)

    @property
    def id(self) -> str:
        found = (
            self.up.get(Side.HEAD)
            or self.up.get(Side.BASE)
            or self.file(Side.HEAD)
            or self.file(Side.BASE)
        )
        return found.id if found else str(self.key)


def group_units(files: dict[Side, list[MigrationFile]]) -> list[Unit]:
    """Group files into migrations; a dialect-specific variant (pop) replaces the generic file
    for its dialect, and a generic file stands for every dialect without its own."""
    variants = {f.dialect for side in files.values() for f in side if f.dialect}
    # Two migrations may share a version (`0122_a`, `0122_b`): the id keeps them apart.
    grouped: dict[tuple[object, ...], dict[ops.Dialect | None, Unit]] = defaultdict(dict)
    for side, side_files in files.items():
        for found in side_files:
            key = (*found.sort_key, found.id)
            unit = grouped[key].setdefault(found.dialect, Unit(found.sort_key, found.dialect))
            target = unit.down if found.direction is Direction.DOWN else unit.up
            target[side] = found
    units: list[Unit] = []
    for by_dialect in grouped.values():
        generic = by_dialect.get(None)
        if not variants:
            units.extend(by_dialect.values())
            continue
        for dialect in sorted(variants, key=lambda d: d.value):
            own = by_dialect.get(dialect)
            if own is None and generic is not None:
                own = Unit(generic.key, dialect, dict(generic.up), dict(generic.down))
            elif own is not None and generic is not None:
                own.up = own.up or dict(generic.up)
                own.down = own.down or dict(generic.down)
            if own is not None:
                units.append(own)
    return units


def touched(unit: Unit, changes: dict[str, PathChange]) -> bool:
    paths = {f.path for files in (unit.up, unit.down) for f in files.values()}
    return any(p in changes for p in paths)


def by_dialect(
    units: list[Unit], fallback: ops.Dialect | None
) -> dict[ops.Dialect | None, list[Unit]]:
    grouped: dict[ops.Dialect | None, list[Unit]] = defaultdict(list)
    for unit in units:
        grouped[unit.dialect or fallback].append(unit)
    return dict(grouped)


def sort_key(key: tuple[object, ...]) -> tuple[str, ...]:
    """Keys of one tree share a shape; compare them as text of fixed-width numbers."""
    return tuple(_sortable(part) for part in key)


def _sortable(part: object) -> str:
    if isinstance(part, int):
        return f"{part:030d}"
    if isinstance(part, tuple):
        return "\x00".join(_sortable(p) for p in part)
    return str(part)


def out_of_order(
    system: str,
    dialect: ops.Dialect | None,
    units: list[Unit],
    files: dict[Side, list[MigrationFile]],
    changes: dict[str, PathChange],
) -> list[Finding]:
    released = [
        (f.id, sort_key(f.sort_key))
        for f in files[Side.BASE]
        if f.direction is not Direction.DOWN
        and f.direction is not Direction.REPEATABLE
        and (f.dialect in (None, dialect))
    ]
    added = []
    for unit in units:
        up = unit.up.get(Side.HEAD)
        if up is None or Side.BASE in unit.up or up.direction is Direction.REPEATABLE:
            continue
        change = changes.get(up.path)
        if change is not None and change.status is ChangeKind.ADDED:
            added.append((unit.id, sort_key(unit.key), up.path, change.commits))
    return history.out_of_order_findings(system, dialect, added, released)
