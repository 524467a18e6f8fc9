"""SQL schema dumps (`db/structure.sql`, `priv/repo/structure.sql`) read as shapes.

CREATE TABLE public.users (id bigint NOT NULL, email character varying NOT NULL);
INSERT INTO "schema_migrations" (version) VALUES ('20250101000000'), ('20250102000000');

Statements go through the shared SQL analysis; the versions the dump records come from its
`schema_migrations` INSERT.
"""

from __future__ import annotations

import re

from harvester.migrations.schema import describe, ops
from harvester.migrations.snapshots import SchemaShape, TableShape
from harvester.migrations.sql import sql_operations

_INSERT = re.compile(r"INSERT\s+INTO\s+[\w.\"`]*schema_migrations[\"`]?[^;]*;", re.IGNORECASE)
_VERSION = re.compile(r"\b(\d{8,})\b")


def recorded_versions(text: str) -> list[str]:
    """The migration versions the dump's `schema_migrations` INSERT lists, in order."""
    return [v for statement in _INSERT.findall(text) for v in _VERSION.findall(statement)]


def read_structure_sql(text: str, dialect: ops.Dialect | None) -> SchemaShape:
    """The shape of a SQL dump: tables, columns, indexes, constraints, types and views."""
    versions = recorded_versions(text)
    version = max(versions, key=int) if versions else None
    tables: dict[str, dict[str, dict[str, str]]] = {}
    objects: dict[tuple[str, str | None, str], str] = {}

    def table(name: str) -> dict[str, dict[str, str]]:
        """The columns and indexes collected so far for `name`."""
        return tables.setdefault(name, {"columns": {}, "indexes": {}})

    for op in sql_operations(text, dialect).operations:
        match op:
            case ops.CreateTable(table=name, columns=columns):
                for col in columns:
                    table(name)["columns"][col.name] = describe.column(col)[len(col.name) + 1 :]
                for con in op.constraints:
                    objects[("constraint", name, con.name or describe.constraint(con))] = (
                        describe.constraint(con)
                    )
            case ops.AddColumn(table=name, column=col):
                table(name)["columns"][col.name] = describe.column(col)[len(col.name) + 1 :]
            case ops.CreateIndex(index=idx):
                table(idx.table)["indexes"][idx.name or describe.index(idx)] = describe.index(idx)
            case ops.AddConstraint(table=name, constraint=con):
                objects[("constraint", name, con.name or describe.constraint(con))] = (
                    describe.constraint(con)
                )
            case ops.CreateEnumType(name=name, values=values):
                objects[("enum", None, name)] = ", ".join(values)
            case ops.CreateView(name=name, materialized=materialized):
                objects[("view", None, name)] = "materialized" if materialized else "view"
            case _:
                pass
    shaped = {
        name: TableShape("", parts["columns"], parts["indexes"]) for name, parts in tables.items()
    }
    return SchemaShape(version, shaped, objects)
