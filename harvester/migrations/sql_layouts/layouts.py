"""The SQL folder layouts harvester knows, and which one a folder follows.

Names alone separate Diesel folders, Flyway files and `.up.sql`/`.down.sql` pairs; numbered
single files are goose's when they carry `-- +goose Up`, sql-migrate's with `-- +migrate Up`,
dbmate's with `-- migrate:up`, sqlx's
when the nearest Cargo.toml depends on sqlx, drizzle-kit's beside its `meta/_journal.json`,
and a plain numbered folder otherwise (ClickHouse
migration folders, per-dialect version folders). Version folders (`v0.7/`) that hold a
`manifest.json` are the Cadence/Temporal schema tools', SQL or Cassandra's CQL.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from harvester.migrations.base import RepoView, Side
from harvester.migrations.sql_layouts import naming
from harvester.migrations.sql_layouts.dialects import mentions_in_cargo, toml_data
from harvester.migrations.sql_layouts.naming import MigrationFile
from harvester.migrations.sql_layouts.sections import (
    Sections,
    dbmate_sections,
    goose_sections,
    has_dbmate_sections,
    has_goose_sections,
    has_sql_migrate_sections,
    sql_migrate_sections,
)

_MARKER_SAMPLE = 12


@dataclass(frozen=True, slots=True)
class Layout:
    """One tool's way of laying out migrations.

    `sections` splits single files into up and down (goose, dbmate); `downs_by_design` is True
    when the tool expects a down step for every migration; `by_version` is True when the tool
    records a migration by its version number alone, so renaming the rest of the file name
    leaves the same migration.
    """

    name: str
    family: str
    downs_by_design: bool
    sections: Callable[[str], Sections] | None = None
    default_transactional: bool | None = None
    by_version: bool = False


DIESEL = Layout("diesel", "diesel", True, default_transactional=True, by_version=True)
FLYWAY = Layout("flyway", "flyway", downs_by_design=False, default_transactional=True)
SQLX = Layout("sqlx", "pairs", False, default_transactional=True, by_version=True)
POP = Layout("pop", "pairs", True, default_transactional=True, by_version=True)
GOLANG_MIGRATE = Layout("golang-migrate", "pairs", downs_by_design=True, by_version=True)
GOOSE = Layout("goose", "numbered", True, goose_sections, True, by_version=True)
DBMATE = Layout("dbmate", "numbered", True, dbmate_sections, True, by_version=True)
SQL_MIGRATE = Layout(
    "sql-migrate", "numbered", True, sql_migrate_sections, default_transactional=True
)
NUMBERED = Layout("sql", "numbered", downs_by_design=False)
LAYOUTS = (DIESEL, FLYWAY, SQLX, POP, GOLANG_MIGRATE, GOOSE, SQL_MIGRATE, DBMATE, NUMBERED)
PRISMA = Layout("prisma", "prisma", downs_by_design=False)
# Cadence's and Temporal's sql-tool and cassandra-tool: `<keyspace>/versioned/v0.7/` holds a
# manifest.json listing the files that take the schema to that version; no down steps.
SQL_TOOL = Layout("sql-tool", "versioned", downs_by_design=False)
CASSANDRA_TOOL = Layout("cassandra-tool", "versioned", downs_by_design=False)
# drizzle-kit: `0003_brave_wolf.sql` files beside a `meta/_journal.json` that lists them. Its
# migrator applies what is newer than the last one recorded, in one transaction, with no down.
DRIZZLE = Layout("drizzle", "drizzle", downs_by_design=False, default_transactional=True)
DRIZZLE_JOURNAL = "meta/_journal.json"
# Diesel 2 reads `run_in_transaction = false` from a migration folder's metadata.toml and then
# runs that migration outside a transaction (what CREATE INDEX CONCURRENTLY needs).
DIESEL_METADATA = "metadata.toml"


def folder_transactional(layout: Layout, view: RepoView, side: Side, path: str) -> bool | None:
    """Whether the migration whose file is `path` runs in a transaction, as its folder's
    settings say (Diesel's metadata.toml); None when nothing there says."""
    if layout is not DIESEL:
        return None
    source = view.read(side, posixpath.join(posixpath.dirname(path), DIESEL_METADATA))
    setting = toml_data(source.text).get("run_in_transaction") if source.text else None
    return setting if isinstance(setting, bool) else None


def identity(layout: Layout, found: MigrationFile) -> object:
    """What the tool records a migration by: the version alone where the tool keeps only the
    number (golang-migrate, pop, goose, dbmate, Diesel: `V0002.Webauthn` renamed
    `V0002.WebAuthn`, or `0145_v1_0_145.sql` renamed `0145_v1_0_146.sql`, is the same
    migration), the id otherwise."""
    if not layout.by_version:
        return found.id
    if layout.family == "numbered":
        return naming.leading_version(found.path)
    return found.sort_key


def candidate_root(layout: Layout, path: str) -> str | None:
    """The folder `path` would be a migration of under `layout`, from its name alone."""
    if layout.family == "diesel":
        return posixpath.dirname(posixpath.dirname(path)) if naming.diesel_file(path) else None
    if layout.family == "flyway":
        return posixpath.dirname(path) if naming.flyway_file(path) else None
    if layout.family == "prisma":
        folder, name = posixpath.split(path)
        return posixpath.dirname(folder) if name == "migration.sql" else None
    if layout.family == "drizzle":
        folder = posixpath.dirname(path)
        return folder if naming.numbered_file(path, folder) else None
    if layout.family == "versioned":
        return naming.versioned_root(path)
    if naming.up_down_file(path):
        return posixpath.dirname(path) if layout.family == "pairs" else None
    if layout is GOOSE and naming.go_file(path, posixpath.dirname(path)):
        return posixpath.dirname(path)
    root = naming.numbered_root(path)
    if root is None or layout.family not in ("numbered", "pairs"):
        return None
    if layout is NUMBERED and not naming.MIGRATIONS_FOLDER.search(root + "/"):
        return None
    return root


def migration_file(layout: Layout, path: str, root: str) -> MigrationFile | None:
    """`path` as a migration file of `layout` under `root`, or None."""
    if not path.startswith(root + "/" if root else ""):
        return None
    if layout.family == "diesel":
        found = naming.diesel_file(path)
        return found if found and posixpath.dirname(posixpath.dirname(path)) == root else None
    if layout.family == "flyway":
        return naming.flyway_file(path)
    if layout.family == "prisma":
        return naming.prisma_file(path, root)
    if layout.family == "drizzle":
        return naming.numbered_file(path, root) if posixpath.dirname(path) == root else None
    if layout.family == "versioned":
        return naming.versioned_file(path, root)
    pair = naming.up_down_file(path)
    if pair is not None:
        return pair if layout.family == "pairs" and posixpath.dirname(path) == root else None
    if layout is GOOSE and path.endswith(".go"):
        return naming.go_file(path, root)
    if layout.family == "numbered" or layout is SQLX:
        return naming.numbered_file(path, root)
    return None


def classify(view: RepoView, root: str) -> Layout | None:
    """The layout the folder `root` follows (the same answer for every system that asks)."""
    paths = sorted(view.tree(Side.HEAD, root)) or sorted(view.tree(Side.BASE, root))
    direct = [p for p in paths if posixpath.dirname(p) == root]
    if posixpath.join(root, DRIZZLE_JOURNAL) in paths:
        return DRIZZLE
    tool = [p for p in paths if naming.versioned_file(p, root)]
    if tool and any(posixpath.join(posixpath.dirname(p), naming.MANIFEST) in paths for p in tool):
        return CASSANDRA_TOOL if all(p.lower().endswith(".cql") for p in tool) else SQL_TOOL
    if any(migration_file(DIESEL, p, root) for p in paths):
        return DIESEL
    if any(naming.flyway_file(p) for p in direct):
        return FLYWAY
    pairs = [f for p in direct if (f := naming.up_down_file(p))]
    numbered = [p for p in paths if naming.numbered_file(p, root)]
    if not pairs and not numbered:
        return None
    if mentions_in_cargo(view, root, "sqlx"):
        return SQLX
    if pairs:
        return POP if any(f.variant for f in pairs) else GOLANG_MIGRATE
    for text in _sample_texts(view, root, numbered):
        if has_goose_sections(text):
            return GOOSE
        if has_sql_migrate_sections(text):
            return SQL_MIGRATE
        if has_dbmate_sections(text):
            return DBMATE
    return NUMBERED if naming.MIGRATIONS_FOLDER.search(root + "/") else None


def _sample_texts(view: RepoView, root: str, paths: list[str]) -> list[str]:
    changed = {c.path for c in view.changes_under(root)}
    ordered = [p for p in paths if p in changed] + [p for p in paths if p not in changed]
    texts = []
    for path in ordered[:_MARKER_SAMPLE]:
        source = view.read(Side.HEAD, path)
        if source.text is None:
            source = view.read(Side.BASE, path)
        if source.text is not None:
            texts.append(source.text)
    return texts
