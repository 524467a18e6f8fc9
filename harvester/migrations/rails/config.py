"""Which database a Rails app's migrations run on: `config/database.yml` (or the copies of it
an app ships, `database.yml.tmpl`), else the Gemfile, else the schema file's engine. An app
that names one server engine and SQLite (`database.mysql.yml` beside `database.sqlite.yml`,
`gem "trilogy"` beside `gem "sqlite3"`) is judged for the server engine.

production:
  primary:
    adapter: postgresql
  queue:
    adapter: sqlite3
    migrations_paths: db/queue_migrate
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from harvester.migrations import treesitter
from harvester.migrations.base import RepoView, Side
from harvester.migrations.rails.snapshot import schema_files
from harvester.migrations.schema import ops
from harvester.model import Finding, ImpactTag

ADAPTERS: Mapping[str, ops.Dialect] = {
    "postgresql": ops.Dialect.POSTGRESQL,
    "postgis": ops.Dialect.POSTGRESQL,
    "postgres": ops.Dialect.POSTGRESQL,
    "mysql2": ops.Dialect.MYSQL,
    "mysql": ops.Dialect.MYSQL,
    "trilogy": ops.Dialect.MYSQL,
    "sqlite3": ops.Dialect.SQLITE,
    "sqlite": ops.Dialect.SQLITE,
    "sqlserver": ops.Dialect.SQLSERVER,
    "cockroachdb": ops.Dialect.COCKROACHDB,
    "clickhouse": ops.Dialect.CLICKHOUSE,
}
_GEMS: Mapping[str, ops.Dialect] = {
    "pg": ops.Dialect.POSTGRESQL,
    "mysql2": ops.Dialect.MYSQL,
    "trilogy": ops.Dialect.MYSQL,
    "sqlite3": ops.Dialect.SQLITE,
    "activerecord-sqlserver-adapter": ops.Dialect.SQLSERVER,
    "activerecord-cockroachdb-adapter": ops.Dialect.COCKROACHDB,
}
_CONFIG = "config/database.yml"
# Copies of it an app ships for people to fill in: database.yml.tmpl, database.mysql.yml, …
_CONFIG_COPY = re.compile(r"^database\.(?:[\w-]+\.)*yml(?:\.[\w-]+)?$")
# What a schema dump shows of the engine it was dumped from.
_DUMPED_FROM = (
    (re.compile(r"\bENGINE=(?:InnoDB|MyISAM)\b", re.IGNORECASE), ops.Dialect.MYSQL),
    (re.compile(r"\bcharset: \"utf8(?:mb[34])?\", collation: "), ops.Dialect.MYSQL),
    (re.compile(r"\benable_extension \"plpgsql\"|\bpg_catalog\."), ops.Dialect.POSTGRESQL),
)
_ENVIRONMENTS = ("production", "default", "development")
_KEY = re.compile(r"^(\s*)([\w<.-]+):(?:\s+(.*))?$")

Path = tuple[str, ...]


def dialect_for(root: str, view: RepoView, side: Side = Side.HEAD) -> ops.Dialect | None:
    """The dialect of migrations under `root`, from the app's configuration at one end of the
    range (the head unless told): database.yml, else the copies of it the app ships when they
    agree, else the Gemfile's one driver, else the engine the schema file was dumped from."""
    app = root[: root.rfind("db/")]
    migrations_path = root[len(app) :]
    for folder in dict.fromkeys((app, "")):
        found = _from_config(view, side, folder + _CONFIG, migrations_path)
        if found is None:
            found = _served(
                _from_config(view, side, path, migrations_path)
                for path in _config_copies(view, side, folder)
            )
        if found is None:
            gemfile = view.read(side, folder + "Gemfile")
            found = from_gemfile(gemfile.text) if gemfile.text else None
        if found is not None:
            return found
    return _served(_dumped_from(view.read(side, path).text) for path in schema_files(root))


def _from_config(view: RepoView, side: Side, path: str, migrations_path: str) -> ops.Dialect | None:
    source = view.read(side, path)
    return from_database_yml(source.text, migrations_path) if source.text else None


def _config_copies(view: RepoView, side: Side, folder: str) -> list[str]:
    """`config/database.yml.tmpl`, `config/database.mysql.yml` and the like."""
    config = folder + "config"
    return sorted(
        path
        for path in view.tree(side, config)
        if posixpath.dirname(path) == config
        and path != folder + _CONFIG
        and _CONFIG_COPY.match(posixpath.basename(path))
    )


def _agreed(dialects: Iterable[ops.Dialect | None]) -> ops.Dialect | None:
    """The one dialect named, None when none or several are."""
    named = {d for d in dialects if d is not None}
    return named.pop() if len(named) == 1 else None


def _served(dialects: Iterable[ops.Dialect | None]) -> ops.Dialect | None:
    """The one dialect named, or the one server engine named beside SQLite (an app offering
    SQLite as its light option); None when none or several server engines are."""
    named = {d for d in dialects if d is not None}
    servers = named - {ops.Dialect.SQLITE}
    return _agreed(servers if servers else named)


def _dumped_from(text: str | None) -> ops.Dialect | None:
    """The engine a schema.rb or structure.sql shows it was dumped from, if it shows one."""
    if not text:
        return None
    return _agreed(dialect for marker, dialect in _DUMPED_FROM if marker.search(text))


def from_database_yml(text: str, migrations_path: str) -> ops.Dialect | None:
    """The adapter of the database whose `migrations_paths` is `migrations_path` (else the
    primary database of production, then development)."""
    values, anchors, merges = _scan(text)

    def adapter(path: Path) -> str | None:
        """The adapter set at `path` or inherited through `<<: *anchor`."""
        own = values.get((*path, "adapter"))
        if own is not None:
            return own
        for anchor in merges.get(path, ()):
            target = anchors.get(anchor)
            if target is not None and target != path:
                inherited = adapter(target)
                if inherited is not None:
                    return inherited
        return None

    candidates: list[Path] = [
        key[:-1]
        for key, value in values.items()
        if key[-1] == "migrations_paths" and migrations_path in value
    ]
    for env in _ENVIRONMENTS:
        candidates += [(env,), (env, "primary")]
    for path in candidates:
        found = _dialect(adapter(path))
        if found is not None:
            return found
    return _agreed(_dialect(v) for k, v in values.items() if k[-1] == "adapter")


def _scan(text: str) -> tuple[dict[Path, str], dict[str, Path], dict[Path, list[str]]]:
    """Keys of a YAML mapping by path, anchors and `<<: *anchor` merges (no full YAML)."""
    values: dict[Path, str] = {}
    anchors: dict[str, Path] = {}
    merges: dict[Path, list[str]] = {}
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _KEY.match(raw)
        if match is None:
            continue
        indent, key, rest = len(match.group(1)), match.group(2), (match.group(3) or "").strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = tuple(k for _, k in stack)
        if rest.startswith("&"):
            anchors[rest[1:].split()[0]] = (*parent, key)
            rest = ""
        if key == "<<" and rest.startswith("*"):
            merges.setdefault(parent, []).append(rest[1:].strip())
        elif not rest:
            stack.append((indent, key))
        else:
            path = (*parent, key)
            values[path] = rest.split(" #")[0].strip().strip("'\"")
    return values, anchors, merges


def _dialect(adapter: str | None) -> ops.Dialect | None:
    if adapter is None:
        return None
    if "<%" in adapter:
        quoted = re.findall(r"[\"'](\w+)[\"']", adapter)
        adapter = next((q for q in reversed(quoted) if q in ADAPTERS), None)
    return ADAPTERS.get(adapter) if adapter else None


def from_gemfile(text: str) -> ops.Dialect | None:
    """The dialect of the database driver gem a Gemfile declares, when exactly one is (SQLite
    beside a server engine's driver counts as the lighter option)."""
    root = treesitter.parse(text, "ruby")
    found: set[ops.Dialect] = set()
    for node in treesitter.walk(root):
        if node.type != "call" or treesitter.text(node.child_by_field_name("method")) != "gem":
            continue
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        if first is not None and first.type == "string":
            name = treesitter.text(first).strip("'\"")
            if name in _GEMS:
                found.add(_GEMS[name])
    return _served(found)


def engine_switch(root: str, view: RepoView, dialect: ops.Dialect | None) -> Finding | None:
    """A finding when the configuration names another database engine at the base than at
    the head: the base's database is not upgraded in place by these migrations."""
    before = dialect_for(root, view, Side.BASE)
    if before is None or dialect is None or before is dialect:
        return None
    return Finding(
        ImpactTag.BACKWARD_INCOMPATIBLE,
        f"the database engine changes in this range: {before.value} at the base, "
        f"{dialect.value} at the head (config/database.yml, Gemfile); databases at the base "
        f"are not upgraded in place, and every migration is judged for {dialect.value}",
    )
