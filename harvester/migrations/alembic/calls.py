"""`op.*` calls (and `batch_op.*` inside `batch_alter_table`) as schema operations.

    op.add_column("user", sa.Column("email", sa.String(255), nullable=False))
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(255), nullable=True)

In a batch block the table comes from the block, so every positional argument moves one
place to the left; the signatures below say where each argument is in both forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from harvester.migrations.alembic import columns
from harvester.migrations.pyast import Call, Code, Ref, Value, render, strings
from harvester.migrations.schema import engines, ops

# Positional parameters of each op.* call; a batch call drops the table parameter.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "drop_constraint": ("constraint_name", "table_name"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
}
# geoalchemy2.alembic_helpers: the same signatures as the plain operations they wrap.
_GEOSPATIAL = {
    "add_geospatial_column": "add_column",
    "drop_geospatial_column": "drop_column",
    "create_geospatial_index": "create_index",
    "drop_geospatial_index": "drop_index",
    "create_geospatial_table": "create_table",
    "drop_geospatial_table": "drop_table",
}
_TABLE = {"source_table", "table_name"}
# Arguments that must be literal names for the call to say which table or column it changes.
_NAMED = ("table_name", "source_table", "column_name", "old_table_name", "new_table_name")
_COMMENTS = frozenset(
    {"create_table_comment", "drop_table_comment", "create_sequence", "drop_sequence"}
)


@dataclass
class CallResult:
    """What one op.* call runs, and what a reviewer should know about it."""

    operations: list[ops.Operation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    # (enum type, "table.column"): a column whose type add_column expects to exist already
    types_needed: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[dict[str, Value], Call, "ops.Dialect | None", CallResult], None]


def arguments(method: str, call: Call, batch_table: str | None) -> dict[str, Value]:
    """The call's arguments by parameter name (the batch table fills the table parameter)."""
    params = list(_SIGNATURES.get(method, ()))
    if batch_table is not None:
        params = [p for p in params if p not in _TABLE]
    named: dict[str, Value] = dict(zip(params, call.args, strict=False))
    named.update(call.kwargs)
    for param in ("table_name", "source_table", "old_table_name", "new_table_name"):
        named[param] = model_table(named[param]) if param in named else None
        if named[param] is None:
            del named[param]
    # `schema="users"` names the table's schema: `users.affiliations` is not `affiliations`.
    for param, schema_param in _SCHEMAS:
        table, schema = named.get(param), named.get(schema_param)
        if isinstance(table, str) and isinstance(schema, str) and schema:
            named[param] = f"{schema}.{table}"
    if batch_table is not None:
        for param in _SIGNATURES.get(method, ()):
            if param in _TABLE:
                named.setdefault(param, batch_table)
    named["*rest"] = call.args[len(params) :]
    return named


# Each table parameter and the parameter that names its schema.
_SCHEMAS = (
    ("table_name", "schema"),
    ("old_table_name", "schema"),
    ("new_table_name", "schema"),
    ("source_table", "source_schema"),
    ("referent_table", "referent_schema"),
)


def model_table(value: Value) -> Value:
    """A table named by a model (`SqlDataset.__tablename__`) stands for itself: the same name
    all through the file, though its text is in the model's module; other values as given."""
    if isinstance(value, Ref) and value.tail == "__tablename__":
        return value.name
    return value


def translate(
    method: str, call: Call, batch_table: str | None, dialect: ops.Dialect | None
) -> CallResult:
    """The schema operations of `op.<method>(…)` or `batch_op.<method>(…)`."""
    result = CallResult()
    method = _GEOSPATIAL.get(method, method)
    args = arguments(method, call, batch_table)
    handler = _HANDLERS.get(method)
    unknown = [k for k in _NAMED if k in args and not isinstance(args[k], str)]
    if handler is not None and unknown:
        chosen = ", ".join(render(args[k]) for k in unknown)
        result.operations.append(
            ops.Opaque(f"{call.func}(…) on names chosen at run time ({chosen})", raw=True)
        )
    elif handler is not None:
        handler(args, call, dialect, result)
    elif method in _COMMENTS:
        result.operations.append(ops.Opaque(f"op.{method}({_short(call)})"))
    else:
        result.operations.append(ops.Opaque(f"{call.func}(…)", raw=True, line=call.line))
    return result


def _table(args: dict[str, Value], key: str = "table_name") -> str:
    value = args.get(key)
    return value if isinstance(value, str) else render(value)


def _create_table(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table = _table(args)
    defs: list[ops.ColumnDef] = []
    constraints: list[ops.Constraint] = []
    after: list[ops.Operation] = []
    before: list[ops.Operation] = []
    rest = args["*rest"]
    for item in rest if isinstance(rest, tuple) else ():
        if isinstance(item, Call) and item.name == "Column":
            defs.append(columns.column_def(item, table, dialect))
            index = columns.column_index(item, table)
            if index is not None:
                after.append(ops.CreateIndex(index))
            enum = columns.enum_type(item.get("type_", 1))
            if enum is not None and dialect in (None, ops.Dialect.POSTGRESQL):
                before.append(enum)
            continue
        record = columns.table_constraint(item, table)
        if isinstance(record, ops.IndexDef):
            after.append(ops.CreateIndex(record))
        elif record is not None:
            constraints.append(record)
    created = ops.CreateTable(table, tuple(defs), tuple(constraints), charset=_charset(args))
    result.operations += [*before, created, *after]


def _charset(args: dict[str, Value]) -> str | None:
    """`mysql_charset=` or `mysql_default_charset=` (SQLAlchemy reads them in any case, and
    MariaDB reads the mysql_ ones too), as the server names it."""
    for key, value in args.items():
        name = key.lower()
        if name.startswith(("mysql_", "mariadb_")) and name.endswith("charset"):
            return engines.mysql_charset_name(value) if isinstance(value, str) else None
    return None


def _add_column(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table = _table(args)
    column = args.get("column")
    if not isinstance(column, Call):
        result.operations.append(
            ops.Opaque(f"add_column on {table}: column built at run time", raw=True)
        )
        return
    definition = columns.column_def(column, table, dialect)
    if definition.primary_key:
        # add_column emits the column alone: `primary_key=True` adds no PRIMARY KEY here, and
        # an integer key column is autoincrementing unless told not to (SERIAL on PostgreSQL)
        serial = columns.SERIALS.get((definition.type or "").upper())
        automatic = column.get("autoincrement") is not False and serial is not None
        postgres = dialect in (None, ops.Dialect.POSTGRESQL)
        definition = replace(
            definition,
            primary_key=False,
            nullable=False,
            type=serial if automatic and postgres else definition.type,
            auto_increment=automatic and not postgres,
        )
        result.notes.append(
            f"{table}.{definition.name}: primary_key=True on add_column creates no primary key"
        )
    result.operations.append(ops.AddColumn(table, definition))
    index = columns.column_index(column, table)
    if index is not None:
        result.operations.append(ops.CreateIndex(index))
    enum = columns.enum_type(column.get("type_", 1))
    if enum is not None and dialect in (None, ops.Dialect.POSTGRESQL):
        result.types_needed.append((enum.name, f"{table}.{definition.name}"))


def type_needed_note(enum: str, column: str) -> str:
    """What a reviewer must check when add_column uses an enum type nothing here creates."""
    return (
        f"{column}: add_column does not create the enum type {enum} on PostgreSQL; "
        "it must already exist"
    )


def _drop_column(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table, column = _table(args), args.get("column_name")
    extra = args.get("*rest")
    if isinstance(extra, tuple) and extra:
        # Alembic's drop_column takes the names positionally, every other argument by keyword
        in_batch = len(call.args) - len(extra) < len(_SIGNATURES["drop_column"])
        takes = (
            "only the column name (the block gives the table)"
            if in_batch
            else "only the table and column names"
        )
        result.broken.append(
            f"line {call.line}: {call.func}({_short(call)}) raises TypeError: drop_column "
            f"takes {takes} positionally"
        )
        if in_batch and column == table and isinstance(extra[0], str):
            column = extra[0]  # the table named again: the column meant is the next name
    result.operations.append(ops.DropColumn(table, str(column)))


def _alter_column(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table, column = _table(args), str(args.get("column_name"))
    new_name = args.get("new_column_name")
    if isinstance(new_name, str) and new_name != column:
        result.operations.append(ops.RenameColumn(table, column, new_name))
        column = new_name
    project_type = columns.code_defined_type(args.get("type_"))
    if project_type is not None:
        result.operations.append(
            ops.Opaque(
                f"{table}.{column}: type set to {project_type}, a type defined in the "
                "project's code: check what it compiles to on each engine"
            )
        )
    elif "type_" in args:
        using = engine_option(args, "using", dialect)
        result.operations.append(
            ops.AlterColumnType(
                table,
                column,
                columns.type_name(args["type_"], dialect) or "?",
                columns.type_name(args.get("existing_type"), dialect),
                using=using if isinstance(using, str) else None,
            )
        )
    # nullable equal to existing_nullable restates the column (MySQL's MODIFY needs it all):
    # no NULL check runs.
    nullable, existing = args.get("nullable"), args.get("existing_nullable")
    if nullable is False and existing is not False:
        result.operations.append(ops.SetNotNull(table, column))
    elif nullable is True and existing is not True:
        result.operations.append(ops.DropNotNull(table, column))
    if "server_default" in args:
        default = columns.server_default(args["server_default"])
        if args["server_default"] is False:
            pass
        elif default is None:
            result.operations.append(ops.DropDefault(table, column))
        else:
            result.operations.append(ops.SetDefault(table, column, default))


def _create_index(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table = _table(args)
    cols = args.get("columns")
    names = (
        ["(columns chosen at run time)"]
        if isinstance(cols, (Ref, Code))
        else [
            c if isinstance(c, str) else columns.sql_text(c)
            for c in (cols if isinstance(cols, tuple) else (cols,))
        ]
    )
    where = engine_option(args, "where", dialect)
    method = engine_option(args, "using", dialect)
    include = engine_option(args, "include", dialect) or ()
    included = include if isinstance(include, tuple) else (include,)
    result.operations.append(
        ops.CreateIndex(
            ops.IndexDef(
                name=columns.constraint_name(args.get("index_name")),
                table=table,
                columns=tuple(names),
                unique=args.get("unique") is True,
                concurrently=engine_option(args, "concurrently", dialect) is True,
                where=columns.sql_text(where) if where is not None else None,
                method=method if isinstance(method, str) else None,
                if_not_exists=args.get("if_not_exists") is True,
                include=tuple(c for c in included if isinstance(c, str)),
            )
        )
    )


# The prefix of the keyword arguments each engine reads (`postgresql_where=`, `sqlite_where=`):
# SQLAlchemy ignores the options of other engines.
_OPTION_PREFIXES = {
    ops.Dialect.POSTGRESQL: ("postgresql",),
    ops.Dialect.COCKROACHDB: ("postgresql",),
    ops.Dialect.MYSQL: ("mysql",),
    ops.Dialect.MARIADB: ("mariadb", "mysql"),
    ops.Dialect.SQLITE: ("sqlite",),
    ops.Dialect.SQLSERVER: ("mssql",),
}


def engine_option(args: dict[str, Value], option: str, dialect: ops.Dialect | None) -> Value:
    """`<engine>_<option>=` for the engine the tree runs on (PostgreSQL when not known)."""
    for prefix in _OPTION_PREFIXES.get(dialect or ops.Dialect.POSTGRESQL, ()):
        if f"{prefix}_{option}" in args:
            return args[f"{prefix}_{option}"]
    return None


def _drop_index(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    name = columns.constraint_name(args.get("index_name"))
    table = args.get("table_name")
    if name is None:
        result.broken.append(f"line {call.line}: drop_index without a name cannot run")
    result.operations.append(
        ops.DropIndex(
            name or "?",
            table if isinstance(table, str) else None,
            concurrently=engine_option(args, "concurrently", dialect) is True,
            if_exists=args.get("if_exists") is True,
        )
    )


def _create_foreign_key(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    table = _table(args, "source_table")
    fk = columns.foreign_key(
        args.get("constraint_name"),
        args.get("local_cols"),
        args.get("referent_table"),
        args.get("remote_cols"),
        call,
    )
    constraint = ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, fk.name, fk.columns, foreign_key=fk)
    result.operations.append(ops.AddConstraint(table, constraint))


def _create_check(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    name = columns.constraint_name(args.get("constraint_name"))
    condition = columns.sql_text(args.get("condition"))
    constraint = ops.Constraint(ops.ConstraintKind.CHECK, name, expression=condition)
    result.operations.append(ops.AddConstraint(_table(args), constraint))


def _keyed(kind: ops.ConstraintKind) -> Handler:
    """A handler for `create_unique_constraint` or `create_primary_key` (name, table, columns)."""

    def create(
        args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
    ) -> None:
        name = columns.constraint_name(args.get("constraint_name"))
        constraint = ops.Constraint(kind, name, strings(args.get("columns")))
        result.operations.append(ops.AddConstraint(_table(args), constraint))

    return create


def _create_exclude(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    name = columns.constraint_name(args.get("constraint_name"))
    rest = args["*rest"]
    expression = ", ".join(render(e) for e in rest) if isinstance(rest, tuple) else None
    constraint = ops.Constraint(ops.ConstraintKind.EXCLUDE, name, expression=expression)
    result.operations.append(ops.AddConstraint(_table(args), constraint))


def _drop_constraint(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    given = args.get("constraint_name")
    name = columns.constraint_name(given)
    table = _table(args)
    if given is None:  # a literal None; a name held in a variable is only unknown here
        result.broken.append(
            f"line {call.line}: op.drop_constraint(None, {table!r}) cannot run: the constraint "
            "has no name (Alembic raises 'Constraint must have a name')"
        )
    result.operations.append(
        ops.DropConstraint(table, name, columns.constraint_kind(args.get("type_")))
    )


def _drop_table(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    result.operations.append(ops.DropTable(_table(args), if_exists=args.get("if_exists") is True))


def _rename_table(
    args: dict[str, Value], call: Call, dialect: ops.Dialect | None, result: CallResult
) -> None:
    result.operations.append(
        ops.RenameTable(_table(args, "old_table_name"), _table(args, "new_table_name"))
    )


def _short(call: Call) -> str:
    text = ", ".join(render(a) for a in call.args)
    return text if len(text) <= 60 else text[:57] + "…"


_HANDLERS: dict[str, Handler] = {
    "create_table": _create_table,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "add_column": _add_column,
    "drop_column": _drop_column,
    "alter_column": _alter_column,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "create_foreign_key": _create_foreign_key,
    "create_unique_constraint": _keyed(ops.ConstraintKind.UNIQUE),
    "create_check_constraint": _create_check,
    "create_primary_key": _keyed(ops.ConstraintKind.PRIMARY_KEY),
    "create_exclude_constraint": _create_exclude,
    "drop_constraint": _drop_constraint,
}
