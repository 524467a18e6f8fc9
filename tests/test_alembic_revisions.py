"""Alembic revisions read as schema operations: op.* calls, batch blocks, engine branches, data
migrations, downgrades and the revision chain."""

from __future__ import annotations

import pytest

from harvester.migrations.alembic.revisions import Revision, Unreadable, chain, parse_revision
from harvester.migrations.schema import ops
from harvester.migrations.schema.downs import down_impacts
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql import sql_operations
from harvester.model import ImpactTag

_HEADER = (
    "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'r2'\ndown_revision = 'r1'\n\n"
)


def _revision(body: str, dialect: Dialect | None = Dialect.POSTGRESQL) -> Revision:
    parsed = parse_revision("versions/r2.py", _HEADER + body, dialect)
    assert isinstance(parsed, Revision)
    return parsed


def _up(upgrade: str, dialect: Dialect | None = Dialect.POSTGRESQL) -> tuple[ops.Operation, ...]:
    body = "def upgrade():\n" + "".join(f"    {line}\n" for line in upgrade.splitlines())
    return _revision(body + "\ndef downgrade():\n    pass\n", dialect).parsed.up.operations


def test_not_null_column_without_server_default_keeps_no_default() -> None:
    assert _up(
        "op.add_column('t', sa.Column('c', sa.String(10), nullable=False, default='x'))"
    ) == (ops.AddColumn("t", ops.ColumnDef("c", "VARCHAR(10)", nullable=False)),)


def test_server_defaults_are_sql() -> None:
    found = _up(
        "op.add_column('t', sa.Column('a', sa.Integer(), server_default='0'))\n"
        "op.add_column('t', sa.Column('b', sa.DateTime(True), server_default=sa.func.now()))\n"
        "op.add_column('t', sa.Column('c', sa.Boolean(), server_default=sa.false()))"
    )
    assert [o.column.default for o in found if isinstance(o, ops.AddColumn)] == [
        "'0'",
        "now()",
        "false",
    ]
    column = found[1]
    assert isinstance(column, ops.AddColumn)
    assert column.column.type == "TIMESTAMP WITH TIME ZONE"


def test_autoincrement_is_worded_for_the_engine() -> None:
    key = (
        "op.add_column('t', sa.Column('n', sa.BigInteger(), primary_key=True, autoincrement=True))"
    )
    plain = "op.add_column('t', sa.Column('m', sa.Integer(), autoincrement=True))"

    def columns(dialect: Dialect) -> list[tuple[str | None, bool]]:
        found = _up(f"{key}\n{plain}", dialect)
        return [
            (o.column.type, o.column.auto_increment) for o in found if isinstance(o, ops.AddColumn)
        ]

    assert columns(Dialect.POSTGRESQL) == [("BIGSERIAL", False), ("INTEGER", False)]
    assert columns(Dialect.MYSQL) == [("BIGINT", True), ("INTEGER", False)]


def test_add_column_brings_its_foreign_key_and_index() -> None:
    found = _up(
        "op.add_column('t', sa.Column('u_id', sa.Integer(),\n"
        "              sa.ForeignKey('u.id', ondelete='CASCADE'), index=True))"
    )
    fk = ops.ForeignKey(("u_id",), "u", ("id",), on_delete="CASCADE")
    assert found == (
        ops.AddColumn("t", ops.ColumnDef("u_id", "INTEGER", nullable=True, references=fk)),
        ops.CreateIndex(ops.IndexDef("ix_t_u_id", "t", ("u_id",))),
    )


def test_alter_column_says_each_change() -> None:
    found = _up(
        "op.alter_column('t', 'c', existing_type=sa.String(20), type_=sa.Text(), nullable=False,\n"
        "                server_default=None, new_column_name='d')"
    )
    assert found == (
        ops.RenameColumn("t", "c", "d"),
        ops.AlterColumnType("t", "d", "TEXT", "VARCHAR(20)"),
        ops.SetNotNull("t", "d"),
        ops.DropDefault("t", "d"),
    )


def test_nullable_that_restates_existing_nullable_changes_nothing() -> None:
    found = _up(
        "op.alter_column('t', 'v', existing_type=sa.String(500), type_=sa.String(8000),\n"
        "                nullable=False, existing_nullable=False)\n"
        "op.alter_column('t', 'w', nullable=True, existing_nullable=True)"
    )
    assert found == (ops.AlterColumnType("t", "v", "VARCHAR(8000)", "VARCHAR(500)"),)


def test_constraints_and_indexes() -> None:
    found = _up(
        "op.create_index(op.f('ix_t_a'), 't', ['a'], unique=True, postgresql_concurrently=True)\n"
        "op.create_foreign_key('fk', 't', 'u', ['u_id'], ['id'], ondelete='SET NULL')\n"
        "op.create_check_constraint('ck', 't', 'a > 0')\n"
        "op.drop_constraint('uq', 't', type_='unique')\n"
        "op.drop_index('ix_old', table_name='t')"
    )
    fk = ops.ForeignKey(("u_id",), "u", ("id",), on_delete="SET NULL", name="fk")
    assert found == (
        ops.CreateIndex(ops.IndexDef("ix_t_a", "t", ("a",), unique=True, concurrently=True)),
        ops.AddConstraint(
            "t", ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, "fk", ("u_id",), foreign_key=fk)
        ),
        ops.AddConstraint("t", ops.Constraint(ops.ConstraintKind.CHECK, "ck", expression="a > 0")),
        ops.DropConstraint("t", "uq", ops.ConstraintKind.UNIQUE),
        ops.DropIndex("ix_old", "t"),
    )


def test_batch_block_rebuilds_on_sqlite_only() -> None:
    upgrade = (
        "with op.batch_alter_table('t') as batch_op:\n"
        "    batch_op.alter_column('c', existing_type=sa.Integer(), nullable=False)"
    )
    sqlite = _up(upgrade, Dialect.SQLITE)
    assert isinstance(sqlite[0], ops.RebuildTable) and sqlite[0].table == "t"
    assert sqlite[1:] == (ops.SetNotNull("t", "c"),)
    assert _up(upgrade, Dialect.POSTGRESQL) == (ops.SetNotNull("t", "c"),)


def test_engine_branches_follow_the_engine() -> None:
    upgrade = (
        "bind = op.get_bind()\n"
        "url = str(bind.engine.url)\n"
        "if url.startswith('mysql'):\n"
        "    op.drop_constraint('t_ibfk_1', 't', type_='foreignkey')\n"
        "elif bind.dialect.name == 'postgresql':\n"
        "    op.drop_constraint('t_u_id_fkey', 't', type_='foreignkey')\n"
        "if url.startswith('sqlite') is False:\n"
        "    op.create_index('ix', 't', ['a'])"
    )
    mysql = _up(upgrade, Dialect.MYSQL)
    postgres = _up(upgrade, Dialect.POSTGRESQL)
    sqlite = _up(upgrade, Dialect.SQLITE)
    assert [getattr(o, "name", None) for o in mysql] == ["t_ibfk_1", None]
    assert [getattr(o, "name", None) for o in postgres] == ["t_u_id_fkey", None]
    assert sqlite == ()


def test_literal_loops_unroll_and_fstrings_resolve() -> None:
    found = _up(
        "for table in ('a', 'b'):\n"
        "    op.add_column(table, sa.Column('n', sa.Integer()))\n"
        "    op.execute(f'ANALYZE {table}')"
    )
    tables = [o.table for o in found if isinstance(o, ops.AddColumn)]
    assert tables == ["a", "b"]
    assert [o for o in found if isinstance(o, ops.Opaque)]  # the SQL module's answer


def test_data_changes() -> None:
    body = (
        "t = sa.table('t', sa.column('id'), sa.column('a'))\n\n"
        "def upgrade():\n"
        "    op.execute(t.update().values(a=1))\n"
        "    op.execute(sa.delete(t).where(t.c.a == 2))\n"
        "    op.bulk_insert(t, [{'id': 1}, {'id': 2}])\n"
        "    conn = op.get_bind()\n"
        "    for row in conn.execute(sa.select(t)):\n"
        "        conn.execute(t.update().where(t.c.id == row.id).values(a=row.a))\n"
        "    op.execute(make_sql())\n\n"
        "def downgrade():\n    pass\n"
    )
    found = _revision(body).parsed.up.operations
    first = found[0]
    assert isinstance(first, ops.DataChange) and first.columns == ("a",)
    assert [
        (type(o).__name__, getattr(o, "kind", None), getattr(o, "detail", "")) for o in found
    ] == [
        ("DataChange", ops.DataChangeKind.UPDATE, "updates t (every row)"),
        ("DataChange", ops.DataChangeKind.DELETE, "deletes t"),
        ("DataChange", ops.DataChangeKind.INSERT, "inserts 2 rows into t (bulk_insert)"),
        (
            "DataChange",
            ops.DataChangeKind.CODE,
            "loops over rows (line 14) and, for each one, updates t",
        ),
        ("Opaque", None, ""),
    ]
    last = found[-1]
    assert isinstance(last, ops.Opaque) and last.raw


def test_sql_statements_carry_their_file_lines() -> None:
    body = (
        "def upgrade():\n"  # line 7
        '    op.execute("""\n'
        "        UPDATE t SET a = 1;\n"  # line 9
        "        DELETE FROM t;\n"
        '    """)\n'
        '    query = """\n'
        "    UPDATE t SET b = 2\n"
        '    """\n'
        "    connection = op.get_bind()\n"
        "    connection.execute(query)\n\n"  # line 16
        "def downgrade():\n    pass\n"
    )
    found = _revision(body).parsed.up.operations
    assert [(type(o).__name__, o.line) for o in found] == [
        ("DataChange", 9),
        ("DataChange", 10),
        ("DataChange", 16),
    ]


@pytest.mark.parametrize(
    ("downgrade", "declared", "noop"),
    [
        ("", False, False),
        ("def downgrade():\n    pass\n", True, True),
        ("def downgrade():\n    '''Nothing to undo.'''\n", True, True),
        ("def downgrade():\n    raise NotImplementedError()\n", False, False),
        ("def downgrade():\n    op.drop_table('t')\n", True, False),
    ],
)
def test_downgrades(downgrade: str, declared: bool, noop: bool) -> None:
    parsed = _revision("def upgrade():\n    op.create_table('t')\n\n" + downgrade).parsed
    assert parsed.down_declared is declared
    assert parsed.down_is_noop is noop
    assert (parsed.down is not None) is declared


def test_unnamed_drop_constraint_is_a_broken_down_step() -> None:
    parsed = _revision(
        "def upgrade():\n    op.create_foreign_key(None, 't', 'u', ['u_id'], ['id'])\n\n"
        "def downgrade():\n    op.drop_constraint(None, 't', type_='foreignkey')\n"
    ).parsed
    assert parsed.down is not None
    assert parsed.down.operations == (
        ops.DropConstraint("t", None, ops.ConstraintKind.FOREIGN_KEY),
    )
    assert parsed.down.broken == (
        "line 11: op.drop_constraint(None, 't') cannot run: the constraint has no "
        "name (Alembic raises 'Constraint must have a name')",
    )
    impacts = down_impacts(parsed)
    assert [i.tag for i in impacts] == [ImpactTag.DOWN_MIGRATION_BUG]
    assert impacts[0].detail.startswith("the down step cannot run as written: line 11:")


def test_a_constraint_name_held_in_a_variable_is_unknown_not_missing() -> None:
    parsed = _revision(
        "def upgrade():\n    name = find_fk_name('t')\n"
        "    op.drop_constraint(name or 't_u_id_fkey', 't', type_='foreignkey')\n\n"
        "def downgrade():\n    pass\n"
    ).parsed
    assert parsed.up.operations == (
        ops.DropConstraint("t", None, ops.ConstraintKind.FOREIGN_KEY, line=10),
    )
    assert not any("cannot run" in note for note in parsed.notes)


def test_non_revisions_and_syntax_errors() -> None:
    assert parse_revision("env.py", "from alembic import context\n", None) is None
    broken = parse_revision("x.py", "revision = 'a'\ndef upgrade(:\n", None)
    assert isinstance(broken, Unreadable) and broken.line == 2


def _rev(name: str, *down: str) -> Revision:
    return Revision(name, down, (), (), ops.ParsedMigration(name, f"{name}.py", ops.Step()))


def test_chain_orders_by_down_revision_and_finds_heads() -> None:
    revisions = {
        "c": _rev("c", "b"),
        "a": _rev("a"),
        "m": _rev("m", "c", "d"),
        "b": _rev("b", "a"),
        "d": _rev("d", "b"),
        "x": _rev("x", "gone"),
    }
    found = chain(revisions)
    assert found.order.index("a") < found.order.index("b") < found.order.index("c")
    assert found.order.index("d") < found.order.index("m")
    assert found.heads == ("m", "x")
    assert found.missing == {"x": ("gone",)}


def test_sql_built_at_run_time_says_what_it_can() -> None:
    found = _up(
        "conn = op.get_bind()\n"
        "columns = ', '.join(DATA)\n"
        "statement = f'INSERT INTO audit ({columns}) VALUES (:a)'\n"
        "conn.execute(sa.text(statement).bindparams(a=1))\n"
        "conn.execute(sa.text(dedent('''\n    UPDATE audit SET a = 2 WHERE a = 1\n    ''')))\n"
        "conn.execute(sa.text(f'SELECT * FROM {name}'))\n"
        "conn.execute(build())"
    )
    insert, update, raw = found
    assert isinstance(insert, ops.DataChange) and insert.kind is ops.DataChangeKind.INSERT
    assert insert.table == "audit"
    assert insert.detail == (
        "runs SQL built at run time (line 11): INSERT INTO audit ({columns}) VALUES (:a)"
    )
    literal = "\n    UPDATE audit SET a = 2 WHERE a = 1\n    "
    assert (update,) == sql_operations(literal, Dialect.POSTGRESQL, 13).operations
    assert isinstance(raw, ops.Opaque) and raw.raw and "build()" in raw.summary


def test_engine_helpers_are_read_through() -> None:
    body = (
        "def is_postgres():\n    return op.get_context().dialect.name == 'postgresql'\n\n"
        "def upgrade():\n"
        "    if is_postgres():\n        op.execute('SELECT 1')\n"
        "    else:\n        op.drop_column('t', 'c')\n\n"
        "def downgrade():\n    pass\n"
    )
    assert _revision(body, Dialect.SQLITE).parsed.up.operations == (ops.DropColumn("t", "c"),)


def test_calls_of_code_outside_the_file_are_not_read_as_nothing() -> None:
    found = _up(
        "logger.info('moving permissions')\n"
        "upgrade_catalog_perms(engines={'postgresql'})\n"
        "MigrateTreeMap.upgrade()\n"
        "op.get_bind().execute(sa.text('SELECT 1'))"
    )
    assert found[-1] == ops.Opaque(
        "upgrade() calls upgrade_catalog_perms() (line 9), MigrateTreeMap.upgrade() (line 10): "
        "code harvester does not read",
        raw=True,
    )


def test_a_table_named_by_its_model_is_one_table_through_the_file() -> None:
    found = _up(
        "op.create_table(SqlDataset.__tablename__, sa.Column('uuid', sa.String(36)))\n"
        "with op.batch_alter_table(SqlDataset.__tablename__) as batch_op:\n"
        "    batch_op.create_index('ix_uuid', ['uuid'])"
    )
    create, index = found
    assert isinstance(create, ops.CreateTable) and create.table == "SqlDataset.__tablename__"
    assert isinstance(index, ops.CreateIndex) and index.index.table == create.table


def test_module_helpers_that_return_a_column_or_a_batch_are_read_through() -> None:
    helpers = (
        "def _workspace_column():\n"
        "    return sa.Column('workspace', sa.String(63), nullable=False,\n"
        "                     server_default=sa.text(\"'default'\"))\n\n"
        "def _with_batch(table_name):\n"
        "    return op.batch_alter_table(table_name, recreate='auto')\n\n"
    )
    body = (
        "def upgrade():\n"
        "    with _with_batch('experiments') as batch_op:\n"
        "        batch_op.add_column(_workspace_column())\n"
        "    op.add_column('runs', _workspace_column())\n\n"
        "def downgrade():\n    pass\n"
    )
    found = _revision(helpers + body).parsed.up.operations
    column = ops.ColumnDef("workspace", "VARCHAR(63)", nullable=False, default="'default'")
    assert [o for o in found if isinstance(o, ops.AddColumn)] == [
        ops.AddColumn("experiments", column),
        ops.AddColumn("runs", column),
    ]


def test_a_type_defined_in_the_project_is_not_judged_as_sql() -> None:
    found = _up("op.alter_column('logs', 'json', existing_type=sa.Text(), type_=MediumText())")
    assert found == (
        ops.Opaque(
            "logs.json: type set to MediumText, a type defined in the project's code: check "
            "what it compiles to on each engine"
        ),
    )


def test_a_loop_over_a_list_of_dicts_reads_each_item() -> None:
    header = "NEW_COLUMNS = [{'name': 'url', 'len': 2047}, {'name': 'cwd', 'len': 4095}]\n\n"
    body = (
        "def upgrade():\n"
        "    for item in NEW_COLUMNS:\n"
        "        op.add_column('services', sa.Column(item['name'], sa.Unicode(item['len'])))\n\n"
        "def downgrade():\n    pass\n"
    )
    found = _revision(header + body).parsed.up.operations
    assert [
        (o.table, o.column.name, o.column.type) for o in found if isinstance(o, ops.AddColumn)
    ] == [
        ("services", "url", "VARCHAR(2047)"),
        ("services", "cwd", "VARCHAR(4095)"),
    ]


def test_tables_in_a_schema_keep_its_name() -> None:
    found = _up(
        "op.create_table('affiliations', sa.Column('id', sa.Integer()), schema='indico')\n"
        "op.drop_table('affiliations', schema='users')\n"
        "with op.batch_alter_table('logs', schema='events') as batch_op:\n"
        "    batch_op.drop_column('legacy')"
    )
    assert [getattr(o, "table", None) for o in found] == [
        "indico.affiliations",
        "users.affiliations",
        "events.logs",
    ]


def test_columns_spliced_from_a_literal_list_are_read() -> None:
    header = "METRICS = ['count', 'total']\n\n"
    body = (
        "def upgrade():\n"
        "    op.create_table('metric_aggregate', sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                    *[sa.Column(m, sa.BigInteger()) for m in METRICS])\n\n"
        "def downgrade():\n    pass\n"
    )
    (created,) = _revision(header + body).parsed.up.operations
    assert isinstance(created, ops.CreateTable)
    assert [c.name for c in created.columns] == ["id", "count", "total"]


def test_an_orm_loop_over_an_imported_model_is_a_data_change() -> None:
    found = _up(
        "session = db.Session(bind=op.get_bind())\n"
        "for slc in session.query(Slice).filter(Slice.viz_type == 'x'):\n"
        "    slc.params = '{}'\n"
        "session.commit()"
    )
    (change,) = found
    assert isinstance(change, ops.DataChange)
    assert (change.kind, change.table, change.columns) == (
        ops.DataChangeKind.CODE,
        "Slice (model)",
        ("params",),
    )


def test_add_column_with_primary_key_adds_an_autoincrementing_column_but_no_key() -> None:
    (added,) = _up("op.add_column('roles', sa.Column('id', sa.Integer(), primary_key=True))")
    assert isinstance(added, ops.AddColumn)
    assert added.column == ops.ColumnDef("id", "SERIAL", nullable=False)


def test_a_covering_index_keeps_its_included_columns() -> None:
    (created,) = _up(
        "op.create_index('ix_orders_user', 'orders', ['user_id'], "
        "postgresql_include=['total', 'status'])"
    )
    assert isinstance(created, ops.CreateIndex)
    assert created.index.include == ("total", "status")
