"""Replaying arbitrary sequences of Django operations never crashes, whatever their order or
arguments (unknown models, missing fields, wrong types)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.migrations.base import Side
from harvester.migrations.django.project import ParseCache, load_project, replay
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView

_MODELS = st.sampled_from(["a", "b", "Ghost"])
_FIELDS = st.sampled_from(["x", "y", "a", "id"])
_DEFINITIONS = st.sampled_from(
    [
        "models.IntegerField()",
        "models.CharField(max_length=5, null=True)",
        "models.ForeignKey(on_delete=models.CASCADE, to='app.b')",
        "models.ManyToManyField(to='app.a')",
        "models.OneToOneField(on_delete=models.CASCADE, to='other.z')",
        "models.UUIDField(default=uuid.uuid4, unique=True)",
        "None",
        "'text'",
        "things.Custom(max_length=3)",
    ]
)


@st.composite
def _operation(draw: st.DrawFn) -> str:
    model, other, field = draw(_MODELS), draw(_MODELS), draw(_FIELDS)
    definition = draw(_DEFINITIONS)
    return draw(
        st.sampled_from(
            [
                f"migrations.CreateModel({model!r}, [('id', models.AutoField(primary_key=True)),"
                f" ({field!r}, {definition})])",
                f"migrations.DeleteModel({model!r})",
                f"migrations.RenameModel({model!r}, {other!r})",
                f"migrations.AlterModelTable({model!r}, {field!r})",
                f"migrations.AddField({model!r}, {field!r}, {definition})",
                f"migrations.RemoveField({model!r}, {field!r})",
                f"migrations.AlterField({model!r}, {field!r}, {definition})",
                f"migrations.RenameField({model!r}, {field!r}, 'z')",
                f"migrations.AlterUniqueTogether({model!r}, {{({field!r}, 'y')}})",
                f"migrations.AlterIndexTogether({model!r}, set())",
                f"migrations.AddIndex({model!r}, models.Index(fields=[{field!r}], name='i'))",
                f"migrations.RemoveIndex({model!r}, 'i')",
                f"migrations.RenameIndex({model!r}, new_name='j', old_fields=({field!r},))",
                f"migrations.AddConstraint({model!r}, models.UniqueConstraint("
                f"fields=[{field!r}], name='u', condition=models.Q(x__gt=1)))",
                f"migrations.RemoveConstraint({model!r}, 'u')",
                f"migrations.AlterOrderWithRespectTo({model!r}, {field!r})",
                "migrations.RunSQL('UPDATE t SET a = 1')",
                "migrations.RunPython(forwards)",
                "migrations.SeparateDatabaseAndState(state_operations=["
                f"migrations.RemoveField({model!r}, {field!r})])",
                "Custom()",
                "migrations.AddField()",
            ]
        )
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(_operation(), max_size=5), min_size=1, max_size=3),
    st.sampled_from([None, Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE]),
)
def test_replay_never_crashes(batches: list[list[str]], dialect: Dialect | None) -> None:
    files = {}
    for number, operations in enumerate(batches, start=1):
        previous = f"[('app', '{number - 1:04d}_m')]" if number > 1 else "[]"
        files[f"app/migrations/{number:04d}_m.py"] = (
            "import uuid\nfrom django.db import migrations, models\n\n"
            "def forwards(apps, schema_editor):\n"
            "    A = apps.get_model('app', 'a')\n"
            "    for row in A.objects.all():\n        row.save()\n\n"
            f"class Migration(migrations.Migration):\n    dependencies = {previous}\n"
            f"    operations = [{', '.join(operations)}]\n"
        )
    project = load_project(MemoryView({}, files), Side.HEAD, ParseCache())
    result = replay(project, dialect, {"AUTH_USER_MODEL": "auth.User"})
    assert set(result.parsed) == set(project.by_key)
