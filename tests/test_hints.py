"""Hints for the human sections: environment variables, TODO markers, issues, titles."""

from __future__ import annotations

from harvester.analysis.attributes import generated_paths
from harvester.analysis.commit_text import conventional, issue_references
from harvester.analysis.hints import (
    env_names_in_line,
    env_var_changes,
    infrastructure_files,
    marker_changes,
)
from harvester.analysis.title import derive_title, humanize_branch
from harvester.gitsource.patch import ChangedLine
from harvester.model import ChangeKind, FileChange, FileKind


def test_env_names_by_file_kind() -> None:
    cases = {
        ("app/settings.py", 'KEY = os.environ.get("SECRET_KEY", "")'): ["SECRET_KEY"],
        ("app/settings.py", 'DEBUG = env.bool("DJANGO_DEBUG", default=False)'): ["DJANGO_DEBUG"],
        ("web/src/api.ts", "const url = process.env.API_URL ?? ''"): ["API_URL"],
        ("web/src/env.ts", "import.meta.env.VITE_SENTRY_DSN"): ["VITE_SENTRY_DSN"],
        ("config/app.rb", 'ENV.fetch("REDIS_URL") { "redis://" }'): ["REDIS_URL"],
        ("config/runtime.exs", 'System.get_env("PHX_HOST")'): ["PHX_HOST"],
        ("cmd/main.go", 'port := os.Getenv("PORT")'): ["PORT"],
        ("src/main.rs", 'env::var("RUST_LOG")'): ["RUST_LOG"],
        (".env.example", "export STRIPE_KEY=sk_test"): ["STRIPE_KEY"],
        ("docker-compose.yml", "      - REDIS_HOST=redis"): ["REDIS_HOST"],
        ("charts/app/templates/deploy.yaml", "        - name: LOG_LEVEL"): ["LOG_LEVEL"],
        ("Dockerfile", "ENV NODE_ENV=production"): ["NODE_ENV"],
        ("app/views.py", "environment = 'prod'"): [],
        ("README.md", "Set SECRET_KEY=x"): [],
    }
    for (path, line), names in cases.items():
        assert env_names_in_line(path, line) == names, (path, line)


def test_env_changes_ignore_moves_and_names_already_present() -> None:
    lines = [
        ChangedLine("app/settings.py", 'A = os.environ["NEW_FLAG"]', True),
        ChangedLine("app/settings.py", 'B = os.environ["MOVED"]', True),
        ChangedLine("app/old.py", 'B = os.environ["MOVED"]', False),
        ChangedLine("app/settings.py", 'C = os.environ["ELSEWHERE"]', True),
        ChangedLine("app/settings.py", 'D = os.environ["GONE"]', False),
        ChangedLine("yarn.lock", "process.env.LOCKED", True),
    ]

    def present(at_head: bool, names: set[str]) -> set[str]:
        return {"ELSEWHERE"} & names if not at_head else set()

    changes = env_var_changes(lines, lambda p: p.endswith(".lock"), present)
    assert [(c.name, c.added, c.paths) for c in changes] == [
        ("NEW_FLAG", True, ("app/settings.py",)),
        ("GONE", False, ("app/settings.py",)),
    ]


def test_a_marker_is_a_comment_word_not_a_name_or_a_string() -> None:
    lines = [
        ChangedLine("po/AGENTS.md", 'TODO="po/review-todo.json"', True),
        ChangedLine("src/Format.java", '    .appendPattern("XXX").optionalEnd()', True),
        ChangedLine("src/mask.py", 'SSN = "XXX-XX-XXXX"', True),
        ChangedLine("src/app.py", "# TODO: drop the legacy path", True),
    ]
    changes = marker_changes(lines, lambda p: False)
    assert [(c.path, c.text) for c in changes] == [("src/app.py", "drop the legacy path")]


def test_markers_added_removed_and_moved() -> None:
    lines = [
        ChangedLine("a.py", "    # TODO: cache badge lookups", True),
        ChangedLine("a.py", "    # FIXME(joe) rounding is wrong", False),
        ChangedLine("b.py", "    # HACK: keep in sync", True),
        ChangedLine("c.py", "    # HACK: keep in sync", False),
        ChangedLine("d.go", "\t// TODO(kradalby): replace with a map", True),
        ChangedLine("d.go", "\t// TODO(kradalby)", False),
    ]
    changes = marker_changes(lines, lambda p: False)
    assert [(c.marker, c.text, c.added) for c in changes] == [
        ("TODO", "cache badge lookups", True),
        ("FIXME", "rounding is wrong", False),
        ("TODO", "replace with a map", True),
        ("TODO", "", False),
    ]


def test_issue_references_and_conventional_headers() -> None:
    refs = issue_references(
        "Fix crash (#12)", "Closes #15\nSee also #9 and org/repo#3. JIRA-42 resolved: APP-7"
    )
    # the subject's own pull request `(#12)` is no reference to an issue
    assert [(r.ref, r.fixes) for r in refs] == [
        ("#15", True),
        ("APP-7", True),
        ("#9", False),
        ("org/repo#3", False),
    ]
    frames = issue_references("midx: keep packs", "ASan:\n    #1 0x5555deadbeef in xcalloc")
    assert frames == []
    advisories = issue_references(
        "Fixes CVE-2026-31337", "fixes GHSA-7q2x-9v4m-hh2c and closes SEC-12-b"
    )
    assert [r.ref for r in advisories] == ["CVE-2026-31337", "GHSA-7q2x-9v4m-hh2c"]
    header = conventional("feat(api)!: add x")
    assert header is not None and (header.type, header.scope, header.breaking) == (
        "feat",
        "api",
        True,
    )
    assert conventional("Add x: y") is None


def test_titles() -> None:
    assert humanize_branch("feature/add-badge-keys") == "Add badge keys"
    assert (
        derive_title(
            "HEAD", "Merge pull request #7 from me/fix/login-loop", [], "main", "v1", False
        )
        == "Login loop (#7)"
    )
    assert derive_title("v2", "Release", ["v2.0.0"], None, "v1", False) == "v2.0.0"
    assert derive_title("HEAD", "x", [], "feature/billing", "main", False) == "Billing"
    assert derive_title("HEAD", "x", [], "main", "v1.0", False) == "Changes in main since v1.0"
    # a release tag the user named wins over the merge commit it points at
    merge_subject = "Merge pull request #9402 from org/beta"
    assert derive_title("v2.15.0", merge_subject, ["v2.15.0"], None, "v2.14.7", False) == (
        "v2.15.0"
    )
    assert derive_title("HEAD", merge_subject, ["v2.15.0"], "main", "v2.14", False) == (
        "Beta (#9402)"
    )
    # a version tag before a moving one
    assert derive_title("abc1234", "x", ["latest", "v20241220"], None, "v1", False) == ("v20241220")


def test_gitattributes_generated_paths() -> None:
    text = (
        "# comment\n*.pb.go linguist-generated\n/docs/api/** linguist-generated=true\n"
        "vendor/ linguist-vendored\nsrc/keep.js -linguist-generated\n"
    )
    paths = [
        "a/b/x.pb.go",
        "docs/api/v1/index.html",
        "lib/vendor/pkg/a.js",
        "src/keep.js",
        "src/docs/api/x",
    ]
    assert generated_paths(text, paths) == {
        "a/b/x.pb.go",
        "docs/api/v1/index.html",
        "lib/vendor/pkg/a.js",
    }


def test_infrastructure_files_by_name_or_folder() -> None:
    paths = [
        "Dockerfile",
        "docker/Dockerfile.prod",
        "deploy/app.yaml",
        "ops/Terraform/main.tf",
        "Infra/README.md",
        "charts/api/values-prod.yaml",
        "docs/deploy.md",
        "src/terraform_client.py",
        "src/Dockerfile_helper.py.bak/notes.txt",
        "helm",
    ]
    files = [
        FileChange(p, None, ChangeKind.MODIFIED, 1, 0, False, FileKind.CONFIG, "") for p in paths
    ]
    assert infrastructure_files(files) == (
        "Dockerfile",
        "docker/Dockerfile.prod",
        "deploy/app.yaml",
        "ops/Terraform/main.tf",
        "Infra/README.md",
        "charts/api/values-prod.yaml",
    )
