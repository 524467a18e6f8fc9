"""Which database an Ecto repo's migrations run on: the repo module's `adapter:`, its `priv:`
folder from config, else the driver in mix.exs.

defmodule MyApp.Repo do
  use Ecto.Repo, otp_app: :my_app, adapter: Ecto.Adapters.Postgres
end
# config :my_app, MyApp.EventsRepo, priv: "priv/events"
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping

from harvester.migrations import treesitter
from harvester.migrations.base import RepoView, Side
from harvester.migrations.ecto.elixir import ElixirValues, target_name
from harvester.migrations.literals import Code, Value, name_of
from harvester.migrations.rails.naming import underscore
from harvester.migrations.schema import ops

ADAPTERS: Mapping[str, ops.Dialect] = {
    "Ecto.Adapters.Postgres": ops.Dialect.POSTGRESQL,
    "Ecto.Adapters.MyXQL": ops.Dialect.MYSQL,
    "Ecto.Adapters.MySQL": ops.Dialect.MYSQL,
    "Ecto.Adapters.SQLite3": ops.Dialect.SQLITE,
    "Sqlite.Ecto2": ops.Dialect.SQLITE,
    "Ecto.Adapters.Tds": ops.Dialect.SQLSERVER,
    "Ecto.Adapters.ClickHouse": ops.Dialect.CLICKHOUSE,
    "ClickhouseEcto": ops.Dialect.CLICKHOUSE,
}
_DRIVERS: Mapping[str, ops.Dialect] = {
    "postgrex": ops.Dialect.POSTGRESQL,
    "myxql": ops.Dialect.MYSQL,
    "mariaex": ops.Dialect.MYSQL,
    "ecto_sqlite3": ops.Dialect.SQLITE,
    "tds": ops.Dialect.SQLSERVER,
    "ecto_ch": ops.Dialect.CLICKHOUSE,
}
_CONFIGS = ("config.exs", "dev.exs", "prod.exs", "runtime.exs", "test.exs")


def dialect_for(root: str, view: RepoView) -> ops.Dialect | None:
    """The dialect of the repo whose migrations live in `root` (`<app>/priv/<repo>/migrations`)."""
    app = root[: root.rfind("priv/")]
    priv = posixpath.dirname(root)[len(app) :]
    apps = [app] if not app else [app, ""]
    repos: dict[str, ops.Dialect | None] = {}
    folders: dict[str, str] = {}
    for prefix in apps:
        for path in _repo_files(view, prefix):
            repos.update(_repo_modules(view, path))
        for name in _CONFIGS:
            found_folders, found_adapters = _config(view, f"{prefix}config/{name}")
            folders.update(found_folders)
            for module, dialect in found_adapters.items():
                repos.setdefault(module, dialect)
    for module, dialect in repos.items():
        folder = folders.get(module, "priv/" + underscore(module.split(".")[-1]))
        if folder.rstrip("/") == priv and dialect is not None:
            return dialect
    known = {d for d in repos.values() if d is not None}
    if len(known) == 1:
        return known.pop()
    for prefix in apps:
        found = _from_mix(view, prefix + "mix.exs")
        if found is not None:
            return found
    return None


def _repo_files(view: RepoView, prefix: str) -> Iterator[str]:
    """Files that conventionally define repos: `lib/**/repo.ex`, `lib/**/*_repo.ex`."""
    folders = [f"{prefix}lib"]
    if not prefix:
        folders += sorted({"/".join(p.split("/")[:3]) for p in view.tree(Side.HEAD, "apps")})
    for folder in folders:
        lib = folder if folder.endswith("lib") else f"{folder}/lib"
        for path in view.tree(Side.HEAD, lib):
            base = posixpath.basename(path)
            if base == "repo.ex" or base.endswith("_repo.ex"):
                yield path


def _repo_modules(view: RepoView, path: str) -> dict[str, ops.Dialect | None]:
    """`{module: dialect}` for each `use Ecto.Repo, adapter: …` module in a file."""
    source = view.read(Side.HEAD, path)
    if source.text is None:
        return {}
    root = treesitter.parse(source.text, "elixir")
    values = ElixirValues()
    found: dict[str, ops.Dialect | None] = {}
    for node in treesitter.walk(root):
        if node.type != "call" or target_name(node) != "defmodule":
            continue
        args = values.arguments(node, {})
        module = _module_name(args.positional[0] if args.positional else None)
        for inner in treesitter.walk(node):
            if (
                inner.type == "call"
                and target_name(inner) == "use"
                and "Ecto.Repo" in treesitter.text(inner)
            ):
                adapter = values.arguments(inner, {}).options.get("adapter")
                found[module] = ADAPTERS.get(_module_name(adapter))
                break
    return found


def _config(view: RepoView, path: str) -> tuple[dict[str, str], dict[str, ops.Dialect | None]]:
    """`priv:` folders and `adapter:` settings by repo module in a config file."""
    source = view.read(Side.HEAD, path)
    if source.text is None:
        return {}, {}
    root = treesitter.parse(source.text, "elixir")
    values = ElixirValues()
    folders: dict[str, str] = {}
    adapters: dict[str, ops.Dialect | None] = {}
    for node in treesitter.walk(root):
        if node.type != "call" or target_name(node) != "config":
            continue
        args = values.arguments(node, {})
        if len(args.positional) < 2:
            continue
        module = _module_name(args.positional[1])
        priv = args.options.get("priv")
        if isinstance(priv, str):
            folders[module] = priv
        if "adapter" in args.options:
            adapters[module] = ADAPTERS.get(_module_name(args.options["adapter"]))
    return folders, adapters


def _from_mix(view: RepoView, path: str) -> ops.Dialect | None:
    """The dialect of the one database driver a mix.exs depends on."""
    source = view.read(Side.HEAD, path)
    if source.text is None:
        return None
    root = treesitter.parse(source.text, "elixir")
    found = {
        _DRIVERS[name]
        for node in treesitter.walk(root)
        if node.type == "tuple" and node.named_children
        for name in [treesitter.text(node.named_children[0]).lstrip(":")]
        if name in _DRIVERS
    }
    return found.pop() if len(found) == 1 else None


def _module_name(value: Value) -> str:
    if isinstance(value, Code):
        return value.text
    return name_of(value) or ""
