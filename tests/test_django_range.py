"""Django migrations across the range: files git pairs by likeness, squashes of released
migrations, and what databases at the base will and will not run."""

from __future__ import annotations

from dataclasses import replace

from harvester.migrations.database import analyse_database
from harvester.model import ChangeKind
from tests.support.memory_view import MemoryView

_HEADER = "from django.db import migrations, models\n\n"
_INITIAL = _HEADER + (
    "class Migration(migrations.Migration):\n"
    "    initial = True\n"
    "    operations = [migrations.CreateModel(name='Site', fields=[\n"
    "        ('id', models.AutoField(primary_key=True)),\n"
    "        ('name', models.CharField(max_length=50)),\n"
    "        ('facility', models.CharField(max_length=50, null=True)),\n"
    "    ])]\n"
)


def _migration(name: str, depends: str, operation: str) -> str:
    return _HEADER + (
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('dcim', '{depends}')]\n"
        f"    operations = [{operation}]\n"
    )


def test_two_different_migrations_git_paired_by_likeness_are_one_gone_and_one_new() -> None:
    dropped = _migration(
        "0002_site_drop_facility", "0001_initial", "migrations.RemoveField('site', 'facility')"
    )
    added = _migration(
        "0003_site_slug",
        "0001_initial",
        "migrations.AddField('site', 'slug', models.SlugField(max_length=50, null=True))",
    )
    base = {
        "dcim/migrations/0001_initial.py": _INITIAL,
        "dcim/migrations/0002_site_drop_facility.py": dropped,
    }
    head = {"dcim/migrations/0001_initial.py": _INITIAL, "dcim/migrations/0003_site_slug.py": added}
    view = MemoryView(base, head)
    new = next(c for c in view._changes if c.status is ChangeKind.ADDED)
    view._changes = (
        replace(
            new, old_path="dcim/migrations/0002_site_drop_facility.py", status=ChangeKind.RENAMED
        ),
    )
    database = analyse_database(view)
    assert [(m.id, m.change, m.released) for m in database.migrations] == [
        ("dcim.0003_site_slug", ChangeKind.ADDED, False),
        ("dcim.0002_site_drop_facility", ChangeKind.DELETED, True),
    ]
    assert database.migrations[0].columns_added == ("dcim_site.slug varchar(50)",)
    assert not any("run this one again" in f.detail for f in database.findings)
