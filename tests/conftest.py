"""Shared test fixtures: a git sandbox that ignores the user's configuration, the sample
repository, and a way to run the command line in-process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from repo_builder import RepoBuilder
from sample_repo import build as build_sample

from harvester.cli import main


@pytest.fixture(autouse=True, scope="session")
def git_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every git process in the tests ignores the user's and the system's git configuration,
    and parse results are cached in a folder of the test session, never the user's."""
    home = tmp_path_factory.mktemp("home")
    names = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "HOME", "HARVESTER_CACHE_DIR")
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(home),
        HARVESTER_CACHE_DIR=str(home / "cache"),
    )
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> RepoBuilder:
    """The quick-start sample repository (v1.0..v1.1), built once per session."""
    return build_sample(tmp_path_factory.mktemp("sample") / "shop")


@pytest.fixture
def new_repo(tmp_path: Path) -> Callable[..., RepoBuilder]:
    """A factory for fresh repositories under the test's temporary folder."""
    counter = iter(range(1000))

    def make(name: str | None = None, branch: str = "main") -> RepoBuilder:
        return RepoBuilder(tmp_path / (name or f"repo{next(counter)}"), branch=branch)

    return make


@dataclass(frozen=True)
class CliResult:
    """What a harvester invocation printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsysbinary: pytest.CaptureFixture[bytes]) -> Callable[..., CliResult]:
    """Run `harvester ARGS...` in-process and capture exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        with pytest.raises(SystemExit) as stopped:
            main(list(args))
        captured = capsysbinary.readouterr()
        code = stopped.value.code
        return CliResult(
            code if isinstance(code, int) else 1,
            captured.out.decode("utf-8"),
            captured.err.decode("utf-8"),
        )

    return run
