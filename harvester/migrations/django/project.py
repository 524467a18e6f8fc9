"""A Django project's migrations at one end of the range: found, parsed, ordered and replayed.

Every `<app>/migrations/*.py` of the tree is read (parsed once per blob), keyed by its app's
label (see `app_labels`), put in execution order and replayed from an empty state, so that
each migration is translated against the models as the migrations before it left them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from harvester.analysis.wording import first_few, plural
from harvester.migrations.base import RepoView, Side, Source
from harvester.migrations.django.app_labels import app_labels
from harvester.migrations.django.fields import FieldClass
from harvester.migrations.django.files import (
    MigrationFile,
    Unreadable,
    is_noop_reference,
    parse_migration,
)
from harvester.migrations.django.folders import NUMBERED, Folders, migration_name
from harvester.migrations.django.graph import Key, Plan, plan
from harvester.migrations.django.operations import Translator
from harvester.migrations.django.state import ProjectState
from harvester.migrations.django.translation import Translation
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED
from harvester.model import Problem

Parsed = MigrationFile | Unreadable | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a migrations folder: its key and what it holds (None: not a migration)."""

    key: Key
    path: str
    blob: str
    parsed: Parsed

    @property
    def migration(self) -> MigrationFile | None:
        """The migration, when the file is one Django can load."""
        return self.parsed if isinstance(self.parsed, MigrationFile) else None

    def why_unreadable(self) -> Problem:
        """The problem of a file that is no readable migration: its reason and line."""
        unreadable = self.parsed if isinstance(self.parsed, Unreadable) else None
        message = unreadable.message if unreadable else "not parsed"
        return Problem(self.path, message, unreadable.line if unreadable else None)

    @property
    def hides_dependencies(self) -> bool:
        """True for a file that may be a migration whose dependencies were not read (a syntax
        error, an undecodable or binary file) or a migration that sets some at run time: the
        graph may have a hole where it sits."""
        if self.migration is not None:
            return self.migration.runtime_dependencies
        if not self.is_migration:
            return False
        return not isinstance(self.parsed, Unreadable) or self.parsed.unknown_dependencies

    @property
    def is_migration(self) -> bool:
        """True for a readable migration, or an unreadable file named like one."""
        if self.migration is not None:
            return True
        return isinstance(self.parsed, Unreadable) and bool(NUMBERED.search(self.path))


@dataclass
class ParseCache:
    """Parsed files by blob, shared by both ends of the range."""

    files: dict[tuple[str, str], Parsed] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Project:
    """The migration files of one tree, by path and by key."""

    by_path: Mapping[str, Entry]
    by_key: Mapping[Key, Entry]
    # Apps whose AppConfig sets `default_auto_field`, with that field class.
    auto_fields: Mapping[str, str] = field(default_factory=dict)


def load_project(
    view: RepoView, side: Side, cache: ParseCache, folders: Folders | None = None
) -> Project:
    """Every Django migration file in the tree at `side` (`folders`: migration folders besides
    `<app>/migrations/`, with the app label of each)."""
    folders = folders or {}
    files = {
        path: (item, name)
        for path, item in view.tree(side, "").items()
        if (name := migration_name(path, folders)) is not None and not NOT_DEPLOYED.search(path)
    }
    view.prefetch_blobs(
        [item.blob for item, name in files.values() if (item.blob, name) not in cache.files]
    )
    for path, (item, name) in files.items():
        if (item.blob, name) not in cache.files:
            cache.files[(item.blob, name)] = _parse(view.read_blob(item.blob, path), path, name)
    parsed = {path: cache.files[(item.blob, name)] for path, (item, name) in files.items()}
    apps = app_labels(view, side, folders, parsed)
    by_path: dict[str, Entry] = {}
    for path, (item, name) in files.items():
        entry = Entry((apps.labels[posixpath.dirname(path)], name), path, item.blob, parsed[path])
        if entry.is_migration:
            by_path[path] = entry
    by_key = {e.key: e for e in sorted(by_path.values(), key=lambda e: e.path)}
    return Project(by_path, by_key, apps.auto_fields)


def _parse(source: Source, path: str, name: str) -> Parsed:
    """What one file of a migrations folder holds."""
    if source.text is None:
        return Unreadable(source.problem or "not parsed: unreadable", None)
    return parse_migration(name, source.text) or _not_a_migration(path, source.text)


def _not_a_migration(path: str, text: str) -> Unreadable | None:
    """A numbered module with no `Migration` class (an empty file, a stub) breaks Django's
    loader for the whole app; an Alembic revision that happens to sit there does not count."""
    if not NUMBERED.search(path) or "down_revision" in text:
        return None
    what = "is empty" if not text.strip() else "defines no Migration class"
    return Unreadable(
        f"not parsed: the module {what}; Django's migration loader raises BadMigrationError "
        "for every module of a migrations package without one",
        None,
        unknown_dependencies=False,
    )


@dataclass(frozen=True, slots=True)
class Replay:
    """Every migration of a project translated in execution order."""

    parsed: Mapping[Key, ops.ParsedMigration]
    plan: Plan


def replay(
    project: Project,
    dialect: ops.Dialect | None,
    settings: Mapping[str, str],
    sqlite_secondary: bool = False,
    field_bases: Mapping[str, FieldClass] | None = None,
) -> Replay:
    """Translate every migration against the state the ones before it built (`field_bases`:
    the project's own field classes and the Django field each subclasses)."""
    migrations = {k: e.migration for k, e in project.by_key.items() if e.migration is not None}
    order = plan(migrations, settings)
    app_auto_fields = {f"{app}.default_auto_field": f for app, f in project.auto_fields.items()}
    state = ProjectState({**settings, **app_auto_fields}, field_bases)
    parsed: dict[Key, ops.ParsedMigration] = {}
    for key in order.order:
        entry, migration = project.by_key[key], migrations[key]
        if key in order.inert_squashes:
            parsed[key] = inert_squash(entry, migration)
            continue
        translator = Translator(state, key[0], dialect, sqlite_secondary)
        operations = migration.operations_for(_VENDORS.get(dialect or ops.Dialect.POSTGRESQL))
        steps = [translator.apply(operation) for operation in operations]
        parsed[key] = _parsed(entry, migration, steps, len(parsed))
    for key in migrations:
        if key not in parsed:
            entry = project.by_key[key]
            parsed[key] = ops.ParsedMigration(
                migration_id(key),
                entry.path,
                ops.Step(notes=("replaced by a squashed migration: new databases do not run it",)),
                ops.Step(),
            )
    return Replay(parsed, order)


# Django's `connection.vendor` for each engine.
_VENDORS = {
    ops.Dialect.POSTGRESQL: "postgresql",
    ops.Dialect.COCKROACHDB: "postgresql",
    ops.Dialect.MYSQL: "mysql",
    ops.Dialect.MARIADB: "mysql",
    ops.Dialect.SQLITE: "sqlite",
}


def migration_id(key: Key) -> str:
    """`app_label.name`, the id `showmigrations` and `django_migrations` use."""
    return f"{key[0]}.{key[1]}"


def inert_squash(entry: Entry, migration: MigrationFile) -> ops.ParsedMigration:
    """A squash databases that ran the migrations it replaces record as applied."""
    replaced = first_few([migration_id(k) for k in migration.replaces])
    note = (
        f"squashes {plural(len(migration.replaces), 'migration')} ({replaced}): databases "
        "that ran them record it as applied and run nothing; a new database runs it instead "
        "of them"
    )
    nothing = (ops.Opaque("squashed migration: no SQL where the migrations it replaces ran"),)
    return ops.ParsedMigration(
        migration_id(entry.key),
        entry.path,
        ops.Step(nothing),
        ops.Step(nothing),
        notes=(note,),
    )


def _code_skipped_by_replaces(migration: MigrationFile) -> str | None:
    """A migration that replaces others and changes data: where everything it replaces was
    applied, Django records it as applied and its code never runs there."""
    code = [
        f"{o.code.name}()" if o.code is not None else "its SQL"
        for o in migration.operations
        if (o.base_kind == "RunPython" and o.code is not None and not o.code.noop)
        or (o.base_kind == "RunSQL" and not is_noop_reference(o.arg("sql")))
    ]
    if not migration.replaces or not code:
        return None
    replaced = first_few([migration_id(k) for k in migration.replaces])
    return (
        f"replaces {replaced}: databases that applied "
        f"{'it' if len(migration.replaces) == 1 else 'them'} record this migration as applied "
        f"without running {first_few(list(dict.fromkeys(code)))}"
    )


def _parsed(
    entry: Entry, migration: MigrationFile, steps: list[Translation], position: int
) -> ops.ParsedMigration:
    up: list[ops.Operation] = []
    down: list[ops.Operation] = []
    notes: list[str] = list(migration.notes)
    if (skipped := _code_skipped_by_replaces(migration)) is not None:
        notes.append(skipped)
    state_only: list[str] = []
    irreversible: list[str] = []
    for step in steps:
        up += step.up
        down = step.down + down
        notes += step.notes
        state_only += step.state_only
        irreversible += step.irreversible
    down_noop = not down and any(s.reverse_noop for s in steps) and not irreversible
    if state_only:
        # Said as an operation that runs no SQL, so that a migration made only of these reads
        # as `none` rather than as an empty file; its reverse is state-only as well.
        also = (
            "besides its other operations, "
            if any(not isinstance(o, ops.Opaque) for o in up)
            else ""
        )
        state = ops.Opaque(
            f"{also}no SQL (Django model state only): " + "; ".join(state_only), state_only=True
        )
        up.append(state)
        if not down:
            down.append(state)
    concurrent = any(
        getattr(getattr(o, "index", None), "concurrently", False)
        or getattr(o, "concurrently", False)
        for o in up
    )
    if concurrent and migration.atomic:
        notes.append(
            "a concurrent index operation in an atomic migration: Django refuses to run it "
            "until the migration sets atomic = False"
        )
    if not migration.atomic and any(isinstance(o, ops.DataChange) for o in up):
        notes.append(
            "atomic = False: its data changes run outside a transaction, so a failure part way "
            "leaves the rows written so far"
        )
    if irreversible:
        # Django raises IrreversibleError: the migration has no way back at all.
        notes.append("cannot be unapplied: " + "; ".join(irreversible))
    return ops.ParsedMigration(
        id=migration_id(entry.key),
        path=entry.path,
        up=ops.Step(tuple(up), transactional=migration.atomic, notes=tuple(dict.fromkeys(notes))),
        down=None if irreversible else ops.Step(tuple(down)),
        down_declared=not irreversible,
        down_is_noop=down_noop,
        sort_key=(position,),
        after_deploy=migration.after_deploy,
    )
