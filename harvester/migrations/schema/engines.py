"""What each engine does with a schema change: PostgreSQL lock levels and rewrites, MySQL and
MariaDB online DDL (INSTANT / INPLACE / COPY), SQLite's limits, ClickHouse mutations.

Versions come from `AnalysisSettings.engine_versions`; when none is given, the engine is taken
to be a current release and details name the version a behaviour needs ("PostgreSQL 11+").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema.ops import Dialect

_NAMES = {
    Dialect.POSTGRESQL: "PostgreSQL",
    Dialect.COCKROACHDB: "CockroachDB",
    Dialect.MYSQL: "MySQL",
    Dialect.MARIADB: "MariaDB",
    Dialect.SQLITE: "SQLite",
    Dialect.CLICKHOUSE: "ClickHouse",
    Dialect.SQLSERVER: "SQL Server",
}
# PostgreSQL functions whose DEFAULT is evaluated per row, so ADD COLUMN rewrites the table
# even on PostgreSQL 11+ (Squawk adding-field-with-default, Atlas PG302, strong_migrations
# add_column_default with a volatile value).
_VOLATILE_DEFAULT = re.compile(
    r"\b(?:random|gen_random_uuid|uuid_generate_v[14]|uuid_generate_v1mc|clock_timestamp|"
    r"timeofday|nextval|txid_current|statement_timestamp)\s*\(",
    re.IGNORECASE,
)
_TYPE = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9 ]*?)\s*(?:\(([^)]*)\))?\s*(\[\])?\s*$")
_SYNONYMS = {
    "CHARACTER VARYING": "VARCHAR",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "INT2": "SMALLINT",
    "DECIMAL": "NUMERIC",
    "BOOL": "BOOLEAN",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "FLOAT8": "DOUBLE PRECISION",
    "BIT VARYING": "VARBIT",
}


@dataclass(frozen=True, slots=True)
class Engine:
    """The engine a migration runs on, and its version when the settings give one."""

    dialect: Dialect | None
    version: tuple[int, ...] | None = None

    @property
    def name(self) -> str:
        """The engine's name for details ("PostgreSQL"); an unknown engine reads as SQL."""
        return _NAMES.get(self.dialect, "the database") if self.dialect else "the database"

    @property
    def postgres_like(self) -> bool:
        """PostgreSQL rules apply (also when the dialect is unknown: the common case)."""
        return judged_as(self.dialect) is Dialect.POSTGRESQL

    @property
    def mysql_like(self) -> bool:
        """MySQL or MariaDB with InnoDB."""
        return self.dialect in (Dialect.MYSQL, Dialect.MARIADB)

    def at_least(self, *version: int) -> bool:
        """True when the configured version is at least `version` (or none is configured)."""
        return self.version is None or self.version >= version

    def known_below(self, *version: int) -> bool:
        """True only when a configured version is older than `version`."""
        return self.version is not None and self.version < version


def judged_as(dialect: Dialect | None) -> Dialect:
    """The engine whose rules judge migrations of `dialect`: PostgreSQL when it is not found."""
    return dialect or Dialect.POSTGRESQL


def engine_for(dialect: Dialect | None, settings: AnalysisSettings) -> Engine:
    """The engine of `dialect` with the version the settings give for it."""
    text = settings.engine_versions.get(dialect) if dialect else None
    numbers = tuple(int(n) for n in re.findall(r"\d+", text or "")[:3])
    return Engine(dialect, numbers or None)


# Stable defaults: PostgreSQL 11+ evaluates them once, when the column is added, and every
# existing row reads that one value (the time of the migration, not of each row).
_EVALUATED_ONCE = re.compile(
    r"\b(?:now\s*\(|current_timestamp|current_date|current_time|localtimestamp|localtime|"
    r"transaction_timestamp\s*\()",
    re.IGNORECASE,
)


def evaluated_once(default: str | None) -> bool:
    """True for a DEFAULT PostgreSQL evaluates once for existing rows (`now()`)."""
    return bool(default and _EVALUATED_ONCE.search(default))


def volatile_default(default: str | None) -> bool:
    """True when a PostgreSQL DEFAULT is evaluated per row (random(), gen_random_uuid(), …)."""
    return bool(default and _VOLATILE_DEFAULT.search(default))


# Random UUID generators: every row they fill gets a value no other row holds.
_RANDOM_UUID = re.compile(
    r"^\(?\s*(?:gen_random_uuid|uuid_generate_v1mc|uuid_generate_v[147]|uuidv[47]|uuid)\s*"
    r"\(\s*\)\s*\)?$",
    re.IGNORECASE,
)


def random_uuid(value: str | None) -> bool:
    """True for a value that is a fresh random UUID per row (`gen_random_uuid()`, MySQL's
    `(UUID())`)."""
    return bool(value and _RANDOM_UUID.match(value.strip()))


def _parsed_type(text: str | None) -> tuple[str, tuple[str, ...], bool] | None:
    match = _TYPE.match(text or "")
    if not match:
        return None
    base = " ".join(match.group(1).upper().split())
    params = tuple(p.strip() for p in (match.group(2) or "").split(",") if p.strip())
    return _SYNONYMS.get(base, base), params, bool(match.group(3))


_PRECISION_TYPES = frozenset({"TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ", "INTERVAL"})


def postgres_type_change_rewrites(old: str | None, new: str) -> bool | None:
    """Whether PostgreSQL rewrites the table for `old` -> `new`; None when `old` is unknown.

    Binary-coercible changes are metadata-only: VARCHAR(n) to a longer VARCHAR, VARCHAR to
    TEXT, NUMERIC(p,s) to a larger precision with the same scale, CIDR to INET (Squawk
    changing-column-type, strong_migrations change_column's safe list).
    """
    before, after = _parsed_type(old), _parsed_type(new)
    if before is None or after is None:
        return None
    (old_base, old_params, old_array), (new_base, new_params, new_array) = before, after
    if old_array != new_array:
        return True
    if old_base == new_base and old_params == new_params:
        return False
    if old_base in ("VARCHAR", "TEXT", "CITEXT") and new_base in ("TEXT", "CITEXT"):
        # the citext extension casts to and from text and varchar WITHOUT FUNCTION
        return False
    if old_base == "VARCHAR" and new_base == "VARCHAR":
        return bool(new_params) and (
            not old_params or _number(new_params[0]) < _number(old_params[0])
        )
    if old_base == new_base and old_base in _PRECISION_TYPES:
        # more fractional-second precision (or the default, 6) is binary-compatible
        return bool(new_params) and (
            not old_params or _number(new_params[0]) < _number(old_params[0])
        )
    if old_base == new_base == "NUMERIC":
        if not new_params:
            return False
        if len(old_params) == len(new_params) == 2 and old_params[1] == new_params[1]:
            return _number(new_params[0]) < _number(old_params[0])
        return True
    return not (old_base == "CIDR" and new_base == "INET")


# MySQL's names for one type: BOOLEAN is TINYINT(1), INT1..INT8 name the integer types, DEC
# and FIXED are DECIMAL; an integer's display width (`int(11)`) changes nothing stored.
_MYSQL_SYNONYMS = {
    "BOOLEAN": "TINYINT",
    "INT1": "TINYINT",
    "INT2": "SMALLINT",
    "INT3": "MEDIUMINT",
    "MIDDLEINT": "MEDIUMINT",
    "INT8": "BIGINT",
    "DEC": "NUMERIC",
    "FIXED": "NUMERIC",
}
_MYSQL_INTEGERS = frozenset({"TINYINT", "SMALLINT", "MEDIUMINT", "INTEGER", "BIGINT"})


def _mysql_parsed_type(text: str | None) -> tuple[str, tuple[str, ...], bool] | None:
    parsed = _parsed_type(text)
    if parsed is None:
        return None
    base, params, array = parsed
    base = _MYSQL_SYNONYMS.get(base, base)
    return base, () if base in _MYSQL_INTEGERS else params, array


def mysql_same_type(old: str | None, new: str | None) -> bool:
    """True when two MySQL type texts name the same type (`BOOLEAN` and `tinyint(1)`,
    `int(11)` and `INT`)."""
    before = _mysql_parsed_type(old)
    return before is not None and before == _mysql_parsed_type(new)


def mysql_type_change_copies(old: str | None, new: str, charset: str | None = None) -> bool | None:
    """Whether InnoDB needs ALGORITHM=COPY for `old` -> `new`; None when `old` is unknown, or
    when only the table's character set (`charset`, not known) would tell.

    The same type under another name changes nothing; extending a VARCHAR is in place while
    its longest value in bytes stays under 256 (a one-byte length prefix) or was 256 or more
    already; any other type change copies the table.
    """
    before, after = _mysql_parsed_type(old), _mysql_parsed_type(new)
    if before is None or after is None:
        return None
    if before == after:
        return False
    if before[0] == after[0] == "VARCHAR" and before[1] and after[1]:
        old_length, new_length = _number(before[1][0]), _number(after[1][0])
        if new_length < old_length:
            return True
        known = _CHARACTER_BYTES.get(mysql_charset_name(charset or ""))
        # an unknown character set is one of the usual ones (latin1, utf8mb3, utf8mb4): sure
        # when all three agree
        outcomes = {
            old_length * b < 256 <= new_length * b for b in ([known] if known else (1, 3, 4))
        }
        return outcomes.pop() if len(outcomes) == 1 else None
    return True


# The most bytes a character takes in MySQL's character sets.
_CHARACTER_BYTES = {"latin1": 1, "ascii": 1, "binary": 1, "utf8mb3": 3, "utf8mb4": 4}


def mysql_charset_name(name: str) -> str:
    """A MySQL character set as the server names it (`UTF8` is an alias of utf8mb3)."""
    name = name.lower()
    return "utf8mb3" if name == "utf8" else name


_CHARSET_OPTION = re.compile(r"\b(?:CHARACTER\s+SET|CHARSET)\s*=?\s*(\w+)", re.IGNORECASE)


def mysql_charset(options: tuple[str, ...]) -> str | None:
    """The character set table options give the table (`CONVERT TO CHARACTER SET utf8mb4`,
    `DEFAULT CHARSET=latin1`), lower-cased."""
    found = [mysql_charset_name(m.group(1)) for o in options for m in _CHARSET_OPTION.finditer(o)]
    return found[-1] if found else None


_COLLATION = re.compile(r"(?i)\s+(?:CHARACTER\s+SET|CHARSET|COLLATE)\s+[\w\"'`]+")


def mysql_collation_changes(old: str | None, new: str | None) -> bool:
    """True when two MySQL column types differ only in their character set or collation
    (`VARCHAR(255)` -> `VARCHAR(255) COLLATE utf8mb4_bin`)."""
    if old is None or new is None:
        return False
    bare_old, bare_new = _COLLATION.sub("", old), _COLLATION.sub("", new)
    return mysql_same_type(bare_old, bare_new) and (
        _COLLATION.findall(old) != _COLLATION.findall(new)
    )


def mysql_copy_hedge(old: str | None) -> str:
    """Why `mysql_type_change_copies` could not tell, as a condition on the copy."""
    if _mysql_parsed_type(old) is None:
        return "if the type changes (the old type is not in this range)"
    return (
        "if its longest value grows past 255 bytes (that depends on the table's character "
        "set, which this range does not show)"
    )


def same_type(old: str | None, new: str | None) -> bool:
    """True when two type texts name the same type (synonyms, case and spacing aside); a
    type harvester cannot read (`MyEnum.type()`) is the same only as itself."""
    if old is None or new is None:
        return False
    if " ".join(old.split()).upper() == " ".join(new.split()).upper():
        return True
    before = _parsed_type(old)
    return before is not None and before == _parsed_type(new)


# A quoted string stays one piece: `'a b'` and `'ab'` are different defaults.
_EXPRESSION_PIECE = re.compile(r"'(?:[^'\\]|\\.|'')*'|\S")


def same_expression(old: str | None, new: str | None) -> bool:
    """True when two expressions are written alike but for spacing (`[]` and `[ ]`): a default
    restated by a ClickHouse MODIFY COLUMN, not changed."""
    if old is None or new is None:
        return False
    return _EXPRESSION_PIECE.findall(old) == _EXPRESSION_PIECE.findall(new)


_INTEGER_BYTES = {
    "TINYINT": 1,
    "SMALLINT": 2,
    "SMALLSERIAL": 2,
    "MEDIUMINT": 3,
    "INTEGER": 4,
    "SERIAL": 4,
    "BIGINT": 8,
    "BIGSERIAL": 8,
}
_INTEGER_RANGES = {
    1: "-128..127",
    2: "-32,768..32,767",
    3: "-8,388,608..8,388,607",
    4: "-2,147,483,648..2,147,483,647",
}


def narrowed(old: str | None, new: str) -> str | None:
    """Which existing values a type change refuses (None when it narrows nothing it can tell):
    a shorter VARCHAR, a smaller integer type, or a NUMERIC with fewer digits before the
    point."""
    before, after = _parsed_type(old), _parsed_type(new)
    if before is None or after is None or before[2] != after[2]:
        return None
    (old_base, old_params, _), (new_base, new_params, _) = before, after
    shorter = (
        old_base == new_base == "VARCHAR"
        and old_params
        and new_params
        and _number(new_params[0]) < _number(old_params[0])
    )
    unbounded = old_base == "TEXT" or (old_base == "VARCHAR" and not old_params)
    if shorter or (unbounded and new_base == "VARCHAR" and new_params):
        return f"a value longer than {_number(new_params[0])} characters"
    old_width, new_width = _INTEGER_BYTES.get(old_base), _INTEGER_BYTES.get(new_base)
    unsigned = "UNSIGNED" in f"{old} {new}".upper()
    if old_width and new_width and new_width < old_width and not unsigned:
        return f"a value outside {new_base}'s range ({_INTEGER_RANGES[new_width]})"
    if old_base == new_base == "NUMERIC" and len(old_params) == len(new_params) == 2:
        old_digits = _number(old_params[0]) - _number(old_params[1])
        new_digits = _number(new_params[0]) - _number(new_params[1])
        if new_digits < old_digits:
            return f"a value with more than {new_digits} digits before the decimal point"
    return None


_ZONE_SHIFT = re.compile(
    r"""^\(?\s*(?:
        (?P<shifted>"?[\w$]+"?)\s+AT\s+TIME\s+ZONE\s+'[^']*'
      | (?:pg_catalog\.)?timezone\s*\(\s*'[^']*'\s*,\s*(?P<argument>"?[\w$]+"?)\s*\)
    )\s*\)?$""",
    re.I | re.X,
)


_TEXT_TYPE = re.compile(r"^\s*(?:VAR)?CHAR|^\s*(?:TINY|MEDIUM|LONG)?TEXT\b", re.IGNORECASE)


def text_to_json(old: str | None, new: str | None) -> bool:
    """True for a text column (VARCHAR, CHAR, TEXT) turned into JSON: every value must parse."""
    return bool(old and new and _TEXT_TYPE.match(old) and new.strip().upper() == "JSON")


def text_cast(using: str, column: str, new: str) -> bool:
    """True for `USING col::text::new_type` (or CAST(CAST(col AS text) AS new_type)): the
    conversion of an enum column by its labels."""
    plain = re.sub(r'["()\s]', "", using).lower()
    col, typ = column.lower(), re.sub(r'["\s]', "", new).lower()
    return plain in (f"{col}::text::{typ}", f"castcast{col}astextas{typ}")


def zone_shift(using: str, column: str, new: str) -> bool:
    """True for a USING that only moves the column to a time zone (`col AT TIME ZONE 'UTC'`,
    `pg_catalog.timezone('UTC', col)`) for a timestamp type: it converts every row that the
    type accepts, so it cannot fail on data."""
    match = _ZONE_SHIFT.match(using.strip())
    target = _parsed_type(new)
    if match is None or target is None or target[0] not in ("TIMESTAMP", "TIMESTAMPTZ"):
        return False
    return (match.group("shifted") or match.group("argument")).strip('"') == column


def _number(text: str) -> int:
    digits = re.match(r"\d+", text)
    return int(digits.group(0)) if digits else 0
