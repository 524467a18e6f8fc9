"""Judging SQL migrations in tests: SQL text in, the report `Migration` records out."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.sql import sql_operations
from harvester.model import ChangeKind, ImpactTag, Migration


def migration_input(
    migration_id: str,
    sql: str,
    dialect: ops.Dialect | None,
    down: str | None = None,
    downs_by_design: bool = False,
) -> MigrationInput:
    """An added SQL migration (with an optional down step) as the assembler takes it."""
    up = ops.Step(sql_operations(sql, dialect).operations)
    down_step = ops.Step(sql_operations(down, dialect).operations) if down is not None else None
    parsed = ops.ParsedMigration(
        migration_id,
        f"migrations/{migration_id}.sql",
        up,
        down=down_step,
        down_declared=down is not None or not downs_by_design,
    )
    return MigrationInput(
        migration_id,
        parsed.path,
        "sql",
        dialect,
        ChangeKind.ADDED,
        released=False,
        parsed=parsed,
    )


def judge(
    sql: str,
    dialect: ops.Dialect | None = ops.Dialect.POSTGRESQL,
    earlier: Sequence[str] = (),
    down: str | None = None,
    versions: dict[ops.Dialect, str] | None = None,
    downs_by_design: bool = False,
    base: str | None = None,
) -> Migration:
    """The last of `earlier` + `sql`, judged as migrations of one range, in order; `base` is
    the SQL that built the schema before the range (released migrations, replayed)."""
    inputs = [migration_input(f"{n:04d}", text, dialect) for n, text in enumerate(earlier)]
    inputs.append(migration_input("last", sql, dialect, down, downs_by_design))
    settings = AnalysisSettings(engine_versions=versions or {})
    base_schema = (lambda: sql_operations(base, dialect).operations) if base else None
    return assemble(inputs, settings, base_schema)[-1]


def tags(migration: Migration) -> list[str]:
    """The migration's data-impact tags, worst first."""
    return [i.tag.value for i in migration.data_impact]


def detail(migration: Migration, tag: ImpactTag) -> str:
    """The detail of the migration's first impact with `tag`."""
    return next(i.detail for i in migration.data_impact if i.tag is tag)
