"""Migrations from 0079: children 0–6 on the national forms (issue 14).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
