"""File names, layouts and dialect evidence of SQL migration folders."""

from __future__ import annotations

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts import layouts, naming
from harvester.migrations.sql_layouts.dialects import dialect_from_path
from harvester.migrations.sql_layouts.naming import Direction
from harvester.migrations.sql_layouts.sections import dbmate_sections, goose_sections
from tests.support.memory_view import MemoryView


def test_up_down_names_with_dialect_and_autocommit_infixes() -> None:
    found = naming.up_down_file("db/20200317160354_create_flows.sqlite3.autocommit.up.sql")
    assert found is not None
    assert (found.id, found.variant, found.dialect, found.transactional, found.direction) == (
        "20200317160354_create_flows",
        "sqlite3",
        Dialect.SQLITE,
        False,
        Direction.UP,
    )
    plain = naming.up_down_file("db/000042_add.segment.down.sql")
    assert plain is not None and (plain.id, plain.variant) == ("000042_add.segment", None)


def test_flyway_versions_sort_numerically_and_repeatables_last() -> None:
    files = [
        naming.flyway_file(p) for p in ("V10__b.sql", "V2.1__a.sql", "R__views.sql", "U2.1__a.sql")
    ]
    assert all(files)
    keys = sorted(f.sort_key for f in files if f and f.direction is not Direction.DOWN)
    assert keys == [(0, (2, 1)), (0, (10,)), (1, "views")]


def test_numbered_files_in_version_folders_sort_naturally() -> None:
    root = "store/migration/sqlite"
    paths = [f"{root}/0.10/00__b.sql", f"{root}/0.9/01__a.sql", f"{root}/0.9/00__z.sql"]
    assert naming.numbered_root(paths[0]) == root
    ordered = sorted(paths, key=lambda p: naming.numbered_file(p, root).sort_key)  # type: ignore[union-attr]
    assert [naming.numbered_file(p, root).id for p in ordered] == [  # type: ignore[union-attr]
        "0.9/00__z",
        "0.9/01__a",
        "0.10/00__b",
    ]


def test_diesel_and_prisma_folders() -> None:
    diesel = naming.diesel_file("migrations/2024-01-01-000000_add_post/up.sql")
    assert diesel is not None and diesel.id == "2024-01-01-000000_add_post"
    prisma = naming.prisma_file(
        "web/prisma/migrations/20240101_init/migration.sql", "web/prisma/migrations"
    )
    assert prisma is not None and prisma.id == "20240101_init"


def test_dialect_from_folder_names() -> None:
    assert dialect_from_path("crates/atuin-server-postgres/migrations") is Dialect.POSTGRESQL
    assert dialect_from_path("db/clickhouse/migrations") is Dialect.CLICKHOUSE
    assert dialect_from_path("store/migration/sqlite") is Dialect.SQLITE
    assert dialect_from_path("db/migrations") is None


def test_a_numbered_folder_is_classified_by_its_markers_and_cargo() -> None:
    goose = MemoryView({}, {"db/migrations/001_a.sql": "-- +goose Up\nSELECT 1;\n"})
    assert layouts.classify(goose, "db/migrations") is layouts.GOOSE
    dbmate = MemoryView({}, {"db/migrations/001_a.sql": "-- migrate:up\nSELECT 1;\n"})
    assert layouts.classify(dbmate, "db/migrations") is layouts.DBMATE
    sql_migrate = MemoryView({}, {"migrate/sql/001_a.sql": "-- +migrate Up\nSELECT 1;\n"})
    assert layouts.classify(sql_migrate, "migrate/sql") is layouts.SQL_MIGRATE
    sqlx = MemoryView(
        {},
        {
            "app/Cargo.toml": '[dependencies]\nsqlx = { version = "0.8", features = ["sqlite"] }\n',
            "app/migrations/20240101000000_a.sql": "CREATE TABLE a (id INTEGER);\n",
        },
    )
    assert layouts.classify(sqlx, "app/migrations") is layouts.SQLX
    plain = MemoryView({}, {"db/clickhouse/migrations/01_a.sql": "SELECT 1;\n"})
    assert layouts.classify(plain, "db/clickhouse/migrations") is layouts.NUMBERED
    elsewhere = MemoryView({}, {"docs/01_intro.sql": "SELECT 1;\n"})
    assert layouts.classify(elsewhere, "docs") is None


def test_goose_sections_keep_file_lines_and_transaction_mode() -> None:
    sections = goose_sections(
        "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n"
        "-- +goose Down\nDROP INDEX CONCURRENTLY i;\n"
    )
    assert sections.up is not None and sections.down is not None
    assert (sections.up.first_line, sections.up.transactional) == (2, False)
    assert sections.down.first_line == 6
    assert "DROP INDEX" in sections.down.text


def test_dbmate_sections_read_transaction_false_per_section() -> None:
    sections = dbmate_sections(
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        "-- migrate:down\nDROP INDEX i;\n"
    )
    assert sections.up is not None and sections.down is not None
    assert (sections.up.transactional, sections.down.transactional) == (False, True)


def test_a_folder_moved_with_its_ids_keeps_its_migrations_released() -> None:
    from dataclasses import replace

    from harvester.migrations.database import analyse_database
    from harvester.model import ChangeKind

    class MoveHistory:
        """git's answer for a moved file: the commit that moved it and the release after."""

        def commits_touching(self, path: str) -> tuple[str, ...]:
            return ("f49375d",)

        def added_in(self, path: str) -> str | None:
            return "f49375d"

        def first_release(self, path: str) -> str | None:
            return "v3.0.0"

    files = {f"db/migrations/{n}_step.up.sql": f"CREATE TABLE t{n} (id int);\n" for n in (1, 2, 3)}
    view = MemoryView(files, {p.replace("db/", "database/"): sql for p, sql in files.items()})
    view._changes = tuple(replace(c, history=MoveHistory()) for c in view._changes)
    migrations = analyse_database(view).migrations
    assert [(m.id, m.change, m.format_only, m.added_in, m.first_tag) for m in migrations] == [
        (f"{n}_step", ChangeKind.RENAMED, True, None, None) for n in (1, 2, 3)
    ]
    assert not any(m.schema_changes for m in migrations)


def test_the_released_migrations_give_a_range_change_its_earlier_column() -> None:
    from harvester.migrations.database import analyse_database

    create = "CREATE TABLE registry (id int NOT NULL, access_key varchar(255) NOT NULL);\n"
    alter = (
        "ALTER TABLE registry ALTER COLUMN access_key TYPE varchar(4096);\n"
        "ALTER TABLE registry ALTER COLUMN id SET NOT NULL;\n"
    )
    base = {"migrations/postgresql/0001_init.up.sql": create}
    view = MemoryView(base, {**base, "migrations/postgresql/0002_widen.up.sql": alter})
    (widen,) = analyse_database(view).migrations
    assert widen.columns_altered[0] == "registry.access_key VARCHAR(255) -> VARCHAR(4096)"
    tags = [i.tag.value for i in widen.data_impact]
    assert tags[0] == "type_change_no_rewrite" and "not_null_on_existing_column" not in tags
    assert "registry.id SET NOT NULL: the column is NOT NULL already, nothing to check" in (
        widen.notes
    )


def test_sql_migrate_sections_split_up_from_down() -> None:
    from harvester.migrations.database import analyse_database

    text = (
        "-- +migrate Up\nALTER TABLE users ADD COLUMN mfa_secret BYTEA;\n\n"
        "-- +migrate Down\nALTER TABLE users DROP COLUMN mfa_secret;\n"
    )
    view = MemoryView({}, {"migrate/sql/20240801100859-add-mfa.sql": text})
    (migration,) = analyse_database(view).migrations
    assert migration.system == "sql-migrate"
    assert migration.columns_added == ("users.mfa_secret BYTEA",)
    assert migration.columns_dropped == ()


def test_nameless_and_shared_versions_are_each_their_own_migration() -> None:
    from harvester.migrations.database import analyse_database

    head = {
        "db/migrate/postgres/0122_create_quarantine.up.sql": "CREATE TABLE quarantine (id int);",
        "db/migrate/postgres/0122_create_signatures.up.sql": "CREATE TABLE signatures (id int);",
        "db/migrate/postgres/0157.up.sql": "ALTER TABLE repos DROP COLUMN metric;",
        "db/migrate/postgres/V0021.CachedValueType.up.sql": "ALTER TABLE c ADD COLUMN v int;",
    }
    ids = [m.id for m in analyse_database(MemoryView({}, head)).migrations]
    assert ids == [
        "V0021.CachedValueType",
        "0122_create_quarantine",
        "0122_create_signatures",
        "0157",
    ]


def test_an_enum_rebuilt_with_only_new_values_converts_every_row() -> None:
    from harvester.migrations.database import analyse_database

    create = (
        "CREATE TYPE \"Severity\" AS ENUM ('LOW', 'HIGH');\n"
        "CREATE TABLE monitor (id int, severity \"Severity\" NOT NULL DEFAULT 'LOW');\n"
    )
    rebuild = (
        'ALTER TYPE "Severity" RENAME TO "Severity_old";\n'
        "CREATE TYPE \"Severity\" AS ENUM ('LOW', 'HIGH', 'PAUSED');\n"
        "ALTER TABLE monitor ALTER COLUMN severity DROP DEFAULT;\n"
        'ALTER TABLE monitor ALTER COLUMN severity TYPE "Severity" '
        'USING (severity::text::"Severity");\n'
        "ALTER TABLE monitor ALTER COLUMN severity SET DEFAULT 'LOW';\n"
        'DROP TYPE "Severity_old";\n'
    )
    base = {"prisma/migrations/20240101000000_init/migration.sql": create}
    head = {**base, "prisma/migrations/20240601000000_paused/migration.sql": rebuild}
    (paused,) = analyse_database(MemoryView(base, head)).migrations
    tags = [i.tag.value for i in paused.data_impact]
    assert "backward_incompatible" not in tags
    assert any("keeping every value it had and adding PAUSED" in n for n in paused.notes)


def test_a_tree_that_never_writes_down_files_expects_none() -> None:
    from harvester.migrations.database import analyse_database

    head = {
        "migrations/20240101000000_users.up.sql": "CREATE TABLE users (id int);",
        "migrations/20240201000000_flags.up.sql": "ALTER TABLE users ADD COLUMN flag int;",
    }
    migrations = analyse_database(MemoryView({}, head)).migrations
    assert all("irreversible" not in [i.tag.value for i in m.data_impact] for m in migrations)


def test_a_folder_split_per_dialect_keeps_each_migration_whatever_git_pairs() -> None:
    from harvester.migrations.base import PathChange
    from harvester.migrations.database import analyse_database
    from harvester.model import ChangeKind

    mysql = "ALTER TABLE consent MODIFY subject CHAR(36) NULL;"
    postgres = "ALTER TABLE consent ALTER COLUMN subject DROP NOT NULL;"
    base = {
        "migrations/V0005.ConsentSubjectNULL.mysql.up.sql": mysql,
        "migrations/V0005.ConsentSubjectNULL.postgres.up.sql": postgres,
        "docs/.gitkeep": "",
    }
    head = {
        "migrations/mysql/V0005.ConsentSubjectNull.up.sql": mysql,
        "migrations/postgres/V0005.ConsentSubjectNull.up.sql": postgres,
        "migrations/postgres/V0009.FixConstraints.up.sql": "",
    }
    view = MemoryView(base, head)
    moved = ChangeKind.RENAMED
    # git pairs by likeness: the mysql file with the postgres one, a new file with a .gitkeep
    view._changes = (
        PathChange(
            "migrations/mysql/V0005.ConsentSubjectNull.up.sql",
            "migrations/V0005.ConsentSubjectNULL.postgres.up.sql",
            moved,
            None,
            None,
        ),
        PathChange(
            "migrations/postgres/V0005.ConsentSubjectNull.up.sql",
            None,
            ChangeKind.ADDED,
            None,
            None,
        ),
        PathChange(
            "migrations/postgres/V0009.FixConstraints.up.sql", "docs/.gitkeep", moved, None, None
        ),
        PathChange(
            "migrations/V0005.ConsentSubjectNULL.mysql.up.sql", None, ChangeKind.DELETED, None, None
        ),
    )
    found = {(m.id, m.dialect): (m.change, m.released) for m in analyse_database(view).migrations}
    assert found == {
        ("V0005.ConsentSubjectNull", "mysql"): (ChangeKind.RENAMED, True),
        ("V0005.ConsentSubjectNull", "postgresql"): (ChangeKind.RENAMED, True),
        ("V0009.FixConstraints", "postgresql"): (ChangeKind.ADDED, False),
    }


def test_a_goose_file_renamed_with_its_version_is_the_migration_the_base_ran() -> None:
    from harvester.migrations.base import PathChange
    from harvester.migrations.database import analyse_database
    from harvester.model import ChangeKind

    folder = "internal/db/migrations"
    create = (
        "-- +goose Up\nCREATE TABLE events (id bigint PRIMARY KEY);\n"
        "ALTER TABLE events ADD CONSTRAINT positive CHECK (id > 0);\n"
        "-- +goose Down\nDROP TABLE events;\n"
    )
    later = "-- +goose Up\nCREATE TABLE audits (id bigint);\n-- +goose Down\nDROP TABLE audits;\n"
    base = {f"{folder}/20240101000000_v1_0_7.sql": create}
    head = {
        f"{folder}/20240101000000_v1_0_8.sql": create,
        f"{folder}/20240301000000_v1_0_9.sql": later,
    }
    for paired in (True, False):
        view = MemoryView(base, head)
        if not paired:  # git saw a delete and an add (the content changed too much to pair)
            view._changes = (
                PathChange(
                    f"{folder}/20240101000000_v1_0_7.sql", None, ChangeKind.DELETED, None, None
                ),
                PathChange(
                    f"{folder}/20240101000000_v1_0_8.sql", None, ChangeKind.ADDED, None, None
                ),
                PathChange(
                    f"{folder}/20240301000000_v1_0_9.sql", None, ChangeKind.ADDED, None, None
                ),
            )
        database = analyse_database(view)
        found = [(m.id, m.change, m.released, m.format_only) for m in database.migrations]
        assert found == [
            ("20240101000000_v1_0_8", ChangeKind.RENAMED, True, True),
            ("20240301000000_v1_0_9", ChangeKind.ADDED, False, False),
        ], paired
        renamed = database.migrations[0]
        assert not renamed.schema_changes and not renamed.tables_created
        assert [i.tag.value for i in renamed.data_impact] == ["none"]


def test_goose_migrations_written_in_go_run_in_order_and_say_they_are_not_read() -> None:
    from harvester.migrations.database import analyse_database

    folder = "internal/db/migrations"
    base = {f"{folder}/20240101000000_events.sql": "-- +goose Up\nCREATE TABLE events (id int);\n"}
    head = {
        **base,
        f"{folder}/20240201000000_dedupe_events.go": "package migrations\n",
        f"{folder}/20240201000000_dedupe_events_test.go": "package migrations\n",
        f"{folder}/20240301000000_events_idx.sql": (
            "-- +goose Up\nCREATE UNIQUE INDEX events_id ON events (id);\n"
        ),
        f"{folder}/migrations.go": "package migrations\n",
    }
    database = analyse_database(MemoryView(base, head))
    assert [m.id for m in database.migrations] == [
        "20240201000000_dedupe_events",
        "20240301000000_events_idx",
    ]
    go = database.migrations[0]
    assert go.path.endswith("_dedupe_events.go")
    assert [(i.tag.value, i.detail) for i in go.data_impact] == [
        ("raw_sql", "not analysed: goose migration written in Go: its code is not read")
    ]


def test_an_edit_that_only_guards_drops_does_not_hide_the_real_change() -> None:
    from harvester.migrations.schema import ops
    from harvester.migrations.sql import sql_operations
    from harvester.migrations.sql_layouts.history import edit_summary

    def parsed(up: str, down: str) -> ops.ParsedMigration:
        def step(sql: str) -> ops.Step:
            return ops.Step(sql_operations(sql, ops.Dialect.SQLITE).operations)

        return ops.ParsedMigration("V5", "V5.up.sql", step(up), step(down))

    before = parsed("DROP INDEX a_idx; DROP INDEX b_idx;", "CREATE INDEX a_idx ON t (a);")
    after = parsed(
        "DROP INDEX IF EXISTS a_idx; DROP INDEX IF EXISTS b_idx;",
        "DELETE FROM t WHERE a IS NULL; CREATE INDEX a_idx ON t (a);",
    )
    summary = edit_summary(before, after)
    assert summary.startswith("now also on the way down "), summary
    assert "DELETE" in summary.split(";")[0].upper()
    assert summary.endswith("2 statements now run only if their object exists")
    assert "no longer" not in summary


def test_engine_guess_reads_sql_only_and_says_nothing_on_a_tie() -> None:
    from harvester.migrations.sql.dialect import guess_dialect

    # a backtick inside a string literal is no MySQL evidence
    comment = "COMMENT ON COLUMN v.sha IS 'the hash, or `NULL` if unknown';\n"
    assert guess_dialect(comment + "ALTER TABLE v ADD CHECK (x > 0) NOT VALID;") is (
        Dialect.POSTGRESQL
    )
    # one MySQL and one PostgreSQL peculiarity: no engine is chosen
    assert guess_dialect("ALTER TABLE `v` ADD CHECK (x > 0) NOT VALID;") is None


def test_goose_go_migrations_do_not_feed_the_engine_guess() -> None:
    from harvester.migrations.database import analyse_database

    folder = "db/migrations"
    base = {f"{folder}/20240101000000_tracks.sql": "-- +goose Up\nCREATE TABLE track (id int);\n"}
    head = {
        **base,
        f"{folder}/20240201000000_paths.go": (
            "package migrations\n\n// Use paths from `track` table\nfunc up() {}\n"
        ),
        f"{folder}/20240301000000_track_idx.sql": (
            "-- +goose Up\nCREATE INDEX track_id ON track (id);\n"
        ),
    }
    database = analyse_database(MemoryView(base, head))
    assert {s.dialect for s in database.systems} == {None}
    # the database/sql driver the module requires names the engine
    go_mod = "module example.com/music\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22\n"
    go_mod += "\tgithub.com/lib/pq v1.10.9 // indirect\n)\n"
    database = analyse_database(MemoryView(base, {**head, "go.mod": go_mod}))
    assert {s.dialect for s in database.systems} == {Dialect.SQLITE}


def test_cargo_dev_dependencies_do_not_override_the_engine_of_dependencies() -> None:
    from harvester.migrations.sql_layouts.dialects import dialect_from_config

    cargo = (
        '[dependencies]\ndiesel = { version = "2", features = ["postgres", "chrono"] }\n'
        'diesel_migrations = { version = "2", features = ["postgres"] }\n\n'
        '[dev-dependencies]\ndiesel = { version = "2", features = ["r2d2"] }\n'
    )
    view = MemoryView({}, {"Cargo.toml": cargo, "migrations/.keep": ""})
    assert dialect_from_config(view, "migrations") == (Dialect.POSTGRESQL, "Cargo.toml")
    test_only = '[dev-dependencies]\nsqlx = { version = "0.8", features = ["sqlite"] }\n'
    view = MemoryView({}, {"Cargo.toml": test_only, "migrations/.keep": ""})
    assert dialect_from_config(view, "migrations") == (Dialect.SQLITE, "Cargo.toml")


def test_go_migrations_refactored_alike_are_one_finding_of_one_system() -> None:
    from harvester.migrations.database import analyse_database

    folder = "db/migrations"

    def go(name: str, call: str) -> str:
        return (
            'package migrations\n\nimport "github.com/pressly/goose/v3"\n\n'
            f"func up{name}(ctx context.Context, tx *sql.Tx) error {{\n"
            f"\t_, err := {call}`CREATE TABLE {name} (id integer);`)\n\treturn err\n}}\n"
        )

    names = ("album", "artist", "track")
    base = {f"{folder}/2024010{i}000000_{n}.go": go(n, "tx.Exec(") for i, n in enumerate(names)}
    head = {p: go(n, "tx.ExecContext(ctx, ") for p, n in zip(base, names, strict=True)}
    head[f"{folder}/20240201000000_genre.sql"] = "-- +goose Up\nCREATE TABLE genre (id int);\n"
    database = analyse_database(MemoryView(base, head))
    assert [(s.system, s.root) for s in database.systems] == [("goose", folder)]
    edits = [f.detail for f in database.findings if f.tag.value == "modified_existing_migration"]
    assert edits == [
        "goose, 3 migrations edited alike (20240100000000_album … 20240102000000_track), each: "
        "already released migration edited (its Go code changed, not the SQL strings in it; "
        "harvester does not read it): databases that ran the old version will not run it "
        "again, new databases run the new one"
    ]


def test_a_column_added_to_a_released_create_table_is_named() -> None:
    from harvester.migrations.sql_layouts.statement_edits import statement_edits

    old = 'CREATE TABLE users (name TEXT PRIMARY KEY, tier TEXT DEFAULT "basic");\n'
    new = "create table users (\n  name text primary key,\n  tier text default 'basic',\n"
    new += "  plan_id text\n);\n"
    assert statement_edits(old, new, None) == [
        "`create table users`: `\"basic\"` -> `'basic', plan_id text`"
    ]
    assert statement_edits(old, old.lower().replace(" (", "(\n  "), None) == []
