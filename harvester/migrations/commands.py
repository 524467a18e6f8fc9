"""Migration DSL calls (Rails, Ecto) as commands: what each does going up and how it is undone.

A `change` method (Rails) or `change/0` function (Ecto) is rolled back by undoing its commands
in reverse order; one command that cannot be undone makes the whole rollback raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from harvester.migrations.literals import PLACEHOLDER, Interpolated, Value
from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations


@dataclass(frozen=True, slots=True)
class Command:
    """One DSL call: its operations going up, their undoing (None: cannot be undone, `why`)."""

    up: tuple[ops.Operation, ...]
    down: tuple[ops.Operation, ...] | None = ()
    why: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Directions:
    """A migration's two directions as steps, with what the parse learnt about its down.

    `down` is None when rolling back is impossible (the system raises); `notes` say why.
    """

    up: ops.Step
    down: ops.Step | None
    down_declared: bool = True
    down_is_noop: bool = False
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class StepState:
    """What reading one method or function noticed beyond commands: raises and row reads."""

    raises: list[str] = field(default_factory=list)
    reads: bool = False


def sequence(commands: Sequence[Command]) -> Command:
    """Commands run one after another, as one command (undone in reverse order)."""
    up = tuple(op for command in commands for op in command.up)
    notes = tuple(note for command in commands for note in command.notes)
    blocked = next((c for c in commands if c.down is None), None)
    if blocked is not None:
        return Command(up, None, blocked.why, notes)
    down = tuple(op for command in reversed(commands) for op in command.down or ())
    return Command(up, down, None, notes)


def inverted(command: Command, what: str) -> Command:
    """`command` run backwards (Rails `revert do … end`); `what` names it when it cannot be."""
    if command.down is None:
        return Command((), None, command.why or f"{what} cannot be reverted", command.notes)
    return Command(command.down, command.up, None, command.notes)


def from_change(body: Command, transactional: bool, system_words: str) -> Directions:
    """Directions of a reversible `change` body; `system_words` names what a failed rollback
    raises ("ActiveRecord::IrreversibleMigration")."""
    up = ops.Step(body.up, transactional, _unique(body.notes))
    if body.down is None:
        reason = body.why or "a command cannot be reversed"
        note = f"rollback raises {system_words}: {reason}"
        return Directions(_one_way(up), None, down_declared=False, notes=(note,))
    return Directions(up, ops.Step(body.down, transactional))


def from_up_down(
    up_body: Command,
    down_body: Command | None,
    transactional: bool,
    *,
    down_raises: str | None = None,
    missing: str | None = None,
) -> Directions:
    """Directions of explicit up and down bodies. `down_body` None: there is no down; it
    raises on rollback unless `missing` says what the system does instead (Rails: nothing).
    `down_raises`: the down refuses to run (why)."""
    up = ops.Step(up_body.up, transactional, _unique(up_body.notes))
    if down_raises is not None:
        return Directions(_one_way(up), None, down_declared=False, notes=(down_raises,))
    if down_body is None and missing is not None:
        return Directions(_one_way(up), ops.Step(), down_is_noop=True, notes=(missing,))
    if down_body is None:
        note = "no down step: rollback raises"
        return Directions(_one_way(up), None, down_declared=False, notes=(note,))
    down = ops.Step(down_body.up, transactional, _unique(down_body.notes))
    if not down_body.up:
        return Directions(_one_way(up), down, down_is_noop=True)
    return Directions(up, down)


def mark_raising(directions: Directions, state: StepState) -> Directions:
    """Data changes of the up step that fail on unexpected rows: a `raise` next to row writes
    marks them; next to row reads only, a check of existing rows is added (`data_dependent`)."""
    if not state.raises:
        return directions
    operations = list(directions.up.operations)
    found = False
    for i, op in enumerate(operations):
        if isinstance(op, ops.DataChange):
            operations[i] = replace(op, raises_on_data=True)
            found = True
    if not found and state.reads:
        operations.append(
            ops.DataChange(
                ops.DataChangeKind.CHECK,
                None,
                f"checks existing rows and raises on unexpected data ({state.raises[0]})",
                reversible=True,  # it changes no row, so rolling back has nothing to undo
                raises_on_data=True,
            )
        )
    return replace(directions, up=replace(directions.up, operations=tuple(operations)))


def _one_way(step: ops.Step) -> ops.Step:
    """Data changes of `step` marked as not undone: the migration has no working down."""
    changed = tuple(
        replace(op, reversible=False)
        if isinstance(op, ops.DataChange) and op.reversible is None
        else op
        for op in step.operations
    )
    return replace(step, operations=changed)


def _unique(notes: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(notes))


def sql_command(
    value: Value,
    source: str,
    first: int,
    line: int,
    what: str,
    dialect: ops.Dialect | None,
    language: str,
) -> Command:
    """An `execute` call's SQL as a command: literal text is parsed, interpolated text parsed
    with placeholders (and a note), SQL built at run time reported as raw (`source` names it)."""
    notes: tuple[str, ...] = ()
    if isinstance(value, Interpolated):
        text = value.text
        notes = (
            f"SQL at line {first} is built with {language} interpolation; analysed with "
            "placeholders",
        )
    elif isinstance(value, str):
        text = value
    else:
        shown = source if len(source) <= 60 else source[:59] + "…"
        summary = f"{what} of SQL built at run time ({shown})"
        return Command((ops.Opaque(summary, raw=True, line=line),), None, what)
    if not text.strip():
        return Command((), (), None, notes)
    analysis = sql_operations(text, dialect, first)
    extra = tuple(f"SQL not parsed: {p}" for p in analysis.problems)
    if PLACEHOLDER in text and not notes:
        notes = (f"SQL contains a {language} interpolation placeholder",)
    return Command(analysis.operations, None, f"{what} of SQL", notes + extra)
