"""A Rails migrations folder's schema file (`db/schema.rb` or `db/structure.sql`): what the
range changed in it, and `schema_drift` when those changes and the range's migrations disagree.

db/migrate        <->  db/schema.rb, db/structure.sql
db/queue_migrate  <->  db/queue_schema.rb, db/queue_structure.sql

schema.rb compares as its dumper means it: `ActiveRecord::Schema[7.0]` writes datetime
precision 6 (the default) as nothing and no precision as `precision: nil`, older dumps the
other way round; Rails 6.1+ writes `charset:` and `collation:` where older ones wrote
`options: "ENGINE=InnoDB DEFAULT CHARSET=…"`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from functools import partial

from harvester.migrations import snapshots
from harvester.migrations.base import MigrationRoot, RepoView, Side
from harvester.migrations.rails.migration import read_migration
from harvester.migrations.rails.paths import root_of, version_of
from harvester.migrations.rails.schema_rb import read_schema_rb
from harvester.migrations.schema import ops
from harvester.migrations.snapshots import Explained, SchemaShape
from harvester.migrations.structure_sql import plain_charset, read_structure_sql
from harvester.migrations.timestamped import FolderResult, released_since
from harvester.model import ChangeKind, Finding, SchemaSnapshot

_SNAPSHOT = re.compile(r"(?:^|/)db/(?:(\w+)_)?(schema\.rb|structure\.sql)$")
_DUMPER = re.compile(r"ActiveRecord::Schema\[(\d+)\.(\d+)\]")
_PRECISION = re.compile(r", precision: (\w+)")
_TABLE_OPTION = re.compile(r'(?:^|, )(options|charset|collation): "([^"]*)"')
# MySQL TINY/MEDIUM/LONG TEXT and BLOB: newer Rails dumps `size: :medium`, older `limit: 16777215`.
_BLOB_SIZES = {"255": "tiny", "16777215": "medium", "4294967295": "long"}
_BLOB_LIMIT = re.compile(r"\blimit: (255|16777215|4294967295)\b")
_DEFAULT_CHARSET = re.compile(r"\s*DEFAULT CHARSET=(\w+)(?: COLLATE=(\w+))?")


def migrations_folder_of(path: str) -> str | None:
    """The migrations folder a schema file belongs to (`db/schema.rb` -> `db/migrate`).
    `db/data_schema.rb` is the data_migrate gem's record of the data migrations run, not
    the schema of a database named `data`."""
    match = _SNAPSHOT.search(path)
    if match is None or (match.group(1) == "data" and match.group(2) == "schema.rb"):
        return None
    prefix = path[: match.start()] + ("/" if match.start() else "")
    prefix = prefix.lstrip("/")
    database = match.group(1)
    return f"{prefix}db/{database}_migrate" if database else f"{prefix}db/migrate"


def schema_files(root: str) -> tuple[str, str]:
    """The schema.rb and structure.sql paths that belong to migrations folder `root`."""
    db = posixpath.dirname(root)
    folder = posixpath.basename(root)
    prefix = folder[: -len("_migrate")] + "_" if folder.endswith("_migrate") else ""
    return f"{db}/{prefix}schema.rb", f"{db}/{prefix}structure.sql"


def summarise(
    root: MigrationRoot, view: RepoView, folder: FolderResult
) -> tuple[tuple[SchemaSnapshot, ...], tuple[Finding, ...]]:
    """Snapshot summaries of `root`'s schema files and the drift findings."""
    return snapshots.summarise(
        "rails",
        schema_files(root.root),
        view,
        folder,
        lambda side, path: _shape(view, side, path, root.dialect),
        lambda since: _explained(root, view, folder, since),
        has_migrations=bool(view.tree(Side.HEAD, root.root) or view.tree(Side.BASE, root.root)),
    )


def _shape(
    view: RepoView, side: Side, path: str, dialect: ops.Dialect | None
) -> SchemaShape | None:
    source = view.read(side, path)
    if source.text is None:
        return None
    if path.endswith(".rb"):
        shape = read_schema_rb(source.text)
        match = _DUMPER.search(source.text)
        dumper = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        return replace(shape, plain=partial(plain_schema_rb, dumper)) if shape else None
    return read_structure_sql(source.text, dialect)


def plain_schema_rb(dumper: tuple[int, int], part: str, text: str) -> str:
    """A schema.rb column's or table options' text as the dump of Rails `dumper` means it:
    datetime with its precision spelled out, a MySQL text or blob's size however it is written,
    `utf8mb3` as `utf8`, and the table's charset and collation however the dump wrote them."""
    if part == "options":
        return _table_options(text)
    if part != "column":
        return text
    text = text.replace("utf8mb3", "utf8")
    method = text.split(",")[0]
    if method in ("text", "binary"):
        return _BLOB_LIMIT.sub(lambda m: f"size: :{_BLOB_SIZES[m.group(1)]}", text)
    if method != "datetime":
        return text
    match = _PRECISION.search(text)
    implied = "6" if dumper >= (7, 0) else "nil"
    return f"{_PRECISION.sub('', text)}, precision: {match.group(1) if match else implied}"


def _table_options(text: str) -> str:
    """`id: :integer, options: "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"` and
    `id: :integer, charset: "utf8mb4"` both as `id: :integer, charset utf8mb4`."""
    named = dict(_TABLE_OPTION.findall(text))
    rest = _TABLE_OPTION.sub("", text).strip(", ")
    raw = named.get("options", "")
    charset, collation = named.get("charset"), named.get("collation")
    match = _DEFAULT_CHARSET.search(raw)
    if match is not None:
        charset, collation = charset or match.group(1), collation or match.group(2)
        raw = raw[: match.start()] + raw[match.end() :]
    raw = " ".join(word for word in raw.split() if word != "ENGINE=InnoDB")
    parts = [rest, f"options {raw}" if raw else "", ""]
    if charset:
        parts[2] = f"charset {plain_charset(charset, collation)}"
    return ", ".join(part for part in parts if part)


def _explained(
    root: MigrationRoot, view: RepoView, folder: FolderResult, since: str | None
) -> Explained:
    """What the range's migrations of this database touch, including sibling folders without a
    schema file of their own (GitLab's `db/post_migrate` shares `db/structure.sql`) and engines
    that add their migrations folder to the app's, and the released migrations a lagging schema
    file (at version `since`) had not caught up with."""
    explained = Explained()
    for parsed in folder.parsed:
        explained.add(parsed.id, parsed.up.operations)
    if since is not None:
        for parsed in released_since(root, view, version_of, read_migration, since):
            explained.add(parsed.id, parsed.up.operations)
    db = posixpath.dirname(root.root)
    appended: dict[str, bool] = {}
    for change in view.changes():
        sibling = posixpath.dirname(change.path)
        if change.status is ChangeKind.DELETED or not change.path.endswith(".rb"):
            continue
        if sibling == root.root:
            continue
        if posixpath.dirname(sibling) != db or not sibling.endswith("migrate"):
            engine = root_of(change.path)
            if root.root != "db/migrate" or engine is None:
                continue
            if engine not in appended:
                appended[engine] = _engine_appends_migrations(view, engine)
            if not appended[engine]:
                continue
        elif any(view.read(Side.HEAD, p).text is not None for p in schema_files(sibling)):
            continue
        source = view.read(Side.HEAD, change.path)
        version = posixpath.basename(change.path).split("_", 1)[0]
        if source.text is None or not version.isdigit():
            continue
        reading = read_migration(source.text, change.path, version, root.dialect)
        if reading.parsed is not None:
            explained.add(version, reading.parsed.up.operations)
    return explained


# An engine's initializer adding its migrations to the app's:
# `app.config.paths["db/migrate"] << path`, `.push(path)`, `.concat(config.paths[…].expanded)`.
_APPENDS_MIGRATIONS = re.compile(
    r"""\bapp\.config\.paths\[\s*["']db/migrate["']\s*\]\s*(?:<<|\+=|\.(?:push|concat|unshift)\b)"""
)


def _engine_appends_migrations(view: RepoView, folder: str) -> bool:
    """Whether `folder` (`engines/x/db/migrate`) is an engine's migrations folder that the
    engine's code adds to the app's migrations paths (`lib/**/engine.rb`), so the app's
    schema file dumps its tables too."""
    if not folder.endswith("/db/migrate"):
        return False
    engine = folder[: -len("/db/migrate")]
    return any(
        path.endswith("engine.rb")
        and _APPENDS_MIGRATIONS.search(view.read(Side.HEAD, path).text or "") is not None
        for path in view.tree(Side.HEAD, f"{engine}/lib")
    )
