"""Migrations from 0091: the 预防接种卡's header items the catch-up rules read (issue 14).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
