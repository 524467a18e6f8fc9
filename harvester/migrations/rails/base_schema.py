"""The schema a Rails database has at the base of the range, as operations: `db/schema.rb`
read through the migration DSL reader (its body is the same `create_table … do |t|` DSL), or
`db/structure.sql` read as SQL. Later type changes take their old type from it.
"""

from __future__ import annotations

from collections.abc import Sequence

from harvester.cache import cached
from harvester.migrations import treesitter
from harvester.migrations.base import MigrationRoot, RepoView, Side
from harvester.migrations.rails import versions
from harvester.migrations.rails.body import BodyReader
from harvester.migrations.rails.ruby import RubyValues
from harvester.migrations.rails.snapshot import schema_files
from harvester.migrations.rails.types import RailsContext
from harvester.migrations.schema import ops
from harvester.migrations.sql import sql_operations


def base_schema_operations(
    root: MigrationRoot, view: RepoView, side: Side = Side.BASE
) -> Sequence[ops.Operation] | None:
    """The operations of `root`'s schema file at the base (or `side`), or None when it has
    none."""
    schema_rb, structure_sql = schema_files(root.root)
    source = view.read(side, schema_rb)
    if source.text is not None:
        return schema_rb_operations(source.text, root.dialect)
    source = view.read(side, structure_sql)
    if source.text is not None:
        return sql_operations(source.text, root.dialect).operations
    return None


@cached("rails-schema-rb")
def schema_rb_operations(text: str, dialect: ops.Dialect | None) -> tuple[ops.Operation, ...]:
    """What `ActiveRecord::Schema[x.y].define(…) do … end` creates (nothing if it is unreadable)."""
    root = treesitter.parse(text, "ruby")
    define = next(
        (
            n
            for n in treesitter.walk(root)
            if n.type == "call" and treesitter.text(n.child_by_field_name("method")) == "define"
        ),
        None,
    )
    block = define.child_by_field_name("block") if define is not None else None
    if define is None or block is None:
        return ()
    receiver = treesitter.text(define.child_by_field_name("receiver"))
    _, _, bracket = receiver.partition("[")
    version = versions.parse_version(bracket.rstrip("]").strip()) if bracket else None
    reader = BodyReader(RubyValues(root), RailsContext(dialect, version or versions.LATEST), {}, {})
    return reader.read(block.child_by_field_name("body"), {}, False).up
