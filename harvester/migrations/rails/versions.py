"""What `ActiveRecord::Migration[x.y]` changes: Rails keeps old migrations' defaults.

class AddStatus < ActiveRecord::Migration[6.1]   # datetime without precision, legacy names
"""

from __future__ import annotations

RailsVersion = tuple[int, int]

LATEST: RailsVersion = (8, 0)
LEGACY: RailsVersion = (4, 2)


def parse_version(text: str) -> RailsVersion | None:
    """`"7.1"` -> (7, 1); None when `text` is not a `major.minor` number."""
    major, _, minor = text.partition(".")
    if not major.isdigit() or (minor and not minor.isdigit()):
        return None
    return int(major), int(minor or 0)


def timestamps_not_null(version: RailsVersion) -> bool:
    """`t.timestamps` is NOT NULL from 5.0."""
    return version >= (5, 0)


def references_indexed(version: RailsVersion) -> bool:
    """`t.references` adds an index by default from 5.0."""
    return version >= (5, 0)


def bigint_keys(version: RailsVersion) -> bool:
    """Primary keys and references are bigint from 5.1 (integer before)."""
    return version >= (5, 1)


def timestamps_precision(version: RailsVersion) -> int | None:
    """`t.timestamps` has precision 6 from 6.0."""
    return 6 if version >= (6, 0) else None


def datetime_precision(version: RailsVersion) -> int | None:
    """Every datetime column has precision 6 from 7.0."""
    return 6 if version >= (7, 0) else None


def polymorphic_index_named_after_reference(version: RailsVersion) -> bool:
    """Polymorphic reference indexes are named `index_<table>_on_<name>` from 6.1."""
    return version >= (6, 1)
