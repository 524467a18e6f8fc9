"""Schema snapshots (`schema.sql`, `LATEST.sql`, `schema.prisma`): what changed in them at the
table level, and `schema_drift` when they gain or lose tables or columns that no migration of
the range creates or drops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from harvester.migrations.schema import ops, patterns
from harvester.migrations.sql import sql_operations
from harvester.model import Finding, ImpactTag

_LISTED = 6


@dataclass(frozen=True, slots=True)
class SchemaShape:
    """A schema at one end of the range: tables with their columns (name -> type), other
    objects (`index x`, `view v`, `enum Role` -> definition) and how to name a table
    (`model Segment` for Prisma)."""

    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    objects: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, table: str) -> str:
        """How a reviewer names `table` in this kind of snapshot."""
        return self.labels.get(table, f"table {table}")


def shape_from_sql(text: str, dialect: ops.Dialect | None) -> SchemaShape:
    """The tables, columns, indexes, views and types a SQL schema dump defines."""
    tables: dict[str, dict[str, str]] = {}
    objects: dict[str, str] = {}
    for operation in sql_operations(text, dialect).operations:
        match operation:
            case ops.CreateTable(table=table, columns=columns):
                tables[table] = {c.name: c.type or "" for c in columns}
            case ops.AddColumn(table=table, column=column):
                tables.setdefault(table, {})[column.name] = column.type or ""
            case ops.CreateIndex(index=index):
                objects[f"index {index.name or index.table}"] = (
                    f"{index.table}({', '.join(index.columns)})"
                )
            case ops.CreateView(name=name, materialized=materialized):
                objects[f"{'materialized view' if materialized else 'view'} {name}"] = ""
            case (
                ops.CreateEnumType(name=name, values=values)
                | ops.RedefineEnumType(name=name, values=values)
            ):
                objects[f"enum {name}"] = ", ".join(values)
            case _:
                pass
    return SchemaShape(tables, objects)


def shape_changes(before: SchemaShape, after: SchemaShape) -> tuple[str, ...]:
    """The snapshot's diff at the table level, in a reviewer's words."""
    changes: list[str] = []
    for table in sorted(after.tables.keys() - before.tables.keys()):
        count = len(after.tables[table])
        changes.append(f"{after.label(table)} added ({count} column{'s' * (count != 1)})")
    for table in sorted(before.tables.keys() - after.tables.keys()):
        changes.append(f"{before.label(table)} removed")
    for table in sorted(before.tables.keys() & after.tables.keys()):
        old, new = before.tables[table], after.tables[table]
        parts = [f"+{c} {new[c]}".rstrip() for c in new if c not in old]
        parts += [f"-{c}" for c in old if c not in new]
        parts += [f"{c} {old[c]} -> {new[c]}" for c in new if c in old and old[c] != new[c]]
        if parts:
            shown = ", ".join(parts[:_LISTED]) + (" …" if len(parts) > _LISTED else "")
            changes.append(f"{after.label(table)}: {shown}")
    added = sorted(after.objects.keys() - before.objects.keys())
    removed = sorted(before.objects.keys() - after.objects.keys())
    for old_name, new_name in _renamed_enums(removed, added, before, after):
        changes.append(f"{old_name} renamed to {new_name.removeprefix('enum ')} (same values)")
        removed.remove(old_name)
        added.remove(new_name)
    changes += [f"{name} added" for name in added]
    changes += [f"{name} removed" for name in removed]
    for name in sorted(before.objects.keys() & after.objects.keys()):
        if before.objects[name] != after.objects[name]:
            changes.append(f"{name} changed: {_object_change(name, before, after)}")
    return tuple(changes)


def _renamed_enums(
    removed: list[str], added: list[str], before: SchemaShape, after: SchemaShape
) -> list[tuple[str, str]]:
    """Enums that went and came with the same values, paired once each: a type renamed."""
    pairs: list[tuple[str, str]] = []
    free = [name for name in added if name.startswith("enum ")]
    for name in (n for n in removed if n.startswith("enum ")):
        match = next((n for n in free if after.objects[n] == before.objects[name]), None)
        if match is not None:
            pairs.append((name, match))
            free.remove(match)
    return pairs


def _object_change(name: str, before: SchemaShape, after: SchemaShape) -> str:
    """An enum's values gained and lost (`+hold, -Artificial_Intelligence`); other objects
    as they read now."""
    old, new = before.objects[name], after.objects[name]
    if not name.startswith("enum "):
        return new
    was, now = old.split(", "), new.split(", ")
    moves = [f"+{v}" for v in now if v not in was] + [f"-{v}" for v in was if v not in now]
    return ", ".join(moves) or f"values reordered: {new}"


@dataclass
class _Effects:
    """Tables and columns the range's migrations create, drop or rename."""

    tables_in: set[str] = field(default_factory=set)
    tables_out: set[str] = field(default_factory=set)
    columns_in: set[tuple[str, str]] = field(default_factory=set)
    columns_out: set[tuple[str, str]] = field(default_factory=set)
    rebuilt: set[str] = field(default_factory=set)


def _effects(migrations: Iterable[ops.ParsedMigration]) -> _Effects:
    found = _Effects()
    for parsed in migrations:
        for operation in patterns.recognise(parsed, None).up.operations:
            _record(operation, found)
    return found


def _record(operation: ops.Operation, found: _Effects) -> None:
    match operation:
        case ops.CreateTable(table=table, columns=columns):
            found.tables_in.add(table)
            found.columns_in.update((table, c.name) for c in columns)
        case ops.DropTable(table=table):
            found.tables_out.add(table)
        case ops.RenameTable(old=old, new=new):
            found.tables_out.add(old)
            found.tables_in.add(new)
        case ops.RebuildTable(table=table):
            found.rebuilt.add(table)
        case ops.AddColumn(table=table, column=column):
            found.columns_in.add((table, column.name))
        case ops.DropColumn(table=table, column=name):
            found.columns_out.add((table, name))
        case ops.RenameColumn(table=table, old=old, new=new):
            found.columns_out.add((table, old))
            found.columns_in.add((table, new))
        case ops.ModifyColumn(table=table, column=column, old_name=old_name) if old_name:
            found.columns_out.add((table, old_name))
            found.columns_in.add((table, column.name))
        case _:
            pass


def drift_findings(
    path: str,
    before: SchemaShape,
    after: SchemaShape,
    migrations: Iterable[ops.ParsedMigration],
    commits: tuple[str, ...],
) -> list[Finding]:
    """`schema_drift` for what the snapshot gains or loses that no migration explains."""
    effects = _effects(migrations)
    unexplained: list[str] = []
    for table in sorted(after.tables.keys() - before.tables.keys()):
        if table not in effects.tables_in and table not in effects.rebuilt:
            unexplained.append(f"gains {after.label(table)}, which no migration creates")
    for table in sorted(before.tables.keys() - after.tables.keys()):
        if table not in effects.tables_out:
            unexplained.append(f"loses {before.label(table)}, which no migration drops")
    for table in sorted(before.tables.keys() & after.tables.keys()):
        if table in effects.rebuilt or table in effects.tables_in:
            continue
        for column in after.tables[table].keys() - before.tables[table].keys():
            if (table, column) not in effects.columns_in:
                unexplained.append(f"gains {table}.{column}, which no migration adds")
        for column in before.tables[table].keys() - after.tables[table].keys():
            if (table, column) not in effects.columns_out:
                unexplained.append(f"loses {table}.{column}, which no migration drops")
    if not unexplained:
        return []
    shown = "; ".join(unexplained[:_LISTED]) + (" …" if len(unexplained) > _LISTED else "")
    return [Finding(ImpactTag.SCHEMA_DRIFT, f"{path} {shown}", (path,), commits)]
