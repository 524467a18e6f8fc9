"""The SQL string literals of a goose Go migration's up function."""

from __future__ import annotations

from harvester.migrations.sql_layouts.go_code import up_sql

_MIGRATION = """package migrations

func init() {
	goose.AddMigrationContext(upAddIx, downAddIx)
}

func upAddIx(ctx context.Context, tx *sql.Tx) error {
	log.Info("adding index")
	_, err := tx.ExecContext(ctx, `
create unique index t_id_ix on t (id);
`)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf("drop index %s", name))
	return err
}

func downAddIx(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `drop index t_id_ix;`)
	return err
}
"""


def test_up_sql_reads_only_the_up_functions_statements() -> None:
    assert up_sql(_MIGRATION) == [("\ncreate unique index t_id_ix on t (id);\n", 9)]


def test_up_sql_without_a_registered_function_is_empty() -> None:
    assert up_sql("package migrations\n\nfunc helper() {}\n") == []
