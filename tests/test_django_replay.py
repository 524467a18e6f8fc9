"""Django operations replayed against the model state: the exact schema operations each gives,
and the signals the shared rules read (irreversible steps, no-op reverses, data changes)."""

from __future__ import annotations

from harvester.migrations.base import Side
from harvester.migrations.django.project import ParseCache, load_project, replay
from harvester.migrations.schema import ops
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

_HEADER = "from django.db import migrations, models\nimport django.db.models.deletion\n\n"
_INITIAL = """
class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(
            name="Check",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("name", models.CharField(max_length=100, null=True)),
                ("kind", models.CharField(max_length=10, choices=[("a", "A")])),
                ("grace", models.IntegerField(default=60)),
            ],
        ),
    ]
"""


def _replay(
    later: str, dialect: Dialect | None = Dialect.POSTGRESQL, extra: dict[str, str] | None = None
) -> ops.ParsedMigration:
    files = {
        "hc/api/migrations/0001_initial.py": _HEADER + _INITIAL,
        "hc/api/migrations/0002_change.py": _HEADER + later,
        **(extra or {}),
    }
    view = MemoryView({}, files)
    project = load_project(view, Side.HEAD, ParseCache())
    return replay(project, dialect, {"AUTH_USER_MODEL": "auth.User"}).parsed[("api", "0002_change")]


def _operations(text: str, prelude: str = "", attributes: str = "") -> str:
    """A migration after 0001_initial with `operations = [text]`."""
    return (
        prelude
        + 'class Migration(migrations.Migration):\n    dependencies = [("api", "0001_initial")]\n'
        + attributes
        + "    operations = ["
        + text
        + "]\n"
    )


def test_not_null_column_without_default_is_said_as_such() -> None:
    parsed = _replay(_operations('migrations.AddField("check", "slug", models.TextField())'))
    assert parsed.up.operations == (
        ops.AddColumn("api_check", ops.ColumnDef("slug", "text", nullable=False)),
    )
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropColumn("api_check", "slug"),)


def test_add_field_with_default_sets_then_drops_it() -> None:
    parsed = _replay(
        _operations('migrations.AddField("check", "n", models.IntegerField(default=0))')
    )
    assert parsed.up.operations == (
        ops.AddColumn("api_check", ops.ColumnDef("n", "integer", nullable=False, default="0")),
        ops.DropDefault("api_check", "n"),
    )


def test_alter_field_null_to_not_null_is_set_not_null() -> None:
    parsed = _replay(
        _operations('migrations.AlterField("check", "name", models.CharField(max_length=100))')
    )
    assert parsed.up.operations == (ops.SetNotNull("api_check", "name"),)
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropNotNull("api_check", "name"),)


def test_alter_field_python_only_change_gives_no_operation() -> None:
    parsed = _replay(
        _operations(
            'migrations.AlterField("check", "kind", models.CharField(max_length=10, '
            'choices=[("a", "A"), ("b", "B")], help_text="x"))'
        )
    )
    state = ops.Opaque(
        "no SQL (Django model state only): AlterField Check.kind (choices, help_text)",
        state_only=True,
    )
    assert parsed.up.operations == (state,)
    assert parsed.down is not None and parsed.down.operations == (state,)


def test_alter_field_to_a_custom_url_field_keeps_its_length() -> None:
    parsed = _replay(
        _operations(
            'migrations.AlterField("check", "kind", core.fields.SafeURLField(choices=[]))',
            prelude="import core.fields\n",
        )
    )
    assert parsed.up.operations == (
        ops.AlterColumnType("api_check", "kind", "varchar(200)", "varchar(10)"),
    )


def test_alter_field_to_a_project_field_of_unknown_type_claims_no_type_change() -> None:
    parsed = _replay(
        _operations(
            'migrations.AlterField("check", "name", fields.SecretField(null=True))',
            prelude="from core import fields\n",
        )
    )
    assert parsed.up.operations == (
        ops.Opaque(
            "api_check.name: field CharField -> SecretField; the column type of SecretField is "
            "defined in the project's code: check whether the type changes"
        ),
    )


def test_alter_field_type_change_knows_the_old_type() -> None:
    parsed = _replay(
        _operations('migrations.AlterField("check", "grace", models.BigIntegerField(default=60))')
    )
    assert parsed.up.operations == (ops.AlterColumnType("api_check", "grace", "bigint", "integer"),)


def test_types_follow_the_engine() -> None:
    text = _operations('migrations.AddField("check", "at", models.DateTimeField(null=True))')
    mysql = _replay(text, Dialect.MYSQL).up.operations[0]
    sqlite = _replay(text, Dialect.SQLITE).up.operations
    assert isinstance(mysql, ops.AddColumn) and mysql.column.type == "datetime(6)"
    assert sqlite == (ops.AddColumn("api_check", ops.ColumnDef("at", "datetime", nullable=True)),)


def test_sqlite_remakes_the_table_for_alter_field() -> None:
    parsed = _replay(
        _operations('migrations.AlterField("check", "name", models.CharField(max_length=100))'),
        Dialect.SQLITE,
    )
    assert parsed.up.operations[0] == ops.RebuildTable(
        "api_check", "Django's SQLite table remake", changes=("alters name",), applies_alters=True
    )


def test_foreign_key_column_constraint_and_index() -> None:
    parsed = _replay(
        _operations(
            'migrations.AddField("check", "owner", models.ForeignKey(null=True, '
            'on_delete=django.db.models.deletion.CASCADE, to="auth.user"))'
        )
    )
    fk = ops.ForeignKey(
        ("owner_id",),
        "auth_user",
        ("id",),
        name="api_check_owner_id_5b716766_fk_auth_user_id",
        deferrable=True,
    )
    assert parsed.up.operations == (
        ops.AddColumn(
            "api_check", ops.ColumnDef("owner_id", "integer", nullable=True, references=fk)
        ),
        ops.CreateIndex(ops.IndexDef("api_check_owner_id_5b716766", "api_check", ("owner_id",))),
    )


def test_a_proxy_of_a_model_outside_the_project_keeps_that_models_table() -> None:
    proxy = (
        'migrations.CreateModel("Member", fields=[], options={"proxy": True}, '
        'bases=("auth.user",)), '
        'migrations.AddField("check", "owner", models.ForeignKey(null=True, '
        'on_delete=django.db.models.deletion.CASCADE, to="api.member"))'
    )
    parsed = _replay(_operations(proxy))
    column = next(o for o in parsed.up.operations if isinstance(o, ops.AddColumn)).column
    assert (column.type, column.references and column.references.ref_table) == (
        "integer",
        "auth_user",
    )


_OWN_CLASS = (
    "from django.contrib.postgres.operations import AddIndexConcurrently\n\n"
    "class AddIndexSimpleUndo(AddIndexConcurrently):\n"
    "    def database_backwards(self, app_label, schema_editor, from_state, to_state):\n"
    "        pass\n\n"
    "class AddIndexOwnWay(AddIndexConcurrently):\n"
    "    def database_forwards(self, app_label, schema_editor, from_state, to_state):\n"
    "        pass\n\n"
)


def test_an_operation_class_of_the_migration_module_reads_as_its_django_base() -> None:
    index = 'models.Index(fields=["name"], name="check_name_idx")'
    parsed = _replay(
        _operations(f'AddIndexSimpleUndo(model_name="check", index={index})', _OWN_CLASS)
    )
    assert parsed.up.operations == (
        ops.CreateIndex(ops.IndexDef("check_name_idx", "api_check", ("name",), concurrently=True)),
    )
    assert parsed.down is not None
    assert [o.summary for o in parsed.down.operations if isinstance(o, ops.Opaque)] == [
        "AddIndexSimpleUndo undoes it with its own database_backwards (class at line 6), "
        "not AddIndexConcurrently's: read it"
    ]


def test_an_operation_class_with_its_own_forward_step_is_not_read_as_its_base() -> None:
    index = 'models.Index(fields=["name"], name="check_name_idx")'
    parsed = _replay(_operations(f'AddIndexOwnWay(model_name="check", index={index})', _OWN_CLASS))
    assert [o.summary for o in parsed.up.operations if isinstance(o, ops.Opaque)] == [
        "operation AddIndexOwnWay (line 16) is not a Django operation harvester knows (it "
        "subclasses AddIndexConcurrently at line 10 and writes its own database_forwards): read it"
    ]


def test_a_data_migration_that_replaces_another_says_where_its_code_never_runs() -> None:
    parsed = _replay(
        _operations(
            "migrations.RunPython(fill, migrations.RunPython.noop)",
            prelude="def fill(apps, schema_editor):\n"
            "    apps.get_model('api', 'Check').objects.update(grace=5)\n\n",
            attributes="    replaces = [('api', '0002_old_fill')]\n",
        )
    )
    assert (
        "replaces api.0002_old_fill: databases that applied it record this migration as "
        "applied without running fill()"
    ) in parsed.up.notes


def test_run_python_without_reverse_is_irreversible() -> None:
    parsed = _replay(
        _operations(
            "migrations.RunPython(fill)",
            prelude="def fill(apps, schema_editor):\n"
            '    Check = apps.get_model("api", "Check")\n'
            "    for check in Check.objects.all():\n"
            "        check.grace = 30\n"
            "        check.save(update_fields=['grace', 'name'])\n\n\n",
        )
    )
    assert parsed.up.operations == (
        ops.DataChange(
            ops.DataChangeKind.CODE,
            table="api_check",
            detail="fill(): loops over api_check rows and saves each one",
            has_where=False,
            reversible=False,
            columns=("grace", "name"),
        ),
    )
    assert parsed.down_declared is False
    assert parsed.down is None
    assert parsed.up.notes == ("cannot be unapplied: RunPython (line 13) has no reverse_code",)


def test_noop_reverse_is_a_noop_down() -> None:
    parsed = _replay(
        _operations(
            'migrations.RunSQL("UPDATE api_check SET grace = 1", migrations.RunSQL.noop), '
            "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)"
        )
    )
    assert parsed.down_declared is True
    assert parsed.down_is_noop is True


def test_separate_database_and_state_runs_only_database_operations() -> None:
    parsed = _replay(
        _operations(
            "migrations.SeparateDatabaseAndState("
            'state_operations=[migrations.RemoveField("check", "grace")])'
        )
    )
    assert [type(o) for o in parsed.up.operations] == [ops.Opaque]
    again = _replay(
        _operations(
            "migrations.SeparateDatabaseAndState("
            'state_operations=[migrations.RemoveField("check", "grace")]), '
            'migrations.AddField("check", "grace", models.IntegerField(null=True))'
        )
    )
    assert again.up.operations[0] == ops.AddColumn(
        "api_check", ops.ColumnDef("grace", "integer", nullable=True)
    )


def test_concurrent_index_outside_a_transaction() -> None:
    parsed = _replay(
        _operations(
            "AddIndexConcurrently(\"check\", models.Index(fields=['name'], name='check_name'))",
            attributes="    atomic = False\n",
        )
    )
    assert parsed.up.transactional is False
    assert parsed.up.operations == (
        ops.CreateIndex(ops.IndexDef("check_name", "api_check", ("name",), concurrently=True)),
    )


def test_a_projects_runsql_subclass_is_read_as_runsql() -> None:
    parsed = _replay(
        _operations(
            "PostgresOnlyRunSQL(sql='CREATE INDEX CONCURRENTLY ix_grace ON api_check (grace)', "
            "reverse_sql='DROP INDEX ix_grace')",
            prelude="from core.migration_helpers import PostgresOnlyRunSQL\n",
        )
    )
    assert parsed.up.operations == (
        ops.CreateIndex(ops.IndexDef("ix_grace", "api_check", ("grace",), concurrently=True)),
    )
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropIndex("ix_grace", None),)


def test_a_covering_index_names_its_included_columns() -> None:
    parsed = _replay(
        _operations(
            'migrations.AddIndex("check", models.Index(fields=["kind", "-grace"], '
            'include=["name"], name="check_kind_idx"))'
        )
    )
    (created,) = parsed.up.operations
    assert isinstance(created, ops.CreateIndex)
    assert created.index.include == ("name",)
    assert created.index.columns == ("kind", "grace DESC")


def test_an_unknown_operation_has_an_unknown_reverse_not_an_empty_one() -> None:
    parsed = _replay(
        _operations(
            "InstallDenormalizationTrigger(model='check')",
            prelude="from core.triggers import InstallDenormalizationTrigger\n",
        )
    )
    unknown = ops.Opaque(
        "operation InstallDenormalizationTrigger (line 7) is not a Django operation harvester "
        "knows: read it",
        raw=True,
    )
    assert parsed.up.operations == (unknown,)
    assert parsed.down is not None and parsed.down.operations == (unknown,)


def test_operations_built_by_a_comprehension_over_literal_lists_are_read() -> None:
    parsed = _replay(
        "LEGACY = ['name', 'kind']\n"
        + _operations(
            "*[migrations.RemoveField(model_name=m, name=f) for m in ['check'] for f in LEGACY]"
        )
    )
    assert parsed.up.operations == (
        ops.DropColumn("api_check", "name"),
        ops.DropColumn("api_check", "kind"),
    )


def test_operations_chosen_by_the_database_vendor_follow_the_engine() -> None:
    later = (
        "from django.db import connection\n"
        'class Migration(migrations.Migration):\n    dependencies = [("api", "0001_initial")]\n'
        '    if connection.vendor == "postgresql":\n'
        "        operations = [\n"
        '            migrations.AddField("check", "body", models.TextField(default=""))]\n'
        "    else:\n        operations = []\n"
    )
    postgres = _replay(later)
    sqlite = _replay(later, Dialect.SQLITE)
    assert [type(o).__name__ for o in postgres.up.operations] == ["AddColumn", "DropDefault"]
    assert sqlite.up.operations == ()
    assert any("depend on the database vendor" in n for n in postgres.notes + postgres.up.notes)


def test_a_vendor_test_narrowed_by_another_condition_still_chooses_the_engine() -> None:
    later = (
        "from django.db import connection\n"
        'class Migration(migrations.Migration):\n    dependencies = [("api", "0001_initial")]\n'
        '    if connection.vendor == "mysql" and not connection.mysql_is_mariadb:\n'
        "        operations = [\n"
        '            migrations.AddField("check", "body", models.TextField(default=""))]\n'
        "    else:\n        operations = []\n"
    )
    assert _replay(later).up.operations == ()
    assert [type(o).__name__ for o in _replay(later, Dialect.MYSQL).up.operations] == [
        "AddColumn",
        "DropDefault",
    ]


def test_a_migration_marked_safe_after_deploy_runs_after_the_deploy() -> None:
    parsed = _replay(
        _operations(
            'migrations.RemoveField("check", "grace")',
            prelude="from django_safemigrate import Safe\n",
            attributes="    safe = Safe.after_deploy()\n",
        )
    )
    assert parsed.after_deploy is True


def test_an_auto_now_field_fills_existing_rows_with_the_current_time() -> None:
    parsed = _replay(
        _operations(
            'migrations.AddField("check", "updated_at", models.DateTimeField(auto_now=True))'
        )
    )
    added, dropped = parsed.up.operations
    assert isinstance(added, ops.AddColumn)
    assert (added.column.nullable, added.column.default) == (False, "django.utils.timezone.now()")
    assert dropped == ops.DropDefault("api_check", "updated_at")
    assert (
        "api_check.updated_at: Django calls django.utils.timezone.now() once and writes that "
        "one value into every existing row" in parsed.up.notes + parsed.notes
    )


def test_altering_a_foreign_key_column_drops_and_recreates_its_constraint() -> None:
    owner = (
        'migrations.AddField("check", "owner", models.ForeignKey(null=True, '
        'on_delete=django.db.models.deletion.CASCADE, to="auth.user"))'
    )
    required = (
        'migrations.AlterField("check", "owner", models.ForeignKey('
        'on_delete=django.db.models.deletion.CASCADE, to="auth.user"))'
    )
    renamed_only = (
        'migrations.AlterField("check", "owner", models.ForeignKey(null=True, '
        'related_name="checks", on_delete=django.db.models.deletion.PROTECT, to="auth.user"))'
    )
    name = "api_check_owner_id_5b716766_fk_auth_user_id"
    parsed = _replay(_operations(f"{owner}, {required}"))
    kinds = [type(o).__name__ for o in parsed.up.operations[2:]]
    assert kinds == ["DropConstraint", "SetNotNull", "AddConstraint"]
    dropped, _, added = parsed.up.operations[2:]
    assert isinstance(dropped, ops.DropConstraint) and dropped.name == name
    assert isinstance(added, ops.AddConstraint) and added.constraint.name == name
    # a change Django keeps in Python (related_name, on_delete) leaves the constraint alone
    python_only = _replay(_operations(f"{owner}, {renamed_only}"))
    assert [type(o).__name__ for o in python_only.up.operations[2:]] == ["Opaque"]


def test_keys_to_a_text_primary_key_get_postgres_like_indexes() -> None:
    file_model = (
        'migrations.CreateModel(name="File", fields=[("hash", models.CharField('
        "max_length=64, primary_key=True, serialize=False))]), "
        'migrations.AddField("check", "main_file", models.ForeignKey(null=True, '
        'on_delete=django.db.models.deletion.SET_NULL, to="api.file")), '
        'migrations.AddField("check", "files", models.ManyToManyField(to="api.file"))'
    )
    parsed = _replay(_operations(file_model))
    like = [
        o.index.columns[0]
        for o in parsed.up.operations
        if isinstance(o, ops.CreateIndex) and o.index.name and o.index.name.endswith("_like")
    ]
    assert like == [
        "hash varchar_pattern_ops",
        "main_file_id varchar_pattern_ops",
        "file_id varchar_pattern_ops",
    ]
    sqlite = _replay(_operations(file_model), Dialect.SQLITE)
    assert not any(
        isinstance(o, ops.CreateIndex) and (o.index.name or "").endswith("_like")
        for o in sqlite.up.operations
    )
