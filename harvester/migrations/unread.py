"""Migrations of tools whose code harvester does not read: listed, in version order, as such.

    src/migrations/1700000000000-AddUserAge.ts                          TypeORM
    database/migrations/2024_01_15_093000_add_age_to_users_table.php   Laravel

A range that adds one of these must not read "no migration changed". Each file is reported
with its status (new, released and edited, deleted, renamed) and a data impact that says its
code is not read, so a reviewer knows where to look by hand. Files are recognised by the
names each tool gives them, inside a folder named like a migrations folder; nothing is run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    SystemResult,
)
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.sql_layouts.history import edit_findings
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED
from harvester.model import ChangeKind, Finding, ImpactTag, Migration, Problem

# A folder on the way to the file: `migrations`, `migration`, `db/migrate`, `Migrations`, …
_FOLDER = re.compile(r"(?i)^(?:\w*migrations?|migrate)$")
_SCRIPT = r"\.[cm]?[jt]s$"
_FOLDED_EDITS = 3


_LANGUAGES = {"php": "PHP", "cs": "C#", "ts": "TypeScript", "js": "JavaScript"}


@dataclass(frozen=True, slots=True)
class CodeTool:
    """A migration tool by the file names it generates (`version` is the ordering part)."""

    name: str
    label: str
    file_name: re.Pattern[str]

    def version(self, path: str) -> int | None:
        """The file's version when `path` is one of this tool's migrations, else None."""
        *folders, name = path.split("/")
        match = self.file_name.match(name)
        if match is None or not any(_FOLDER.match(f) for f in folders):
            return None
        return int(re.sub(r"\D", "", match.group("version")))


def _tool(name: str, label: str, file_name: str) -> CodeTool:
    return CodeTool(name, label, re.compile(file_name.replace("SCRIPT", _SCRIPT)))


TOOLS = (
    _tool("laravel", "Laravel", r"(?P<version>\d{4}_\d{2}_\d{2}_\d{6})_\w+\.php$"),
    _tool("doctrine", "Doctrine", r"Version(?P<version>\d{12,14})\.php$"),
    _tool("phinx", "Phinx", r"(?P<version>\d{14})_\w+\.php$"),
    _tool("ef-core", "Entity Framework", r"(?P<version>\d{14})_\w+\.cs$"),
    _tool("typeorm", "TypeORM", r"(?P<version>\d{13})-[\w-]+SCRIPT"),
    _tool("node-pg-migrate", "node-pg-migrate", r"(?P<version>\d{13})_[\w-]+SCRIPT"),
    _tool("knex", "Knex", r"(?P<version>\d{14})_[\w-]+SCRIPT"),
    _tool("sequelize", "Sequelize", r"(?P<version>\d{14})-[\w-]+SCRIPT"),
    _tool("mikro-orm", "MikroORM", r"Migration(?P<version>\d{14})(?:_\w+)?SCRIPT"),
)


class UnreadCodeSystem:
    """One tool's migrations: their status and order, with their code not read."""

    def __init__(self, tool: CodeTool) -> None:
        self.tool = tool
        self.name = tool.name

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """The folders holding changed files named like this tool's migrations."""
        roots = {posixpath.dirname(p) for p in changed_paths if self.tool.version(p) is not None}
        return [
            MigrationRoot(self.name, root)
            for root in sorted(roots)
            if not NOT_DEPLOYED.search(root)
        ]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations directly in `root`, in version order."""
        inputs = sorted(
            (
                item
                for change in view.changes_under(root.root)
                if (item := self._input(root.root, change, view)) is not None
            ),
            key=lambda item: (self.tool.version(item.path) or 0, item.path),
        )
        migrations = tuple(
            replace(m, parsed=False, problems=(Problem(m.path, f"not read: {self._what(m.path)}"),))
            for m in assemble(inputs, settings)
        )
        commits = {c.path: c.commits for c in view.changes_under(root.root)}
        edited = [m for m in migrations if _edited(m)]
        if len(edited) < _FOLDED_EDITS:
            return SystemResult(migrations, tuple(edit_findings(migrations, commits)))
        # A framework upgrade touching every released file (type hints, imports) is one line.
        findings = edit_findings([m for m in migrations if not _edited(m)], commits)
        what = self._what(edited[0].path).replace(" migration ", " migrations ")
        folded = Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"{len(edited)} released {what} edited ({edited[0].id} … {edited[-1].id}): "
            "their code is not read, so whether what they run changed is not known; databases "
            "that ran them do not run them again, new databases run the new versions",
            tuple(m.path for m in edited),
            tuple(dict.fromkeys(sha for m in edited for sha in commits.get(m.path, ()))),
        )
        return SystemResult(migrations, (folded, *findings))

    def _input(self, root: str, change: PathChange, view: RepoView) -> MigrationInput | None:
        here = posixpath.dirname(change.path) == root and self.tool.version(change.path)
        before = change.old_path or change.path
        was_here = posixpath.dirname(before) == root and self.tool.version(before)
        if not here and not (was_here and change.status is ChangeKind.DELETED):
            return None
        path = change.path if here else before
        released = change.status not in (ChangeKind.ADDED, ChangeKind.COPIED) and bool(was_here)
        renamed_from = _stem(before) if change.status is ChangeKind.RENAMED else None
        format_only: bool | None = None
        modification = None
        if released and change.status is not ChangeKind.DELETED:
            format_only = _same_code(view, before, path)
            modification = None if format_only else "its code changed; harvester does not read it"
        what = ops.Opaque(f"{self._what(path)}: its code is not read", raw=True)
        return MigrationInput(
            id=_stem(path),
            path=path,
            system=self.name,
            dialect=None,
            change=change.status if released else ChangeKind.ADDED,
            released=released,
            parsed=ops.ParsedMigration(_stem(path), path, ops.Step((what,)), down_declared=True),
            format_only=format_only,
            modification=modification,
            added_in=change.added_in,
            first_release=change.first_release,
            renamed_from=renamed_from,
        )

    def _what(self, path: str) -> str:
        """`TypeORM migration in TypeScript`."""
        extension = path.rsplit(".", 1)[-1].lstrip("cm")
        return f"{self.tool.label} migration in {_LANGUAGES.get(extension, extension)}"


def _edited(migration: Migration) -> bool:
    return (
        migration.released and migration.change is ChangeKind.MODIFIED and not migration.format_only
    )


def _stem(path: str) -> str:
    return posixpath.basename(path).split(".", 1)[0]


def _same_code(view: RepoView, old_path: str, new_path: str) -> bool:
    """True when the two versions differ only in whitespace."""
    old, new = view.read(Side.BASE, old_path).text, view.read(Side.HEAD, new_path).text
    return old is not None and new is not None and old.split() == new.split()


SYSTEMS = tuple(UnreadCodeSystem(tool) for tool in TOOLS)
