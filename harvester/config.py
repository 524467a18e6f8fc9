"""Project configuration: `.harvester.toml`, or `[tool.harvester]` in `pyproject.toml`, read
from the range's head commit (never the working tree), validated into typed settings.

    title = "{title}: release notes"          # {title} {head} {base}
    template = "docs/release.md.j2"           # a Jinja2 template in the repository
    forge-url = "https://github.com/acme/shop"

    [key-commits]
    count = 12
    noise-patterns = ['^chore[(]deps[)]']     # regular expressions on the subject
    noise-patterns = ["^chore\\(deps\\)"]     # regular expressions on the subject
    important-paths = ["billing/", "**/auth/*.py"]

    [files]
    fold = ["frontend/src/generated"]

    [[migrations]]
    root = "services/ledger/sql"
    system = "sql"
    dialect = "postgresql"

    [engines]
    postgresql = "16"
    mysql = "8.0"
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harvester.analysis.key_commits import KeyCommitRules
from harvester.errors import ConfigError, TemplateError
from harvester.migrations.base import MigrationRoot
from harvester.migrations.schema.ops import Dialect

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = ".harvester.toml"
PYPROJECT = "pyproject.toml"
TITLE_FIELDS = ("title", "head", "base")

_KEYS: dict[str, tuple[str, ...]] = {
    "": ("title", "template", "forge-url", "key-commits", "files", "migrations", "engines"),
    "key-commits": ("count", "bot-authors", "noise-patterns", "important-paths"),
    "files": ("fold",),
    "migrations": ("root", "system", "dialect"),
    "engines": tuple(d.value for d in Dialect),
}


@dataclass(frozen=True, slots=True)
class UserTemplate:
    """A Jinja2 template for the document, with the name its errors are reported under."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """The settings a repository gives harvester; command-line options win over each."""

    source: str | None = None
    title: str | None = None
    template: UserTemplate | None = None
    forge_url: str | None = None
    key_commits: int | None = None
    rules: KeyCommitRules = field(default_factory=KeyCommitRules)
    fold: tuple[str, ...] = ()
    migrations: tuple[MigrationRoot, ...] = ()
    engines: Mapping[Dialect, str] = field(default_factory=dict)


ReadFiles = Callable[[Sequence[str]], Mapping[str, bytes | None]]


def load_config(read: ReadFiles, config_file: Path | None = None) -> ProjectConfig:
    """The project's configuration from the head commit (`read` returns files at head), or
    from `config_file` on disk when given; an empty configuration when there is none."""
    if config_file is not None:
        try:
            text = config_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read {config_file}: {error}") from error
        in_pyproject = config_file.name == PYPROJECT
        table = _table(text, str(config_file), in_pyproject)
        return _config(table or {}, str(config_file), lambda p: _disk(config_file.parent / p))
    found = read([CONFIG_FILE, PYPROJECT])
    for name in (CONFIG_FILE, PYPROJECT):
        data = found.get(name)
        if data is None:
            continue
        table = _table(data.decode("utf-8", "replace"), name, name == PYPROJECT)
        if table is not None:
            return _config(table, name, lambda p: read([p]).get(p))
    return ProjectConfig()


def template_from_file(path: Path) -> UserTemplate:
    """A user template read from disk (`--template FILE`)."""
    try:
        return UserTemplate(str(path), path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"cannot read template {path}: {error}") from error


def title_from_pattern(pattern: str, values: Mapping[str, str]) -> str:
    """`pattern` with `{title}`, `{head}` and `{base}` filled in."""
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], pattern)


def _disk(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _table(text: str, source: str, in_pyproject: bool) -> dict[str, Any] | None:
    """The harvester table of a TOML file; None when a pyproject.toml has none."""
    if in_pyproject and "harvester" not in text:
        return None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        if in_pyproject and "[tool.harvester" not in text:
            return None
        raise ConfigError(f"{source}: invalid TOML: {error}") from error
    if not in_pyproject:
        return data
    table = data.get("tool", {}).get("harvester")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.harvester] must be a table")
    return table


def _config(
    table: dict[str, Any], source: str, read: Callable[[str], bytes | None]
) -> ProjectConfig:
    check = _Checker(source if source != PYPROJECT else f"{PYPROJECT} [tool.harvester]")
    check.known(table, "")
    key_commits = check.table(table, "key-commits")
    files = check.table(table, "files")
    engines = check.table(table, "engines")
    title = check.string(table, "title")
    if title is not None:
        check.title(title)
    template_path = check.string(table, "template")
    return ProjectConfig(
        source=source,
        title=title,
        template=check.template(template_path, read) if template_path else None,
        forge_url=check.string(table, "forge-url"),
        key_commits=check.count(key_commits, "key-commits.count"),
        rules=KeyCommitRules(
            bot_authors=check.patterns(key_commits, "key-commits.bot-authors"),
            noise_patterns=check.patterns(key_commits, "key-commits.noise-patterns"),
            important_paths=check.paths(key_commits, "key-commits.important-paths"),
        ),
        fold=check.paths(files, "files.fold"),
        migrations=check.migrations(table),
        engines={Dialect(k): check.version(engines, k) for k in sorted(engines)},
    )


class _Checker:
    """Typed reads of one configuration table; every mistake is a `ConfigError` naming the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {problem}")

    def known(self, table: Mapping[str, Any], section: str, where: str | None = None) -> None:
        allowed = _KEYS[section]
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                name = f"{where or section}.{key}" if where or section else key
                raise self.fail(name, f"unknown key{hint}; known keys: {', '.join(allowed)}")

    def table(self, table: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table ([{key}]), got {_kind(value)}")
        self.known(value, key)
        return value

    def string(self, table: Mapping[str, Any], key: str, name: str | None = None) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name or key, f"expected a non-empty string, got {_kind(value)}")
        return value

    def strings(self, table: Mapping[str, Any], name: str) -> tuple[str, ...]:
        value = table.get(name.rsplit(".", 1)[-1], [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(name, f"expected a list of non-empty strings, got {_kind(value)}")
        return tuple(value)

    def count(self, table: Mapping[str, Any], name: str) -> int | None:
        value = table.get(name.rsplit(".", 1)[-1])
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(name, f"expected a whole number, 0 or more, got {_kind(value)}")
        return value

    def patterns(self, table: Mapping[str, Any], name: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for text in self.strings(table, name):
            try:
                compiled.append(re.compile(text, re.I))
            except re.error as error:
                raise self.fail(name, f"invalid regular expression {text!r}: {error}") from error
        return tuple(compiled)

    def paths(self, table: Mapping[str, Any], name: str) -> tuple[str, ...]:
        return tuple(self.relative(path, name) for path in self.strings(table, name))

    def relative(self, path: str, name: str) -> str:
        if path.startswith("/") or ".." in path.split("/"):
            raise self.fail(name, f"{path!r}: give paths relative to the repository root")
        return path

    def title(self, pattern: str) -> None:
        for placeholder in re.findall(r"\{([^}]*)\}", pattern):
            if placeholder not in TITLE_FIELDS:
                known = ", ".join("{" + f + "}" for f in TITLE_FIELDS)
                raise self.fail("title", f"unknown placeholder {{{placeholder}}}; use {known}")

    def template(self, path: str, read: Callable[[str], bytes | None]) -> UserTemplate:
        data = read(path)
        if data is None:
            raise self.fail("template", f"{path} is not in the repository at the head commit")
        try:
            return UserTemplate(path, data.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise self.fail("template", f"{path} is not UTF-8 text") from error

    def version(self, engines: Mapping[str, Any], key: str) -> str:
        value = engines[key]
        if not isinstance(value, str) or not re.match(r"^\d+(?:\.\d+)*$", value):
            raise self.fail(
                f"engines.{key}", f'expected a version string such as "16" or "8.0", got {value!r}'
            )
        return value

    def migrations(self, table: Mapping[str, Any]) -> tuple[MigrationRoot, ...]:
        from harvester.migrations.registry import SYSTEMS

        entries = table.get("migrations", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.fail("migrations", "expected an array of tables ([[migrations]])")
        systems = [s.name for s in SYSTEMS]
        roots = []
        for index, entry in enumerate(entries):
            where = f"migrations[{index}]"
            self.known(entry, "migrations", where)
            root = self.string(entry, "root", f"{where}.root")
            system = self.string(entry, "system", f"{where}.system")
            if root is None or system is None:
                raise self.fail(where, "needs both root and system")
            self.relative(root, f"{where}.root")
            if system not in systems:
                raise self.fail(
                    f"{where}.system", f"unknown system {system!r}; known: {', '.join(systems)}"
                )
            dialect = self.string(entry, "dialect", f"{where}.dialect")
            if dialect is not None and dialect not in _KEYS["engines"]:
                raise self.fail(
                    f"{where}.dialect",
                    f"unknown dialect {dialect!r}; known: {', '.join(_KEYS['engines'])}",
                )
            roots.append(
                MigrationRoot(system, root.strip("/"), Dialect(dialect) if dialect else None)
            )
        return tuple(roots)


def _kind(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    return {dict: "a table", list: "a list", bool: "a boolean"}.get(type(value), repr(value))
