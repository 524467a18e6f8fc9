"""Rails migration DSL calls become the exact schema operations Rails would run."""

from __future__ import annotations

from harvester.migrations.rails.migration import read_migration
from harvester.migrations.schema import ops
from harvester.migrations.schema.ops import Dialect

PG = Dialect.POSTGRESQL


def read(
    body: str, *, version: str = "7.2", dialect: Dialect | None = PG, head: str = ""
) -> ops.ParsedMigration:
    """The parsed migration of a `change` body (or whole methods when `body` has `def`)."""
    methods = body if "def " in body else f"  def change\n{body}\n  end"
    text = f"class M < ActiveRecord::Migration[{version}]\n{head}{methods}\nend\n"
    reading = read_migration(text, "db/migrate/20250101000000_m.rb", "20250101000000", dialect)
    assert reading.problem is None, reading.problem
    assert reading.parsed is not None
    return reading.parsed


def up(body: str, **kwargs: object) -> tuple[ops.Operation, ...]:
    return read(body, **kwargs).up.operations  # type: ignore[arg-type]


def test_create_table_with_references_and_timestamps() -> None:
    found = up(
        """
    create_table :family_exports, id: :uuid do |t|
      t.references :family, null: false, foreign_key: true, type: :uuid
      t.string :status, default: "pending", null: false
      t.timestamps
    end"""
    )
    fk = ops.ForeignKey(("family_id",), "families", ("id",), name="fk_rails_25cf4f133b")
    assert found == (
        ops.CreateTable(
            "family_exports",
            (
                ops.ColumnDef("id", "UUID", default="gen_random_uuid()", primary_key=True),
                ops.ColumnDef("family_id", "UUID", nullable=False),
                ops.ColumnDef("status", "VARCHAR", nullable=False, default="'pending'"),
                ops.ColumnDef("created_at", "TIMESTAMP(6)", nullable=False),
                ops.ColumnDef("updated_at", "TIMESTAMP(6)", nullable=False),
            ),
            (
                ops.Constraint(
                    ops.ConstraintKind.FOREIGN_KEY, "fk_rails_25cf4f133b", foreign_key=fk
                ),
            ),
        ),
        ops.CreateIndex(
            ops.IndexDef("index_family_exports_on_family_id", "family_exports", ("family_id",))
        ),
    )


def test_polymorphic_reference_names_its_index_after_the_reference() -> None:
    found = up(
        "    create_table :notes do |t|\n      t.references :subject, polymorphic: true\n    end"
    )
    table, index = found
    assert isinstance(table, ops.CreateTable) and isinstance(index, ops.CreateIndex)
    assert [c.name for c in table.columns] == ["id", "subject_type", "subject_id"]
    assert [c.type for c in table.columns] == ["BIGSERIAL", "VARCHAR", "BIGINT"]
    assert index.index.name == "index_notes_on_subject"
    assert index.index.columns == ("subject_type", "subject_id")
    legacy = up(
        "    create_table :notes do |t|\n      t.references :subject, polymorphic: true\n    end",
        version="6.0",
    )[1]
    assert isinstance(legacy, ops.CreateIndex)
    assert legacy.index.name == "index_notes_on_subject_type_and_subject_id"


def test_rails_4_2_timestamps_are_nullable_and_references_unindexed() -> None:
    text = (
        "class M < ActiveRecord::Migration\n  def change\n    create_table :posts do |t|\n"
        "      t.references :user\n      t.timestamps\n    end\n  end\nend\n"
    )
    parsed = read_migration(text, "db/migrate/1_m.rb", "1", PG).parsed
    assert parsed is not None
    (table,) = parsed.up.operations
    assert isinstance(table, ops.CreateTable)
    assert [(c.name, c.type, c.nullable) for c in table.columns] == [
        ("id", "SERIAL", None),
        ("user_id", "INTEGER", None),
        ("created_at", "TIMESTAMP", None),
        ("updated_at", "TIMESTAMP", None),
    ]


def test_add_column_not_null_without_default() -> None:
    assert up("    add_column :users, :email, :string, null: false") == (
        ops.AddColumn("users", ops.ColumnDef("email", "VARCHAR", nullable=False)),
    )


def test_concurrent_index_outside_a_transaction() -> None:
    parsed = read(
        "    add_index :users, [:org_id, :email], unique: true, algorithm: :concurrently",
        head="  disable_ddl_transaction!\n",
    )
    assert parsed.up.transactional is False
    assert parsed.up.operations == (
        ops.CreateIndex(
            ops.IndexDef(
                "index_users_on_org_id_and_email",
                "users",
                ("org_id", "email"),
                unique=True,
                concurrently=True,
            )
        ),
    )
    assert parsed.down is not None
    assert parsed.down.operations == (
        ops.DropIndex("index_users_on_org_id_and_email", "users", concurrently=True),
    )


def test_change_is_reversed_in_reverse_order() -> None:
    parsed = read("    add_column :users, :a, :string\n    rename_column :users, :b, :c")
    assert parsed.down is not None
    assert parsed.down.operations == (
        ops.RenameColumn("users", "c", "b"),
        ops.DropColumn("users", "a"),
    )
    assert parsed.down_declared is True


def test_irreversible_commands_in_change() -> None:
    for body in (
        "    remove_column :users, :legacy",
        "    change_column :users, :age, :bigint",
        '    execute "UPDATE users SET a = 1"',
        "    drop_table :old",
    ):
        parsed = read(body)
        assert (parsed.down, parsed.down_declared) == (None, False), body
        assert any(
            note.startswith("rollback raises ActiveRecord::IrreversibleMigration")
            for note in parsed.notes
        )


def test_remove_column_with_type_is_reversible() -> None:
    parsed = read("    remove_column :users, :legacy, :string, default: 'x'")
    assert parsed.down is not None
    assert parsed.down.operations == (
        ops.AddColumn("users", ops.ColumnDef("legacy", "VARCHAR", default="'x'")),
    )


def test_reversible_block_gives_both_directions() -> None:
    parsed = read(
        """
    reversible do |dir|
      dir.up { change_column_default :users, :role, "member" }
      dir.down do
        change_column_default :users, :role, nil
      end
    end"""
    )
    assert parsed.up.operations == (ops.SetDefault("users", "role", "'member'"),)
    assert parsed.down is not None
    assert parsed.down.operations == (ops.DropDefault("users", "role"),)
    assert parsed.down_declared is True


def test_change_column_per_adapter() -> None:
    body = "    change_column :users, :bio, :text, null: false"
    assert up(body) == (
        ops.AlterColumnType("users", "bio", "TEXT"),
        ops.SetNotNull("users", "bio"),
    )
    # ActiveRecord re-states what the call leaves out (here the default) on MySQL too
    assert up(body, dialect=Dialect.MYSQL) == (
        ops.AlterColumnType("users", "bio", "TEXT"),
        ops.SetNotNull("users", "bio"),
    )
    sqlite = up(body, dialect=Dialect.SQLITE)
    assert isinstance(sqlite[-1], ops.RebuildTable)
    assert sqlite[-1].table == "users"


def test_change_column_null_with_a_fill_value() -> None:
    found = up('    change_column_null :users, :name, false, "anonymous"')
    assert isinstance(found[0], ops.DataChange)
    assert found[0].kind is ops.DataChangeKind.UPDATE
    assert found[0].table == "users"
    assert found[1] == ops.SetNotNull("users", "name")


def test_change_column_default_from_to_is_reversible() -> None:
    parsed = read('    change_column_default :imports, :label, from: "date", to: nil')
    assert parsed.up.operations == (ops.DropDefault("imports", "label"),)
    assert parsed.down is not None
    assert parsed.down.operations == (ops.SetDefault("imports", "label", "'date'"),)


def test_guards_are_noted() -> None:
    parsed = read(
        "    add_index :users, :email unless index_exists?(:users, :email)\n"
        "    add_column :users, :x, :string, if_not_exists: true"
    )
    assert len(parsed.up.operations) == 2
    assert "guarded: part runs only unless `index_exists?(:users, :email)`" in parsed.up.notes
    assert any("if_not_exists: true" in note for note in parsed.up.notes)


def test_a_negated_condition_is_noted_without_a_double_negative() -> None:
    parsed = read(
        '    execute "UPDATE users SET x = 1" unless !users.present?\n'
        '    execute "UPDATE users SET y = 1" if !users.any? || admins.any?'
    )
    assert "runs only if `users.present?`" in parsed.up.notes
    assert "runs only if `!users.any? || admins.any?`" in parsed.up.notes


def test_an_early_return_guards_the_rest_like_a_modifier() -> None:
    modifier = read("    add_index :users, :email unless index_exists?(:users, :email)")
    for guard in (
        "return if index_exists?(:users, :email)",
        "if index_exists?(:users, :email)\n      return # added by hand on some servers\n    end",
    ):
        early = read(f"    {guard}\n    add_index :users, :email")
        assert (early.up, early.down) == (modifier.up, modifier.down), guard
    each = up(
        """    %i[email name].each do |column|
      next unless column_exists?(:users, column)
      add_index :users, column
    end"""
    )
    assert [o.index.name for o in each if isinstance(o, ops.CreateIndex)] == [
        "index_users_on_email",
        "index_users_on_name",
    ]
    body = """    return unless connection.adapter_name == "PostgreSQL"
    add_column :users, :tags, :string, array: true"""
    assert len(up(body)) == 1
    assert up(body, dialect=Dialect.MYSQL) == ()
    (created,) = up(
        """    return if table_exists?(:legacy)
    create_table :legacy, force: :cascade do |t|
      t.string :name
    end"""
    )
    assert isinstance(created, ops.CreateTable) and created.if_not_exists


def test_option_splats_are_read_when_literal_and_never_guessed_otherwise() -> None:
    (known,) = up(
        """    options = {unique: true, name: "by_url"}
    add_index(:links, :url, **options)"""
    )
    assert known == ops.CreateIndex(ops.IndexDef("by_url", "links", ("url",), unique=True))
    parsed = read("    add_index :links, :url, **index_options")
    (unknown,) = parsed.up.operations
    assert isinstance(unknown, ops.CreateIndex)
    assert (unknown.index.name, unknown.index.options_unread) == (None, "**index_options")


def test_splat_column_lists_expand_when_literal_and_say_so_otherwise() -> None:
    found = up(
        """    remove_columns :api_keys, *%i[push_gem yank_gem], *%w[add_owner], type: :boolean
    add_index :api_keys, [*KEYED, :name]""",
        head="  KEYED = %i[owner_id kind].freeze\n",
    )
    assert [o.column for o in found if isinstance(o, ops.DropColumn)] == [
        "push_gem",
        "yank_gem",
        "add_owner",
    ]
    assert [o.index.columns for o in found if isinstance(o, ops.CreateIndex)] == [
        ("owner_id", "kind", "name")
    ]
    (unread,) = up("    remove_columns :api_keys, *ApiKey::RETIRED_SCOPES")
    assert unread == ops.DropColumn("api_keys", "(columns not read: *ApiKey::RETIRED_SCOPES)")


def test_a_rescue_clause_runs_only_if_the_step_before_it_raises() -> None:
    parsed = read(
        """  def up
    add_index :accounts, :uri, unique: true
  rescue ActiveRecord::RecordNotUnique
    Account.where(duplicate: true).delete_all
  rescue
    remove_index :accounts, name: :index_accounts_on_uri
    raise
  ensure
    execute "ANALYZE accounts"
  end""",
        head="  class Account < ActiveRecord::Base; end\n",
    )
    created, deleted, analysed = parsed.up.operations
    assert isinstance(created, ops.CreateIndex) and isinstance(analysed, ops.Opaque)
    assert isinstance(deleted, ops.DataChange) and not deleted.raises_on_data
    assert deleted.detail.endswith(
        "(only if the step before it raises ActiveRecord::RecordNotUnique)"
    )
    assert (
        "only if the step before it raises an error (`rescue`): drops index "
        "index_accounts_on_uri ON accounts" in parsed.up.notes
    )


def test_adapter_checks_keep_the_right_branch() -> None:
    body = """
    if connection.adapter_name == "SQLServer"
      execute "CREATE UNIQUE NONCLUSTERED INDEX i ON t(c)"
    else
      add_index :t, :c, unique: true
    end"""
    assert up(body) == (ops.CreateIndex(ops.IndexDef("index_t_on_c", "t", ("c",), unique=True)),)


def test_model_code_is_a_data_change() -> None:
    parsed = read(
        """  class Account < ActiveRecord::Base
    self.table_name = "ledger_accounts"
  end

  def up
    Account.where(status: nil).update_all(status: "draft")
    User.find_each { |user| user.update!(slug: user.name.parameterize) }
  end

  def down
  end"""
    )
    first, second = parsed.up.operations
    assert isinstance(first, ops.DataChange) and isinstance(second, ops.DataChange)
    assert (first.kind, first.table, first.has_where) == (
        ops.DataChangeKind.UPDATE,
        "ledger_accounts",
        True,
    )
    assert (second.kind, second.table, second.has_where) == (
        ops.DataChangeKind.CODE,
        "users",
        False,
    )
    assert second.raises_on_data is True
    assert first.reversible is False
    assert parsed.down_is_noop is True


def test_raise_on_bad_rows_makes_the_data_change_data_dependent() -> None:
    parsed = read(
        """  def up
    if select_value("SELECT COUNT(*) FROM users WHERE email IS NULL").to_i > 0
      raise "users without email"
    end
    change_column_null :users, :email, false
  end

  def down
    change_column_null :users, :email, true
  end"""
    )
    data = [op for op in parsed.up.operations if isinstance(op, ops.DataChange)]
    assert len(data) == 1
    assert data[0].raises_on_data is True


def test_model_code_in_change_runs_again_on_rollback() -> None:
    parsed = read("    User.update_all(active: true)")
    assert parsed.down is not None
    (again,) = parsed.down.operations
    assert isinstance(again, ops.DataChange)
    assert "runs again on rollback" in again.detail


def test_down_raising_irreversible_migration() -> None:
    parsed = read(
        "  def up\n    drop_table :old\n  end\n\n  def down\n"
        "    raise ActiveRecord::IrreversibleMigration\n  end"
    )
    assert parsed.down_declared is False
    assert parsed.up.operations == (ops.DropTable("old"),)


def test_up_without_down() -> None:
    # Rails' default down does nothing: db:rollback "succeeds" and leaves the change.
    parsed = read("  def up\n    remove_column :users, :x\n  end")
    assert (parsed.down, parsed.down_is_noop) == (ops.Step(), True)


def test_loops_over_literals_expand() -> None:
    found = up(
        "  TABLES = %i[users posts].freeze\n  def up\n    TABLES.each do |table|\n"
        "      add_column table, :deleted_at, :datetime\n    end\n  end"
    )
    assert [(op.table, op.column.name) for op in found if isinstance(op, ops.AddColumn)] == [
        ("users", "deleted_at"),
        ("posts", "deleted_at"),
    ]


def test_helper_methods_are_read_where_called() -> None:
    found = up(
        "  def up\n    add_flag(:users)\n  end\n\n  def add_flag(table)\n"
        "    add_column :users, :flag, :boolean, default: false\n  end"
    )
    assert found == (ops.AddColumn("users", ops.ColumnDef("flag", "BOOLEAN", default="FALSE")),)


def test_references_and_foreign_keys_on_existing_tables() -> None:
    found = up(
        "    add_reference :posts, :author, foreign_key: { to_table: :users, on_delete: :cascade }"
    )
    fk = ops.ForeignKey(
        ("author_id",), "users", ("id",), on_delete="CASCADE", name="fk_rails_04d13ef8c7"
    )
    assert found[0] == ops.AddColumn("posts", ops.ColumnDef("author_id", "BIGINT"))
    assert found[1] == ops.CreateIndex(
        ops.IndexDef("index_posts_on_author_id", "posts", ("author_id",))
    )
    assert found[2] == ops.AddConstraint(
        "posts",
        ops.Constraint(ops.ConstraintKind.FOREIGN_KEY, "fk_rails_04d13ef8c7", foreign_key=fk),
    )
    assert up("    remove_foreign_key :posts, :users") == (
        ops.DropConstraint(
            "posts", "fk_rails_5b5ddfd518", ops.ConstraintKind.FOREIGN_KEY, ref_table="users"
        ),
    )


def test_mysql_adds_an_index_for_an_unindexed_foreign_key() -> None:
    found = up(
        "    create_table :posts do |t|\n"
        "      t.references :user, index: false, foreign_key: true\n    end",
        dialect=Dialect.MYSQL,
    )
    assert found[-1] == ops.CreateIndex(ops.IndexDef("fk_rails_5b5ddfd518", "posts", ("user_id",)))


def test_check_constraint_not_validated() -> None:
    (found,) = up(
        '    add_check_constraint :products, "price > 0", name: "price_positive", validate: false'
    )
    assert found == ops.AddConstraint(
        "products",
        ops.Constraint(
            ops.ConstraintKind.CHECK, "price_positive", expression="price > 0", not_valid=True
        ),
    )


def test_join_table() -> None:
    (found,) = up("    create_join_table :users, :roles")
    assert found == ops.CreateTable(
        "roles_users",
        (
            ops.ColumnDef("user_id", "BIGINT", nullable=False),
            ops.ColumnDef("role_id", "BIGINT", nullable=False),
        ),
    )


def test_unparseable_file_reports_the_line() -> None:
    reading = read_migration(
        "class M < ActiveRecord::Migration[7.1]\n  def change\n"
        "    add_column :a, :b,, :c\n  end\nend\n",
        "db/migrate/1_m.rb",
        "1",
        PG,
    )
    assert reading.parsed is None
    assert reading.problem is not None
    assert reading.problem.line == 3


def test_file_without_a_migration_class() -> None:
    reading = read_migration("puts 'hi'\n", "db/migrate/1_m.rb", "1", PG)
    assert reading.parsed is None
    assert reading.problem is not None
    assert "no migration class" in reading.problem.message


def test_helper_parameters_are_bound() -> None:
    found = up(
        "  def up\n    add_flag :posts, :pinned\n  end\n\n  def add_flag(table, name)\n"
        "    add_column table, name, :boolean, default: false\n  end"
    )
    assert found == (ops.AddColumn("posts", ops.ColumnDef("pinned", "BOOLEAN", default="FALSE")),)


def test_kernel_calls_and_local_values_are_not_commands() -> None:
    found = up(
        "  def up\n    token = rand(36**8).to_s(36)\n    token\n"
        "    Domain.where(domain: 'x').first_or_create.id\n  end"
    )
    assert len(found) == 1
    assert isinstance(found[0], ops.DataChange)
    assert found[0].kind is ops.DataChangeKind.INSERT


def test_app_code_on_classes_is_reported() -> None:
    (found,) = up("  def up\n    Search.rebuild_index!(full: true)\n  end")
    assert isinstance(found, ops.Opaque) and found.raw


def test_empty_sql_is_nothing() -> None:
    assert up('    execute ""') == ()


def test_data_changes_name_the_columns_they_set() -> None:
    found = up(
        "  def up\n    User.where(a: nil).update_all(a: 1, b: 2)\n"
        "    story = Story.find(1)\n    story.update_column(:score, 3)\n"
        '    change_column_null :users, :name, false, "x"\n  end'
    )
    assert [op.columns for op in found if isinstance(op, ops.DataChange)] == [
        ("a", "b"),
        ("score",),
        ("name",),
    ]


def test_change_table_queries_are_not_columns_and_a_branch_pair_adds_once() -> None:
    found = up(
        """
    change_table :spree_orders do |t|
      if t.respond_to?(:jsonb)
        t.jsonb(:customer_metadata, default: {}) unless t.column_exists?(:customer_metadata)
      else
        t.json(:customer_metadata) unless t.column_exists?(:customer_metadata)
      end
    end"""
    )
    added = [o for o in found if isinstance(o, ops.AddColumn)]
    assert [(o.table, o.column.name, o.column.type) for o in added] == [
        ("spree_orders", "customer_metadata", "JSONB")
    ]


def test_create_table_with_force_under_a_table_exists_guard_drops_nothing() -> None:
    for guard in (
        "unless table_exists?(:spree_promotions)",
        "if !connection.table_exists?(:spree_promotions)",
    ):
        parsed = read(
            f"""
    {guard}
      create_table "spree_promotions", force: :cascade do |t|
        t.string "name"
      end
    end"""
        )
        assert [type(o).__name__ for o in parsed.up.operations] == ["CreateTable"], guard
    unguarded = up(
        """
    create_table "spree_promotions", force: :cascade do |t|
      t.string "name"
    end"""
    )
    assert [type(o).__name__ for o in unguarded] == ["DropTable", "CreateTable"]
    branches = up(
        """
    if table_exists?(:legacy)
      drop_table :legacy
    else
      create_table :legacy, force: true do |t|
        t.string :name
      end
    end"""
    )
    assert [type(o).__name__ for o in branches] == ["DropTable", "CreateTable"]
    assert branches[0] == ops.DropTable("legacy")


def test_the_block_given_to_a_helper_is_read_too() -> None:
    found = up(
        """  def up
    each_service do |id|
      execute "UPDATE services SET options = '{}' WHERE options IS NULL"
    end
  end

  private

  def each_service(&block)
    select_rows("SELECT id FROM services").each { |row| block.call(row[0]) }
  end"""
    )
    assert [(type(o).__name__, getattr(o, "table", None)) for o in found] == [
        ("DataChange", "services")
    ]


def test_a_case_on_the_adapter_keeps_the_engines_branch() -> None:
    body = """  def up
    case connection.adapter_name
    when /mysql/i
      change_column :agents, :options, :json
    when /postg/i
      change_column :agents, :options, :jsonb, using: "options::jsonb"
    end
  end"""
    postgres = up(body)
    mysql = up(body, dialect=Dialect.MYSQL)
    assert [o.new_type for o in postgres if isinstance(o, ops.AlterColumnType)] == ["JSONB"]
    assert [o.new_type for o in mysql if isinstance(o, ops.AlterColumnType)] == ["JSON"]


def test_deletes_with_conditions_and_columns_in_both_branches_of_a_feature_check() -> None:
    found = up(
        """    create_table :webhook_endpoints do |t|
      if t.respond_to? :jsonb
        t.jsonb :metadata
      else
        t.json :metadata
      end
    end
    User.delete_all(username: nil)
    Pod.delete_all("host IS NULL")"""
    )
    table, users, pods = found
    assert isinstance(table, ops.CreateTable)
    assert [(c.name, c.type) for c in table.columns][1:] == [("metadata", "JSONB")]
    assert isinstance(users, ops.DataChange) and isinstance(pods, ops.DataChange)
    assert (users.has_where, users.columns, pods.has_where, pods.columns) == (
        True,
        ("username",),
        True,
        ("host",),
    )


def test_a_table_created_only_unless_it_exists_is_created_if_not_exists() -> None:
    # Its block's indexes run only with it, on an empty table; a step that then changes its
    # columns makes it an existing table (patterns' idempotent creates).
    (created,) = up(
        """    unless table_exists?(:spree_promotion_codes)
      create_table :spree_promotion_codes, force: :cascade do |t|
        t.string :value, null: false
      end
    end"""
    )
    assert isinstance(created, ops.CreateTable) and created.if_not_exists


def test_a_covering_index_keeps_its_included_columns() -> None:
    (created,) = up("    add_index :orders, :user_id, include: [:total, :status]")
    assert isinstance(created, ops.CreateIndex)
    assert created.index.include == ("total", "status")


def test_project_adapter_helpers_choose_the_branch_in_both_directions() -> None:
    body = """  def up
    if Shop::Database.postgresql? || Shop::Database.sqlite?
      add_index :users, "(lower(login))", name: "index_users_on_lower_login"
    end
  end

  def down
    return unless Shop::Database.postgresql?

    raise ActiveRecord::IrreversibleMigration
  end"""
    postgres = read(body)
    assert [type(o) for o in postgres.up.operations] == [ops.CreateIndex]
    assert postgres.down is None  # the raise runs on PostgreSQL
    mysql = read(body, dialect=Dialect.MYSQL)
    assert mysql.up.operations == ()
    assert mysql.down is not None
    assert any(n.startswith("skipped on the mysql adapter") for n in mysql.up.notes)


def test_add_column_of_type_primary_key_is_an_auto_increment_key() -> None:
    (added,) = up("    add_column :roles_users, :id, :primary_key", dialect=Dialect.MYSQL)
    assert isinstance(added, ops.AddColumn)
    assert added.column == ops.ColumnDef(
        "id", "BIGINT", nullable=False, primary_key=True, auto_increment=True
    )


def test_an_index_on_an_expression_string_is_named_by_its_words() -> None:
    short, long = (
        o.index
        for o in up(
            """    add_index :accounts, "lower(email) varchar_pattern_ops"
    add_index :customer_accounts, "organization_id, display_name gin_trgm_ops", using: :gin"""
        )
        if isinstance(o, ops.CreateIndex)
    )
    assert short.name == "index_accounts_on_lower_email_varchar_pattern_ops"
    assert short.columns == ("lower(email) varchar_pattern_ops",)
    # Past 62 bytes, Rails 7.1+ hashes the name built from the words, not the string.
    assert long.name == "idx_on_organization_id_display_name_gin_trgm_ops_8e21a4de6e"


def test_an_index_keeps_the_sort_order_of_its_columns() -> None:
    by_column, all_columns = (
        o.index
        for o in up(
            """    add_index :events, [:account_id, :happened_at], order: { happened_at: :desc }
    add_index :events, [:account_id, :kind], order: :desc"""
        )
        if isinstance(o, ops.CreateIndex)
    )
    assert by_column.name == "index_events_on_account_id_and_happened_at"
    assert by_column.columns == ("account_id", "happened_at DESC")
    assert all_columns.columns == ("account_id DESC", "kind DESC")


def test_a_paperclip_attachment_is_its_four_columns() -> None:
    created, *_ = up(
        """    create_table :uploads do |t|
      t.attachment :scan, null: true
    end"""
    )
    assert isinstance(created, ops.CreateTable)
    assert [(c.name, c.type) for c in created.columns[1:]] == [
        ("scan_file_name", "VARCHAR"),
        ("scan_content_type", "VARCHAR"),
        ("scan_file_size", "INTEGER"),
        ("scan_updated_at", "TIMESTAMP(6)"),
    ]
    added = read(
        "    add_attachment :users, :avatar, file_size: { limit: 8 }\n"
        "    change_table(:posts) { |t| t.remove_attachment :cover }"
    )
    assert [
        (type(o).__name__, o.column.name if isinstance(o, ops.AddColumn) else o.column)
        for o in added.up.operations
        if isinstance(o, (ops.AddColumn, ops.DropColumn))
    ] == [
        ("AddColumn", "avatar_file_name"),
        ("AddColumn", "avatar_content_type"),
        ("AddColumn", "avatar_file_size"),
        ("AddColumn", "avatar_updated_at"),
        ("DropColumn", "cover_file_name"),
        ("DropColumn", "cover_content_type"),
        ("DropColumn", "cover_file_size"),
        ("DropColumn", "cover_updated_at"),
    ]
    size = added.up.operations[2]
    assert isinstance(size, ops.AddColumn) and size.column.type == "BIGINT"
    assert added.down is None  # remove_attachment has no inverse in `change`


def test_unknown_method_in_change_leaves_rollback_unknown() -> None:
    """A method of the app (an included helper module) may record its own reverse with
    `reversible`: rollback is not claimed to raise."""
    parsed = read(
        "    fill_owner_column :posts, :owner_id\n    add_index :posts, :owner_id",
        head="  include SchemaHelpers\n\n",
    )
    assert parsed.down_declared is True
    assert parsed.down is not None
    assert isinstance(parsed.down.operations[0], ops.DropIndex)
    assert not any("IrreversibleMigration: fill_owner_column" in n for n in parsed.notes)
    opaque = parsed.up.operations[0]
    assert isinstance(opaque, ops.Opaque) and "SchemaHelpers" in opaque.summary


def test_unknown_method_does_not_hide_an_irreversible_command() -> None:
    parsed = read("    fill_owner_column :posts, :owner_id\n    remove_column :posts, :legacy")
    assert (parsed.down, parsed.down_declared) == (None, False)
