"""Migration fixture cases: `tests/fixtures/migrations/<system>/<case>/{base,head}/…` beside
`<case>.expected.json`. Run this file to (re)write expectations on purpose:

    python tests/migration_cases.py [system ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).parent / "fixtures" / "migrations"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.migrations.database import analyse_database  # noqa: E402
from harvester.render.json_report import to_data  # noqa: E402
from tests.support.memory_view import MemoryView  # noqa: E402


def cases(systems: list[str] | None = None) -> list[Path]:
    """Every case folder (one with a `head` tree), optionally for some systems only."""
    found = sorted(p.parent for p in ROOT.glob("*/*/head"))
    return [c for c in found if not systems or c.parent.name in systems]


def analyse_case(case: Path) -> dict[str, object]:
    """The Database section harvester reports for a case, as JSON data."""
    data = to_data(analyse_database(MemoryView.from_folder(case)))
    assert isinstance(data, dict)
    return data


def expected_path(case: Path) -> Path:
    """Where a case's expectation lives."""
    return case.parent / f"{case.name}.expected.json"


def main(argv: list[str]) -> None:
    """Rewrite the expectations of every case (or of the systems named)."""
    for case in cases(argv or None):
        expected_path(case).write_text(
            json.dumps(analyse_case(case), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        print(f"wrote {expected_path(case).relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
