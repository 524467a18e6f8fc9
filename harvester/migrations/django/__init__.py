"""Django migrations: `<app>/migrations/NNNN_name.py`, read with `ast`, never imported.

class Migration(migrations.Migration):
    dependencies = [("api", "0116_alter_channel_kind")]
    operations = [migrations.AddField("check", "badge_key", models.CharField(max_length=150))]

Each migration is translated against the model state the project's earlier migrations build,
so `AlterField` says what really changes in the database (often nothing).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from harvester.migrations import engines, pyast
from harvester.migrations.base import (
    AnalysisSettings,
    MigrationRoot,
    PathChange,
    RepoView,
    Side,
    Source,
    SystemResult,
)
from harvester.migrations.django.changes import RangeChanges, moves_by_id
from harvester.migrations.django.custom_fields import field_bases
from harvester.migrations.django.folders import (
    MAYBE_ELSEWHERE,
    MIGRATION_FILE,
    NUMBERED,
    Folders,
    migration_name,
    other_folders,
)
from harvester.migrations.django.project import (
    ParseCache,
    Project,
    Replay,
    load_project,
    replay,
)
from harvester.migrations.edits import with_note
from harvester.migrations.schema.assemble import assemble
from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts.naming import NOT_DEPLOYED
from harvester.model import ChangeKind


class DjangoSystem:
    """Django's migration framework."""

    name = "django"

    def find_roots(self, changed_paths: Sequence[str]) -> Sequence[MigrationRoot]:
        """One root for the project: the folder common to every changed `migrations` folder
        (migrations of several apps are ordered together), test and example apps left out. A
        numbered module of another `…migrations` folder counts too: the settings may name it
        (MIGRATION_MODULES), which `analyse` checks."""
        candidates = [
            p
            for p in changed_paths
            if (MIGRATION_FILE.search(p) or MAYBE_ELSEWHERE.search(p))
            and not NOT_DEPLOYED.search(p)
        ]
        numbered = [p for p in candidates if NUMBERED.search(p)]
        # Django names migrations NNNN_name.py; other files in a `migrations` folder (an
        # Alembic plugin's revisions) only decide the root when nothing else does.
        folders = sorted({posixpath.dirname(p) for p in numbered or candidates})
        if not folders:
            return []
        common = posixpath.commonpath(folders) if len(folders) > 1 else folders[0]
        return [MigrationRoot(self.name, common or ".")]

    def analyse(
        self, root: MigrationRoot, view: RepoView, settings: AnalysisSettings
    ) -> SystemResult:
        """The range's migrations under `root`, in execution order."""
        scope = "" if root.root == "." else root.root
        named = any(r.system == self.name and r.root == root.root for r in settings.extra_roots)
        configured = scope if named else None
        folders = other_folders(view, configured)
        changes = [c for c in view.changes_under(scope) if _is_candidate(c, folders)]
        if not changes:
            return SystemResult()
        cache = ParseCache()
        head = load_project(view, Side.HEAD, cache, folders)
        base = load_project(view, Side.BASE, cache, folders)
        changes = [
            c
            for c in changes
            if (
                c.path in base.by_path if c.status is ChangeKind.DELETED else c.path in head.by_path
            )
        ]
        if not changes:
            return SystemResult()
        changes = moves_by_id(changes, head, base)
        sources = engines.config_sources(view, near=posixpath.dirname(changes[0].path))
        evidence = _engine(root, sources, head)
        project_settings = _project_settings(sources)
        sqlite_secondary = Dialect.SQLITE in evidence.others

        def replay_at(side: Side, project: Project) -> Replay:
            bases = field_bases(view, side, project)
            return replay(project, evidence.dialect, project_settings, sqlite_secondary, bases)

        head_replay = replay_at(Side.HEAD, head)
        base_replay = None
        if any(c.status is not ChangeKind.ADDED for c in changes):
            base_replay = replay_at(Side.BASE, base)
        ranged = RangeChanges(view, head, base, head_replay, base_replay, evidence, self.name)
        inputs = with_note(ranged.inputs(changes), evidence.note)
        return SystemResult(
            migrations=assemble(inputs, settings, ranged.base_operations),
            findings=ranged.range_findings(changes),
            dialect=evidence.dialect,
        )


def _is_candidate(change: PathChange, folders: Folders) -> bool:
    paths = [change.path] + ([change.old_path] if change.old_path else [])
    return any(migration_name(p, folders) and not NOT_DEPLOYED.search(p) for p in paths)


def _engine(root: MigrationRoot, sources: list[Source], head: Project) -> engines.EngineEvidence:
    if root.dialect is not None:
        return engines.EngineEvidence(root.dialect)
    evidence = engines.engines_in_sources(sources)
    if evidence.dialect is not None:
        return evidence
    if any(_uses_postgres_contrib(entry.parsed) for entry in head.by_path.values()):
        return engines.EngineEvidence(
            Dialect.POSTGRESQL,
            note="no engine in the settings files; judged for postgresql because migrations "
            "use django.contrib.postgres",
        )
    return engines.EngineEvidence(
        None, note="no database engine found in the settings files: judged for PostgreSQL first"
    )


def _uses_postgres_contrib(parsed: object) -> bool:
    operations = getattr(parsed, "operations", ())
    imports = getattr(parsed, "imports", ())
    return any("contrib.postgres" in name for name in imports) or any(
        op.kind.endswith("Concurrently") for op in operations
    )


def _project_settings(sources: list[Source]) -> dict[str, str]:
    """The settings replay needs: the swappable user model (`"accounts.User"`, else Django's
    own) and DEFAULT_AUTO_FIELD when the settings name one."""
    found = {"AUTH_USER_MODEL": "auth.User"}
    for name in ("DEFAULT_AUTO_FIELD", "AUTH_USER_MODEL"):
        for source in sources:
            module = pyast.parse_module(source.text or "")
            if isinstance(module, pyast.Module) and name in module.constants:
                value = module.evaluate(module.constants[name])
                if isinstance(value, str) and "." in value:
                    found[name] = value
                    break
    return found


SYSTEM = DjangoSystem()
