"""Folders of plain SQL migrations: golang-migrate, pop, goose, dbmate, Flyway, sqlx, Diesel and
numbered `.sql` folders (per-dialect version folders, ClickHouse migration folders), and the
Cadence/Temporal schema tools' version folders with their manifest.json.

    -- db/migrations/000042_add_segment.up.sql
    ALTER TABLE segment ADD COLUMN parameters JSONB NOT NULL DEFAULT '{}';

Each layout is its own system in the report; a folder belongs to the one `layouts.classify`
names, so a numbered folder is never read twice.
"""

from __future__ import annotations

from harvester.migrations.sql_layouts.layouts import LAYOUTS
from harvester.migrations.sql_layouts.system import SqlFolderSystem
from harvester.migrations.sql_layouts.versioned import SYSTEMS as SCHEMA_TOOLS

SYSTEMS = (*(SqlFolderSystem(layout) for layout in LAYOUTS), *SCHEMA_TOOLS)
