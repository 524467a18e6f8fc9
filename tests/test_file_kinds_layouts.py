"""File kinds in monorepo layouts: a `spec/` folder of API definitions is no test folder,
and ent's generated Go tree is generated."""

from __future__ import annotations

import pytest

from harvester.analysis.file_kinds import kind_of_path
from harvester.model import FileKind


@pytest.mark.parametrize(
    "path",
    [
        "spec/models/user_spec.rb",
        "spec/spec_helper.rb",
        "spec/rails_helper.rb",
        "spec/factories/users.rb",
        "spec/support/matchers/json.rb",
        "spec/support/jasmine.json",
        "spec/fixtures/files/invoice.json",
        "spec/cassettes/stripe/charge.yml",
        "spec/dummy/config/database.yml",
        "engines/billing/spec/lib/tax_spec.rb",
        "web/spec/javascripts/cart.spec.js",
        "web/spec/CartSpec.js",
        "specs/api.spec.ts",
    ],
)
def test_test_files_in_spec_folders_are_tests(path: str) -> None:
    assert kind_of_path(path) is FileKind.TEST


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("api/spec/packages/aip/src/billing/invoices.tsp", FileKind.SOURCE),
        ("api/spec/packages/aip/common/definitions/errors.yaml", FileKind.CONFIG),
        ("api/spec/packages/aip/lib/rules/casing.js", FileKind.SOURCE),
        ("api/spec/packages/aip/scripts/flatten-allof.mjs", FileKind.SOURCE),
        ("api/spec/tspconfig.yaml", FileKind.CONFIG),
        ("api/spec/README.md", FileKind.DOCS),
        ("api/spec/Makefile", FileKind.BUILD),
        ("spec/openapi.yaml", FileKind.CONFIG),
        ("proto/spec/v1/events.proto", FileKind.SOURCE),
        ("www/api-reference/specs/admin/code_samples/Shell/keys/get.sh", FileKind.SOURCE),
    ],
)
def test_api_definitions_in_a_spec_folder_are_not_tests(path: str, kind: FileKind) -> None:
    assert kind_of_path(path) is kind


@pytest.mark.parametrize(
    "path",
    [
        "openmeter/ent/db/client.go",
        "openmeter/ent/db/customer_query.go",
        "openmeter/ent/db/customer_create.go",
        "openmeter/ent/db/customer/customer.go",
        "openmeter/ent/db/customer/where.go",
        "openmeter/ent/db/migrate/schema.go",
        "openmeter/ent/db/predicate/predicate.go",
        "ent/mutation.go",
        "ent/user_update.go",
        "ent/user/user.go",
        "internal/api/types.gen.go",
    ],
)
def test_ents_generated_tree_is_generated(path: str) -> None:
    assert kind_of_path(path) is FileKind.GENERATED


@pytest.mark.parametrize(
    "path",
    [
        "openmeter/ent/schema/customer.go",
        "openmeter/ent/schema/mixin/time.go",
        "openmeter/ent/entc.go",
        "openmeter/ent/generate.go",
        "openmeter/ent/tx/enttx.go",
        "ent/template/where.go",
        "internal/store/user_query.go",
    ],
)
def test_hand_written_ent_files_stay_source(path: str) -> None:
    assert kind_of_path(path) is FileKind.SOURCE
