"""Files Modified as a directory tree: real folders, single-child chains collapsed, subtotals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from harvester.analysis.wording import churn, plural
from harvester.model import ChangeKind, FileChange


@dataclass
class _Folder:
    name: str
    folders: dict[str, _Folder] = field(default_factory=dict)
    files: list[FileChange] = field(default_factory=list)

    def totals(self) -> tuple[int, int, int]:
        count = len(self.files)
        additions = sum(f.additions for f in self.files)
        deletions = sum(f.deletions for f in self.files)
        for child in self.folders.values():
            c, a, d = child.totals()
            count, additions, deletions = count + c, additions + a, deletions + d
        return count, additions, deletions


def tree_lines(files: Iterable[FileChange], root_label: str = "./") -> list[str]:
    """The tree as text lines (not yet escaped), rooted at the repository's top folder."""
    root = _Folder(root_label)
    for change in files:
        folder = root
        *parents, _ = change.path.split("/")
        for part in parents:
            folder = folder.folders.setdefault(part, _Folder(part))
        folder.files.append(change)
    count, additions, deletions = root.totals()
    lines = [f"{root_label}  ({plural(count, 'file')}, {churn(additions, deletions)})"]
    lines += _children(root, "")
    return lines


def _collapse(folder: _Folder) -> tuple[str, _Folder]:
    name = folder.name
    while len(folder.folders) == 1 and not folder.files:
        (folder,) = folder.folders.values()
        name = f"{name}/{folder.name}"
    return name, folder


def _children(folder: _Folder, indent: str) -> list[str]:
    entries: list[tuple[str, _Folder | FileChange]] = [
        (name, child) for name, child in sorted(folder.folders.items())
    ]
    entries += [(f.path.rsplit("/", 1)[-1], f) for f in sorted(folder.files, key=lambda f: f.path)]
    lines = []
    for index, (_, entry) in enumerate(entries):
        last = index == len(entries) - 1
        branch, extension = ("└── ", "    ") if last else ("├── ", "│   ")
        if isinstance(entry, _Folder):
            name, target = _collapse(entry)
            count, additions, deletions = target.totals()
            lines.append(
                f"{indent}{branch}{name}/  ({plural(count, 'file')}, {churn(additions, deletions)})"
            )
            lines += _children(target, indent + extension)
        else:
            lines.append(f"{indent}{branch}{file_line(entry)}")
    return lines


def file_line(change: FileChange) -> str:
    """`name  [status +a/−d]  summary` for one file."""
    name = change.path.rsplit("/", 1)[-1]
    return f"{name}  [{status_text(change)}]  {change.summary}"


def status_text(change: FileChange) -> str:
    """`added +30/−0`, `renamed from a/b.py (95%) +2/−2`, `binary, modified`."""
    words = change.status.value.replace("_", " ")
    if change.status in (ChangeKind.RENAMED, ChangeKind.COPIED) and change.old_path:
        similarity = f", {change.similarity}% similar" if change.similarity is not None else ""
        words += f" from {change.old_path}{similarity}"
    if change.binary:
        return f"binary, {words}"
    if change.contents_missing:
        return f"contents not in this clone, {words}"
    if change.additions or change.deletions:
        words += f" {churn(change.additions, change.deletions)}"
    return words
