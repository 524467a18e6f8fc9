"""Down steps judged against their up steps, for every system that has them.

A missing or empty down step makes a migration `irreversible`; a down step that undoes other
objects than its up step created, or leaves some of them behind, is a `down_migration_bug`
with the evidence. Comparisons are on operations, so golang-migrate `.down.sql` files, goose
sections, Django reverse operations and Rails `down` methods are judged alike.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

from harvester.analysis.wording import first_few
from harvester.migrations.schema import describe, ops
from harvester.model import Impact, ImpactTag

Key = tuple[str, ...]
_PRIMARY_KEY = ops.ConstraintKind.PRIMARY_KEY


def down_impacts(
    parsed: ops.ParsedMigration, released: Callable[[str, str | None], bool] | None = None
) -> list[Impact]:
    """`irreversible` and `down_migration_bug` findings for one migration.

    `released(table, column)` says whether a dropped object held released data (a table the
    range itself created did not); without it every dropped object is taken to."""
    if parsed.down is None:
        if parsed.down_declared:
            return []
        return [
            Impact(
                ImpactTag.IRREVERSIBLE,
                "no down step that can run: rolling back raises, so reverting needs a "
                "hand-written fix",
            )
        ]
    down = _named_as_up(parsed.down.operations, parsed.up.operations)
    broken = (
        [
            Impact(
                ImpactTag.DOWN_MIGRATION_BUG,
                "the down step cannot run as written: " + "; ".join(parsed.down.broken),
            )
        ]
        if parsed.down.broken
        else []
    )
    if parsed.down_is_noop or not down:
        if not parsed.up.operations:
            return []
        return [
            Impact(
                ImpactTag.IRREVERSIBLE,
                "the down step does nothing: rolling back leaves this migration's changes in place",
            )
        ]
    found = broken + list(
        _lossy(parsed.up.operations, down, released or (lambda table, column: True))
    )
    found += _one_way_data_changes(parsed.up.operations, down)
    if any(isinstance(o, ops.Opaque) and o.raw for o in parsed.up.operations):
        return found
    covered = _index_columns(parsed.up.operations)
    undo = list(_undo_expected(parsed.up.operations))
    missing = [text for key, text in undo if not _undone(key, down, covered.get(key, set()))]
    missing += _not_restored(parsed.up.operations, down)
    missing = list(dict.fromkeys(missing))
    expected = {key for key, _ in undo}
    final = _final_names(parsed.up.operations)
    # a drop IF EXISTS of something the up step did not make is a guarded no-op (the up
    # step may run only on another adapter)
    unguarded = tuple(
        o
        for o in down
        if not getattr(o, "if_exists", False) and not _restores_enum(o, down, parsed.up.operations)
    )
    extra = [
        text
        for key, text in _touched(unguarded)
        if not _related(_renamed_key(key, final), expected, parsed.up.operations)
    ]
    opaque = any(isinstance(o, ops.Opaque) for o in down)
    if extra or (missing and not opaque):
        evidence = []
        if missing and not opaque:
            evidence.append("leaves " + ", ".join(missing))
        if extra:
            evidence.append(", ".join(extra) + " (not in the up step)")
        if kept := _rows_kept(parsed.up.operations, down):
            evidence.append(f"keeps the rows the up step wrote ({first_few(kept, 2)})")
        found.append(
            Impact(
                ImpactTag.DOWN_MIGRATION_BUG,
                "the down step does not undo the up step: it " + "; it ".join(evidence),
            )
        )
    return found


def _named_as_up(
    down: tuple[ops.Operation, ...], up: tuple[ops.Operation, ...]
) -> tuple[ops.Operation, ...]:
    """The down step with table names spelled as the up step spells them when they differ in
    case only (`CREATE TABLE IDENTITIES` undone by `DROP TABLE identities`: unquoted names
    are the same table), and an index found by its columns (`remove_index :t, :col`) named
    as the up step named the index it created on them."""
    spelled = {t.lower(): t for o in up if isinstance(t := getattr(o, "table", None), str)}
    created = {
        (o.index.table, o.index.columns): describe.index_name(o.index)
        for o in up
        if isinstance(o, ops.CreateIndex)
    }
    primary_keys = {
        (o.table, o.constraint.name)
        for o in up
        if isinstance(o, ops.AddConstraint)
        and o.constraint.kind is ops.ConstraintKind.PRIMARY_KEY
        and o.constraint.name
    }
    renamed = []
    for operation in down:
        table = getattr(operation, "table", None)
        if isinstance(table, str) and spelled.get(table.lower(), table) != table:
            operation = dataclasses.replace(operation, table=spelled[table.lower()])  # type: ignore[arg-type]
        if isinstance(operation, ops.DropIndex) and operation.columns:
            name = created.get((operation.table or "", operation.columns), operation.name)
            operation = dataclasses.replace(operation, name=name)
        if isinstance(operation, ops.DropConstraint) and (
            (operation.table, operation.name) in primary_keys
        ):
            # a drop by the name the up step gave its primary key drops that key, whatever
            # kind it says (Alembic's drop_constraint without type_)
            operation = dataclasses.replace(operation, kind=ops.ConstraintKind.PRIMARY_KEY)
        renamed.append(operation)
    return tuple(renamed)


def _restores_enum(
    operation: ops.Operation, down: tuple[ops.Operation, ...], up: tuple[ops.Operation, ...]
) -> bool:
    """Whether `operation` is the DROP TYPE of PostgreSQL's only way to take back an enum
    value the up step added: the down step drops the type and creates it again with the old
    values (after moving its columns to text)."""
    if not isinstance(operation, ops.DropType):
        return False
    name = operation.name
    return any(isinstance(o, ops.AddEnumValue) and o.type_name == name for o in up) and any(
        isinstance(o, ops.CreateEnumType) and o.name == name for o in down
    )


def _one_way_data_changes(
    up: tuple[ops.Operation, ...], down: tuple[ops.Operation, ...]
) -> list[Impact]:
    """Data changes whose reverse is missing or a no-op (`RunPython(f, RunPython.noop)`), and
    whose rows the down step does not drop anyway."""
    one_way = [
        o
        for o in up
        if isinstance(o, ops.DataChange) and o.reversible is False and not _dropped_after(o, down)
    ]
    if not one_way:
        return []
    what = "; ".join(o.detail or f"changes rows of {o.table}" for o in one_way[:2])
    more = f" and {len(one_way) - 2} more" if len(one_way) > 2 else ""
    deletes = all(
        o.kind in (ops.DataChangeKind.DELETE, ops.DataChangeKind.TRUNCATE) for o in one_way
    )
    outcome = (
        "does not restore the deleted rows"
        if deletes
        else "leaves the rows as the up step wrote them"
    )
    return [
        Impact(
            ImpactTag.IRREVERSIBLE,
            f"the down step does not undo the data change ({what}{more}): rolling back {outcome}",
        )
    ]


def _rows_kept(up: tuple[ops.Operation, ...], down: tuple[ops.Operation, ...]) -> list[str]:
    """The up step's inserts and rewrites of rows that a down step writing no rows leaves as
    they are (rows of a table or columns the down step drops go with them)."""
    if any(isinstance(o, (ops.DataChange, ops.Opaque)) for o in down):
        return []
    return list(
        dict.fromkeys(
            o.detail or f"rows of {o.table}"
            for o in up
            if isinstance(o, ops.DataChange)
            and o.kind in _WRITES
            and o.kind is not ops.DataChangeKind.CODE
            and not _dropped_after(o, down)
        )
    )


def _dropped_after(change: ops.DataChange, down: tuple[ops.Operation, ...]) -> bool:
    """True when the down step drops what `change` wrote: its table, or every column it set
    (a backfill of a column the migration adds, rows of a table it creates). Code looping
    over rows may write another table than it names: the columns it writes, by name."""
    dropped_anywhere = {o.column for o in down if isinstance(o, ops.DropColumn)}
    if change.code_columns and dropped_anywhere.issuperset(change.code_columns):
        return True
    if change.table is None:
        return False
    if any(isinstance(o, ops.DropTable) and o.table == change.table for o in down):
        return True
    dropped = {o.column for o in down if isinstance(o, ops.DropColumn) and o.table == change.table}
    return bool(change.columns) and dropped.issuperset(change.columns)


def _restores(operation: ops.Operation, down: tuple[ops.Operation, ...]) -> bool:
    """True when the down step re-creates what `operation` (a drop) removed."""
    match operation:
        case ops.DropTable(table=table):
            return any(
                (isinstance(o, ops.CreateTable) and o.table == table)
                or (isinstance(o, ops.RenameTable) and o.new == table)
                or (isinstance(o, ops.Opaque))
                for o in down
            )
        case ops.DropColumn(table=table, column=column):
            return any(
                (isinstance(o, ops.AddColumn) and o.table == table and o.column.name == column)
                or (isinstance(o, ops.ModifyColumn) and o.table == table)
                or (isinstance(o, ops.RebuildTable) and o.table == table)
                or (isinstance(o, ops.RenameColumn) and o.table == table and o.new == column)
                or (isinstance(o, ops.CreateTable) and o.table == table)
                or (isinstance(o, ops.Opaque))
                for o in down
            )
        case _:
            return True


def _not_restored(up: tuple[ops.Operation, ...], down: tuple[ops.Operation, ...]) -> list[str]:
    """What the up step drops and the down step never re-creates (a table the up step drops
    only to create it again is the up step's own, which the down step may drop)."""
    gone = []
    recreated = {
        o.table
        for i, o in enumerate(up)
        if isinstance(o, ops.DropTable)
        and any(isinstance(later, ops.CreateTable) and later.table == o.table for later in up[i:])
    }
    temporary = _temporary_columns(up)
    for operation in up:
        if isinstance(operation, ops.DropTable) and operation.table in recreated:
            continue
        if isinstance(operation, ops.DropTable) and not _restores(operation, down):
            gone.append(f"table {operation.table} dropped")
        elif (
            isinstance(operation, ops.DropColumn)
            and (operation.table, operation.column) not in temporary
            and not _restores(operation, down)
        ):
            gone.append(f"column {operation.table}.{operation.column} dropped")
        elif isinstance(operation, (ops.SetNotNull, ops.DropNotNull)) and not (
            _nullability_restored(operation.table, operation.column, up, down)
        ):
            now = "NOT NULL" if isinstance(operation, ops.SetNotNull) else "nullable"
            gone.append(f"{operation.table}.{operation.column} {now}")
    return gone


def _temporary_columns(up: tuple[ops.Operation, ...]) -> set[tuple[str, str]]:
    """(table, column) the up step adds and drops again before it ends (a scratch column
    for a data migration): nothing of it is left for the down step to undo."""
    last: dict[tuple[str, str], type] = {}
    first: dict[tuple[str, str], type] = {}
    for operation in up:
        if isinstance(operation, ops.AddColumn):
            key = (operation.table, operation.column.name)
        elif isinstance(operation, ops.DropColumn):
            key = (operation.table, operation.column)
        else:
            continue
        first.setdefault(key, type(operation))
        last[key] = type(operation)
    return {k for k in first if first[k] is ops.AddColumn and last[k] is ops.DropColumn}


def _nullability_restored(
    table: str, column: str, up: tuple[ops.Operation, ...], down: tuple[ops.Operation, ...]
) -> bool:
    """Whether the down step may give `table.column` back the nullability the up step
    changed: it sets it, redefines or drops the column or its table (or runs SQL not read);
    a column the up step adds has no earlier nullability to restore."""
    if any(
        isinstance(o, ops.AddColumn) and o.table == table and o.column.name == column for o in up
    ):
        return True
    for o in down:
        match o:
            case ops.SetNotNull(table=t, column=c) | ops.DropNotNull(table=t, column=c):
                if (t, c) == (table, column):
                    return True
            case ops.AlterColumnType(table=t, column=c) | ops.DropColumn(table=t, column=c):
                if (t, c) == (table, column):
                    return True
            case ops.ModifyColumn(table=t) | ops.RebuildTable(table=t) | ops.DropTable(table=t):
                if t == table:
                    return True
            case ops.Opaque() | ops.CreateTable():
                return True
            case _:
                pass
    return False


def _lossy(
    up: tuple[ops.Operation, ...],
    down: tuple[ops.Operation, ...],
    released: Callable[[str, str | None], bool],
) -> Iterator[Impact]:
    tables: list[str] = []
    columns: list[str] = []
    refilled = _refilled(down)
    constants = _constant_fills(down)
    temporary = _temporary_columns(up)
    for operation in up:
        if not _restores(operation, down):
            continue
        if isinstance(operation, ops.DropColumn) and (
            (operation.table, operation.column) in temporary
        ):
            continue
        match operation:
            case ops.DropTable(table=table) if released(table, None) and not refilled(table):
                tables.append(table)
            case ops.DropColumn(table=table, column=column) if released(
                table, column
            ) and not refilled(table):
                constant = constants.get((table, column))
                filled = f" (filled with {constant})" if constant is not None else ""
                columns.append(f"{table}.{column}{filled}")
            case ops.AlterColumnType(table=table, column=column, via=str()) if (
                released(table, column)
                and not refilled(table)
                and _restores(ops.DropColumn(table, column), down)
            ):
                columns.append(f"{table}.{column}")  # the copy replaced the old column
            case ops.AddEnumValue(type_name=name, value=value):
                if not any(isinstance(o, (ops.DropType, ops.RenameType)) for o in down):
                    yield Impact(
                        ImpactTag.IRREVERSIBLE,
                        f"PostgreSQL cannot remove {value!r} from enum {name}: the down step "
                        "cannot undo ADD VALUE",
                    )
            case _:
                pass
    if tables:
        yield Impact(
            ImpactTag.IRREVERSIBLE,
            f"the down step can recreate {first_few(tables)} but not the rows the up step drops",
        )
    if columns:
        yield Impact(
            ImpactTag.IRREVERSIBLE,
            f"the down step can recreate {first_few(columns)} but not the data the up step drops",
        )


_WRITES = frozenset(
    {
        ops.DataChangeKind.INSERT,
        ops.DataChangeKind.INSERT_SELECT,
        ops.DataChangeKind.UPDATE,
        ops.DataChangeKind.CODE,
    }
)


def _refilled(down: tuple[ops.Operation, ...]) -> Callable[[str], bool]:
    """Whether the down step writes rows into a table again (a RunPython reverse_code, an
    INSERT … SELECT): code that may restore what the up step dropped (whether it does is for
    a person to read)."""
    writes = [
        o
        for o in down
        if isinstance(o, ops.DataChange) and o.kind in _WRITES and not _constant_fill(o)
    ]
    return lambda table: any(o.table in (None, table) for o in writes)


_CONSTANT = re.compile(r"-?\d+(?:\.\d+)?|'(?:[^']|'')*'|NULL|TRUE|FALSE", re.IGNORECASE)


def _constant_fill(change: ops.DataChange) -> bool:
    """An UPDATE of every row that sets each column it names to a constant (`SET
    allow_transfer = 0`): it fills a column the down step adds again, it cannot bring back the
    values dropped (one with a WHERE may map them back from other columns)."""
    return (
        change.kind is ops.DataChangeKind.UPDATE
        and not change.has_where
        and bool(change.sets)
        and {column for column, _ in change.sets} >= set(change.columns)
        and all(_CONSTANT.fullmatch(value.strip()) for _, value in change.sets)
    )


def _constant_fills(down: tuple[ops.Operation, ...]) -> dict[tuple[str, str], str]:
    """(table, column) -> the constant the down step fills it with."""
    return {
        (o.table or "", column): value
        for o in down
        if isinstance(o, ops.DataChange) and _constant_fill(o)
        for column, value in o.sets
    }


def _final_names(up: tuple[ops.Operation, ...]) -> dict[str, str]:
    """Each table's name once the up step has run (down steps see those names)."""
    final: dict[str, str] = {}
    for operation in up:
        if isinstance(operation, ops.RenameTable):
            for table, name in list(final.items()):
                if name == operation.old:
                    final[table] = operation.new
            final.setdefault(operation.old, operation.new)
    return final


def _undo_expected(up: tuple[ops.Operation, ...]) -> Iterator[tuple[Key, str]]:
    """What the down step must undo: (object key, how a reviewer names it). Tables and views
    share one namespace (key "table"); what the up step puts on a table or view it drops later
    went with it; an index or constraint it drops and creates again under the same name is
    one the database had before, which the down step may leave."""
    final = _final_names(up)
    temporary = _temporary_columns(up)
    for position, operation in enumerate(up):
        relation = _relation_of(operation)
        if relation is not None and _dropped_later(up, position, relation):
            continue
        if _replaced(up, position) or _removed_later(up, position):
            continue
        match operation:
            case ops.CreateTable(table=table):
                yield ("table", final.get(table, table)), f"table {table}"
            case ops.AddColumn(table=table, column=column) if (table, column.name) not in temporary:
                key = ("column", final.get(table, table), column.name)
                yield key, f"column {table}.{column.name}"
            case ops.RebuildTable(table=table, declares_columns=declared, applies_alters=False):
                for name in declared:
                    yield ("column", final.get(table, table), name), f"column {table}.{name}"
            case ops.CreateIndex(index=index) if index.name or index.options_unread:
                name = describe.index_name(index)
                yield ("index", final.get(index.table, index.table), name), f"index {name}"
            case ops.AddConstraint(table=table, constraint=constraint) if (
                constraint.kind is ops.ConstraintKind.PRIMARY_KEY
            ):
                # one per table, dropped by whatever name the engine gave it (MySQL: PRIMARY)
                name = f"primary key {constraint.name}" if constraint.name else "a primary key"
                yield ("primary key", final.get(table, table)), f"{name} on {table}"
            case ops.AddConstraint(table=table, constraint=constraint) if constraint.name:
                key = ("constraint", final.get(table, table), constraint.name)
                yield key, f"constraint {constraint.name}"
            case ops.RenameTable(old=old, new=new):
                yield ("table", final.get(old, new)), f"the rename of {old} to {new}"
            case ops.RenameColumn(table=table, old=old, new=new):
                key = ("column", final.get(table, table), new)
                yield key, f"the rename of {table}.{old} to {new}"
            case ops.RenameIndex(old=old, new=new, table=table):
                key = ("index", final.get(table or "", table or ""), new)
                yield key, f"the rename of index {old} to {new}"
            case ops.CreateEnumType(name=name):
                yield ("type", name), f"type {name}"
            case ops.CreateView(name=name, or_replace=False):
                yield ("table", final.get(name, name)), f"view {name}"
            case _:
                pass


def _replaced(up: tuple[ops.Operation, ...], position: int) -> bool:
    """Whether the index or named constraint created at `position` replaces one of the same
    name the up step dropped before it (`remove_index`, change the column, `add_index`)."""
    return _dropped_in(up[:position], _created_key(up[position]))


def _removed_later(up: tuple[ops.Operation, ...], position: int) -> bool:
    """Whether the up step drops the index or named constraint created at `position` again
    before it ends (strong_migrations' CHECK that only helps a SET NOT NULL), leaving the
    down step nothing to remove."""
    return _dropped_in(up[position + 1 :], _created_key(up[position]))


def _created_key(operation: ops.Operation) -> Key | None:
    """The key of the index or named (non primary key) constraint `operation` creates."""
    match operation:
        case ops.CreateIndex(index=index) if index.name:
            return ("index", index.table, index.name)
        case ops.AddConstraint(table=table, constraint=constraint) if (
            constraint.name and constraint.kind is not _PRIMARY_KEY
        ):
            return ("constraint", table, constraint.name)
        case _:
            return None


def _dropped_in(steps: tuple[ops.Operation, ...], created: Key | None) -> bool:
    """Whether `steps` drop the index or constraint `created` by its name."""
    if created is None:
        return False
    drops = tuple(o for o in steps if isinstance(o, (ops.DropIndex, ops.DropConstraint)))
    return any(
        key[0] == created[0] and key[-1] == created[-1] and _same_table(key, created)
        for key, _ in _touched(drops)
    )


def _relation_of(operation: ops.Operation) -> str | None:
    """The table or view an up-step operation creates or changes (after it runs)."""
    match operation:
        case ops.CreateView(name=name):
            return name
        case ops.RenameTable(new=new):
            return new
        case ops.CreateIndex(index=index):
            return index.table
    table = getattr(operation, "table", None)
    return table if isinstance(table, str) else None


def _dropped_later(up: tuple[ops.Operation, ...], position: int, relation: str) -> bool:
    """Whether the up step drops `relation` after the operation at `position`, before any
    rename moves that name: dropping a table or view drops its indexes, constraints, columns."""
    for later in up[position + 1 :]:
        match later:
            case ops.RenameTable(old=old, new=new) if relation in (old, new):
                return False
            case ops.DropTable(table=name) | ops.DropView(name=name) if name == relation:
                return True
            case _:
                pass
    return False


def _touched(down: tuple[ops.Operation, ...]) -> Iterator[tuple[Key, str]]:
    """The objects a down step removes or renames away, with how it says so."""
    for operation in down:
        match operation:
            case ops.DropTable(table=table):
                yield ("table", table), f"drops table {table}"
            case ops.DropColumn(table=table, column=column):
                yield ("column", table, column), f"drops {table}.{column}"
            case ops.DropIndex(name=name, table=table):
                yield ("index", table or "", name), f"drops index {name}"
            case ops.RenameIndex(old=old, table=table):
                yield ("index", table or "", old), f"renames index {old}"
            case ops.DropConstraint(table=table, kind=ops.ConstraintKind.PRIMARY_KEY):
                yield ("primary key", table), f"drops the primary key of {table}"
            case ops.DropConstraint(table=table, name=name) if name:
                yield ("constraint", table, name), f"drops constraint {name}"
            case ops.RenameTable(old=old):
                yield ("table", old), f"renames {old}"
            case ops.RenameColumn(table=table, old=old):
                yield ("column", table, old), f"renames {table}.{old}"
            case ops.DropType(name=name):
                yield ("type", name), f"drops type {name}"
            case ops.DropView(name=name):
                yield ("table", name), f"drops view {name}"
            case _:
                pass


def _renamed_key(key: Key, final: dict[str, str]) -> Key:
    """A down step's object under the table name the up step left (a down step may rename a
    table back before it drops a key of it)."""
    if len(key) >= 3 and key[1] in final:
        return (key[0], final[key[1]], *key[2:])
    return key


def _index_columns(up: tuple[ops.Operation, ...]) -> dict[Key, set[str]]:
    """The columns each created index or constraint covers: dropping one of them drops it
    too (PostgreSQL, MySQL and SQLite drop an index, CHECK or foreign key with a column it
    uses)."""
    final = _final_names(up)
    found: dict[Key, set[str]] = {}
    for o in up:
        if isinstance(o, ops.CreateIndex) and (o.index.name or o.index.options_unread):
            table = final.get(o.index.table, o.index.table)
            found[("index", table, describe.index_name(o.index))] = set(o.index.columns)
        elif isinstance(o, ops.AddConstraint) and o.constraint.kind is _PRIMARY_KEY:
            found[("primary key", final.get(o.table, o.table))] = set(o.constraint.columns)
        elif isinstance(o, ops.AddConstraint) and o.constraint.name:
            key = o.constraint.foreign_key
            used = (
                set(o.constraint.columns)
                | set(key.columns if key else ())
                | set(re.findall(r"\w+", o.constraint.expression or ""))
            )
            found[("constraint", final.get(o.table, o.table), o.constraint.name)] = used
    return found


def _undone(key: Key, down: tuple[ops.Operation, ...], covered: set[str]) -> bool:
    """True when the down step removes the object `key`, directly, with its table, or (for an
    index) with a column it covers."""
    table = key[1] if len(key) > 1 else ""
    if any(
        isinstance(o, ops.DropColumn) and o.table == table and o.column in covered for o in down
    ):
        return True
    for touched, _ in _touched(down):
        if touched[0] == key[0] and touched[-1] == key[-1] and _same_table(touched, key):
            return True
        if key[0] in ("column", "index", "constraint", "primary key") and touched == (
            "table",
            table,
        ):
            return True
    return any(
        (isinstance(o, ops.RebuildTable) and o.table == table)
        or (isinstance(o, ops.ModifyColumn) and key[0] == "column" and o.old_name == key[-1])
        for o in down
    )


def _same_table(first: Key, second: Key) -> bool:
    if len(first) < 3 or len(second) < 3:
        return True
    return not first[1] or not second[1] or first[1] == second[1]


def _related(key: Key, expected: set[Key], up: tuple[ops.Operation, ...]) -> bool:
    """True when a down step's object is one the up step created, changed or dropped."""
    if any(e[0] == key[0] and e[-1] == key[-1] and _same_table(e, key) for e in expected):
        return True
    tables = {t for o in up for t in _tables(o)}
    if key[0] == "table":
        return key[1] in tables
    names = {n for o in up for n in _names(o)}
    return key[-1] in names


def _tables(operation: ops.Operation) -> Iterator[str]:
    if isinstance(operation, ops.CreateView):
        # CREATE OR REPLACE VIEW: the down step may drop the view it made or replaced
        yield operation.name
    for attribute in ("table", "old", "new"):
        value = getattr(operation, attribute, None)
        if isinstance(value, str):
            yield value
    index = getattr(operation, "index", None)
    if isinstance(index, ops.IndexDef):
        yield index.table


def _names(operation: ops.Operation) -> Iterator[str]:
    match operation:
        case ops.DropColumn(column=column) | ops.AlterColumnType(column=column):
            yield column
            if isinstance(operation, ops.AlterColumnType) and operation.via:
                yield operation.via
        case ops.SetNotNull(column=column) | ops.DropNotNull(column=column):
            yield column
        case ops.SetDefault(column=column) | ops.DropDefault(column=column):
            yield column
        case ops.ModifyColumn(column=column_def, old_name=old_name):
            yield column_def.name
            if old_name:
                yield old_name
        case ops.DropIndex(name=name) | ops.DropConstraint(name=name) if name:
            yield name
        case ops.RenameColumn(old=old, new=new):
            yield old
            yield new
        case ops.DropView(name=name) | ops.DropType(name=name):
            yield name
        case _:
            pass
