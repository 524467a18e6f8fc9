"""The SQL a goose migration written in Go hands to the database, as far as its text shows:

    func init() { goose.AddMigrationContext(upAddIndex, downAddIndex) }

    func upAddIndex(ctx context.Context, tx *sql.Tx) error {
        _, err := tx.ExecContext(ctx, `create unique index t_id_ix on t (id);`)
        return err
    }

Only the string literals of the up function are read, and only to know the schema a range
starts from (the old table's indexes when a later migration rebuilds it); what the code around
them does (conditions, loops, names built at run time) stays unread.
"""

from __future__ import annotations

import re

# Go string literals: raw (`…`) and interpreted ("…"), where a Go migration keeps its SQL.
GO_STRING = re.compile(r'`[^`]*`|"(?:[^"\\\n]|\\.)*"')
_REGISTERED = re.compile(r"\bgoose\.AddMigration\w*\(\s*(\w+)\s*,")
_FUNC = re.compile(r"^func\s", re.M)
# Literals that are SQL statements, not driver names, log messages or format strings.
_STATEMENT = re.compile(
    r"^\s*(?:create|alter|drop|insert|update|delete)\b(?!.*%[sdvq])", re.I | re.S
)


def up_sql(text: str) -> list[tuple[str, int]]:
    """The SQL statements among the string literals of the up function `text` registers with
    goose, each with the line it starts on; none when no up function is found."""
    registered = _REGISTERED.search(text)
    if registered is None:
        return []
    start = re.search(rf"^func\s+{re.escape(registered.group(1))}\s*\(", text, re.M)
    if start is None:
        return []
    following = _FUNC.search(text, start.end())
    end = following.start() if following else len(text)
    found = []
    for literal in GO_STRING.finditer(text, start.end(), end):
        body = literal.group()[1:-1]
        if _STATEMENT.match(body):
            found.append((body, text.count("\n", 0, literal.start()) + 1))
    return found
