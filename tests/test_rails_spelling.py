"""Ruby spellings of one migration that mean the same: reformatted, not edited."""

from __future__ import annotations

from harvester.migrations.rails.spelling import fingerprint

_MIGRATION = """class BackfillTitles < ActiveRecord::Migration[7.1]
  def up
    execute {opening}
      UPDATE posts SET title = '' WHERE title IS NULL
    SQL
  end
end
"""


def test_squished_heredoc_styles_are_the_same_sql() -> None:
    dashed = fingerprint(_MIGRATION.format(opening="<<-SQL.squish"))
    assert fingerprint(_MIGRATION.format(opening="<<~SQL.squish")) == dashed


def test_heredoc_styles_without_squish_differ() -> None:
    dashed = fingerprint(_MIGRATION.format(opening="<<-SQL"))
    assert fingerprint(_MIGRATION.format(opening="<<~SQL")) != dashed
