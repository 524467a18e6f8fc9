"""Fuzzing the whole pipeline with generated commit messages and file names."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from repo_builder import RepoBuilder

from harvester.render.escape import visible
from tests.conftest import CliResult

_CHARACTERS = st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",))
_COMPONENT = st.text(_CHARACTERS, min_size=1, max_size=12).filter(
    lambda c: c not in (".", "..") and c.lower() != ".git"
)
_PATH = st.lists(_COMPONENT, min_size=1, max_size=3).map("/".join)
_MESSAGE = st.text(
    st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=200
)


def _without_prefix_clashes(paths: set[str]) -> set[str]:
    return {p for p in paths if not any(q.startswith(p + "/") for q in paths)}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    paths=st.sets(_PATH, min_size=1, max_size=6),
    messages=st.lists(_MESSAGE, min_size=1, max_size=3),
)
def test_any_names_and_messages_give_a_complete_valid_report(
    run_cli: Callable[..., CliResult], paths: set[str], messages: list[str]
) -> None:
    paths = _without_prefix_clashes(paths)
    folder = Path(tempfile.mkdtemp())
    try:
        repo = RepoBuilder(folder / "r")
        repo.write("seed", "seed\n")
        base = repo.commit("seed")
        ordered = sorted(paths)
        for index, message in enumerate(messages):
            for path in ordered[index :: len(messages)]:
                repo.write(path, f"{message}\n")
            repo.git("add", "-A")
            repo.git("commit", "-q", "--allow-empty", "--allow-empty-message", "-m", message)
        result = run_cli("report", "--repo", str(repo.path), f"{base}..HEAD", "--format", "json")
        assert result.code == 0, result.err
        data = json.loads(result.out)
        assert {f["path"] for f in data["files"]} == paths
        log = subprocess.run(
            ["git", "-C", str(repo.path), "log", "-z", "--format=%s", f"{base}..HEAD"],
            capture_output=True,
            check=True,
        ).stdout
        subjects = log.decode("utf-8", "replace").split("\0")[:-1]
        assert [c["subject"] for c in data["commits"]] == subjects
        markdown = run_cli("report", "--repo", str(repo.path), f"{base}..HEAD")
        assert markdown.code == 0, markdown.err
        for path in paths:
            assert visible(path.rsplit("/", 1)[-1]) in markdown.out
    finally:
        shutil.rmtree(folder, ignore_errors=True)
