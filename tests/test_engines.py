"""Which engine a Python project's settings and config files name."""

from __future__ import annotations

from harvester.migrations import engines
from harvester.migrations.schema.ops import Dialect
from tests.support.memory_view import MemoryView


def test_engine_modules_and_urls_are_counted() -> None:
    text = (
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n'
        'REPLICA = "mysql+pymysql://u:p@db/app"\n'
        'GIS = "django.contrib.gis.db.backends.postgis"\n'
    )
    assert engines.engines_in_text(text) == {Dialect.POSTGRESQL: 2, Dialect.MYSQL: 1}


def test_ini_files_are_read_line_by_line() -> None:
    text = "[alembic]\nsqlalchemy.url = sqlite:///app.db\n"
    assert engines.engines_in_text(text) == {Dialect.SQLITE: 1}


def test_several_engines_prefer_postgresql_and_say_so() -> None:
    evidence = engines.decide(
        engines.engines_in_text('"django.db.backends.sqlite3"; "django.db.backends.postgresql"'),
        "settings",
    )
    assert evidence.dialect is Dialect.POSTGRESQL
    assert evidence.others == (Dialect.SQLITE,)
    assert evidence.note == (
        "settings name several database engines (postgresql, sqlite); judged for postgresql"
    )


def test_test_settings_are_left_out() -> None:
    view = MemoryView(
        {},
        {
            "app/settings.py": 'E = "django.db.backends.mysql"\n',
            "app/tests/settings.py": 'E = "django.db.backends.sqlite3"\n',
            "app/test_settings.py": 'E = "django.db.backends.sqlite3"\n',
            "app/models.py": 'E = "django.db.backends.oracle"\n',
        },
    )
    sources = engines.config_sources(view, near="app/migrations")
    assert [s.path for s in sources] == ["app/settings.py"]
    assert engines.engines_in_sources(sources).dialect is Dialect.MYSQL


def test_project_templates_and_examples_are_left_out() -> None:
    view = MemoryView(
        {},
        {
            "lib/project_template/site/settings/base.py": 'E = "django.db.backends.sqlite3"\n',
            "examples/blog/settings.py": 'E = "django.db.backends.sqlite3"\n',
            "{{cookiecutter.slug}}/config/settings.py": 'E = "django.db.backends.mysql"\n',
            "lib/contrib/settings/models.py": "X = 1\n",
        },
    )
    sources = engines.config_sources(view, near="lib/core/migrations")
    assert [s.path for s in sources] == ["lib/contrib/settings/models.py"]
    assert engines.engines_in_sources(sources).dialect is None


def test_nothing_named_is_no_engine() -> None:
    assert engines.decide(engines.engines_in_text("x = 1"), "settings").dialect is None
