"""Sets of ids chosen in SQL, read cheaply (the quarterly report's people, issue 15).

Residents: a set that holds most of a station's residents (the archives open on a
day: 253,000 of 265,000) costs more to build from one row per resident than the
query that finds them. Residents are never removed from the table, only marked
deleted, so their ids are usually one unbroken range: the set is then that range less
the few residents the condition leaves out, found through small indexes.

Records: the live records of a form dated in a range come from an index of their own
(:data:`FORM_RECORDS`), sorted by id so that their details are read in file order, each
page once. In date order the same reads jump about the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any


def json_ids(
    conn: sqlite3.Connection, sql: str, params: Mapping[str, object] | Sequence[object] = ()
) -> set[Any]:
    """The values ``sql`` (``SELECT json_group_array(…) …``) gathers, as a set. One JSON
    text parsed in C costs Python about half what a row per value does (84,000 ids:
    20 ms, not 33)."""
    text = conn.execute(sql, params).fetchone()[0]
    return set(json.loads(text)) if text else set()


# The residents deleted or whose archive is closed: the condition of the index
# ``residents_gone`` (migration 0055), which a query must repeat to use it.
GONE = "r.deleted != 0 OR r.status != '在档'"


def _every(conn: sqlite3.Connection) -> range | None:
    """All resident ids, when they are one unbroken range (None if there is a gap)."""
    # Three queries: each is answered from the b-tree alone (min, max and count in one
    # query would read the table).
    count = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
    low = conn.execute("SELECT min(id) FROM residents").fetchone()[0]
    high = conn.execute("SELECT max(id) FROM residents").fetchone()[0]
    return range(low, high + 1) if count and high - low + 1 == count else None


def _left_out(conn: sqlite3.Connection, test: str, params: Mapping[str, object]) -> set[int]:
    """The residents (ids in one range) for whom the open-archive ``test`` is not true:
    those archived after ``:day`` or never (the archive-date index) and those deleted or
    closed who fail it (the index ``residents_gone``)."""
    out = {
        row[0]
        for row in conn.execute(
            "SELECT id FROM residents WHERE archive_date > :day OR archive_date IS NULL", params
        )
    }
    out.update(
        row[0]
        for row in conn.execute(
            f"SELECT id FROM residents r WHERE ({GONE}) AND ({test}) IS NOT 1", params
        )
    )
    return out


def residents_open(conn: sqlite3.Connection, test: str, params: Mapping[str, object]) -> set[int]:
    """Ids of the residents (alias ``r``) for whom ``test`` is true.

    ``test`` must be an open-archive test on the day ``:day``: false for everyone whose
    archive was made after ``:day`` or never, and for a resident neither deleted nor
    closed (not :data:`GONE`) true otherwise. The set is every id less those left out —
    a few thousand rows read, not every resident's."""
    every = _every(conn)
    if every is None:
        return {row[0] for row in conn.execute(f"SELECT id FROM residents r WHERE {test}", params)}
    return set(every).difference(_left_out(conn, test, params))


def only_open(
    conn: sqlite3.Connection,
    sets: Mapping[str, set[int]],
    test: str,
    params: Mapping[str, object],
) -> dict[str, set[int]]:
    """Each of ``sets`` (resident ids) less those for whom ``test`` (as for
    :func:`residents_open`) is not true, without making the set of all who pass it."""
    every = _every(conn)
    if every is None:
        opened = residents_open(conn, test, params)
        return {name: ids & opened for name, ids in sets.items()}
    left = _left_out(conn, test, params)
    low, high = every.start, every.stop - 1
    return {
        name: (
            ids - left
            if not ids or (low <= min(ids) and max(ids) <= high)
            else {rid for rid in ids - left if rid in every}
        )
        for name, ids in sets.items()
    }


def only_live(conn: sqlite3.Connection, ids: set[int]) -> set[int]:
    """Those of ``ids`` that are residents not deleted."""
    every = _every(conn)
    if every is None:
        live = {row[0] for row in conn.execute("SELECT id FROM residents WHERE deleted = 0")}
        return ids & live
    deleted = conn.execute(f"SELECT id FROM residents r WHERE ({GONE}) AND r.deleted != 0")
    out = ids.difference(row[0] for row in deleted)
    if out and (min(out) < every.start or max(out) >= every.stop):
        out = {rid for rid in out if rid in every}
    return out


# The live records ``h`` of the form ``:form`` dated in [``:start``, ``:end``]: id,
# resident, service date, from the index of live records (migration 0055) and sorted by
# id, so that their details, joined next, are read in file order. (``LIMIT -1`` keeps
# the ORDER BY: SQLite drops it from a subquery without a LIMIT.)
FORM_RECORDS = (
    "(SELECT id, resident_id, service_date FROM service_records WHERE form_id = :form "
    "AND deleted = 0 AND service_date BETWEEN :start AND :end ORDER BY id LIMIT -1) h"
)
