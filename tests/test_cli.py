"""The command line as users meet it: ranges, outputs, and every error case of the contract."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from repo_builder import RepoBuilder

from tests.conftest import CliResult

Run = Callable[..., CliResult]


def _range(result: CliResult) -> dict[str, object]:
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data["range"]  # type: ignore[no-any-return]


def test_range_forms_resolve(sample: RepoBuilder, run_cli: Run) -> None:
    repo = str(sample.path)
    v10, v11 = sample.sha("v1.0"), sample.sha("v1.1")
    cases = {
        ("v1.0..v1.1",): ("v1.0", "v1.1", v10, v11),
        ("v1.0..",): ("v1.0", "HEAD", v10, v11),
        ("--base", "v1.0", "--head", "v1.1"): ("v1.0", "v1.1", v10, v11),
        (f"{v10[:8]}..HEAD~0",): (v10[:8], "HEAD~0", v10, v11),
        ("HEAD~3..HEAD",): ("HEAD~3", "HEAD", sample.sha("HEAD~3"), v11),
    }
    for args, (base, head, base_sha, head_sha) in cases.items():
        span = _range(run_cli("report", "--repo", repo, "--format", "json", *args))
        assert (span["base"], span["head"], span["base_sha"], span["head_sha"]) == (
            base,
            head,
            base_sha,
            head_sha,
        ), args


def test_merge_option_reports_what_the_merge_brought(sample: RepoBuilder, run_cli: Run) -> None:
    merge = sample.git("log", "--merges", "--format=%H", "-1")
    result = run_cli("report", "--repo", str(sample.path), "--format", "json", "--merge", merge)
    span = _range(result)
    assert span["base_sha"] == sample.sha(f"{merge}^1") and span["head_sha"] == merge
    data = json.loads(result.out)
    assert data["title"] == "Customer regions (#21)"
    assert {f["path"] for f in data["files"]} == {
        "web/logo.png",
        "web/prisma/schema.prisma",
        "web/prisma/migrations/20240301000000_customer_region/migration.sql",
    }


def test_symmetric_range_uses_the_merge_base(
    new_repo: Callable[..., RepoBuilder], run_cli: Run
) -> None:
    repo = new_repo()
    repo.write("a", "1")
    fork = repo.commit("fork point")
    repo.branch("topic")
    repo.write("b", "2")
    topic = repo.commit("topic work")
    repo.checkout("main")
    repo.write("c", "3")
    repo.commit("main work")
    span = _range(run_cli("report", "--repo", str(repo.path), "--format", "json", "main...topic"))
    assert (span["base_sha"], span["head_sha"], span["commits"]) == (fork, topic, 1)


def test_a_base_off_the_head_history_is_warned_about(
    new_repo: Callable[..., RepoBuilder], run_cli: Run
) -> None:
    repo = new_repo()
    repo.write("a", "1")
    repo.commit("fork point")
    repo.branch("maintenance")
    repo.write("fix", "2")
    repo.commit("maintenance fix")
    repo.checkout("main")
    repo.write("db/migrations/000002_feature.up.sql", "CREATE TABLE feature (id int);\n")
    repo.commit("main feature")
    json_run = run_cli("report", "--repo", str(repo.path), "--format", "json", "main..maintenance")
    assert _range(json_run)["base_is_ancestor"] is False
    markdown = run_cli("report", "--repo", str(repo.path), "main..maintenance")
    warning = (
        "main is not an ancestor of maintenance: the commits are those maintenance has and main "
        "lacks"
    )
    assert f"harvester: warning: {warning}" in markdown.err
    assert f"> ⚠️ {warning}" in markdown.out
    assert "use main...maintenance." in markdown.out
    onward = run_cli("report", "--repo", str(repo.path), "--format", "json", "main~1..main")
    assert _range(onward)["base_is_ancestor"] is True
    assert onward.err == ""


def test_default_range_is_the_previous_tag(sample: RepoBuilder, run_cli: Run) -> None:
    span = _range(run_cli("report", "--repo", str(sample.path), "--format", "json"))
    assert (span["base"], span["head_sha"]) == ("v1.0", sample.sha("v1.1"))


def test_default_range_off_the_default_branch_uses_the_merge_base(
    new_repo: Callable[..., RepoBuilder], tmp_path: Path, run_cli: Run
) -> None:
    origin = new_repo("origin")
    origin.write("a", "1")
    origin.commit("one")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(clone)], check=True)
    fork = origin.sha()
    for args in (["checkout", "-q", "-b", "feature"], ["commit", "-q", "--allow-empty", "-m", "f"]):
        subprocess.run(
            ["git", "-C", str(clone), *args],
            check=True,
            env={
                "GIT_AUTHOR_NAME": "A",
                "GIT_AUTHOR_EMAIL": "a@x",
                "GIT_COMMITTER_NAME": "A",
                "GIT_COMMITTER_EMAIL": "a@x",
                "PATH": "/usr/bin:/bin",
                "HOME": str(tmp_path),
            },
        )
    span = _range(run_cli("report", "--repo", str(clone), "--format", "json"))
    assert span["base"] == "origin/main" and span["base_sha"] == fork
    on_main = run_cli("report", "--repo", str(origin.path))
    assert on_main.code == 1
    assert "no range given and none could be inferred" in on_main.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["v1.O..v1.1"], 1, "unknown ref 'v1.O'; did you mean 'v1.1' or 'v1.0'?"),
        (["v1.0..mian"], 1, "unknown ref 'mian'; did you mean 'main'"),
        (["v1.1..v1.1"], 1, "the range v1.1..v1.1 is empty"),
        (["v1.1..v1.0"], 1, "no commits in v1.1..v1.0"),
        (["v1.0"], 1, "'v1.0' is a single ref, not a range: did you mean 'v1.0..HEAD'?"),
        (["v1.0..v1.1", "--base", "v1.0"], 2, "give either RANGE or --base/--head"),
        (["--merge", "v1.0", "v1.0..v1.1"], 2, "--merge cannot be combined"),
        (["--format", "pdf"], 2, "Invalid value for '--format'"),
        (["--fail-on", "nonsense"], 2, "--fail-on: unknown tag nonsense"),
        (["--merge", "HEAD~11"], 1, "has no parent"),
        (["HEAD~40..HEAD"], 1, "'HEAD~40' names no commit: the first-parent history behind 'HEAD'"),
    ],
)
def test_errors_are_one_line_with_the_contract_exit_code(
    sample: RepoBuilder, run_cli: Run, args: list[str], code: int, message: str
) -> None:
    result = run_cli("report", "--repo", str(sample.path), *args)
    assert result.code == code
    assert message in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_not_a_repository(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("report", "--repo", str(tmp_path), "HEAD~1..HEAD")
    assert result.code == 1
    assert (
        result.err.strip()
        == f"harvester: error: {tmp_path} is not a git repository (or any of its parents)"
    )
    missing = run_cli("report", "--repo", str(tmp_path / "nope"))
    assert (missing.code, missing.err.strip()) == (
        1,
        f"harvester: error: {tmp_path / 'nope'}: no such directory",
    )
    file = tmp_path / "notes.txt"
    file.write_text("not a repository\n")
    named = run_cli("report", "--repo", str(file), "HEAD~1..HEAD")
    assert (named.code, named.err.strip()) == (
        1,
        f"harvester: error: {file} is a file, not a git repository: name its folder",
    )


def test_shallow_clone_without_the_base_says_how_to_fetch(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{sample.path}", str(shallow)], check=True
    )
    result = run_cli("report", "--repo", str(shallow), "v1.0..HEAD")
    assert result.code == 1
    assert "shallow clone" in result.err and "git fetch --unshallow" in result.err
    assert "fetch-depth: 0" in result.err
    cut = run_cli("report", "--repo", str(shallow), f"{sample.sha('v1.0')[:10]}..HEAD")
    assert cut.code == 1 and "shallow" in cut.err
    back = run_cli("report", "--repo", str(shallow), "HEAD~10..HEAD")
    assert back.code == 1
    assert back.err.startswith("harvester: error: 'HEAD~10' names no commit: this shallow clone")
    assert "git fetch --unshallow" in back.err


def test_a_range_typed_with_a_colon_or_a_tree_is_explained(
    sample: RepoBuilder, run_cli: Run
) -> None:
    colon = run_cli("report", "--repo", str(sample.path), "v1.0:HEAD")
    assert (
        colon.err.strip()
        == "harvester: error: 'v1.0:HEAD' is not a range: did you mean 'v1.0..HEAD'?"
    )
    tree = run_cli("report", "--repo", str(sample.path), "v1.0^{tree}..HEAD")
    assert "'v1.0^{tree}' names no commit (a tree or a file, say)" in tree.err
    assert len(tree.err.strip().splitlines()) == 1


def test_shallow_clone_that_cuts_the_range(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", f"file://{sample.path}", str(shallow)], check=True
    )
    subprocess.run(
        ["git", "-C", str(shallow), "fetch", "-q", "--depth", "1", "origin", "tag", "v1.0"],
        check=True,
    )
    result = run_cli("report", "--repo", str(shallow), "v1.0..HEAD")
    assert result.code == 1
    assert "shallow" in result.err and "git fetch --unshallow" in result.err


def test_output_file_is_written_atomically_and_foreign_files_are_kept(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    target = tmp_path / "doc.md"
    ok = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "-o", str(target))
    assert ok.code == 0 and ok.out == ""
    assert target.read_text().startswith("<!-- harvester:begin title h=")
    assert "-->\n# v1.1 - Technical Implementation\n" in target.read_text()
    assert list(tmp_path.iterdir()) == [target]
    foreign = tmp_path / "notes.md"
    foreign.write_text("my own notes\n")
    refused = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "-o", str(foreign))
    assert refused.code == 1 and "not written by harvester" in refused.err
    assert foreign.read_text() == "my own notes\n"
    forced = run_cli(
        "report", "--repo", str(sample.path), "v1.0..v1.1", "-o", str(foreign), "--force"
    )
    assert forced.code == 0 and "Technical Implementation" in foreign.read_text()


def test_a_device_or_pipe_given_as_output_is_written_not_replaced(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "stream"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    # Should harvester read the pipe as an earlier document, this unblocks it, so that the
    # test fails instead of hanging.
    unblock = threading.Timer(10, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    unblock.start()
    result = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "-o", str(fifo))
    unblock.cancel()
    reader.join(timeout=10)
    assert result.code == 0
    assert b"# v1.1 - Technical Implementation" in received[0]
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the pipe is still a pipe"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stream"]


def test_unwritable_output_is_a_user_error(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    result = run_cli(
        "report",
        "--repo",
        str(sample.path),
        "v1.0..v1.1",
        "-o",
        str(tmp_path / "missing" / "doc.md"),
    )
    assert result.code == 1
    assert result.err.startswith("harvester: error: cannot write")


def test_fail_on_exits_3_after_writing(sample: RepoBuilder, tmp_path: Path, run_cli: Run) -> None:
    target = tmp_path / "doc.json"
    result = run_cli(
        "report",
        "--repo",
        str(sample.path),
        "v1.0..v1.1",
        "--format",
        "json",
        "-o",
        str(target),
        "--fail-on",
        "raw_sql,destructive_drop_column",
    )
    assert result.code == 3
    assert "--fail-on matched" in result.err
    assert json.loads(target.read_text())["range"]["commits"] == 11
    calm = run_cli(
        "report",
        "--repo",
        str(sample.path),
        "v1.0..v1.1",
        "--format",
        "json",
        "--fail-on",
        "enum_value_added",
    )
    assert calm.code == 0


def test_internal_errors_exit_70_and_debug_shows_the_traceback(
    sample: RepoBuilder, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("harvester.pipeline.harvest", broken)
    result = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1")
    assert result.code == 70
    assert "internal error: RuntimeError: boom" in result.err and "bug" in result.err
    assert "Traceback" not in result.err
    with pytest.raises(RuntimeError, match="boom"):
        from harvester.cli import main

        main(["report", "--repo", str(sample.path), "v1.0..v1.1", "--debug"])


def test_user_template_is_sandboxed_and_errors_name_the_line(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    good = tmp_path / "good.md.j2"
    good.write_text(
        "# {{ report.title }}\n{% for c in report.commits if c.key %}"
        "- {{ c.short_sha }} {{ c.subject }}\n{% endfor %}"
    )
    result = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "--template", str(good))
    assert result.code == 0
    assert result.out.startswith("# v1.1\n- cec5a29 Fix XSS in badge rendering (CVE-2024-0001)\n")
    evil = tmp_path / "evil.md.j2"
    evil.write_text("line one\n{{ report.__class__.__mro__[1].__subclasses__() }}\n")
    refused = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "--template", str(evil))
    assert refused.code == 1 and f"{evil}:2: template error" in refused.err
    broken = tmp_path / "broken.md.j2"
    broken.write_text("ok\n\n{% for x in %}\n")
    syntax = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "--template", str(broken))
    assert syntax.code == 1 and f"{broken}:3: template syntax error" in syntax.err


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harvester", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("harvester, version ")
