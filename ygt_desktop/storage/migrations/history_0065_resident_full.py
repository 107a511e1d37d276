"""Migrations from 0065: 个人基本信息表 in full (issue 13, part 2).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
