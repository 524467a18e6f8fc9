"""A new unique key the existing rows already satisfy cannot fail on duplicates."""

from __future__ import annotations

from harvester.migrations.base import AnalysisSettings
from harvester.migrations.schema import ops
from harvester.migrations.schema.rules import RangeState, assess
from harvester.migrations.sql import sql_operations
from harvester.model import ImpactTag
from tests.support.judging import detail, judge, tags

Dialect = ops.Dialect


def _judged(base_sql: str, migration_sql: str) -> list[tuple[ImpactTag, str]]:
    state = RangeState()
    state.seed(sql_operations(base_sql, ops.Dialect.POSTGRESQL).operations)
    step = ops.Step(sql_operations(migration_sql, ops.Dialect.POSTGRESQL).operations)
    parsed = ops.ParsedMigration("0002", "0002.sql", step)
    found = assess(parsed, ops.Dialect.POSTGRESQL, state, AnalysisSettings()).impacts
    return [(i.tag, i.detail) for i in found if "duplicates" in i.detail]


_BASE = (
    "CREATE TABLE members (id int PRIMARY KEY, team_id int, user_id int, deleted_at timestamp,"
    " email text UNIQUE, CONSTRAINT members_team_user_uniq UNIQUE (team_id, user_id));"
)


def test_a_key_that_includes_an_existing_one_cannot_collide() -> None:
    found = _judged(_BASE, "CREATE UNIQUE INDEX m_tud ON members (team_id, user_id, deleted_at);")
    assert found == [
        (
            ImpactTag.MITIGATED,
            "unique index m_tud ON members(team_id, user_id, deleted_at) UNIQUE: duplicates are "
            "not a risk here, members is already unique on (team_id, user_id) "
            "(members_team_user_uniq)",
        )
    ]


def test_a_key_replacing_one_the_migration_dropped_holds_for_the_same_rows() -> None:
    found = _judged(
        _BASE,
        "ALTER TABLE members DROP CONSTRAINT members_team_user_uniq;"
        "CREATE UNIQUE INDEX m_live ON members (user_id, team_id) WHERE deleted_at IS NULL;",
    )
    assert [tag for tag, _ in found] == [ImpactTag.MITIGATED]
    assert "it replaces members_team_user_uniq on (team_id, user_id)" in found[0][1]


def test_keys_that_do_not_hold_for_the_rows_are_still_risks() -> None:
    # a narrower key than the existing one
    narrower = _judged(_BASE, "CREATE UNIQUE INDEX m_user ON members (user_id);")
    assert [tag for tag, _ in narrower] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]
    # an inline UNIQUE a released migration dropped by its name is gone
    dropped = _judged(
        _BASE + "ALTER TABLE members DROP CONSTRAINT members_email_key;",
        "CREATE UNIQUE INDEX m_email_team ON members (email, team_id);",
    )
    assert [tag for tag, _ in dropped] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]
    # a partial key at the base says nothing about the other rows
    partial = _judged(
        "CREATE TABLE tags (id int, name text, deleted_at timestamp);"
        "CREATE UNIQUE INDEX tags_live ON tags (name) WHERE deleted_at IS NULL;",
        "CREATE UNIQUE INDEX tags_name ON tags (name, id);",
    )
    assert [tag for tag, _ in partial] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]


def test_a_key_whose_columns_are_unknown_implies_nothing() -> None:
    state = RangeState()
    state.apply(ops.AddConstraint("t", ops.Constraint(ops.ConstraintKind.UNIQUE, "uq_expr")), "1")
    index = ops.IndexDef("t_a", "t", ("a",), unique=True)
    parsed = ops.ParsedMigration("2", "2.sql", ops.Step((ops.CreateIndex(index),)))
    found = assess(parsed, ops.Dialect.POSTGRESQL, state, AnalysisSettings()).impacts
    assert [i.tag for i in found if "duplicates" in i.detail] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]


def test_the_index_itself_or_one_the_migration_dropped_proves_nothing() -> None:
    base = _BASE + "CREATE UNIQUE INDEX m_email_team ON members (email, team_id);"
    # re-created behind a guard (`return if index_exists?`): where it runs, it is missing
    again = _judged(base, "CREATE UNIQUE INDEX m_email_team ON members (email, team_id);")
    assert [tag for tag, _ in again] == [ImpactTag.MITIGATED]
    assert "already unique on (email)" in again[0][1]
    guarded = _judged(
        "CREATE TABLE keys (id int, uri text); CREATE UNIQUE INDEX keys_uri ON keys (uri);",
        "CREATE UNIQUE INDEX keys_uri ON keys (uri);",
    )
    assert [tag for tag, _ in guarded] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]
    # a drop harvester cannot match to a key may have removed the one that implied it
    unmatched = _judged(
        "CREATE TABLE keys (id int, uri text); CREATE UNIQUE INDEX keys_uri ON keys (uri);",
        "DROP INDEX legacy_name; CREATE UNIQUE INDEX keys_uri_kind ON keys (uri, id);",
    )
    assert [tag for tag, _ in unmatched] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]
    # an index renamed is still there, under its new name
    renamed = _judged(
        "CREATE TABLE keys (id int, uri text); CREATE UNIQUE INDEX keys_uri ON keys (uri);"
        "ALTER INDEX keys_uri RENAME TO keys_uri_old;",
        "CREATE UNIQUE INDEX keys_uri_kind ON keys (uri, id);",
    )
    assert "already unique on (uri) (keys_uri_old)" in renamed[0][1]


def test_a_primary_key_moved_onto_columns_a_unique_index_covers_cannot_collide() -> None:
    base = (
        "CREATE TABLE clients (pk int PRIMARY KEY, id text, nid uuid);"
        "CREATE UNIQUE INDEX clients_id_nid ON clients (id ASC, nid ASC);"
    )
    moved = _judged(
        base,
        "ALTER TABLE clients DROP CONSTRAINT clients_pkey;"
        "ALTER TABLE clients ADD PRIMARY KEY (id, nid);",
    )
    assert moved == [
        (
            ImpactTag.MITIGATED,
            "clients: PRIMARY KEY (id, nid): duplicates are not a risk here, clients is already "
            "unique on (id, nid) (clients_id_nid)",
        )
    ]


def test_a_key_whose_condition_implies_an_existing_partial_one_cannot_collide() -> None:
    base = (
        "CREATE TABLE collections (id int, owner_id int, app text, type text);"
        "CREATE UNIQUE INDEX favorites ON collections (owner_id) WHERE (type = 'favorites');"
    )
    # kept: ente's favorites index widened with the app
    kept = _judged(
        base,
        "CREATE UNIQUE INDEX favorites_v2 ON collections (owner_id, app) WHERE type = 'favorites';",
    )
    assert kept == [
        (
            ImpactTag.MITIGATED,
            "unique index favorites_v2 ON collections(owner_id, app) UNIQUE WHERE type = "
            "'favorites': duplicates are not a risk here, collections is already unique on "
            "(owner_id) (favorites) for the rows where type = 'favorites'",
        )
    ]
    # dropped by the same migration, replaced under a stricter condition (lago)
    stricter = _judged(
        base.replace("WHERE (type = 'favorites')", "WHERE ((type = 'favorites') AND (id > 0))"),
        "DROP INDEX favorites;"
        "CREATE UNIQUE INDEX favorites_app ON collections (owner_id, app) "
        "WHERE id > 0 AND type = 'favorites' AND app IS NOT NULL;",
    )
    assert [tag for tag, _ in stricter] == [ImpactTag.MITIGATED]
    assert "it replaces favorites on (owner_id)" in stricter[0][1]
    # a weaker or another condition covers rows the old key did not
    for where in ("", "WHERE type = 'shared'", "WHERE type = 'favorites' OR app IS NULL"):
        other = _judged(base, f"CREATE UNIQUE INDEX o ON collections (owner_id, app) {where};")
        assert [tag for tag, _ in other] == [ImpactTag.UNIQUE_ON_EXISTING_DATA], where


_SUBSCRIBERS = (
    "CREATE TABLE subscriber (id integer PRIMARY KEY, email text NOT NULL, page_id integer,"
    " unsubscribed_at integer);"
    "CREATE UNIQUE INDEX subscriber_email_page ON subscriber (LOWER(email), page_id)"
    " WHERE unsubscribed_at IS NULL;"
)


def _rebuild(select: str) -> str:
    """A drizzle-kit SQLite rebuild of subscriber that adds slack_id, then its indexes."""
    return (
        "CREATE TABLE __new_subscriber (id integer PRIMARY KEY, email text, page_id integer,"
        " slack_id text, unsubscribed_at integer);"
        "INSERT INTO __new_subscriber (id, email, page_id, slack_id, unsubscribed_at)"
        f" SELECT {select} FROM subscriber;"
        "DROP TABLE subscriber;"
        "ALTER TABLE __new_subscriber RENAME TO subscriber;"
        "CREATE UNIQUE INDEX subscriber_email_page ON subscriber (LOWER(email), page_id)"
        " WHERE unsubscribed_at IS NULL;"
    )


def test_an_index_a_rebuild_creates_again_over_copied_columns_replaces_the_old_one() -> None:
    judged = judge(
        _rebuild("id, email, page_id, NULL, unsubscribed_at"), Dialect.SQLITE, base=_SUBSCRIBERS
    )
    assert detail(judged, ImpactTag.MITIGATED) == (
        "unique index subscriber_email_page ON subscriber(LOWER(email), page_id) UNIQUE WHERE "
        "unsubscribed_at IS NULL: duplicates are not a risk here, it replaces "
        "subscriber_email_page on (LOWER(email), page_id), which this migration dropped and the "
        "rows satisfied"
    )
    # a copy that changes a key column (or the WHERE's) may make rows collide
    for select in (
        "id, 'x', page_id, NULL, unsubscribed_at",
        "id, email, page_id, NULL, NULL",
        "*",
    ):
        changed = judge(_rebuild(select), Dialect.SQLITE, base=_SUBSCRIBERS)
        assert "unique_on_existing_data" in tags(changed), select


def test_a_composite_primary_key_is_one_key_under_its_columns_current_names() -> None:
    base = (
        "CREATE TABLE catalogs (id text NOT NULL, tenant_id text NOT NULL,"
        " PRIMARY KEY (id, tenant_id));"
    )
    # no single column of a composite key is unique on its own
    alone = _judged(base, "CREATE UNIQUE INDEX c_tenant_x ON catalogs (tenant_id, id);")
    assert "already unique on (id, tenant_id)" in alone[0][1]
    narrower = _judged(base, "CREATE UNIQUE INDEX c_tenant ON catalogs (tenant_id);")
    assert [tag for tag, _ in narrower] == [ImpactTag.UNIQUE_ON_EXISTING_DATA]
    # storage: the key dropped, its column renamed, a new key over the renamed one
    renamed = _judged(
        base,
        "ALTER TABLE catalogs DROP CONSTRAINT catalogs_pkey;"
        "ALTER TABLE catalogs RENAME COLUMN id TO name;"
        "CREATE UNIQUE INDEX c_name ON catalogs (tenant_id, name) WHERE deleted_at IS NULL;",
    )
    assert "it replaces a key on (name, tenant_id)" in renamed[0][1]
