"""Migrations from 0078: an archive's life — closing ends contracts, registers and due items (issue 13, part 2).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration

MIGRATIONS: tuple[Migration, ...] = ()
