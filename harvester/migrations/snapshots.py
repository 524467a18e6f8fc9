"""Schema snapshot files (schema.rb, structure.sql) as shapes: what changed between the ends of
the range, and which of those changes no migration of the range explains (`schema_drift`).

create_table "accounts" … t.string "status", default: "active"   ->  accounts.status added
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from harvester.migrations.base import RepoView, Side
from harvester.migrations.schema import ops
from harvester.migrations.timestamped import FolderResult
from harvester.model import ChangeKind, Finding, ImpactTag, SchemaSnapshot

_SHOWN = 6


@dataclass(frozen=True, slots=True)
class TableShape:
    """A table in a snapshot: options, and columns and indexes by name with how they read."""

    options: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    indexes: Mapping[str, str] = field(default_factory=dict)


def as_written(kind: str, text: str) -> str:
    """A column's (`kind` "column") or table options' ("options") text, compared as written."""
    return text


@dataclass(frozen=True, slots=True)
class SchemaShape:
    """A whole snapshot: its version, tables, and other objects (keys, extensions, enums, views)
    keyed by `(kind, table or None, name)` with how they read.

    `plain` takes out of a column's or table options' text what only the dumper decides
    (`DEFAULT '0'` or `DEFAULT 0`, the default datetime precision of a Rails version), so two
    dumps of the same schema by different tool versions compare equal."""

    version: str | None = None
    tables: Mapping[str, TableShape] = field(default_factory=dict)
    objects: Mapping[tuple[str, str | None, str], str] = field(default_factory=dict)
    plain: Callable[[str, str], str] = field(default=as_written, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Delta:
    """One difference between two shapes, with the table and name it concerns; kind "format"
    when only how the dump is written differs, `part` then saying what it is written of
    ("column", "index", "options", "constraint")."""

    kind: str
    table: str | None
    name: str | None
    text: str
    part: str = ""


def compare(before: SchemaShape, after: SchemaShape) -> list[Delta]:
    """What changed from `before` to `after`, tables first, in name order."""
    found: list[Delta] = []
    if before.version != after.version and (before.version or after.version):
        found.append(
            Delta(
                "version",
                None,
                None,
                f"version {before.version or '(none)'} -> {after.version or '(none)'}",
            )
        )
    for table in sorted(set(before.tables) | set(after.tables)):
        old, new = before.tables.get(table), after.tables.get(table)
        if old is None and new is not None:
            found.append(
                Delta(
                    "table",
                    table,
                    None,
                    f"table {table} created ({_count(len(new.columns), 'column')})",
                )
            )
            continue
        if new is None and old is not None:
            found.append(Delta("table", table, None, f"table {table} dropped"))
            continue
        assert old is not None and new is not None
        if old.options != new.options:
            found.append(
                Delta(
                    _kind("table", "options", old.options, new.options, (before, after)),
                    table,
                    None,
                    f"table {table} options: {old.options or '-'} -> {new.options or '-'}",
                    "options",
                )
            )
        found += _members("column", table, old.columns, new.columns, (before, after))
        found += _members("index", table, old.indexes, new.indexes, (before, after))
    for key in sorted(
        set(before.objects) | set(after.objects), key=lambda k: (k[0], k[1] or "", k[2])
    ):
        kind, owner, obj_name = key
        old_text, new_text = before.objects.get(key), after.objects.get(key)
        where = f" on {owner}" if owner else ""
        if old_text == new_text:
            continue
        if old_text is None:
            found.append(Delta(kind, owner, obj_name, f"{kind} {obj_name}{where} added"))
        elif new_text is None:
            found.append(Delta(kind, owner, obj_name, f"{kind} {obj_name}{where} removed"))
        else:
            found.append(Delta(kind, owner, obj_name, f"{kind} {obj_name}{where} changed"))
    return _dumped_as_constraints(found, before, after)


def _kind(kind: str, part: str, old: str, new: str, shapes: tuple[SchemaShape, SchemaShape]) -> str:
    """`kind`, or "format" when `old` and `new` differ only in how each dump writes them."""
    before, after = shapes
    return "format" if before.plain(part, old) == after.plain(part, new) else kind


def _members(
    kind: str,
    table: str,
    old: Mapping[str, str],
    new: Mapping[str, str],
    shapes: tuple[SchemaShape, SchemaShape],
) -> list[Delta]:
    found = []
    label = f"{table}." if kind == "column" else f"{kind} "
    where = "" if kind == "column" else f" on {table}"
    for name in sorted(set(old) | set(new)):
        if name not in old:
            found.append(
                Delta(kind, table, name, f"{label}{name}{where} added: {_short(new[name])}")
            )
        elif name not in new:
            found.append(Delta(kind, table, name, f"{label}{name}{where} removed"))
        elif old[name] != new[name]:
            change = f"{_short(old[name])} -> {_short(new[name])}"
            shown = _kind(kind, kind, old[name], new[name], shapes)
            found.append(Delta(shown, table, name, f"{label}{name}{where}: {change}", kind))
    return found


# Constraints Rails 7.1+ dumps as such, which older dumps show as the index behind them, and
# what that index's text then holds: `t.index "…", name: "x", using: :gist` became
# `t.exclusion_constraint "… WITH &&", using: :gist, name: "x"`.
_INDEXED_CONSTRAINTS = {"exclusion constraint": "using: ", "unique constraint": "unique: true"}


def _dumped_as_constraints(
    found: list[Delta], before: SchemaShape, after: SchemaShape
) -> list[Delta]:
    """`found` with each index one end shows and a constraint of the same name on the same
    table the other end shows (its backing index) as one "format" delta: a dumper that writes
    exclusion and unique constraints as such, not a change of schema."""
    gone = {(d.table, d.name) for d in found if d.kind == "index" and d.text.endswith(" removed")}
    came = {(d.table, d.name) for d in found if d.kind == "index" and d.text.endswith(" added")}
    paired: set[tuple[str | None, str | None]] = set()
    for d in found:
        if d.kind not in _INDEXED_CONSTRAINTS or (d.table, d.name) not in gone | came:
            continue
        index_side, constraint_side = (
            (before, after) if d.text.endswith(" added") else (after, before)
        )
        table = index_side.tables.get(d.table or "")
        index = table.indexes.get(d.name or "", "") if table else ""
        constraint = constraint_side.objects.get((d.kind, d.table, d.name or ""), "")
        marker = _INDEXED_CONSTRAINTS[d.kind]
        if marker == "using: ":
            marker = next((p for p in constraint.split(", ") if p.startswith(marker)), "-")
        if marker in index:
            paired.add((d.table, d.name))
    kinds = ("index", *_INDEXED_CONSTRAINTS)
    kept = [d for d in found if d.kind not in kinds or (d.table, d.name) not in paired]
    written = [
        Delta(
            "format", t, n, f"constraint {n} on {t}: as a constraint, or as its index", "constraint"
        )
        for t, n in sorted(paired, key=lambda k: (k[0] or "", k[1] or ""))
    ]
    return kept + written


@dataclass(slots=True)
class Explained:
    """What a range's migrations touched, by name, to tell explained snapshot changes apart."""

    tables: set[str] = field(default_factory=set)
    columns: set[tuple[str, str]] = field(default_factory=set)
    indexes: set[str] = field(default_factory=set)
    constrained: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    unattributed: list[str] = field(default_factory=list)

    def add(self, migration_id: str, operations: Iterable[ops.Operation]) -> None:
        """Record what `operations` of migration `migration_id` touch."""
        for op in operations:
            match op:
                case (
                    ops.CreateTable(table=t)
                    | ops.DropTable(table=t)
                    | ops.RebuildTable(table=t)
                    | ops.TableOptions(table=t)
                ):
                    self.tables.add(t)
                case ops.RenameTable(old=old, new=new):
                    self.tables.update((old, new))
                case ops.AddColumn(table=t, column=col) | ops.ModifyColumn(table=t, column=col):
                    self.columns.add((t, col.name))
                case ops.RenameColumn(table=t, old=old, new=new):
                    self.columns.update(((t, old), (t, new)))
                    self.constrained.add(t)
                case (
                    ops.DropColumn(table=t, column=c)
                    | ops.AlterColumnType(table=t, column=c)
                    | ops.SetNotNull(table=t, column=c)
                    | ops.DropNotNull(table=t, column=c)
                    | ops.SetDefault(table=t, column=c)
                    | ops.DropDefault(table=t, column=c)
                ):
                    self.columns.add((t, c))
                case ops.CreateIndex(index=idx):
                    self.indexes.add(idx.name or "")
                    self.constrained.add(idx.table)
                case ops.DropIndex(name=name, table=t) | ops.RenameIndex(new=name, table=t):
                    self.indexes.add(name)
                    if t:
                        self.constrained.add(t)
                case ops.AddConstraint(table=t, constraint=con):
                    # a dump marks a key's columns (`(PK)`, `UNIQUE`, `-> users.id`)
                    self.constrained.add(t)
                    self.columns.update((t, c) for c in con.columns)
                case ops.DropConstraint(table=t) | ops.ValidateConstraint(table=t):
                    self.constrained.add(t)
                case (
                    ops.CreateEnumType(name=name)
                    | ops.RedefineEnumType(name=name)
                    | ops.DropType(name=name)
                    | ops.AddEnumValue(type_name=name)
                    | ops.CreateView(name=name)
                    | ops.DropView(name=name)
                ):
                    self.objects.add(name)
                case ops.Opaque(summary=summary, raw=raw):
                    self.objects.add(summary.split()[-1] if summary.split() else summary)
                    if raw:
                        self.unattributed.append(migration_id)
                case _:
                    pass

    def explains(self, delta: Delta) -> bool:
        """Whether a migration of the range accounts for `delta`."""
        table = delta.table or ""
        if delta.kind in ("version", "format"):
            return True
        if table in self.tables:
            return True
        if delta.kind == "table":
            return "options" in delta.text and self._touched(table)
        if delta.kind == "column":
            return (table, delta.name or "") in self.columns
        if delta.kind == "index":
            return (delta.name or "") in self.indexes or self._touched(table)
        if delta.table is not None:
            return self._touched(table)
        return (delta.name or "") in self.objects

    def _touched(self, table: str) -> bool:
        return table in self.constrained or any(t == table for t, _ in self.columns)


def unexplained(deltas: Sequence[Delta], explained: Explained) -> list[Delta]:
    """The deltas no migration of the range accounts for."""
    return [d for d in deltas if not explained.explains(d)]


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.replace("\\n", " ").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summarise(
    system: str,
    paths: Sequence[str],
    view: RepoView,
    folder: FolderResult,
    read_shape: Callable[[Side, str], SchemaShape | None],
    explained: Callable[[str | None], Explained],
    *,
    has_migrations: bool = True,
) -> tuple[tuple[SchemaSnapshot, ...], tuple[Finding, ...]]:
    """Summaries of the snapshot files among `paths` the range changed, and `schema_drift`
    findings: changes no migration of the range makes, and migrations newer than the file.

    A database without migrations at either end (Solid Cache's schema file, loaded as is) has
    its snapshot summarised but never drifts."""
    found: list[SchemaSnapshot] = []
    findings: list[Finding] = []
    changes = {c.path: c for c in view.changes()} | {
        c.old_path: c for c in view.changes() if c.old_path
    }
    for path in paths:
        change = changes.get(path)
        before, after = read_shape(Side.BASE, path), read_shape(Side.HEAD, path)
        if after is None and before is None:
            continue
        status = None
        if change is not None:
            status = change.status if change.path == path else ChangeKind.DELETED
            version = after.version if after else None
            if before is None or after is None:
                lines = (_one_end(before, after, status),)
                found.append(SchemaSnapshot(path, system, status, lines, version))
            else:
                deltas = compare(before, after)
                found.append(SchemaSnapshot(path, system, status, _listed(deltas), version))
                since = before.version or None
                accounted = explained(since if since and since.isdigit() else None)
                missing = unexplained(deltas, accounted)
                if missing and has_migrations:
                    findings.append(_drift(path, missing, accounted, change.commits))
        stale = _stale(path, after, folder, status)
        if stale is not None:
            findings.append(stale)
        elif after is not None and after.tables and folder.added:
            lagging, unread = missing_from(after, folder.added)
            if lagging:
                commits = change.commits if change else ()
                findings.append(_lagging(path, lagging, unread, commits))
    return tuple(found), tuple(findings)


def _one_end(before: SchemaShape | None, after: SchemaShape | None, status: ChangeKind) -> str:
    """The one line for a snapshot read at one end of the range only: a file added is the dump
    of a schema the database already has, not a list of tables the range creates."""
    if status is ChangeKind.ADDED and after is not None:
        return f"snapshot file added ({_count(len(after.tables), 'table')})"
    if status is ChangeKind.DELETED:
        return "snapshot file removed"
    end = "base" if before is None else "head"
    return f"not read at the {end} of the range: its changes are not listed"


def _listed(deltas: Sequence[Delta]) -> tuple[str, ...]:
    """The changes to list, and one line counting those that are only the dump's format."""
    shown = tuple(d.text for d in deltas if d.kind != "format")
    written = [d.part for d in deltas if d.kind == "format"]
    if not written:
        return shown
    parts = [_count(written.count(p), p) for p in ("column", "index", "constraint") if p in written]
    options = written.count("options")
    parts += [f"options of {_count(options, 'table')}"] if options else []
    counted = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return (
        *shown,
        f"{counted} only written differently (another dumper version, same schema): not listed",
    )


def missing_from(
    shape: SchemaShape, migrations: Sequence[ops.ParsedMigration]
) -> tuple[list[str], list[str]]:
    """What the migrations do (tables and columns created or dropped, indexes created) that the
    snapshot does not show, replaying them in order so later ones override earlier ones; and
    where code harvester did not analyse runs after the first of those (`migration (line n)`):
    it may be what makes the snapshot right."""
    expected: dict[tuple[str, str], tuple[bool, str, int]] = {}
    renamed: set[str] = set()
    unread: list[tuple[int, str, int | None]] = []
    step = 0
    for parsed in migrations:
        for op in parsed.up.operations:
            step += 1
            match op:
                case ops.CreateTable(table=t):
                    expected[(t, "")] = (True, parsed.id, step)
                    for col in op.columns:
                        if not col.primary_key:
                            expected[(t, col.name)] = (True, parsed.id, step)
                case ops.DropTable(table=t):
                    expected[(t, "")] = (False, parsed.id, step)
                case ops.AddColumn(table=t, column=col):
                    expected[(t, col.name)] = (True, parsed.id, step)
                case ops.DropColumn(table=t, column=c):
                    expected[(t, c)] = (False, parsed.id, step)
                case ops.RenameColumn(table=t, old=old, new=new):
                    expected[(t, old)] = (False, parsed.id, step)
                    expected[(t, new)] = (True, parsed.id, step)
                case ops.RenameTable(old=old, new=new):
                    renamed.update((old, new))
                case ops.RebuildTable(table=t):
                    renamed.add(t)
                case ops.Opaque(raw=True, line=line):
                    unread.append((step, parsed.id, line))
                case _:
                    pass
    found = []
    first = step + 1
    for (table, column), (present, migration, at) in expected.items():
        if table in renamed or "<" in table:
            continue
        shape_table = shape.tables.get(table)
        if not column:
            if present != (shape_table is not None):
                verb = "created" if present else "dropped"
                found.append(f"table {table} ({verb} by {migration})")
                first = min(first, at)
        elif shape_table and shape_table.columns and present != (column in shape_table.columns):
            verb = "added" if present else "dropped"
            found.append(f"{table}.{column} ({verb} by {migration})")
            first = min(first, at)
    return found, _where_unread([(m, line) for at, m, line in unread if at > first])


def _where_unread(places: Sequence[tuple[str, int | None]]) -> list[str]:
    """`20240301000000 (lines 3, 9)` for each migration among `places`, in order."""
    lines: dict[str, list[str]] = {}
    for migration, line in places:
        lines.setdefault(migration, [])
        if line is not None and str(line) not in lines[migration]:
            lines[migration].append(str(line))
    return [
        f"{m} ({'line' if len(n) == 1 else 'lines'} {', '.join(n)})" if n else m
        for m, n in lines.items()
    ]


def _lagging(
    path: str, lagging: Sequence[str], unread: Sequence[str], commits: tuple[str, ...]
) -> Finding:
    shown = "; ".join(lagging[:_SHOWN])
    more = f" and {len(lagging) - _SHOWN} more" if len(lagging) > _SHOWN else ""
    advice = "; regenerate it from a migrated database"
    if unread:
        advice = (
            f", unless what harvester did not analyse in {', '.join(unread)} does it; "
            "if not, regenerate it from a migrated database"
        )
    return Finding(
        ImpactTag.SCHEMA_DRIFT,
        f"{path} does not show what migrations in the range do: {shown}{more}{advice}",
        (path,),
        commits,
    )


def _drift(
    path: str, missing: Sequence[Delta], explained: Explained, commits: tuple[str, ...]
) -> Finding:
    shown = "; ".join(d.text for d in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    caveat = ""
    if explained.unattributed:
        caveat = f" (unless raw SQL in {', '.join(dict.fromkeys(explained.unattributed))} does it)"
    return Finding(
        ImpactTag.SCHEMA_DRIFT,
        f"{path} changes that no migration in the range makes: {shown}{more}{caveat}",
        (path,),
        commits,
    )


def _stale(
    path: str, after: SchemaShape | None, folder: FolderResult, status: ChangeKind | None
) -> Finding | None:
    """Migrations the range adds that are newer than the snapshot's version."""
    if after is None or after.version is None or not after.version.isdigit():
        return None
    newer = [
        m
        for m in folder.migrations
        if m.change is ChangeKind.ADDED and m.id.isdigit() and int(m.id) > int(after.version)
    ]
    if not newer:
        return None
    state = {None: "was not updated:", ChangeKind.ADDED: "was added but"}.get(
        status, "was updated but"
    )
    return Finding(
        ImpactTag.SCHEMA_DRIFT,
        f"{path} {state} it is at version {after.version}, older than "
        f"{len(newer)} migration(s) the range adds (newest {newer[-1].id}); regenerate it",
        (path, *(m.path for m in newer)),
        tuple(dict.fromkeys(m.added_in for m in newer if m.added_in)),
    )
