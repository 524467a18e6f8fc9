"""Which engine a migration tree runs on, from the strongest evidence the repository holds:
folder names (`postgres`, `mysql`, `sqlite3`, `clickhouse`), file-name infixes
(`….sqlite3.up.sql`), configuration (Cargo features of sqlx/Diesel, `flyway.conf`,
`sqlc.yaml`), and last the statements themselves."""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterable, Iterator

from harvester.migrations.base import RepoView, Side
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql.dialect import guess_dialect

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DIALECT_NAMES = {
    "postgres": Dialect.POSTGRESQL,
    "postgresql": Dialect.POSTGRESQL,
    "pg": Dialect.POSTGRESQL,
    "pgsql": Dialect.POSTGRESQL,
    "psql": Dialect.POSTGRESQL,
    "mysql": Dialect.MYSQL,
    "mariadb": Dialect.MARIADB,
    "maria": Dialect.MARIADB,
    "sqlite": Dialect.SQLITE,
    "sqlite3": Dialect.SQLITE,
    "clickhouse": Dialect.CLICKHOUSE,
    "cockroach": Dialect.COCKROACHDB,
    "cockroachdb": Dialect.COCKROACHDB,
    "crdb": Dialect.COCKROACHDB,
    "mssql": Dialect.SQLSERVER,
    "sqlserver": Dialect.SQLSERVER,
}
_JDBC = re.compile(r"jdbc:(postgresql|mysql|mariadb|sqlite|clickhouse|sqlserver)", re.I)
_SQLC_ENGINE = re.compile(r"engine\s*:\s*[\"']?(postgresql|mysql|sqlite)", re.I)
_CONFIG_FILES = (
    "Cargo.toml",
    "flyway.conf",
    "flyway.toml",
    "conf/flyway.conf",
    "sqlc.yaml",
    "go.mod",
)
# Go database/sql drivers by module path; a go.mod that requires one engine's names it.
_GO_DRIVERS = {
    "github.com/mattn/go-sqlite3": Dialect.SQLITE,
    "modernc.org/sqlite": Dialect.SQLITE,
    "github.com/ncruces/go-sqlite3": Dialect.SQLITE,
    "gorm.io/driver/sqlite": Dialect.SQLITE,
    "github.com/lib/pq": Dialect.POSTGRESQL,
    "github.com/jackc/pgx": Dialect.POSTGRESQL,
    "gorm.io/driver/postgres": Dialect.POSTGRESQL,
    "github.com/go-sql-driver/mysql": Dialect.MYSQL,
    "gorm.io/driver/mysql": Dialect.MYSQL,
    "github.com/ClickHouse/clickhouse-go": Dialect.CLICKHOUSE,
}
_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?(\S+?)(?:/v\d+)?\s+v\S+\s*$", re.M)
_STATEMENT_SAMPLE = 200_000


def dialect_named(name: str) -> Dialect | None:
    """The dialect a folder name, infix or provider names (`sqlite3`, `postgresql`)."""
    return DIALECT_NAMES.get(name.lower())


def dialect_from_path(path: str) -> Dialect | None:
    """The dialect the deepest folder name in `path` names (`db/postgres/migrations`,
    `crates/server-sqlite/migrations`)."""
    for folder in reversed(path.split("/")):
        for token in re.split(r"[-_.]", folder):
            found = dialect_named(token)
            if found is not None:
                return found
    return None


def ancestors(folder: str) -> Iterator[str]:
    """`folder`, its parent, … up to the repository root ("")."""
    while True:
        yield folder
        if not folder:
            return
        folder = posixpath.dirname(folder)


def dialect_from_config(view: RepoView, root: str) -> tuple[Dialect, str] | None:
    """The dialect configuration near `root` names, with the file that says so."""
    for folder in ancestors(posixpath.dirname(root)):
        for name in _CONFIG_FILES:
            path = posixpath.join(folder, name) if folder else name
            source = view.read(Side.HEAD, path)
            if source.text is None:
                continue
            found = _config_dialect(name, source.text)
            if found is not None:
                return found, path
    return None


def mentions_in_cargo(view: RepoView, root: str, crate: str) -> bool:
    """True when the nearest Cargo.toml above `root` depends on `crate` (sqlx, diesel)."""
    for folder in ancestors(posixpath.dirname(root)):
        path = posixpath.join(folder, "Cargo.toml") if folder else "Cargo.toml"
        source = view.read(Side.HEAD, path)
        if source.text is not None:
            return crate in _cargo_dependencies(source.text)
    return False


def dialect_from_statements(texts: Iterable[str]) -> Dialect | None:
    """The dialect the statements suggest (the weakest evidence)."""
    sample = []
    size = 0
    for text in texts:
        sample.append(text)
        size += len(text)
        if size > _STATEMENT_SAMPLE:
            break
    return guess_dialect("\n;\n".join(sample)) if sample else None


def _config_dialect(name: str, text: str) -> Dialect | None:
    if name == "Cargo.toml":
        return _cargo_dialect(toml_data(text))
    if name == "go.mod":
        return _go_driver_dialect(text)
    pattern = _SQLC_ENGINE if name == "sqlc.yaml" else _JDBC
    match = pattern.search(text)
    return dialect_named(match.group(1)) if match else None


def _cargo_dialect(data: dict[str, object]) -> Dialect | None:
    """The one engine the features of sqlx and Diesel crates name: those the program is built
    with ([dependencies]) first; test-only ones ([dev-dependencies]) only when those name
    none."""
    for kind in _DEPENDENCY_KINDS:
        features = {
            str(feature)
            for crate, spec in _cargo_table(data, kind).items()
            if crate.startswith(("sqlx", "diesel")) and isinstance(spec, dict)
            for feature in spec.get("features") or ()
        }
        found = {d for f in features if (d := dialect_named(f)) is not None}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _go_driver_dialect(text: str) -> Dialect | None:
    """The one engine whose database/sql driver a go.mod requires directly (an `// indirect`
    requirement comes with another module)."""
    found = {_GO_DRIVERS.get(module) for module in _GO_REQUIRE.findall(text)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def toml_data(text: str) -> dict[str, object]:
    """The tables of a TOML file; empty when it does not parse."""
    try:
        data: dict[str, object] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    return data


_DEPENDENCY_KINDS = ("dependencies", "dev-dependencies")


def _cargo_table(data: dict[str, object], kind: str) -> dict[str, object]:
    """A Cargo.toml's dependencies of one kind, the workspace's included."""
    found: dict[str, object] = {}
    for table in (data, data.get("workspace") or {}):
        deps = table.get(kind) if isinstance(table, dict) else None
        if isinstance(deps, dict):
            found.update(deps)
    return found


def _cargo_dependencies(text: str) -> dict[str, object]:
    data = toml_data(text)
    found: dict[str, object] = {}
    for kind in _DEPENDENCY_KINDS:
        found.update(_cargo_table(data, kind))
    return found
