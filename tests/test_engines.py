"""Which engine a Python project's settings and config files name."""

from __future__ import annotations

import pytest

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


_MYSQL = 'E = "django.db.backends.mysql"\n'
_SQLITE = 'E = "django.db.backends.sqlite3"\n'


@pytest.mark.parametrize(
    ("files", "near", "kept", "dialect"),
    [
        (  # test settings often use SQLite whatever production runs on
            {
                "app/settings.py": _MYSQL,
                "app/tests/settings.py": _SQLITE,
                "app/test_settings.py": _SQLITE,
                "app/models.py": 'E = "django.db.backends.oracle"\n',
            },
            "app/migrations",
            ["app/settings.py"],
            Dialect.MYSQL,
        ),
        (  # project templates and examples configure other projects
            {
                "lib/project_template/site/settings/base.py": _SQLITE,
                "examples/blog/settings.py": _SQLITE,
                "{{cookiecutter.slug}}/config/settings.py": _MYSQL,
                "lib/contrib/settings/models.py": "X = 1\n",
            },
            "lib/core/migrations",
            ["lib/contrib/settings/models.py"],
            None,
        ),
    ],
)
def test_settings_that_do_not_configure_this_project_are_left_out(
    files: dict[str, str], near: str, kept: list[str], dialect: Dialect | None
) -> None:
    sources = engines.config_sources(MemoryView({}, files), near=near)
    assert [s.path for s in sources] == kept
    assert engines.engines_in_sources(sources).dialect is dialect


def test_nothing_named_is_no_engine() -> None:
    assert engines.decide(engines.engines_in_text("x = 1"), "settings").dialect is None


@pytest.mark.parametrize(
    ("files", "dialect", "note"),
    [
        (  # the engine the settings configure outweighs a development compose file
            {
                "src/shop/settings/base.py": (
                    "import os\nDATABASES = {'default': {'ENGINE': "
                    "os.environ.get('DATABASE_ENGINE', 'django.db.backends.mysql')}}\n"
                ),
                "docker/docker-compose.yml": "services:\n  db:\n    image: mysql:5.7\n",
                "docker/docker-compose-dev.yml": "services:\n  db:\n    image: postgres:14.8\n",
            },
            Dialect.MYSQL,
            "settings and the project's files name several database engines (mysql, "
            "postgresql); judged for mysql, the server engine the settings configure",
        ),
        (  # a SQLite URL is the fallback default; the driver says what production runs
            {
                "site/settings/base.py": (
                    "import environ\nenv = environ.Env()\n"
                    "DATABASES = {'default': env.db('DATABASE_URL', "
                    "default='sqlite:///db.sqlite3')}\n"
                ),
                "requirements/base.txt": "Django==4.2.11\npsycopg[binary]==3.1.18\n",
            },
            Dialect.POSTGRESQL,
            "settings and the project's files name several database engines (postgresql, "
            "sqlite); judged for postgresql, the database driver the project depends on",
        ),
        (  # an explicit SQLite engine keeps its word over a driver
            {
                "site/settings.py": "DATABASES = {'default': {'ENGINE': "
                "'django.db.backends.sqlite3'}}\n",
                "requirements.txt": "psycopg2-binary>=2.9\n",
            },
            Dialect.SQLITE,
            None,
        ),
        (  # a MySQL URL, and the server a compose file runs is MariaDB
            {
                "site/config.py": "SQLALCHEMY_DATABASE_URI = 'mysql+pymysql://u:p@db/app'\n",
                "deploy/docker-compose.yml": "services:\n  db:\n    image: mariadb:10.6\n",
            },
            Dialect.MARIADB,
            "the settings name MySQL, whose drivers MariaDB shares, and a compose file runs "
            "MariaDB; judged for mariadb",
        ),
        (  # no engine in the settings: the driver decides
            {
                "site/settings.py": "DATABASES = {'default': env.db()}\n",
                "pyproject.toml": '[project]\ndependencies = ["django>=5", "mysqlclient>=2.2"]\n',
            },
            Dialect.MYSQL,
            "no engine in the settings; judged for mysql, the database driver the project "
            "depends on",
        ),
        (  # a settings module in a `configs` folder; PostgreSQL only as an optional extra
            {
                "forum/configs/default.py": "SQLALCHEMY_DATABASE_URI = 'sqlite:///' + 'forum.db'\n",
                "setup.py": (
                    "install_requires = ['flask']\n"
                    "extras_require = {'pg': ['psycopg2-binary']}\n"
                    "setup(install_requires=install_requires, extras_require=extras_require)\n"
                ),
            },
            Dialect.SQLITE,
            "judged for sqlite, the engine the settings name; postgresql only through an "
            "optional extra of the dependencies",
        ),
        (  # pyproject's optional dependencies are no dependency either
            {
                "app/config.py": "DATABASE_URL = 'sqlite:///app.db'\n",
                "pyproject.toml": (
                    '[project]\ndependencies = ["flask"]\n\n'
                    '[project.optional-dependencies]\nmysql = ["pymysql"]\n'
                ),
            },
            Dialect.SQLITE,
            "judged for sqlite, the engine the settings name; mysql only through an optional "
            "extra of the dependencies",
        ),
        (  # server engines offered by a setting; the default URL is SQLite: both named
            {
                "webapp/conf/defaults.py": (
                    "DEFAULTS = {\n"
                    "    'DB_KIND': None,\n"
                    "    'SQLALCHEMY_DATABASE_URI': 'sqlite:////srv/app.db',\n"
                    "}\n"
                    "URL_FOR_KIND = {\n"
                    "    'postgresql': 'postgresql://{user}@{host}/{name}',\n"
                    "    'mysql': 'mysql+pymysql://{user}@{host}/{name}',\n"
                    "}\n"
                ),
            },
            Dialect.POSTGRESQL,
            "settings and the project's files name several database engines (mysql, "
            "postgresql, sqlite); judged for postgresql, the server engine the settings "
            "configure; SQLALCHEMY_DATABASE_URI in webapp/conf/defaults.py defaults to SQLite "
            "(sqlite:////srv/app.db): a deployment that sets no other database URL runs on "
            "SQLite",
        ),
    ],
)
def test_evidence_is_weighed(files: dict[str, str], dialect: Dialect, note: str | None) -> None:
    sources = engines.config_sources(MemoryView({}, files), near="site/app/migrations")
    evidence = engines.engines_in_sources(sources)
    assert evidence.dialect is dialect
    assert evidence.note == note
