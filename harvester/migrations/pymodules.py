"""The repository's own Python modules, found by dotted name at one side and parsed on demand.

Migrations use code that lives elsewhere in the tree: a Django field class by its dotted path
(`nautobot.extras.models.statuses.StatusField`), an Alembic decorator by an import
(`from app.migrations import guards`). Both are followed here, by reading the files at the
ref, never by importing them.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass

from harvester.migrations import pyast
from harvester.migrations.base import RepoView, Side


@dataclass(frozen=True, slots=True)
class PythonFile:
    """A module of the tree: where it was read, its package (for relative imports), its code."""

    path: str
    package: str
    code: pyast.Module

    def imports(self) -> dict[str, tuple[str, str | None]]:
        """The names its top-level imports bind, each to (absolute module, name taken from it):
        `from .fields import X as Y` in package `a.b` binds Y to ("a.b.fields", "X");
        `import a.utils as u` binds u to ("a.utils", None), `import a.utils` binds "a.utils"."""
        found: dict[str, tuple[str, str | None]] = {}
        for node in self.code.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.asname or alias.name] = (alias.name, None)
            elif isinstance(node, ast.ImportFrom):
                source = absolute_module(node.module or "", node.level, self.package)
                for alias in node.names:
                    found[alias.asname or alias.name] = (source, alias.name)
        return found


def absolute_module(target: str, level: int, package: str) -> str:
    """`from ..fields import X` in package `a.b` names module `a.fields`."""
    if level == 0:
        return target
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, target] if target else parts)


def package_of(path: str) -> str:
    """The dotted package of the file at `path` (`app/migrations/versions/0002.py` ->
    `app.migrations.versions`)."""
    return posixpath.dirname(path).replace("/", ".")


class PythonModules:
    """The tree's Python modules at one side, by dotted name, each read and parsed once.

    `a.b` is `a/b.py` or `a/b/__init__.py`, at the root, in `src/`, or below the one folder
    that holds it (a package kept in `backend/a/b.py`)."""

    def __init__(self, view: RepoView, side: Side) -> None:
        self.view = view
        self.side = side
        self._found: dict[str, PythonFile | None] = {}
        self._paths: frozenset[str] | None = None

    def module(self, dotted: str) -> PythonFile | None:
        """The module `dotted`, or None when the tree does not hold it as parseable Python."""
        if dotted not in self._found:
            self._found[dotted] = self._read(dotted)
        return self._found[dotted]

    def _read(self, dotted: str) -> PythonFile | None:
        stem = dotted.replace(".", "/")
        for candidate in (f"{stem}.py", posixpath.join(stem, "__init__.py")):
            is_package = candidate.endswith("__init__.py")
            for path in self._locations(candidate):
                source = self.view.read(self.side, path)
                if source.text is None:
                    continue
                code = pyast.parse_module(source.text)
                if not isinstance(code, pyast.Module):
                    return None
                package = dotted if is_package else dotted.rpartition(".")[0]
                return PythonFile(path, package, code)
        return None

    def _locations(self, candidate: str) -> list[str]:
        """Where `candidate` may sit: the root, `src/`, else the one deeper folder holding it."""
        direct = [p for p in (candidate, f"src/{candidate}") if p in self._tree()]
        if direct:
            return direct
        below = [p for p in self._tree() if p.endswith("/" + candidate)]
        return below if len(below) == 1 else []

    def _tree(self) -> frozenset[str]:
        if self._paths is None:
            self._paths = frozenset(p for p in self.view.tree(self.side, "") if p.endswith(".py"))
        return self._paths
