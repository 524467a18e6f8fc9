"""One Alembic revision file, and the order a folder of them runs in.

    revision = "3f2a1b"
    down_revision = ("9c8d7e", "41ab00")   # a merge revision
    branch_labels = None
    depends_on = None

Order comes from the `down_revision` chain, never from file names: parents before children,
merge revisions after all their parents. Revisions nothing revises are the heads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from harvester.analysis.wording import first_few
from harvester.cache import cached
from harvester.migrations import pyast
from harvester.migrations.alembic.body import StepReader
from harvester.migrations.alembic.decorators import EngineSkip
from harvester.migrations.graphs import post_order
from harvester.migrations.schema import describe, ops

LOOKS_LIKE_REVISION = re.compile(r"^(?:down_)?revision\s*(?::[^=\n]*)?=", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Revision:
    """What a revision file declares and runs."""

    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    parsed: ops.ParsedMigration
    # enum types upgrade() adds columns of without creating them: (type, "table.column")
    types_needed: tuple[tuple[str, str], ...] = ()
    types_created: tuple[str, ...] = ()
    types_if_missing: tuple[str, ...] = ()  # created with checkfirst: nothing if they exist


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A revision file `ast` cannot read, and where."""

    message: str
    line: int | None


@cached("alembic-revision")
def parse_revision(
    path: str, text: str, dialect: ops.Dialect | None, skips: tuple[EngineSkip, ...] = ()
) -> Revision | Unreadable | None:
    """The revision in `text` (None when the file declares no `revision`); a pure function of
    its arguments, so it can be cached by blob and engine. `skips` are what the decorators of
    upgrade() and downgrade() do, read where they are defined."""
    module = pyast.parse_module(text)
    if isinstance(module, pyast.SyntaxProblem):
        return Unreadable(module.message, module.line)
    revision = module.evaluate(module.constants.get("revision"))
    if not isinstance(revision, str) or "down_revision" not in module.constants:
        return None
    down = module.evaluate(module.constants.get("down_revision"))
    upgrade = module.functions.get("upgrade")
    downgrade = module.functions.get("downgrade")
    notes: list[str] = []
    if upgrade is None:
        notes.append("no upgrade() function")
    up_reader, down_reader = StepReader(module, dialect), StepReader(module, dialect)
    up = up_reader.read(upgrade, module_code=True) if upgrade else ops.Step()
    down_step = down_reader.read(downgrade) if downgrade else None
    for function in (upgrade, downgrade):
        if function is not None and function.decorator_list:
            notes += _decorator_notes(function, skips, dialect)
    if upgrade is not None and (skipped := _skipped(upgrade, skips, dialect, module)):
        up = ops.Step((skipped,))
    if downgrade is not None and (skipped := _skipped(downgrade, skips, dialect, module)):
        down_step = ops.Step((skipped,))
    kinds = _constraint_kinds(up, down_step)
    up = _with_drop_kinds(up, kinds)
    down_step = _with_drop_kinds(down_step, kinds) if down_step is not None else None
    notes += [f"upgrade(), {problem}" for problem in up_reader.broken]
    if down_step is not None and down_reader.broken:
        down_step = replace(down_step, broken=tuple(down_reader.broken))
    if down_step is not None and down_reader.types_needed:
        down_step = replace(down_step, notes=down_step.notes + tuple(down_reader.type_notes()))
    if down_step is not None and up_reader.conditional:
        # what the up step did depends on the run: the down step cannot be checked against it
        down_step = None
        notes.append(
            "downgrade() is not compared with upgrade(): part of upgrade() runs only "
            "on one side of a run-time condition"
        )
    raises = downgrade is not None and _only_raises(downgrade)
    if raises and downgrade is not None:
        notes.append(
            f"downgrade() only raises (line {downgrade.lineno}): this revision cannot be downgraded"
        )
    return Revision(
        revision=revision,
        down_revisions=pyast.strings(down),
        branch_labels=pyast.strings(module.evaluate(module.constants.get("branch_labels"))),
        depends_on=pyast.strings(module.evaluate(module.constants.get("depends_on"))),
        types_needed=tuple(
            (enum, column) for enum, found in up_reader.types_needed.items() for column in found
        ),
        types_created=tuple(
            sorted(
                up_reader.types_created
                | {o.name for o in up.operations if isinstance(o, ops.CreateEnumType)}
            )
        ),
        types_if_missing=tuple(sorted(up_reader.types_if_missing)),
        parsed=ops.ParsedMigration(
            id=revision,
            path=path,
            up=up,
            down=None if raises else down_step,
            down_declared=downgrade is not None and not raises,
            down_is_noop=downgrade is not None and pyast.is_noop_body(downgrade),
            notes=tuple(notes),
        ),
    )


def _constraint_kinds(*steps: ops.Step | None) -> dict[tuple[str, str], ops.ConstraintKind]:
    """The kind of each named constraint the file creates, by (table, name): a primary key,
    unique constraint or foreign key made in one function and dropped by name in the other."""
    found: dict[tuple[str, str], set[ops.ConstraintKind]] = {}
    for step in steps:
        for table, constraint in _constraints_made(step.operations if step else ()):
            if constraint.name:
                found.setdefault((table, constraint.name), set()).add(constraint.kind)
    return {key: kinds.pop() for key, kinds in found.items() if len(kinds) == 1}


def _constraints_made(
    operations: tuple[ops.Operation, ...],
) -> Iterator[tuple[str, ops.Constraint]]:
    for operation in operations:
        if isinstance(operation, ops.AddConstraint):
            yield operation.table, operation.constraint
        elif isinstance(operation, ops.CreateTable):
            yield from ((operation.table, c) for c in operation.constraints)


def _with_drop_kinds(step: ops.Step, kinds: dict[tuple[str, str], ops.ConstraintKind]) -> ops.Step:
    """`op.drop_constraint(name, table)` without `type_=` drops whatever constraint has that
    name: tagged with the kind the file gives the constraint of that name."""
    operations = tuple(
        replace(o, kind=kinds[(o.table, o.name)])
        if isinstance(o, ops.DropConstraint)
        and o.kind is None
        and o.name
        and (o.table, o.name) in kinds
        else o
        for o in step.operations
    )
    return replace(step, operations=operations) if operations != step.operations else step


def _skipped(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    skips: tuple[EngineSkip, ...],
    dialect: ops.Dialect | None,
    module: pyast.Module,
) -> ops.Opaque | None:
    """What a function its decorator skips on the project's engine runs: nothing there, and
    what it does on the other engines (read for the first of them)."""
    engine = dialect or ops.Dialect.POSTGRESQL
    skip = next((s for s in skips if s.function == function.name), None)
    if skip is None or engine not in skip.engines:
        return None
    others = [d for d in ops.Dialect if d not in skip.engines]
    elsewhere = StepReader(module, others[0]).read(function).operations
    labels = [describe.operation_label(o) for o in elsewhere]
    runs = f"; on other engines: {first_few(labels)}" if labels else ""
    return ops.Opaque(
        f"{function.name}() does nothing on {engine.value}: its decorator {skip.decorator} "
        f"skips it ({_read_in(skip)}){runs}"
    )


def _decorator_notes(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    skips: tuple[EngineSkip, ...],
    dialect: ops.Dialect | None,
) -> list[str]:
    """What a reviewer should know about the decorators of upgrade() or downgrade()."""
    engine = dialect or ops.Dialect.POSTGRESQL
    notes = []
    for decorator in function.decorator_list:
        written = pyast.dotted(decorator) or ast.unparse(decorator)
        skip = next(
            (s for s in skips if (s.function, s.decorator) == (function.name, written)), None
        )
        if skip is None:
            notes.append(
                f"{function.name}() has decorator @{written}, which harvester does not read: "
                "it may decide whether the body runs"
            )
        elif engine not in skip.engines:
            engines = ", ".join(d.value for d in skip.engines)
            notes.append(
                f"{function.name}() is skipped on {engines} by its decorator {written} "
                f"({_read_in(skip)})"
            )
    return notes


def _read_in(skip: EngineSkip) -> str:
    return "judged from its name" if skip.source == "its name" else f"read in {skip.source}"


def _only_raises(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [
        s
        for s in function.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


@dataclass(frozen=True, slots=True)
class Chain:
    """A folder's revisions in execution order, with its heads and dangling parents."""

    order: tuple[str, ...]
    heads: tuple[str, ...]
    missing: Mapping[str, tuple[str, ...]]


def chain(revisions: Mapping[str, Revision]) -> Chain:
    """Execution order: each revision after its parents (and `depends_on`), roots first."""
    parents = {
        name: [p for p in r.down_revisions + r.depends_on if p in revisions]
        for name, r in revisions.items()
    }
    missing = {
        name: lost
        for name, r in revisions.items()
        if (lost := tuple(p for p in r.down_revisions if p not in revisions))
    }
    has_child = {p for found in parents.values() for p in found}
    heads = tuple(sorted(r for r in revisions if r not in has_child))
    order = list(post_order(heads, parents))
    order += sorted(r for r in revisions if r not in order)  # cycles: what is left
    return Chain(tuple(order), heads, missing)
