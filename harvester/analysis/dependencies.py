"""Technical Dependencies hints: packages added, removed and upgraded between the two ends of
the range, from the manifests and lock files the range changed.

Both versions of every such file are read in one batched blob read and parsed as data
(`tomllib`, `json`, line patterns); nothing in them is ever run.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harvester.analysis.file_kinds import requirements_file
from harvester.gitsource.records import PathStat
from harvester.model import DependencyChange

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# (group, package) -> version; the group is None for a manifest's main dependencies.
Packages = dict[tuple[str | None, str], str]
ReadBlobs = Callable[[Sequence[str]], Mapping[str, bytes | None]]

_PEP508 = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(?:;.*)?$")


def dependency_changes(diff: Sequence[PathStat], read: ReadBlobs) -> tuple[DependencyChange, ...]:
    """Every package change in the manifests and lock files of the range diff."""
    pairs = [(d, _parser(d.path)) for d in diff]
    wanted = [(d, parser) for d, parser in pairs if parser is not None and not d.binary]
    blobs = read([b for d, _ in wanted for b in (d.old_blob, d.new_blob) if b])
    changes: list[DependencyChange] = []
    for stat, parser in wanted:
        assert parser is not None
        old = _parsed(parser, stat.old_blob, blobs)
        new = _parsed(parser, stat.new_blob, blobs)
        if old is not None and new is not None:
            changes += _compare(stat.path, old, new)
    return tuple(changes)


def _parsed(
    parser: Callable[[str], Packages], blob: str | None, blobs: Mapping[str, bytes | None]
) -> Packages | None:
    """The packages of one side: none when the side is absent, None when it cannot be read."""
    if blob is None:
        return {}
    data = blobs.get(blob)
    if data is None:
        return None
    try:
        return parser(data.decode("utf-8-sig"))
    except (ValueError, TypeError, AttributeError, KeyError, UnicodeDecodeError):
        return None


def _compare(path: str, old: Packages, new: Packages) -> list[DependencyChange]:
    keys = sorted(set(old) | set(new), key=lambda k: (k[0] or "", k[1].lower()))
    return [
        DependencyChange(path, name, old.get((group, name)), new.get((group, name)), group)
        for group, name in keys
        if old.get((group, name)) != new.get((group, name))
    ]


def compares(path: str) -> bool:
    """True for the manifests and lock files whose packages harvester compares."""
    return _parser(path) is not None


def _parser(path: str) -> Callable[[str], Packages] | None:
    if requirements_file(path):
        return _requirements
    return _PARSERS.get(posixpath.basename(path).lower())


def _requirements(text: str) -> Packages:
    packages: Packages = {}
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", "file:", ".")):
            continue
        requirement = _requirement(line.split(" --", 1)[0])
        if requirement:
            packages[(None, requirement[0])] = requirement[1]
    return packages


def _requirement(text: str) -> tuple[str, str] | None:
    """(normalised name, version spec) of a PEP 508 requirement."""
    match = _PEP508.match(text)
    if not match:
        return None
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = match.group(2).replace(" ", "")
    if spec.startswith("==") and "," not in spec:
        spec = spec[2:]
    return name, spec or "any"


def _pyproject(text: str) -> Packages:
    data = tomllib.loads(text)
    packages: Packages = {}

    def add(group: str | None, items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            requirement = _requirement(item) if isinstance(item, str) else None
            if requirement:
                packages[(group, requirement[0])] = requirement[1]

    project = data.get("project", {})
    add(None, project.get("dependencies"))
    for extra, items in sorted(project.get("optional-dependencies", {}).items()):
        add(f"optional-dependencies.{extra}", items)
    for name, items in sorted(data.get("dependency-groups", {}).items()):
        add(f"dependency-groups.{name}", items)
    add("build-system", data.get("build-system", {}).get("requires"))
    tool = data.get("tool", {})
    add("tool.uv.dev-dependencies", tool.get("uv", {}).get("dev-dependencies"))
    poetry = tool.get("poetry", {})
    _poetry_table(packages, None, poetry.get("dependencies", {}))
    _poetry_table(packages, "dev-dependencies", poetry.get("dev-dependencies", {}))
    for group, table in sorted(poetry.get("group", {}).items()):
        _poetry_table(packages, f"group.{group}", table.get("dependencies", {}))
    return packages


def _poetry_table(packages: Packages, group: str | None, table: Mapping[str, Any]) -> None:
    for name, value in table.items():
        if name.lower() != "python":
            packages[(group, re.sub(r"[-_.]+", "-", name).lower())] = _declared(value)


def _declared(value: Any) -> str:
    """A dependency's version as a manifest declares it: a string, or a table's version."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("version", "tag", "rev", "branch"):
            if isinstance(value.get(key), str):
                return str(value[key])
        for key in ("git", "path", "url"):
            if key in value:
                return key
        if value.get("workspace"):
            return "workspace"
    if isinstance(value, list):
        return ", ".join(sorted({_declared(v) for v in value}))
    return "any"


def _toml_lock(text: str) -> Packages:
    """poetry.lock and uv.lock: `[[package]]` tables; the project's own entries are skipped."""
    versions: dict[str, set[str]] = defaultdict(set)
    for package in tomllib.loads(text).get("package", []):
        source = package.get("source")
        if isinstance(source, dict) and (
            {"editable", "virtual", "path", "directory"} & set(source)
            or source.get("type") in ("directory", "file")
        ):
            continue
        versions[str(package["name"])].add(str(package.get("version", "?")))
    return _joined(versions)


def _cargo_lock(text: str) -> Packages:
    versions: dict[str, set[str]] = defaultdict(set)
    for package in tomllib.loads(text).get("package", []):
        if "source" in package:  # workspace members and path crates have none
            versions[str(package["name"])].add(str(package["version"]))
    return _joined(versions)


def _joined(versions: Mapping[str, set[str]]) -> Packages:
    return {(None, name): ", ".join(sorted(found)) for name, found in versions.items()}


def _package_json(text: str) -> Packages:
    data = json.loads(text)
    packages: Packages = {}
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        for name, version in data.get(section, {}).items():
            group = None if section == "dependencies" else section
            packages[(group, name)] = str(version)
    return packages


def _package_lock(text: str) -> Packages:
    data = json.loads(text)
    versions: dict[str, set[str]] = defaultdict(set)
    for key, entry in data.get("packages", {}).items():
        if key and "node_modules/" in key and not entry.get("link") and "version" in entry:
            versions[key.rsplit("node_modules/", 1)[1]].add(str(entry["version"]))
    if not data.get("packages"):
        _npm_v1(data.get("dependencies", {}), versions)
    return _joined(versions)


def _npm_v1(dependencies: Mapping[str, Any], versions: dict[str, set[str]]) -> None:
    for name, entry in dependencies.items():
        if "version" in entry:
            versions[name].add(str(entry["version"]))
        _npm_v1(entry.get("dependencies", {}), versions)


def _yarn_lock(text: str) -> Packages:
    versions: dict[str, set[str]] = defaultdict(set)
    name = None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")) and line.rstrip().endswith(":"):
            descriptor = line.split(",")[0].strip().strip('"').rstrip(":").strip('"')
            at = descriptor.find("@", 1)
            name = descriptor[:at] if at > 0 else None
            if "@workspace:" in descriptor or descriptor == "__metadata":
                name = None
        elif name and line.strip().startswith("version"):
            versions[name].add(line.split(None, 1)[1].strip().strip(":").strip().strip('"'))
            name = None
    return _joined(versions)


def _pnpm_lock(text: str) -> Packages:
    """pnpm-lock.yaml keys: `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)` (v6), `name@1.0.0` (v9)."""
    version_5 = re.search(r"^lockfileVersion:\s*['\"]?5", text, re.M) is not None
    versions: dict[str, set[str]] = defaultdict(set)
    in_packages = False
    for line in text.splitlines():
        if line and not line.startswith(" "):
            in_packages = line.rstrip() in ("packages:", "snapshots:")
            continue
        match = re.match(r"^  ['\"]?/?([^'\"\s][^'\"]*?)['\"]?:\s*$", line)
        if not in_packages or not match:
            continue
        key = match.group(1)
        if version_5:
            found = re.match(r"^(.+?)/(\d[^/_]*)", key)
            name, version = (found.group(1), found.group(2)) if found else ("", "")
        else:
            at = key.find("@", 1)
            name, version = (key[:at], re.split(r"[(_]", key[at + 1 :])[0]) if at > 0 else ("", "")
        if name and version:
            versions[name].add(version)
    return _joined(versions)


def _go_mod(text: str) -> Packages:
    packages: Packages = {}
    in_block = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("require ("):
            in_block = True
            continue
        if in_block and line.startswith(")"):
            in_block = False
            continue
        if not in_block and not line.startswith("require "):
            continue
        parts = line.removeprefix("require ").split()
        if len(parts) >= 2 and not parts[0].startswith("//"):
            packages[("indirect" if "// indirect" in line else None, parts[0])] = parts[1]
    return packages


def _gemfile_lock(text: str) -> Packages:
    packages: Packages = {}
    section = ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        match = re.match(r"^    ([^\s(]+) \(([^)]+)\)$", line)
        if match and section in ("GEM", "GIT"):
            packages[(None, match.group(1))] = match.group(2)
    return packages


def _mix_lock(text: str) -> Packages:
    packages: Packages = {}
    for match in re.finditer(r'^\s*"([^"]+)":\s*\{:(hex|git),\s*([^,]+),\s*"([^"]+)"', text, re.M):
        version = match.group(4) if match.group(2) == "hex" else match.group(4)[:12]
        packages[(None, match.group(1))] = version
    return packages


def _cargo_toml(text: str) -> Packages:
    data = tomllib.loads(text)
    packages: Packages = {}
    sections = [(None, data), ("workspace", data.get("workspace", {}))]
    sections += [(f"target.{t}", table) for t, table in sorted(data.get("target", {}).items())]
    for prefix, table in sections:
        for kind in ("dependencies", "dev-dependencies", "build-dependencies"):
            group = ".".join(p for p in (prefix, kind) if p)
            for name, value in table.get(kind, {}).items():
                packages[(None if group == "dependencies" else group, name)] = _declared(value)
    return packages


_PARSERS: dict[str, Callable[[str], Packages]] = {
    "pyproject.toml": _pyproject,
    "poetry.lock": _toml_lock,
    "uv.lock": _toml_lock,
    "package.json": _package_json,
    "package-lock.json": _package_lock,
    "npm-shrinkwrap.json": _package_lock,
    "yarn.lock": _yarn_lock,
    "pnpm-lock.yaml": _pnpm_lock,
    "go.mod": _go_mod,
    "gemfile.lock": _gemfile_lock,
    "mix.lock": _mix_lock,
    "cargo.toml": _cargo_toml,
    "cargo.lock": _cargo_lock,
}
