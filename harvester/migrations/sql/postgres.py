"""PostgreSQL statements to schema operations, read with pglast (PostgreSQL's own grammar).

    ALTER TABLE "segment" ADD CONSTRAINT "segment_website_id_fkey" FOREIGN KEY ("website_id")
        REFERENCES "website"("website_id") ON DELETE CASCADE NOT VALID;

pglast is imported inside the functions: start-up time matters, and most ranges touch no SQL.
"""

from __future__ import annotations

from typing import Any

from harvester.migrations.schema import ops
from harvester.migrations.sql import postgres_nodes as nodes
from harvester.migrations.sql import rows
from harvester.migrations.sql.errors import StatementError
from harvester.migrations.sql.names import constraint_kind_from_name, summary
from harvester.migrations.sql.plpgsql import do_block_statements
from harvester.migrations.sql.tables import with_primary_key_on_columns


def statement_operations(text: str, line: int, dialect: ops.Dialect) -> list[ops.Operation]:
    """The operations of one PostgreSQL statement; `StatementError` when pglast rejects it."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        raw = parse_sql(text)
    except ParseError as error:
        raise StatementError(f"PostgreSQL parser: {error}") from error
    result: list[ops.Operation] = []
    for item in raw:
        result.extend(_Translator(text, line, dialect).statement(item.stmt))
    return result


class _Translator:
    """One statement's translation; `line` is where it starts in its file."""

    def __init__(self, text: str, line: int, dialect: ops.Dialect) -> None:
        self.text = text
        self.line = line
        self.dialect = dialect

    def name(self, node: Any) -> str:
        return nodes.relation_name(node, self.dialect)

    def opaque(self, what: str | None = None) -> list[ops.Operation]:
        return [ops.Opaque(what or summary(self.text), line=self.line)]

    def statement(self, node: Any) -> list[ops.Operation]:
        kind = type(node).__name__
        handler = getattr(self, f"_{kind}", None)
        if handler is not None:
            result: list[ops.Operation] = handler(node)
            return result
        if kind in nodes.IGNORED_STATEMENTS:
            return []
        return self.opaque()

    # --- tables ------------------------------------------------------------------------------

    def _CreateStmt(self, node: Any) -> list[ops.Operation]:
        table = self.name(node.relation)
        columns: list[ops.ColumnDef] = []
        constraints: list[ops.Constraint] = []
        for element in node.tableElts or ():
            if type(element).__name__ == "ColumnDef":
                column, extra = nodes.column(element, self.dialect)
                columns.append(column)
                constraints.extend(extra)
            elif type(element).__name__ == "Constraint":
                constraints.append(nodes.constraint(element, self.dialect))
        created = ops.CreateTable(
            table,
            tuple(columns),
            tuple(constraints),
            if_not_exists=bool(node.if_not_exists),
            temporary=node.relation.relpersistence == "t",
            line=self.line,
        )
        return [with_primary_key_on_columns(created)]

    def _CreateTableAsStmt(self, node: Any) -> list[ops.Operation]:
        name = self.name(node.into.rel)
        if nodes.enum_name(node.objtype) == "OBJECT_MATVIEW":
            definition = nodes.expression(node.query)
            return [ops.CreateView(name, materialized=True, line=self.line, definition=definition)]
        temporary = node.into.rel.relpersistence == "t"
        return [
            ops.CreateTable(name, as_select=summary(self.text), temporary=temporary, line=self.line)
        ]

    def _AlterTableStmt(self, node: Any) -> list[ops.Operation]:
        objtype = nodes.enum_name(node.objtype)
        if objtype not in ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE"):
            return self.opaque()
        table = self.name(node.relation)
        result: list[ops.Operation] = []
        for cmd in node.cmds or ():
            result.extend(self._alter_command(table, cmd))
        return result

    def _alter_command(self, table: str, cmd: Any) -> list[ops.Operation]:
        subtype = nodes.enum_name(cmd.subtype)
        line = self.line
        if subtype == "AT_AddColumn":
            column, extra = nodes.column(cmd.def_, self.dialect)
            added: list[ops.Operation] = [
                ops.AddColumn(table, column, if_not_exists=bool(cmd.missing_ok), line=line)
            ]
            return added + [ops.AddConstraint(table, c, line=line) for c in extra]
        if subtype == "AT_DropColumn":
            return [ops.DropColumn(table, cmd.name, if_exists=bool(cmd.missing_ok), line=line)]
        if subtype == "AT_AlterColumnType":
            using = nodes.expression(cmd.def_.raw_default) if cmd.def_.raw_default else None
            new_type = nodes.type_text(cmd.def_.typeName)
            return [ops.AlterColumnType(table, cmd.name, new_type, using=using, line=line)]
        if subtype == "AT_SetNotNull":
            return [ops.SetNotNull(table, cmd.name, line=line)]
        if subtype == "AT_DropNotNull":
            return [ops.DropNotNull(table, cmd.name, line=line)]
        if subtype == "AT_ColumnDefault":
            if cmd.def_ is None:
                return [ops.DropDefault(table, cmd.name, line=line)]
            return [ops.SetDefault(table, cmd.name, nodes.expression(cmd.def_), line=line)]
        if subtype == "AT_AddConstraint":
            return [ops.AddConstraint(table, nodes.constraint(cmd.def_, self.dialect), line=line)]
        if subtype == "AT_DropConstraint":
            kind = constraint_kind_from_name(cmd.name)
            return [
                ops.DropConstraint(table, cmd.name, kind, if_exists=bool(cmd.missing_ok), line=line)
            ]
        if subtype == "AT_ValidateConstraint":
            return [ops.ValidateConstraint(table, cmd.name, line=line)]
        if subtype in nodes.REWRITING_TABLE_OPTIONS:
            option = nodes.REWRITING_TABLE_OPTIONS[subtype]
            return [ops.TableOptions(table, (option,), rewrites=True, line=line)]
        if subtype in nodes.TABLE_OPTIONS:
            return [ops.TableOptions(table, (nodes.TABLE_OPTIONS[subtype],), line=line)]
        what = subtype.removeprefix("AT_")
        words = "".join(f" {c.lower()}" if c.isupper() else c for c in what).strip()
        name = cmd.name or getattr(cmd.def_, "conname", None)
        target = f" {name}" if name else ""
        return self.opaque(f"ALTER TABLE {table} {words}{target}")

    def _RenameStmt(self, node: Any) -> list[ops.Operation]:
        kind = nodes.enum_name(node.renameType)
        line = self.line
        if kind == "OBJECT_SEQUENCE" or (
            kind == "OBJECT_TABLE" and node.relation.relname.endswith("_seq")
        ):
            # `ALTER TABLE x_id_seq RENAME TO y_id_seq`: PostgreSQL takes ALTER TABLE for a
            # sequence too; Django writes it when a model's table is renamed.
            return self.opaque(f"renames sequence {self.name(node.relation)} to {node.newname}")
        if kind in ("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"):
            old = self.name(node.relation)
            schema = node.relation.schemaname
            new = nodes.qualified_name(node.newname, schema, self.dialect)
            return [ops.RenameTable(old, new, line=line)]
        if kind == "OBJECT_COLUMN":
            table = self.name(node.relation)
            return [ops.RenameColumn(table, node.subname, node.newname, line=line)]
        if kind == "OBJECT_INDEX":
            return [ops.RenameIndex(self.name(node.relation), node.newname, line=line)]
        if kind == "OBJECT_TYPE":
            old = nodes.any_name(node.object, self.dialect)
            return [ops.RenameType(old, node.newname, line=line)]
        return self.opaque()

    def _DropStmt(self, node: Any) -> list[ops.Operation]:
        kind = nodes.enum_name(node.removeType)
        if_exists = bool(node.missing_ok)
        cascade = nodes.enum_name(node.behavior) == "DROP_CASCADE"
        names = nodes.dropped_names(node, self.dialect)
        line = self.line
        if kind == "OBJECT_TABLE":
            return [ops.DropTable(n, if_exists, cascade, line=line) for n in names]
        if kind == "OBJECT_INDEX":
            concurrently = bool(node.concurrent)
            return [
                ops.DropIndex(n, concurrently=concurrently, if_exists=if_exists, line=line)
                for n in names
            ]
        if kind in ("OBJECT_VIEW", "OBJECT_MATVIEW"):
            materialized = kind == "OBJECT_MATVIEW"
            return [ops.DropView(n, materialized, if_exists, line=line) for n in names]
        if kind == "OBJECT_TYPE":
            return [ops.DropType(n, line=line) for n in names]
        what = kind.removeprefix("OBJECT_").lower().replace("_", " ")
        if kind == "OBJECT_TRIGGER":
            names = [" on ".join(reversed(n.rsplit(".", 1))) for n in names]
        return [ops.Opaque(f"drops {what} {n}", line=line) for n in names]

    # --- routines and other objects ----------------------------------------------------------

    def _CreateFunctionStmt(self, node: Any) -> list[ops.Operation]:
        verb = "replaces" if node.replace else "creates"
        what = "procedure" if node.is_procedure else "function"
        return self.opaque(f"{verb} {what} {nodes.any_name(node.funcname, self.dialect)}")

    def _CreateTrigStmt(self, node: Any) -> list[ops.Operation]:
        verb = "replaces" if node.replace else "creates"
        return self.opaque(f"{verb} trigger {node.trigname} on {self.name(node.relation)}")

    def _CreateExtensionStmt(self, node: Any) -> list[ops.Operation]:
        return self.opaque(f"creates extension {node.extname}")

    def _CreateSeqStmt(self, node: Any) -> list[ops.Operation]:
        return self.opaque(f"creates sequence {self.name(node.sequence)}")

    # --- indexes, types, views ---------------------------------------------------------------

    def _IndexStmt(self, node: Any) -> list[ops.Operation]:
        method = node.accessMethod if node.accessMethod not in (None, "btree") else None
        index = ops.IndexDef(
            name=node.idxname,
            table=self.name(node.relation),
            columns=tuple(nodes.index_element(e) for e in node.indexParams or ()),
            unique=bool(node.unique),
            concurrently=bool(node.concurrent),
            where=nodes.expression(node.whereClause) if node.whereClause else None,
            method=method,
            if_not_exists=bool(node.if_not_exists),
            include=tuple(nodes.index_element(e) for e in node.indexIncludingParams or ()),
        )
        return [ops.CreateIndex(index, line=self.line)]

    def _CreateEnumStmt(self, node: Any) -> list[ops.Operation]:
        name = nodes.any_name(node.typeName, self.dialect)
        values = tuple(v.sval for v in node.vals or ())
        return [ops.CreateEnumType(name, values, line=self.line)]

    def _AlterEnumStmt(self, node: Any) -> list[ops.Operation]:
        name = nodes.any_name(node.typeName, self.dialect)
        if node.oldVal:
            return self.opaque(f"renames value {node.oldVal!r} of enum {name} to {node.newVal!r}")
        return [ops.AddEnumValue(name, node.newVal, line=self.line)]

    def _ViewStmt(self, node: Any) -> list[ops.Operation]:
        return [
            ops.CreateView(
                self.name(node.view),
                or_replace=bool(node.replace),
                line=self.line,
                definition=nodes.expression(node.query),
            )
        ]

    # --- rows --------------------------------------------------------------------------------

    def _UpdateStmt(self, node: Any) -> list[ops.Operation]:
        columns = tuple(t.name for t in node.targetList or () if getattr(t, "name", None))
        condition = node.whereClause
        where = bool(node.fromClause) or (
            condition is not None and not rows.always_true(nodes.expression(condition))
        )
        reads = nodes.update_reads(node)
        sets = tuple(
            (t.name, nodes.expression(t.val))
            for t in node.targetList or ()
            if getattr(t, "name", None) and t.val is not None
        )
        text = nodes.expression(condition) if condition is not None else None
        return rows.update(
            self.name(node.relation), columns, where, self.line, reads, sets, where=text
        )

    def _DeleteStmt(self, node: Any) -> list[ops.Operation]:
        where = nodes.expression(node.whereClause) if node.whereClause is not None else None
        using = ", ".join(nodes.expression(u) for u in node.usingClause or ())
        return rows.delete(
            self.name(node.relation), where, self.line, f"USING {using}" if using else None
        )

    def _TruncateStmt(self, node: Any) -> list[ops.Operation]:
        return rows.truncate([self.name(r) for r in node.relations or ()], self.line)

    def _InsertStmt(self, node: Any) -> list[ops.Operation]:
        columns = tuple(c.name for c in node.cols or ())
        source = nodes.select_source(node.selectStmt, self.dialect)
        filtered = nodes.select_filtered(node.selectStmt)
        kept = nodes.select_where(node.selectStmt)
        return rows.insert(
            self.name(node.relation),
            source,
            columns,
            self.line,
            nodes.insert_reads(node) if source else None,
            filtered,
            nodes.expression(kept) if kept is not None else None,
        )

    def _SelectStmt(self, node: Any) -> list[ops.Operation]:
        if nodes.is_constant_select(node):
            return []
        return self.opaque()

    def _VariableSetStmt(self, node: Any) -> list[ops.Operation]:
        if not node.name:
            return []
        value = ", ".join(nodes.expression(a) for a in node.args or ())
        return [ops.SessionSetting(node.name, value, line=self.line)]

    def _DoStmt(self, node: Any) -> list[ops.Operation]:
        result: list[ops.Operation] = []
        for inner in do_block_statements(node, self.text, self.line):
            if inner.text is None:
                result.append(ops.Opaque(inner.problem or "DO block", raw=True, line=inner.line))
                continue
            try:
                result.extend(statement_operations(inner.text, inner.line, self.dialect))
            except StatementError as error:
                result.append(
                    ops.Opaque(f"{summary(inner.text)} ({error})", raw=True, line=inner.line)
                )
        return result
