"""Project configuration: read from the head commit, validated, and overridden by the command
line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from repo_builder import RepoBuilder

from harvester.config import ProjectConfig, load_config
from harvester.migrations.base import AnalysisSettings, MigrationRoot
from harvester.migrations.schema.ops import Dialect
from harvester.options import ReportOptions, configured
from tests.conftest import CliResult

Run = Callable[..., CliResult]
ROBOT = ("release-robot", "robot@example.com")

CONFIG = """\
title = "{title}: release notes ({base}..{head})"
forge-url = "https://gitlab.com/acme/shop"

[key-commits]
count = 2
bot-authors = ["^release-robot$"]
noise-patterns = ["^chore\\\\(deps\\\\)"]
important-paths = ["billing/"]

[files]
fold = ["frontend/generated"]

[[migrations]]
root = "ledger/sql"
system = "sql"
dialect = "postgresql"

[engines]
postgresql = "16"
mysql = "8.0"
"""


def _repo(new_repo: Callable[..., RepoBuilder], config: str | None = CONFIG) -> RepoBuilder:
    repo = new_repo()
    repo.write("app.py", "print('hi')\n")
    repo.commit("Initial commit")
    repo.tag("v1.0")
    if config is not None:
        repo.write(".harvester.toml", config)
    repo.write("billing/invoice.py", "TOTAL = 1\n")
    repo.commit("Tidy invoice totals")
    repo.write("app.py", "print('hello')\n")
    repo.commit("Say hello", author=ROBOT)
    repo.write("requirements.txt", "requests==2.32.0\n")
    repo.commit("chore(deps): pin requests")
    repo.write("frontend/generated/api.ts", "export const api = 1;\n")
    repo.commit("feat: generated API client")
    repo.write("app.py", "print('hello, world')\n")
    repo.commit("feat: greet the world")
    repo.tag("v1.1")
    return repo


def _json(run_cli: Run, repo: RepoBuilder, *args: str) -> dict[str, Any]:
    result = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1", "--format", "json", *args)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def test_configuration_from_the_head_commit_shapes_the_report(
    new_repo: Callable[..., RepoBuilder], run_cli: Run
) -> None:
    repo = _repo(new_repo)
    data = _json(run_cli, repo)
    commits = {c["subject"]: c for c in data["commits"]}
    assert data["title"] == "v1.1: release notes (v1.0..v1.1)"
    assert commits["Say hello"]["noise"] == "bot commit"
    assert commits["chore(deps): pin requests"]["noise"] == "commit matching a noise pattern"
    assert commits["Tidy invoice totals"]["significance"][0] == (
        "touches important paths (billing/)"
    )
    assert sum(c["key"] for c in data["commits"]) == 2
    assert data["forge"] == {"kind": "gitlab", "url": "https://gitlab.com/acme/shop"}

    markdown = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1").out
    assert "<summary>Folded: 1 file in frontend/generated/ (+1/−0)</summary>" in markdown
    assert "…and 3 more commits: " in markdown
    assert "1 bot commit" in markdown and "1 commit matching a noise pattern" in markdown


def test_command_line_options_win(new_repo: Callable[..., RepoBuilder], run_cli: Run) -> None:
    repo = _repo(new_repo)
    data = _json(run_cli, repo, "--key-commits", "5", "--title", "Mine", "--forge-url", "x")
    assert data["title"] == "Mine"
    assert sum(c["key"] for c in data["commits"]) == 3
    assert data["forge"] is None


def test_the_working_tree_is_never_read(new_repo: Callable[..., RepoBuilder], run_cli: Run) -> None:
    repo = _repo(new_repo)
    (repo.path / ".harvester.toml").write_text('title = "from the working tree"\nbogus = 1\n')
    assert _json(run_cli, repo)["title"].endswith("release notes (v1.0..v1.1)")


def test_pyproject_table_and_precedence(new_repo: Callable[..., RepoBuilder], run_cli: Run) -> None:
    repo = _repo(new_repo, config=None)
    repo.write(
        "pyproject.toml", '[project]\nname = "x"\n\n[tool.harvester]\ntitle = "From pyproject"\n'
    )
    repo.commit("configure harvester")
    repo.git("tag", "-f", "v1.1")
    assert _json(run_cli, repo)["title"] == "From pyproject"
    repo.write(".harvester.toml", 'title = "From .harvester.toml"\n')
    repo.commit("configure harvester on its own")
    repo.git("tag", "-f", "v1.1")
    assert _json(run_cli, repo)["title"] == "From .harvester.toml"
    assert _json(run_cli, repo, "--no-config")["title"] == "v1.1"


def test_a_config_file_on_disk_replaces_the_repository_one(
    new_repo: Callable[..., RepoBuilder], run_cli: Run, tmp_path: Path
) -> None:
    repo = _repo(new_repo)
    (tmp_path / "release.md.j2").write_text("# {{ report.title }} ({{ report.commits|length }})\n")
    config = tmp_path / "ci.toml"
    config.write_text('title = "CI: {head}"\ntemplate = "release.md.j2"\n')
    result = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1", "--config", str(config))
    assert result.code == 0, result.err
    assert result.out == "# CI: v1.1 (5)\n"


def test_a_template_from_the_repository(new_repo: Callable[..., RepoBuilder], run_cli: Run) -> None:
    repo = _repo(new_repo, config='template = "docs/release.md.j2"\n')
    repo.write(
        "docs/release.md.j2",
        "# {{ report.title }}\n<!-- harvester:begin count -->\n"
        "{{ report.commits|length }} commits\n<!-- harvester:end count -->\n",
    )
    repo.commit("docs: release template")
    repo.git("tag", "-f", "v1.1")
    result = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1")
    assert result.code == 0, result.err
    assert result.out.startswith("# v1.1\n<!-- harvester:begin count h=")
    assert "\n6 commits\n" in result.out


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("key-commit = 3\n", "key-commit: unknown key (did you mean 'key-commits'?); known keys:"),
        ("[key-commits]\ncuont = 3\n", "key-commits.cuont: unknown key (did you mean 'count'?)"),
        ("[key-commits]\ncount = -1\n", "key-commits.count: expected a whole number, 0 or more"),
        ("[key-commits]\ncount = 'ten'\n", "key-commits.count: expected a whole number"),
        ("[key-commits]\nbot-authors = 'bot'\n", "key-commits.bot-authors: expected a list"),
        (
            "[key-commits]\nnoise-patterns = ['(unclosed']\n",
            "key-commits.noise-patterns: invalid regular expression '(unclosed'",
        ),
        ("[files]\nfold = ['../outside']\n", "files.fold: '../outside': give paths relative"),
        (
            "[engines]\npostgres = '16'\n",
            "engines.postgres: unknown key (did you mean 'postgresql'?)",
        ),
        ("[engines]\nmysql = 8.0\n", 'engines.mysql: expected a version string such as "16"'),
        ("title = '{branch} notes'\n", "title: unknown placeholder {branch}"),
        ("template = 'missing.j2'\n", "template: missing.j2 is not in the repository"),
        ("[[migrations]]\nroot = 'db'\n", "migrations[0]: needs both root and system"),
        (
            "[[migrations]]\nroot = 'db'\nsystem = 'sqitch'\n",
            "migrations[0].system: unknown system 'sqitch'; known: prisma, django",
        ),
        (
            "[[migrations]]\nroot = 'db'\nsystem = 'sql'\ndialect = 'oracle'\n",
            "migrations[0].dialect: unknown dialect 'oracle'",
        ),
        (
            "[[migrations]]\nroot = 'db'\nsystem = 'sql'\nsytem = 1\n",
            "migrations[0].sytem: unknown key",
        ),
        ("files = 3\n", "files: expected a table ([files]), got 3"),
        ("title = \n", ".harvester.toml: invalid TOML: "),
    ],
)
def test_mistakes_are_one_line_naming_the_key(
    new_repo: Callable[..., RepoBuilder], run_cli: Run, config: str, message: str
) -> None:
    repo = _repo(new_repo, config=config)
    result = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1")
    assert result.code == 1
    assert result.err.startswith("harvester: error: .harvester.toml: ")
    assert message in result.err
    assert len(result.err.splitlines()) == 1 and result.out == ""


def test_a_broken_pyproject_without_harvester_settings_is_not_our_business() -> None:
    def read(paths: object) -> dict[str, bytes | None]:
        return {".harvester.toml": None, "pyproject.toml": b"[project\nname = 'harvester-ish'"}

    assert load_config(read) == ProjectConfig()


def test_engines_and_migration_roots_reach_the_analysers() -> None:
    def read(paths: object) -> dict[str, bytes | None]:
        return {".harvester.toml": CONFIG.encode(), "pyproject.toml": None}

    config = load_config(read)
    options = configured(ReportOptions(), config)
    assert options.analysis == AnalysisSettings(
        engine_versions={Dialect.MYSQL: "8.0", Dialect.POSTGRESQL: "16"},
        extra_roots=(MigrationRoot("sql", "ledger/sql", Dialect.POSTGRESQL),),
    )
    assert options.key_commit_count == 2
    mine = AnalysisSettings(engine_versions={Dialect.MYSQL: "5.7"})
    assert configured(ReportOptions(analysis=mine), config).analysis.engine_versions == {
        Dialect.MYSQL: "5.7"
    }
