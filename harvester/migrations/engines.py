"""Which database engine a Python project runs on, read from its settings and config files.

    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", …}}
    sqlalchemy.url = postgresql://scott:tiger@localhost/test
    image: mariadb:10.11            (docker-compose.yml)

Engine module names (`django.db.backends.mysql`), database URLs and drivers (`postgres://…`,
`mysql+pymysql`) in string literals, database images in compose files and database drivers
the project depends on (`psycopg` in requirements.txt or pyproject.toml) are counted. A
project naming several engines is judged for PostgreSQL when it is among them, else for the
server engine named most; SQLite only when nothing else is named, since it is so often the
development default (the others are reported in a note).

Evidence is weighed: a server engine the settings configure outweighs compose files (mostly
for development) and a SQLite URL (most often the fallback default of
`env.db("DATABASE_URL", default="sqlite:///…")`); a database driver among the dependencies
outweighs those too. A driver that is only an optional extra (`extras_require`,
`[project.optional-dependencies]`) is not a dependency: it names an engine the project can
run on, not the one it runs on by default. A server engine chosen over a settings module whose
own database URL is SQLite (`SQLALCHEMY_DATABASE_URI = "sqlite:///…"`, Mailu's defaults dict)
names that default too: a deployment that sets no other URL runs on SQLite.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from harvester.migrations.base import RepoView, Side, Source
from harvester.migrations.schema.ops import Dialect

_BACKEND = re.compile(r"\bdb\.backends\.(postgresql\w*|postgis|mysql|sqlite3|spatialite|oracle)\b")
_URL = re.compile(
    r"^(postgres|postgresql|postgis|pgsql|mysql|mariadb|sqlite|oracle)(\+\w+)?(://|$)"
)
_IMAGE = re.compile(
    r"^\s*image:\s*[\"']?(?:[\w.-]+/)*(postgres|postgis|mysql|mariadb)[:@\"'\s]", re.MULTILINE
)
_COMPOSE = re.compile(r"^(docker-)?compose[\w.-]*\.ya?ml$")
_DEPENDENCY_FILE = re.compile(
    r"^(requirements[\w.-]*\.(txt|in)|pyproject\.toml|Pipfile|setup\.(py|cfg))$"
)
_DRIVER = re.compile(
    r"(?<![\w.-])(psycopg2?|psycopg2-binary|psycopg-binary|asyncpg|mysqlclient|pymysql|"
    r"mysql-connector-python)(?=$|[\s<>=!~;,\[\]\"'])",
    re.IGNORECASE | re.MULTILINE,
)
_DRIVERS = {
    "psycopg": Dialect.POSTGRESQL,
    "psycopg2": Dialect.POSTGRESQL,
    "psycopg2-binary": Dialect.POSTGRESQL,
    "psycopg-binary": Dialect.POSTGRESQL,
    "asyncpg": Dialect.POSTGRESQL,
    "mysqlclient": Dialect.MYSQL,
    "pymysql": Dialect.MYSQL,
    "mysql-connector-python": Dialect.MYSQL,
}
_NAMES = {
    "postgres": Dialect.POSTGRESQL,
    "postgresql": Dialect.POSTGRESQL,
    "postgis": Dialect.POSTGRESQL,
    "pgsql": Dialect.POSTGRESQL,
    "mysql": Dialect.MYSQL,
    "mariadb": Dialect.MARIADB,
    "sqlite": Dialect.SQLITE,
    "sqlite3": Dialect.SQLITE,
    "spatialite": Dialect.SQLITE,
}
_CONFIG = re.compile(r"(^|_)(settings|config|configuration|conf)([_.]|$)|^alembic\.ini$", re.I)
_MOST_FILES = 40
# A Python file in such a folder is a settings module (flaskbb's `configs/default.py`).
_CONFIG_FOLDERS = frozenset({"settings", "config", "configs", "conf"})


@dataclass(frozen=True, slots=True)
class EngineEvidence:
    """The engine to judge migrations for, the others the project names, and a note."""

    dialect: Dialect | None
    others: tuple[Dialect, ...] = ()
    note: str | None = None


def engines_in_text(text: str) -> Counter[Dialect]:
    """Engines named by string literals of a Python file (or lines of an ini file)."""
    configured, weak = _engines_named(text)
    return configured + weak


def _engines_named(text: str) -> tuple[Counter[Dialect], Counter[Dialect]]:
    """The engines a settings or config file configures, and those it names only weakly: a
    SQLite URL (most often a fallback default) and compose images."""
    configured: Counter[Dialect] = Counter()
    weak: Counter[Dialect] = Counter()
    for value in _string_literals(text):
        for match in _BACKEND.finditer(value):
            name = match.group(1)
            dialect = _NAMES.get("postgresql" if name.startswith("postgresql") else name)
            if dialect:
                configured[dialect] += 1
        url = _URL.match(value.strip())
        if url and url.group(1) in _NAMES:
            dialect = _NAMES[url.group(1)]
            (weak if dialect is Dialect.SQLITE else configured)[dialect] += 1
    for image in _IMAGE.finditer(text):
        weak[_NAMES[image.group(1)]] += 1
    return configured, weak


def drivers_in_text(text: str) -> Counter[Dialect]:
    """Engines whose database driver a dependency file lists (`psycopg==3.1.18`)."""
    found: Counter[Dialect] = Counter()
    for match in _DRIVER.finditer(text):
        found[_DRIVERS[match.group(1).lower()]] += 1
    return found


def _required_and_optional(source: Source) -> tuple[str, str]:
    """A dependency file split into what it requires and its optional extras: setup.py's
    `extras_require`, setup.cfg's `[options.extras_require]`, pyproject's
    `[project.optional-dependencies]` and Poetry's `optional = true`, Pipfile's
    `[dev-packages]`."""
    text = source.text or ""
    if source.path.endswith(".py"):
        return _without_extras_require(text)
    required: list[str] = []
    optional: list[str] = []
    in_extras = False
    for line in text.splitlines():
        header = line.strip()
        if header.startswith("["):
            in_extras = header in _OPTIONAL_SECTIONS
        extra = in_extras or re.search(r"\boptional\s*=\s*true\b", line) is not None
        (optional if extra else required).append(line)
    return "\n".join(required), "\n".join(optional)


def _without_extras_require(text: str) -> tuple[str, str]:
    """setup.py without the value of `extras_require` (as a keyword or a variable), and it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return text, ""
    values = [
        node.value
        for node in ast.walk(tree)
        if (isinstance(node, ast.keyword) and node.arg == "extras_require")
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "extras_require" for t in node.targets)
        )
    ]
    lines = text.splitlines(keepends=True)
    optional = [ast.get_source_segment(text, v) or "" for v in values]
    for value in values:
        end = value.end_lineno or value.lineno
        for number in range(value.lineno - 1, end):
            lines[number] = "\n"
    return "".join(lines), "\n".join(optional)


_OPTIONAL_SECTIONS = frozenset(
    {
        "[project.optional-dependencies]",
        "[tool.poetry.extras]",
        "[options.extras_require]",
        "[dev-packages]",
    }
)


def config_sources(view: RepoView, near: str) -> list[Source]:
    """Settings and config files of the head tree, nearest to `near` first, test settings left
    out (they often use SQLite whatever production runs on)."""
    candidates = sorted(_config_paths(view), key=lambda p: (_distance(p, near), p))
    sources = [view.read(Side.HEAD, path) for path in candidates[:_MOST_FILES]]
    return [s for s in sources if s.text is not None]


def engines_in_sources(sources: Iterable[Source], where: str = "settings") -> EngineEvidence:
    """The engine the files name, weighed (see the module's docstring, and `decide`); a
    server engine chosen over a settings module whose default database URL is SQLite says so."""
    sources = list(sources)
    chosen = _weighed_sources(sources, where)
    if chosen.dialect in (None, Dialect.SQLITE):
        return chosen
    default = next((d for s in sources if (d := _sqlite_default(s)) is not None), None)
    if default is None:
        return chosen
    note = chosen.note or f"judged for {chosen.dialect.value}, the engine the {where} name"
    others = chosen.others if Dialect.SQLITE in chosen.others else (*chosen.others, Dialect.SQLITE)
    return EngineEvidence(
        chosen.dialect,
        others,
        f"{note}; {default}: a deployment that sets no other database URL runs on SQLite",
    )


# A module-level setting that holds the database URL (`SQLALCHEMY_DATABASE_URI`, `DATABASE_URL`).
_URL_SETTING = re.compile(r"DATABASE_UR[IL]$|^DB_UR[IL]$", re.IGNORECASE)


def _sqlite_default(source: Source) -> str | None:
    """`SQLALCHEMY_DATABASE_URI in config.py defaults to SQLite (sqlite:////data/main.db)` when a
    settings module sets its database URL to a SQLite one at module level (an assignment, or
    an entry of a defaults dict such as Mailu's `DEFAULT_CONFIG`); None otherwise."""
    if not source.path.endswith(".py") or source.text is None:
        return None
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    pairs: list[tuple[str, ast.expr]] = []
    for statement in tree.body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        pairs += [(t.id, statement.value) for t in targets if isinstance(t, ast.Name)]
        if isinstance(statement.value, ast.Dict):
            pairs += [
                (k.value, v)
                for k, v in zip(statement.value.keys, statement.value.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
    for name, value in pairs:
        if (
            _URL_SETTING.search(name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and (url := _URL.match(value.value.strip())) is not None
            and _NAMES.get(url.group(1)) is Dialect.SQLITE
        ):
            return f"{name} in {source.path} defaults to SQLite ({value.value})"
    return None


def _weighed_sources(sources: list[Source], where: str) -> EngineEvidence:
    """The engine the files name, weighed."""
    configured: Counter[Dialect] = Counter()
    weak: Counter[Dialect] = Counter()
    drivers: Counter[Dialect] = Counter()
    optional: Counter[Dialect] = Counter()
    for source in sources:
        name = source.path.rpartition("/")[2]
        if _is_dependency_file(source.path):
            required, extras = _required_and_optional(source)
            drivers += drivers_in_text(required)
            optional += drivers_in_text(extras)
            continue
        strong, fallback = _engines_named(source.text or "")
        if _COMPOSE.match(name):
            weak += strong + fallback
        else:
            configured += strong
            weak += fallback
    everything = configured + weak
    primary, why = configured, "the server engine the settings configure"
    if not configured:  # an explicit SQLite engine keeps its word over a driver
        primary, why = drivers, "the database driver the project depends on"
    servers = _servers(primary)
    if not servers:
        return _with_extras(decide(everything, where), optional, where)
    seen = everything + drivers
    if set(servers) == {Dialect.MYSQL} and Dialect.MARIADB in weak and Dialect.MYSQL not in weak:
        # MySQL drivers and URLs serve MariaDB as well; the server a compose file runs says which.
        others = tuple(sorted((d for d in seen if d is not Dialect.MARIADB), key=lambda d: d.value))
        also = (
            f" (the project's files also name {', '.join(d.value for d in others)})"
            if set(others) - {Dialect.MYSQL}
            else ""
        )
        return EngineEvidence(
            Dialect.MARIADB,
            others,
            f"the {where} name MySQL, whose drivers MariaDB shares, and a compose file runs "
            f"MariaDB; judged for mariadb{also}",
        )
    if set(seen) <= set(primary):
        chosen = decide(primary, where)
        if configured or chosen.note or chosen.dialect is None:
            return chosen
        # Nothing in the settings names it: say where the engine came from.
        return dataclasses.replace(
            chosen,
            note=f"no engine in the {where}; judged for {chosen.dialect.value}, {why}",
        )
    return _weighed(decide(servers, where), seen, where, why)


def _with_extras(chosen: EngineEvidence, optional: Counter[Dialect], where: str) -> EngineEvidence:
    """`chosen`, saying which engines the project supports only through optional extras."""
    extras = sorted(d.value for d in optional if d is not chosen.dialect)
    if chosen.dialect is None or not extras:
        return chosen
    more = (d for d in optional if d is not chosen.dialect)
    others = tuple(dict.fromkeys([*chosen.others, *more]))
    note = chosen.note or f"judged for {chosen.dialect.value}, the engine the {where} name"
    return EngineEvidence(
        chosen.dialect,
        others,
        f"{note}; {', '.join(extras)} only through an optional extra of the dependencies",
    )


def _servers(counts: Counter[Dialect]) -> Counter[Dialect]:
    return Counter({d: n for d, n in counts.items() if d is not Dialect.SQLITE})


def _weighed(
    chosen: EngineEvidence, seen: Counter[Dialect], where: str, why: str
) -> EngineEvidence:
    """`chosen`, with the other engines seen and why it was preferred in the note."""
    dialect = chosen.dialect
    others = tuple(sorted((d for d in seen if d is not dialect), key=lambda d: d.value))
    listed = ", ".join(sorted(d.value for d in seen))
    name = dialect.value if dialect else "?"
    return EngineEvidence(
        dialect,
        others,
        f"{where} and the project's files name several database engines ({listed}); judged "
        f"for {name}, {why}",
    )


def decide(counts: Counter[Dialect], where: str) -> EngineEvidence:
    """One engine from counted evidence; PostgreSQL first when several are named."""
    if not counts:
        return EngineEvidence(None)
    named = sorted(counts, key=lambda d: (d is Dialect.SQLITE, -counts[d], d.value))
    chosen = Dialect.POSTGRESQL if Dialect.POSTGRESQL in counts else named[0]
    others = tuple(d for d in named if d is not chosen)
    if not others:
        return EngineEvidence(chosen)
    listed = ", ".join(sorted(d.value for d in counts))
    return EngineEvidence(
        chosen,
        others,
        f"{where} name several database engines ({listed}); judged for {chosen.value}",
    )


def _string_literals(text: str) -> list[str]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return [line.split("=", 1)[-1].strip(" \"'") for line in text.splitlines()]
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


_CONFIG_PATHS: WeakKeyDictionary[RepoView, tuple[str, ...]] = WeakKeyDictionary()


def _config_paths(view: RepoView) -> tuple[str, ...]:
    """The settings and config files of the head tree (found once per view)."""
    if view not in _CONFIG_PATHS:
        _CONFIG_PATHS[view] = tuple(p for p in view.tree(Side.HEAD, "") if _is_config(p))
    return _CONFIG_PATHS[view]


# Settings under these folders configure a generated project or an example, not this one
# (Wagtail's `project_template/` defaults to SQLite).
_NOT_DEPLOYED_FOLDERS = ("template", "example", "sample", "{{", "docs")


def _is_config(path: str) -> bool:
    name = path.rpartition("/")[2]
    if _COMPOSE.match(name):
        return True
    if _is_dependency_file(path):
        return not any(marker in path.lower() for marker in ("test", *_NOT_DEPLOYED_FOLDERS))
    parts = path.lower().split("/")
    in_config_folder = any(part in _CONFIG_FOLDERS for part in parts[:-1])
    if name.endswith(".py"):
        if not _CONFIG.search(name[:-3]) and not in_config_folder:
            return False
    elif name != "alembic.ini":
        return False
    if any("test" in part for part in parts) or any(
        marker in folder for folder in parts[:-1] for marker in _NOT_DEPLOYED_FOLDERS
    ):
        return False
    stem = name.rsplit(".", 1)[0] if name.endswith(".py") else name
    return bool(_CONFIG.search(stem)) or in_config_folder


def _is_dependency_file(path: str) -> bool:
    """requirements.txt, requirements/base.txt, pyproject.toml, Pipfile, setup.py."""
    folder, _, name = path.rpartition("/")
    in_requirements = folder.rpartition("/")[2] == "requirements" and name.endswith((".txt", ".in"))
    return in_requirements or bool(_DEPENDENCY_FILE.match(name))


def _distance(path: str, near: str) -> int:
    shared = posixpath.commonpath([path, near]) if near else ""
    return path.count("/") + near.count("/") - 2 * (shared.count("/") + (1 if shared else 0))
