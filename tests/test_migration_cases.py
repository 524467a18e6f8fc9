"""Every migration fixture case gives exactly its expected Database section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.migration_cases import ROOT, analyse_case, cases, expected_path


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.parent.name}/{c.name}")
def test_case_matches_expectation(case: Path) -> None:
    expected_file = expected_path(case)
    assert expected_file.exists(), (
        f"no expectation for {case.relative_to(ROOT)}: review the output of "
        f"`python tests/migration_cases.py {case.parent.name}` and commit it"
    )
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert analyse_case(case) == expected, (
        f"{case.relative_to(ROOT)} differs from its expectation; if the change is intended, "
        f"run `python tests/migration_cases.py {case.parent.name}` and review the diff"
    )
