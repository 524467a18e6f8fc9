"""The report model: frozen records that mining produces and rendering reads.

This module imports nothing else of the project. Field names follow the report contract; the
JSON report is `dataclasses.asdict` of `Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SCHEMA_VERSION = 1


class ChangeKind(str, Enum):
    """How a path changed between the two ends of the range."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    TYPE_CHANGED = "type_changed"


class FileKind(str, Enum):
    """What a changed file is, in a reviewer's words."""

    SOURCE = "source"
    TEST = "test"
    MIGRATION = "migration"
    SCHEMA = "schema"
    DEPENDENCIES = "dependencies"
    LOCK_FILE = "lock_file"
    CI = "ci"
    DOCS = "docs"
    CONFIG = "config"
    BUILD = "build"
    GENERATED = "generated"
    VENDORED = "vendored"
    SNAPSHOT = "snapshot"
    TRANSLATION = "translation"
    ASSET = "asset"
    SUBMODULE = "submodule"


class ImpactTag(str, Enum):
    """Data-impact tags of the report contract."""

    NONE = "none"
    DESTRUCTIVE_DROP_TABLE = "destructive_drop_table"
    DESTRUCTIVE_DROP_COLUMN = "destructive_drop_column"
    TABLE_REWRITE = "table_rewrite"
    TABLE_REBUILD = "table_rebuild"
    TYPE_CHANGE_NO_REWRITE = "type_change_no_rewrite"
    NOT_NULL_ON_EXISTING_COLUMN = "not_null_on_existing_column"
    NOT_NULL_COLUMN_WITHOUT_DEFAULT = "not_null_column_without_default"
    UNIQUE_ON_EXISTING_DATA = "unique_on_existing_data"
    LOCK_HEAVY_INDEX = "lock_heavy_index"
    INDEX_DROP_LOCK = "index_drop_lock"
    FK_ADDED_EXISTING_TABLE = "fk_added_existing_table"
    FK_DROPPED = "fk_dropped"
    CHECK_CONSTRAINT_VALIDATED = "check_constraint_validated"
    ENUM_VALUE_ADDED = "enum_value_added"
    DATA_BACKFILL = "data_backfill"
    DATA_DELETE = "data_delete"
    RAW_SQL = "raw_sql"
    IRREVERSIBLE = "irreversible"
    DOWN_MIGRATION_BUG = "down_migration_bug"
    BACKWARD_INCOMPATIBLE = "backward_incompatible"
    RENAME_TABLE = "rename_table"
    RENAME_COLUMN = "rename_column"
    VIEW_DROPPED_RECREATED = "view_dropped_recreated"
    MODIFIED_EXISTING_MIGRATION = "modified_existing_migration"
    FORMAT_ONLY_CHANGE = "format_only_change"
    NO_OP = "no_op"
    SCHEMA_DRIFT = "schema_drift"
    DATA_DEPENDENT = "data_dependent"
    DATA_NOT_MIGRATED = "data_not_migrated"
    MITIGATED = "mitigated"
    OUT_OF_ORDER = "out_of_order"
    MULTIPLE_HEADS = "multiple_heads"


# Worst first: data loss, then what can fail or block, then what only deserves a look.
SEVERITY: tuple[ImpactTag, ...] = (
    ImpactTag.DESTRUCTIVE_DROP_TABLE,
    ImpactTag.DESTRUCTIVE_DROP_COLUMN,
    ImpactTag.DATA_DELETE,
    ImpactTag.DATA_NOT_MIGRATED,
    ImpactTag.TABLE_REWRITE,
    ImpactTag.NOT_NULL_COLUMN_WITHOUT_DEFAULT,
    ImpactTag.NOT_NULL_ON_EXISTING_COLUMN,
    ImpactTag.UNIQUE_ON_EXISTING_DATA,
    ImpactTag.LOCK_HEAVY_INDEX,
    ImpactTag.CHECK_CONSTRAINT_VALIDATED,
    ImpactTag.FK_ADDED_EXISTING_TABLE,
    ImpactTag.TABLE_REBUILD,
    ImpactTag.DATA_DEPENDENT,
    ImpactTag.DATA_BACKFILL,
    ImpactTag.BACKWARD_INCOMPATIBLE,
    ImpactTag.DOWN_MIGRATION_BUG,
    ImpactTag.RENAME_TABLE,
    ImpactTag.RENAME_COLUMN,
    ImpactTag.VIEW_DROPPED_RECREATED,
    ImpactTag.ENUM_VALUE_ADDED,
    ImpactTag.INDEX_DROP_LOCK,
    ImpactTag.TYPE_CHANGE_NO_REWRITE,
    ImpactTag.FK_DROPPED,
    ImpactTag.IRREVERSIBLE,
    ImpactTag.RAW_SQL,
    ImpactTag.MODIFIED_EXISTING_MIGRATION,
    ImpactTag.SCHEMA_DRIFT,
    ImpactTag.OUT_OF_ORDER,
    ImpactTag.MULTIPLE_HEADS,
    ImpactTag.MITIGATED,
    ImpactTag.FORMAT_ONLY_CHANGE,
    ImpactTag.NO_OP,
    ImpactTag.NONE,
)


@dataclass(frozen=True, slots=True)
class Tool:
    """The program that wrote the report."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class RangeInfo:
    """The commit range the report covers, with git's own counts."""

    base: str
    head: str
    base_sha: str
    head_sha: str
    commits: int
    commits_all: int
    files_changed: int
    additions: int = 0
    deletions: int = 0
    base_is_ancestor: bool = True
    contents_missing: tuple[str, ...] = ()  # changed paths whose blobs the clone lacks


@dataclass(frozen=True, slots=True)
class FileChange:
    """One changed path of `git diff -M BASE HEAD`, described for a reviewer."""

    path: str
    old_path: str | None
    status: ChangeKind
    additions: int
    deletions: int
    binary: bool
    kind: FileKind
    summary: str
    commits: tuple[str, ...] = ()
    similarity: int | None = None
    symlink: bool = False
    contents_missing: bool = False  # the clone lacks its blobs: no line counts


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit of the range, with why it matters (or why it is noise)."""

    sha: str
    short_sha: str
    subject: str
    author: str
    date: str
    files_changed: int
    additions: int
    deletions: int
    key: bool
    significance: tuple[str, ...]
    is_merge: bool = False
    noise: str | None = None
    url: str | None = None
    score: int = 0


@dataclass(frozen=True, slots=True)
class Impact:
    """A data-impact tag with its one-line detail."""

    tag: ImpactTag
    detail: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something harvester could not read, with where it is."""

    path: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class TableChange:
    """One schema fact about one table, for grouping Schema Updates by table."""

    table: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration the range touches, with the facts its file proves."""

    id: str
    system: str
    dialect: str | None
    path: str
    down_path: str | None
    change: ChangeKind
    order: int
    released: bool
    format_only: bool = False
    tables_created: tuple[str, ...] = ()
    tables_dropped: tuple[str, ...] = ()
    tables_renamed: tuple[str, ...] = ()
    tables_rebuilt: tuple[str, ...] = ()
    columns_added: tuple[str, ...] = ()
    columns_dropped: tuple[str, ...] = ()
    columns_altered: tuple[str, ...] = ()
    indexes_added: tuple[str, ...] = ()
    indexes_dropped: tuple[str, ...] = ()
    constraints_added: tuple[str, ...] = ()
    constraints_dropped: tuple[str, ...] = ()
    created_table_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    columns_renamed: tuple[str, ...] = ()
    schema_changes: tuple[TableChange, ...] = ()
    data_impact: tuple[Impact, ...] = ()
    parsed: bool = True
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    added_in: str | None = None
    first_tag: str | None = None

    @property
    def database_label(self) -> str:
        """`prisma (postgresql)`: the database it runs against, as a reader names it."""
        return self.system + (f" ({self.dialect})" if self.dialect else "")


@dataclass(frozen=True, slots=True)
class Finding:
    """A range-level observation about migrations (drift, edits to released files, order)."""

    tag: ImpactTag
    detail: str
    paths: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DatabaseSystem:
    """A migration tree found in the repository: `dialect` its engine as found (None: not
    found), `judged_as` the engine whose rules the analysis applied to its migrations."""

    system: str
    dialect: str | None
    root: str
    judged_as: str | None = None


@dataclass(frozen=True, slots=True)
class SchemaSnapshot:
    """A schema snapshot file (schema.prisma, schema.rb, structure.sql, …) the range changed."""

    path: str
    system: str
    change: ChangeKind
    changes: tuple[str, ...] = ()
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Database:
    """Everything the range does to databases."""

    systems: tuple[DatabaseSystem, ...] = ()
    migrations: tuple[Migration, ...] = ()
    findings: tuple[Finding, ...] = ()
    snapshots: tuple[SchemaSnapshot, ...] = ()

    def tree_of(self, migration: Migration) -> str | None:
        """The root of `migration`'s tree: the longest root of its system holding its path
        (the root "" or "." holds every path), so `migrations/` is not also the tree of
        `migrations/logs/`; each tree runs on its own."""
        roots = [
            s.root
            for s in self.systems
            if s.system == migration.system
            and (s.root in ("", ".") or migration.path.startswith(s.root.rstrip("/") + "/"))
        ]
        return max(roots, key=lambda root: len(root.strip(".")), default=None)


@dataclass(frozen=True, slots=True)
class DependencyChange:
    """A package added, removed or upgraded in a manifest or lock file.

    `group` is the manifest's own name for a non-main group (`devDependencies`,
    `optional-dependencies.test`, `indirect`); versions are as declared, or as locked.
    """

    manifest: str
    name: str
    old: str | None
    new: str | None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class MarkerChange:
    """A TODO/FIXME/HACK/XXX comment line added or removed."""

    path: str
    marker: str
    text: str
    added: bool


@dataclass(frozen=True, slots=True)
class EnvVarChange:
    """An environment variable name that appears or disappears in the range."""

    name: str
    added: bool
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssueReference:
    """An issue or pull request a commit refers to."""

    ref: str
    commits: tuple[str, ...]
    fixes: bool
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Hints:
    """Facts for the sections a person writes, offered as hints, never as judgement."""

    dependencies: tuple[DependencyChange, ...] = ()
    dependency_files: tuple[str, ...] = ()
    test_files: tuple[FileChange, ...] = ()
    issues: tuple[IssueReference, ...] = ()
    markers: tuple[MarkerChange, ...] = ()
    env_vars: tuple[EnvVarChange, ...] = ()
    ci_files: tuple[str, ...] = ()
    infrastructure_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Forge:
    """Where commits and issues can be linked, from the `origin` remote."""

    kind: str
    url: str


@dataclass(frozen=True, slots=True)
class Report:
    """The whole report: what the JSON output holds and the templates receive."""

    tool: Tool
    range: RangeInfo
    title: str
    files: tuple[FileChange, ...]
    commits: tuple[Commit, ...]
    database: Database
    hints: Hints = field(default_factory=Hints)
    forge: Forge | None = None
    problems: tuple[Problem, ...] = ()
    schema_version: int = SCHEMA_VERSION
