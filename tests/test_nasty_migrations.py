"""A corpus of nasty migration files, in every system's layout: harvester never crashes on
them, reports each one it cannot read as `parsed: false` with the reason, and keeps reading
the rest."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.migrations.database import analyse_database
from harvester.render.escape import inline
from tests.support.memory_view import MemoryView

# One ordinary, parseable migration per system, and where a second migration of it goes.
LAYOUTS = {
    "django": (
        "shop/migrations/0001_initial.py",
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):"
        "\n    dependencies = []\n    operations = [migrations.CreateModel('Order', "
        "[('id', models.AutoField(primary_key=True))])]\n",
        "shop/migrations/0002_{name}.py",
    ),
    "alembic": (
        "alembic/versions/a1_init.py",
        "revision = 'a1'\ndown_revision = None\n\nfrom alembic import op\n\n\ndef upgrade():"
        "\n    op.create_table('t')\n\n\ndef downgrade():\n    op.drop_table('t')\n",
        "alembic/versions/b2_{name}.py",
    ),
    "rails": (
        "db/migrate/20240101000000_create_orders.rb",
        "class CreateOrders < ActiveRecord::Migration[7.1]\n  def change\n"
        "    create_table :orders\n  end\nend\n",
        "db/migrate/20240102000000_{name}.rb",
    ),
    "ecto": (
        "priv/repo/migrations/20240101000000_create_orders.exs",
        "defmodule App.Repo.Migrations.CreateOrders do\n  use Ecto.Migration\n\n"
        "  def change do\n    create table(:orders)\n  end\nend\n",
        "priv/repo/migrations/20240102000000_{name}.exs",
    ),
    "prisma": (
        "prisma/migrations/20240101000000_init/migration.sql",
        'CREATE TABLE "Order" ("id" SERIAL PRIMARY KEY);\n',
        "prisma/migrations/20240102000000_{name}/migration.sql",
    ),
    "golang-migrate": (
        "db/migrations/000001_init.up.sql",
        "CREATE TABLE orders (id int);\n",
        "db/migrations/000002_{name}.up.sql",
    ),
}
NASTY: dict[str, bytes] = {
    "empty": b"",
    "binary": b"\x00\x01\x02\xff" * 64,
    "latin1": "-- caf\u00e9\nSELECT 'd\u00e9j\u00e0';\n".encode("latin-1"),
    "truncated": b"class Migration(migrations.Migration):\n    operations = [migrations.AddField(",
    "broken": b"def change do\n  create table(:x) do\nend end end ))) ;;; '\n",
    "hostile": b"-- {{ 7*7 }} <script>alert(1)</script> [x](javascript:alert(1)) ${{ x }}\n"
    b'CREATE TABLE "a|b`c" ("<img>" int);\n',
    "huge": b"-- padding\n" + b"INSERT INTO t VALUES (1);\n" * 220_000,
    "wrong_dialect": b"CREATE TABLE t (id Int32) ENGINE = MergeTree ORDER BY id;\n"
    b"ALTER TABLE t MODIFY COLUMN id Int64;\n",
}


@pytest.mark.parametrize("system", sorted(LAYOUTS))
@pytest.mark.parametrize("case", sorted(NASTY))
def test_nasty_file_is_reported_and_the_rest_is_read(system: str, case: str) -> None:
    good_path, good_text, nasty_pattern = LAYOUTS[system]
    nasty_path = nasty_pattern.format(name=case)
    base = {good_path: good_text}
    view = MemoryView(base, {**base, nasty_path: NASTY[case]})
    database = analyse_database(view)
    (migration,) = [m for m in database.migrations if m.path == nasty_path]
    assert migration.data_impact, "every migration gets at least one tag"
    if case in ("binary", "latin1", "huge"):
        assert not migration.parsed
        assert migration.problems and migration.problems[0].message.startswith("not parsed: ")
    for text in [i.detail for i in migration.data_impact] + list(migration.notes):
        assert "\n" not in inline(text)


def test_a_file_over_the_size_limit_is_not_loaded() -> None:
    from harvester.migrations.text import source_from_bytes

    source = source_from_bytes("db/migrations/000002_dump.up.sql", None, 52_000_000, 4_194_304)
    assert source.problem == "not parsed: file too large (52.0 MB, over the 4.2 MB limit)"


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
_SNIPPETS = {
    "django": ["migrations.", "AddField(", "RunPython(", "operations = [", "models.", ")", "]"],
    "alembic": ["op.", "add_column(", "sa.Column(", "def upgrade():\n    ", ")", "'"],
    "rails": ["def change\n", "add_column :", "create_table", " do |t|\n", "end\n", ":"],
    "ecto": ["def change do\n", "alter table(:", "add :", "end\n", 'execute "', ")"],
    "prisma": ["ALTER TABLE ", "CREATE INDEX ", "$$", "'", ";", "--", "/*"],
    "golang-migrate": ["ALTER TABLE ", "DROP ", "BEGIN;", "$body$", "'", ";", "/*"],
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("system", sorted(LAYOUTS))
def test_generated_migration_text_never_crashes(system: str, data: st.DataObject) -> None:
    good_path, good_text, nasty_pattern = LAYOUTS[system]
    pieces = data.draw(st.lists(st.one_of(_TEXT, st.sampled_from(_SNIPPETS[system])), max_size=12))
    nasty_path = nasty_pattern.format(name="generated")
    view = MemoryView({good_path: good_text}, {good_path: good_text, nasty_path: "".join(pieces)})
    database = analyse_database(view)
    assert any(m.path == nasty_path for m in database.migrations)
