"""How each SQL migration tool names its files, and what a name says: the migration id, its
place in execution order, up or down, and a dialect infix.

    000042_add_segment.up.sql, 0157.up.sql         golang-migrate
    20200317160354_create_flows.sqlite3.up.sql     pop (Ory): one variant per dialect
    000013_partition_id.up.tmpl                    golang-migrate fed by Go templates
    V2.1__add_segment.sql / U2.1__… / R__views.sql Flyway (refinery: V2__…)
    20240101120000_add_segment/migration.sql       Prisma
    2024-01-01-120000_add_segment/up.sql           Diesel
    20240101120000_add_segment.sql                 goose, dbmate, sqlx, numbered folders
    versioned/v0.7/domain_audit_log.sql            Cadence/Temporal schema tools (manifest.json)
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from harvester.migrations.base import MigrationRoot
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts.dialects import DIALECT_NAMES, dialect_named


class Direction(str, Enum):
    """What a file holds."""

    UP = "up"
    DOWN = "down"
    BOTH = "both"
    REPEATABLE = "repeatable"


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """One migration file as its name describes it.

    `variant` is the dialect infix as written (`sqlite3`), None for a file every dialect runs.
    """

    path: str
    id: str
    sort_key: tuple[object, ...]
    direction: Direction
    variant: str | None = None
    dialect: Dialect | None = None
    transactional: bool | None = None


_DIALECT_INFIXES = "|".join(sorted(DIALECT_NAMES, key=len, reverse=True))
# `0042_add_x.up.sql`, `0157.up.sql` (no name), `V0021.CachedValueType.up.sql` (Authelia).
_UP_DOWN = re.compile(
    rf"^V?(?P<version>\d+)(?:[_.](?P<name>.+?))?(?:\.(?P<variant>{_DIALECT_INFIXES}))?"
    r"(?:\.(?P<autocommit>autocommit))?\.(?P<direction>up|down)\.(?P<kind>sql|tmpl)$",
    re.I,
)
# Go templates the program renders into golang-migrate migrations (rudder-server's
# `sql/migrations/jobsdb/000013_partition_id_column.up.tmpl`)
TEMPLATE = ".tmpl"
# Cassandra's statements (the schema tools' `.cql` files): listed, not read
CQL = ".cql"
_FLYWAY = re.compile(r"^(?P<prefix>[VU])(?P<version>\d+(?:[._]\d+)*)__(?P<name>.+)\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(?P<name>.+)\.sql$")
_DIESEL_FOLDER = re.compile(r"^(?P<version>\d[\d-]*)_(?P<name>.+)$")
# Synapse-style engine suffixes: `85/03_new_sequences.sql.postgres` runs on PostgreSQL only,
# beside plain `.sql` files that every engine runs.
ENGINE_SUFFIX = re.compile(r"\.sql\.(?P<engine>postgres|sqlite)$", re.I)
_NUMBERED = re.compile(
    r"^(?P<version>\d+)(?:[_.-]+(?P<name>.*?))?\.sql(?:\.(?:postgres|sqlite))?$", re.I
)
_VERSION_FOLDER = re.compile(r"^v?\d+(?:\.\d+)*$")
# Migration trees of test data, stubs, example apps and vendored dependencies are not deployed
# by this project; they stay out of the Database Changes section (their files still appear
# under Files Modified).
NOT_DEPLOYED = re.compile(
    r"(?:^|/)(?:(?:integration[-_])?tests?|testdata|test[-_]data|test[-_]migrations|__tests__|fixtures?|"
    r"__fixtures__|stubs?|mocks?|e2e|examples?|vendor|node_modules|third[-_]party)(?:/|$)",
    re.I,
)
MIGRATIONS_FOLDER = re.compile(
    r"(?:^|/)(?:[^/]*migrat[^/]*|versions|changes|patches|schema|sql)(?:/|$)", re.I
)


def deployed_roots(system: str, roots: Collection[str]) -> list[MigrationRoot]:
    """`roots` as `system`'s migration roots, sorted, the trees the project does not deploy
    (tests, fixtures, examples, vendored code) left out."""
    return [MigrationRoot(system, root) for root in sorted(roots) if not NOT_DEPLOYED.search(root)]


def up_down_file(path: str) -> MigrationFile | None:
    """A golang-migrate, pop or reversible sqlx file (`<version>_<name>[.dialect].up.sql`),
    or a template of one inside a migrations folder (`<version>_<name>.up.tmpl`)."""
    match = _UP_DOWN.match(posixpath.basename(path))
    if not match:
        return None
    if path.endswith(TEMPLATE) and not MIGRATIONS_FOLDER.search(posixpath.dirname(path) + "/"):
        return None
    variant = match.group("variant")
    # The id is the name as written, up to the dialect, autocommit or direction part.
    stem = next(g for g in ("variant", "autocommit", "direction") if match.group(g))
    return MigrationFile(
        path=path,
        id=match.string[: match.start(stem) - 1],
        sort_key=(int(match.group("version")),),
        direction=Direction(match.group("direction").lower()),
        variant=variant.lower() if variant else None,
        dialect=dialect_named(variant) if variant else None,
        transactional=False if match.group("autocommit") else None,
    )


def flyway_file(path: str) -> MigrationFile | None:
    """A Flyway (or refinery) versioned, undo or repeatable migration."""
    name = posixpath.basename(path)
    match = _FLYWAY.match(name)
    if match:
        version = match.group("version")
        parts = tuple(int(p) for p in re.split(r"[._]", version))
        direction = Direction.UP if match.group("prefix") == "V" else Direction.DOWN
        return MigrationFile(path, f"V{version}__{match.group('name')}", (0, parts), direction)
    repeatable = _FLYWAY_REPEATABLE.match(name)
    if repeatable:
        name_key = repeatable.group("name")
        return MigrationFile(path, f"R__{name_key}", (1, name_key), Direction.REPEATABLE)
    return None


def diesel_file(path: str) -> MigrationFile | None:
    """A Diesel migration folder's `up.sql` or `down.sql`."""
    name = posixpath.basename(path)
    if name not in ("up.sql", "down.sql"):
        return None
    folder = posixpath.basename(posixpath.dirname(path))
    match = _DIESEL_FOLDER.match(folder)
    if not match:
        return None
    direction = Direction.UP if name == "up.sql" else Direction.DOWN
    return MigrationFile(path, folder, (match.group("version"),), direction)


def prisma_file(path: str, root: str) -> MigrationFile | None:
    """A Prisma migration, `<root>/<id>/migration.sql`; ids sort as text, as Prisma sorts them."""
    folder, name = posixpath.split(path)
    if name != "migration.sql" or posixpath.dirname(folder) != root:
        return None
    migration_id = posixpath.basename(folder)
    return MigrationFile(path, migration_id, (migration_id,), Direction.BOTH)


def numbered_file(path: str, root: str) -> MigrationFile | None:
    """A single-file migration named by number (goose, dbmate, sqlx, plain folders); its id is
    its path under `root` without `.sql` (`0.22/01__memo_tags`)."""
    name = posixpath.basename(path)
    if up_down_file(path) or not _NUMBERED.match(name):
        return None
    relative = path[len(root) + 1 :] if root else path
    folders = relative.split("/")[:-1]
    if any(not _VERSION_FOLDER.match(f) for f in folders):
        return None
    engine = ENGINE_SUFFIX.search(name)
    stem = relative[: -len(engine.group(0) if engine else ".sql")]
    key = tuple(_natural(part) for part in stem.split("/"))
    variant = engine.group("engine").lower() if engine else None
    dialect = dialect_named(variant) if variant else None
    return MigrationFile(path, stem, key, Direction.BOTH, variant, dialect)


# A version folder of the Cadence/Temporal schema tools, and the files in it: SQL, or
# Cassandra's CQL (`versioned/v0.45/timer_task.cql`)
_TOOL_VERSION = re.compile(r"^v(?P<version>\d+(?:\.\d+)*)$")
_TOOL_FILE = re.compile(r"^[^/]+\.(?:sql|cql)$", re.I)
MANIFEST = "manifest.json"


def versioned_file(path: str, root: str) -> MigrationFile | None:
    """A file of a schema tool's version folder, `<root>/v<version>/<name>.sql|.cql`; its id
    is `v<version>/<name>`, and versions sort as numbers (`v0.10` after `v0.9`)."""
    folder, name = posixpath.split(path)
    match = _TOOL_VERSION.match(posixpath.basename(folder))
    if posixpath.dirname(folder) != root or match is None or not _TOOL_FILE.match(name):
        return None
    version = tuple(int(p) for p in match.group("version").split("."))
    stem = f"{posixpath.basename(folder)}/{posixpath.splitext(name)[0]}"
    return MigrationFile(path, stem, (version, name), Direction.BOTH)


def versioned_root(path: str) -> str | None:
    """The folder holding the version folder of `path` (`…/versioned`), by name alone."""
    folder = posixpath.dirname(path)
    return posixpath.dirname(folder) if versioned_file(path, posixpath.dirname(folder)) else None


_GO_MIGRATION = re.compile(r"^(?P<version>\d+)_[^/]*(?<!_test)\.go$")


def go_file(path: str, root: str) -> MigrationFile | None:
    """A goose migration written in Go (`20240101120000_backfill.go`) directly under `root`."""
    name = posixpath.basename(path)
    if posixpath.dirname(path) != root or not _GO_MIGRATION.match(name):
        return None
    stem = name[: -len(".go")]
    return MigrationFile(path, stem, (_natural(stem),), Direction.BOTH)


def leading_version(path: str) -> int | None:
    """The version number a numbered file's name starts with (`20240101000000_events.sql`)."""
    match = _NUMBERED.match(posixpath.basename(path)) or _GO_MIGRATION.match(
        posixpath.basename(path)
    )
    return int(match.group("version")) if match else None


def numbered_root(path: str) -> str | None:
    """The tree a numbered file belongs to: its folder, above any version folders (`0.22`)."""
    if not _NUMBERED.match(posixpath.basename(path)) or up_down_file(path):
        return None
    folder = posixpath.dirname(path)
    while folder and _VERSION_FOLDER.match(posixpath.basename(folder)):
        folder = posixpath.dirname(folder)
    return folder


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """`0.10/02__x` sorts after `0.9/…`: numbers compare as numbers."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p
    )


# A `references/` folder of separate projects (trigger.dev's reference apps, one package each)
# holds sample apps, not this project's deployment; its name alone says too little.
_REFERENCES = re.compile(r"(?:^|/)references/[^/]+(?=/)", re.I)
_MANIFESTS = frozenset(
    {
        "package.json",
        "go.mod",
        "pyproject.toml",
        "Cargo.toml",
        "Gemfile",
        "mix.exs",
        "composer.json",
    }
)


def references_app(root: str) -> str | None:
    """The `references/<app>` folder `root` sits in, if any."""
    match = _REFERENCES.search(root)
    return root[: match.end()] if match else None


def in_sample_apps(tree: Collection[str], root: str) -> bool:
    """True when `root` sits in one of several projects side by side in a `references/`
    folder, each with its own package manifest (`tree`: the paths under that folder)."""
    app = references_app(root)
    if app is None:
        return False
    folder = posixpath.dirname(app)
    apps = {
        posixpath.dirname(p)
        for p in tree
        if posixpath.basename(p) in _MANIFESTS and posixpath.dirname(posixpath.dirname(p)) == folder
    }
    return app in apps and len(apps) >= 2
