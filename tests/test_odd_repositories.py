"""Odd repositories: harvester finishes, counts like git, and says what it could not read."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from repo_builder import RepoBuilder

from harvester.errors import NotARepositoryError
from harvester.gitsource.refs import RangeRequest
from harvester.gitsource.runner import open_repo
from harvester.model import FileKind
from harvester.options import ReportOptions
from harvester.pipeline import build_report
from tests.conftest import CliResult

NewRepo = Callable[..., RepoBuilder]


def _report(repo: RepoBuilder | Path, span: str) -> object:
    path = repo.path if isinstance(repo, RepoBuilder) else repo
    return build_report(ReportOptions(repo=str(path), range=RangeRequest(span)))


def _json(run_cli: Callable[..., CliResult], path: Path, *args: str) -> dict[str, object]:
    result = run_cli("report", "--repo", str(path), "--format", "json", *args)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def test_submodules_symlinks_and_type_changes(new_repo: NewRepo) -> None:
    repo = new_repo()
    repo.write("a.txt", "a\n")
    repo.write("link-target.txt", "t\n")
    base = repo.commit("base")
    repo.symlink("docs/current", "../link-target.txt")
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{base},vendor/lib")
    repo.git(
        "commit",
        "-q",
        "-m",
        "add a submodule and a symlink",
        env={"GIT_AUTHOR_DATE": "@1704200000 +0000", "GIT_COMMITTER_DATE": "@1704200000 +0000"},
    )
    report = _report(repo, f"{base}..HEAD")
    files = {f.path: f for f in report.files}  # type: ignore[attr-defined]
    assert files["vendor/lib"].kind is FileKind.SUBMODULE
    assert files["docs/current"].symlink
    assert files["docs/current"].summary.startswith("symbolic link")


def test_empty_commits_several_roots_and_unrelated_merges(new_repo: NewRepo) -> None:
    repo = new_repo()
    repo.write("main.txt", "m\n")
    base = repo.commit("main root")
    repo.commit("nothing changed", allow_empty=True)
    repo.git("checkout", "-q", "--orphan", "other")
    repo.git("rm", "-rfq", ".")
    repo.write("other.txt", "o\n")
    repo.commit("second root")
    repo.checkout("main")
    repo.git(
        "merge",
        "-q",
        "--allow-unrelated-histories",
        "--no-edit",
        "other",
        env={"GIT_AUTHOR_DATE": "@1704200000 +0000", "GIT_COMMITTER_DATE": "@1704200000 +0000"},
    )
    report = _report(repo, f"{base}..HEAD")
    span = report.range  # type: ignore[attr-defined]
    assert (
        (span.commits, span.commits_all)
        == (
            int(repo.git("rev-list", "--no-merges", "--count", f"{base}..HEAD")),
            int(repo.git("rev-list", "--count", f"{base}..HEAD")),
        )
        == (2, 3)
    )
    assert [f.path for f in report.files] == ["other.txt"]  # type: ignore[attr-defined]
    empty = next(c for c in report.commits if c.subject == "nothing changed")  # type: ignore[attr-defined]
    assert empty.files_changed == 0 and not empty.key


def test_octopus_merge_and_base_not_an_ancestor(new_repo: NewRepo) -> None:
    repo = new_repo()
    repo.write("base.txt", "b\n")
    repo.commit("base")
    for name in ("one", "two", "three"):
        repo.branch(name, "main")
        repo.write(f"{name}.txt", f"{name}\n")
        repo.commit(f"work on {name}")
    repo.checkout("main")
    octopus = repo.merge("one", "two", "three", message="Octopus")
    report = _report(repo, "main~1..main")
    assert len(report.commits) == 4  # type: ignore[attr-defined]
    merge = next(c for c in report.commits if c.sha == octopus)  # type: ignore[attr-defined]
    assert merge.is_merge and merge.noise == "merge commit"
    sideways = _report(repo, "one..two")
    assert [c.subject for c in sideways.commits] == ["work on two"]  # type: ignore[attr-defined]
    assert {f.path for f in sideways.files} == {"one.txt", "two.txt"}  # type: ignore[attr-defined]


def test_detached_head_worktree_and_no_tags(
    new_repo: NewRepo, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    repo = new_repo()
    repo.write("a", "1\n")
    repo.commit("one")
    repo.tag("v1")
    repo.write("a", "2\n")
    repo.commit("two")
    repo.checkout(repo.sha())
    detached = _json(run_cli, repo.path)
    assert detached["range"]["base"] == "v1"  # type: ignore[index]
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "--detach", str(worktree), "HEAD")
    assert _json(run_cli, worktree, "v1..HEAD")["range"] == detached["range"]
    untagged = new_repo()
    untagged.write("a", "1\n")
    untagged.commit("only")
    result = run_cli("report", "--repo", str(untagged.path))
    assert result.code == 1 and "no tag is reachable" in result.err


def test_dubious_ownership_is_explained(new_repo: NewRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo()
    repo.write("a", "1\n")
    repo.commit("one")
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    with pytest.raises(NotARepositoryError, match=r"safe\.directory"):
        open_repo(str(repo.path))


def test_legacy_encoded_messages_are_read_as_text(new_repo: NewRepo) -> None:
    repo = new_repo()
    repo.write("a", "1\n")
    base = repo.commit("base")
    repo.write("a", "2\n")
    repo.git("config", "i18n.commitEncoding", "iso-8859-1")
    message = "Café à la crème".encode("iso-8859-1")
    (repo.path / "msg").write_bytes(message)
    repo.git("add", "a")
    repo.git(
        "commit",
        "-q",
        "-F",
        "msg",
        env={"GIT_AUTHOR_DATE": "@1704200000 +0000", "GIT_COMMITTER_DATE": "@1704200000 +0000"},
    )
    report = _report(repo, f"{base}..HEAD")
    assert [c.subject for c in report.commits] == ["Café à la crème"]  # type: ignore[attr-defined]


def test_thousands_of_files_in_one_commit(new_repo: NewRepo) -> None:
    repo = new_repo()
    repo.write("seed", "s\n")
    base = repo.commit("seed")
    for index in range(3000):
        repo.write(f"gen/{index % 30:02d}/file_{index:04d}.txt", f"{index}\n")
    repo.commit("import 3000 files")
    report = _report(repo, f"{base}..HEAD")
    assert report.range.files_changed == 3000 == len(report.files)  # type: ignore[attr-defined]
    (commit,) = report.commits  # type: ignore[attr-defined]
    assert commit.files_changed == 3000 and commit.additions == 3000


def test_hostile_text_stays_inert(new_repo: NewRepo, run_cli: Callable[..., CliResult]) -> None:
    repo = new_repo()
    repo.write("a", "1\n")
    base = repo.commit("base")
    hostile = (
        "[click](javascript:alert(1)) <script>x</script> {{ 7*7 }} ${{ secrets.TOKEN }} | @all"
    )
    repo.write("<img src=x onerror=alert(1)>.md", "x\n")
    repo.write("`|pipe|`.txt", "x\n")
    repo.write("app.py", "x = 1\n")
    repo.commit(f"{hostile}\n\nFixes #1")
    repo.tag("v9")
    result = run_cli("report", "--repo", str(repo.path), f"{base}..HEAD")
    assert result.code == 0
    # Inside fenced code blocks text is literal; everywhere else nothing may stay live.
    prose = re.sub(r"```.*?```", "", result.out, flags=re.S)
    assert "<script>" not in prose and "<img" not in prose
    assert not re.search(r"(?<!\\)\]\(javascript:", prose)
    assert "\\[click\\](javascript:alert(1)) \\<script\\>x\\</script\\> {{ 7\\*7 }}" in result.out
    assert "\\${{ secrets.TOKEN }} \\| \\@all" in result.out
    assert "<img src=x onerror=alert(1)>.md" in result.out  # inside the code block: literal
    assert "{{ 7*7 }}" in result.out
    json.loads(run_cli("report", "--repo", str(repo.path), f"{base}..HEAD", "--format", "json").out)


def test_deleted_and_renamed_folders_appear_under_their_paths(new_repo: NewRepo) -> None:
    repo = new_repo()
    for index in range(3):
        repo.write(f"old/pkg/m{index}.py", "".join(f"x{i}\n" for i in range(20)) + f"{index}\n")
    repo.write("gone/a.py", "a\n")
    base = repo.commit("base")
    repo.move("old/pkg", "new/pkg")
    repo.delete("gone/a.py")
    repo.commit("move and delete")
    paths = {f.path: f for f in _report(repo, f"{base}..HEAD").files}  # type: ignore[attr-defined]
    assert set(paths) == {"new/pkg/m0.py", "new/pkg/m1.py", "new/pkg/m2.py", "gone/a.py"}
    assert paths["new/pkg/m0.py"].old_path == "old/pkg/m0.py"
    assert paths["gone/a.py"].status.value == "deleted"


def test_missing_objects_are_a_one_line_error(
    new_repo: NewRepo, run_cli: Callable[..., CliResult]
) -> None:
    repo = new_repo()
    for index in range(3):
        repo.write(f"f{index}.txt", f"content {index}\n")
        repo.commit(f"c{index}")
    # a lost blob is read around (test_missing_blobs.py); a lost tree stops everything
    tree = repo.git("rev-parse", "HEAD~1^{tree}")
    (repo.path / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    result = run_cli("report", "--repo", str(repo.path), "HEAD~2..HEAD")
    assert result.code == 1
    assert result.err.startswith("harvester: error: git log failed: ")
    assert tree in result.err
    assert "git fsck" in result.err and result.err.count("\n") == 1


def test_a_django_project_moved_to_another_folder_counts_what_runs(
    new_repo: NewRepo, run_cli: Callable[..., CliResult]
) -> None:
    repo = new_repo()
    header = "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n"
    for number, field in enumerate(("title", "body", "slug"), start=1):
        depends = f"[('blog', '{number - 1:04d}_{'initial' if number == 2 else 'x'}')]"
        repo.write(
            f"server/blog/migrations/{number:04d}_{'initial' if number == 1 else 'x'}.py",
            header
            + f"    dependencies = {depends if number > 1 else '[]'}\n"
            + f"    operations = [migrations.AddField('post', '{field}', "
            + "models.TextField(null=True))]\n",
        )
    base = repo.commit("blog app")
    for name in ("0001_initial.py", "0002_x.py", "0003_x.py"):
        repo.move(f"server/blog/migrations/{name}", f"apps/api/blog/migrations/{name}")
    repo.write(
        "apps/api/blog/migrations/0004_summary.py",
        header
        + "    dependencies = [('blog', '0003_x')]\n"
        + "    operations = [migrations.AddField('post', 'summary', "
        + "models.TextField(null=True))]\n",
    )
    repo.commit("move the project under apps/api")
    result = run_cli("report", "--repo", str(repo.path), f"{base}..HEAD")
    assert result.code == 0, result.err
    assert "3 released migrations moved here with their ids and statements unchanged" in result.out
    assert "4. `blog.0004_summary` — added" in result.out
    assert "1 migration (0 flagged), 3 released migrations moved unchanged" in result.out
    assert "database: 1 migration in this range" in result.out
