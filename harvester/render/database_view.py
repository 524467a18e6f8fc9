"""Database Changes in Markdown: Schema Updates by table, Migration Status per system, Data
Impact worst first."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from harvester.analysis.wording import first_few, plural
from harvester.model import (
    SEVERITY,
    ChangeKind,
    Database,
    Impact,
    ImpactTag,
    Migration,
    SchemaSnapshot,
    TableChange,
)
from harvester.render.escape import Trusted, code_span, inline

_RANK = {tag: index for index, tag in enumerate(SEVERITY)}
_CALM = {ImpactTag.NONE, ImpactTag.NO_OP, ImpactTag.FORMAT_ONLY_CHANGE}

_CREATES = ("tables_created", "tables_ensured")
_CATEGORY_LABELS = {
    "tables_created": "table created",
    "tables_ensured": "table created if missing",
    "tables_dropped": "table dropped",
    "tables_renamed": "table renamed",
    "tables_rebuilt": "table rebuilt",
    "columns_added": "column added",
    "columns_dropped": "column dropped",
    "columns_altered": "column altered",
    "columns_renamed": "column renamed",
    "indexes_added": "index added",
    "indexes_recreated": "index re-created",
    "indexes_dropped": "index dropped",
    "indexes_renamed": "index renamed",
    "constraints_added": "constraint added",
    "constraints_dropped": "constraint dropped",
    "constraints_validated": "constraint validated",
    "types_created": "type created",
    "types_altered": "type altered",
    "types_dropped": "type dropped",
    "types_renamed": "type renamed",
    "views_created": "view created",
    "views_dropped": "view dropped",
    "table_options": "table options",
}


_PLURAL_NOUNS = {"index": "indexes"}


def severity(tag: ImpactTag) -> int:
    """Position of a tag in the worst-first order."""
    return _RANK.get(tag, len(SEVERITY))


def schema_updates(database: Database) -> list[Trusted]:
    """Markdown list lines: per database (when the range touches several), each table, then
    what each migration did to it, one line per kind of change."""
    groups: dict[str, list[Migration]] = defaultdict(list)
    seen: set[tuple[str, str, tuple[TableChange, ...]]] = set()
    for migration in database.migrations:
        # The same migration in two trees of one database (a copy per driver folder) is
        # listed once.
        key = (migration.database_label, migration.id, migration.schema_changes)
        if key not in seen:
            seen.add(key)
            groups[migration.database_label].append(migration)
    lines = []
    nested = len(groups) > 1
    for label in sorted(groups):
        table_lines = _table_lines(groups[label], indent="    " if nested else "  ")
        if nested and table_lines:
            lines.append(Trusted(f"  - {inline(label)}:"))
        lines += table_lines
    for snapshot in database.snapshots:
        version = f" (version {snapshot.version})" if snapshot.version else ""
        lines.append(Trusted(f"  - schema snapshot {code_span(snapshot.path)}{inline(version)}"))
        lines += [Trusted(f"    - {inline(c)}") for c in snapshot.changes]
    return lines


_ROW_CHANGES = frozenset({ImpactTag.DATA_BACKFILL, ImpactTag.DATA_DELETE})


def no_schema_updates(database: Database) -> str:
    """What Schema Updates says when it lists nothing: why, and whether rows change."""
    unread = [m for m in database.migrations if not m.parsed and m.change is not ChangeKind.DELETED]
    if unread:
        new = sum(1 for m in unread if not m.released)
        edited = len(unread) - new
        counted = [
            *([plural(new, "new migration")] if new else []),
            *([plural(edited, "edited released migration")] if edited else []),
        ]
        return f"not known: {' and '.join(counted)} could not be read (see Migration Status)"
    if not database.migrations:
        return "none: no migration or schema snapshot changed in this range"
    unanalysed = [
        m.id
        for m in database.migrations
        if m.change is not ChangeKind.DELETED
        and any(i.tag is ImpactTag.RAW_SQL for i in m.data_impact)
    ]
    if unanalysed:
        runs = "runs" if len(unanalysed) == 1 else "run"
        return (
            f"not known: {plural(len(unanalysed), 'migration')} {runs} operations harvester "
            f"could not analyse ({first_few(unanalysed)}; see Data Impact)"
        )
    rows = any(i.tag in _ROW_CHANGES for m in database.migrations for i in m.data_impact)
    return "none: the range's migrations make no schema change" + (
        "; they change rows (see Data Impact)" if rows else ""
    )


def _table_lines(migrations: Sequence[Migration], indent: str) -> list[Trusted]:
    by_table: dict[str, list[tuple[str, str, Migration]]] = defaultdict(list)
    for migration in migrations:
        for change in migration.schema_changes:
            by_table[change.table].append((change.category, change.text, migration))
    lines = []
    for table in sorted(by_table):
        heading = code_span(table) if table else inline("(the migration names no table)")
        lines.append(Trusted(f"{indent}- {heading}"))
        runs: list[tuple[str, Migration, list[str]]] = []
        for category, text, migration in _fold_fill_defaults(table, by_table[table]):
            if category in _CREATES:
                columns = migration.created_table_columns.get(table, ())
                runs.append((category, migration, ["; ".join(columns) if columns else text]))
                continue
            detail = (
                text.removeprefix(f"{table}.")
                .replace(f" ON {table}(", " (")
                .removesuffix(f" ON {table}")
            )
            if runs and runs[-1][0] == category and runs[-1][1] is migration:
                runs[-1][2].append(detail)
            else:
                runs.append((category, migration, [detail]))
        for category, migration, details in runs:
            label = _CATEGORY_LABELS.get(category, category.replace("_", " "))
            if category in _CREATES:
                count = len(migration.created_table_columns.get(table, ()))
                label += f" ({plural(count, 'column')})" if count else ""
            elif _counted(category, details) > 1:
                noun, _, verb = label.partition(" ")
                count = _counted(category, details)
                label = f"{plural(count, noun, _PLURAL_NOUNS.get(noun))} {verb}"
            shown = ", ".join(code_span(d) for d in details)
            lines.append(
                Trusted(f"{indent}  - {inline(label)}: {shown} — {code_span(migration.id)}")
            )
    return lines


def _counted(category: str, details: list[str]) -> int:
    """How many things a run of changes names: one column altered in several steps (type,
    default, NOT NULL) is one column."""
    if category == "columns_altered":
        return len({d.split(" ", 1)[0] for d in details})
    return len(details)


def _fold_fill_defaults(
    table: str, changes: list[tuple[str, str, Migration]]
) -> list[tuple[str, str, Migration]]:
    """A column added with a default that the same migration then drops (Django fills
    existing rows this way) is one change: `x integer NOT NULL DEFAULT 0 (fills existing
    rows; dropped after)`."""
    added = {
        (migration.id, text.removeprefix(f"{table}.").split(" ", 1)[0]): index
        for index, (category, text, migration) in enumerate(changes)
        if category == "columns_added" and " DEFAULT " in text
    }
    folded = list(changes)
    dropped = set()
    for index, (category, text, migration) in enumerate(changes):
        column, _, rest = text.removeprefix(f"{table}.").partition(" ")
        origin = added.get((migration.id, column))
        if category == "columns_altered" and rest == "DROP DEFAULT" and origin is not None:
            kind, added_text, _ = folded[origin]
            folded[origin] = (kind, f"{added_text} (fills existing rows; dropped after)", migration)
            dropped.add(index)
    return [change for index, change in enumerate(folded) if index not in dropped]


def migration_status(database: Database) -> list[Trusted]:
    """Markdown list lines: each system and root, then its migrations in execution order."""
    lines = []
    for system in database.systems:
        members = [
            m
            for m in database.migrations
            if database.tree_of(m) == system.root
            and (system.dialect is None or m.dialect == system.dialect)
        ]
        # A tree with one migration per dialect (pop's variants) lists each dialect apart.
        for dialect in sorted({m.dialect or "" for m in members}):
            group = [m for m in members if (m.dialect or "") == dialect]
            judged = any(m.parsed for m in group)
            label = (
                f" ({dialect})"
                if dialect
                else " (engine not found: judged as PostgreSQL)"
                if judged
                else ""
            )
            lines.append(
                Trusted(f"  - {inline(system.system + label)} in {code_span(system.root + '/')}:")
            )
            ordered = sorted(group, key=lambda m: m.order)
            if len(ordered) >= _FOLDED_MOVES and all(_deleted_released(m) for m in ordered):
                lines.append(Trusted(f"    - {_tree_deleted_line(ordered)}"))
                continue
            for alike_in, line in (
                (moved_unchanged, _moved_line),
                (_reformatted, _reformat_line),
                (_edited_unread, _edited_unread_line),
                (_edited_plainly, _edited_plainly_line),
            ):
                alike = [m for m in ordered if alike_in(m)]
                if len(alike) >= _FOLDED_MOVES:
                    lines.append(Trusted(f"    - {line(alike)}"))
                    ordered = [m for m in ordered if not alike_in(m)]
            # A numbered list counts on from its first number, so positions with gaps (some
            # folded into a line above) are written as text in a bulleted list.
            orders = [m.order for m in ordered]
            gaps = orders != list(range(orders[0], orders[0] + len(orders))) if orders else False
            for migration in ordered:
                marker = f"- {migration.order}\\." if gaps else f"{migration.order}."
                lines.append(Trusted(f"    {marker} {_status_line(migration)}"))
    return lines


_FOLDED_MOVES = 3


def moved_unchanged(migration: Migration) -> bool:
    """A released migration the range moved (a folder renamed) with its id and operations."""
    return migration.change is ChangeKind.RENAMED and migration.released and migration.format_only


def _reformatted(migration: Migration) -> bool:
    """A released migration edited in place without changing what it runs."""
    return migration.change is ChangeKind.MODIFIED and migration.released and migration.format_only


def _span(migrations: Sequence[Migration]) -> str:
    """`first` … `last`: the ids a folded line runs from and to."""
    return f"{code_span(migrations[0].id)} … {code_span(migrations[-1].id)}"


def _reformat_line(reformatted: Sequence[Migration]) -> str:
    """One line for released migrations reformatted alike (a header, a formatter's pass)."""
    span = _span(reformatted)
    return (
        f"{len(reformatted)} released migrations reformatted ({span}): what they run is "
        "unchanged, and databases that ran them do not run them again"
    )


def _edited_unread(migration: Migration) -> bool:
    """A released migration edited in place whose code harvester could not read."""
    return (
        migration.change is ChangeKind.MODIFIED
        and migration.released
        and not migration.parsed
        and not migration.format_only
    )


def _edited_unread_line(edited: Sequence[Migration]) -> str:
    """One line for released migrations edited alike (a framework upgrade) but not read; what
    that does to databases that ran them depends on the tool (Liquibase stops on checksums),
    which Data Impact says."""
    span = _span(edited)
    return (
        f"{len(edited)} released migrations edited after release ({span}), their code not "
        "read (see Data Impact)"
    )


def _deleted_released(migration: Migration) -> bool:
    return migration.change is ChangeKind.DELETED and migration.released


def _tree_deleted_line(deleted: Sequence[Migration]) -> str:
    """One line for a tree whose released migrations were all deleted."""
    span = _span(deleted)
    return (
        f"all {len(deleted)} released migrations deleted ({span}): the tree is gone; databases "
        "that ran them keep their changes"
    )


def _moved_line(moved: Sequence[Migration]) -> str:
    """One line for a folder of migrations moved unchanged: they are the same migrations."""
    span = _span(moved)
    return (
        f"{len(moved)} released migrations moved here with their ids and statements unchanged "
        f"({span}): databases that ran them do not run them again"
    )


def _edited_plainly(migration: Migration) -> bool:
    """A released migration edited in place whose status line would say nothing more."""
    return (
        migration.change is ChangeKind.MODIFIED
        and migration.released
        and not migration.format_only
        and not migration.problems
        and not migration.notes
    )


def _edited_plainly_line(edited: Sequence[Migration]) -> str:
    """One line for released migrations edited after release (a refactor across the folder);
    Data Impact says what each edit did."""
    return (
        f"{len(edited)} released migrations edited after release ({_span(edited)}): see Data Impact"
    )


def _status_line(migration: Migration) -> str:
    change = migration.change.value
    if migration.change.value == "renamed":
        change = "renamed"
    if migration.released and migration.change.value == "modified":
        change = "edited after release" if not migration.format_only else "reformatted"
    deployment = (
        f"first released in {inline(migration.first_tag)}"
        if migration.first_tag
        else ("already released before this range" if migration.released else "unreleased")
    )
    parts = [code_span(migration.id), inline(change), deployment]
    if migration.added_in:
        parts.append(f"added in {code_span(migration.added_in[:7])}")
    if migration.change is not ChangeKind.DELETED:  # why a deleted file did not parse is moot
        parts += [inline(problem.message) for problem in migration.problems]
    parts += [inline(note) for note in _status_notes(migration)]
    return " — ".join([parts[0], "; ".join(parts[1:])])


def _status_notes(migration: Migration) -> list[str]:
    """The migration's notes, grouped. `metadata only` is said of one step (`adds t.c`):
    beside steps Data Impact lists (a drop, an UPDATE, SET NOT NULL) it would read as said of
    the whole migration, so there the step is named alone."""
    notes = grouped_notes(migration.notes)
    if all(impact.tag in _CALM for impact in migration.data_impact):
        return notes
    return [note.removesuffix(": metadata only") for note in notes]


def grouped_notes(notes: Sequence[str], shown: int = 3) -> list[str]:
    """Notes with the same conclusion joined: `adds a.x, a.y and 9 more: metadata only`."""
    groups: dict[str, list[str]] = {}
    for note in notes:
        subject, separator, conclusion = note.partition(": ")
        key = conclusion if separator else note
        groups.setdefault(key, []).append(subject if separator else "")
    result = []
    for conclusion, subjects in groups.items():
        if not any(subjects):
            result.append(conclusion)
            continue
        verb = subjects[0].split(" ", 1)[0]
        if len(subjects) > 1 and all(s.startswith(verb + " ") for s in subjects):
            names = [s[len(verb) + 1 :] for s in subjects]
            result.append(f"{verb} {first_few(names, shown)}: {conclusion}")
        else:
            result += [f"{subject}: {conclusion}" for subject in subjects]
    return result


def data_impact(database: Database) -> list[Trusted]:
    """Markdown list lines: every flagged risk, worst first, each with its migration."""
    # A range finding about a migration (an edit of a released one, with what the tool does
    # about it) replaces that migration's own line with the same tag.
    covered = {(f.tag, path) for f in database.findings for path in f.paths}
    flagged = [
        (impact, migration)
        for migration in database.migrations
        for impact in migration.data_impact
        if impact.tag not in _CALM and (impact.tag, migration.path) not in covered
    ]
    flagged = _fold_mitigated(_fold_raw_sql(flagged))
    flagged.sort(key=lambda pair: (severity(pair[0].tag), pair[1].order, pair[1].id))
    # The same risk in the same migration of several dialect trees is one line, and so is the
    # same risk worded the same in several migrations (a deleted folder, a squash).
    dialects: dict[tuple[ImpactTag, str, str, str], list[str]] = {}
    for impact, migration in flagged:
        key = (impact.tag, impact.detail, migration.system, migration.id)
        dialects.setdefault(key, []).append(migration.dialect or "")
    sources: dict[tuple[ImpactTag, str], list[tuple[str, tuple[str, ...], str]]] = {}
    for (tag, detail, system, migration_id), names in dialects.items():
        sources.setdefault((tag, detail), []).append((system, tuple(names), migration_id))
    # Statements that fail as written come first: a problem in the JSON, the worst news here.
    lines = [
        Trusted(
            f"  - **will fail** — {inline(problem.message.removeprefix('will fail: '))} "
            f"({inline(migration.database_label)} {inline(migration.id)})"
        )
        for migration in sorted(database.migrations, key=lambda m: m.order)
        if migration.change is not ChangeKind.DELETED
        for problem in migration.problems
        if problem.message.startswith("will fail")
    ]
    lines += [
        Trusted(f"  - **{tag.value}** — {inline(detail)} ({inline(_sources(found))})")
        for (tag, detail), found in sources.items()
    ]
    for finding in sorted(database.findings, key=lambda f: severity(f.tag)):
        lines.append(Trusted(f"  - **{finding.tag.value}** — {inline(finding.detail)}"))
    # A range-level finding (236 files reformatted) already says what its calm line would.
    reformatted = any(f.tag is ImpactTag.FORMAT_ONLY_CHANGE for f in database.findings)
    # a migration a finding above names (out of order, edited after release) is not calm
    named = {path for f in database.findings if f.tag not in _CALM for path in f.paths}
    calm = _calm_summary([m for m in database.migrations if m.path not in named], reformatted)
    if calm:
        lines.append(Trusted(f"  - {calm}"))
    if not lines and database.snapshots:
        lines.append(Trusted(f"  - {_snapshots_alone(database.snapshots)}"))
    return lines


def _snapshots_alone(snapshots: Sequence[SchemaSnapshot]) -> str:
    """A schema snapshot changed and no migration was found: not an all-clear, since projects
    also write migrations in code (gormigrate in a Go file, run at startup)."""
    names = ", ".join(code_span(s.path) for s in snapshots)
    noun = "schema snapshot" if len(snapshots) == 1 else "schema snapshots"
    return (
        f"not known: {noun} {names} changed without a migration file harvester reads; the "
        "migrations may be written in code harvester does not read"
    )


_LINE = re.compile(r"\bline (\d+): ")
_LAST_NAME = re.compile(r"^(.*) \(([^()]*)\)$")


def _fold_raw_sql(
    flagged: list[tuple[Impact, Migration]], shown: int = 3
) -> list[tuple[Impact, Migration]]:
    """Raw SQL lines of one migration worded the same but for their line and the name at the
    end (112 `op.create_index(…) on names chosen at run time (…)`) as one line with a count,
    the first lines and the first names."""
    groups: dict[tuple[int, str], list[int]] = {}
    where: dict[int, tuple[str, str]] = {}  # line and name, by position in `flagged`
    for index, (impact, migration) in enumerate(flagged):
        if impact.tag is not ImpactTag.RAW_SQL:
            continue
        line = _LINE.search(impact.detail)
        unnumbered = _LINE.sub("", impact.detail, count=1)
        named = _LAST_NAME.match(unnumbered)
        wording, name = named.groups() if named else (unnumbered, "")
        groups.setdefault((id(migration), wording), []).append(index)
        where[index] = (line.group(1) if line else "", name)
    result = list(flagged)
    folded: set[int] = set()
    for (_, wording), indexes in groups.items():
        if len(indexes) > 1:
            detail = _folded(wording, [where[i] for i in indexes], shown)
            result[indexes[0]] = (Impact(ImpactTag.RAW_SQL, detail), flagged[indexes[0]][1])
            folded.update(indexes[1:])
    return [pair for index, pair in enumerate(result) if index not in folded]


# `drops charges.status (created by …): no released data is lost`: verb, table, column, rest
_COLUMN_LINE = re.compile(r"^(\w+) ([\w$\"-]+(?:\.[\w$\"-]+)?)\.([\w$\"-]+)((?: |:).*)$")


def _fold_mitigated(
    flagged: list[tuple[Impact, Migration]], shown: int = 3
) -> list[tuple[Impact, Migration]]:
    """Mitigated lines of one migration worded the same but for the column (22 columns added
    to a table the range created) as one line naming the first columns."""
    groups: dict[tuple[int, str, str, str], list[int]] = {}
    columns: dict[int, str] = {}
    for index, (impact, migration) in enumerate(flagged):
        found = _COLUMN_LINE.match(impact.detail) if impact.tag is ImpactTag.MITIGATED else None
        if found:
            verb, table, column, rest = found.groups()
            groups.setdefault((id(migration), verb, table, rest), []).append(index)
            columns[index] = column
    result = list(flagged)
    folded: set[int] = set()
    for (_, verb, table, rest), indexes in groups.items():
        if len(indexes) > 1:
            names = first_few([columns[i] for i in indexes], shown)
            detail = f"{verb} {len(indexes)} columns of {table} ({names}){rest}"
            result[indexes[0]] = (Impact(ImpactTag.MITIGATED, detail), flagged[indexes[0]][1])
            folded.update(indexes[1:])
    return [pair for index, pair in enumerate(result) if index not in folded]


def _folded(wording: str, found: Sequence[tuple[str, str]], shown: int) -> str:
    """`5 times, lines 10, 16, 22 and 2 more: <wording> (a, b, c and 1 more)`."""
    lines = [line for line, _ in found if line]
    names = list(dict.fromkeys(name for _, name in found if name))
    at = f", {'line' if len(lines) == 1 else 'lines'} {first_few(lines, shown)}" if lines else ""
    named = f" ({first_few(names, shown)})" if names else ""
    return f"{len(found)} times{at}: {wording}{named}"


def _label(system: str, dialects: Sequence[str]) -> str:
    named = ", ".join(d for d in dict.fromkeys(dialects) if d)
    return f"{system} ({named})" if named else system


def _sources(found: Sequence[tuple[str, tuple[str, ...], str]], shown: int = 3) -> str:
    """`golang-migrate (mysql) 0_initial`, or for several migrations `golang-migrate (mysql,
    sqlite), 15 migrations: 0_initial, 1_users, 2_teams and 10 more`."""
    if len(found) == 1:
        system, dialects, migration_id = found[0]
        return f"{_label(system, dialects)} {migration_id}"
    by_system: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for system, dialects, migration_id in found:
        by_system.setdefault(system, []).append((dialects, migration_id))
    parts = []
    for system, entries in by_system.items():
        every_dialect = sorted({d for names, _ in entries for d in names})
        count = sum(max(len(names), 1) for names, _ in entries)
        ids = list(dict.fromkeys(migration_id for _, migration_id in entries))
        parts.append(
            f"{_label(system, every_dialect)}, {plural(count, 'migration')}: "
            f"{first_few(ids, shown)}"
        )
    return "; ".join(parts)


def _calm_summary(migrations: Sequence[Migration], reformatted: bool) -> str:
    dialects: dict[str, set[str | None]] = defaultdict(set)
    for migration in migrations:
        dialects[migration.system].add(migration.dialect)
    groups: dict[ImpactTag, list[str]] = defaultdict(list)
    for migration in migrations:
        tags = {i.tag for i in migration.data_impact}
        fails = any(p.message.startswith("will fail") for p in migration.problems)
        if tags and tags <= _CALM and not fails:
            worst = min(tags, key=severity)
            # Several dialect trees of one system: say which variant is calm.
            several = len(dialects[migration.system]) > 1 and migration.dialect
            name = f"{migration.id} ({migration.dialect})" if several else migration.id
            if name not in groups[worst]:
                groups[worst].append(name)
    parts = []
    for tag in (ImpactTag.FORMAT_ONLY_CHANGE, ImpactTag.NO_OP, ImpactTag.NONE):
        if tag is ImpactTag.FORMAT_ONLY_CHANGE and reformatted:
            continue
        ids = groups.get(tag)
        if ids:
            shown = ", ".join(code_span(i) for i in ids[:8]) + (", …" if len(ids) > 8 else "")
            parts.append(f"**{tag.value}** for {plural(len(ids), 'migration')}: {shown}")
    return "; ".join(parts)
