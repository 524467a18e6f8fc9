"""Reading pglast nodes: names, types, expressions, columns and constraints as the report words
them (`VARCHAR(80)`, `'active'::text`, `users.id ON DELETE CASCADE`)."""

from __future__ import annotations

import re
from typing import Any

from harvester.migrations.schema import ops
from harvester.migrations.sql.names import qualified

# Statements that change no schema and no rows: transaction control, session and ownership
# chores, comments. They are left out of the operations (SET is kept: lock_timeout matters).
IGNORED_STATEMENTS = frozenset(
    {"TransactionStmt", "CommentStmt", "AlterOwnerStmt", "CheckPointStmt", "DiscardStmt"}
)
REWRITING_TABLE_OPTIONS = {
    "AT_SetLogged": "SET LOGGED",
    "AT_SetUnLogged": "SET UNLOGGED",
    "AT_SetTableSpace": "SET TABLESPACE",
    "AT_SetAccessMethod": "SET ACCESS METHOD",
}
TABLE_OPTIONS = {
    "AT_SetRelOptions": "SET (storage parameters)",
    "AT_ResetRelOptions": "RESET (storage parameters)",
    "AT_SetStatistics": "SET STATISTICS",
    "AT_SetStorage": "SET STORAGE",
    "AT_SetCompression": "SET COMPRESSION",
    "AT_ReplicaIdentity": "REPLICA IDENTITY",
    "AT_EnableRowSecurity": "ENABLE ROW LEVEL SECURITY",
    "AT_DisableRowSecurity": "DISABLE ROW LEVEL SECURITY",
    "AT_ChangeOwner": "OWNER TO",
}
_FK_ACTIONS = {"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_TYPE_WORDS = frozenset(
    [
        "bigint",
        "bigserial",
        "bit",
        "boolean",
        "bool",
        "box",
        "bytea",
        "char",
        "character",
        "cidr",
        "citext",
        "date",
        "decimal",
        "double",
        "float",
        "inet",
        "int",
        "int2",
        "int4",
        "int8",
        "integer",
        "interval",
        "json",
        "jsonb",
        "macaddr",
        "money",
        "numeric",
        "path",
        "point",
        "precision",
        "real",
        "serial",
        "smallint",
        "smallserial",
        "text",
        "time",
        "timestamp",
        "timestamptz",
        "timetz",
        "tsquery",
        "tsvector",
        "uuid",
        "varchar",
        "varying",
        "with",
        "without",
        "zone",
        "xml",
    ]
)
_SIMPLE_CAST_ARGS = ("A_Const", "ColumnRef")
_WORD = re.compile(r'"((?:[^"]|"")*)"|[A-Za-z_][A-Za-z_0-9]*')


def enum_name(value: Any) -> str:
    """The name of a pglast enum member (`AT_AddColumn`), or '' for None."""
    return getattr(value, "name", "") or ""


def qualified_name(name: str, schema: str | None, dialect: ops.Dialect) -> str:
    """`name`, prefixed by its schema when that is not the default."""
    return qualified(name, schema, dialect)


def relation_name(node: Any, dialect: ops.Dialect) -> str:
    """The name of a `RangeVar` as the report shows it."""
    return qualified(node.relname, node.schemaname, dialect)


def any_name(parts: Any, dialect: ops.Dialect) -> str:
    """A dotted name given as String nodes (or a TypeName)."""
    if type(parts).__name__ == "TypeName":
        parts = parts.names
    names = [p.sval for p in parts or ()]
    if not names:
        return ""
    return qualified(names[-1], names[-2] if len(names) > 1 else None, dialect)


def dropped_names(node: Any, dialect: ops.Dialect) -> list[str]:
    """The objects a `DropStmt` names."""
    names = []
    for obj in node.objects or ():
        kind = type(obj).__name__
        if kind == "TypeName":
            names.append(any_name(obj.names, dialect))
        elif kind == "ObjectWithArgs":
            names.append(any_name(obj.objname, dialect))
        elif kind == "String":
            names.append(str(obj.sval))
        else:
            names.append(any_name(obj, dialect))
    return names


def type_text(node: Any) -> str:
    """A type as the migration wrote it, tidied: `VARCHAR(80)`, `TIMESTAMP(3)`, `Role[]`."""
    from pglast.stream import RawStream

    return tidy_type(RawStream()(node))


def tidy_type(text: str) -> str:
    """Upper-case SQL type words, strip identifier quotes and the default schema."""
    text = re.sub(r'^(?:"?public"?|pg_catalog)\.', "", text)

    def word(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1).replace('""', '"')
        token = match.group(0)
        return token.upper() if token.lower() in _TYPE_WORDS else token

    return _WORD.sub(word, text)


def expression(node: Any) -> str:
    """An expression as SQL text (`'x'::text` rather than `CAST('x' AS text)`)."""
    from pglast.stream import RawStream

    if type(node).__name__ == "TypeCast" and type(node.arg).__name__ in _SIMPLE_CAST_ARGS:
        return f"{RawStream()(node.arg)}::{type_text(node.typeName).lower()}"
    text: str = RawStream()(node)
    return text


def index_element(node: Any) -> str:
    """One indexed column or expression, with its ordering and operator class."""
    if node.name:
        text = str(node.name)
    elif type(node.expr).__name__ == "FuncCall":
        text = expression(node.expr)
    else:
        text = f"({expression(node.expr)})"
    if node.opclass:
        text += " " + ".".join(p.sval for p in node.opclass)
    if enum_name(node.ordering) == "SORTBY_DESC":
        text += " DESC"
    return text


def column(node: Any, dialect: ops.Dialect) -> tuple[ops.ColumnDef, list[ops.Constraint]]:
    """A `ColumnDef` and the table constraints its inline CHECKs declare."""
    nullable: bool | None = None
    default = generated = None
    primary = unique = False
    reference = None
    checks = []
    for con in node.constraints or ():
        kind = enum_name(con.contype)
        if kind == "CONSTR_NOTNULL":
            nullable = False
        elif kind == "CONSTR_NULL":
            nullable = True
        elif kind == "CONSTR_DEFAULT":
            default = expression(con.raw_expr)
        elif kind == "CONSTR_PRIMARY":
            primary = True
        elif kind == "CONSTR_UNIQUE":
            unique = True
        elif kind == "CONSTR_FOREIGN":
            reference = foreign_key(con, (node.colname,), dialect)
        elif kind == "CONSTR_IDENTITY":
            how = "ALWAYS" if con.generated_when == "a" else "BY DEFAULT"
            generated = f"{how} AS IDENTITY"
        elif kind == "CONSTR_GENERATED":
            generated = f"ALWAYS AS ({expression(con.raw_expr)}) STORED"
        elif kind == "CONSTR_CHECK":
            checks.append(
                ops.Constraint(
                    ops.ConstraintKind.CHECK,
                    name=con.conname,
                    columns=(node.colname,),
                    expression=expression(con.raw_expr),
                    not_valid=bool(con.skip_validation),
                )
            )
    col_type = type_text(node.typeName) if node.typeName else None
    definition = ops.ColumnDef(
        name=node.colname,
        type=col_type,
        nullable=nullable,
        default=default,
        primary_key=primary,
        unique=unique,
        references=reference,
        generated=generated,
    )
    return definition, checks


def foreign_key(con: Any, columns: tuple[str, ...], dialect: ops.Dialect) -> ops.ForeignKey:
    """The reference a FOREIGN KEY constraint (or inline REFERENCES) makes."""
    return ops.ForeignKey(
        columns=tuple(a.sval for a in con.fk_attrs or ()) or columns,
        ref_table=relation_name(con.pktable, dialect),
        ref_columns=tuple(a.sval for a in con.pk_attrs or ()),
        on_delete=_FK_ACTIONS.get(con.fk_del_action or ""),
        on_update=_FK_ACTIONS.get(con.fk_upd_action or ""),
        name=con.conname,
        not_valid=bool(con.skip_validation),
        deferrable=bool(con.deferrable),
    )


def constraint(con: Any, dialect: ops.Dialect) -> ops.Constraint:
    """A table constraint node as an `ops.Constraint`."""
    kind = enum_name(con.contype)
    keys = tuple(k.sval for k in con.keys or ())
    not_valid = bool(con.skip_validation)
    if kind == "CONSTR_FOREIGN":
        fk = foreign_key(con, (), dialect)
        return ops.Constraint(
            ops.ConstraintKind.FOREIGN_KEY,
            con.conname,
            fk.columns,
            foreign_key=fk,
            not_valid=not_valid,
        )
    if kind == "CONSTR_CHECK":
        return ops.Constraint(
            ops.ConstraintKind.CHECK,
            con.conname,
            expression=expression(con.raw_expr),
            not_valid=not_valid,
        )
    if kind == "CONSTR_EXCLUSION":
        return ops.Constraint(ops.ConstraintKind.EXCLUDE, con.conname, keys)
    which = (
        ops.ConstraintKind.PRIMARY_KEY if kind == "CONSTR_PRIMARY" else ops.ConstraintKind.UNIQUE
    )
    return ops.Constraint(which, con.conname, keys, using_index=con.indexname)


def select_arms(node: Any) -> list[Any]:
    """The plain SELECTs of `SELECT … UNION ALL SELECT …` (the node itself when it is one)."""
    if node is None:
        return []
    if getattr(node, "larg", None) is not None:
        return [*select_arms(node.larg), *select_arms(node.rarg)]
    return [node]


def select_filtered(node: Any) -> bool:
    """True when the SELECT (any arm of a UNION) may read only some rows of its table: it has
    a WHERE, or joins another table."""
    return any(
        arm.whereClause is not None
        or len(arm.fromClause or ()) > 1
        or any(type(item).__name__ == "JoinExpr" for item in arm.fromClause or ())
        for arm in select_arms(node)
    )


def select_where(node: Any) -> Any:
    """The WHERE of a SELECT that reads one table (no join, no UNION), or None: the rows of
    that table it keeps."""
    arms = select_arms(node)
    if len(arms) != 1 or len(arms[0].fromClause or ()) != 1:
        return None
    if type(arms[0].fromClause[0]).__name__ != "RangeVar":
        return None
    return arms[0].whereClause


def select_source(node: Any, dialect: ops.Dialect) -> str | None:
    """The first table an INSERT's SELECT reads (through a UNION's arms), or None for VALUES."""
    reading = [arm for arm in select_arms(node) if getattr(arm, "fromClause", None)]
    if not reading:
        return None
    first = reading[0].fromClause[0]
    while type(first).__name__ == "JoinExpr":
        first = first.larg
    if type(first).__name__ == "RangeVar":
        return relation_name(first, dialect)
    return "a subquery"


def insert_reads(node: Any) -> tuple[tuple[str, str], ...] | None:
    """(column filled, column of the source it copies) for `INSERT INTO t (a, b) SELECT x, y
    FROM s`; None when the SELECT's list is not plain columns and constants (`*`, an
    expression)."""
    select = node.selectStmt
    if select is None or not getattr(select, "targetList", None):
        return None
    sources: tuple[Any, ...] = tuple(select.fromClause or ())
    if len(sources) != 1 or type(sources[0]).__name__ != "RangeVar":
        return None  # columns of a join may come from any of its tables
    filled = [c.name for c in node.cols or ()]
    found: list[tuple[str, str]] = []
    for position, target in enumerate(select.targetList):
        ref = target.val
        if type(ref).__name__ == "A_Const":
            continue
        if type(ref).__name__ != "ColumnRef":
            return None
        last = getattr(ref.fields[-1], "sval", None)
        if last is None:
            return None  # `*`
        found.append((filled[position] if position < len(filled) else last, last))
    return tuple(found)


def update_reads(node: Any) -> tuple[tuple[str, str], ...]:
    """(column set, column of the updated row its value reads) for an UPDATE's SET list;
    columns named through another table's name or inside a subquery are not the row's, and
    a CASE (which keeps a value for some rows, or only tests it) copies none."""
    from pglast import visitors

    own = {node.relation.relname, *([node.relation.alias.aliasname] if node.relation.alias else [])}
    found: list[tuple[str, str]] = []

    class _Columns(visitors.Visitor):
        def __init__(self, target: str) -> None:
            self.target = target

        def visit_SubLink(self, ancestors: Any, sublink: Any) -> Any:
            return visitors.Skip

        def visit_CaseExpr(self, ancestors: Any, case: Any) -> Any:
            return visitors.Skip  # a value chosen by conditions keeps only some of them

        def visit_ColumnRef(self, ancestors: Any, ref: Any) -> None:
            names = [getattr(f, "sval", None) for f in ref.fields]
            if names[-1] and (len(names) == 1 or names[-2] in own):
                found.append((self.target, names[-1]))

    for target in node.targetList or ():
        if getattr(target, "name", None) and target.val is not None:
            _Columns(target.name)(target.val)
    return tuple(dict.fromkeys(found))


def is_constant_select(node: Any) -> bool:
    """True for `SELECT 1` and the like: a no-op placeholder statement."""
    if node.fromClause or node.valuesLists or node.intoClause:
        return False
    return all(type(t.val).__name__ == "A_Const" for t in node.targetList or ())
