"""The CI recipes run as CI would run them: the GitHub Action's steps and the GitLab job's
script, against a shallow clone of a local repository, with `harvester` and `gh` on PATH."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from repo_builder import RepoBuilder

ROOT = Path(__file__).resolve().parent.parent
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


@dataclass
class Runner:
    """A tag build's workspace: the clone, GitHub's files, and stand-ins for harvester and gh."""

    clone: Path
    home: Path
    calls: Path
    env: dict[str, str] = field(default_factory=dict)

    def file(self, name: str) -> Path:
        return self.home / name


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def runner(sample: RepoBuilder, tmp_path: Path) -> Runner:
    """A shallow clone of the sample at tag v1.1, as actions/checkout leaves it."""
    clone = tmp_path / "work"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "v1.1",
            f"file://{sample.path}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    home = tmp_path / "runner"
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True)
    calls = home / "gh-calls"
    _executable(
        bin_dir / "harvester",
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m harvester "$@"\n',
    )
    _executable(
        bin_dir / "gh",
        f'#!/bin/sh\necho "$@" >> "{calls}"\n[ "$1 $2 $3" = "release view v1.1" ] || '
        '[ "$1 $2" = "release upload" ]\n',
    )
    for name in ("output", "env", "path", "summary"):
        (home / name).write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_REF": "refs/tags/v1.1",
        "GITHUB_OUTPUT": str(home / "output"),
        "GITHUB_ENV": str(home / "env"),
        "GITHUB_PATH": str(home / "path"),
        "GITHUB_STEP_SUMMARY": str(home / "summary"),
        "RUNNER_TEMP": str(home),
    }
    return Runner(clone, home, calls, env)


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _expand(text: str, values: Mapping[str, str]) -> str:
    """GitHub's `${{ name }}` expressions, for the plain names the action uses."""
    return _EXPRESSION.sub(lambda m: values.get(m.group(1), ""), text)


def _run_action(runner: Runner, inputs: Mapping[str, str]) -> tuple[int, list[str]]:
    """Run the composite action's steps in order; returns the exit code and the steps run."""
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values |= {f"inputs.{k}": v for k, v in inputs.items()}
    values["github.token"] = "token"
    ran = []
    for step in action["runs"]["steps"]:
        values |= {
            f"steps.report.outputs.{k}": v
            for k, v in _outputs(Path(runner.env["GITHUB_OUTPUT"])).items()
        }

        if "uses" in step:
            assert step["uses"].startswith("actions/upload-artifact@")
            assert step["with"]["path"] == "${{ steps.report.outputs.document }}"
            ran.append(f"upload {_expand(step['with']['path'], values)}")
            continue
        assert step["shell"] == "bash" and "${{" not in step["run"], "inputs go through env"
        env = runner.env | {k: _expand(str(v), values) for k, v in step.get("env", {}).items()}
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=runner.clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        ran.append(step["name"])
        sys.stderr.write(result.stdout + result.stderr)  # shown by pytest when a test fails
        if result.returncode != 0:
            return result.returncode, ran
    return 0, ran


def test_the_action_writes_attaches_and_summarises_the_release_document(runner: Runner) -> None:
    code, ran = _run_action(runner, {"install": "false"})

    assert code == 0
    assert ran[-2:] == ["Attach the document to the release", "Apply the fail-on gate"]
    assert "upload technical-implementation.md" in ran
    document = (runner.clone / "technical-implementation.md").read_text(encoding="utf-8")
    assert "# v1.1 - Technical Implementation" in document
    assert "from `v1.0..HEAD`" in document, "the previous tag was fetched and found"
    summary = runner.file("summary").read_text(encoding="utf-8")
    assert summary.startswith("### harvester: v1.1\n\n`v1.0..HEAD`: 11 commits, 16 files")
    assert "- **Document**: `technical-implementation.md`" in summary
    assert runner.calls.read_text().splitlines() == [
        "release view v1.1",
        "release upload v1.1 technical-implementation.md --clobber",
    ]
    assert _outputs(runner.file("output")) == {
        "document": "technical-implementation.md",
        "exit-code": "0",
    }


def test_a_tripped_gate_fails_the_job_after_the_document_is_out(runner: Runner) -> None:
    code, ran = _run_action(
        runner,
        {"install": "false", "fail-on": "destructive_drop_column", "output": "docs/release.md"},
    )
    assert code == 3
    assert ran[-1] == "Apply the fail-on gate"
    assert "upload docs/release.md" in ran
    assert "release upload v1.1 docs/release.md --clobber" in runner.calls.read_text()
    assert "**tripped** by" in runner.file("summary").read_text(encoding="utf-8")


def test_a_range_input_and_a_branch_build(runner: Runner) -> None:
    runner.env["GITHUB_REF"] = "refs/heads/main"
    code, _ = _run_action(runner, {"install": "false", "range": "HEAD~3..HEAD", "format": "json"})
    assert code == 0
    report = json.loads((runner.clone / "technical-implementation.md").read_text())
    assert report["range"]["base"] == "HEAD~3"
    assert not runner.calls.exists(), "nothing is attached outside a tag build"


def test_an_error_stops_the_action(runner: Runner) -> None:
    code, ran = _run_action(runner, {"install": "false", "range": "v0.9..HEAD"})
    assert code == 1
    assert ran[-1] == "Write the document"


def test_the_gitlab_job_script(runner: Runner) -> None:
    jobs: dict[str, Any] = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text())
    job = jobs["harvester-release-document"]
    assert job["rules"] == [{"if": "$CI_COMMIT_TAG"}] and job["variables"]["GIT_DEPTH"] == 0
    assert set(job["artifacts"]["paths"]) == {"technical-implementation.md", "harvester-summary.md"}
    link = jobs["harvester-release-link"]["release"]["assets"]["links"][0]["url"]
    assert link.endswith("/raw/technical-implementation.md?job=harvester-release-document")
    subprocess.run(["git", "fetch", "-q", "--unshallow"], cwd=runner.clone, check=True)
    variables = {k: str(v) for k, v in job["variables"].items()} | {"CI_COMMIT_TAG": "v1.1"}

    def run_job(**overrides: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", "\n".join(job["script"])],
            cwd=runner.clone,
            env=runner.env | variables | overrides,
            capture_output=True,
            text=True,
            check=False,
        )

    passed = run_job()
    assert passed.returncode == 0, passed.stderr
    assert "### harvester: v1.1" in passed.stdout
    assert (runner.clone / "technical-implementation.md").exists()
    gated = run_job(HARVESTER_FAIL_ON="raw_sql,destructive_drop_column")
    assert gated.returncode == 3 and "**tripped** by" in gated.stdout
