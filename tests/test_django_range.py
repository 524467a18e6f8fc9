"""Django migrations across the range: files git pairs by likeness, squashes of released
migrations, and what databases at the base will and will not run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


class _PlaceholderHistory:
    """0003 shipped in v2.1 beside 0002 (commit a), filled and 0002 deleted in v2.2 (b)."""

    def commits_touching(self, path: str) -> tuple[str, ...]:
        return ("b", "a") if path.endswith("0003_site_again.py") else ("b",)

    def added_in(self, path: str) -> str | None:
        return "a" if path.endswith("0003_site_again.py") else None

    def first_release(self, path: str) -> str | None:
        return "v2.1" if path.endswith("0003_site_again.py") else None

    def renamed_from(self, path: str) -> tuple[str, str] | None:
        return None

    def releases(self, shas: Sequence[str]) -> Mapping[str, str | None]:
        return {s: {"a": "v2.1", "b": "v2.2"}[s] for s in shas}


def test_a_placeholder_shipped_beside_the_file_git_pairs_it_with_is_no_rename() -> None:
    create = (
        "migrations.CreateModel(name='Zone', fields=[('id', models.AutoField(primary_key=True)),"
        " ('code', models.CharField(max_length=9))])"
    )
    old = _migration("0002_zone", "0001_initial", create)
    new = _migration("0003_site_again", "0001_initial", create)
    base = {"dcim/migrations/0001_initial.py": _INITIAL, "dcim/migrations/0002_zone.py": old}
    head = {"dcim/migrations/0001_initial.py": _INITIAL, "dcim/migrations/0003_site_again.py": new}
    view = MemoryView(base, head)
    (paired,) = view._changes  # the same text: paired as a rename
    view._changes = (
        replace(
            paired,
            old_path="dcim/migrations/0002_zone.py",
            status=ChangeKind.RENAMED,
            history=_PlaceholderHistory(),
        ),
    )
    database = analyse_database(view)
    assert [(m.id, m.change, m.released) for m in database.migrations] == [
        ("dcim.0003_site_again", ChangeKind.ADDED, False),
        ("dcim.0002_zone", ChangeKind.DELETED, True),
    ]
    assert not any("run this one again" in f.detail for f in database.findings)
    assert [p.message for p in database.migrations[0].problems] == [
        "will fail on databases at the base: it creates dcim_zone, which they already have "
        "(it shipped in v2.1 and was edited after)"
    ]


_SQUASH = _HEADER + (
    "class Migration(migrations.Migration):\n"
    "    initial = True\n"
    "{replaces}"
    "    operations = [\n"
    "        migrations.CreateModel(name='Site', fields=[\n"
    "            ('id', models.AutoField(primary_key=True)),\n"
    "            ('name', models.CharField(max_length=50)),\n"
    "        ]),\n"
    "    ]\n"
)
_DROP = _migration(
    "0002_site_drop_facility", "0001_initial", "migrations.RemoveField('site', 'facility')"
)
_BASE = {
    "dcim/migrations/0001_initial.py": _INITIAL,
    "dcim/migrations/0002_site_drop_facility.py": _DROP,
}


def test_a_squash_of_released_migrations_runs_nothing_where_they_ran() -> None:
    replaces = "    replaces = [('dcim', '0001_initial'), ('dcim', '0002_site_drop_facility')]\n"
    head = {"dcim/migrations/0001_squashed_0002.py": _SQUASH.format(replaces=replaces)}
    database = analyse_database(MemoryView(_BASE, head))
    squash = next(m for m in database.migrations if m.change is ChangeKind.ADDED)
    assert squash.tables_created == () and not squash.problems
    assert squash.notes[0].startswith(
        "squashes 2 migrations (dcim.0001_initial, dcim.0002_site_drop_facility): databases "
        "that ran them record it as applied and run nothing"
    )


def test_deleting_the_migrations_a_squash_replaces_is_one_finding_not_one_risk_each() -> None:
    replaces = "    replaces = [('dcim', '0001_initial'), ('dcim', '0002_site_drop_facility')]\n"
    head = {"dcim/migrations/0001_squashed_0002.py": _SQUASH.format(replaces=replaces)}
    database = analyse_database(MemoryView(_BASE, head))
    deleted = [m for m in database.migrations if m.change is ChangeKind.DELETED]
    assert [(i.tag.value, i.detail) for m in deleted for i in m.data_impact] == [
        ("none", "migration file deleted: dcim.0001_squashed_0002 replaces it")
    ] * 2
    assert [f.detail for f in database.findings] == [
        "dcim.0001_squashed_0002 replaces 2 released migrations (up to "
        "dcim.0002_site_drop_facility) and their files are deleted: only databases that "
        "applied all of them (or none) can migrate; a database that applied only some cannot, "
        "since Django then needs the replaced migrations it has not run"
    ]


def test_a_new_migration_creating_a_table_the_base_has_will_fail_there() -> None:
    head = {"dcim/migrations/0001_squashed_0002.py": _SQUASH.format(replaces="")}
    database = analyse_database(MemoryView(_BASE, head))
    squash = next(m for m in database.migrations if m.change is ChangeKind.ADDED)
    assert [p.message for p in squash.problems] == [
        "will fail on databases at the base: it creates dcim_site, which they already have (a "
        "squash whose `replaces` was removed, or a migration renamed)"
    ]


_RECREATE = (
    "migrations.DeleteModel(name='Site'), migrations.CreateModel(name='Site', fields=["
    "('id', models.BigAutoField(primary_key=True)), ('code', models.CharField(max_length=9))])"
)


def test_a_new_migration_creating_a_table_the_base_has_fails_when_nothing_else_changed() -> None:
    head = dict(_BASE)
    head["dcim/migrations/0003_site_again.py"] = _migration(
        "0003_site_again", "0002_site_drop_facility", _RECREATE.split(", ", 1)[1]
    )
    database = analyse_database(MemoryView(_BASE, head))
    assert [p.message.split(":")[0] for p in database.migrations[0].problems] == [
        "will fail on databases at the base"
    ]


# A file the range deletes: the base's own replay is read too.
_GONE = {"extras/migrations/0001_initial.py": _INITIAL.replace("'Site'", "'Tag'")}


def test_a_new_migration_dropping_a_table_before_creating_it_again_does_not_fail() -> None:
    head = dict(_BASE)
    head["dcim/migrations/0003_site_recreate.py"] = _migration(
        "0003_site_recreate", "0002_site_drop_facility", _RECREATE
    )
    database = analyse_database(MemoryView(_BASE | _GONE, head))
    recreated = next(m for m in database.migrations if m.change is ChangeKind.ADDED)
    assert recreated.tables_dropped == ("dcim_site",) and not recreated.problems


def test_a_table_an_earlier_new_migration_dropped_can_be_created_again() -> None:
    head = dict(_BASE)
    head["dcim/migrations/0003_site_delete.py"] = _migration(
        "0003_site_delete", "0002_site_drop_facility", "migrations.DeleteModel(name='Site')"
    )
    head["dcim/migrations/0004_site_again.py"] = _migration(
        "0004_site_again",
        "0003_site_delete",
        _RECREATE.split(", ", 1)[1],
    )
    database = analyse_database(MemoryView(_BASE | _GONE, head))
    assert [(m.id, m.problems) for m in database.migrations if m.change.value == "added"] == [
        ("dcim.0003_site_delete", ()),
        ("dcim.0004_site_again", ()),
    ]


def test_a_project_moved_to_another_folder_keeps_its_released_migrations() -> None:
    from harvester.render.database_view import migration_status

    slug = _migration(
        "0002_site_slug",
        "0001_initial",
        "migrations.AddField('site', 'slug', models.SlugField(max_length=50, null=True))",
    )
    notes = _migration(
        "0003_site_notes",
        "0002_site_slug",
        "migrations.AddField('site', 'notes', models.TextField(null=True))",
    )
    old = {"0001_initial.py": _INITIAL, "0002_site_slug.py": slug}
    base = {f"server/dcim/migrations/{name}": text for name, text in old.items()}
    head = {f"apps/api/dcim/migrations/{name}": text for name, text in old.items()}
    head["apps/api/dcim/migrations/0003_site_notes.py"] = notes
    database = analyse_database(MemoryView(base, head))
    found = [(m.id, m.change, m.released, m.format_only) for m in database.migrations]
    assert found == [
        ("dcim.0001_initial", ChangeKind.RENAMED, True, True),
        ("dcim.0002_site_slug", ChangeKind.RENAMED, True, True),
        ("dcim.0003_site_notes", ChangeKind.ADDED, False, False),
    ]
    assert [i.tag.value for m in database.migrations for i in m.data_impact] == ["none"] * 3
    assert not database.findings
    assert database.migrations[2].columns_added == ("dcim_site.notes text",)
    # the two folders share nothing: every migration is listed under the one root
    status = "\n".join(migration_status(database))
    assert "notes" in status and status.count("renamed") == 2, status


def test_an_edit_of_model_state_only_runs_the_same_database_operations() -> None:
    def ordered(field: str) -> str:
        return _migration(
            "0002_site_owner",
            "0001_initial",
            "migrations.AddField('site', 'note', models.TextField(null=True)), "
            f"migrations.AlterModelOptions('site', {{'ordering': ['{field}']}})",
        )

    base = {"dcim/migrations/0001_initial.py": _INITIAL, "dcim/migrations/0002_x.py": ordered("id")}
    head = {**base, "dcim/migrations/0002_x.py": ordered("name")}
    database = analyse_database(MemoryView(base, head))
    (edited,) = [m for m in database.migrations if m.change is ChangeKind.MODIFIED]
    details = " ".join(i.detail for i in edited.data_impact)
    assert "the database operations are the same" in details, details


def test_a_reworded_help_text_or_verbose_name_is_a_reformat() -> None:
    def noted(words: str, null: str = "True") -> str:
        return _migration(
            "0002_site_note",
            "0001_initial",
            f"migrations.AddField('site', 'note', models.TextField(null={null}, "
            f"help_text='{words}', verbose_name='{words}'))",
        )

    base = {"dcim/migrations/0001_initial.py": _INITIAL, "dcim/migrations/0002_x.py": noted("a")}
    reworded = analyse_database(MemoryView(base, {**base, "dcim/migrations/0002_x.py": noted("b")}))
    (edited,) = [m for m in reworded.migrations if m.change is ChangeKind.MODIFIED]
    assert edited.format_only and [i.tag.value for i in edited.data_impact] == [
        "format_only_change"
    ]
    # a real change beside it is still an edit
    changed = analyse_database(
        MemoryView(base, {**base, "dcim/migrations/0002_x.py": noted("b", null="False")})
    )
    (edited,) = [m for m in changed.migrations if m.change is ChangeKind.MODIFIED]
    assert not edited.format_only


def test_check_renamed_condition_beside_an_unchanged_function_runs_the_same_operations() -> None:
    def dated(keyword: str) -> str:
        return _HEADER + (
            "def tidy(apps, schema_editor):\n"
            "    Site = apps.get_model('dcim', 'Site')\n"
            "    Site.objects.filter(name='').update(name='unnamed')\n\n"
            "class Migration(migrations.Migration):\n"
            "    dependencies = [('dcim', '0001_initial')]\n"
            "    operations = [\n"
            "        migrations.RunPython(tidy, migrations.RunPython.noop),\n"
            "        migrations.AddConstraint('site', models.CheckConstraint("
            f"{keyword}=models.Q(('name__gt', models.F('facility'))), name='named')),\n"
            "    ]\n"
        )

    path = "dcim/migrations/0002_site_named.py"
    base = {"dcim/migrations/0001_initial.py": _INITIAL, path: dated("check")}
    head = {**base, path: dated("condition")}
    database = analyse_database(MemoryView(base, head))
    edited = next(m for m in database.migrations if m.path == path)
    assert "(AddConstraint site changed; the database operations are the same)" in (
        edited.data_impact[0].detail
    )


def test_a_reverse_added_or_a_helper_edited_is_not_the_same_operations() -> None:
    def filled(reverse: str, helper: str) -> str:
        return _HEADER + (
            f"def label(site):\n    return {helper}\n\n"
            "def fill(apps, schema_editor):\n"
            "    Site = apps.get_model('dcim', 'Site')\n"
            "    Site.objects.filter(facility=None).update(facility='none')\n\n"
            "class Migration(migrations.Migration):\n"
            "    dependencies = [('dcim', '0001_initial')]\n"
            f"    operations = [migrations.RunPython(fill{reverse})]\n"
        )

    path = "dcim/migrations/0002_site_fill.py"
    old = filled("", "site.name")
    for new in (filled(", migrations.RunPython.noop", "site.name"), filled("", "site.pk")):
        base = {"dcim/migrations/0001_initial.py": _INITIAL, path: old}
        database = analyse_database(MemoryView(base, {**base, path: new}))
        edited = next(m for m in database.migrations if m.path == path)
        assert "the database operations are the same" not in edited.data_impact[0].detail


class _MoveHistory:
    """Every path the range added was added by the commit that moved the folder (m), which
    first shipped in v2.0."""

    def commits_touching(self, path: str) -> tuple[str, ...]:
        return ("m",)

    def added_in(self, path: str) -> str | None:
        return "m"

    def first_release(self, path: str) -> str | None:
        return "v2.0"

    def renamed_from(self, path: str) -> tuple[str, str] | None:
        return None

    def releases(self, shas: Sequence[str]) -> Mapping[str, str | None]:
        return dict.fromkeys(shas, "v2.0")


def test_a_released_migration_moved_and_edited_is_not_first_released_by_the_move() -> None:
    slug = "migrations.AddField('site', 'slug', models.SlugField(max_length=50, null=True))"
    old = _migration("0002_site_slug", "0001_initial", slug)
    edited = old.replace("null=True", "null=True, db_index=True")
    base = {
        "dcim/migrations/0001_initial.py": _INITIAL,
        "dcim/migrations/0002_site_slug.py": old,
    }
    head = {
        "src/dcim/migrations/0001_initial.py": _INITIAL.replace("'", '"'),
        "src/dcim/migrations/0002_site_slug.py": edited,
    }
    view = MemoryView(base, head)
    view._changes = tuple(replace(c, history=_MoveHistory()) for c in view._changes)
    database = analyse_database(view)
    found = [(m.id, m.change, m.released, m.added_in, m.first_tag) for m in database.migrations]
    assert found == [
        ("dcim.0001_initial", ChangeKind.RENAMED, True, None, None),
        ("dcim.0002_site_slug", ChangeKind.RENAMED, True, None, None),
    ]
    assert database.migrations[0].format_only and not database.migrations[1].format_only


def test_a_reverse_added_to_an_unchanged_run_python_says_so() -> None:
    def filled(reverse: str, body: str = "'none'") -> str:
        return _HEADER + (
            "def fill(apps, schema_editor):\n"
            "    Site = apps.get_model('dcim', 'Site')\n"
            f"    Site.objects.filter(facility=None).update(facility={body})\n\n"
            "class Migration(migrations.Migration):\n"
            "    dependencies = [('dcim', '0001_initial')]\n"
            f"    operations = [migrations.RunPython(fill{reverse})]\n"
        )

    path = "dcim/migrations/0002_site_fill.py"
    base = {"dcim/migrations/0001_initial.py": _INITIAL, path: filled("")}

    def detail(new: str) -> str:
        database = analyse_database(MemoryView(base, {**base, path: new}))
        return next(m for m in database.migrations if m.path == path).data_impact[0].detail

    assert "(RunPython fill: reverse step added; forward unchanged)" in detail(
        filled(", migrations.RunPython.noop")
    )
    noop = ", lambda apps, schema_editor: None"
    base[path] = filled(noop)
    assert "(RunPython fill: reverse step rewritten, still doing nothing; forward " in detail(
        filled(", migrations.RunPython.noop")
    )
    base[path] = filled("")
    assert "(RunPython fill: reverse step added; function fill changed)" in detail(
        filled(", migrations.RunPython.noop", "'unknown'")
    )


def test_a_related_name_or_model_label_case_edit_runs_the_same_database_operations() -> None:
    def owned(related: str, target: str) -> str:
        return _migration(
            "0002_site_parent",
            "0001_initial",
            "migrations.AddField('site', 'parent', models.ForeignKey(to='dcim.Site', "
            "null=True, on_delete=models.SET_NULL, related_name='children')), "
            f"migrations.AlterField('site', 'parent', models.ForeignKey(to='{target}', "
            f"null=True, on_delete=models.CASCADE, related_name='{related}'))",
        )

    path = "dcim/migrations/0002_site_parent.py"
    base = {"dcim/migrations/0001_initial.py": _INITIAL, path: owned("children", "dcim.Site")}
    database = analyse_database(
        MemoryView(base, {**base, path: owned("%(class)s_children", "dcim.site")})
    )
    edited = next(m for m in database.migrations if m.path == path)
    assert "the database operations are the same" in edited.data_impact[0].detail
