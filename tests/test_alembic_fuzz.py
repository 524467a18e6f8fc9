"""Reading arbitrary upgrade() bodies never crashes, whatever the calls and their arguments."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.migrations.alembic.revisions import Revision, Unreadable, parse_revision
from harvester.migrations.schema.ops import Dialect

_ARGUMENTS = st.sampled_from(
    [
        "'t'",
        "'t', 'c'",
        "None, 't'",
        "'t', sa.Column('c', sa.String(5), nullable=False)",
        "'t', sa.Column('c', sa.Enum('a', name='e'), sa.ForeignKey('u.id'), index=True)",
        "'ix', 't', ['c'], postgresql_where=sa.text('c > 0')",
        "'fk', 't', 'u', ['u_id'], ['id'], ondelete='CASCADE'",
        "table_name, column_name",
        "t, [{'a': 1}]",
        "f'UPDATE {t} SET a = 1'",
        "sa.text('DELETE FROM t').bindparams(a=1)",
        "t.update().where(t.c.a == 1).values(a=2)",
        "",
        "1, 2, 3",
        "type_=sa.Integer(), existing_type=sa.String()",
    ]
)
_METHODS = st.sampled_from(
    [
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
        "execute",
        "bulk_insert",
        "get_bind",
        "invoke",
    ]
)


@st.composite
def _statement(draw: st.DrawFn) -> str:
    call = f"op.{draw(_METHODS)}({draw(_ARGUMENTS)})"
    return draw(
        st.sampled_from(
            [
                call,
                f"with op.batch_alter_table('t') as batch_op:\n        batch_op.{draw(_METHODS)}("
                f"{draw(_ARGUMENTS)})",
                f"if op.get_bind().dialect.name == 'sqlite':\n        {call}",
                f"for t in ('a', 'b'):\n        {call}",
                f"for row in conn.execute(sa.select(t)):\n        {call}",
                f"helper()\n    {call}",
            ]
        )
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(_statement(), max_size=6),
    st.sampled_from([None, Dialect.POSTGRESQL, Dialect.SQLITE, Dialect.MYSQL]),
)
def test_reading_never_crashes(statements: list[str], dialect: Dialect | None) -> None:
    body = "".join(f"    {s}\n" for s in statements) or "    pass\n"
    text = (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = 'b'\ndown_revision = 'a'\nt = sa.table('t', sa.column('a'))\n\n"
        "def helper():\n    op.drop_column('t', 'a')\n\n"
        f"def upgrade():\n    conn = op.get_bind()\n{body}\n"
        f"def downgrade():\n{body}"
    )
    result = parse_revision("versions/b.py", text, dialect)
    assert isinstance(result, (Revision, Unreadable))
