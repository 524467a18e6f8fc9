"""Migrations of tools harvester does not read (TypeORM, Laravel, Knex, …) are listed as not
read, in version order, never passed over as "no migration changed"."""

from __future__ import annotations

from harvester.migrations.database import analyse_database
from harvester.model import ChangeKind, Database, ImpactTag
from harvester.render.database_view import migration_status, no_schema_updates
from tests.support.memory_view import MemoryView

_TYPEORM = (
    'import { MigrationInterface, QueryRunner } from "typeorm";\n'
    "export class AddAge1700000000000 implements MigrationInterface {\n"
    '  async up(q: QueryRunner) { await q.query(`ALTER TABLE "user" ADD "age" integer`); }\n'
    "}\n"
)


def _analyse(base: dict[str, str], head: dict[str, str]) -> Database:
    return analyse_database(MemoryView(base, head))


def test_typeorm_and_knex_migrations_are_listed_as_not_read() -> None:
    head = {
        "src/migrations/1700000000000-AddAge.ts": _TYPEORM,
        "src/migrations/1690000000000-Init.ts": _TYPEORM,
        "db/migrations/20240105120000_drop_flags.js": "exports.up = (knex) => {};\n",
        # not migrations: a test beside them, type declarations, a file outside such a folder
        "src/migrations/1700000000000-AddAge.spec.ts": "test()\n",
        "src/migrations/1700000000000-AddAge.d.ts": "export {}\n",
        "src/utils/1700000000000-helper.ts": "export {}\n",
        "node_modules/pkg/migrations/1700000000000-Vendored.js": "x\n",
    }
    database = _analyse({}, head)
    assert [(m.system, m.id, m.order) for m in database.migrations] == [
        ("knex", "20240105120000_drop_flags", 1),
        ("typeorm", "1690000000000-Init", 1),
        ("typeorm", "1700000000000-AddAge", 2),
    ]
    add_age = database.migrations[2]
    assert not add_age.parsed and not add_age.released
    assert [p.message for p in add_age.problems] == ["not read: TypeORM migration in TypeScript"]
    assert [(i.tag, i.detail) for i in add_age.data_impact] == [
        (
            ImpactTag.RAW_SQL,
            "not analysed: TypeORM migration in TypeScript: its code is not read",
        )
    ]
    assert database.migrations[0].problems[0].message == "not read: Knex migration in JavaScript"
    assert no_schema_updates(database) == (
        "not known: 3 new migrations could not be read (see Migration Status)"
    )
    status = "\n".join(migration_status(database))
    assert "typeorm in `src/migrations/`:" in status
    assert "judged as PostgreSQL" not in status


def test_laravel_edits_of_released_migrations_are_flagged_unless_only_whitespace() -> None:
    folder = "database/migrations"
    create = "<?php\nreturn new class extends Migration {\n  public function up() {}\n};\n"
    base = {
        f"{folder}/2024_01_15_093000_create_users_table.php": create,
        f"{folder}/2024_02_01_100000_add_age_to_users_table.php": create,
        f"{folder}/2024_03_01_100000_drop_legacy_table.php": create,
    }
    head = {
        f"{folder}/2024_01_15_093000_create_users_table.php": create.replace("  ", "    "),
        f"{folder}/2024_02_01_100000_add_age_to_users_table.php": create.replace("{}", "{ x(); }"),
        f"{folder}/2024_04_01_120000_add_index.php": create + "// new\n",
    }
    database = _analyse(base, head)
    found = [(m.id, m.change, m.released, m.format_only) for m in database.migrations]
    assert found == [
        ("2024_01_15_093000_create_users_table", ChangeKind.MODIFIED, True, True),
        ("2024_02_01_100000_add_age_to_users_table", ChangeKind.MODIFIED, True, False),
        ("2024_03_01_100000_drop_legacy_table", ChangeKind.DELETED, True, False),
        ("2024_04_01_120000_add_index", ChangeKind.ADDED, False, False),
    ]
    assert all(m.system == "laravel" for m in database.migrations)
    edited = database.migrations[1]
    assert [i.tag for i in edited.data_impact] == [ImpactTag.MODIFIED_EXISTING_MIGRATION]
    assert "its code changed; harvester does not read it" in edited.data_impact[0].detail
    assert [
        f.paths for f in database.findings if f.tag is ImpactTag.MODIFIED_EXISTING_MIGRATION
    ] == [(f"{folder}/2024_02_01_100000_add_age_to_users_table.php",)]


def test_each_tool_by_its_own_file_names() -> None:
    head = {
        "migrations/Version20240101120000.php": "<?php\n",
        "db/migrations/20240101120000_create_posts.php": "<?php\n",
        "src/Data/Migrations/20240101120000_AddBlog.cs": "class AddBlog {}\n",
        "src/Data/Migrations/20240101120000_AddBlog.Designer.cs": "partial class AddBlog {}\n",
        "src/Data/Migrations/AppDbContextModelSnapshot.cs": "class Snapshot {}\n",
        "migrations/1700000000000_add-users.js": "exports.up = (pgm) => { pgm.addColumn(); };\n",
        "migrations/20240101120000-create-user.js": "module.exports = { up(queryInterface) {} };\n",
        "src/migrations/Migration20240101120000.ts": (
            "import { Migration } from '@mikro-orm/migrations';\n"
        ),
        "src/schema/migrations/1744910873969-Init.ts": "import { Kysely } from 'kysely';\n",
        "src/db/migrations/1744910873970-Plain.ts": "export async function up() {}\n",
        "pds/db/migrations/003-app-passwords.ts": "import { Kysely } from 'kysely'\n",
        "bsky/db/migrations/20230309T045948368Z-init.ts": "import { Kysely } from 'kysely'\n",
        "pds/db/migrations/index.ts": "export * from './003-app-passwords'\n",
        "pds/db/migrations/2fa.ts": "export {}\n",
        # a front-end app's numbered local-storage migrations name no database library
        "web/src/store/migrations/002-add-theme.ts": "export const up = (state) => state\n",
    }
    database = _analyse({}, head)
    assert sorted((m.system, m.path, m.problems[0].message) for m in database.migrations) == [
        ("doctrine", "migrations/Version20240101120000.php", "not read: Doctrine migration in PHP"),
        (
            "ef-core",
            "src/Data/Migrations/20240101120000_AddBlog.cs",
            "not read: Entity Framework migration in C#",
        ),
        (
            "kysely",
            "bsky/db/migrations/20230309T045948368Z-init.ts",
            "not read: Kysely migration in TypeScript",
        ),
        (
            "kysely",
            "pds/db/migrations/003-app-passwords.ts",
            "not read: Kysely migration in TypeScript",
        ),
        (
            "kysely",
            "src/schema/migrations/1744910873969-Init.ts",
            "not read: Kysely migration in TypeScript",
        ),
        (
            "mikro-orm",
            "src/migrations/Migration20240101120000.ts",
            "not read: MikroORM migration in TypeScript",
        ),
        # a folder of two libraries' migrations keeps the generic name
        (
            "node",
            "migrations/1700000000000_add-users.js",
            "not read: node-pg-migrate migration in JavaScript",
        ),
        (
            "node",
            "migrations/20240101120000-create-user.js",
            "not read: Sequelize migration in JavaScript",
        ),
        ("node", "src/db/migrations/1744910873970-Plain.ts", "not read: migration in TypeScript"),
        (
            "phinx",
            "db/migrations/20240101120000_create_posts.php",
            "not read: Phinx migration in PHP",
        ),
    ]


def test_code_migrations_in_go_elixir_modules_java_and_ruby_data_folders() -> None:
    head = {
        # xorm registers numbered Go migrations in code; a test file and a helper are not ones
        "server/store/migration/028_add_forge_id.go": 'import "xorm.io/xorm"\n',
        "server/store/migration/028_add_forge_id_test.go": 'import "testing"\n',
        "server/store/migration/common.go": 'import "xorm.io/xorm"\n',
        # a front-end's numbered Go file that names no database library
        "tools/migration/002_rename.go": "package tools\n",
        # a library's versioned Ecto modules, which its users' migrations call by version
        "lib/oban/migrations/postgres/v14.ex": "defmodule V14 do\n  use Ecto.Migration\nend\n",
        "lib/oban/migrations/postgres/v2.ex": "defmodule V2 do\n  use Ecto.Migration\nend\n",
        "src/main/java/db/migration/V3_1__Backfill_names.java": (
            "import org.flywaydb.core.api.migration.BaseJavaMigration;\n"
        ),
        # rake-run data migrations beside Rails' own
        "db/data_migration/20260813130045_clear_ids.rb": "Edition.update_all(x: nil)\n",
    }
    database = _analyse({}, head)
    assert [(m.system, m.id, m.problems[0].message) for m in database.migrations] == [
        ("go", "028_add_forge_id", "not read: xorm migration in Go"),
        ("ecto-modules", "v2", "not read: Ecto migration in Elixir"),
        ("ecto-modules", "v14", "not read: Ecto migration in Elixir"),
        ("flyway-code", "V3_1__Backfill_names", "not read: Flyway migration in Java"),
        ("ruby-data", "20260813130045_clear_ids", "not read: data migration in Ruby"),
    ]


def test_many_released_migrations_edited_alike_are_one_line_and_one_finding() -> None:
    folder = "database/migrations"
    old = "<?php\nreturn new class extends Migration {\n  public function up() {}\n};\n"
    new = old.replace("up()", "up(): void")
    names = [f"2020_01_0{day}_100000_step_{day}.php" for day in range(1, 6)]
    base = {f"{folder}/{name}": old for name in names}
    head = {**{f"{folder}/{name}": new for name in names}, f"{folder}/2024_01_01_000000_a.php": old}
    database = _analyse(base, head)
    assert [(f.tag, f.detail) for f in database.findings] == [
        (
            ImpactTag.MODIFIED_EXISTING_MIGRATION,
            "5 released Laravel migrations in PHP edited (2020_01_01_100000_step_1 … "
            "2020_01_05_100000_step_5): their code is not read, so whether what they run "
            "changed is not known; databases that ran them do not run them again, new "
            "databases run the new versions",
        )
    ]
    assert len(database.findings[0].paths) == 5
    assert migration_status(database)[1:] == [
        "    - 5 released migrations edited after release (`2020_01_01_100000_step_1` … "
        "`2020_01_05_100000_step_5`), their code not read (see Data Impact)",
        "    6. `2024_01_01_000000_a` — added; unreleased; not read: Laravel migration in PHP",
    ]
    assert no_schema_updates(database) == (
        "not known: 1 new migration and 5 edited released migrations could not be read "
        "(see Migration Status)"
    )


def test_positions_left_with_gaps_by_a_folded_line_are_not_a_numbered_list() -> None:
    folder = "database/migrations"
    old = "<?php\nreturn new class extends Migration {\n  public function up() {}\n};\n"
    edited = [f"2020_01_0{day}_100000_step_{day}.php" for day in (1, 2, 4, 5)]
    added = [f"2020_01_0{day}_100000_new_{day}.php" for day in (3, 6)]
    base = {f"{folder}/{name}": old for name in edited}
    head = {
        **{f"{folder}/{name}": old.replace("up()", "up(): void") for name in edited},
        **{f"{folder}/{name}": old for name in added},
    }
    lines = migration_status(_analyse(base, head))
    assert [line.split(" — ")[0] for line in lines[2:]] == [
        "    - 3\\. `2020_01_03_100000_new_3`",
        "    - 6\\. `2020_01_06_100000_new_6`",
    ]


def test_migration_names_may_hold_a_dotted_version() -> None:
    head = {
        # PocketBase names Go migrations `<unix time>_<anything>.go`
        "migrations/1717000000_v2.5_upgrade.go": 'import "github.com/pocketbase/dbx"\n',
        "migrations/1717000001_v2.5_upgrade_2.go": 'import "github.com/pocketbase/dbx"\n',
        "migrations/1717000001_v2.5_upgrade_test.go": 'import "testing"\n',
        "db/migrations/20240105120000_v1.2_backfill.js": "exports.up = (knex) => {};\n",
        "db/migrations/20240105120000_v1.2_backfill.spec.js": "test()\n",
        "database/migrations/2024_01_15_093000_v3.1_add_flags.php": "<?php\n",
    }
    database = _analyse({}, head)
    assert sorted((m.system, m.id, m.problems[0].message) for m in database.migrations) == [
        ("go", "1717000000_v2.5_upgrade", "not read: migration in Go"),
        ("go", "1717000001_v2.5_upgrade_2", "not read: migration in Go"),
        ("knex", "20240105120000_v1.2_backfill", "not read: Knex migration in JavaScript"),
        (
            "laravel",
            "2024_01_15_093000_v3.1_add_flags",
            "not read: Laravel migration in PHP",
        ),
    ]


def _changelog(*change_sets: str) -> str:
    body = "".join(
        f'  <changeSet id="{cs}" author="dev">\n    <createTable tableName="{cs}"/>\n'
        "  </changeSet>\n"
        for cs in change_sets
    )
    return f'<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org">\n{body}</databaseChangeLog>\n'


def test_liquibase_changelogs_are_listed_in_include_order_and_edits_name_the_checksum() -> None:
    folder = "src/main/resources/config/liquibase"
    includes = ["20200101000000_added_entity_Shop.xml", "20200101000000_constraints_Shop.xml"]
    master = _changelog().replace(
        "</databaseChangeLog>",
        "".join(f'  <include file="config/liquibase/changelog/{n}"/>\n' for n in includes)
        + "</databaseChangeLog>",
    )
    base = {
        f"{folder}/master.xml": master,
        f"{folder}/changelog/20200101000000_added_entity_Shop.xml": _changelog("shop"),
        f"{folder}/changelog/00000000000000_initial_schema.xml": _changelog("users"),
        f"{folder}/fake-data/shop.csv": "id;name\n1;a\n",
    }
    head = {
        **base,
        f"{folder}/master.xml": master.replace(
            "  <include", '  <property name="t" value="x"/>\n  <include', 1
        ),
        f"{folder}/changelog/20200101000000_added_entity_Shop.xml": _changelog("shop", "shop_2"),
        f"{folder}/changelog/00000000000000_initial_schema.xml": _changelog("users").replace(
            "  <changeSet", "    <changeSet"
        ),
        f"{folder}/changelog/20200101000000_constraints_Shop.xml": _changelog("shop_fk"),
        f"{folder}/fake-data/shop.csv": "id;name\n1;b\n",
        # a Spring Boot project's YAML master and a formatted SQL changelog beside it
        "src/main/resources/db/changelog/db.changelog-master.yaml": (
            "databaseChangeLog:\n  - include:\n      file: changes/001-init.sql\n"
        ),
        "src/main/resources/db/changelog/changes/001-init.sql": (
            "--liquibase formatted sql\n--changeset dev:1\nCREATE TABLE a (id int);\n"
        ),
        # an XML file that is no changelog
        f"{folder}/changelog/notes.xml": "<notes/>\n",
    }
    database = _analyse(base, head)
    found = [(m.system, m.id, m.change, m.order) for m in database.migrations]
    assert found == [
        ("liquibase", "master", ChangeKind.MODIFIED, 1),
        ("liquibase", "20200101000000_added_entity_Shop", ChangeKind.MODIFIED, 1),
        ("liquibase", "20200101000000_constraints_Shop", ChangeKind.ADDED, 2),
        ("liquibase", "00000000000000_initial_schema", ChangeKind.MODIFIED, 3),
        ("liquibase", "db.changelog-master", ChangeKind.ADDED, 1),
        ("liquibase", "001-init", ChangeKind.ADDED, 1),
    ]
    shop = database.migrations[1]
    assert shop.problems[0].message == "not read: Liquibase changelog in XML"
    assert database.migrations[5].problems[0].message == "not read: Liquibase changelog in SQL"
    [edit] = [i.detail for i in shop.data_impact]
    assert "Liquibase" in edit and "checksum" in edit and "validCheckSum" in edit
    assert "will not run it again" not in edit
    assert database.migrations[3].format_only
    assert no_schema_updates(database) == (
        "not known: 3 new migrations and 3 edited released migrations could not be read "
        "(see Migration Status)"
    )


def test_go_migrations_named_with_a_prefix_before_their_number() -> None:
    # SpiceDB-style names sort its migrations after the package's other sources
    # (`zz_migration.0013_x.go`); its own registry imports no known migration library
    folder = "internal/store/mysql/migrations"
    register = 'package migrations\n\nfunc init() { mustRegisterMigration("{name}") }\n'
    base = {
        f"{folder}/zz_migration.0001_initial_schema.go": register,
        f"{folder}/zz_migration.0002_add_counters.go": register,
        f"{folder}/manager.go": "package migrations\n",
    }
    head = {
        f"{folder}/zz_migration.0001_initial_schema.go": register,
        f"{folder}/zz_migration.0002_add_counters.go": register + "// fixed\n",
        f"{folder}/zz_migration.0010_case_sensitive.go": register,
        f"{folder}/zz_migration.0003_add_schema.go": register,
        # ordinary Go sources of a migrations package are not migrations
        f"{folder}/manager.go": "package migrations\n\n// Register(x)\n",
        f"{folder}/migrations.go": "package migrations\n",
        f"{folder}/migrate_test.go": "package migrations\n",
        f"{folder}/zz_migration.0004_add_schema_test.go": "package migrations\n",
        f"{folder}/zz_generated.options.go": "// Code generated. DO NOT EDIT.\n",
        f"{folder}/zz_generated.0001_options.go": "// Code generated. DO NOT EDIT.\n",
    }
    database = _analyse(base, head)
    assert [(m.system, m.id, m.change, m.released) for m in database.migrations] == [
        ("go", "zz_migration.0002_add_counters", ChangeKind.MODIFIED, True),
        ("go", "zz_migration.0003_add_schema", ChangeKind.ADDED, False),
        ("go", "zz_migration.0010_case_sensitive", ChangeKind.ADDED, False),
    ]
    assert database.migrations[0].problems[0].message == "not read: migration in Go"
    assert no_schema_updates(database) == (
        "not known: 2 new migrations and 1 edited released migration could not be read "
        "(see Migration Status)"
    )


_MIKRO = (
    "import {{ Migration }} from '@mikro-orm/migrations';\n"
    "export class {name} extends Migration {{\n"
    '  async up() {{ this.addSql(\'alter table "shelf" add column "label" text;\'); }}\n'
    "}}\n"
)


def test_mikro_orm_names_with_a_twelve_digit_timestamp() -> None:
    head = {
        "packages/shelf/src/migrations/Migration202408271511.ts": _MIKRO.format(
            name="Migration202408271511"
        )
    }
    database = _analyse({}, head)
    assert [(m.id, m.change) for m in database.migrations] == [
        ("Migration202408271511", ChangeKind.ADDED)
    ]


def test_migrations_of_a_renamed_module_folder_move_with_their_names() -> None:
    old, new = "packages/shelf-next/src/migrations", "packages/shelf/src/migrations"
    kept = _MIKRO.format(name="Migration20240307132720")
    reformatted = _MIKRO.format(name="Migration20240307161216")
    base = {
        f"{old}/Migration20240307132720.ts": kept,
        f"{old}/Migration20240307161216.ts": reformatted,
    }
    head = {
        f"{new}/Migration20240307132720.ts": kept,
        f"{new}/Migration20240307161216.ts": reformatted.replace("'", '"'),
        f"{new}/Migration20240901000000.ts": _MIKRO.format(name="Migration20240901000000"),
    }
    database = _analyse(base, head)
    found = [(m.id, m.path, m.change, m.released) for m in database.migrations]
    assert found == [
        ("Migration20240307132720", f"{new}/Migration20240307132720.ts", ChangeKind.RENAMED, True),
        ("Migration20240307161216", f"{new}/Migration20240307161216.ts", ChangeKind.RENAMED, True),
        ("Migration20240901000000", f"{new}/Migration20240901000000.ts", ChangeKind.ADDED, False),
    ]
    assert database.migrations[0].format_only
    assert not database.migrations[1].format_only
    assert "moved" in "\n".join(migration_status(database))


def test_a_deleted_migration_is_no_move_to_a_kept_file_of_the_same_name() -> None:
    # pocketbase dropped its logs database: logs/1640988000_init.go went, the main
    # 1640988000_init.go stayed (and changed)
    go = 'import "github.com/pocketbase/pocketbase/migrations"\n// {}\n'
    base = {
        "migrations/1640988000_init.go": go.format("main"),
        "migrations/logs/1640988000_init.go": go.format("logs"),
    }
    head = {"migrations/1640988000_init.go": go.format("main, edited")}
    found = {(m.path, m.change) for m in _analyse(base, head).migrations}
    assert ("migrations/logs/1640988000_init.go", ChangeKind.DELETED) in found
