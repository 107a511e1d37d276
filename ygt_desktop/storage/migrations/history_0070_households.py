"""Migrations from 0070: 家庭档案 — households and their members (issue 13, part 2).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
