"""Files Modified: the tree names every path once, collapses chains, folds noise, sums right."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harvester.analysis.file_kinds import classify
from harvester.model import ChangeKind, FileChange, FileKind
from harvester.render.files_tree import status_text, tree_lines


def _change(path: str, additions: int = 1, deletions: int = 0, **extra: object) -> FileChange:
    fields: dict[str, object] = {
        "path": path,
        "old_path": None,
        "status": ChangeKind.MODIFIED,
        "additions": additions,
        "deletions": deletions,
        "binary": False,
        "kind": FileKind.SOURCE,
        "summary": "s",
    }
    fields.update(extra)
    return FileChange(**fields)  # type: ignore[arg-type]


def test_tree_collapses_single_child_chains_and_subtotals() -> None:
    lines = tree_lines(
        [
            _change("packages/prisma/migrations/001_init/migration.sql", 10, 0),
            _change("packages/prisma/schema.prisma", 2, 1),
            _change("README.md", 1, 1),
        ]
    )
    assert lines == [
        "./  (3 files, +13/−2)",
        "├── packages/prisma/  (2 files, +12/−1)",
        "│   ├── migrations/001_init/  (1 file, +10/−0)",
        "│   │   └── migration.sql  [modified +10/−0]  s",
        "│   └── schema.prisma  [modified +2/−1]  s",
        "└── README.md  [modified +1/−1]  s",
    ]


def test_status_text_for_renames_binaries_and_deletions() -> None:
    renamed = _change(
        "b/new.py", 2, 2, status=ChangeKind.RENAMED, old_path="a/old.py", similarity=95
    )
    assert status_text(renamed) == "renamed from a/old.py, 95% similar +2/−2"
    assert status_text(_change("x.png", 0, 0, binary=True, status=ChangeKind.ADDED)) == (
        "binary, added"
    )
    assert status_text(_change("gone.py", 0, 7, status=ChangeKind.DELETED)) == "deleted +0/−7"


_SEGMENT = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=8
)


@given(st.sets(st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join), min_size=1, max_size=30))
def test_every_path_appears_once(paths: set[str]) -> None:
    leaves = {p.rsplit("/", 1)[-1] for p in paths}
    # Paths that are a prefix folder of another path cannot exist in git.
    paths = {p for p in paths if not any(q.startswith(p + "/") for q in paths)}
    lines = tree_lines([_change(p) for p in sorted(paths)])
    assert lines[0].startswith(f"./  ({len(paths)} file")
    file_lines = [line for line in lines if "[modified +1/−0]" in line]
    assert len(file_lines) == len(paths)
    assert leaves >= {p.rsplit("/", 1)[-1] for p in paths}


def test_classify_common_layouts() -> None:
    expectations = {
        "package-lock.json": FileKind.LOCK_FILE,
        "services/api/poetry.lock": FileKind.LOCK_FILE,
        "requirements-dev.txt": FileKind.DEPENDENCIES,
        "app/Gemfile": FileKind.DEPENDENCIES,
        ".github/workflows/ci.yml": FileKind.CI,
        ".gitlab-ci.yml": FileKind.CI,
        "tests/test_api.py": FileKind.TEST,
        "src/api.test.ts": FileKind.TEST,
        "spec/models/user_spec.rb": FileKind.TEST,
        "pkg/server/server_test.go": FileKind.TEST,
        "web/__snapshots__/App.test.tsx.snap": FileKind.SNAPSHOT,
        "docs/guide.md": FileKind.DOCS,
        "CHANGELOG.md": FileKind.DOCS,
        "CMakeLists.txt": FileKind.BUILD,
        "docker/Dockerfile": FileKind.BUILD,
        "vendor/github.com/x/y.go": FileKind.VENDORED,
        "static/app.min.js": FileKind.GENERATED,
        "api/v1/service.pb.go": FileKind.GENERATED,
        "locale/de/LC_MESSAGES/django.po": FileKind.TRANSLATION,
        "db/schema.rb": FileKind.SCHEMA,
        "assets/logo.svg": FileKind.ASSET,
        "config/settings.yaml": FileKind.CONFIG,
        "src/main.py": FileKind.SOURCE,
    }
    for path, kind in expectations.items():
        assert classify(path) is kind, path
    assert classify("sub", mode="160000") is FileKind.SUBMODULE
    assert classify("db/migrate/1_x.rb", migration=True) is FileKind.MIGRATION
    assert classify("src/schema_gen.py", generated=True) is FileKind.GENERATED
