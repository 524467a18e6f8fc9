"""The JSON report: the model as plain data, serialised deterministically and compactly.

Equivalent to `dataclasses.asdict` (field order, tuples as lists, enums as their values) but
without its deep copies, which dominate on a 5,000-commit range. Pipe through `jq` to read it.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import cache
from typing import Any

from harvester.model import Report


@cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record_type))


def to_data(record: Any) -> Any:
    """Plain JSON-ready data for a model record (enums become their values)."""
    if isinstance(record, Enum):
        return record.value
    if isinstance(record, (str, int, float, bool)) or record is None:
        return record
    if isinstance(record, (tuple, list)):
        return [to_data(item) for item in record]
    if isinstance(record, dict):
        return {key: to_data(value) for key, value in record.items()}
    if is_dataclass(record) and not isinstance(record, type):
        return {name: to_data(getattr(record, name)) for name in _field_names(type(record))}
    raise TypeError(f"cannot serialise {type(record).__name__}")


def report_json(report: Report) -> str:
    """The JSON document of the report contract, on one line."""
    return json.dumps(to_data(report), ensure_ascii=False, separators=(",", ":")) + "\n"
