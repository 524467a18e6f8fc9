"""The JSON report: the model as data (`asdict`), serialised deterministically."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

from harvester.model import Report


def to_data(record: Any) -> Any:
    """Plain JSON-ready data for a model record (enums become their values)."""
    data = asdict(record) if is_dataclass(record) and not isinstance(record, type) else record
    return json.loads(json.dumps(data, ensure_ascii=False))


def report_json(report: Report) -> str:
    """The JSON document of the report contract."""
    return json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n"
