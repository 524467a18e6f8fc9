"""Columns, references and `create_table` blocks as schema operations.

create_table :posts, id: :uuid do |t|
  t.references :author, null: false, foreign_key: { to_table: :users }
  t.string :title, null: false
  t.timestamps
end
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harvester.migrations.literals import Sym, Value, name_of, names_of
from harvester.migrations.rails import naming, types, versions
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema import ops


@dataclass(frozen=True, slots=True)
class Reference:
    """What `t.references` / `add_reference` adds: columns, an index, a foreign key."""

    columns: tuple[ops.ColumnDef, ...]
    index: ops.IndexDef | None
    foreign_key: ops.Constraint | None


def column(
    name: str, rails_type: str, options: Mapping[str, Value], ctx: RailsContext
) -> ops.ColumnDef:
    """One column as Rails creates it."""
    if rails_type == "primary_key":
        return _primary_key_column(name, ctx)
    null = options.get("null")
    default = types.default_sql(options.get("default")) if "default" in options else None
    generated = None
    if rails_type == "virtual":
        expression = name_of(options.get("as")) or "…"
        stored = "STORED" if options.get("stored") is True else "VIRTUAL"
        generated = f"ALWAYS AS ({expression}) {stored}"
    return ops.ColumnDef(
        name=name,
        type=types.column_type(rails_type, options, ctx),
        nullable=None if null is None else bool(null) if isinstance(null, bool) else None,
        default=default,
        primary_key=options.get("primary_key") is True,
        generated=generated,
        auto_increment=options.get("auto_increment") is True,
    )


def _primary_key_column(name: str, ctx: RailsContext) -> ops.ColumnDef:
    """`add_column :t, :id, :primary_key`: the auto-increment key `create_table` would add
    (BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY on MySQL, BIGSERIAL on PostgreSQL)."""
    sql_type = types.primary_key_type(Sym("primary_key"), ctx)
    return ops.ColumnDef(
        name=name,
        type=sql_type,
        nullable=False,
        primary_key=True,
        auto_increment=types.mysql_like(ctx.dialect),
    )


def timestamps(options: Mapping[str, Value], ctx: RailsContext) -> tuple[ops.ColumnDef, ...]:
    """`created_at` and `updated_at` as `t.timestamps` / `add_timestamps` create them."""
    merged = dict(options)
    if "null" not in merged and versions.timestamps_not_null(ctx.version):
        merged["null"] = False
    if "precision" not in merged:
        merged["precision"] = versions.timestamps_precision(ctx.version)
    return tuple(column(name, "datetime", merged, ctx) for name in ("created_at", "updated_at"))


# The columns Paperclip's `t.attachment :file` / `add_attachment :t, :file` add, `file_<suffix>`.
_ATTACHMENT_COLUMNS = (
    ("file_name", "string"),
    ("content_type", "string"),
    ("file_size", "integer"),
    ("updated_at", "datetime"),
)


def attachment_columns(
    name: str, options: Mapping[str, Value], ctx: RailsContext
) -> tuple[ops.ColumnDef, ...]:
    """What Paperclip's `attachment :avatar` adds: `avatar_file_name`, `avatar_content_type`,
    `avatar_file_size` and `avatar_updated_at`, each with the options given to all of them
    and its own (`file_size: {limit: 8}`)."""
    shared = {k: v for k, v in options.items() if k not in dict(_ATTACHMENT_COLUMNS)}
    found = []
    for suffix, rails_type in _ATTACHMENT_COLUMNS:
        own = options.get(suffix)
        merged = {**shared, **own} if isinstance(own, dict) else shared
        found.append(column(f"{name}_{suffix}", rails_type, merged, ctx))
    return tuple(found)


def attachment_column_names(names: Sequence[Value]) -> list[str]:
    """The columns `remove_attachment :t, :avatar` drops."""
    return [
        f"{n}_{suffix}" for v in names for n in names_of(v) for suffix, _ in _ATTACHMENT_COLUMNS
    ]


def index(
    table: str,
    columns: Value,
    options: Mapping[str, Value],
    ctx: RailsContext,
    unread: tuple[str, ...] = (),
) -> ops.IndexDef:
    """An index as `add_index` / `t.index` creates it, named by Rails' convention unless
    options harvester cannot read (`unread`, `**opts`) may name it."""
    names = names_of(columns)
    given = name_of(options.get("name")) if options.get("name") is not None else None
    algorithm = name_of(options.get("algorithm"))
    where = options.get("where")
    named_by = columns if isinstance(columns, str) else names
    conventional = None if unread else naming.index_name(table, named_by, ctx.version)
    return ops.IndexDef(
        name=given or conventional,
        table=table,
        columns=_sorted_columns(names, options.get("order")),
        unique=options.get("unique") is True,
        concurrently=algorithm == "concurrently",
        where=name_of(where) if where is not None else None,
        method=name_of(options.get("using")) if options.get("using") is not None else None,
        if_not_exists=options.get("if_not_exists") is True,
        algorithm=algorithm if algorithm not in (None, "concurrently") else None,
        options_unread=", ".join(unread) or None,
        include=tuple(names_of(options["include"])) if "include" in options else (),
    )


def _sorted_columns(names: Sequence[str], order: Value) -> tuple[str, ...]:
    """Index columns with the sort order `order:` gives them (`order: {created_at: :desc}`,
    or `order: :desc` for all), as the SQL reads: `created_at DESC`."""
    if isinstance(order, dict):
        orders = {key: name_of(value) for key, value in order.items()}
    else:
        orders = dict.fromkeys(names, name_of(order))
    return tuple(
        f"{name} {direction.upper()}" if direction and direction.lower() != "asc" else name
        for name, direction in ((name, orders.get(name)) for name in names)
    )


def foreign_key(
    table: str, to_table: str, options: Mapping[str, Value], ctx: RailsContext
) -> ops.Constraint:
    """A foreign key as `add_foreign_key` / `t.foreign_key` creates it (`fk_rails_…`)."""
    columns = names_of(options.get("column")) or [naming.column_for_table(to_table)]
    primary = names_of(options.get("primary_key")) or ["id"]
    name = name_of(options.get("name")) if options.get("name") is not None else None
    validate = options.get("validate")
    fk = ops.ForeignKey(
        columns=tuple(columns),
        ref_table=to_table,
        ref_columns=tuple(primary),
        on_delete=types.on_action(options.get("on_delete")),
        on_update=types.on_action(options.get("on_update")),
        name=name or naming.foreign_key_name(table, columns),
        not_valid=validate is False,
        deferrable=options.get("deferrable") not in (None, False),
    )
    return ops.Constraint(
        ops.ConstraintKind.FOREIGN_KEY, name=fk.name, foreign_key=fk, not_valid=validate is False
    )


def reference(
    table: str, ref: str, options: Mapping[str, Value], ctx: RailsContext, *, standalone: bool
) -> Reference:
    """`t.references :user` / `add_reference :posts, :user` (index on by default from 5.0)."""
    ref_type = name_of(options.get("type")) or types.key_type(ctx)
    if standalone and ctx.dialect is ops.Dialect.SQLITE and "type" not in options:
        ref_type = "integer"
    shared = {k: options[k] for k in ("null", "default", "limit") if k in options}
    id_column = column(f"{ref}_id", ref_type, shared, ctx)
    polymorphic = options.get("polymorphic") not in (None, False)
    cols: tuple[ops.ColumnDef, ...] = (id_column,)
    if polymorphic:
        type_options = {k: v for k, v in shared.items() if k == "null"}
        cols = (column(f"{ref}_type", "string", type_options, ctx), id_column)
    wanted = options.get("index", versions.references_indexed(ctx.version))
    idx = None
    if wanted not in (None, False):
        idx_options: dict[str, Value] = dict(wanted) if isinstance(wanted, dict) else {}
        if (
            polymorphic
            and "name" not in idx_options
            and versions.polymorphic_index_named_after_reference(ctx.version)
        ):
            idx_options["name"] = f"index_{table}_on_{ref}"
        idx = index(table, [c.name for c in cols], idx_options, ctx)
    fk = None
    wanted_fk = options.get("foreign_key")
    if wanted_fk not in (None, False) and not polymorphic:
        fk_options: dict[str, Value] = dict(wanted_fk) if isinstance(wanted_fk, dict) else {}
        to_table = name_of(fk_options.pop("to_table", None)) or naming.pluralize(ref)
        fk_options["column"] = Sym(f"{ref}_id")
        fk = foreign_key(table, to_table, fk_options, ctx)
    return Reference(cols, idx, fk)


def primary_key_columns(
    table_options: Mapping[str, Value], ctx: RailsContext
) -> tuple[tuple[ops.ColumnDef, ...], tuple[ops.Constraint, ...]]:
    """The `id` column `create_table` adds (or none with `id: false`), or a composite key."""
    id_option = table_options.get("id", True)
    primary = table_options.get("primary_key")
    if isinstance(primary, list):
        return (), (
            ops.Constraint(ops.ConstraintKind.PRIMARY_KEY, columns=tuple(names_of(primary))),
        )
    if id_option is False:
        return (), ()
    sql_type = types.primary_key_type(id_option, ctx)
    auto = types.mysql_like(ctx.dialect) and sql_type in ("BIGINT", "INT")
    pk = ops.ColumnDef(
        name=name_of(primary) or "id",
        type=sql_type,
        primary_key=True,
        default=types.primary_key_default(id_option, table_options, ctx),
        auto_increment=auto,
    )
    return (pk,), ()


def join_table(
    first: str, second: str, options: Mapping[str, Value], ctx: RailsContext
) -> tuple[str, tuple[ops.ColumnDef, ...]]:
    """`create_join_table :users, :roles`: the table name and its two NOT NULL key columns."""
    table = name_of(options.get("table_name")) or naming.join_table_name(first, second)
    column_options = options.get("column_options")
    extra: Mapping[str, Value] = column_options if isinstance(column_options, dict) else {}
    merged = {"null": False, **extra}
    cols = tuple(
        column(f"{naming.singularize(name)}_id", types.key_type(ctx), merged, ctx)
        for name in (first, second)
    )
    return table, cols


def unique_names(indexes: Sequence[ops.IndexDef]) -> list[ops.IndexDef]:
    """Indexes without repeats (a column `index: true` and a `t.index` on the same columns)."""
    seen: dict[str | None, ops.IndexDef] = {}
    for idx in indexes:
        seen.setdefault(idx.name, idx)
    return list(seen.values())
