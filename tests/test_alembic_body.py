"""Alembic function bodies: names bound to queries and enum objects, batch blocks entered
through names, and code harvester does not follow."""

from __future__ import annotations

from harvester.migrations.alembic.revisions import Revision, parse_revision
from harvester.migrations.schema import ops
from harvester.migrations.schema.ops import Dialect

_HEADER = (
    "import sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.dialects import postgresql\n"
    "\nrevision = 'r2'\ndown_revision = 'r1'\n\n"
)


def _revision(upgrade: str, dialect: Dialect | None = Dialect.POSTGRESQL) -> Revision:
    body = "def upgrade():\n" + "".join(f"    {line}\n" for line in upgrade.splitlines())
    parsed = parse_revision(
        "versions/r2.py", _HEADER + body + "\ndef downgrade():\n    pass\n", dialect
    )
    assert isinstance(parsed, Revision)
    return parsed


def test_enum_create_is_create_type_and_the_column_needs_nothing_more() -> None:
    revision = _revision(
        "kind = sa.Enum('A', 'B', name='kind')\n"
        "kind.create(op.get_bind())\n"
        "op.add_column('t', sa.Column('kind', kind))"
    )
    up = revision.parsed.up
    assert isinstance(up.operations[0], ops.CreateEnumType)
    assert up.operations[0].name == "kind" and up.operations[0].values == ("A", "B")
    assert revision.types_needed == () and revision.types_created == ("kind",)
    assert revision.types_if_missing == ()  # sa.Enum does not check first unless told to


def test_enum_named_after_its_python_class_and_nothing_on_sqlite() -> None:
    revision = _revision(
        "kind = sa.Enum(BillType)\n"
        "kind.create(op.get_bind(), checkfirst=True)\n"
        "op.add_column('bill', sa.Column('kind', kind))",
        Dialect.SQLITE,
    )
    operations = revision.parsed.up.operations
    assert [type(o) for o in operations] == [ops.AddColumn]
    assert isinstance(operations[0], ops.AddColumn)
    assert operations[0].column.type == "ENUM billtype"
    assert any("does nothing on sqlite" in note for note in revision.parsed.up.notes)


def test_enum_used_without_being_created_needs_the_type() -> None:
    revision = _revision("op.add_column('t', sa.Column('k', postgresql.ENUM(name='k')))")
    assert revision.types_needed == (("k", "t.k"),)


def test_code_that_changes_nothing_harvester_can_name_is_not_an_empty_step() -> None:
    found = _revision("session = sa.orm.Session(bind=op.get_bind())\nsession.merge(thing)")
    (only,) = found.parsed.up.operations
    assert isinstance(only, ops.Opaque) and only.raw
    assert "session.merge() (line 10)" in only.summary


def test_a_batch_call_after_its_block_never_runs() -> None:
    revision = _revision(
        "with op.batch_alter_table('t') as batch_op:\n"
        "    batch_op.drop_column('a')\n"
        "batch_op.drop_column('b')"
    )
    assert [o.column for o in revision.parsed.up.operations if isinstance(o, ops.DropColumn)] == [
        "a"
    ]
    assert any("never runs it" in note for note in revision.parsed.notes)


def test_a_decorator_that_skips_another_engine_is_a_note() -> None:
    from harvester.migrations.alembic.decorators import EngineSkip

    text = _HEADER + (
        "@utils.skip_if_sqlite\ndef upgrade():\n"
        "    op.alter_column('t', 'c', type_=sa.String(256), existing_type=sa.String(128))\n"
    )
    skip = EngineSkip("upgrade", "utils.skip_if_sqlite", "app/utils.py", (Dialect.SQLITE,))
    on_postgres = parse_revision("versions/r2.py", text, Dialect.POSTGRESQL, (skip,))
    on_sqlite = parse_revision("versions/r2.py", text, Dialect.SQLITE, (skip,))
    assert isinstance(on_postgres, Revision) and isinstance(on_sqlite, Revision)
    assert isinstance(on_postgres.parsed.up.operations[0], ops.AlterColumnType)
    assert "upgrade() is skipped on sqlite by its decorator utils.skip_if_sqlite" in " ".join(
        on_postgres.parsed.notes
    )
    (only,) = on_sqlite.parsed.up.operations
    assert isinstance(only, ops.Opaque) and not only.raw
    assert "VARCHAR(128) -> VARCHAR(256)" in only.summary


def test_skip_guards_are_read_in_both_spellings() -> None:
    import ast

    from harvester.migrations import pyast
    from harvester.migrations.alembic.decorators import _skipped_engines

    def skipped(source: str) -> tuple[Dialect, ...]:
        module = pyast.parse_module(source)
        assert isinstance(module, pyast.Module)
        function = module.functions["guard"]
        assert isinstance(function, ast.FunctionDef)
        return _skipped_engines(function, module)

    inner = "def guard(func):\n    def wrapper():\n{}\n    return wrapper\n"
    with_else = "        if op.get_bind().dialect.name == 'sqlite':\n            return\n"
    with_else += "        else:\n            return func()"
    only_on = "        if op.get_bind().dialect.name in ('postgresql',):\n            return func()"
    assert skipped(inner.format(with_else)) == (Dialect.SQLITE,)
    assert Dialect.POSTGRESQL not in skipped(inner.format(only_on))
    assert Dialect.SQLITE in skipped(inner.format(only_on))


def test_an_early_return_in_a_helper_guards_only_the_helper() -> None:
    source = (
        _HEADER
        + "def add_scopes(table):\n"
        + "    if not table_exists(table):\n        return\n"
        + "    op.add_column(table, sa.Column('scopes', sa.Text()))\n\n"
        + "def upgrade():\n    add_scopes('roles')\n    op.create_index('ix_a', 'users', ['a'])\n"
        + "\ndef downgrade():\n    pass\n"
    )
    parsed = parse_revision("versions/r2.py", source, Dialect.POSTGRESQL)
    assert isinstance(parsed, Revision)
    notes = parsed.parsed.up.notes + parsed.parsed.notes
    assert not any(n.startswith("runs only if") for n in notes)
    assert any("run only if `table_exists(table)` (it returns" in n for n in notes)
    guarded = _revision("if skip_legacy(op):\n    return\nop.create_index('ix_a', 'users', ['a'])")
    assert any(
        n.startswith("runs only if `skip_legacy(op)` is false")
        for n in guarded.parsed.up.notes + guarded.parsed.notes
    )


def test_sys_exit_is_a_precondition_not_unread_code() -> None:
    revision = _revision(
        "if op.get_bind().execute(sa.text('SELECT 1')).scalar():\n"
        "    print('run the refresh command first')\n"
        "    sys.exit(1)\n"
        "op.add_column('t', sa.Column('b', sa.Integer()))"
    )
    up = revision.parsed.up
    assert not any(isinstance(o, ops.Opaque) for o in up.operations)
    assert any(n.startswith("stops the upgrade at line") for n in up.notes)


def test_a_type_decorators_underlying_type_is_named_not_printed_as_python() -> None:
    revision = _revision(
        "op.create_table('inventory', sa.Column('data', types.JsonDict(as_long=True).impl))\n"
        "op.add_column('inventory', sa.Column('extra', types.JsonDict.impl))"
    )
    created, added = revision.parsed.up.operations
    assert isinstance(created, ops.CreateTable) and isinstance(added, ops.AddColumn)
    assert created.columns[0].type == "the type under JsonDict (not resolved)"
    assert added.column.type == "the type under JsonDict (not resolved)"
