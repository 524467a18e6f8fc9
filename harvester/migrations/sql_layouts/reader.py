"""Reading one migration unit: its files' SQL at the right end of the range, up and down steps
(or goose/dbmate sections), renames and edits of released migrations."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harvester.migrations.base import PathChange, RepoView, Side, same_text
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput
from harvester.migrations.sql_layouts import history
from harvester.migrations.sql_layouts.dialects import dialect_from_path
from harvester.migrations.sql_layouts.go_code import GO_STRING, up_sql
from harvester.migrations.sql_layouts.layouts import (
    Layout,
    candidate_root,
    folder_transactional,
    identity,
    migration_file,
)
from harvester.migrations.sql_layouts.naming import CQL, TEMPLATE, Direction, MigrationFile
from harvester.migrations.sql_layouts.statement_edits import (
    describe_statement_edits,
    statement_edits,
)
from harvester.migrations.sql_layouts.units import Unit
from harvester.model import ChangeKind, Problem


@dataclass(frozen=True, slots=True)
class ReleasedMoves:
    """Released migration files the range moved or deleted: where git moved each (old path ->
    new path), and each one's contents (blob, at the base or after the move) -> its path at
    the base."""

    moved_to: dict[str, str]
    contents: dict[str, str]

    def remember(self, change: PathChange) -> None:
        old_path = change.old_path or change.path
        if change.old_path:
            self.moved_to[old_path] = change.path
        for blob in (change.old_blob, change.new_blob):
            if blob:
                self.contents[blob] = old_path


class UnitReader:
    """Reads a unit's files and turns them into an assembler input."""

    def __init__(
        self,
        view: RepoView,
        layout: Layout,
        changes: dict[str, PathChange],
        dialect: ops.Dialect | None,
        writes_downs: bool = True,
        left: Mapping[tuple[object, ops.Dialect | None], str] | None = None,
        moves: ReleasedMoves | None = None,
    ) -> None:
        self.view = view
        self.layout = layout
        self.changes = changes
        self.dialect = dialect
        # A tree of a tool with down files that never writes one (supabase/auth) expects none.
        self.downs_expected = layout.downs_by_design and writes_downs
        # Where the range took each migration from (id, dialect) -> old path: a migration
        # added here under an id it had elsewhere was moved, whatever git paired it with.
        self.left = left or {}
        self.moves = moves or ReleasedMoves({}, {})

    def input(self, unit: Unit) -> MigrationInput:
        side = Side.HEAD if unit.file(Side.HEAD) is not None else Side.BASE
        up = unit.up.get(side) or unit.down.get(side)
        assert up is not None
        down = unit.down.get(side)
        change = self._change(unit, side)
        path_change = self.changes.get(up.path)
        came_from = self._came_from(unit, up, path_change)
        if change in (ChangeKind.ADDED, ChangeKind.RENAMED) and path_change is not None:
            if came_from is not None and came_from != up.path:
                path_change = dataclasses.replace(
                    path_change, old_path=came_from, status=ChangeKind.RENAMED
                )
                change = ChangeKind.RENAMED
            elif change is ChangeKind.RENAMED and self._other_migration(path_change, unit):
                path_change = dataclasses.replace(
                    path_change, old_path=None, status=ChangeKind.ADDED
                )
                change = ChangeKind.ADDED
        renamed = change is ChangeKind.RENAMED and path_change is not None
        released = (unit.file(Side.BASE) is not None or renamed) and change is not ChangeKind.ADDED
        parsed, problems = self._parsed(unit, side)
        found = MigrationInput(
            id=unit.id,
            path=up.path,
            system=self.layout.name,
            dialect=self.dialect,
            change=change,
            released=released,
            parsed=parsed,
            down_path=down.path if down else None,
            problems=problems,
            added_in=path_change.added_in if path_change else None,
            first_release=path_change.first_release if path_change else None,
            repeatable=up.direction is Direction.REPEATABLE,
        )
        if parsed is None or not released or change is ChangeKind.DELETED:
            return found
        if renamed and path_change is not None and path_change.old_path:
            unit = self._before_rename(unit, path_change.old_path)
            old = self.migration_file(path_change.old_path)
            same = old is None or identity(self.layout, old) == identity(self.layout, up)
            found = dataclasses.replace(found, renamed_from=None if same or old is None else old.id)
            if same:
                # Moved with its id: it shipped before the range; the move commit added nothing.
                found = dataclasses.replace(found, added_in=None, first_release=None)
        base_parsed, _ = self._parsed(unit, Side.BASE)
        if base_parsed is None:
            return found
        base = unit.up.get(Side.BASE) or unit.file(Side.BASE)
        what = _not_read(up.path)
        if what is not None and base is not None:
            # Unread code compares as one opaque step: only its text tells an edit apart.
            same = same_text(self.view, base.path, up.path)
            return dataclasses.replace(
                found,
                format_only=same,
                modification=None if same else self._unread_edit(what, base.path, up.path),
            )
        modification = history.edit_summary(base_parsed, parsed)
        found = dataclasses.replace(found, base_parsed=base_parsed, modification=modification)
        edits = self._statement_edits(unit)
        if not edits:
            return dataclasses.replace(found, format_only=True)
        if modification == history.NO_OPERATION_CHANGE:
            # the operations harvester reads are the same; the statements say what changed
            modification = f"statements changed: {describe_statement_edits(edits)}"
            return dataclasses.replace(found, format_only=False, modification=modification)
        return found

    def operations_at_base(self, units: Sequence[Unit]) -> list[ops.Operation]:
        """The up operations of `units` as the base holds them, in the order given: the
        released migrations replayed, for the schema the range starts from."""
        found: list[ops.Operation] = []
        for unit in units:
            parsed, _ = self._parsed(unit, Side.BASE)
            if parsed is not None:
                found += self._go_statements(unit) or parsed.up.operations
        return found

    def _go_statements(self, unit: Unit) -> list[ops.Operation]:
        """The operations of the SQL strings a Go migration at the base runs on the way up,
        then a mark that its code may have added columns harvester cannot see."""
        up = unit.up.get(Side.BASE)
        if up is None or not up.path.endswith(".go"):
            return []
        text = self.view.read(Side.BASE, up.path).text
        found: list[ops.Operation] = []
        for sql, line in up_sql(text or ""):
            step, _ = history.sql_step(sql, self.dialect, up.path, line)
            found += step.operations
        if found:
            found.append(ops.Opaque("Go code around its SQL: it may add a column", raw=True))
        return found

    def _came_from(self, unit: Unit, up: MigrationFile, change: PathChange | None) -> str | None:
        """The released file this one is, when git did not pair them: one of the same id the
        range took away, unless git moved that one to another file of its id; else a released
        file it is a byte-identical copy of (a second driver folder's copy)."""
        key = identity(self.layout, up)
        dialect = unit.dialect or self.dialect
        found = self.left.get((key, dialect))
        if found is not None and not self._moved_elsewhere(found, up.path, key, dialect):
            return found
        if change is None or change.status is not ChangeKind.ADDED or not change.new_blob:
            return None
        copied = self.moves.contents.get(change.new_blob)
        original = self.migration_file(copied) if copied else None
        return copied if original is not None and identity(self.layout, original) == key else None

    def _moved_elsewhere(
        self, released: str, path: str, key: object, dialect: ops.Dialect | None
    ) -> bool:
        """True when git moved the released file to another file of the same id and dialect."""
        went = self.moves.moved_to.get(released)
        root = candidate_root(self.layout, went) if went and went != path else None
        found = migration_file(self.layout, went, root) if went and root else None
        return (
            found is not None
            and identity(self.layout, found) == key
            and (found.dialect or dialect_from_path(root or "")) == dialect
        )

    def _other_migration(self, change: PathChange, unit: Unit) -> bool:
        """True when git paired the file with something else: another migration (another id
        or dialect), or a file that is no migration of this layout (an empty `.gitkeep`)."""
        old = self.migration_file(change.old_path) if change.old_path else None
        up = unit.up.get(Side.HEAD) or unit.file(Side.HEAD)
        return old is None or (
            up is None
            or identity(self.layout, old) != identity(self.layout, up)
            or (old.dialect is not None and old.dialect != (unit.dialect or self.dialect))
        )

    def _change(self, unit: Unit, side: Side) -> ChangeKind:
        if side is Side.BASE:
            return ChangeKind.DELETED
        up = unit.up.get(side) or unit.file(side)
        assert up is not None
        change = self.changes.get(up.path)
        if change is not None and change.status is not ChangeKind.MODIFIED:
            return change.status
        return ChangeKind.MODIFIED

    def migration_file(self, path: str) -> MigrationFile | None:
        """`path` as a migration file of this layout, under the folder its name implies."""
        root = candidate_root(self.layout, path)
        return migration_file(self.layout, path, root) if root is not None else None

    def _before_rename(self, unit: Unit, up_from: str) -> Unit:
        """The unit with its files at the base taken from where renamed files came from (the
        up file from `up_from`)."""
        before = Unit(unit.key, unit.dialect, dict(unit.up), dict(unit.down))
        for files in (before.up, before.down):
            current = files.get(Side.HEAD)
            change = self.changes.get(current.path) if current else None
            if current and files is before.up:
                files[Side.BASE] = dataclasses.replace(current, path=up_from)
            elif current and change and change.status is ChangeKind.RENAMED and change.old_path:
                files[Side.BASE] = dataclasses.replace(current, path=change.old_path)
            elif current and change and change.new_blob in self.moves.contents:
                # a copy of a released down file (a second driver folder's copy)
                copied = self.moves.contents[change.new_blob]
                files[Side.BASE] = dataclasses.replace(current, path=copied)
        return before

    def _parsed(
        self, unit: Unit, side: Side
    ) -> tuple[ops.ParsedMigration | None, tuple[Problem, ...]]:
        up = unit.up.get(side) or unit.down.get(side)
        if up is None:
            return None, ()
        if _not_read(up.path) is not None:
            return _code_migration(unit.id, up.path, self.layout.name), ()
        source = self.view.read(side, up.path)
        if source.text is None:
            return None, (Problem(up.path, source.problem or "not parsed: unreadable"),)
        transactional = self._transactional(up, side)
        if self.layout.sections is not None:
            return self._from_sections(unit, up, source.text)
        step, problems = history.sql_step(source.text, self.dialect, up.path, 1, transactional)
        down_file = unit.down.get(side)
        down: ops.Step | None = None
        if down_file is not None:
            down_source = self.view.read(side, down_file.path)
            if down_source.text is None:
                problems += (Problem(down_file.path, down_source.problem or "unreadable"),)
            else:
                down, down_problems = history.sql_step(
                    down_source.text, self.dialect, down_file.path, 1, transactional
                )
                problems += down_problems
        parsed = ops.ParsedMigration(
            unit.id,
            up.path,
            step,
            down=down,
            down_path=down_file.path if down_file else None,
            down_declared=down_file is not None or not self.downs_expected,
        )
        return parsed, problems

    def _unread_edit(self, what: str, old_path: str, new_path: str) -> str:
        """What an edit of a file harvester does not read changed, as far as its text says: a
        Go migration whose string literals (its SQL) are all the same changed only code
        around them (`tx.Exec(` made `tx.ExecContext(ctx,`)."""
        if what == "code":
            old = self.view.read(Side.BASE, old_path).text
            new = self.view.read(Side.HEAD, new_path).text
            if (
                old is not None
                and new is not None
                and GO_STRING.findall(old) == GO_STRING.findall(new)
            ):
                return "its Go code changed, not the SQL strings in it; harvester does not read it"
        return f"its {what} changed; harvester does not read it"

    def _statement_edits(self, unit: Unit) -> list[str]:
        """How the SQL of the unit's files changed between the ends of the range, statement by
        statement (up first, then down)."""
        found: list[str] = []
        for files, way in ((unit.up, ""), (unit.down, "on the way down ")):
            old, new = files.get(Side.BASE), files.get(Side.HEAD)
            old_text = self.view.read(Side.BASE, old.path).text if old else None
            new_text = self.view.read(Side.HEAD, new.path).text if new else None
            if old_text is None or new_text is None:
                continue
            found += [way + e for e in statement_edits(old_text, new_text, self.dialect)]
        return found

    def _transactional(self, up: MigrationFile, side: Side) -> bool | None:
        """Whether the migration runs in a transaction: as its file name says (`.autocommit`),
        else its folder's settings, else the tool's default."""
        if up.transactional is not None:
            return up.transactional
        found = folder_transactional(self.layout, self.view, side, up.path)
        return found if found is not None else self.layout.default_transactional

    def _from_sections(
        self, unit: Unit, file: MigrationFile, text: str
    ) -> tuple[ops.ParsedMigration, tuple[Problem, ...]]:
        assert self.layout.sections is not None
        sections = self.layout.sections(text)
        problems: tuple[Problem, ...] = ()
        up_step = ops.Step()
        if sections.up is None:
            problems += (Problem(file.path, f"no up section: {self.layout.name} runs nothing"),)
        else:
            up_step, found = history.sql_step(
                sections.up.text,
                self.dialect,
                file.path,
                sections.up.first_line,
                sections.up.transactional,
            )
            problems += found
        down: ops.Step | None = None
        if sections.down is not None:
            down, found = history.sql_step(
                sections.down.text,
                self.dialect,
                file.path,
                sections.down.first_line,
                sections.down.transactional,
            )
            problems += found
        # goose, sql-migrate and dbmate run nothing on rollback when the Down section is
        # missing: the migration stays applied, without an error.
        parsed = ops.ParsedMigration(
            unit.id,
            file.path,
            up_step,
            down=down if down is not None else ops.Step(),
            down_declared=True,
            down_is_noop=down is None,
        )
        return parsed, problems


def _not_read(path: str) -> str | None:
    """What harvester does not read in a migration file: goose's Go code, the Go template
    a program renders into golang-migrate SQL (its ranges, conditions and names are filled
    in at run time), or Cassandra's CQL."""
    if path.endswith(".go"):
        return "code"
    if path.lower().endswith(CQL):
        return "CQL"
    return "template" if path.endswith(TEMPLATE) else None


def _code_migration(migration_id: str, path: str, tool: str) -> ops.ParsedMigration:
    """A migration written in the project's language (goose's Go migrations) or as a Go
    template: it runs in version order with the others, but what it does to the schema and
    rows is not read."""
    if path.lower().endswith(CQL):
        what = f"{tool} migration in Cassandra CQL: its statements are not read"
    elif path.endswith(TEMPLATE):
        what = f"{tool} migration written as a Go template: its SQL is not read"
    else:
        what = f"{tool} migration written in Go: its code is not read"
    code = ops.Opaque(what, raw=True)
    return ops.ParsedMigration(migration_id, path, ops.Step((code,)), down_declared=True)
