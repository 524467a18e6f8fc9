"""A folder's changed revision files as assembler inputs in chain order, and its findings:
several heads, released revisions re-parented onto new ones, reformatted released files.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from harvester.migrations import pyast
from harvester.migrations.alembic.calls import type_needed_note
from harvester.migrations.alembic.decorators import engine_skips
from harvester.migrations.alembic.revisions import (
    LOOKS_LIKE_REVISION,
    Revision,
    Unreadable,
    chain,
    parse_revision,
)
from harvester.migrations.base import PathChange, RepoView, Side, Source
from harvester.migrations.edits import (
    reformat_finding,
    same_database_operations,
    unreadable_base,
    with_note,
)
from harvester.migrations.engines import EngineEvidence
from harvester.migrations.schema import ops
from harvester.migrations.schema.assemble import MigrationInput
from harvester.model import ChangeKind, Finding, ImpactTag, Problem

_CANDIDATE = re.compile(r"\.py$")
Parsed = Revision | Unreadable | None


@dataclass(frozen=True, slots=True)
class FolderResult:
    """The inputs and findings of one revision folder."""

    inputs: list[MigrationInput]
    findings: tuple[Finding, ...]
    # The released revisions' operations in chain order (the schema at the base), read when
    # a revision of the range needs an earlier definition.
    base_operations: Callable[[], tuple[ops.Operation, ...]] = lambda: ()


@dataclass
class RevisionChanges:
    """Reads one folder at both ends of the range and turns its changed files into inputs."""

    view: RepoView
    folder: str
    evidence: EngineEvidence
    system: str
    findings: list[Finding] = field(default_factory=list)
    reformatted: list[PathChange] = field(default_factory=list)

    def analyse(
        self, changes: Sequence[PathChange], head_texts: Mapping[str, Source]
    ) -> FolderResult:
        """Inputs in chain order (deleted revisions last) and the folder's findings."""
        head = {p: self._parse(p, s, Side.HEAD) for p, s in head_texts.items()}
        base_texts = (
            self._texts(Side.BASE) if any(c.status is not ChangeKind.ADDED for c in changes) else {}
        )
        base = {p: self._parse(p, s, Side.BASE) for p, s in base_texts.items()}
        head_revisions = {r.revision: r for r in head.values() if isinstance(r, Revision)}
        if not head_revisions and not any(isinstance(r, Revision) for r in base.values()):
            return FolderResult([], ())
        order = chain(head_revisions)
        position = {name: i for i, name in enumerate(order.order)}
        base_revisions = {r.revision: r for r in base.values() if isinstance(r, Revision)}
        base_chain = chain(base_revisions)
        base_position = {name: i for i, name in enumerate(base_chain.order)}
        added = {
            r.revision
            for c in changes
            if c.status is ChangeKind.ADDED and isinstance(r := head.get(c.path), Revision)
        }
        rows: list[tuple[tuple[int, int], MigrationInput]] = []
        for change in changes:
            if change.status is ChangeKind.DELETED:
                gone = base.get(change.path)
                if gone is None:
                    continue
                key = (1, base_position.get(gone.revision, 0) if isinstance(gone, Revision) else 0)
                rows.append((key, self._input(change, gone, True)))
                continue
            current = head.get(change.path)
            if current is None:
                if change.path not in head or posixpath.basename(change.path) == "__init__.py":
                    continue
                current = Unreadable(
                    "not parsed: the file declares no `revision`; Alembic refuses to load a "
                    "versions folder with it (Could not determine revision id from filename)",
                    None,
                )
            old = base.get(change.old_path or change.path)
            if old is None and change.status is ChangeKind.RENAMED and change.old_path:
                # Moved in from another folder (the package moved): read where it came from.
                source = self.view.read(Side.BASE, change.old_path)
                old = (
                    self._parse(change.old_path, source, Side.BASE)
                    if source.text is not None
                    else None
                )
            released = (change.old_path or change.path) in base_texts
            item = self._input(change, current, released or change.status is not ChangeKind.ADDED)
            if isinstance(current, Revision):
                item = self._annotated(item, current, order.missing.get(current.revision, ()))
                item = _with_known_types(item, current, head_revisions)
                if change.status is ChangeKind.MODIFIED and isinstance(old, Revision):
                    item = self._modified(item, change, old, current, added, base_texts, head_texts)
                elif change.status is ChangeKind.RENAMED and isinstance(old, Revision):
                    item = replace(
                        item,
                        base_parsed=old.parsed,
                        added_in=None,
                        first_release=None,
                        renamed_from=old.revision,
                    )
                    item = _moved_note(item, change.old_path)
                    item = self._moved_edits(item, change, old, current, head_texts)
                elif change.status is ChangeKind.MODIFIED and isinstance(old, Unreadable):
                    item = replace(item, modification=unreadable_base(old.message))
            key = (
                0,
                position.get(current.revision, len(position))
                if isinstance(current, Revision)
                else len(position),
            )
            rows.append((key, item))
        rows.sort(key=lambda row: row[0])
        inputs = with_note([row[1] for row in rows], self.evidence.note)
        findings = list(self.findings)
        if self.reformatted:
            findings.insert(0, reformat_finding(self.reformatted))
        if len(order.heads) > 1:
            findings.append(self._heads(order.heads, head_revisions))
        lost = [h for h in base_chain.heads if h not in head_revisions]
        if lost and (finding := self._lost_heads(lost, base_revisions, head_texts)):
            findings.append(finding)
        moved_from = {posixpath.dirname(c.old_path) for c in changes if c.old_path} - {self.folder}
        return FolderResult(
            inputs, tuple(findings), lambda: self._released(base_revisions, moved_from)
        )

    def _released(
        self, base: Mapping[str, Revision], moved_from: set[str]
    ) -> tuple[ops.Operation, ...]:
        """The operations of the revisions at the base, in chain order: the folder's own, and
        those of each folder the range moved revisions here from (what a database at the base
        ran, wherever the range put the files)."""
        folders = sorted(moved_from) + ([] if base else [self.folder])
        texts = {p: s for folder in folders for p, s in self._texts(Side.BASE, folder).items()}
        parsed = (self._parse(p, s, Side.BASE) for p, s in texts.items())
        known = {r.revision: r for r in parsed if isinstance(r, Revision)}
        known.update(base)
        return tuple(o for name in chain(known).order for o in known[name].parsed.up.operations)

    def _parse(self, path: str, source: Source, side: Side) -> Parsed:
        if source.text is None:
            return Unreadable(source.problem or "not parsed: unreadable", None)
        skips = engine_skips(self.view, side, path, source.text)
        return parse_revision(path, source.text, self.evidence.dialect, skips)

    def _texts(self, side: Side, folder: str | None = None) -> dict[str, Source]:
        folder = folder or self.folder
        return {
            path: self.view.read_blob(item.blob, path)
            for path, item in self.view.tree(side, folder).items()
            if posixpath.dirname(path) == folder and _CANDIDATE.search(path)
        }

    def _input(
        self, change: PathChange, parsed: Revision | Unreadable, released: bool
    ) -> MigrationInput:
        if isinstance(parsed, Unreadable):
            problem = Problem(change.path, parsed.message, parsed.line)
            name = posixpath.basename(change.path).rsplit(".", 1)[0]
            return MigrationInput(
                id=name,
                path=change.path,
                system=self.system,
                dialect=self.evidence.dialect,
                change=change.status,
                released=released,
                problems=(problem,),
                added_in=change.added_in,
                first_release=change.first_release,
            )
        return MigrationInput(
            id=parsed.revision,
            path=change.path,
            system=self.system,
            dialect=self.evidence.dialect,
            change=change.status,
            released=released,
            parsed=parsed.parsed,
            added_in=change.added_in,
            first_release=change.first_release,
        )

    def _annotated(
        self, item: MigrationInput, revision: Revision, missing: tuple[str, ...]
    ) -> MigrationInput:
        """The chain in a note: what the revision follows, or that it merges branches."""
        parents = revision.down_revisions
        if not parents:
            note = "first revision of its chain (its down_revision is None)"
        elif len(parents) == 1:
            note = f"follows {parents[0]}"
        else:
            note = f"merge revision joining {', '.join(parents)}"
        notes = [note]
        if missing:
            notes.append(f"down_revision {', '.join(missing)} is not in {self.folder}")
        if revision.branch_labels:
            notes.append(f"branch label {', '.join(revision.branch_labels)}")
        if item.parsed is None:
            return item
        return replace(item, parsed=replace(item.parsed, notes=(*notes, *item.parsed.notes)))

    def _modified(
        self,
        item: MigrationInput,
        change: PathChange,
        old: Revision,
        new: Revision,
        added: set[str],
        base_texts: Mapping[str, Source],
        head_texts: Mapping[str, Source],
    ) -> MigrationInput:
        before = _module(base_texts.get(change.old_path or change.path))
        after = _module(head_texts.get(change.path))
        if before is None or after is None:
            return item
        if pyast.fingerprint(before) == pyast.fingerprint(after):
            self.reformatted.append(change)
            return replace(item, format_only=True)
        parts = list(pyast.changed_definitions(pyast.definitions(before), pyast.definitions(after)))
        if old.down_revisions != new.down_revisions:
            fresh = [p for p in new.down_revisions if p in added]
            if fresh:
                self.findings.append(
                    Finding(
                        ImpactTag.OUT_OF_ORDER,
                        f"released revision {new.revision} now follows {', '.join(fresh)}, added "
                        "in this range: databases already at or past it never run the new one",
                        (change.path,),
                        change.commits,
                    )
                )
        what = "; ".join(_edit_words(parts, old, new)) or "the file changed"
        if same_database_operations(old.parsed, new.parsed):
            what += "; the database operations are the same"
        return replace(item, format_only=False, modification=what)

    def _moved_edits(
        self,
        item: MigrationInput,
        change: PathChange,
        old: Revision,
        new: Revision,
        head_texts: Mapping[str, Source],
    ) -> MigrationInput:
        """A released revision moved with its id: what else changed in the file, if anything
        (statements added for another engine, a branch label renamed)."""
        before = _module(self.view.read(Side.BASE, change.old_path or change.path))
        after = _module(head_texts.get(change.path))
        if before is None or after is None or pyast.fingerprint(before) == pyast.fingerprint(after):
            return item
        parts = list(pyast.changed_definitions(pyast.definitions(before), pyast.definitions(after)))
        what = "; ".join(_edit_words(parts, old, new)) or "the file changed"
        if same_database_operations(old.parsed, new.parsed):
            engine = (self.evidence.dialect or ops.Dialect.POSTGRESQL).value
            what += f"; the database operations are the same on {engine}"
        return replace(item, format_only=False, modification=what)

    def _lost_heads(
        self, lost: Sequence[str], base: Mapping[str, Revision], head_texts: Mapping[str, Source]
    ) -> Finding | None:
        """A finding when the revision a database at the base records is named by no revision
        file at the head, here or in another changed folder (the tree was moved and squashed),
        while revisions remain: alembic cannot upgrade such a database."""
        elsewhere = (
            self.view.read(Side.HEAD, c.path)
            for c in self.view.changes()
            if c.status is not ChangeKind.DELETED
            and c.path.endswith(".py")
            and posixpath.dirname(c.path) != self.folder
        )
        texts = [
            text
            for source in (*head_texts.values(), *elsewhere)
            if (text := source.text) is not None and LOOKS_LIKE_REVISION.search(text)
        ]
        gone = [h for h in lost if not any(h in text for text in texts)]
        if not texts or not gone:
            return None
        names = ", ".join(gone)
        return Finding(
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            f"the head revision at the base ({names}) is in no revision file at the head: "
            f"alembic upgrade stops on a database at {names} (Can't locate revision "
            f"identified by '{gone[0]}') unless an earlier release first upgrades it to a "
            "revision the head still has",
            tuple(base[h].parsed.path for h in gone),
        )

    def _heads(self, heads: tuple[str, ...], revisions: Mapping[str, Revision]) -> Finding:
        labelled = all(revisions[h].branch_labels for h in heads)
        detail = f"{len(heads)} heads in {self.folder} ({', '.join(heads)}): " + (
            "labelled branches; `alembic upgrade heads` runs them all"
            if labelled
            else "`alembic upgrade head` stops with 'Multiple head revisions' until a merge "
            "revision joins them"
        )
        paths = tuple(r.parsed.path for h in heads if (r := revisions[h]))
        return Finding(ImpactTag.MULTIPLE_HEADS, detail, paths)


def _moved_note(item: MigrationInput, old_path: str | None) -> MigrationInput:
    """`moved from legacy/migrations/versions`, for a revision file another folder held."""
    folder = posixpath.dirname(old_path or "")
    if item.parsed is None or not old_path or folder == posixpath.dirname(item.path):
        return item
    notes = (*item.parsed.notes, f"moved from {folder}")
    return replace(item, parsed=replace(item.parsed, notes=notes))


def _with_known_types(
    item: MigrationInput, revision: Revision, revisions: Mapping[str, Revision]
) -> MigrationInput:
    """Enum types as the chain knows them: a note for each type upgrade() adds a column of
    without creating it, unless a revision it follows created the type; a create with
    checkfirst of a type such a revision created does nothing."""
    parsed = item.parsed
    if not (revision.types_needed or revision.types_if_missing) or parsed is None:
        return item
    earlier = _types_created_before(revision, revisions)
    notes = [type_needed_note(t, column) for t, column in revision.types_needed if t not in earlier]
    existing = set(revision.types_if_missing) & earlier
    notes += [
        f"enum type {name} exists already (an earlier revision created it)"
        for name in sorted(existing)
    ]
    kept = tuple(
        o
        for o in parsed.up.operations
        if not (isinstance(o, ops.CreateEnumType) and o.name in existing)
    )
    return replace(
        item,
        parsed=replace(
            parsed, up=replace(parsed.up, operations=kept), notes=(*parsed.notes, *notes)
        ),
    )


def _types_created_before(revision: Revision, revisions: Mapping[str, Revision]) -> set[str]:
    """The enum types the revisions `revision` follows (all its ancestors) create."""
    found: set[str] = set()
    seen: set[str] = set()
    pending = [*revision.down_revisions, *revision.depends_on]
    while pending:
        name = pending.pop()
        parent = revisions.get(name)
        if name in seen or parent is None:
            continue
        seen.add(name)
        found.update(parent.types_created)
        pending += [*parent.down_revisions, *parent.depends_on]
    return found


def _module(source: Source | None) -> ast.Module | None:
    if source is None or source.text is None:
        return None
    module = pyast.parse_module(source.text)
    return module.tree if isinstance(module, pyast.Module) else None


def _edit_words(parts: list[str], old: Revision, new: Revision) -> list[str]:
    """The changed parts of a revision file in words; a renamed branch label says which, as
    `alembic upgrade <label>@head` stops finding the old one."""
    words = []
    for part in parts:
        if part == "branch_labels =" and old.branch_labels != new.branch_labels:
            before = ", ".join(old.branch_labels) or "none"
            words.append(f"branch label {before} -> {', '.join(new.branch_labels) or 'none'}")
        else:
            words.append(_worded(part))
    return words


def _worded(part: str) -> str:
    """`function upgrade` -> `upgrade() changed`, `down_revision =` -> `down_revision changed`."""
    if part.startswith("function "):
        name = part.removeprefix("function ")
        return f"{name}()" + ("" if name.endswith(("added", "removed")) else " changed")
    if part.endswith(" ="):
        return f"{part[:-2]} changed"
    return part if part.endswith(("added", "removed")) else f"{part} changed"
