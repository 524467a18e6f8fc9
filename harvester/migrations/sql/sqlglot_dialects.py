"""MySQL/MariaDB, SQLite and ClickHouse statements to schema operations, read with sqlglot.

    ALTER TABLE `memo` MODIFY COLUMN `content` LONGTEXT NOT NULL;

sqlglot returns statements it cannot parse as an opaque `Command`; those raise
`StatementError` here so that the caller can try the fallback recognisers.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

from harvester.migrations.schema import ops
from harvester.migrations.sql import rows
from harvester.migrations.sql import sqlglot_nodes as nodes
from harvester.migrations.sql.errors import StatementError
from harvester.migrations.sql.names import constraint_kind_from_name, summary
from harvester.migrations.sql.tables import with_primary_key_on_columns
from harvester.migrations.sql.tokens import written_types

_READERS = {
    ops.Dialect.MYSQL: "mysql",
    ops.Dialect.MARIADB: "mysql",
    ops.Dialect.SQLITE: "sqlite",
    ops.Dialect.CLICKHOUSE: "clickhouse",
    ops.Dialect.SQLSERVER: "tsql",
}
_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(\w+)", re.IGNORECASE)
# MySQL's `CREATE INDEX … ALGORITHM = INPLACE LOCK = NONE` and `DROP INDEX i ON t LOCK = NONE`:
# options sqlglot does not read after an index statement.
_INDEX_STATEMENT = re.compile(
    r"\s*(?:CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?|DROP\s+)INDEX\b", re.IGNORECASE
)
_INDEX_OPTIONS = re.compile(r"(?:\s+(?:ALGORITHM|LOCK)\s*=?\s*\w+)+\s*;?\s*$", re.IGNORECASE)
_IGNORED = frozenset({"Pragma", "Transaction", "Commit", "Rollback", "Use", "Comment", "Analyze"})


def statement_operations(text: str, line: int, dialect: ops.Dialect) -> list[ops.Operation]:
    """The operations of one statement in `dialect`; `StatementError` when sqlglot cannot."""
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    text, algorithm = _index_options(text, dialect)
    try:
        trees = sqlglot.parse(text, read=_READERS.get(dialect, "mysql"))
    except (ParseError, TokenError, ValueError) as error:
        raise StatementError(f"sqlglot ({dialect.value}): {_first_line(str(error))}") from error
    result: list[ops.Operation] = []
    for tree in trees:
        if tree is not None:
            result.extend(_Translator(text, line, dialect).statement(tree))
    if algorithm:
        result = [
            dataclasses.replace(o, index=nodes.with_algorithm(o.index, algorithm))
            if isinstance(o, ops.CreateIndex)
            else o
            for o in result
        ]
    return result


def _index_options(text: str, dialect: ops.Dialect) -> tuple[str, str | None]:
    """A MySQL index statement without its trailing ALGORITHM and LOCK options, and the
    algorithm it asks for (LOCK only limits what the build may block, which it refuses when
    it cannot)."""
    if dialect not in (ops.Dialect.MYSQL, ops.Dialect.MARIADB) or not _INDEX_STATEMENT.match(text):
        return text, None
    options = _INDEX_OPTIONS.search(text)
    if options is None:
        return text, None
    algorithm = _ALGORITHM.search(options.group(0))
    return text[: options.start()], algorithm.group(1) if algorithm else None


class _Translator:
    """One statement's translation."""

    def __init__(self, text: str, line: int, dialect: ops.Dialect) -> None:
        self.text = text
        self.line = line
        self.dialect = dialect
        self.sql_dialect = _READERS.get(dialect, "mysql")
        self.written = written_types(text)

    def opaque(self) -> list[ops.Operation]:
        return [ops.Opaque(summary(self.text), line=self.line)]

    def table(self, node: Any) -> str:
        return nodes.table_name(node, self.dialect)

    def statement(self, tree: Any) -> list[ops.Operation]:
        kind = type(tree).__name__
        if kind in ("Command", "Block"):
            raise StatementError("sqlglot returned it unparsed")
        if kind in _IGNORED:
            return []
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            return self.opaque()
        result: list[ops.Operation] = handler(tree)
        return result

    # --- CREATE / DROP -----------------------------------------------------------------------

    def _Create(self, tree: Any) -> list[ops.Operation]:
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            return self._create_table(tree)
        if kind == "INDEX":
            index = nodes.index(tree, self.text, self.dialect, self.sql_dialect)
            return [ops.CreateIndex(index, line=self.line)]
        if kind == "VIEW":
            properties = nodes.property_names(tree)
            to_table = nodes.to_table(tree, self.dialect)
            return [
                ops.CreateView(
                    self.table(tree.this),
                    materialized="MaterializedProperty" in properties,
                    or_replace=bool(tree.args.get("replace")),
                    to_table=to_table,
                    line=self.line,
                    definition=nodes.query_text(tree, self.sql_dialect),
                )
            ]
        if kind == "TYPE":
            values = nodes.enum_values(tree.args.get("expression"))
            if values is not None:
                return [ops.CreateEnumType(self.table(tree.this), values, line=self.line)]
        return self.opaque()

    def _create_table(self, tree: Any) -> list[ops.Operation]:
        schema = tree.this
        if type(schema).__name__ != "Schema":
            return [
                ops.CreateTable(
                    self.table(schema),
                    as_select=summary(self.text) if tree.args.get("expression") else None,
                    if_not_exists=bool(tree.args.get("exists")),
                    temporary="TemporaryProperty" in nodes.property_names(tree),
                    engine=nodes.engine(tree, self.sql_dialect),
                    line=self.line,
                )
            ]
        table = self.table(schema.this)
        columns: list[ops.ColumnDef] = []
        constraints: list[ops.Constraint] = []
        indexes: list[ops.Operation] = []
        for element in schema.expressions:
            if type(element).__name__ == "ColumnDef":
                column, extra = nodes.column(element, self.dialect, self.sql_dialect, self.written)
                columns.append(column)
                constraints.extend(extra)
                continue
            found = nodes.table_element(element, table, self.dialect, self.sql_dialect)
            if isinstance(found, ops.Constraint):
                constraints.append(found)
            elif isinstance(found, ops.IndexDef):
                indexes.append(ops.CreateIndex(found, line=self.line))
        created = ops.CreateTable(
            table,
            tuple(columns),
            tuple(constraints),
            if_not_exists=bool(tree.args.get("exists")),
            temporary="TemporaryProperty" in nodes.property_names(tree),
            engine=nodes.engine(tree, self.sql_dialect),
            line=self.line,
        )
        return [with_primary_key_on_columns(created), *indexes]

    def _Drop(self, tree: Any) -> list[ops.Operation]:
        kind = str(tree.args.get("kind") or "").upper()
        if_exists = bool(tree.args.get("exists"))
        names = [self.table(t) for t in tree.args.get("tables") or ()]
        line = self.line
        if kind == "TABLE":
            cascade = bool(tree.args.get("cascade"))
            return [ops.DropTable(n, if_exists, cascade, line=line) for n in names]
        if kind == "VIEW":
            materialized = bool(tree.args.get("materialized"))
            return [ops.DropView(n, materialized, if_exists, line=line) for n in names]
        if kind == "INDEX":
            on = tree.args.get("cluster")
            table = self.table(on.this) if on is not None and on.this is not None else None
            return [ops.DropIndex(n, table, if_exists=if_exists, line=line) for n in names]
        if kind == "TYPE":
            return [ops.DropType(n, line=line) for n in names]
        return self.opaque()

    # --- ALTER TABLE -------------------------------------------------------------------------

    def _Alter(self, tree: Any) -> list[ops.Operation]:
        if str(tree.args.get("kind") or "").upper() != "TABLE":
            return self.opaque()
        actions = tree.args.get("actions") or []
        if not actions:
            raise StatementError("sqlglot kept no action of this ALTER TABLE")
        table = self.table(tree.this)
        algorithm = _ALGORITHM.search(self.text)
        result: list[ops.Operation] = []
        for action in actions:
            result.extend(
                self._alter_action(table, action, algorithm.group(1) if algorithm else None)
            )
        return result

    def _alter_action(self, table: str, action: Any, algorithm: str | None) -> list[ops.Operation]:
        kind = type(action).__name__
        line = self.line
        if kind == "ColumnDef":
            column, extra = nodes.column(action, self.dialect, self.sql_dialect, self.written)
            exists = bool(action.args.get("exists"))
            position = nodes.column_position(action.args.get("position"))
            added: list[ops.Operation] = [
                ops.AddColumn(table, column, exists, line=line, position=position)
            ]
            return added + [ops.AddConstraint(table, c, line=line) for c in extra]
        if kind == "ModifyColumn":
            column, _ = nodes.column(action.this, self.dialect, self.sql_dialect, self.written)
            old = action.args.get("rename_from")
            old_name = old.name if old is not None else None
            return [ops.ModifyColumn(table, column, old_name=old_name, line=line)]
        if kind == "AlterColumn":
            return self._alter_column(table, action)
        if kind == "RenameColumn":
            return [ops.RenameColumn(table, action.this.name, action.args["to"].name, line=line)]
        if kind == "AlterRename":
            return [ops.RenameTable(table, self.table(action.this), line=line)]
        if kind == "Drop":
            return self._alter_drop(table, action)
        if kind == "DropPrimaryKey":
            kind_pk = ops.ConstraintKind.PRIMARY_KEY
            return [ops.DropConstraint(table, "PRIMARY", kind_pk, line=line)]
        if kind == "AddConstraint":
            result: list[ops.Operation] = []
            for element in action.expressions:
                found = nodes.table_element(element, table, self.dialect, self.sql_dialect)
                if isinstance(found, ops.Constraint):
                    result.append(ops.AddConstraint(table, found, line=line))
                elif isinstance(found, ops.IndexDef):
                    index = nodes.with_algorithm(found, algorithm)
                    result.append(ops.CreateIndex(index, line=line))
                else:
                    result.extend(self.opaque())
            return result
        if kind == "Delete":
            where = action.args.get("where")
            return [
                ops.DataChange(
                    ops.DataChangeKind.DELETE,
                    table,
                    f"ALTER TABLE {table} DELETE {where.sql(self.sql_dialect) if where else ''}",
                    has_where=where is not None,
                    line=line,
                )
            ]
        return self.opaque()

    def _alter_column(self, table: str, action: Any) -> list[ops.Operation]:
        name = action.this.name
        line = self.line
        args = action.args
        if args.get("dtype") is not None:
            using = args.get("using")
            new_type = args["dtype"].sql(self.sql_dialect)
            using_text = using.sql(self.sql_dialect) if using is not None else None
            return [ops.AlterColumnType(table, name, new_type, using=using_text, line=line)]
        if args.get("default") is not None:
            return [ops.SetDefault(table, name, args["default"].sql(self.sql_dialect), line=line)]
        if args.get("drop"):
            return [ops.DropDefault(table, name, line=line)]
        if args.get("allow_null") is True:
            return [ops.DropNotNull(table, name, line=line)]
        if args.get("allow_null") is False:
            return [ops.SetNotNull(table, name, line=line)]
        raise StatementError("sqlglot lost what this ALTER COLUMN does")

    def _alter_drop(self, table: str, action: Any) -> list[ops.Operation]:
        kind = str(action.args.get("kind") or "").upper()
        if_exists = bool(action.args.get("exists"))
        names = [n.name for n in action.args.get("tables") or ()]
        line = self.line
        if kind == "COLUMN":
            return [ops.DropColumn(table, n, if_exists, line=line) for n in names]
        if kind in ("INDEX", "KEY"):
            return [ops.DropIndex(n, table, if_exists=if_exists, line=line) for n in names]
        if kind == "PROJECTION":
            return [ops.Opaque(f"drops projection {n} on {table}", line=line) for n in names]
        constraint_kinds = {
            "FOREIGN KEY": ops.ConstraintKind.FOREIGN_KEY,
            "CHECK": ops.ConstraintKind.CHECK,
            "PRIMARY KEY": ops.ConstraintKind.PRIMARY_KEY,
        }
        if kind in constraint_kinds or kind == "CONSTRAINT":
            return [
                ops.DropConstraint(
                    table,
                    n,
                    constraint_kinds.get(kind) or constraint_kind_from_name(n),
                    if_exists=if_exists,
                    line=line,
                )
                for n in names
            ]
        return self.opaque()

    # --- rows --------------------------------------------------------------------------------

    def _Insert(self, tree: Any) -> list[ops.Operation]:
        schema = tree.this if type(tree.this).__name__ == "Schema" else None
        target = schema.this if schema is not None else tree.this
        columns = tuple(c.name for c in schema.expressions) if schema is not None else ()
        select = tree.args.get("expression")
        source = nodes.select_source(select, self.dialect)
        filtered = nodes.select_filtered(select)
        reads = nodes.insert_reads(tree) if source else None
        kept = nodes.select_where(select)
        where = kept.sql(self.sql_dialect) if kept is not None else None
        return rows.insert(self.table(target), source, columns, self.line, reads, filtered, where)

    def _Update(self, tree: Any) -> list[ops.Operation]:
        columns = tuple(e.this.name for e in tree.expressions if e.this is not None)
        joined = bool(tree.this.args.get("joins")) or tree.args.get("from") is not None
        condition = tree.args.get("where")
        where = joined or (
            condition is not None and not rows.always_true(condition.this.sql(self.sql_dialect))
        )
        reads = nodes.update_reads(tree)
        sets = tuple(
            (e.this.name, e.expression.sql(self.sql_dialect))
            for e in tree.expressions
            if e.this is not None and e.expression is not None
        )
        text = condition.this.sql(self.sql_dialect) if condition is not None else None
        return rows.update(self.table(tree.this), columns, where, self.line, reads, sets, text)

    def _Delete(self, tree: Any) -> list[ops.Operation]:
        where = tree.args.get("where")
        text = where.this.sql(self.sql_dialect) if where is not None else None
        using = ", ".join(u.sql(self.sql_dialect) for u in tree.args.get("using") or ())
        joins = " ".join(j.sql(self.sql_dialect) for j in tree.this.args.get("joins") or ())
        others = f"USING {using}" if using else joins
        return rows.delete(self.table(tree.this), text, self.line, others or None)

    def _TruncateTable(self, tree: Any) -> list[ops.Operation]:
        return rows.truncate([self.table(t) for t in tree.expressions], self.line)

    def _Select(self, tree: Any) -> list[ops.Operation]:
        return [] if nodes.is_constant_select(tree) else self.opaque()

    def _Set(self, tree: Any) -> list[ops.Operation]:
        result: list[ops.Operation] = []
        for item in tree.expressions:
            assignment = item.this
            if type(assignment).__name__ == "EQ":
                name = assignment.this.sql(self.sql_dialect).lower()
                value = assignment.expression.sql(self.sql_dialect)
                result.append(ops.SessionSetting(name, value, line=self.line))
        return result


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "syntax error"
