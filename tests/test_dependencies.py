"""Hints for the human sections that this issue added: Technical Dependencies (package changes
read from both sides of each manifest and lock file, in one batched read) and Testing Strategy
(test files grouped by kind)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest
from repo_builder import RepoBuilder

from harvester.analysis.dependencies import dependency_changes
from harvester.gitsource.records import PathStat
from harvester.gitsource.refs import RangeRequest
from harvester.model import ChangeKind, DependencyChange, FileChange, FileKind, Hints
from harvester.options import ReportOptions
from harvester.pipeline import build_report
from harvester.render.dependency_view import dependency_lines
from harvester.render.document import document_view


def _changes(path: str, old: str | None, new: str | None) -> list[tuple[object, ...]]:
    blobs = {"old": old.encode() if old is not None else None, "new": new.encode() if new else None}
    stat = PathStat(
        path,
        None,
        "M",
        None,
        1,
        1,
        "old" if old is not None else None,
        "new" if new is not None else None,
        "100644",
        "100644",
    )
    calls: list[Sequence[str]] = []

    def read(specs: Sequence[str]) -> Mapping[str, bytes | None]:
        calls.append(specs)
        return {s: blobs[s] for s in specs}

    found = dependency_changes([stat], read)
    assert len(calls) == 1
    return [(c.name, c.old, c.new, c.group) for c in found]


CASES = {
    "requirements.txt": (
        "Django==4.2.1\nrequests>=2.0  # http\n-r base.txt\nold_pkg==1.0 \\\n  --hash=sha256:abc\n",
        "django==5.0\nrequests>=2.0\nnew-pkg[extra]==0.3 ; python_version > '3.8'\n",
        [
            ("django", "4.2.1", "5.0", None),
            ("new-pkg", None, "0.3", None),
            ("old-pkg", "1.0", None, None),
        ],
    ),
    "pyproject.toml": (
        '[project]\ndependencies = ["click>=8.0"]\n[project.optional-dependencies]\n'
        'test = ["pytest"]\n'
        '[tool.poetry.dependencies]\npython = "^3.10"\nrich = "^13"\n',
        '[project]\ndependencies = ["click>=8.1", "jinja2"]\n[project.optional-dependencies]\n'
        'test = ["pytest>=8"]\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'rich = {version = "^14"}\n',
        [
            ("click", ">=8.0", ">=8.1", None),
            ("jinja2", None, "any", None),
            ("rich", "^13", "^14", None),
            ("pytest", "any", ">=8", "optional-dependencies.test"),
        ],
    ),
    "poetry.lock": (
        '[[package]]\nname = "django"\nversion = "4.2.1"\n\n[[package]]\nname = "six"\n'
        'version = "1.0"\n',
        '[[package]]\nname = "django"\nversion = "5.0"\n',
        [("django", "4.2.1", "5.0", None), ("six", "1.0", None, None)],
    ),
    "uv.lock": (
        '[[package]]\nname = "shop"\nversion = "1.0"\nsource = { editable = "." }\n'
        '[[package]]\nname = "anyio"\nversion = "4.0.0"\n',
        '[[package]]\nname = "shop"\nversion = "1.1"\nsource = { editable = "." }\n'
        '[[package]]\nname = "anyio"\nversion = "4.4.0"\n',
        [("anyio", "4.0.0", "4.4.0", None)],
    ),
    "web/package.json": (
        '{"dependencies": {"react": "^18.2.0"}, "devDependencies": {"vite": "^4"}}',
        '{"dependencies": {"react": "^18.3.1"}, "devDependencies": {"vite": "^5", "vitest": "^1"}}',
        [
            ("react", "^18.2.0", "^18.3.1", None),
            ("vite", "^4", "^5", "devDependencies"),
            ("vitest", None, "^1", "devDependencies"),
        ],
    ),
    "package-lock.json": (
        '{"lockfileVersion": 3, "packages": {"": {"version": "1.0.0"}, '
        '"node_modules/react": {"version": "18.2.0"}, '
        '"node_modules/a/node_modules/react": {"version": "17.0.2"}}}',
        '{"lockfileVersion": 3, "packages": {"": {"version": "1.1.0"}, '
        '"node_modules/react": {"version": "18.3.1"}}}',
        [("react", "17.0.2, 18.2.0", "18.3.1", None)],
    ),
    "yarn.lock": (
        '# yarn lockfile v1\n\n"@babel/core@^7.0.0", "@babel/core@^7.1.0":\n  version "7.1.0"\n'
        '  resolved "x"\n\nlodash@^4.17.20:\n  version "4.17.20"\n',
        '__metadata:\n  version: 6\n\n"@babel/core@npm:^7.0.0":\n  version: 7.24.0\n'
        '\n"shop@workspace:.":\n  version: 0.0.0-use.local\n',
        [("@babel/core", "7.1.0", "7.24.0", None), ("lodash", "4.17.20", None, None)],
    ),
    "pnpm-lock.yaml": (
        "lockfileVersion: 5.4\n\npackages:\n\n  /react-dom/17.0.2_react@17.0.2:\n"
        "    resolution: x\n"
        "  /@types/node/18.0.0:\n    dev: true\n",
        "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies: {}\n\npackages:\n\n"
        "  react-dom@18.3.1:\n    resolution: x\n  '@types/node@20.1.0':\n    resolution: y\n"
        "\nsnapshots:\n\n  react-dom@18.3.1(react@18.3.1):\n    dependencies: {}\n",
        [("@types/node", "18.0.0", "20.1.0", None), ("react-dom", "17.0.2", "18.3.1", None)],
    ),
    "go.mod": (
        "module x\n\ngo 1.21\n\nrequire github.com/a/b v1.2.0\n\nrequire (\n"
        "\tgolang.org/x/text v0.3.0 "
        "// indirect\n\tgithub.com/c/d v0.1.0\n)\n",
        "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.3.0\n\tgolang.org/x/text v0.14.0 "
        "// indirect\n)\n",
        [
            ("github.com/a/b", "v1.2.0", "v1.3.0", None),
            ("github.com/c/d", "v0.1.0", None, None),
            ("golang.org/x/text", "v0.3.0", "v0.14.0", "indirect"),
        ],
    ),
    "Gemfile.lock": (
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.0.8)\n"
        "      actionpack (= 7.0.8)\n"
        "    pg (1.5.3)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails (~> 7.0)\n",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.3)\n"
        "      actionpack (= 7.1.3)\n"
        "    pg (1.5.3)\n    puma (6.4.2)\n",
        [("puma", None, "6.4.2", None), ("rails", "7.0.8", "7.1.3", None)],
    ),
    "mix.lock": (
        '%{\n  "ecto": {:hex, :ecto, "3.10.0", "abc", [:mix], [], "hexpm", "def"},\n'
        '  "mine": {:git, "https://github.com/x/mine.git", "0123456789abcdef0123", []},\n}\n',
        '%{\n  "ecto": {:hex, :ecto, "3.11.2", "abc", [:mix], [], "hexpm", "def"},\n}\n',
        [("ecto", "3.10.0", "3.11.2", None), ("mine", "0123456789ab", None, None)],
    ),
    "Cargo.toml": (
        '[package]\nname = "x"\n\n[dependencies]\nserde = "1.0"\ntokio = { version = "1", '
        'features = ["full"] }\n\n[dev-dependencies]\ninsta = "1.30"\n',
        '[package]\nname = "x"\n\n[dependencies]\nserde = "1.0"\ntokio = { version = "1.38" }\n'
        'local = { path = "../local" }\n\n[dev-dependencies]\ninsta = "1.39"\n',
        [
            ("local", None, "path", None),
            ("tokio", "1", "1.38", None),
            ("insta", "1.30", "1.39", "dev-dependencies"),
        ],
    ),
    "Cargo.lock": (
        '[[package]]\nname = "x"\nversion = "0.1.0"\n\n[[package]]\nname = "serde"\n'
        'version = "1.0.1"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n',
        '[[package]]\nname = "x"\nversion = "0.2.0"\n\n[[package]]\nname = "serde"\n'
        'version = "1.0.2"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n',
        [("serde", "1.0.1", "1.0.2", None)],
    ),
}


@pytest.mark.parametrize("path", sorted(CASES))
def test_each_format_gives_old_and_new_versions(path: str) -> None:
    old, new, expected = CASES[path]
    assert _changes(path, old, new) == expected


def test_added_and_deleted_files_and_broken_ones() -> None:
    assert _changes("go.mod", None, "require x v1.0.0\n") == [("x", None, "v1.0.0", None)]
    assert _changes("go.mod", "require x v1.0.0\n", None) == [("x", "v1.0.0", None, None)]
    assert _changes("package.json", '{"dependencies": {"a": "1"}}', "{ not json") == []
    assert _changes("README.md", "a", "b") == []


def test_a_side_that_cannot_be_read_is_not_reported_as_everything_added() -> None:
    stat = PathStat("go.mod", None, "M", None, 1, 1, "old", "new", "100644", "100644")
    found = dependency_changes([stat], lambda specs: {"old": None, "new": b"require x v1\n"})
    assert found == ()


def test_hint_lines_put_manifests_first_and_count_long_lock_changes() -> None:
    changes = [
        DependencyChange("package.json", "react", "^18.2.0", "^18.3.1"),
        DependencyChange("package.json", "vite", "^5", "^4", "devDependencies"),
        DependencyChange("package-lock.json", "react", "18.2.0", "18.3.1"),
        *(DependencyChange("package-lock.json", f"dep{i}", "1.0.0", "1.1.0") for i in range(7)),
        DependencyChange("package-lock.json", "gone", "1.0.0", None),
        DependencyChange("api/go.mod", "github.com/a/b", "v1.2.0", "v1.2.0+incompatible"),
    ]
    hints = Hints(
        dependencies=tuple(changes),
        dependency_files=("api/go.mod", "api/go.sum", "composer.json", "package.json"),
    )
    assert dependency_lines(hints) == [
        "`react` upgraded ^18.2.0 → ^18.3.1 in `package.json`",
        "`vite` (devDependencies) downgraded ^5 → ^4 in `package.json`",
        "`github.com/a/b` changed v1.2.0 → v1.2.0+incompatible in `api/go.mod`",
        "`package-lock.json`: 8 locked packages changed (1 removed, 7 upgraded); "
        "the JSON report lists them",
        "`api/go.sum` changed (not compared)",
        "`composer.json` changed (not compared)",
    ]


def test_testing_hints_group_test_files_by_kind(sample: RepoBuilder) -> None:
    report = build_report(ReportOptions(repo=str(sample.path), range=RangeRequest("v1.0..v1.1")))

    def test_file(path: str, status: ChangeKind, kind: FileKind = FileKind.TEST) -> FileChange:
        return FileChange(path, None, status, 3, 1, False, kind, "")

    tests = (
        test_file("e2e/checkout.spec.ts", ChangeKind.ADDED),
        test_file("tests/integration/test_api.py", ChangeKind.MODIFIED),
        test_file("tests/__snapshots__/a.snap", ChangeKind.MODIFIED, FileKind.SNAPSHOT),
        test_file("tests/conftest.py", ChangeKind.MODIFIED),
        test_file("tests/test_a.py", ChangeKind.MODIFIED),
        test_file("tests/test_b.py", ChangeKind.ADDED),
    )
    view = document_view(replace(report, hints=replace(report.hints, test_files=tests)))
    assert view.hints["testing"].splitlines()[1:] == [
        "> - end-to-end tests: 1 added — `e2e/checkout.spec.ts` (added)",
        "> - integration tests: 1 modified — `tests/integration/test_api.py` (modified)",
        "> - snapshots: 1 modified — `tests/__snapshots__/a.snap` (modified)",
        "> - fixtures and helpers: 1 modified — `tests/conftest.py` (modified)",
        "> - unit and other tests: 1 added, 1 modified — `tests/test_b.py` (added), "
        "`tests/test_a.py` (modified)",
    ]


def test_a_requirements_folder_holds_manifests() -> None:
    from harvester.analysis.file_kinds import kind_of_path
    from harvester.model import FileKind

    assert _changes("requirements/base.txt", "Django==1.11\n", "Django==2.0\n") == [
        ("django", "1.11", "2.0", None)
    ]
    assert kind_of_path("requirements/base.txt") is FileKind.DEPENDENCIES
    assert kind_of_path("src/requirements/prod.in") is FileKind.DEPENDENCIES
    assert kind_of_path("docs/notes.txt") is not FileKind.DEPENDENCIES
