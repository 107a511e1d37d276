"""Migrations from 0095: TB dose card, mental-illness risk and emergency records, 健教/监督 logs (issue 14).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
