"""Migrations from 0090: a newborn's discharge date on the child's record (issue 14).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
