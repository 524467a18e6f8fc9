"""Django migrations kept outside `<app>/migrations/`: in the package MIGRATION_MODULES names,
or in a folder the configuration names as a Django root."""

from __future__ import annotations

from harvester.migrations.base import AnalysisSettings, MigrationRoot
from harvester.migrations.database import analyse_database
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

_INITIAL = (
    "from django.db import migrations, models\n\n"
    "class Migration(migrations.Migration):\n"
    "    initial = True\n"
    "    operations = [migrations.CreateModel(name='Shelf', fields=[\n"
    "        ('id', models.AutoField(primary_key=True)),\n"
    "    ])]\n"
)
_LATER = (
    "from django.db import migrations, models\n\n"
    "class Migration(migrations.Migration):\n"
    "    dependencies = [('library', '0001_initial')]\n"
    "    operations = [migrations.AddField('shelf', 'label', models.TextField(null=True))]\n"
)


def _trees(settings: str, folder: str = "db_migrations") -> tuple[dict[str, str], dict[str, str]]:
    base = {
        "library/__init__.py": "",
        "library/settings.py": settings,
        f"library/{folder}/__init__.py": "",
        f"library/{folder}/0001_initial.py": _INITIAL,
    }
    return base, {**base, f"library/{folder}/0002_shelf_label.py": _LATER}


def test_the_package_migration_modules_names_holds_the_apps_migrations() -> None:
    settings = 'if DEBUG:\n    MIGRATION_MODULES = {"library": "library.db_migrations"}\n'
    database = analyse_database(MemoryView(*_trees(settings)))
    assert [m.id for m in database.migrations] == ["library.0002_shelf_label"]
    assert database.migrations[0].columns_added == ("library_shelf.label text",)


def test_a_folder_named_as_a_django_root_holds_migrations_without_the_setting() -> None:
    root = MigrationRoot("django", "library/schema_changes")
    view = MemoryView(*_trees("", "schema_changes"))
    assert analyse_database(view).migrations == ()
    database = analyse_database(view, AnalysisSettings(extra_roots=(root,)))
    assert [m.id for m in database.migrations] == ["library.0002_shelf_label"]


def test_a_numbered_module_of_a_folder_no_setting_names_is_no_migration() -> None:
    assert analyse_database(MemoryView(*_trees(""))).migrations == ()


def test_a_configured_dialect_wins_over_the_same_folder_found_without_one() -> None:
    settings = 'MIGRATION_MODULES = {"library": "library.db_migrations"}\n'
    root = MigrationRoot("django", "library/db_migrations", Dialect.MYSQL)
    view = MemoryView(*_trees(settings))
    database = analyse_database(view, AnalysisSettings(extra_roots=(root,)))
    assert [(s.root, s.dialect) for s in database.systems] == [("library/db_migrations", "mysql")]
    assert [m.dialect for m in database.migrations] == ["mysql"]


def test_a_dependency_on_another_apps_migration_of_the_same_name_keeps_the_folder_label() -> None:
    initial = (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('contenttypes', '0001_initial')]\n"
        "    operations = [migrations.CreateModel('Reference', "
        "[('id', models.AutoField(primary_key=True))])]\n"
    )
    head = {
        "proj/references/migrations/__init__.py": "",
        "proj/references/migrations/0001_initial.py": initial,
    }
    database = analyse_database(MemoryView({}, head))
    assert [m.id for m in database.migrations] == ["references.0001_initial"]
    assert database.migrations[0].tables_created == ("references_reference",)
