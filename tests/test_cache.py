"""The content cache: a second run on the same range reuses the database analysis and gives the
same report; a new tag renews it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from repo_builder import RepoBuilder

from harvester import pipeline
from harvester.gitsource.refs import RangeRequest
from harvester.model import Report
from harvester.options import ReportOptions
from harvester.pipeline import build_report


def _report(repo: RepoBuilder, span: str = "v1.0..v1.1", use_cache: bool = True) -> Report:
    options = ReportOptions(repo=str(repo.path), range=RangeRequest(span), use_cache=use_cache)
    return build_report(options)


def _refuse(*args: object) -> None:
    raise AssertionError("the database analysis ran although its result was cached")


@pytest.fixture
def own_sample(sample: RepoBuilder, tmp_path: Path) -> RepoBuilder:
    """A copy of the sample, so tags can be added without touching the shared one."""
    shutil.copytree(sample.path, tmp_path / "shop")
    return RepoBuilder(tmp_path / "shop")


def test_second_run_reuses_the_analysis(
    own_sample: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _report(own_sample)
    assert len(first.database.migrations) >= 3
    monkeypatch.setattr(pipeline, "analyse_database", _refuse)
    assert _report(own_sample) == first


def test_a_new_tag_renews_the_analysis(
    own_sample: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Which release shipped each migration decides some risks, so tags are part of the key.
    first = _report(own_sample, "v1.0..main")
    assert {m.first_tag for m in first.database.migrations} == {"v1.1"}
    runs: list[object] = []
    analyse = pipeline.analyse_database
    monkeypatch.setattr(pipeline, "analyse_database", lambda *a: runs.append(a) or analyse(*a))
    _report(own_sample, "v1.0..main")
    assert runs == []
    own_sample.git("tag", "v1.0.9", "v1.1^{commit}")
    again = _report(own_sample, "v1.0..main")
    assert len(runs) == 1
    assert {m.first_tag for m in again.database.migrations} == {"v1.0.9"}


def test_without_the_cache_the_analysis_runs(
    own_sample: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _report(own_sample)
    monkeypatch.setattr(pipeline, "analyse_database", _refuse)
    with pytest.raises(AssertionError, match="analysis ran"):
        _report(own_sample, use_cache=False)
