"""Shaping a parsed CREATE TABLE the way the report lists it."""

from __future__ import annotations

import dataclasses

from harvester.migrations.schema import ops


def with_primary_key_on_columns(table: ops.CreateTable) -> ops.CreateTable:
    """The table with its PRIMARY KEY constraint folded into its columns (`id … (PK)`)."""
    keys = [c for c in table.constraints if c.kind is ops.ConstraintKind.PRIMARY_KEY]
    if len(keys) != 1 or not keys[0].columns:
        return table
    key_columns = set(keys[0].columns)
    if not key_columns <= {c.name for c in table.columns}:
        return table
    columns = tuple(
        dataclasses.replace(c, primary_key=True) if c.name in key_columns else c
        for c in table.columns
    )
    constraints = tuple(c for c in table.constraints if c is not keys[0])
    return dataclasses.replace(table, columns=columns, constraints=constraints)
