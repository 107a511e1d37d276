"""Loading the demo's households (:mod:`.households` derives them): raw ``executemany``
in one transaction and one audit row carrying every household's digest."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator

from ..core.dates import age_years
from ..core.households import next_number, number_glob
from ..core.resident import STATUS_OPEN
from ..storage import audit
from ..storage.db import Store
from .households import Resident, derive, living_of

TABLE = "e_household"
LINES = "e_household__members"


def _residents(conn: sqlite3.Connection, after_id: int, today: dt.date) -> Iterator[Resident]:
    cur = conn.execute(
        "SELECT id, name, sex, birth_date, village_code, coalesce(address, ''), status "
        "FROM residents WHERE id > ? AND deleted = 0 ORDER BY id",
        (after_id,),
    )
    for rid, name, sex, birth, village, address, status in cur:
        age = age_years(dt.date.fromisoformat(birth), today) if birth else 0
        yield Resident(rid, name, sex or "", age, village, address, status == STATUS_OPEN)


def load_households(store: Store, *, after_id: int, today: dt.date, seed: int) -> int:
    """Make the households of the residents loaded after ``after_id`` (residents
    already in a household are left where they are): one transaction, one audit row
    with every household's digest. Returns how many were made."""
    rng = random.Random(f"households-{seed}")
    user = store.user
    made = 0
    with store.write("entity:household") as conn:
        taken = {r[0] for r in conn.execute(f"SELECT resident_id FROM {LINES}")}
        before = int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}").fetchone()[0])
        last: dict[str, str | None] = {}
        now = audit.now_iso()
        rows: list[tuple[object, ...]] = []
        lines: list[tuple[object, ...]] = []
        next_id = before
        for h in derive(_residents(conn, after_id, today)):
            if any(rid in taken for rid, _ in h.members):
                continue
            if h.village_code not in last:
                last[h.village_code] = conn.execute(
                    f"SELECT max(household_no) FROM {TABLE} WHERE household_no GLOB ?",
                    (number_glob(h.village_code),),
                ).fetchone()[0]
            number = next_number(h.village_code, last[h.village_code])
            last[h.village_code] = number
            living = living_of(rng, h.village_code)
            next_id += 1
            rows.append(
                (next_id, number, h.village_code, h.address or None, h.structure, living,
                 None, now, user, now, 0)
            )  # fmt: skip
            lines += [
                (next_id, line, rid, code) for line, (rid, code) in enumerate(h.members, start=1)
            ]
            made += 1
        conn.executemany(
            f"INSERT INTO {TABLE} (id, household_no, village_code, address, structure, living, "
            "note, created_at, created_by, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        conn.executemany(
            f"INSERT INTO {LINES} (record_id, line, resident_id, relation) VALUES (?,?,?,?)", lines
        )
        if made:
            audit.record_batch(conn, user=user, table=TABLE, after=before, action="insert",
                               new={"count": made}, reason="生成演示数据")  # fmt: skip
    return made
