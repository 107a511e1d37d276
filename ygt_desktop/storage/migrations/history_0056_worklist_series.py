"""Migration 0056: the kept worklist rows found by resident, programme and window start
(issue 15).

The 到期 view keeps an overdue child check, prenatal visit or TB visit only until the
next window of its series has opened for the same resident: a probe per overdue row.
``worklist_due_resident`` (resident alone) made each probe read every kept row of the
resident; ``worklist_due_series`` on (resident, programme, start) makes it one index
seek. It serves every by-resident read the old index served (its first column), which
therefore goes.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0056_worklist_series", sql("""
        CREATE INDEX worklist_due_series ON worklist_due(resident_id, programme, start);
        DROP INDEX worklist_due_resident;
    """)),
)  # fmt: skip
