"""Migrations from 0073: 健康体检表 for every age (issue 13, part 2).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
