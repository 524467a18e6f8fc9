"""What an edit of a released Django migration's code changes for databases that ran it."""

from __future__ import annotations

import ast

from harvester.migrations import pyast
from harvester.migrations.django.changes import describe_modification
from harvester.migrations.django.files import compare, parse_migration


def _grown(old: str, new: str) -> list[tuple[str, int]] | None:
    return pyast.grown_lists(ast.parse(old).body[0], ast.parse(new).body[0])


def test_a_list_that_only_gained_items_is_named_with_their_count() -> None:
    assert _grown("TAGS = [('a', 1), ('b', 2)]", "TAGS = [('a', 1), ('x', 0), ('b', 2)]") == [
        ("TAGS", 1)
    ]


def test_a_list_whose_items_changed_is_not_only_grown() -> None:
    assert _grown("TAGS = [('a', 1)]", "TAGS = [('a', 2), ('b', 2)]") is None
    assert _grown("TAGS = [('a', 1), ('b', 2)]", "TAGS = [('b', 2)]") is None


def test_a_list_inside_a_function_has_no_name() -> None:
    old = "def f():\n    for x in [1, 2]:\n        g(x)\n"
    assert _grown(old, old.replace("[1, 2]", "[1, 2, 3]")) == [("", 1)]
    assert _grown(old, old.replace("g(x)", "h(x)")) is None


def test_gettext_noop_swapped_for_an_identity_lambda_stores_the_same_text() -> None:
    old = (
        "from django.db import migrations\n"
        "from django.utils.translation import gettext_noop as _\n"
        "def fill(apps, schema_editor):\n"
        "    apps.get_model('a', 'B').objects.create(name=_('Member'))\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(fill)]\n"
    )
    new = old.replace(
        "from django.utils.translation import gettext_noop as _\n",
        "pgettext_lazy = lambda context, text: text\n",
    ).replace("_('Member')", "pgettext_lazy('role', 'Member')")
    comparison = compare(old, new)
    assert comparison is not None and comparison.same_for_database


def test_a_translating_call_is_not_a_marker() -> None:
    old = (
        "from django.utils.translation import gettext as _\n"
        "def fill(apps, schema_editor):\n"
        "    create(name=_('Member'))\n"
    )
    new = "_ = lambda s: s\n" + old.split("\n", 1)[1]
    comparison = compare(old, new)
    assert comparison is not None and not comparison.same_for_database


def test_a_field_whose_help_text_alone_changed_is_said_so() -> None:
    old = (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AddField('shelf', 'notes', models.TextField(help_text='Notes')),\n"
        "        migrations.RunSQL('SELECT 1'),\n"
        "    ]\n"
    )
    new = old.replace("help_text='Notes'", "help_text='Free text', verbose_name='notes'")
    new = new.replace("SELECT 1", "SELECT 2")
    before, after = parse_migration("0002_x", old), parse_migration("0002_x", new)
    assert before is not None and after is not None
    assert describe_modification(before, after, compare(old, new)) == (
        "AddField shelf.notes: help text or label only; RunSQL changed"
    )
