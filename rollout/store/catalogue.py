"""Catalogue look-ups: the names behind codes, for pickers and filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rollout.store.db import Database


def region_names(db: Database) -> dict[str, str]:
    """Region code -> name, in code order (the sidebar's region filter)."""
    return dict(db.rows("SELECT region_code, region_name FROM regions ORDER BY region_code"))
