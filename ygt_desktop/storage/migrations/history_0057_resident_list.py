"""Migration 0057: the resident list's order as an index of its own (issue 15).

The window's 居民档案 list reads every listed resident's id in archive-number order
(``SELECT id FROM residents WHERE deleted = 0 ORDER BY archive_no``). The unique index
on ``archive_no`` gives the order but not ``deleted``, so SQLite looked up every row:
0.23 s of the window's opening at 265,000 residents. A partial index over the residents
not deleted holds the order and the id (its rowid) alone: the list is read from the
index (0.08 s there).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0057_resident_list",
        sql("CREATE INDEX residents_listed ON residents(archive_no) WHERE deleted = 0;"),
    ),
)
