"""Rails naming conventions and type mapping, checked against what Rails itself produces."""

from __future__ import annotations

import pytest

from harvester.migrations.literals import Lambda, Sym
from harvester.migrations.rails import naming, types
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema.ops import Dialect

PG = RailsContext(Dialect.POSTGRESQL, (7, 2))
MYSQL = RailsContext(Dialect.MYSQL, (7, 2))
SQLITE = RailsContext(Dialect.SQLITE, (7, 2))


def test_foreign_key_name_matches_the_rails_documentation() -> None:
    # ActiveRecord's add_foreign_key docs: articles.author_id -> fk_rails_e74ce85cbc
    assert naming.foreign_key_name("articles", ["author_id"]) == "fk_rails_e74ce85cbc"


def test_long_index_names_are_hashed_from_rails_7_1_only() -> None:
    columns = ["enrichable_id", "enrichable_type", "source", "attribute_name"]
    # The name Rails 7.2 wrote into a real schema.rb for this index.
    assert (
        naming.index_name("data_enrichments", columns, (7, 2))
        == "idx_on_enrichable_id_enrichable_type_source_attribu_5be5f63e08"
    )
    assert naming.index_name("data_enrichments", columns, (7, 0)) == (
        "index_data_enrichments_on_enrichable_id_and_enrichable_type_and_source_and_attribute_name"
    )
    assert naming.index_name("users", ["email"], (7, 2)) == "index_users_on_email"


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("user", "users"),
        ("category", "categories"),
        ("person", "people"),
        ("address", "addresses"),
        ("status", "statuses"),
        ("mod_mail", "mod_mails"),
        ("analysis", "analyses"),
        ("child", "children"),
        ("knife", "knives"),
        ("sheep", "sheep"),
    ],
)
def test_inflections_follow_active_support(singular: str, plural: str) -> None:
    assert naming.pluralize(singular) == plural
    assert naming.singularize(plural) == singular


def test_model_tables_and_join_tables() -> None:
    assert naming.table_of_model("FamilyExport") == "family_exports"
    # `entries`, `account_entries` (Account a model) or prefixed by Account's
    # table_name_prefix: the app decides; Rails' own engines prefix their name
    assert naming.table_of_model("Account::Entry") is None
    assert naming.table_of_model("ActiveStorage::Blob") == "active_storage_blobs"
    assert naming.table_of_model("ActionText::RichText") == "action_text_rich_texts"
    assert naming.table_of_model("HTTPLog") == "http_logs"
    assert naming.join_table_name("users", "roles") == "roles_users"
    assert naming.join_table_name("music_records", "music_artists") == "music_artists_records"


def test_check_and_constraint_names_are_hashed() -> None:
    assert naming.check_name("products", "price > 0").startswith("chk_rails_")
    assert len(naming.check_name("products", "price > 0")) == len("chk_rails_") + 10


@pytest.mark.parametrize(
    ("rails_type", "options", "ctx", "sql"),
    [
        ("string", {}, PG, "VARCHAR"),
        ("string", {}, MYSQL, "VARCHAR(255)"),
        ("string", {"limit": 80}, MYSQL, "VARCHAR(80)"),
        ("text", {"limit": 16_777_215}, MYSQL, "MEDIUMTEXT"),
        ("integer", {"limit": 8}, PG, "BIGINT"),
        ("integer", {"limit": 2}, PG, "SMALLINT"),
        ("integer", {}, MYSQL, "INT"),
        ("integer", {"limit": 1}, MYSQL, "TINYINT"),
        ("decimal", {"precision": 19, "scale": 4}, PG, "DECIMAL(19,4)"),
        ("datetime", {}, PG, "TIMESTAMP(6)"),
        ("datetime", {}, RailsContext(Dialect.POSTGRESQL, (6, 1)), "TIMESTAMP"),
        ("datetime", {"precision": None}, PG, "TIMESTAMP"),
        ("datetime", {}, MYSQL, "DATETIME(6)"),
        ("binary", {}, PG, "BYTEA"),
        ("binary", {}, SQLITE, "BLOB"),
        ("boolean", {}, MYSQL, "TINYINT(1)"),
        ("jsonb", {}, PG, "JSONB"),
        ("string", {"array": True}, PG, "VARCHAR[]"),
        ("enum", {"enum_type": Sym("status")}, PG, "status"),
        ("virtual", {"type": Sym("decimal"), "precision": 10, "scale": 2}, PG, "DECIMAL(10,2)"),
    ],
)
def test_column_types_per_adapter(
    rails_type: str, options: dict[str, object], ctx: RailsContext, sql: str
) -> None:
    assert types.column_type(rails_type, options, ctx) == sql  # type: ignore[arg-type]


def test_primary_keys_follow_the_migration_version() -> None:
    assert types.primary_key_type(True, PG) == "BIGSERIAL"
    assert types.primary_key_type(True, RailsContext(Dialect.POSTGRESQL, (5, 0))) == "SERIAL"
    assert types.primary_key_type(Sym("uuid"), PG) == "UUID"
    assert types.primary_key_type(True, MYSQL) == "BIGINT"
    assert types.primary_key_default(Sym("uuid"), {}, PG) == "gen_random_uuid()"


def test_defaults_become_sql() -> None:
    assert types.default_sql("it's") == "'it''s'"
    assert types.default_sql(Lambda("now()")) == "now()"
    assert types.default_sql(False) == "FALSE"
    assert types.default_sql({}) == "'{}'"
    assert types.default_sql(None) is None
    assert types.on_action(Sym("nullify")) == "SET NULL"
