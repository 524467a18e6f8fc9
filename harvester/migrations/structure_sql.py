"""SQL schema dumps (`db/structure.sql`, `priv/repo/structure.sql`) read as shapes.

CREATE TABLE public.users (id bigint NOT NULL, email character varying NOT NULL);
INSERT INTO "schema_migrations" (version) VALUES ('20250101000000'), ('20250102000000');

Statements go through the shared SQL analysis; the versions the dump records come from its
`schema_migrations` INSERT. Columns compare without what only the dump tool's version decides
(mysqldump 5.7 `int(11) DEFAULT '0'` and `text`, 8.0 `int DEFAULT 0` and `text DEFAULT NULL`;
PostgreSQL 13 `date_part('epoch'::text, now())`, 14 `EXTRACT(epoch FROM now())`).
"""

from __future__ import annotations

import re
from collections import Counter

from harvester.migrations.schema import describe, ops
from harvester.migrations.snapshots import SchemaShape, TableShape
from harvester.migrations.sql import sql_operations

_NO_DEFAULT = re.compile(r"\s+DEFAULT NULL\b", re.IGNORECASE)
# mysqldump writes a column's collation or leaves it to the table's default by its version
_COLUMN_COLLATION = re.compile(r"\s+COLLATE\s+\S+", re.IGNORECASE)
_INTEGER_WIDTH = re.compile(r"^(tinyint|smallint|mediumint|int|integer|bigint|year)\(\d+\)", re.I)
_NUMERIC = re.compile(
    r"^(?:(?:tiny|small|medium|big)?int(?:eger)?|decimal|numeric|float|double|real)\b", re.I
)
_QUOTED_NUMBER = re.compile(r"\bDEFAULT '(-?\d+(?:\.\d+)?)'", re.IGNORECASE)
# The collation a charset gets when none is named, on some MySQL or MariaDB version.
_DEFAULT_COLLATIONS = {
    "utf8mb4": ("utf8mb4_general_ci", "utf8mb4_0900_ai_ci", "utf8mb4_uca1400_ai_ci"),
    "utf8": ("utf8_general_ci",),
    "latin1": ("latin1_swedish_ci",),
    "binary": ("binary",),
}
# PostgreSQL 13 and older store EXTRACT(f FROM x) as date_part('f'::text, x); 14 keeps EXTRACT.
_DATE_PART = re.compile(r"\bdate_part\((?:CAST\('(\w+)' AS text\)|'(\w+)'(?:::text)?), ", re.I)
_EXTRACT = re.compile(r"\bEXTRACT\((\w+) FROM ", re.IGNORECASE)
_INSERT = re.compile(r"INSERT\s+INTO\s+[\w.\"`]*schema_migrations[\"`]?[^;]*;", re.IGNORECASE)
_VERSION = re.compile(r"\b(\d{8,})\b")


def recorded_versions(text: str) -> list[str]:
    """The migration versions the dump's `schema_migrations` INSERT lists, in order."""
    return [v for statement in _INSERT.findall(text) for v in _VERSION.findall(statement)]


def newest_version(versions: list[str]) -> str | None:
    """The newest of `versions` among those of the usual length: a mistyped row such as
    `201604030319571` (one digit too many) is not newer than every real timestamp."""
    if not versions:
        return None
    lengths = Counter(len(v) for v in versions)
    usual = max(lengths, key=lambda length: (lengths[length], length))
    return max((v for v in versions if len(v) == usual), key=int)


def read_structure_sql(text: str, dialect: ops.Dialect | None) -> SchemaShape:
    """The shape of a SQL dump: tables, columns, indexes, constraints, types and views."""
    version = newest_version(recorded_versions(text))
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
    return SchemaShape(version, shaped, objects, plain_sql)


def plain_sql(part: str, text: str) -> str:
    """A dumped column's text without what only the dump tool's version decides: `DEFAULT NULL`
    (implied), integer display widths (`int(11)`, but not `tinyint(1)`, Rails' boolean), quotes
    around a number column's default, `utf8mb3` for `utf8`, a column's collation, and
    PostgreSQL's `date_part('f', x)` for `EXTRACT(f FROM x)`, which it stores in its place
    before version 14."""
    if part != "column":
        return text
    text = _DATE_PART.sub(lambda m: f"EXTRACT({m.group(1) or m.group(2)} FROM ", text)
    text = _EXTRACT.sub(lambda m: f"EXTRACT({m.group(1).upper()} FROM ", text)
    text = _COLUMN_COLLATION.sub("", _NO_DEFAULT.sub("", text))
    if _NUMERIC.match(text):
        text = _QUOTED_NUMBER.sub(r"DEFAULT \1", text)
    if not text.lower().startswith("tinyint(1)"):
        text = _INTEGER_WIDTH.sub(r"\1", text)
    return text.replace("utf8mb3", "utf8")


def plain_charset(charset: str, collation: str | None) -> str:
    """A table's charset and collation as compared: `utf8mb3` spelled `utf8`, and a collation
    left out when it is the one the charset gets by default."""
    charset = charset.replace("utf8mb3", "utf8")
    collation = (collation or "").replace("utf8mb3", "utf8")
    if collation in _DEFAULT_COLLATIONS.get(charset, (f"{charset}_general_ci",)):
        collation = ""
    return f"{charset} {collation}".strip()
