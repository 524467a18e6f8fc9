"""The translator's shared state: what one Django operation runs, and where it is replayed.

Each family of operations (models, fields, indexes, code) is a mixin over `TranslatorBase`;
`operations.Translator` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harvester.migrations.django.columns import Schema
from harvester.migrations.django.fields import FieldSpec
from harvester.migrations.django.files import Operation
from harvester.migrations.django.state import ModelState, ProjectState
from harvester.migrations.schema import ops


@dataclass
class Translation:
    """What one operation does to the database, both ways."""

    up: list[ops.Operation] = field(default_factory=list)
    down: list[ops.Operation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state_only: list[str] = field(default_factory=list)
    irreversible: list[str] = field(default_factory=list)
    reverse_noop: bool = False


class TranslatorBase:
    """The project state one app's operations are replayed on, and the engine."""

    def __init__(
        self,
        state: ProjectState,
        app_label: str,
        dialect: ops.Dialect | None,
        sqlite_secondary: bool = False,
    ) -> None:
        self.state = state
        self.app = app_label
        self.dialect = dialect
        self.schema = Schema(state, dialect)
        self.sqlite_secondary = sqlite_secondary
        # Fields this migration removed, by model and name: a field renamed into one of these
        # names takes its column's place.
        self.removed: dict[tuple[str, str], FieldSpec] = {}

    def apply(self, operation: Operation) -> Translation:
        """Translate `operation` and apply it to the state (see `operations.Translator`)."""
        raise NotImplementedError

    def _model(self, name: str) -> ModelState:
        found = self.state.get(self.app, name)
        return found if found is not None else ModelState(self.app, name)

    def _sqlite_remake(
        self,
        model: ModelState,
        result: Translation,
        remakes: bool,
        change: str,
        adds: tuple[str, ...] = (),
    ) -> None:
        """Django's SQLite backend rebuilds the table (create, copy, drop, rename) for most
        changes: an operation of its own there, a note where SQLite is a secondary engine."""
        if not remakes:
            return
        if self.dialect is ops.Dialect.SQLITE:
            rebuild = ops.RebuildTable(
                model.table,
                "Django's SQLite table remake",
                changes=(change,),
                applies_alters=True,
                declares_columns=adds,
            )
            result.up.insert(0, rebuild)
        elif self.sqlite_secondary:
            result.notes.append(
                f"on SQLite Django rebuilds {model.table} (copy and rename) for this"
            )
