"""Django's naming, field types, execution order and RunPython reading, piece by piece."""

from __future__ import annotations

import ast

import pytest

from harvester.migrations import pyast
from harvester.migrations.django import fields, naming
from harvester.migrations.django.changes import describe_modification
from harvester.migrations.django.files import MigrationFile, compare, parse_migration
from harvester.migrations.django.graph import plan
from harvester.migrations.django.python_code import PythonCode
from harvester.migrations.pyast import Call
from harvester.migrations.schema.ops import DataChangeKind, Dialect

# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "columns", "suffix", "expected"),
    [
        # Names Django generated in real projects' databases.
        ("discount_sale", ["created"], "", "discount_sale_created_c17254d6"),
        (
            "discount_checkoutlinediscount",
            ["sale_id"],
            "_fk_discount_sale_id",
            "discount_checkoutlin_sale_id_b0964e58_fk_discount_",
        ),
        (
            "discount_orderdiscount",
            ["sale_id"],
            "_fk_discount_sale_id",
            "discount_orderdiscount_sale_id_849ebbef_fk_discount_sale_id",
        ),
    ],
)
def test_index_names_match_djangos(
    table: str, columns: list[str], suffix: str, expected: str
) -> None:
    assert naming.index_name(table, columns, suffix, Dialect.POSTGRESQL) == expected


def test_table_names() -> None:
    assert naming.table_name("api", "Check") == "api_check"
    assert naming.table_name("api", "Check", "checks") == "checks"
    long = naming.table_name("app", "X" * 80)
    assert len(long) == 63 and long.startswith("app_xxx")


def test_postgres_implicit_names_are_shortened() -> None:
    assert naming.inline_unique_name("api_check", "code", None) == "api_check_code_key"
    name = naming.postgres_object_name("t" * 50, "c" * 30, "key")
    assert len(name) == 63 and name.endswith("_key")


# --- fields -----------------------------------------------------------------------------------


def _field(source: str) -> fields.FieldSpec:
    value = pyast.evaluate(__import__("ast").parse(source, mode="eval").body)
    assert isinstance(value, Call)
    return fields.spec(value)


@pytest.mark.parametrize(
    ("source", "postgres", "mysql", "sqlite"),
    [
        ("models.CharField(max_length=20)", "varchar(20)", "varchar(20)", "varchar(20)"),
        ("models.CharField(max_length='30')", "varchar(30)", "varchar(30)", "varchar(30)"),
        ("models.EmailField()", "varchar(254)", "varchar(254)", "varchar(254)"),
        ("models.TextField()", "text", "longtext", "text"),
        ("models.DateTimeField()", "timestamp with time zone", "datetime(6)", "datetime"),
        (
            "models.DecimalField(max_digits=12, decimal_places=3)",
            "numeric(12, 3)",
            "numeric(12, 3)",
            "decimal",
        ),
        ("models.JSONField(default=dict)", "jsonb", "json", "text"),
        ("models.UUIDField()", "uuid", "char(32)", "char(32)"),
        ("models.PositiveIntegerField()", "integer", "integer UNSIGNED", "integer unsigned"),
        (
            "ArrayField(models.CharField(max_length=5))",
            "varchar(5)[]",
            "varchar(5)[]",
            "varchar(5)[]",
        ),
        ("core.fields.SanitizedJSONField()", "jsonb", "json", "text"),
        ("core.fields.NoSSRFURLField()", "varchar(200)", "varchar(200)", "varchar(200)"),
        ("crypto.EncryptedEmailField(max_length=90)", "varchar(90)", "varchar(90)", "varchar(90)"),
        ("countries.CountryField(max_length=2)", "varchar(2)", "varchar(2)", "varchar(2)"),
        ("openwisp_utils.fields.FallbackBooleanChoiceField()", "boolean", "bool", "bool"),
        ("things.MysteryField()", *["MysteryField (custom field)"] * 3),
    ],
)
def test_column_types_per_engine(source: str, postgres: str, mysql: str, sqlite: str) -> None:
    spec = _field(source)
    assert fields.db_type(spec, Dialect.POSTGRESQL) == postgres
    assert fields.db_type(spec, None) == postgres
    assert fields.db_type(spec, Dialect.MYSQL) == mysql
    assert fields.db_type(spec, Dialect.SQLITE) == sqlite


def test_relations_and_columns() -> None:
    fk = _field("models.ForeignKey(on_delete=models.CASCADE, to='api.project')")
    assert fk.relation is not None and fk.relation.to == "api.project"
    assert fk.relation.on_delete is None  # Django emulates CASCADE; the database has no clause
    assert fk.indexed
    assert fields.column_name("project", fk) == "project_id"
    one = _field("models.OneToOneField(on_delete=models.DB_CASCADE, to='auth.user')")
    assert one.unique and not one.indexed
    assert one.relation is not None and one.relation.on_delete == "CASCADE"
    many = _field("models.ManyToManyField(to='api.tag')")
    assert many.is_many_to_many


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("models.IntegerField(default=0)", "0"),
        ('models.CharField(default="it\'s", max_length=5)', "'it''s'"),
        ("models.BooleanField(default=True)", "true"),
        ("models.JSONField(default=dict)", "'{}'"),
        ("models.DurationField(default=timedelta(days=1))", "'1 day'"),
        ("models.DurationField(default=timedelta(minutes=5))", "'00:05:00'"),
        ("models.DecimalField(default=Decimal('0.00'))", "0.00"),
        ("models.CharField(blank=True, max_length=5)", "''"),
        ("models.CharField(null=True, default=None, max_length=5)", None),
        ("models.UUIDField(default=uuid.uuid4)", "uuid.uuid4()"),
    ],
)
def test_effective_defaults(source: str, expected: str | None) -> None:
    assert fields.effective_default(_field(source)) == expected


# --- execution order -------------------------------------------------------------------------


def _migration(name: str, dependencies: str = "", extra: str = "") -> MigrationFile:
    text = (
        "from django.db import migrations\n"
        f"class Migration(migrations.Migration):\n    dependencies = [{dependencies}]\n{extra}"
    )
    parsed = parse_migration(name, text)
    assert isinstance(parsed, MigrationFile)
    return parsed


def test_order_follows_dependencies_across_apps() -> None:
    migrations = {
        ("blog", "0001_initial"): _migration("0001_initial", "('users', '0002_email')"),
        ("users", "0001_initial"): _migration("0001_initial"),
        ("users", "0002_email"): _migration("0002_email", "('users', '0001_initial')"),
        ("blog", "0002_x"): _migration("0002_x", "('blog', '0001_initial')"),
    }
    result = plan(migrations, {})
    assert result.order == (
        ("users", "0001_initial"),
        ("users", "0002_email"),
        ("blog", "0001_initial"),
        ("blog", "0002_x"),
    )
    assert result.conflicts == {}


def test_two_leaves_in_one_app_are_a_conflict() -> None:
    migrations = {
        ("api", "0001_a"): _migration("0001_a"),
        ("api", "0002_b"): _migration("0002_b", "('api', '0001_a')"),
        ("api", "0002_c"): _migration("0002_c", "('api', '0001_a')"),
    }
    assert plan(migrations, {}).conflicts == {"api": ("0002_b", "0002_c")}


def test_squash_with_its_originals_present_is_inert() -> None:
    migrations = {
        ("api", "0001_a"): _migration("0001_a"),
        ("api", "0002_b"): _migration("0002_b", "('api', '0001_a')"),
        ("api", "0001_squashed_0002_b"): _migration(
            "0001_squashed_0002_b", extra="    replaces = [('api', '0001_a'), ('api', '0002_b')]\n"
        ),
        ("api", "0003_c"): _migration("0003_c", "('api', '0001_squashed_0002_b')"),
    }
    result = plan(migrations, {})
    assert result.inert_squashes == {("api", "0001_squashed_0002_b")}
    assert result.order[-1] == ("api", "0003_c")
    del migrations[("api", "0001_a")], migrations[("api", "0002_b")]
    alone = plan(migrations, {})
    assert alone.order == (("api", "0001_squashed_0002_b"), ("api", "0003_c"))
    assert alone.inert_squashes == frozenset()


def test_swappable_and_first_dependencies() -> None:
    migrations = {
        ("shop", "0001_initial"): _migration(
            "0001_initial", "migrations.swappable_dependency(settings.AUTH_USER_MODEL)"
        ),
        ("accounts", "0001_initial"): _migration("0001_initial"),
    }
    assert plan(migrations, {"AUTH_USER_MODEL": "accounts.Member"}).order == (
        ("accounts", "0001_initial"),
        ("shop", "0001_initial"),
    )


def test_cycles_end_without_hanging() -> None:
    migrations = {
        ("a", "0001"): _migration("0001", "('b', '0001')"),
        ("b", "0001"): _migration("0001", "('a', '0001')"),
    }
    assert set(plan(migrations, {}).order) == set(migrations)


# --- RunPython --------------------------------------------------------------------------------


def _code(body: str, reverse: str = "migrations.RunPython.noop") -> PythonCode:
    text = (
        "from django.db import migrations\n"
        "from shop.orders.models import Order\n\n"
        f"{body}\n\n"
        "class Migration(migrations.Migration):\n"
        f"    operations = [migrations.RunPython(forwards, {reverse})]\n"
    )
    parsed = parse_migration("0002_x", text)
    assert isinstance(parsed, MigrationFile)
    code = parsed.operations[0].code
    assert code is not None
    return code


def test_reads_loops_bulk_updates_and_deletes() -> None:
    code = _code(
        "def forwards(apps, schema_editor):\n"
        "    Check = apps.get_model('api', 'Check')\n"
        "    Flip = apps.get_model('api.Flip')\n"
        "    for check in Check.objects.filter(kind='x').iterator():\n"
        "        Check.objects.filter(id=check.id).update(kind='y')\n"
        "    Flip.objects.all().delete()\n"
        "    Flip.objects.bulk_create([Flip()])\n"
        "    helper(Check)\n\n"
        "def helper(model):\n"
        "    model.objects.update(n=0)\n"
    )
    found = [(a.model, a.kind, a.detail, a.has_where) for a in code.actions]
    assert found == [
        (
            "Check",
            DataChangeKind.CODE,
            "loops over {table} rows and updates each one with its own UPDATE",
            True,
        ),
        ("Flip", DataChangeKind.DELETE, "deletes {table} rows", False),
        ("Flip", DataChangeKind.INSERT, "inserts {table} rows (bulk_create)", True),
        ("Check", DataChangeKind.UPDATE, "updates {table} rows in one statement", False),
    ]


def test_a_row_built_in_code_and_saved_is_an_insert() -> None:
    code = _code(
        "def forwards(apps, schema_editor):\n"
        "    Tag = apps.get_model('api', 'Tag')\n"
        "    Check = apps.get_model('api', 'Check')\n"
        "    tag = Tag(name='new', position=1)\n"
        "    tag.save()\n"
        "    kept = Tag(pk=7, name='kept')\n"
        "    kept.save()\n"
        "    check = Check.objects.get(pk=1)\n"
        "    check.save()\n"
    )
    assert [(a.model, a.kind, a.detail) for a in code.actions] == [
        ("Tag", DataChangeKind.INSERT, "inserts {table} rows (built in code, then saved)"),
        ("Tag", DataChangeKind.UPDATE, "saves single {table} rows"),
        ("Check", DataChangeKind.UPDATE, "saves single {table} rows"),
    ]


def test_a_queryset_kept_in_a_variable_keeps_its_filter() -> None:
    code = _code(
        "def forwards(apps, schema_editor):\n"
        "    Flip = apps.get_model('api', 'Flip')\n"
        "    stale = Flip.objects.filter(check__in=gone)\n"
        "    count, _ = stale.delete()\n"
        "    stale.exclude(kind='x').update(kind='y')\n"
    )
    assert [(a.detail, a.has_where) for a in code.actions] == [
        ("deletes {table} rows: filter(check__in=gone)", True),
        ("updates {table} rows in one statement: filter(check__in=gone).exclude(kind='x')", True),
    ]


def test_a_bulk_update_after_a_batching_loop_is_the_loops_last_batch() -> None:
    code = _code(
        "def forwards(apps, schema_editor):\n"
        "    Check = apps.get_model('api', 'Check')\n"
        "    pending = []\n"
        "    for check in Check.objects.iterator():\n"
        "        check.slug = check.name.lower()\n"
        "        pending.append(check)\n"
        "        if len(pending) >= 500:\n"
        "            Check.objects.bulk_update(pending, ['slug'])\n"
        "            pending.clear()\n"
        "    if pending:\n"
        "        Check.objects.bulk_update(pending, ['slug'])\n"
    )
    assert [(a.model, a.detail, a.fields) for a in code.actions] == [
        ("Check", "loops over {table} rows and bulk-updates them in batches", ("slug",))
    ]


def test_reads_sql_raises_and_imported_models() -> None:
    code = _code(
        "def forwards(apps, schema_editor):\n"
        "    schema_editor.execute('UPDATE t SET a = 1')\n"
        "    for order in Order.objects.all():\n"
        "        if order.total < 0:\n"
        "            raise ValueError(order.pk)\n"
        "        order.delete()\n"
    )
    assert code.sql == (("UPDATE t SET a = 1", 5),)
    assert code.raises
    assert [(a.app_label, a.model, a.kind) for a in code.actions] == [
        ("orders", "Order", DataChangeKind.DELETE)
    ]


def test_noop_and_outside_functions() -> None:
    assert _code("def forwards(apps, schema_editor):\n    pass\n").noop
    text = (
        "from django.db import migrations\nfrom x import forwards\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(forwards)]\n"
    )
    parsed = parse_migration("0001", text)
    assert isinstance(parsed, MigrationFile)
    code = parsed.operations[0].code
    assert code is not None and not code.found
    assert parsed.operations[0].reverse_code is None


def test_functions_defined_in_the_migration_class_are_read() -> None:
    text = (
        "from django.db import migrations\n\n"
        "class Migration(migrations.Migration):\n"
        "    def apply_default(apps, schema_editor):\n"
        "        Person = apps.get_model('api', 'Person')\n"
        "        for person in Person.objects.filter(kind='USER'):\n"
        "            person.cover = 1\n"
        "            person.save()\n\n"
        "    operations = [migrations.RunPython(apply_default, migrations.RunPython.noop)]\n"
    )
    parsed = parse_migration("0060_apply_default", text)
    assert isinstance(parsed, MigrationFile)
    code = parsed.operations[0].code
    assert code is not None and code.found
    assert [(a.model, a.detail) for a in code.actions] == [
        ("Person", "loops over {table} rows and saves each one")
    ]


def test_files_without_a_migration_class_are_not_migrations() -> None:
    assert parse_migration("helpers", "def f():\n    return 1\n") is None


def test_reads_related_manager_changes_and_names_models_it_cannot_follow() -> None:
    related = _code(
        "def forwards(apps, schema_editor):\n"
        "    Contact = apps.get_model('crm', 'Contact')\n"
        "    for contact in Contact.objects.filter(group__isnull=False):\n"
        "        contact.groups.add(contact.group)\n"
    )
    assert [(a.model, a.kind, a.detail) for a in related.actions] == [
        (  # the rows go to the join table, not to Contact's: code, not an INSERT into it
            "Contact",
            DataChangeKind.CODE,
            "loops over {table} rows and changes each one's groups (add)",
        )
    ]
    opaque = _code(
        "def forwards(apps, schema_editor):\n"
        "    Role = apps.get_model('dcim', 'Role')\n"
        "    TreeManager(Role).rebuild()\n"
    )
    assert opaque.actions == ()
    assert opaque.models == (("dcim", "Role"),)


def test_a_squash_beside_its_originals_is_no_conflict() -> None:
    migrations = {
        ("api", "0001_a"): _migration("0001_a"),
        ("api", "0002_b"): _migration("0002_b", "('api', '0001_a')"),
        ("api", "0001_squashed_0002_b"): _migration(
            "0001_squashed_0002_b", extra="    replaces = [('api', '0001_a'), ('api', '0002_b')]\n"
        ),
        ("api", "0003_c"): _migration("0003_c", "('api', '0002_b')"),
    }
    result = plan(migrations, {})
    assert result.conflicts == {}
    assert set(result.order) == set(migrations)


def test_test_and_example_apps_are_not_deployed() -> None:
    from harvester.migrations.django import SYSTEM

    roots = SYSTEM.find_roots(
        ["app/tests/dummy/migrations/0002_x.py", "examples/blog/migrations/0001_initial.py"]
    )
    assert roots == []


def test_an_edit_that_changes_like_operations_counts_them() -> None:
    old = (
        "from django.db import migrations\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = []\n"
        '    operations = [migrations.RunSQL("SELECT 1"), migrations.RunSQL("SELECT 2"),\n'
        '                  migrations.RunSQL("SELECT 3")]\n'
    )
    new = old.replace("SELECT ", "SELECT 1")
    before, after = parse_migration("0002_x", old), parse_migration("0002_x", new)
    assert before is not None and after is not None
    assert describe_modification(before, after, compare(old, new)) == "3 × RunSQL changed"


def test_an_empty_string_default_on_a_foreign_key_is_null() -> None:
    spec = _field(
        "models.ForeignKey(to='exercises.variation', on_delete=models.CASCADE, default='')"
    )
    assert fields.effective_default(spec) is None


def test_operations_built_under_a_condition_harvester_cannot_follow_are_not_dropped() -> None:
    text = (
        "from django.conf import settings\n"
        "from django.db import migrations\n"
        "class Migration(migrations.Migration):\n"
        "    if settings.FAST_PATH:\n"
        "        operations = build_fast_operations()\n"
        "    else:\n"
        "        operations = [migrations.RunSQL('DELETE FROM app_log;')]\n"
    )
    migration = parse_migration("0002_x", text)
    assert isinstance(migration, MigrationFile)
    assert [o.kind for o in migration.operations] == ["build_fast_operations", "RunSQL"]
    assert migration.notes == (
        "operations depend on settings.FAST_PATH (line 4): build_fast_operations runs only if "
        "it holds, RunSQL only if it does not",
    )


def test_alter_field_lists_only_arguments_whose_meaning_changed() -> None:
    from harvester.migrations.django.field_operations import _changed_arguments
    from harvester.migrations.django.fields import spec

    def field(source: str) -> fields.FieldSpec:
        value = pyast.evaluate(ast.parse(source, mode="eval").body)
        assert isinstance(value, Call)
        return spec(value)

    old = field(
        "models.ForeignKey('auth.User', related_name='daily_users', null=False, "
        "on_delete=models.CASCADE)"
    )
    new = field(
        "models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
        "related_name='daily_counters', to='auth.user')"
    )
    assert _changed_arguments(old, new) == ["related_name"]
    naive = field("models.DateTimeField(default=datetime.datetime.now)")
    aware = field("models.DateTimeField(default=django.utils.timezone.now)")
    assert _changed_arguments(naive, aware) == ["default"]
