"""Submitted quarters and the lock they put on the records (issue 5).

When the station head submits a quarter, the records dated in its window (1 January to
the quarter's end) are locked: only a 站长 (password given again) may change them, each
change is kept in the audit log as a correction, and the next export of that quarter
carries the next revision number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.report_model import Period
from .audit import record
from .db import Store, StoreError
from .organisation import get_setting

CORRECTION = "correction"


class LockedError(StoreError):
    """A change to a record of a submitted quarter without the station head."""


@dataclass(frozen=True)
class Submission:
    period: Period
    revision: int
    submitted_at: str
    submitted_by: str
    digest: str


# ---- the station head ------------------------------------------------------------------


def _now() -> str:
    """Microseconds: a correction made in the same second as a submission is after it."""
    return dt.datetime.now().astimezone().isoformat(timespec="microseconds")


def head_name(store: Store) -> str | None:
    """The station head: the first active 站长 account (before accounts existed, the
    name kept in the settings)."""
    row = store.conn.execute(
        "SELECT name FROM users WHERE role = '站长' AND active = 1 ORDER BY id LIMIT 1"
    ).fetchone()
    return str(row[0]) if row else get_setting(store, "head.name")


@contextlib.contextmanager
def as_head(store: Store) -> Iterator[None]:
    """Within this block, changes to locked records are allowed (and audited as
    corrections). Who may enter it is the operations layer's decision
    (``report.correct``, the 站长 role, with the password given again)."""
    store.head_unlocked = True
    try:
        yield
    finally:
        store.head_unlocked = False


# ---- submissions and the lock --------------------------------------------------------


def submissions(store: Store, period: Period | None = None) -> list[Submission]:
    sql = (
        "SELECT period, revision, submitted_at, submitted_by, digest FROM report_submissions"
        + (" WHERE period = ?" if period else "")
        + " ORDER BY period, revision"
    )
    rows = store.conn.execute(sql, (str(period),) if period else ()).fetchall()
    return [Submission(Period.parse(p), r, at, by, d) for p, r, at, by, d in rows]


def locked_by(store: Store, day: dt.date) -> Period | None:
    """The submitted quarter whose window holds ``day`` (the earliest such), or None."""
    for (text,) in store.conn.execute(
        "SELECT DISTINCT period FROM report_submissions WHERE substr(period, 1, 4) = ? "
        "ORDER BY period",
        (str(day.year),),
    ):
        period = Period.parse(text)
        if period.window_start <= day <= period.window_end:
            return period
    return None


def check_change(store: Store, *days: dt.date | None) -> list[Period]:
    """Before changing a record dated ``days`` (old and new date): the submitted
    quarters it belongs to. Raises LockedError unless the station head unlocked."""
    periods = sorted(
        {p for d in days if d is not None and (p := locked_by(store, d)) is not None}, key=str
    )
    if periods and not store.head_unlocked:
        raise LockedError(
            f"该记录属于已上报的{periods[0].label}，只有站长可以更正"
            "（以站长账户再次输入密码确认，更正会记入审计日志并产生新的版本）"
        )
    return periods


def note_corrections(
    conn: sqlite3.Connection, periods: list[Period], table: str, record_id: int
) -> None:
    """Inside the changing transaction: remember that ``periods`` were corrected."""
    for period in periods:
        conn.execute(
            "INSERT INTO report_corrections (period, at, table_name, record_id) "
            "VALUES (?, ?, ?, ?)",
            (str(period), _now(), table, record_id),
        )


def corrections_since(store: Store, period: Period, since: str) -> int:
    """Corrections made to records of ``period``'s window after ``since`` (ISO time)."""
    row = store.conn.execute(
        "SELECT count(*) FROM report_corrections WHERE period = ? AND at > ?", (str(period), since)
    ).fetchone()
    return int(row[0])


def revision(store: Store, period: Period) -> int:
    """The revision the next export of ``period`` carries: 1 before any submission; the
    last submitted one while nothing changed since; one more after a correction."""
    done = submissions(store, period)
    if not done:
        return 1
    last = done[-1]
    return last.revision + (1 if corrections_since(store, period, last.submitted_at) else 0)


def submit(store: Store, period: Period, digest: str) -> Submission:
    """Mark ``period`` submitted at its current revision (locking its window)."""
    rev = revision(store, period)
    done = submissions(store, period)
    if done and done[-1].revision == rev:
        if done[-1].digest == digest:
            return done[-1]  # submitting the same numbers again changes nothing
        rev += 1
    at = _now()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO report_submissions (period, revision, submitted_at, "
            "submitted_by, digest) VALUES (?, ?, ?, ?, ?)",
            (str(period), rev, at, store.user, digest),
        )
        record(
            conn,
            user=store.user,
            table="report_submissions",
            record_id=None,
            action="insert",
            new={"period": str(period), "revision": rev, "digest": digest},
            reason="上报并锁定",
        )
    return Submission(period, rev, at, store.user, digest)
