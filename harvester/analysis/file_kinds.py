"""What kind of file a path is, in a reviewer's words (test, migration, lock file, CI, …).

Decided from the path alone (plus git's file mode and binary flag), so it is fast on a
500-file release and the same for every repository.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from harvester.model import FileKind

LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "bun.lock",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "pdm.lock",
        "go.sum",
        "go.work.sum",
        "gemfile.lock",
        "mix.lock",
        "cargo.lock",
        "composer.lock",
        "podfile.lock",
        "pubspec.lock",
        "packages.lock.json",
        "flake.lock",
        "gradle.lockfile",
        "deno.lock",
    }
)
MANIFESTS = frozenset(
    {
        "package.json",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "pipfile",
        "go.mod",
        "go.work",
        "gemfile",
        "mix.exs",
        "cargo.toml",
        "composer.json",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "podfile",
        "pubspec.yaml",
        "deno.json",
        "environment.yml",
        "conanfile.txt",
        "vcpkg.json",
    }
)
SCHEMA_SNAPSHOTS = frozenset({"schema.prisma", "schema.rb", "structure.sql", "schema.sql"})
_REQUIREMENTS = re.compile(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$")
_TEST_NAME = re.compile(
    r"(?:^test_.*\.py$|_tests?\.py$|_test\.(?:go|rb|exs|ex|rs|cpp|c|dart)$|_spec\.rb$"
    r"|\.(?:test|spec)\.[cm]?[jt]sx?$|Tests?\.(?:java|kt|cs|swift|php)$|^conftest\.py$)"
)
_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "testing",
        "e2e",
        "cypress",
        "playwright",
        "integration_tests",
        "testdata",
        "fixtures",
        "__mocks__",
    }
)
# `spec/` holds RSpec or Jasmine specs, or an API's specification (TypeSpec, OpenAPI): only
# its test-like files are tests.
_SPEC_DIRS = frozenset({"spec", "specs"})
_SPEC_NAME = re.compile(r"[._]spec\.\w+$|[a-z]Spec\.\w+$|^(?:spec|rails)_helper\.")
_SPEC_SUPPORT = frozenset(
    {"support", "helpers", "factories", "cassettes", "vcr_cassettes", "dummy", "shared_examples"}
)
_SNAPSHOT = re.compile(r"(?:\.snap|\.ambr|\.approved\.\w+|\.received\.\w+)$")
# Go's generators name their output by convention: `zz_generated.deepcopy.go` (Kubernetes,
# optgen), `msgs_gen.go` (go:generate tools), `api.pb.validate.go` and `api.pb.gw.go` (protoc
# plugins).
_GENERATED = re.compile(
    r"(?:\.min\.(?:js|css)$|\.map$|\.pb(?:\.validate|\.gw)?\.go$|_pb2(?:_grpc)?\.pyi?$|\.g\.dart$"
    r"|\.generated\.\w+$|\.designer\.cs$|_generated\.\w+$|\.gen\.\w+$|^zz_generated[._]\w"
    r"|_gen\.go$)"
)
_GENERATED_DIRS = frozenset({"dist", "generated", "__generated__"})
# ent (entgo.io) writes its Go client into the `ent` folder beside the hand-written
# `schema/`: per entity `<e>_query.go` (and _create, _update, _delete), `<e>/<e>.go`,
# `<e>/where.go`, plus a fixed set of files.
_ENT_GENERATED = re.compile(
    r"(?:_create|_update|_delete|_query)\.go$|^(?:where|client|ent|mutation|runtime|tx|entql)\.go$"
)
_ENT_HAND_WRITTEN = frozenset({"schema", "template", "templates"})
_VENDORED_DIRS = frozenset(
    {
        "vendor",
        "vendors",
        "node_modules",
        "third_party",
        "thirdparty",
        "third-party",
        "external",
        "bower_components",
        "site-packages",
    }
)
_TRANSLATION = re.compile(r"\.(?:po|pot|mo|xliff|xlf|arb|strings)$")
_TRANSLATION_DIRS = frozenset({"locale", "locales", "i18n", "l10n", "translations", "lang"})
_DOCS = re.compile(r"\.(?:md|mdx|rst|adoc|asciidoc|txt|org)$", re.I)
_DOC_NAMES = re.compile(
    r"^(?:readme|changelog|changes|history|license|licence|copying|authors"
    r"|contributing|code_of_conduct|security|notice|news)\b",
    re.I,
)
_ASSETS = re.compile(
    r"\.(?:png|jpe?g|gif|svg|ico|webp|avif|bmp|tiff?|woff2?|ttf|otf|eot|mp3|mp4|wav|ogg|webm"
    r"|mov|pdf|zip|gz|tgz|jar|wasm|psd|sketch|fig)$",
    re.I,
)
_CI = re.compile(
    r"^(?:\.github/workflows/|\.github/actions/|\.circleci/|\.buildkite/|\.gitlab/ci/|"
    r"\.woodpecker/|\.drone\.yml$|\.travis\.yml$|\.gitlab-ci\.yml$|azure-pipelines\.yml$|"
    r"jenkinsfile$|\.github/dependabot\.yml$|\.pre-commit-config\.yaml$|bitbucket-pipelines\.yml$)",
    re.I,
)
_BUILD_NAMES = frozenset(
    {
        "dockerfile",
        "makefile",
        "cmakelists.txt",
        "justfile",
        "taskfile.yml",
        "procfile",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
        "tox.ini",
        "noxfile.py",
        "rakefile",
        "gruntfile.js",
        "gulpfile.js",
        "webpack.config.js",
        "vite.config.ts",
        "vite.config.js",
        "tsconfig.json",
        "babel.config.js",
        "manage.py",
    }
)
_CONFIG = re.compile(r"\.(?:ya?ml|toml|ini|cfg|conf|json|jsonc|env|properties|xml|plist)$", re.I)
_CONFIG_NAMES = re.compile(
    r"^\.(?:env\.\w+|editorconfig|gitignore|gitattributes|dockerignore|"
    r"eslintrc.*|prettierrc.*|npmrc|nvmrc|python-version|ruby-version|"
    r"tool-versions|flake8|pylintrc|rubocop\.yml|stylelintrc.*)$"
)

_SOURCE_EXTENSIONS = frozenset(
    {
        "py",
        "go",
        "rb",
        "ts",
        "tsx",
        "js",
        "jsx",
        "mjs",
        "cjs",
        "java",
        "kt",
        "rs",
        "ex",
        "exs",
        "php",
        "cs",
        "c",
        "h",
        "cc",
        "cpp",
        "hpp",
        "swift",
        "scala",
        "vue",
        "svelte",
        "html",
        "css",
        "scss",
        "erb",
        "heex",
        "dart",
        "lua",
        "sql",
        "sh",
    }
)
# Folder names and name fragments that can make a source-looking file something else.
_SPECIAL_DIRS = (
    _TEST_DIRS
    | _VENDORED_DIRS
    | _TRANSLATION_DIRS
    | _GENERATED_DIRS
    | _SPEC_DIRS
    | {"__snapshots__", "docs", "doc", "ent"}
)
_SOURCE_TRIGGERS = re.compile(
    r"test|spec|conftest|\.min\.|\.map$|\.pb\.|_pb2|generated|\.g\.|\.gen\.|_gen\.go$|designer|"
    r"\.snap$|\.ambr$|\.approved\.|\.received\.|^(?:readme|changelog|license|licence|copying|"
    r"authors|notice|news|history|changes)"
)

# Kinds whose files fold into a <details> block in Files Modified: a reviewer skims them.
NOISY_KINDS = frozenset(
    {
        FileKind.LOCK_FILE,
        FileKind.GENERATED,
        FileKind.VENDORED,
        FileKind.SNAPSHOT,
        FileKind.TRANSLATION,
    }
)


def classify(
    path: str,
    *,
    binary: bool = False,
    mode: str = "100644",
    migration: bool = False,
    generated: bool = False,
) -> FileKind:
    """The kind of the file at `path`.

    `migration` is set for paths a migration system claimed; `generated` for paths the
    repository's .gitattributes marks `linguist-generated`; `binary` when git saw binary content.
    """
    if mode == "160000":
        return FileKind.SUBMODULE
    if migration:
        return FileKind.MIGRATION
    kind = kind_of_path(path)
    if generated and kind not in (FileKind.SCHEMA, FileKind.LOCK_FILE, FileKind.VENDORED):
        return FileKind.GENERATED
    if binary and kind in (FileKind.SOURCE, FileKind.CONFIG):
        return FileKind.ASSET
    return kind


@lru_cache(maxsize=1 << 16)
def kind_of_path(path: str) -> FileKind:
    """The kind a path's name and folders say, cached: ranges touch the same paths again."""
    lower_path = path.lower()
    *folder_list, lower = lower_path.split("/")
    folders = frozenset(folder_list)
    extension = lower.rpartition(".")[2] if "." in lower else ""
    if (
        extension in _SOURCE_EXTENSIONS
        and not path.startswith(".")
        and lower not in MANIFESTS
        and lower not in _BUILD_NAMES
        and lower not in SCHEMA_SNAPSHOTS
        and folders.isdisjoint(_SPECIAL_DIRS)
        and not _SOURCE_TRIGGERS.search(lower)
    ):
        return FileKind.SOURCE
    name = path.rsplit("/", 1)[-1]
    top = folder_list[:1]
    if lower in SCHEMA_SNAPSHOTS:
        return FileKind.SCHEMA
    if lower in LOCK_FILES:
        return FileKind.LOCK_FILE
    if not folders.isdisjoint(_VENDORED_DIRS):
        return FileKind.VENDORED
    if (
        _GENERATED.search(lower)
        or not _GENERATED_DIRS.isdisjoint(top)
        or _ent_generated(folder_list, lower)
    ):
        return FileKind.GENERATED
    if _SNAPSHOT.search(lower) or "__snapshots__" in folders:
        return FileKind.SNAPSHOT
    if _TRANSLATION.search(lower) or (
        not folders.isdisjoint(_TRANSLATION_DIRS) and extension in ("json", "yml", "yaml")
    ):
        return FileKind.TRANSLATION
    if _CI.match(lower_path):
        return FileKind.CI
    if lower in MANIFESTS or requirements_file(path) or extension in ("gemspec", "csproj"):
        return FileKind.DEPENDENCIES
    if (
        _TEST_NAME.search(name)
        or not folders.isdisjoint(_TEST_DIRS)
        or _spec_test(folder_list, name, extension)
    ):
        return FileKind.TEST
    if lower in _BUILD_NAMES or lower.startswith("dockerfile") or extension == "dockerfile":
        return FileKind.BUILD
    if (
        _DOCS.search(lower)
        or ("." not in lower and _DOC_NAMES.match(lower))
        or top in (["docs"], ["doc"])
    ):
        return FileKind.DOCS
    if _ASSETS.search(lower):
        return FileKind.ASSET
    if _CONFIG.search(lower) or _CONFIG_NAMES.match(lower):
        return FileKind.CONFIG
    return FileKind.SOURCE


def _spec_test(folders: list[str], name: str, extension: str) -> bool:
    """True for a test of a `spec/` folder: a spec or spec helper by name, Ruby code (RSpec's
    support and factories), or test scaffolding; API definitions and code samples are not."""
    below = _below_last(folders, _SPEC_DIRS)
    if below is None:
        return False
    return (
        bool(_SPEC_NAME.search(name))
        or extension in ("rb", "cr")
        or not _SPEC_SUPPORT.isdisjoint(below)
    )


def _ent_generated(folders: list[str], lower: str) -> bool:
    """True for a Go file ent generated: below an `ent` folder, outside `schema/`, named as
    ent names its output."""
    below = _below_last(folders, {"ent"})
    if below is None or not lower.endswith(".go") or not _ENT_HAND_WRITTEN.isdisjoint(below[:1]):
        return False
    own_package = bool(below) and lower == f"{below[-1]}.go"
    migrate_schema = below[-1:] == ["migrate"] and lower == "schema.go"
    return own_package or migrate_schema or bool(_ENT_GENERATED.search(lower))


def _below_last(folders: list[str], names: Collection[str]) -> list[str] | None:
    """The folders below the last of `names` in `folders`; None when none is there."""
    for index in range(len(folders) - 1, -1, -1):
        if folders[index] in names:
            return folders[index + 1 :]
    return None


def requirements_file(path: str) -> bool:
    """pip requirements: `requirements*.txt`, `constraints*.in`, or any `.txt`/`.in` file in a
    `requirements/` folder (`requirements/base.txt`)."""
    folder, _, name = path.lower().rpartition("/")
    in_folder = folder.rpartition("/")[2] == "requirements" and name.endswith((".txt", ".in"))
    return in_folder or bool(_REQUIREMENTS.match(name))


def is_lock_or_manifest(kind: FileKind) -> bool:
    """True for files that declare or pin dependencies."""
    return kind in (FileKind.LOCK_FILE, FileKind.DEPENDENCIES)


def matches_any(paths: Iterable[str], patterns: Iterable[str]) -> bool:
    """True when a path is one of `patterns`, under one (a folder), or matches one (a glob,
    where `*` also crosses folders)."""
    prepared = [(p.strip("/"), any(c in p for c in "*?[")) for p in patterns]
    for path in paths:
        for pattern, glob in prepared:
            if glob and fnmatch.fnmatchcase(path, pattern):
                return True
            if not glob and (path == pattern or path.startswith(pattern + "/")):
                return True
    return False
