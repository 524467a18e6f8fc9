"""Schema facts in the report's wording: `table.column TYPE NOT NULL`, `name ON table(cols)`.

Every system's operations are worded here, so a NOT NULL column reads the same whether it came
from SQL, Django or Ecto.
"""

from __future__ import annotations

from collections.abc import Iterator

from harvester.migrations.schema import ops
from harvester.model import TableChange


def column(col: ops.ColumnDef, dialect: ops.Dialect | None = None) -> str:
    """`name TYPE NOT NULL DEFAULT x (PK)`, as a created table's column list shows it; an
    auto-increment is spelled as `dialect` spells it (SQLite's AUTOINCREMENT)."""
    parts = [col.name]
    if col.type:
        parts.append(col.type)
    if col.nullable is False and not col.primary_key:
        parts.append("NOT NULL")
    if col.primary_key:
        parts.append("NOT NULL")
    if col.default is not None:
        parts.append(f"DEFAULT {col.default}")
    if col.generated:
        parts.append(f"GENERATED {col.generated}")
    if col.auto_increment:
        parts.append("AUTOINCREMENT" if dialect is ops.Dialect.SQLITE else "AUTO_INCREMENT")
    if col.unique and not col.primary_key:
        parts.append("UNIQUE")
    if col.references is not None:
        parts.append(f"-> {reference(col.references)}")
    if col.primary_key:
        parts.append("(PK)")
    return " ".join(parts)


def reference(fk: ops.ForeignKey) -> str:
    """`users.id ON DELETE CASCADE`."""
    target = fk.ref_table
    if fk.ref_columns:
        target += "." + ",".join(fk.ref_columns)
    if fk.on_delete:
        target += f" ON DELETE {fk.on_delete.upper()}"
    if fk.on_update:
        target += f" ON UPDATE {fk.on_update.upper()}"
    return target


def index_name(idx: ops.IndexDef) -> str:
    """The index's name, or why there is none to show."""
    if idx.name:
        return idx.name
    return "(name not read)" if idx.options_unread else "(unnamed)"


def index(idx: ops.IndexDef) -> str:
    """`name ON table(cols) UNIQUE USING gin CONCURRENTLY WHERE …`: the WHERE clause last, where
    SQL writes it."""
    text = f"{index_name(idx)} ON {idx.table}({', '.join(idx.columns)})"
    if idx.include:
        text += f" INCLUDE ({', '.join(idx.include)})"
    if idx.unique:
        text += " UNIQUE NULLS NOT DISTINCT" if idx.nulls_not_distinct else " UNIQUE"
    if idx.method:
        text += f" USING {idx.method}"
    if idx.concurrently:
        text += " CONCURRENTLY"
    if idx.algorithm:
        text += f" ALGORITHM={idx.algorithm.upper()}"
    if idx.where:
        text += f" WHERE {idx.where}"
    if idx.options_unread:
        text += f" (options {idx.options_unread} not read: it may be UNIQUE)"
    return text


def constraint(con: ops.Constraint) -> str:
    """`name FOREIGN KEY (col) -> table.col ON DELETE CASCADE`, `name CHECK (expr) NOT VALID`."""
    head = f"{con.name} " if con.name else ""
    if con.kind is ops.ConstraintKind.FOREIGN_KEY and con.foreign_key is not None:
        text = (
            f"{head}FOREIGN KEY ({', '.join(con.foreign_key.columns)}) -> "
            f"{reference(con.foreign_key)}"
        )
    elif con.kind is ops.ConstraintKind.CHECK:
        text = f"{head}CHECK ({con.expression or '…'})"
    else:
        cols = f" ({', '.join(con.columns)})" if con.columns else ""
        using = f" USING INDEX {con.using_index}" if con.using_index else ""
        nulls = " NULLS NOT DISTINCT" if con.nulls_not_distinct else ""
        text = f"{head}{con.kind.value}{nulls}{cols}{using}"
    if con.not_valid or (con.foreign_key is not None and con.foreign_key.not_valid):
        text += " NOT VALID"
    return text


def operation_label(operation: ops.Operation) -> str:
    """An operation in a reviewer's words: `drops index ix ON t`, `adds users.email TEXT`."""
    if isinstance(operation, ops.Opaque):
        return operation.summary
    change = next(table_changes(operation), None)
    if change is None:
        return type(operation).__name__
    verb = _VERBS.get(change.category, change.category.replace("_", " "))
    return f"{verb} {change.text}"


_VERBS = {
    "tables_created": "creates table",
    "tables_dropped": "drops table",
    "tables_renamed": "renames table",
    "columns_added": "adds",
    "columns_dropped": "drops",
    "columns_altered": "alters",
    "columns_renamed": "renames",
    "indexes_added": "adds index",
    "indexes_recreated": "re-creates index",
    "indexes_dropped": "drops index",
    "constraints_added": "adds",
    "constraints_dropped": "drops",
}


def listed(change: TableChange) -> str:
    """A change as the migration's flat lists show it, outside the grouping by table: an added
    constraint names its table (`orders: CHECK (total > 0)`) unless its own name starts with
    it, as columns (`orders.total`) and indexes (`ON orders(total)`) do."""
    if (
        change.category == "constraints_added"
        and change.table
        and not change.text.startswith(f"{change.table}_")
    ):
        return f"{change.table}: {change.text}"
    return change.text


def table_changes(operation: ops.Operation) -> Iterator[TableChange]:
    """The schema facts one operation states, each tagged with its table and category."""
    match operation:
        case ops.CreateTable(table=table):
            yield TableChange(
                table, "tables_ensured" if operation.may_exist else "tables_created", table
            )
            for con in operation.constraints:
                yield TableChange(table, "constraints_added", constraint(con))
        case ops.DropTable(table=table):
            yield TableChange(table, "tables_dropped", table)
        case ops.RenameTable(old=old, new=new):
            yield TableChange(new, "tables_renamed", f"{old} -> {new}")
        case ops.ExchangeTables(first=first, second=second):
            yield TableChange(first, "tables_renamed", f"{first} <-> {second}")
        case ops.RebuildTable(table=table, via=via):
            detail = f" ({'; '.join(operation.changes)})" if operation.changes else ""
            yield TableChange(table, "tables_rebuilt", f"{table} via {via}{detail}")
            for old, new in operation.renames:
                yield TableChange(table, "columns_renamed", f"{table}.{old} -> {new}")
            for name in operation.drops:
                yield TableChange(table, "columns_dropped", f"{table}.{name}")
        case ops.AddColumn(table=table, column=col):
            yield TableChange(table, "columns_added", f"{table}.{column(col)}")
            if col.references is not None:
                yield TableChange(
                    table,
                    "constraints_added",
                    constraint(
                        ops.Constraint(
                            ops.ConstraintKind.FOREIGN_KEY,
                            name=col.references.name,
                            foreign_key=col.references,
                        )
                    ),
                )
        case ops.DropColumn(table=table, column=name):
            yield TableChange(table, "columns_dropped", f"{table}.{name}")
        case ops.RenameColumn(table=table, old=old, new=new):
            yield TableChange(table, "columns_renamed", f"{table}.{old} -> {new}")
        case ops.AlterColumnType(old_type=old_type, new_type=new_type, using=None, via=None) if (
            old_type == new_type
        ):
            return  # the type is restated, not changed (Ecto's `modify` of a NOT NULL, say)
        case ops.AlterColumnType(table=table, column=name, via=str() as via):
            yield TableChange(table, "columns_altered", _copied_column(operation, via))
        case ops.AlterColumnType(table=table, column=name):
            old = f"{operation.old_type} -> " if operation.old_type else "TYPE "
            using = f" USING {operation.using}" if operation.using else ""
            yield TableChange(
                table, "columns_altered", f"{table}.{name} {old}{operation.new_type}{using}"
            )
        case ops.SetNotNull(table=table, column=name):
            yield TableChange(table, "columns_altered", f"{table}.{name} SET NOT NULL")
        case ops.DropNotNull(table=table, column=name):
            yield TableChange(table, "columns_altered", f"{table}.{name} DROP NOT NULL")
        case ops.SetDefault(table=table, column=name, default=default):
            yield TableChange(table, "columns_altered", f"{table}.{name} SET DEFAULT {default}")
        case ops.DropDefault(table=table, column=name):
            yield TableChange(table, "columns_altered", f"{table}.{name} DROP DEFAULT")
        case ops.ModifyColumn(table=table, column=col):
            before, after = "", column(col)
            if operation.old is not None and operation.old.name == col.name:
                before, after = f"{column(operation.old)} -> ", after.removeprefix(col.name + " ")
            elif operation.old is not None:
                before = f"{column(operation.old)} -> "
            elif operation.old_name and operation.old_name != col.name:
                before = f"{operation.old_name} -> "
            yield TableChange(table, "columns_altered", f"{table}.{before}{after}")
        case ops.CreateIndex(index=idx):
            category = "indexes_recreated" if operation.recreated else "indexes_added"
            yield TableChange(idx.table, category, index(idx))
        case ops.DropIndex(name=name, table=table):
            where = f" ON {table}" if table else ""
            guarded = " (if it exists)" if operation.if_exists else ""
            yield TableChange(table or "", "indexes_dropped", f"{name}{guarded}{where}")
        case ops.RenameIndex(old=old, new=new, table=table):
            yield TableChange(table or "", "indexes_renamed", f"{old} -> {new}")
        case ops.AddConstraint(table=table, constraint=con):
            yield TableChange(table, "constraints_added", constraint(con))
        case ops.DropConstraint(table=table, name=name, kind=kind):
            label = name or "(unnamed)"
            if kind is not None:
                label += f" {kind.value}"
            yield TableChange(table, "constraints_dropped", f"{label} ON {table}")
        case ops.ValidateConstraint(table=table, name=name):
            yield TableChange(table, "constraints_validated", f"{name} ON {table}")
        case ops.CreateEnumType(name=name, values=values):
            yield TableChange(name, "types_created", f"{name} ENUM ({', '.join(values)})")
        case ops.RedefineEnumType(name=name, values=values):
            yield TableChange(
                name, "types_altered", f"{name} ENUM values now ({', '.join(values)})"
            )
        case ops.AddEnumValue(type_name=name, value=value):
            yield TableChange(name, "types_altered", f"{name} ADD VALUE {value!r}")
        case ops.DropType(name=name):
            yield TableChange(name, "types_dropped", name)
        case ops.RenameType(old=old, new=new):
            yield TableChange(new, "types_renamed", f"{old} -> {new}")
        case ops.CreateView(name=name, materialized=materialized):
            what = "materialized view" if materialized else "view"
            yield TableChange(name, "views_created", f"{name} ({what})")
        case ops.DropView(name=name, materialized=materialized):
            what = "materialized view" if materialized else "view"
            yield TableChange(name, "views_dropped", f"{name} ({what})")
        case ops.TableOptions(table=table, options=options):
            yield TableChange(table, "table_options", f"{table}: {', '.join(options)}")
        case _:
            return


def _copied_column(change: ops.AlterColumnType, via: str) -> str:
    """A column redefined by copying it into a new column that takes its name: its new type
    (or that it keeps its type), whether the column copied into allows NULL (a later statement
    may still forbid it), and how the copy converts the values (`bpm_new = nullif(bpm, 0)`)."""
    if change.old_type and change.old_type.upper() == change.new_type.upper():
        text = f"{change.table}.{change.column} {change.new_type}, type kept"
    elif change.old_type:
        text = f"{change.table}.{change.column} {change.old_type} -> {change.new_type}"
    else:
        text = f"{change.table}.{change.column} TYPE {change.new_type}"
    allows = ", which allows NULL" if change.nullable else ""
    values = f"; values set to {change.using}" if change.using else ""
    return f"{text} (copied through {via}{allows}{values})"
