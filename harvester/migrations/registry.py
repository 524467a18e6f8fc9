"""The one list of migration systems harvester knows. Adding a system is one line here.

Each entry names the system, the module that implements it and a path hint: a pattern every
path the system's `find_roots` can claim matches. A system's module is imported only when a
changed path matches its hint (or the configuration names a root of it), so a range that
touches no migrations never loads the parsers.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from harvester.migrations.base import MigrationSystem


@dataclass(frozen=True, slots=True)
class RegisteredSystem:
    """A migration system by name, with where its code lives and which paths can concern it."""

    name: str
    module: str
    hint: re.Pattern[str]

    def concerns(self, paths: Sequence[str]) -> bool:
        """True when any of `paths` may belong to this system."""
        return self.hint.search("\n".join(paths)) is not None

    def load(self) -> MigrationSystem:
        """The system itself (its module is imported on first use)."""
        module = importlib.import_module(self.module)
        systems: Sequence[MigrationSystem] = getattr(module, "SYSTEMS", None) or (module.SYSTEM,)
        return next(s for s in systems if s.name == self.name)


def _system(name: str, module: str, hint: str) -> RegisteredSystem:
    # Searched over all paths at once, one per line: `^`/`$` hold per line, and no part of a
    # hint may match across lines.
    per_line = hint.replace("[^/]", "[^/\n]")
    return RegisteredSystem(name, f"harvester.migrations.{module}", re.compile(per_line, re.M))


def concerned(paths: Sequence[str]) -> frozenset[str]:
    """The names of the systems any of `paths` may belong to: each hint searched once, over
    all paths at once (many systems share one)."""
    text = "\n".join(paths)
    found = {hint: hint.search(text) is not None for hint in {e.hint for e in SYSTEMS}}
    return frozenset(e.name for e in SYSTEMS if found[e.hint])


_SQL_FILES = r"\.sql(?:\.(?:postgres|sqlite))?$"
SYSTEMS: tuple[RegisteredSystem, ...] = (
    _system(
        "prisma",
        "prisma",
        r"(?:^|/)migrations/|/\d{14}_[^/]+/migration\.sql$|\.prisma$|migration_lock\.toml$",
    ),
    _system("django", "django", r"migrations/[^/]*\.py$"),
    # `versions/`, `main_versions/`, `versions_dev/`, Flask-Migrate's `migrations/`; a folder an
    # alembic.ini names otherwise is read when one of these loads the system
    _system(
        "alembic",
        "alembic",
        r"(?:^|/)(?:[\w-]*versions[\w-]*/(?:[^/]+/)?|migrations/)[^/]*\.py$",
    ),
    _system("rails", "rails", r"(?:^|/)db/"),
    _system("ecto", "ecto", r"(?:^|/)priv/|(?:^|/)lib/.*migrations/\d{14}_\w+\.ex$"),
    # Liquibase changelogs before the SQL layouts: its formatted SQL files run by its rules
    # (checksums, include order), not a folder's
    _system(
        "liquibase", "unread", r"(?i)(?:^|/)(?:liquibase|changelogs?)/.*\.(?:xml|ya?ml|json|sql)$"
    ),
    _system("drizzle", "drizzle", _SQL_FILES),
    *(
        # and golang-migrate's Go templates (`000013_partition_id.up.tmpl`)
        _system(name, "sql_layouts", _SQL_FILES + r"|\.(?:up|down)\.tmpl$")
        for name in (
            "diesel",
            "flyway",
            "sqlx",
            "pop",
            "golang-migrate",
            "goose",
            "sql-migrate",
            "dbmate",
            "sql",
        )
    ),
    # Cadence/Temporal schema tools: `versioned/v0.7/<name>.sql` or `.cql` beside a manifest.json
    *(
        _system(name, "sql_layouts", r"(?:^|/)v\d+(?:\.\d+)*/[^/]+\.[cs]ql$")
        for name in ("sql-tool", "cassandra-tool")
    ),
    # Code migrations of tools harvester does not read: listed as not read, never missed.
    *(
        _system(
            name,
            "unread",
            r"(?i)(?:^|/)\w*migrat(?:ions?|e)/.*\.(?:php|cs|[cm]?[jt]s|go|ex|java|kt|rb)$",
        )
        for name in (
            "laravel",
            "doctrine",
            "phinx",
            "ef-core",
            "node",
            "go",
            "ecto-modules",
            "flyway-code",
            "ruby-data",
        )
    ),
)
