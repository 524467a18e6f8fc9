"""Django model fields as the database sees them: column type per engine, NULL, keys, defaults.

`models.CharField(max_length=150, null=True)` is `varchar(150)` on every engine;
`models.DateTimeField()` is `timestamp with time zone` on PostgreSQL and `datetime(6)` on MySQL.
Custom fields are mapped through the Django field they end with (`SanitizedJSONField` is a
`JSONField`), else a `max_length` makes them `varchar(n)`, else their class name is shown.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from harvester.migrations.pyast import Call, Code, Ref, Value, render
from harvester.migrations.schema.ops import Dialect

# Column types per engine (PostgreSQL, MySQL/MariaDB, SQLite), after Django's backends.
_TYPES: dict[str, tuple[str, str, str]] = {
    "AutoField": ("integer", "integer", "integer"),
    "BigAutoField": ("bigint", "bigint", "integer"),
    "SmallAutoField": ("smallint", "smallint", "integer"),
    "BinaryField": ("bytea", "longblob", "BLOB"),
    "BooleanField": ("boolean", "bool", "bool"),
    "NullBooleanField": ("boolean", "bool", "bool"),
    "CharField": ("varchar({max_length})", "varchar({max_length})", "varchar({max_length})"),
    "DateField": ("date", "date", "date"),
    "DateTimeField": ("timestamp with time zone", "datetime(6)", "datetime"),
    "DecimalField": (
        "numeric({max_digits}, {decimal_places})",
        "numeric({max_digits}, {decimal_places})",
        "decimal",
    ),
    "DurationField": ("interval", "bigint", "bigint"),
    "FileField": ("varchar({max_length})", "varchar({max_length})", "varchar({max_length})"),
    "FilePathField": ("varchar({max_length})", "varchar({max_length})", "varchar({max_length})"),
    "FloatField": ("double precision", "double precision", "real"),
    "IntegerField": ("integer", "integer", "integer"),
    "BigIntegerField": ("bigint", "bigint", "bigint"),
    "IPAddressField": ("inet", "char(15)", "char(15)"),
    "GenericIPAddressField": ("inet", "char(39)", "char(39)"),
    "JSONField": ("jsonb", "json", "text"),
    "PositiveBigIntegerField": ("bigint", "bigint UNSIGNED", "bigint unsigned"),
    "PositiveIntegerField": ("integer", "integer UNSIGNED", "integer unsigned"),
    "PositiveSmallIntegerField": ("smallint", "smallint UNSIGNED", "smallint unsigned"),
    "SlugField": ("varchar({max_length})", "varchar({max_length})", "varchar({max_length})"),
    "SmallIntegerField": ("smallint", "smallint", "smallint"),
    "TextField": ("text", "longtext", "text"),
    "TimeField": ("time", "time(6)", "time"),
    "UUIDField": ("uuid", "char(32)", "char(32)"),
    # django.contrib.postgres and friends: PostgreSQL types, kept as written elsewhere.
    "HStoreField": ("hstore", "hstore", "hstore"),
    "CICharField": ("citext", "citext", "citext"),
    "CIEmailField": ("citext", "citext", "citext"),
    "CITextField": ("citext", "citext", "citext"),
    "SearchVectorField": ("tsvector", "tsvector", "tsvector"),
    "IntegerRangeField": ("int4range", "int4range", "int4range"),
    "BigIntegerRangeField": ("int8range", "int8range", "int8range"),
    "DecimalRangeField": ("numrange", "numrange", "numrange"),
    "DateTimeRangeField": ("tstzrange", "tstzrange", "tstzrange"),
    "DateRangeField": ("daterange", "daterange", "daterange"),
    "MACAddressField": ("macaddr", "macaddr", "macaddr"),
    "IPNetworkField": ("cidr", "cidr", "cidr"),
}
# Fields whose class only sets defaults on another field.
# Well-known third-party fields whose names mislead: django-i18nfield's I18nCharField is a
# TextField underneath.
_LIBRARY_FIELDS = {
    "I18nCharField": "TextField",
    "I18nTextField": "TextField",
    # openwisp-utils' fallback fields, whose names end with no Django field's
    "FallbackBooleanChoiceField": "BooleanField",
    "FallbackCharChoiceField": "CharField",
}
_ALIASES = {
    "EmailField": ("CharField", 254),
    "URLField": ("CharField", 200),
    "SlugField": ("SlugField", 50),
    "FileField": ("FileField", 100),
    "ImageField": ("FileField", 100),
    "FilePathField": ("FilePathField", 100),
    "CommaSeparatedIntegerField": ("CharField", None),
}
AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
_RELATED_TYPE = {"AutoField": "integer", "BigAutoField": "bigint", "SmallAutoField": "smallint"}
_POSITIVE = frozenset(
    {"PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
)
_RELATIONS = ("ForeignKey", "OneToOneField", "ManyToManyField")
_KNOWN_KINDS = frozenset({*_TYPES, *_RELATIONS, "ArrayField", "GeneratedField"})
_KNOWN = sorted(set(_TYPES) | set(_ALIASES), key=len, reverse=True)
_MISSING = Code("<no db_default>")


@dataclass(frozen=True, slots=True)
class FieldClass:
    """A project's own field class: the Django field it subclasses, and the literal arguments
    its `__init__` sets whatever the call says (`kwargs["null"] = True`) or when the call says
    nothing (`kwargs.setdefault("null", True)`)."""

    base: str
    forced: Mapping[str, Value] = dataclasses.field(default_factory=dict)
    defaults: Mapping[str, Value] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Relation:
    """Where a ForeignKey, OneToOneField or ManyToManyField points."""

    to: str
    many: bool = False
    to_field: str | None = None
    db_constraint: bool = True
    through: str | None = None
    db_table: str | None = None
    on_delete: str | None = None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What one field definition says, read once from its call."""

    kind: str
    written: str
    call: Call
    null: bool
    primary_key: bool
    unique: bool
    db_index: bool
    db_column: str | None
    relation: Relation | None
    has_default: bool
    default: Value
    db_default: Value
    blank: bool
    base: str | None = None

    @property
    def is_many_to_many(self) -> bool:
        """True for fields stored in a join table rather than a column."""
        return self.relation is not None and self.relation.many

    @property
    def indexed(self) -> bool:
        """True when Django creates a plain index for the column (db_index and not unique)."""
        return self.db_index and not self.unique and not self.primary_key


def spec(call: Call, bases: Mapping[str, FieldClass] | None = None) -> FieldSpec:
    """Read a field call: `models.ForeignKey(on_delete=…, to="api.project")`. `bases` maps a
    project's own field classes (by dotted name) to the Django field they subclass and the
    arguments they set themselves."""
    written = call.name
    own = (bases or {}).get(call.func)
    base = own.base if own else None
    if own is not None and (own.forced or own.defaults):
        call = dataclasses.replace(call, kwargs={**own.defaults, **call.kwargs, **own.forced})
    kind = _canonical(base or written)
    relation = _relation(call, kind)
    if relation is not None and not call.has("to", 0) and base is not None:
        # the project's class sets its target itself: not said in the migration
        kind, relation, base = written, None, None
    unique = call.get("unique") is True or kind == "OneToOneField"
    db_index = call.get("db_index")
    if db_index is None:
        db_index = (relation is not None and not relation.many) or kind == "SlugField"
    db_column = call.get("db_column")
    return FieldSpec(
        kind=kind,
        written=written,
        call=call,
        null=call.get("null") is True,
        primary_key=call.get("primary_key") is True,
        unique=unique,
        db_index=db_index is True,
        db_column=db_column if isinstance(db_column, str) else None,
        relation=relation,
        has_default=call.has("default"),
        default=call.get("default"),
        db_default=call.get("db_default", default=_MISSING),
        blank=call.get("blank") is True,
        base=base,
    )


def known_field_class(name: str) -> bool:
    """True for a field class harvester maps to a column or a relation by its name."""
    return _canonical(name) in _KNOWN_KINDS


def column_name(name: str, field: FieldSpec) -> str:
    """`db_column`, else the field name, with `_id` for a foreign key."""
    if field.db_column:
        return field.db_column
    if field.relation is not None and not field.relation.many:
        return f"{name}_id"
    return name


def db_type(field: FieldSpec, dialect: Dialect | None) -> str | None:
    """The column type Django creates for `field` on `dialect` (PostgreSQL when unknown)."""
    if field.kind == "GeneratedField":
        output = field.call.get("output_field")
        return db_type(spec(output), dialect) if isinstance(output, Call) else None
    if field.kind == "ArrayField":
        base = field.call.get("base_field", 0)
        inner = db_type(spec(base), dialect) if isinstance(base, Call) else None
        return f"{inner or '?'}[]"
    templates = _TYPES.get(field.kind)
    if templates is None:
        length = field.call.get("max_length")
        return f"varchar({length})" if isinstance(length, int) else _unknown_type(field)
    template = templates[_engine(dialect)]
    values = {
        "max_length": _argument(field, "max_length", _default_length(field.base or field.written)),
        "max_digits": _argument(field, "max_digits", None),
        "decimal_places": _argument(field, "decimal_places", None),
    }
    if "{max_length}" in template and values["max_length"] == "None":
        return template.split("(")[0]
    return template.format(**values)


def generated(field: FieldSpec) -> str | None:
    """What follows GENERATED for a `GeneratedField`: `ALWAYS AS (Length("content")) STORED`
    (the expression as the migration writes it, in Django's terms)."""
    if field.kind != "GeneratedField":
        return None
    expression = field.call.get("expression")
    text = _MODULE_PATH.sub("", render(expression)) if expression is not None else "…"
    kept = "STORED" if field.call.get("db_persist") is True else "VIRTUAL"
    return f"ALWAYS AS ({text}) {kept}"


_MODULE_PATH = re.compile(r"\b(?:[a-z_]\w*\.)+(?=[A-Z]\w*\()")


def type_known(field: FieldSpec) -> bool:
    """False for a project's own field class that ends with no Django field's name and gives no
    max_length: its column type is in code harvester does not run."""
    return field.relation is not None or db_type(field, None) != _unknown_type(field)


def _unknown_type(field: FieldSpec) -> str:
    """What stands for the column type of a field class harvester cannot follow to a Django
    field: its name, marked as not a database type."""
    return f"{field.written} (custom field)"


def _default_length(written: str) -> int | None:
    """The max_length a field class sets when the call gives none (`URLField`: 200)."""
    known = written if written in _ALIASES else _known_base(written)
    return _ALIASES[known][1] if known in _ALIASES else None


def related_type(field: FieldSpec, dialect: Dialect | None) -> str | None:
    """The type of a column that references `field` (serial keys are referenced as integers)."""
    if field.kind in _RELATED_TYPE and dialect is not Dialect.SQLITE:
        return _RELATED_TYPE[field.kind]
    if field.kind in _POSITIVE:
        return db_type(field, dialect)
    return db_type(field, dialect)


def positive_check(field: FieldSpec, column: str, dialect: Dialect | None) -> str | None:
    """The CHECK Django adds for positive integer fields (not on MySQL, which is UNSIGNED)."""
    output = field.call.get("output_field") if field.kind == "GeneratedField" else None
    if isinstance(output, Call):
        return positive_check(spec(output), column, dialect)
    if field.kind in _POSITIVE and dialect not in (Dialect.MYSQL, Dialect.MARIADB):
        return f"{column} >= 0"
    return None


def like_index(field: FieldSpec, dialect: Dialect | None, column_type: str | None) -> str | None:
    """The opclass of the extra `_like` index Django builds on PostgreSQL for an indexed,
    unique or primary-key text column (a foreign key to a text key too: `column_type` is the
    column's type, the referenced key's for a foreign key)."""
    indexed = field.db_index or field.unique or field.primary_key
    if not indexed or not deterministic_collation(collation(field)):
        return None
    return text_pattern_opclass(column_type, dialect)


def collation(field: FieldSpec) -> str | None:
    """The column's `db_collation`, when the field gives one as text."""
    value = field.call.get("db_collation")
    return value if isinstance(value, str) else None


def deterministic_collation(name: str | None) -> bool:
    """True for no collation or one PostgreSQL ships deterministic ("C", ICU's "und-x-icu"):
    Django asks the database and builds no `_like` index on a nondeterministic one, which
    only a project creates (so a name harvester does not know counts as one)."""
    if name is None:
        return True
    return name in _DETERMINISTIC_COLLATIONS or name.endswith("-x-icu")


_DETERMINISTIC_COLLATIONS = frozenset(
    {"C", "POSIX", "default", "ucs_basic", "C.utf8", "C.UTF-8", "pg_c_utf8", "unicode"}
)


def text_pattern_opclass(column_type: str | None, dialect: Dialect | None) -> str | None:
    """The pattern opclass Django's `_like` index uses for a text column on PostgreSQL."""
    kind = column_type or ""
    if dialect not in (None, Dialect.POSTGRESQL) or "[" in kind:
        return None
    if kind.startswith("varchar"):
        return "varchar_pattern_ops"
    if kind.startswith("text"):
        return "text_pattern_ops"
    return None


def effective_default(field: FieldSpec) -> str | None:
    """The value Django writes into existing rows when it adds the column, as SQL text.

    A declared default, else '' for a NOT NULL text field that may be blank, else None.
    """
    if field.has_default and field.relation is not None and field.default == "":
        return None  # Django saves '' in a foreign key as NULL
    if field.has_default and field.default is not None:
        return _default_literal(field, field.default)
    if not field.null and field.blank and field.kind in _EMPTY_STRINGS:
        return "''"
    if _auto_now(field):
        # Django's schema editor fills existing rows with the time it adds the column.
        return _NOW.get(field.kind, "django.utils.timezone.now()")
    return None


# Fields whose empty value is '' (b'' for BinaryField): Django fills a NOT NULL, blank one
# with it (Field.empty_strings_allowed; numbers, dates, UUIDs, JSON and IP addresses have none).
_EMPTY_STRINGS = frozenset(
    {
        "CharField",
        "TextField",
        "SlugField",
        "FileField",
        "FilePathField",
        "BinaryField",
        "CICharField",
        "CIEmailField",
        "CITextField",
    }
)
_NOW = {"DateField": "datetime.date.today()", "TimeField": "django.utils.timezone.now().time()"}


def _auto_now(field: FieldSpec) -> bool:
    return not field.has_default and (
        field.call.get("auto_now") is True or field.call.get("auto_now_add") is True
    )


def database_default(field: FieldSpec) -> str | None:
    """The `db_default` the database keeps (Django 5), as SQL text."""
    if field.db_default is _MISSING:
        return None
    return _default_literal(field, field.db_default)


def _default_literal(field: FieldSpec, value: Value) -> str:
    """A default as SQL text; an ArrayField's list as the array psycopg sends (`'{}'`,
    `ARRAY['a', 'b']`), not as JSON."""
    if field.kind != "ArrayField":
        return sql_literal(value)
    if value == () or (isinstance(value, Ref) and value.tail == "list"):
        return "'{}'"
    if isinstance(value, tuple):
        return "ARRAY[" + ", ".join(sql_literal(item) for item in value) + "]"
    return sql_literal(value)


def is_callable_default(field: FieldSpec) -> bool:
    """True when the default is a function Django calls once when it adds the column (also
    the current time of an `auto_now` or `auto_now_add` field)."""
    return (field.has_default and isinstance(field.default, Ref)) or _auto_now(field)


def sql_literal(value: Value) -> str:
    """A Python default as the SQL value Django sends: `'x'`, `0`, `true`, `'{}'`."""
    match value:
        case None:
            return "NULL"
        case bool():
            return "true" if value else "false"
        case int() | float():
            return str(value)
        case str():
            return "'" + value.replace("'", "''") + "'"
        case Call(name="timedelta"):
            return _interval(value)
        case Call(name="Decimal", args=(str() | int() as number,)):
            return str(number)
        case Ref(tail="dict"):
            return "'{}'"
        case Ref(tail="list"):
            return "'[]'"
        case Ref():
            return f"{value.name}()"
        case dict() | tuple() if _jsonable(value):
            return "'" + json.dumps(value).replace("'", "''") + "'"
    return render(value)


_SECONDS = {
    "weeks": 604800,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
    "milliseconds": 0.001,
    "microseconds": 0.000001,
}


def _interval(call: Call) -> str:
    """`timedelta(days=1, hours=2)` as the interval literal `'1 day 02:00:00'`."""
    total = 0.0
    names = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
    for unit in names:
        amount = call.get(unit, names.index(unit))
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            if amount is not None:
                return render(call)
            continue
        total += amount * _SECONDS[unit]
    days, rest = divmod(int(total), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if days and clock == "00:00:00":
        return f"'{days} day{'s' if days != 1 else ''}'"
    return f"'{days} days {clock}'" if days else f"'{clock}'"


def _jsonable(value: Value) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def _canonical(written: str) -> str:
    if written in _TYPES or written in ("ForeignKey", "OneToOneField", "ManyToManyField"):
        return written
    if written in _LIBRARY_FIELDS:
        return _LIBRARY_FIELDS[written]
    if written in _ALIASES:
        return _ALIASES[written][0]
    for suffix in ("OneToOneField", "ForeignKey", "ManyToManyField", "ParentalKey"):
        if written.endswith(suffix):
            return "ForeignKey" if suffix == "ParentalKey" else suffix
    if written.endswith("ArrayField"):
        return "ArrayField"
    if written in ("TaggableManager", "ParentalManyToManyField"):
        return "ManyToManyField"
    known = _known_base(written)
    if known is None:
        return written
    return _ALIASES[known][0] if known in _ALIASES else known


def _known_base(written: str) -> str | None:
    """The Django field a custom field's name ends with: `NoSSRFURLField` is a `URLField`."""
    return next((known for known in _KNOWN if written.endswith(known)), None)


def _relation(call: Call, kind: str) -> Relation | None:
    if kind not in ("ForeignKey", "OneToOneField", "ManyToManyField"):
        return None
    target = call.get("to", 0)
    on_delete = call.get("on_delete", 1)
    through = call.get("through")
    db_table = call.get("db_table")
    to_field = call.get("to_field")
    return Relation(
        to=_model_reference(target),
        many=kind == "ManyToManyField",
        to_field=to_field if isinstance(to_field, str) else None,
        db_constraint=call.get("db_constraint") is not False,
        through=_model_reference(through) if through is not None else None,
        db_table=db_table if isinstance(db_table, str) else None,
        on_delete=_on_delete(on_delete),
    )


def _model_reference(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Ref):
        return value.name
    return render(value)


def _on_delete(value: Value) -> str | None:
    """The database's ON DELETE: Django emulates CASCADE, SET_NULL, … in Python, so only the
    `DB_*` options reach the constraint."""
    if isinstance(value, Ref) and value.tail.startswith("DB_"):
        return value.tail[3:].replace("_", " ")
    return None


def _argument(field: FieldSpec, name: str, fallback: int | None) -> str:
    value = field.call.get(name)
    if value is None:
        value = fallback
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()  # `max_length="30"`: Django writes it into the type as is
    return render(value) if not isinstance(value, (int, type(None))) else str(value)


def _engine(dialect: Dialect | None) -> int:
    if dialect in (Dialect.MYSQL, Dialect.MARIADB):
        return 1
    if dialect is Dialect.SQLITE:
        return 2
    return 0
