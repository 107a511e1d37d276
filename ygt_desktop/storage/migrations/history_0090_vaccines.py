"""Migrations from 0090: vaccine doses on the 2021 schedule (issue 14).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
