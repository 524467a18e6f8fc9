"""The order Django runs migrations in: a graph of `dependencies` across apps.

Squashed migrations (`replaces`) stand in for the ones they replace once those are gone; while
the originals are still there, databases that ran them only record the squash as applied, so
the squash changes nothing in the plan and the originals carry the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harvester.migrations.django.files import MigrationFile
from harvester.migrations.graphs import post_order

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Plan:
    """Execution order and what the graph says about it."""

    order: tuple[Key, ...]
    inert_squashes: frozenset[Key]
    conflicts: Mapping[str, tuple[str, ...]]


def plan(migrations: Mapping[Key, MigrationFile], settings: Mapping[str, str]) -> Plan:
    """The execution order of `migrations` as `migrate` on an empty database plans it."""
    inert: set[Key] = set()
    covered: dict[Key, Key] = {}
    for key, migration in migrations.items():
        if not migration.replaces:
            continue
        if all(r in migrations for r in migration.replaces):
            inert.add(key)
        else:
            covered.update({r: key for r in migration.replaces})
    nodes = {k: m for k, m in migrations.items() if k not in covered}
    parents: dict[Key, set[Key]] = {key: set() for key in nodes}
    for key, migration in nodes.items():
        for dependency in migration.dependencies:
            parent = _resolve(dependency, nodes, covered, settings)
            if parent is not None and parent != key:
                parents[key].add(parent)
        if key in inert:
            parents[key].update(migration.replaces)
        for later in migration.run_before:
            target = covered.get(later, later)
            if target in parents:
                parents[target].add(key)
    # A squash standing beside its originals is an alternative to them, not a branch.
    leaves = _leaves({k: m for k, m in nodes.items() if k not in inert}, parents)
    return Plan(
        order=post_order(
            sorted([k for keys in leaves.values() for k in keys] + list(inert)),
            {key: sorted(found) for key, found in parents.items()},
        ),
        inert_squashes=frozenset(inert),
        conflicts={app: tuple(n for _, n in keys) for app, keys in leaves.items() if len(keys) > 1},
    )


def _resolve(
    dependency: Key,
    nodes: Mapping[Key, MigrationFile],
    covered: Mapping[Key, Key],
    settings: Mapping[str, str],
) -> Key | None:
    app, name = dependency
    if app == "__setting__":
        value = settings.get(name, "")
        if "." not in value:
            return None
        app, name = value.split(".")[0], "__first__"
    if name in ("__first__", "__latest__"):
        own = sorted(k for k in nodes if k[0] == app)
        if not own:
            return None
        return own[0] if name == "__first__" else own[-1]
    key = covered.get((app, name), (app, name))
    return key if key in nodes else None


def _leaves(
    nodes: Mapping[Key, MigrationFile], parents: Mapping[Key, set[Key]]
) -> dict[str, list[Key]]:
    """Per app, the migrations no other migration of the same app depends on."""
    has_child = {p for key, ps in parents.items() for p in ps if p[0] == key[0]}
    leaves: dict[str, list[Key]] = {}
    for key in sorted(nodes):
        if key not in has_child:
            leaves.setdefault(key[0], []).append(key)
    return leaves
