"""Row changes as a reviewer reads them: what a DELETE keeps, what an UPDATE erases, and the
orphans a migration removes before it adds a foreign key."""

from __future__ import annotations

from harvester.migrations.ecto.migration import read_migration
from harvester.migrations.schema.assemble import MigrationInput, assemble
from harvester.migrations.schema.ops import Dialect
from harvester.model import ChangeKind, ImpactTag
from tests.support.judging import detail, judge, tags

PG, MYSQL = Dialect.POSTGRESQL, Dialect.MYSQL

_CLEANUP = """
DELETE FROM polls WHERE user_id IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = polls.user_id);
DELETE FROM votes v WHERE v.option_id NOT IN (SELECT id FROM options);
UPDATE accounts SET plan_id = NULL
WHERE plan_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.id = accounts.plan_id);
ALTER TABLE polls ADD CONSTRAINT polls_user_id_fkey
FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE polls ADD CONSTRAINT polls_event_id_fkey
FOREIGN KEY (event_id) REFERENCES events(id);
ALTER TABLE votes ADD CONSTRAINT votes_option_id_fkey
FOREIGN KEY (option_id) REFERENCES options(id);
ALTER TABLE accounts ADD CONSTRAINT accounts_plan_id_fkey
FOREIGN KEY (plan_id) REFERENCES plans(id);
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey
FOREIGN KEY (user_id) REFERENCES users(id);
"""


def _fk_lines(sql: str, dialect: Dialect = PG) -> dict[str, str]:
    judged = judge(sql, dialect)
    return {
        i.detail.split(":", 2)[1].split()[0]: i.detail
        for i in judged.data_impact
        if i.tag is ImpactTag.FK_ADDED_EXISTING_TABLE
    }


def test_a_delete_shows_its_where_so_a_filtered_delete_never_reads_as_every_row() -> None:
    judged = judge("DELETE FROM background_updates WHERE update_name = 'rerun_media';")
    assert detail(judged, ImpactTag.DATA_DELETE) == (
        "DELETE FROM background_updates WHERE update_name = 'rerun_media'"
    )
    everything = judge("DELETE FROM sessions;")
    assert detail(everything, ImpactTag.DATA_DELETE) == "DELETE FROM sessions (every row)"
    long = judge(_CLEANUP.split(";")[0] + ";")
    assert detail(long, ImpactTag.DATA_DELETE) == (
        "DELETE FROM polls WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT … FROM users …)"
    )
    mysql = judge("DELETE FROM votes WHERE option_id NOT IN (SELECT id FROM options);", MYSQL)
    assert detail(mysql, ImpactTag.DATA_DELETE) == (
        "DELETE FROM votes WHERE option_id NOT IN (SELECT … FROM options …)"
    )


def test_foreign_keys_whose_orphans_the_migration_removes_first_do_not_fail_on_them() -> None:
    lines = _fk_lines(_CLEANUP)
    polls = lines["polls_user_id_fkey"]
    assert "first deletes the rows of polls with no match in users (line 2)" in polls
    assert "with no match in options" in lines["votes_option_id_fkey"]
    assert (
        "first sets accounts.plan_id to NULL in the rows with no match in plans"
        in (lines["accounts_plan_id_fkey"])
    )
    assert lines["sessions_user_id_fkey"].endswith("fails on orphaned rows")
    # Cleaning polls of rows without a user says nothing of their events.
    assert lines["polls_event_id_fkey"].endswith("fails on orphaned rows")


def test_an_update_setting_a_column_to_null_on_every_row_erases_its_values() -> None:
    judged = judge("UPDATE backends SET config = NULL;")
    assert tags(judged) == ["data_delete"]
    assert detail(judged, ImpactTag.DATA_DELETE) == (
        "UPDATE backends SET config = NULL on every row: erases every value of backends.config"
    )
    filtered = judge("UPDATE backends SET config = NULL WHERE kind = 'x';")
    assert tags(filtered) == ["data_backfill"]


def test_an_ecto_update_all_setting_nil_on_every_row_erases_its_values() -> None:
    text = (
        "defmodule MyApp.Repo.Migrations.Nilify do\n  use Ecto.Migration\n  import Ecto.Query\n"
        "  def up do\n"
        '    from(b in "backends", update: [set: [config: nil]]) |> MyApp.Repo.update_all([])\n'
        "  end\n  def down do\n  end\nend\n"
    )
    path = "priv/repo/migrations/20240808172408_nilify.exs"
    parsed = read_migration(text, path, "20240808172408", PG).parsed
    item = MigrationInput("20240808172408", path, "ecto", PG, ChangeKind.ADDED, False, parsed)
    (judged,) = assemble([item])
    assert detail(judged, ImpactTag.DATA_DELETE) == (
        "UPDATE backends SET config = NULL on every row: erases every value of backends.config"
    )
    assert "data_backfill" not in tags(judged)
