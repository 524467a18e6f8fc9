"""The one list of migration systems harvester knows. Adding a system is one line here."""

from __future__ import annotations

from harvester.migrations import alembic, django, ecto, prisma, rails, sql_layouts
from harvester.migrations.base import MigrationSystem

SYSTEMS: tuple[MigrationSystem, ...] = (
    prisma.SYSTEM,
    django.SYSTEM,
    alembic.SYSTEM,
    rails.SYSTEM,
    ecto.SYSTEM,
    *sql_layouts.SYSTEMS,
)
