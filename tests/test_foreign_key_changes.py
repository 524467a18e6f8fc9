"""A foreign key dropped and added again by one migration changes its rules, not its reference:
no orphan can exist, and what deleting or updating a referenced row now does is reported."""

from __future__ import annotations

from harvester.migrations.schema.ops import Dialect
from harvester.model import ImpactTag
from tests.support.judging import detail, judge, tags

PG, MYSQL = Dialect.POSTGRESQL, Dialect.MYSQL

BASE = """
CREATE TABLE "Folder" ("id" TEXT NOT NULL, "parentID" TEXT,
    CONSTRAINT "Folder_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Note" ("id" TEXT NOT NULL, "folderID" TEXT NOT NULL);
ALTER TABLE "Folder" ADD CONSTRAINT "Folder_parentID_fkey" FOREIGN KEY ("parentID")
    REFERENCES "Folder"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Note" ADD CONSTRAINT "Note_folderID_fkey" FOREIGN KEY ("folderID")
    REFERENCES "Folder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
"""

CASCADE = """
ALTER TABLE "Folder" DROP CONSTRAINT "Folder_parentID_fkey";
ALTER TABLE "Note" DROP CONSTRAINT "Note_folderID_fkey";
ALTER TABLE "Folder" ADD CONSTRAINT "Folder_parentID_fkey" FOREIGN KEY ("parentID")
    REFERENCES "Folder"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Note" ADD CONSTRAINT "Note_folderID_fkey" FOREIGN KEY ("folderID")
    REFERENCES "Folder"("id") ON DELETE CASCADE ON UPDATE CASCADE;
"""


def _details(migration_tags: list[tuple[ImpactTag, str]], tag: ImpactTag) -> list[str]:
    return [text for found, text in migration_tags if found is tag]


def test_a_key_added_again_with_new_rules_keeps_its_lock_but_cannot_find_orphans() -> None:
    judged = judge(CASCADE, PG, base=BASE)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    validations = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert len(validations) == 2
    assert all("SHARE ROW EXCLUSIVE locks" in text for text in validations)
    assert not any("orphaned rows" in text for text in validations)
    assert all(
        "the key it replaces enforced the same reference, so no row can be orphaned" in text
        for text in validations
    )
    assert ImpactTag.FK_DROPPED not in [tag for tag, _ in impacts]


def test_new_delete_rules_say_what_deleting_a_referenced_row_now_does() -> None:
    judged = judge(CASCADE, PG, base=BASE)
    changes = _details(
        [(i.tag, i.detail) for i in judged.data_impact], ImpactTag.BACKWARD_INCOMPATIBLE
    )
    assert changes == [
        "foreign key Folder_parentID_fkey (Folder.parentID -> Folder) ON DELETE SET NULL -> "
        "CASCADE: deleting a row of Folder now deletes the Folder rows that reference it, where "
        "it set their parentID to NULL",
        "foreign key Note_folderID_fkey (Note.folderID -> Folder) ON DELETE RESTRICT -> "
        "CASCADE: deleting a row of Folder now deletes the Note rows that reference it, where it "
        "was refused",
    ]


def test_a_key_replaced_under_another_name_with_the_same_reference_is_a_rules_change() -> None:
    renamed = CASCADE.replace('ADD CONSTRAINT "Note_folderID_fkey"', 'ADD CONSTRAINT "note_fk"')
    judged = judge(renamed, PG, base=BASE)
    assert "fk_dropped" not in tags(judged)
    assert "foreign key note_fk (Note.folderID -> Folder) ON DELETE RESTRICT -> CASCADE" in (
        "\n".join(i.detail for i in judged.data_impact)
    )


def test_same_rules_again_and_unknown_earlier_rules_flag_no_behaviour_change() -> None:
    same = judge(
        CASCADE, PG, base=BASE.replace("SET NULL", "CASCADE").replace("RESTRICT", "CASCADE")
    )
    assert "backward_incompatible" not in tags(same)
    unknown = judge(CASCADE, PG)
    assert "backward_incompatible" not in tags(unknown)
    assert "no row can be orphaned" in detail(unknown, ImpactTag.FK_ADDED_EXISTING_TABLE)


def test_a_key_added_again_on_innodb_copies_the_table_but_finds_no_orphans() -> None:
    sql = (
        "ALTER TABLE note DROP FOREIGN KEY note_folder_fk;\n"
        "ALTER TABLE note ADD CONSTRAINT note_folder_fk FOREIGN KEY (folder_id) "
        "REFERENCES folder (id) ON DELETE CASCADE;"
    )
    base = (
        "CREATE TABLE note (id INT, folder_id INT, CONSTRAINT note_folder_fk FOREIGN KEY "
        "(folder_id) REFERENCES folder (id));"
    )
    judged = judge(sql, MYSQL, base=base)
    text = detail(judged, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "ALGORITHM=COPY" in text and "orphaned rows" not in text
    assert detail(judged, ImpactTag.BACKWARD_INCOMPATIBLE) == (
        "foreign key note_folder_fk (note.folder_id -> folder) ON DELETE NO ACTION -> CASCADE: "
        "deleting a row of folder now deletes the note rows that reference it, where it was "
        "refused"
    )


def test_a_key_renamed_with_its_target_table_is_the_same_reference() -> None:
    base = BASE + 'ALTER TABLE "Folder" RENAME TO "Folders";'
    renamed = (
        'ALTER TABLE "Note" DROP CONSTRAINT "Note_folderID_fkey";'
        'ALTER TABLE "Note" ADD CONSTRAINT "Note_folderID_0f3e_fk_Folders_id" FOREIGN KEY '
        '("folderID") REFERENCES "Folders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;'
    )
    judged = judge(renamed, PG, base=base)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    assert not _details(impacts, ImpactTag.FK_DROPPED)
    (validation,) = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "the key it replaces enforced the same reference" in validation
    assert "fails on orphaned rows" not in validation


def test_a_column_referencing_its_own_table_locks_that_one_table() -> None:
    judged = judge(
        "ALTER TABLE tag ADD COLUMN parent_id bigint REFERENCES tag (id);",
        base="CREATE TABLE tag (id bigint PRIMARY KEY);",
    )
    assert detail(judged, ImpactTag.FK_ADDED_EXISTING_TABLE) == (
        "tag.parent_id -> tag.id: the new foreign key locks tag while it is validated"
    )


def test_a_key_dropped_and_added_again_across_a_table_rename_is_the_same_reference() -> None:
    # Rails: remove_foreign_key, rename_table, add_foreign_key under the new table's name
    moved = (
        'ALTER TABLE "Note" DROP CONSTRAINT "Note_folderID_fkey";'
        'ALTER TABLE "Note" RENAME COLUMN "folderID" TO "folder_id";'
        'ALTER TABLE "Note" RENAME TO "Notes";'
        'ALTER TABLE "Notes" ADD CONSTRAINT "Notes_folder_id_fkey" FOREIGN KEY ("folder_id") '
        'REFERENCES "Folder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;'
    )
    judged = judge(moved, PG, base=BASE)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    assert not _details(impacts, ImpactTag.FK_DROPPED)
    (validation,) = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "the key it replaces enforced the same reference" in validation
    assert not _details(impacts, ImpactTag.BACKWARD_INCOMPATIBLE)


UNNAMED = """
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE conversations (id int PRIMARY KEY, user_id int NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id));
"""

BY_DEFAULT_NAME = """
ALTER TABLE conversations DROP CONSTRAINT conversations_user_id_fkey;
ALTER TABLE conversations ADD CONSTRAINT fk_conversations_user_id_users FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE;
"""


def test_an_unnamed_key_dropped_by_the_name_postgresql_gave_it_is_replaced() -> None:
    # Alembic's batch mode in flaskbb: the key was declared without a name
    judged = judge(BY_DEFAULT_NAME, PG, base=UNNAMED)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    assert not _details(impacts, ImpactTag.FK_DROPPED)
    (validation,) = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "the key it replaces enforced the same reference" in validation
    assert _details(impacts, ImpactTag.BACKWARD_INCOMPATIBLE) == [
        "foreign key fk_conversations_user_id_users (conversations.user_id -> users) ON DELETE "
        "NO ACTION -> CASCADE: deleting a row of users now deletes the conversations rows that "
        "reference it, where it was refused"
    ]


def test_a_key_dropped_by_a_default_name_the_range_does_not_show_is_a_hedged_replacement() -> None:
    judged = judge(BY_DEFAULT_NAME, PG)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    assert not _details(impacts, ImpactTag.FK_DROPPED)
    (validation,) = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "fails on orphaned rows" not in validation
    assert "conversations_user_id_fkey, on the same column" in validation
    assert not _details(impacts, ImpactTag.BACKWARD_INCOMPATIBLE)
    # a default name over other columns is another key
    other = judge(BY_DEFAULT_NAME.replace("(user_id)", "(owner_id)"), PG)
    assert "fk_dropped" in tags(other)


RESTORED = """
UPDATE messages SET author_id = NULL
WHERE author_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM people WHERE people.id = messages.author_id);
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_author_id_fkey;
ALTER TABLE messages ADD CONSTRAINT messages_author_id_fkey FOREIGN KEY (author_id)
    REFERENCES people (id) ON DELETE SET NULL;
"""


def test_a_key_restored_after_clearing_orphans_says_what_the_migration_does() -> None:
    # operately: the key may be missing (dropped IF EXISTS) and orphans are nulled first
    judged = judge(RESTORED, PG)
    validation = detail(judged, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "enforced the same reference" not in validation
    assert validation.endswith(
        "this migration first sets messages.author_id to NULL in the rows with no match in "
        "people (line 2), so it fails only if any remain"
    )
    # without the cleanup, a key that may not exist proves nothing about orphans
    guarded = judge(RESTORED.split(";", 1)[1], PG)
    assert detail(guarded, ImpactTag.FK_ADDED_EXISTING_TABLE).endswith("fails on orphaned rows")


BY_OWN_NAME = """
ALTER TABLE forumsread DROP CONSTRAINT fk_fr_forum_id;
ALTER TABLE forumsread ADD CONSTRAINT fk_forumsread_forum_id_forums FOREIGN KEY (forum_id)
    REFERENCES forums (id) ON DELETE CASCADE;
"""


def test_a_key_dropped_by_a_name_holding_its_column_is_a_hedged_replacement() -> None:
    judged = judge(BY_OWN_NAME, PG)
    impacts = [(i.tag, i.detail) for i in judged.data_impact]
    assert not _details(impacts, ImpactTag.FK_DROPPED)
    (validation,) = _details(impacts, ImpactTag.FK_ADDED_EXISTING_TABLE)
    assert "fk_fr_forum_id, on the same column" in validation
    # a name holding only part of a column's name is no evidence
    other = judge(BY_OWN_NAME.replace("fk_fr_forum_id", "fk_fr_forum"), PG)
    assert "fk_dropped" in tags(other)
