"""Prisma Migrate: `<dir>/migrations/<id>/migration.sql` beside `migration_lock.toml`, whose
`provider` is the dialect; `schema.prisma` next to the folder is the schema snapshot.

-- CreateTable
CREATE TABLE "segment" (
    "segment_id" UUID NOT NULL,
    CONSTRAINT "segment_pkey" PRIMARY KEY ("segment_id")
);

Ids are folder names (timestamps or plain sequence numbers such as `09_update_region`) and run
in text order. Any parent folder works, and one tree per provider may sit side by side.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Mapping, Sequence

from harvester.migrations.base import MigrationRoot, PathChange, RepoView, Side
from harvester.migrations.drizzle import holds_folders
from harvester.migrations.prisma_schema import prisma_provider, prisma_shape
from harvester.migrations.schema import ops
from harvester.migrations.sql_layouts.dialects import ancestors, dialect_named
from harvester.migrations.sql_layouts.layouts import PRISMA
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED, deployed_roots
from harvester.migrations.sql_layouts.snapshots import SchemaShape
from harvester.migrations.sql_layouts.system import SqlFolderSystem, snapshot_text
from harvester.migrations.sql_layouts.units import Unit
from harvester.model import ChangeKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

# `migrations/<id>/migration.sql`; under a folder of another name (set in prisma.config.ts),
# only Prisma's own timestamped ids say it is Prisma.
_MIGRATION = re.compile(r"(?:^|/)(?:migrations/[^/]+|[^/]+/\d{14}_[^/]+)/migration\.sql$")
_LOCK = "migration_lock.toml"
# `prisma migrate deploy --schema=packages/db/prisma/schema.prisma` in a package.json script
_SCHEMA_FLAG = re.compile(r"--schema[= ]+[\"']?([^\s\"'&;|]+)")
# a script running the Prisma CLI (`npx prisma migrate deploy`), not `prisma-kysely` or a path
_RUNS_PRISMA = re.compile(r"(?:^|[\s;&|(])prisma\s")
# Prisma 6.6+ configuration, which may name the migrations folder itself
_CONFIG_FILES = ("prisma.config.ts", "prisma.config.mts", "prisma.config.js", "prisma.config.mjs")


class PrismaSystem(SqlFolderSystem):
    """Prisma Migrate."""

    def __init__(self) -> None:
        super().__init__(PRISMA)

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """Each `migrations` folder with a changed migration or lock file, and the folder next
        to a changed `.prisma` schema file."""
        roots, schemas = set(), set()
        for path in changed_paths:
            folder, name = posixpath.split(path)
            if _MIGRATION.search(path):
                roots.add(posixpath.dirname(folder))
            elif name == _LOCK:
                roots.add(folder)
            elif name.endswith(".prisma"):
                schemas.add(folder)
        beside = {posixpath.dirname(r) for r in roots}
        for folder in schemas:
            # A schema file beside a migrations folder found above, or in a folder inside its
            # (`schema/`, `models/`), is part of its schema; elsewhere the migrations folder is
            # guessed by Prisma's default name, beside the file or one folder up (`owns` keeps
            # the guess that holds the schema).
            if any(folder == home or folder.startswith(home + "/") for home in beside):
                continue
            roots.add(posixpath.join(folder, "migrations"))
            if posixpath.dirname(folder):
                roots.add(posixpath.join(posixpath.dirname(folder), "migrations"))
        return deployed_roots(self.name, roots)

    def owns(self, view: RepoView, root: str) -> bool:
        """A Prisma root is one `find_roots` named; it must hold migrations or sit by a schema,
        and not be drizzle-kit's (its folders of the same shape hold a `snapshot.json`). A
        guessed `migrations` folder that does not exist is not the root when a lock file
        beside it names the real one."""
        if any(view.tree(side, root) for side in Side):
            return not holds_folders(view, root)
        home = posixpath.dirname(root)
        if _schema_home(view, posixpath.dirname(home)):
            return False  # a `models/` or `schema/` folder of the schema one folder up
        if not _schema_files(view, home) and not self._schema_folder(view, home):
            return False  # a guess one folder above a schema folder that is no schema's home
        if posixpath.basename(home) != "schema" and self._schema_folder(view, home):
            return False  # `<home>/schema/migrations`, the other guess, stands for it
        locked = any(
            posixpath.basename(p) == _LOCK and posixpath.dirname(posixpath.dirname(p)) == home
            for side in Side
            for p in view.tree(side, home)
        )
        return not locked and bool(self.snapshot_paths(view, root))

    def _not_run(self, view: RepoView, root: str) -> str | None:
        """A migrations folder away from every schema its package's Prisma configuration
        names: `prisma migrate` reads the migrations beside the configured schema only."""
        configured = _configured_schemas(view, root)
        if configured is None or not view.tree(Side.HEAD, root):
            return super()._not_run(view, root)
        config, homes = configured
        if any(_same_schema(posixpath.dirname(root), home) for home in homes):
            return None
        named = " and ".join(f"{home}/" for home in homes)
        held = sum(posixpath.basename(p) == "migration.sql" for p in view.tree(Side.HEAD, root))
        return (
            f"{held} migration{'s' * (held != 1)} at the head that prisma migrate does not run: "
            f"{config} sets the Prisma schema in {named}, and Prisma reads only the migrations "
            "beside it"
        )

    def tree_dialect(
        self,
        view: RepoView,
        root: str,
        units: Sequence[Unit],
        changes: Mapping[str, PathChange],
    ) -> ops.Dialect | None:
        """The lock file's provider, else the schema's datasource, else the usual evidence."""
        for side in (Side.HEAD, Side.BASE):
            lock = view.read(side, f"{root}/{_LOCK}").text
            found = _lock_provider(lock) if lock else None
            if found is not None:
                return found
        schema = snapshot_text(view, Side.HEAD, _as_changes(self.snapshot_paths(view, root)))
        return prisma_provider(schema) or super().tree_dialect(view, root, units, changes)

    @staticmethod
    def _schema_folder(view: RepoView, home: str) -> bool:
        """True when `<home>/schema/` holds the `.prisma` files (Prisma's multi-file schema)."""
        folder = posixpath.join(home, "schema")
        return any(
            p.endswith(".prisma") and posixpath.dirname(p) == folder
            for side in Side
            for p in view.tree(side, folder)
        )

    def snapshot_paths(self, view: RepoView, root: str) -> list[str]:
        """The `.prisma` files of the schema: beside the migrations folder and in the folders
        inside it (Prisma reads a schema split into files, `models/*.prisma` or
        `schema/*.prisma`, as one), except another tree's."""
        parent = posixpath.dirname(root)
        if not parent:
            return sorted({p for side in Side for p in _prisma_files(view, side, "", deep=False)})
        found = {p for side in Side for p in _prisma_files(view, side, parent, deep=True)}
        others = {
            posixpath.dirname(posixpath.dirname(f))
            for side in Side
            for f in view.tree(side, parent)
            if posixpath.basename(f) == _LOCK and posixpath.dirname(f) != root
        }
        return sorted(p for p in found if not any(p.startswith(o + "/") for o in others))

    def removed_with_tree(
        self, view: RepoView, root: str, changes: Mapping[str, PathChange]
    ) -> list[str]:
        """The lock file and the schema, when they went with the migrations."""
        lock = changes.get(f"{root}/{_LOCK}")
        gone = lock is not None and lock.status is ChangeKind.DELETED
        return ["lock"] * gone + super().removed_with_tree(view, root, changes)

    def snapshot_shape(self, text: str, dialect: ops.Dialect | None) -> SchemaShape:
        """Models and fields as tables and columns."""
        return prisma_shape(text)

    def snapshot_groups(
        self, view: RepoView, root: str, changed: list[PathChange]
    ) -> list[tuple[str, list[PathChange]]]:
        """One snapshot for the whole schema, even when it is split over several files."""
        if not changed:
            return []
        every = _as_changes(self.snapshot_paths(view, root))
        if len(every) <= 1:
            return [(changed[0].path, changed)]
        return [(posixpath.commonpath([c.path for c in every]), every)]


def _prisma_files(view: RepoView, side: Side, folder: str, deep: bool) -> list[str]:
    """The `.prisma` files in `folder` (and the folders inside it when `deep`)."""
    return [
        p
        for p in view.tree(side, folder)
        if p.endswith(".prisma")
        and (deep or posixpath.dirname(p) == folder)
        and not NOT_DEPLOYED.search(p[len(folder) :])
    ]


def _schema_files(view: RepoView, folder: str) -> bool:
    """True when `folder` itself holds `.prisma` files at either end of the range."""
    return any(_prisma_files(view, side, folder, deep=False) for side in Side)


def _schema_home(view: RepoView, folder: str) -> bool:
    """True when `folder` is where a Prisma schema lives: it holds a migrations folder with a
    lock file, or `.prisma` files of its own."""
    if not folder:
        return False
    lock = posixpath.join(folder, "migrations", _LOCK)
    return _schema_files(view, folder) or any(lock in view.tree(side, folder) for side in Side)


def _configured_schemas(view: RepoView, root: str) -> tuple[str, list[str]] | None:
    """The package.json of the package holding `root` (the nearest one above it at the head)
    and the schema folders it names for Prisma (`"prisma": {"schema": …}`, `--schema` in its
    scripts); None when it names none, or a Prisma config file may name other folders."""
    for folder in ancestors(posixpath.dirname(root)):
        path = posixpath.join(folder, "package.json")
        text = view.read(Side.HEAD, path).text
        if not text:
            continue
        if any(view.read(Side.HEAD, posixpath.join(folder, n)).text for n in _CONFIG_FILES):
            return None
        named = _schemas_named(text)
        homes = [
            posixpath.normpath(
                posixpath.join(
                    folder, p if not p.endswith(".prisma") else posixpath.dirname(p) or "."
                )
            )
            for p in named
        ]
        return (path, sorted(set(homes))) if homes else None
    return None


def _schemas_named(package_json: str) -> list[str]:
    """The schema paths a package.json gives Prisma, as written: `"prisma": {"schema": …}`
    and the `--schema` of its scripts. None named when Prisma may also run from its default
    place: a script runs it without `--schema` and no `prisma.schema` is set, or runs it in
    another folder (`cd apps/api && prisma migrate deploy`)."""
    try:
        data = json.loads(package_json)
    except json.JSONDecodeError:
        return []
    prisma = data.get("prisma") if isinstance(data, dict) else None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    configured = prisma.get("schema") if isinstance(prisma, dict) else None
    named = [configured] if isinstance(configured, str) else []
    for script in scripts.values() if isinstance(scripts, dict) else ():
        if not isinstance(script, str) or not _RUNS_PRISMA.search(script):
            continue
        flags = _SCHEMA_FLAG.findall(script)
        if "cd " in script or not (flags or named):
            return []
        named += flags
    return named


def _same_schema(home: str, configured: str) -> bool:
    """Whether the migrations of the schema in `home` are those of the `configured` schema
    folder: the same folder, or one inside the other (`prisma/schema/*.prisma` with
    `prisma/migrations`)."""
    home, configured = home or ".", configured or "."
    return (
        home == configured
        or configured == "."
        or home == "."
        or configured.startswith(home + "/")
        or home.startswith(configured + "/")
    )


def _as_changes(paths: Sequence[str]) -> list[PathChange]:
    return [PathChange(p, None, ChangeKind.MODIFIED, None, None) for p in paths]


def _lock_provider(text: str) -> ops.Dialect | None:
    try:
        provider = tomllib.loads(text).get("provider")
    except tomllib.TOMLDecodeError:
        return None
    return dialect_named(provider) if isinstance(provider, str) else None


SYSTEM = PrismaSystem()
