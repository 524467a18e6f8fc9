"""A clone that lacks some blobs (a mirror without its largest files, a damaged clone): the
report is still written, with those files' changes read from the trees alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fixtures.repo_builder import RepoBuilder
from tests.conftest import CliResult

Run = Callable[..., CliResult]


def _drop_blob(repo: RepoBuilder, path: str, ref: str = "HEAD") -> None:
    """Delete the loose object of `path` at `ref`, as a trimmed mirror would lack it."""
    blob = repo.git("rev-parse", f"{ref}:{path}")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()


def _trimmed_repo(new_repo: Callable[..., RepoBuilder]) -> RepoBuilder:
    repo = new_repo()
    repo.write("app/models.py", "".join(f"field_{i} = {i}\n" for i in range(40)))
    repo.write("assets/screenshot.png", b"\x89PNG" + bytes(range(256)) * 40)
    repo.commit("first release")
    repo.tag("v1.0")
    repo.write("assets/sample_data.json", '{"rows": [' + ", ".join(["1"] * 500) + "]}\n")
    repo.commit("add sample data")
    repo.git("mv", "app/models.py", "app/records.py")
    repo.write("app/views.py", "def index():\n    return 'ok'\n")
    repo.write("assets/sample_data.json", '{"rows": [' + ", ".join(["2"] * 500) + "]}\n")
    repo.commit("rename models, new view, refresh sample data")
    repo.tag("v1.1")
    _drop_blob(repo, "assets/sample_data.json")
    _drop_blob(repo, "assets/sample_data.json", "v1.1~1")
    return repo


def test_a_report_is_written_around_the_blobs_the_clone_lacks(
    new_repo: Callable[..., RepoBuilder], run_cli: Run
) -> None:
    repo = _trimmed_repo(new_repo)
    result = run_cli("report", "--repo", str(repo.path), "--format", "json", "v1.0..v1.1")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["range"]["contents_missing"] == ["assets/sample_data.json"]
    assert report["range"]["commits"] == 2  # the commit that only touched the lost file too
    files = {f["path"]: f for f in report["files"]}
    sample = files["assets/sample_data.json"]
    assert (sample["status"], sample["contents_missing"], sample["binary"]) == (
        "added",
        True,
        False,
    )
    # everything else is read as usual: renames detected, lines counted
    assert files["app/records.py"]["status"] == "renamed"
    assert files["app/records.py"]["old_path"] == "app/models.py"
    assert (files["app/views.py"]["additions"], files["app/views.py"]["contents_missing"]) == (
        2,
        False,
    )
    assert "this clone lacks the contents of 1 file the range changes" in result.err


def test_the_document_says_which_files_it_could_not_read(
    new_repo: Callable[..., RepoBuilder], run_cli: Run, tmp_path: Path
) -> None:
    repo = _trimmed_repo(new_repo)
    result = run_cli("report", "--repo", str(repo.path), "v1.0..v1.1")
    assert result.code == 0, result.err
    assert (
        "> ⚠️ This clone lacks the contents of 1 file the range changes "
        "(assets/sample\\_data.json): their changes are listed from the trees alone"
    ) in result.out
    assert "sample_data.json  [contents not in this clone, added]" in result.out
    assert "records.py  [renamed from app/models.py" in result.out
