"""Operations that run code: RunSQL (through the SQL module), RunPython (read as a syntax
tree), SeparateDatabaseAndState and PostgreSQL extensions.

    migrations.RunPython(fill_badge_key, migrations.RunPython.noop)
"""

from __future__ import annotations

from harvester.migrations.django import naming
from harvester.migrations.django.files import Operation, is_noop_reference
from harvester.migrations.django.python_code import PythonCode, RowAction
from harvester.migrations.django.translation import Translation, TranslatorBase
from harvester.migrations.pyast import Value, render
from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations

EXTENSIONS = {
    "HStoreExtension": "hstore",
    "TrigramExtension": "pg_trgm",
    "UnaccentExtension": "unaccent",
    "BtreeGinExtension": "btree_gin",
    "BtreeGistExtension": "btree_gist",
    "CITextExtension": "citext",
    "CryptoExtension": "pgcrypto",
    "BloomExtension": "bloom",
    "CreateExtension": "",
}


class CodeOperations(TranslatorBase):
    """Operations whose effect is code: SQL, Python, or state kept apart from the database."""

    def _extension(self, operation: Operation, result: Translation) -> None:
        name = EXTENSIONS.get(operation.kind) or operation.text("name")
        result.up.append(ops.Opaque(f"CREATE EXTENSION IF NOT EXISTS {name}"))
        result.down.append(ops.Opaque(f"DROP EXTENSION IF EXISTS {name}"))

    def _RunSQL(self, operation: Operation, result: Translation) -> None:
        result.up += self._sql(operation.arg("sql"), operation.line)
        reverse = operation.arg("reverse_sql")
        if reverse is None:
            result.irreversible.append(f"RunSQL (line {operation.line}) has no reverse_sql")
        elif is_noop_reference(reverse):
            result.reverse_noop = True
        else:
            result.down += self._sql(reverse, operation.line)
        self._replay_state(operation.state)

    def _sql(self, value: Value, line: int) -> list[ops.Operation]:
        texts: list[str] = []
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, tuple) and item and isinstance(item[0], str):
                item = item[0]
            if isinstance(item, str):
                texts.append(item)
            elif item is not None and not is_noop_reference(item):
                return [
                    ops.Opaque(f"SQL built at run time: {render(item)[:80]}", raw=True, line=line)
                ]
        found: list[ops.Operation] = []
        for text in texts:
            if text.strip():
                found += sql_operations(text, self.dialect, line).operations
        return found

    def _RunPython(self, operation: Operation, result: Translation) -> None:
        code, reverse = operation.code, operation.reverse_code
        reversible = reverse is not None and not reverse.noop
        if reverse is None:
            result.irreversible.append(f"RunPython (line {operation.line}) has no reverse_code")
        elif reverse.noop:
            result.reverse_noop = True
        if code is not None:
            result.up += self._python(code, operation.line, reversible)
            result.notes += _live_models(code) + _sequence_resets(code)
        if reverse is not None and not reverse.noop:
            result.down += self._python(reverse, operation.line, None)
        if operation.arg("atomic") is False:
            result.notes.append(f"RunPython (line {operation.line}) runs outside a transaction")

    def _python(self, code: PythonCode, line: int, reversible: bool | None) -> list[ops.Operation]:
        if code.noop:
            return []
        if not code.found:
            return [
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"runs {code.name}, defined outside this file: not read",
                    reversible=reversible,
                    line=line,
                )
            ]
        found: list[ops.Operation] = []
        for position, action in enumerate(code.actions):
            table = self._table_of(action.app_label, action.model)
            if action.source is not None:
                found.append(self._copy(code, action, table, reversible))
                continue
            found.append(
                ops.DataChange(
                    action.kind,
                    table=table,
                    detail=f"{code.name}(): " + action.detail.replace("{table}", table),
                    has_where=action.has_where,
                    reversible=reversible,
                    # The function raises on bad data once, not once per row change it makes.
                    raises_on_data=code.raises and position == 0,
                    line=action.line,
                    columns=self._columns_of(action.app_label, action.model, action.fields),
                )
            )
        for text, sql_line in code.sql:
            found += sql_operations(text, self.dialect, sql_line).operations
        for other in code.others:
            found.append(
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"{code.name}(): {other}",
                    reversible=reversible,
                    line=line,
                )
            )
        tables = [self._table_of(app, model) for app, model in code.models]
        if not found:
            found.append(
                ops.DataChange(
                    ops.DataChangeKind.CODE,
                    detail=f"runs {code.name}() (line {code.line})"
                    + (f" with {', '.join(tables)}" if tables else "")
                    + ": no row change recognised, read it",
                    reversible=reversible,
                    raises_on_data=code.raises,
                    line=code.line,
                )
            )
        return found

    def _copy(
        self, code: PythonCode, action: RowAction, table: str, reversible: bool | None
    ) -> ops.DataChange:
        """Rows of one table inserted into another one by one: the run time grows with the
        table read. Said without a table written, so that it is judged by the rows it reads
        (the inserts themselves are said apart)."""
        assert action.source is not None
        source = self._table_of(*action.source)
        detail = action.detail.replace("{source}", source).replace("{table}", table)
        return ops.DataChange(
            ops.DataChangeKind.CODE,
            detail=f"{code.name}(): {detail}",
            has_where=action.has_where,
            reversible=reversible,
            line=action.line,
        )

    def _columns_of(
        self, app_label: str | None, model_name: str, fields: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Field names as the model's column names (`project` is `project_id`)."""
        model = self.state.get(app_label or self.app, model_name)
        if model is None:
            return fields
        return tuple(self.schema.column_of(self.state.concrete(model))(f) for f in fields)

    def _table_of(self, app_label: str | None, model_name: str) -> str:
        model = self.state.get(app_label or self.app, model_name)
        if model is not None:
            return self.state.table_of(model)
        if app_label is None and "(" in model_name:
            return model_name
        return naming.table_name(app_label or self.app, model_name)

    def _SeparateDatabaseAndState(self, operation: Operation, result: Translation) -> None:
        scratch = type(self)(self.state.copy(), self.app, self.dialect, self.sqlite_secondary)
        for inner in operation.database:
            step = scratch.apply(inner)
            result.up += step.up
            result.down = step.down + result.down
            result.notes += step.notes
            result.irreversible += step.irreversible
        self._replay_state(operation.state)
        if not operation.database:
            result.state_only.append("SeparateDatabaseAndState with state operations only")

    def _replay_state(self, operations: tuple[Operation, ...]) -> None:
        for inner in operations:
            self.apply(inner)


def _live_models(code: PythonCode) -> list[str]:
    """A model class imported from the project (not `apps.get_model`) has the fields of the
    code being deployed, not those the database has at this migration."""
    if not code.live:
        return []
    names = ", ".join(model for _, model in code.live)
    return [
        f"{code.name}() uses the live model class {names}, not the historical one from "
        "apps.get_model: it sees the fields of the code being deployed, which may not match "
        "the database at this step"
    ]


def _sequence_resets(code: PythonCode) -> list[str]:
    return [
        f"{code.name}() resets a sequence with SELECT setval (line {line}): it changes no rows"
        for line in code.sequence_resets
    ]
