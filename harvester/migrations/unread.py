"""Migrations of tools whose code harvester does not read: listed, in version order, as such.

    src/migrations/1700000000000-AddUserAge.ts                          TypeORM
    database/migrations/2024_01_15_093000_add_age_to_users_table.php   Laravel
    server/store/datastore/migration/028_add_forge_id.go                xorm (Go)
    lib/oban/migrations/postgres/v13.ex                                 Ecto, versioned module
    src/main/resources/config/liquibase/changelog/20150805124838_added_entity_Bank.xml  Liquibase

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
    same_text,
)
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.sql_layouts.history import edit_findings
from harvester.migrations.sql_layouts.naming import deployed_roots
from harvester.model import ChangeKind, Finding, Impact, ImpactTag, Migration, Problem

# A folder on the way to the file: `migrations`, `migration`, `db/migrate`, `Migrations`, …
_FOLDER = re.compile(r"(?i)^(?:\w*migrations?|migrate)$")
_SCRIPT = r"\.[cm]?[jt]s$"
# A migration's name after its version: words, hyphens, and dots inside a version it names
# (`v0.23`) but not before a suffix (`.spec.ts`, `.Designer.cs`)
_NAME = r"(?:[\w-]|\.(?=\d))+"
_FOLDED_EDITS = 3
# Versions of 8 digits or more are dates or timestamps: a tool's generated names.
_LONG_VERSION = 10_000_000
# A name that says what the file is before its number (`zz_migration.0013_case.go`)
_NAMED_MIGRATION = re.compile(r"(?i)^[^/]*migration[^/.]*\.\d")


_LANGUAGES = {
    "php": "PHP",
    "cs": "C#",
    "go": "Go",
    "ex": "Elixir",
    "java": "Java",
    "kt": "Kotlin",
    "rb": "Ruby",
    **dict.fromkeys(("yaml", "yml"), "YAML"),
    **dict.fromkeys(("ts", "mts", "cts"), "TypeScript"),
    **dict.fromkeys(("js", "mjs", "cjs"), "JavaScript"),
}


@dataclass(frozen=True, slots=True)
class CodeTool:
    """A migration tool by the file names it generates (`version` is the ordering part)."""

    name: str
    label: str
    file_name: re.Pattern[str]
    # (text in the file, the tool it names): several tools share one way of naming files
    markers: tuple[tuple[str, str], ...] = ()
    # a folder on the way to the file
    folder: re.Pattern[str] = _FOLDER
    # what one file is to the tool
    noun: str = "migration"
    # a file is the tool's only when its text names the tool (markers), whatever its name
    marked_only: bool = False
    # what an edit of a file that already ran does, when not "it does not run again"
    edit_consequence: str | None = None

    def version(self, path: str) -> int | None:
        """The file's version when `path` is one of this tool's migrations, else None."""
        *folders, name = path.split("/")
        match = self.file_name.match(name)
        if match is None or not any(self.folder.match(f) for f in folders):
            return None
        return int(re.sub(r"\D", "", match.group("version")) or 0)

    def library(self, text: str | None) -> str | None:
        """The migration library the file's code names, if any."""
        return next((tool for marker, tool in self.markers if marker in (text or "")), None)

    def what(self, path: str, text: str | None) -> str:
        """`Knex migration in TypeScript`: the tool its code names, else the tool's label."""
        label = self.library(text) or self.label
        extension = path.rsplit(".", 1)[-1]
        language = _LANGUAGES.get(extension) or extension.upper()
        return f"{label} {self.noun} in {language}".lstrip()

    def claims(self, path: str, text: str | None) -> bool:
        """True unless a short-numbered name (`001-init.ts`) comes without a database library:
        front-end apps number their local-storage migrations alike. A name that calls the
        file a migration before its number needs no library."""
        version = self.version(path)
        if version is None or self.marked_only:
            return version is not None and self.library(text) is not None
        named = _NAMED_MIGRATION.match(posixpath.basename(path)) is not None
        return version >= _LONG_VERSION or named or self.library(text) is not None


# JavaScript tools name files alike (`<13 or 14 digits>-name.ts`, `Migration<14 digits>.ts`);
# the library a file imports says which one it is.
# A tree whose files all import one library is that tool's, and named so in the report.
_NODE_SYSTEMS = {
    "TypeORM": "typeorm",
    "Kysely": "kysely",
    "MikroORM": "mikro-orm",
    "node-pg-migrate": "node-pg-migrate",
    "Sequelize": "sequelize",
    "migrate-mongo (MongoDB)": "migrate-mongo",
    "Knex": "knex",
}
_NODE_MARKERS = (
    ("typeorm", "TypeORM"),
    ("kysely", "Kysely"),
    ("@mikro-orm", "MikroORM"),
    ("node-pg-migrate", "node-pg-migrate"),
    ("pgm.", "node-pg-migrate"),
    ("sequelize", "Sequelize"),
    ("queryInterface", "Sequelize"),
    ("migrate-mongo", "migrate-mongo (MongoDB)"),
    ("knex", "Knex"),
)


TOOLS = (
    CodeTool(
        "laravel",
        "Laravel",
        re.compile(rf"(?P<version>\d{{4}}_\d{{2}}_\d{{2}}_\d{{6}})_{_NAME}\.php$"),
    ),
    CodeTool("doctrine", "Doctrine", re.compile(r"Version(?P<version>\d{12,14})\.php$")),
    CodeTool("phinx", "Phinx", re.compile(r"(?P<version>\d{14})_\w+\.php$")),
    CodeTool("ef-core", "Entity Framework", re.compile(r"(?P<version>\d{14})_\w+\.cs$")),
    CodeTool(
        "node",
        "",
        # `1700000000000-AddAge.ts`, `20240105120000_drop.js`, `Migration20240101120000.ts`
        # (MikroORM also writes 12 digits: `Migration202408271511.ts`), and Kysely's usual
        # `001-init.ts` and `20230309T045948368Z-init.ts`
        re.compile(
            rf"(?:Migration)?(?P<version>\d{{8}}T\d{{6,9}}Z|\d{{12,14}}|\d{{3,4}}(?=[-_]))"
            rf"(?:[-_]{_NAME})?{_SCRIPT}"
        ),
        _NODE_MARKERS,
    ),
    # Go migrations registered in code (xorm, gormigrate, bun): `028_add_forge_id.go`; PocketBase
    # takes any name after the version (`1717233556_v0.23_migrate.go`); SpiceDB puts a word and
    # a dot before it (`zz_migration.0013_case_sensitive.go`), so they sort after other sources
    CodeTool(
        "go",
        "",
        re.compile(r"(?:[a-z]\w*\.)?(?P<version>\d+)_[\w.-]+(?<!_test)\.go$"),
        (
            ("xorm", "xorm"),
            ("gormigrate", "gormigrate"),
            ("uptrace/bun", "bun"),
            ("pressly/goose", "goose"),
            ("golang-migrate", "golang-migrate"),
            ("gorm.io", "GORM"),
            ("database/sql", "database/sql"),
        ),
    ),
    # A library's own migrations as numbered Ecto modules its users' migrations call
    # (`Oban.Migration.up(version: 13)` runs `lib/oban/migrations/postgres/v13.ex`).
    CodeTool(
        "ecto-modules",
        "Ecto",
        re.compile(r"v(?P<version>\d+)\.ex$"),
        (("Ecto.Migration", "Ecto"),),
    ),
    # Flyway's Java and Kotlin migrations: `V3_1__Backfill_names.java`
    CodeTool(
        "flyway-code",
        "Flyway",
        re.compile(r"V(?P<version>\d+(?:[._]\d+)*)__\w+\.(?:java|kt)$"),
        (("org.flywaydb", "Flyway"),),
    ),
    # Liquibase changelogs (XML, YAML, JSON, formatted SQL) in a `liquibase` or `changelog`
    # folder, run in the order a master changelog includes them
    CodeTool(
        "liquibase",
        "Liquibase",
        re.compile(r"(?P<version>\d*)[^/]*\.(?:xml|ya?ml|json|sql)$"),
        (("databaseChangeLog", "Liquibase"), ("liquibase formatted sql", "Liquibase")),
        folder=re.compile(r"(?i)^(?:liquibase|changelogs?)$"),
        noun="changelog",
        marked_only=True,
        edit_consequence=(
            "Liquibase keeps a checksum of each changeset that ran and, when an edit changed "
            "one, stops at startup on the mismatch unless that changeset declares "
            "validCheckSum (runOnChange runs it again)"
        ),
    ),
    # Rake-run data migrations kept beside Rails' own (`db/data_migration/<timestamp>_x.rb`)
    CodeTool(
        "ruby-data",
        "data",
        re.compile(r"(?P<version>\d{14})_\w+\.rb$"),
        folder=re.compile(r"(?i)^data_migrations?$"),
    ),
)


class UnreadCodeSystem:
    """One tool's migrations: their status and order, with their code not read."""

    def __init__(self, tool: CodeTool) -> None:
        self.tool = tool
        self.name = tool.name

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """The folders holding changed files named like this tool's migrations."""
        roots = {posixpath.dirname(p) for p in changed_paths if self.tool.version(p) is not None}
        return deployed_roots(self.name, roots)

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations directly in `root`, in version order."""
        moved = self._moved_by_name(view)
        found = [
            item
            for change in view.changes_under(root.root)
            if (item := self._input(root.root, _as_move(change, moved), view)) is not None
            and not _moved_away(item, moved)
        ]
        texts = {item.path: self._text(view, item) for item in found}
        included = _included(view, root.root) if self.tool.marked_only else {}
        inputs = sorted(
            (item for item in found if self.tool.claims(item.path, texts[item.path])),
            key=lambda item: (
                included.get(posixpath.basename(item.path), len(included)),
                self.tool.version(item.path) or 0,
                item.path,
            ),
        )
        whats = {i.path: self.tool.what(i.path, texts[i.path]) for i in inputs}
        system = self._tree_system([texts[i.path] for i in inputs])
        migrations = tuple(
            replace(
                m,
                parsed=False,
                problems=(Problem(m.path, f"not read: {whats[m.path]}"),),
                data_impact=self._edit_impact(m) or m.data_impact,
                notes=(*_move_note(m.path, moved), *m.notes),
            )
            for m in assemble(
                [
                    replace(i, system=system, parsed=_not_read(i.id, i.path, whats[i.path]))
                    for i in inputs
                ],
                settings,
            )
        )
        commits = {c.path: c.commits for c in view.changes_under(root.root)}
        edited = [m for m in migrations if _edited(m)]
        if len(edited) < _FOLDED_EDITS:
            return SystemResult(migrations, tuple(edit_findings(migrations, commits)))
        # A framework upgrade touching every released file (type hints, imports) is one line.
        findings = edit_findings([m for m in migrations if not _edited(m)], commits)
        what = whats[edited[0].path].replace(f" {self.tool.noun} ", f" {self.tool.noun}s ")
        consequence = (
            self.tool.edit_consequence
            or "databases that ran them do not run them again, new databases run the new versions"
        )
        folded = Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"{len(edited)} released {what} edited ({edited[0].id} … {edited[-1].id}): "
            f"their code is not read, so whether what they run changed is not known; {consequence}",
            tuple(m.path for m in edited),
            tuple(dict.fromkeys(sha for m in edited for sha in commits.get(m.path, ()))),
        )
        return SystemResult(migrations, (folded, *findings))

    def _tree_system(self, texts: Sequence[str | None]) -> str:
        """The tool a JavaScript tree is, when all its files import the same library
        (`typeorm`, `@mikro-orm/migrations`); else the generic name."""
        libraries = {self.tool.library(text) for text in texts}
        library = libraries.pop() if len(libraries) == 1 else None
        return _NODE_SYSTEMS.get(library or "", self.name) if self.name == "node" else self.name

    def _moved_by_name(self, view: RepoView) -> dict[str, str]:
        """Migrations the range moved to another folder under the same file name (a module
        folder renamed): new path -> old path, whether git paired the two or saw one deleted
        and one added. The tool records a migration by its name, so it is the same one."""
        left: dict[str, list[str]] = {}
        arrived: dict[str, list[str]] = {}
        for change in view.changes():
            old_path = change.old_path or change.path
            gone = change.status is ChangeKind.DELETED or change.old_path
            if gone and self.tool.version(old_path) is not None:
                left.setdefault(posixpath.basename(old_path), []).append(old_path)
            arrives = change.status in (ChangeKind.ADDED, ChangeKind.RENAMED, ChangeKind.COPIED)
            if arrives and self.tool.version(change.path):
                arrived.setdefault(posixpath.basename(change.path), []).append(change.path)
        return {
            new[0]: old[0]
            for name, old in left.items()
            if len(old) == 1 and len(new := arrived.get(name, [])) == 1
        }

    def _edit_impact(self, migration: Migration) -> tuple[Impact, ...]:
        """For a tool that checks what ran (Liquibase's checksums), what an edit does there."""
        if self.tool.edit_consequence is None or not _edited(migration):
            return ()
        detail = (
            f"already released {self.tool.noun} edited (its code is not read): "
            f"{self.tool.edit_consequence}"
        )
        return (Impact(ImpactTag.MODIFIED_EXISTING_MIGRATION, detail),)

    def _input(self, root: str, change: PathChange, view: RepoView) -> MigrationInput | None:
        here = posixpath.dirname(change.path) == root and self.tool.version(change.path) is not None
        before = change.old_path or change.path
        was_here = self.tool.version(before) is not None and (
            posixpath.dirname(before) == root or _same_name(before, change.path)
        )
        if not here and not (was_here and change.status is ChangeKind.DELETED):
            return None
        path = change.path if here else before
        released = change.status not in (ChangeKind.ADDED, ChangeKind.COPIED) and was_here
        moved = change.status is ChangeKind.RENAMED and _same_name(before, path)
        renamed_from = _stem(before) if change.status is ChangeKind.RENAMED and not moved else None
        format_only: bool | None = None
        modification = None
        if released and change.status is not ChangeKind.DELETED:
            format_only = same_text(view, before, path)
            modification = None if format_only else "its code changed; harvester does not read it"
        return MigrationInput(
            id=_stem(path),
            path=path,
            system=self.name,
            dialect=None,
            change=change.status if released else ChangeKind.ADDED,
            released=released,
            format_only=format_only,
            modification=modification,
            # moved with its name: it shipped before the range, the move added nothing
            added_in=None if moved else change.added_in,
            first_release=None if moved else change.first_release,
            renamed_from=renamed_from,
        )

    @staticmethod
    def _text(view: RepoView, item: MigrationInput) -> str | None:
        side = Side.BASE if item.change is ChangeKind.DELETED else Side.HEAD
        return view.read(side, item.path).text


# `<include file="changelog/x.xml"/>`, `- include: {file: x.yaml}`, `"file": "x.json"`
_INCLUDE = re.compile(r"""\bfile"?\s*[=:]\s*["']?([^"'\s,}>]+)""")
_MASTERS_READ = 20


def _included(view: RepoView, root: str) -> dict[str, int]:
    """File names by the order a master changelog beside or above `root` includes them in:
    Liquibase runs them in that order (files it does not name come after, by name, as an
    `includeAll` runs them)."""
    folders = {root, posixpath.dirname(root)}
    # a master changelog is named (`master.xml`, `db.changelog-master.yaml`), not versioned
    masters = sorted(
        (
            path
            for path in view.tree(Side.HEAD, posixpath.dirname(root))
            if posixpath.dirname(path) in folders and not path.endswith(".sql")
        ),
        key=lambda path: (posixpath.basename(path)[:1].isdigit(), path),
    )
    order: dict[str, int] = {}
    for path in masters[:_MASTERS_READ]:
        for name in _INCLUDE.findall(view.read(Side.HEAD, path).text or ""):
            order.setdefault(posixpath.basename(name), len(order))
    return order


def _as_move(change: PathChange, moved: dict[str, str]) -> PathChange:
    """An added file as the move of the released file of its name the range deleted."""
    old_path = moved.get(change.path)
    if change.status is not ChangeKind.ADDED or old_path is None:
        return change
    return replace(change, old_path=old_path, status=ChangeKind.RENAMED)


def _move_note(path: str, moved: dict[str, str]) -> tuple[str, ...]:
    """What a move under the same name means to databases that ran the migration."""
    old_path = moved.get(path)
    if old_path is None:
        return ()
    folder = posixpath.dirname(old_path)
    return (f"moved with its name from {folder}/: databases that ran it run nothing",)


def _moved_away(item: MigrationInput, moved: dict[str, str]) -> bool:
    """A deleted migration whose file the range brought to another folder: reported there."""
    return item.change is ChangeKind.DELETED and item.path in moved.values()


def _same_name(old_path: str, new_path: str) -> bool:
    return posixpath.basename(old_path) == posixpath.basename(new_path)


def _not_read(migration_id: str, path: str, what: str) -> ops.ParsedMigration:
    """A migration that runs in its place in the order, with what it does not read."""
    code = ops.Opaque(f"{what}: its code is not read", raw=True)
    return ops.ParsedMigration(migration_id, path, ops.Step((code,)), down_declared=True)


def _edited(migration: Migration) -> bool:
    return (
        migration.released and migration.change is ChangeKind.MODIFIED and not migration.format_only
    )


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


SYSTEMS = tuple(UnreadCodeSystem(tool) for tool in TOOLS)
