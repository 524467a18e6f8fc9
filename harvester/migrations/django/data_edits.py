"""What an edit of a released migration's RunPython data changes for the databases that ran it.

    COUNTRIES = [("fr", "France"), ("de", "Germany"), ("it", "Italy")]   # Italy added later

    def add_countries(apps, schema_editor):
        for code, name in COUNTRIES:
            Country.objects.get_or_create(code=code, defaults={"name": name})

reads as "1 entry added to COUNTRIES, read by add_countries(): databases that ran it do not
get the new rows": they ran the function before the entry was there and will not run it again.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from harvester.analysis.wording import plural
from harvester.migrations import pyast
from harvester.migrations.django.files import Comparison, MigrationFile
from harvester.migrations.django.python_code import PythonCode
from harvester.migrations.schema.ops import DataChangeKind

_INSERTS = frozenset({DataChangeKind.INSERT, DataChangeKind.INSERT_SELECT})


def data_edits(
    new: MigrationFile, comparison: Comparison, changed: Sequence[str]
) -> dict[str, str]:
    """For each changed definition (`COUNTRIES =`, `function add_countries`) a forward
    RunPython function reads, what the change means for databases that ran it."""
    module, old_module = comparison.module, comparison.old_module
    if module is None or old_module is None:
        return {}
    # each forward RunPython function with the names it reads, worked out once
    readers = [(code, pyast.names_read(module, code.name)) for code in _forward_code(new)]
    found = {}
    for key in changed:
        name = key.removeprefix("function ").removesuffix(" =")
        reader = next((code for code, read in readers if name in read), None)
        before, after = _statement(old_module, key), _statement(module, key)
        if reader is None or before is None or after is None:
            continue
        grown = pyast.grown_lists(before, after)
        if grown:
            found[key] = _grown_wording(grown, name, key, reader)
        elif not key.startswith("function "):
            found[key] = f"{name} (read by {reader.name}()) changed"
    return found


def _forward_code(new: MigrationFile) -> list[PythonCode]:
    """The forward functions of the file's RunPython operations that the file defines."""
    return [
        step.code
        for operation in new.operations
        for step in (operation, *operation.database)
        if step.base_kind == "RunPython" and step.code is not None and step.code.found
    ]


def _grown_wording(grown: list[tuple[str, int]], name: str, key: str, code: PythonCode) -> str:
    inside = key.startswith("function ")
    lists = ", ".join(
        f"{plural(count, 'entry', 'entries')} added to "
        + (target or (f"a list in {name}()" if inside else name))
        for target, count in grown
    )
    read = "" if inside and name == code.name else f", read by {code.name}()"
    inserts = any(a.kind in _INSERTS for a in code.actions)
    outcome = "do not get the new rows" if inserts else "ran it without them"
    return f"{lists}{read}: databases that ran it {outcome}"


def _statement(module: pyast.Module, key: str) -> ast.stmt | None:
    """The top-level statement `pyast.definitions` calls `key`."""
    return next((s for s in module.tree.body if pyast.definition_key(s) == key), None)
