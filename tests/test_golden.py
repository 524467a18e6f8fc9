"""Whole rendered reports of the sample range against reviewed golden files, and the JSON
report against its schema.

Update goldens only on purpose: `HARVESTER_UPDATE_GOLDENS=1 python -m pytest tests/test_golden.py`,
then read the diff before committing.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from repo_builder import RepoBuilder

from harvester import model
from tests.conftest import CliResult

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).resolve().parent.parent / "harvester" / "schema" / "report.schema.json"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HARVESTER_UPDATE_GOLDENS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {name}: run with HARVESTER_UPDATE_GOLDENS=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if intended, rerun with "
        "HARVESTER_UPDATE_GOLDENS=1 and review the diff"
    )


@pytest.mark.parametrize(("fmt", "name"), [("markdown", "sample.md"), ("json", "sample.json")])
def test_sample_report_matches_golden(
    sample: RepoBuilder, run_cli: Callable[..., CliResult], fmt: str, name: str
) -> None:
    result = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "--format", fmt)
    assert result.code == 0, result.err
    text = result.out
    if fmt == "json":
        assert text.count("\n") == 1
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    _check_golden(name, text)


def test_json_report_is_valid_against_the_schema(
    sample: RepoBuilder, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("report", "--repo", str(sample.path), "v1.0..v1.1", "--format", "json")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(result.out), schema)


@pytest.mark.parametrize(
    ("record", "definition"),
    [
        (model.Report, None),
        (model.RangeInfo, "range"),
        (model.FileChange, "file"),
        (model.Commit, "commit"),
        (model.Migration, "migration"),
        (model.Impact, "impact"),
        (model.Finding, "finding"),
        (model.Database, "database"),
        (model.Hints, "hints"),
        (model.SchemaSnapshot, "snapshot"),
        (model.Problem, "problem"),
        (model.DatabaseSystem, "database_system"),
        (model.TableChange, "table_change"),
        (model.DependencyChange, "dependency_change"),
    ],
)
def test_schema_lists_every_model_field(record: type, definition: str | None) -> None:
    schema = json.loads(SCHEMA.read_text())
    node = schema if definition is None else schema["$defs"][definition]
    fields = {f.name for f in dataclasses.fields(record)}
    assert set(node["properties"]) == fields
    assert set(node["required"]) == fields
