"""The chronic-disease registers (高血压, 2型糖尿病, 严重精神障碍) as the quarterly report
and the line lists count them: the patients managed in the window, and one pass over a
follow-up form giving each patient's face-to-face follow-ups per quarter and latest
reading — aggregated in SQL, one row per patient (spec indicators.md, 规范管理).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.programmes import FACE_TO_FACE
from ..core.schedules import quarter_of
from .id_sets import FORM_RECORDS

if TYPE_CHECKING:  # indicators imports the rules, which import these
    from .indicators import Indicators

NO_VISITS = (0, 0, 0, 0)
ID_WIDTH = 10**12


@dataclass(frozen=True)
class Reading:
    """What a follow-up's reading is: its columns (``d.sbp, d.dbp``) and the SQL that is
    true when the reading was taken."""

    columns: str
    present: str


@dataclass
class Followups:
    """A follow-up form's records in the window, per resident: face-to-face follow-ups
    in each quarter (Q1-Q4), and the latest reading (by date, then the later entry):
    its date and values."""

    face: dict[int, tuple[int, ...]] = field(default_factory=dict)
    latest: dict[int, tuple[dt.date, tuple[Any, ...]]] = field(default_factory=dict)


def managed(ix: Indicators, register: str) -> dict[int, dt.date]:
    """Patients managed in the window → their registration date (the latest register
    entry that counts): an entry dated by the window end and not closed before the
    window start, of a resident (not deleted) whose archive was open on the window
    start or made in the window."""
    return {rid: registered for rid, (registered, _) in patients(ix, register).items()}


def patients(ix: Indicators, register: str) -> dict[int, tuple[dt.date, str | None]]:
    """:func:`managed`'s patients → their registration date and birth date."""
    if register not in ix.forms:
        return {}
    rows = ix.store.conn.execute(
        f"SELECT h.resident_id, max(h.service_date), r.birth_date FROM {FORM_RECORDS} "
        f"CROSS JOIN {ix.forms[register].table} d ON d.record_id = h.id "
        "CROSS JOIN residents r ON r.id = h.resident_id "
        "WHERE (d.closed_date IS NULL OR d.closed_date >= :day) AND r.deleted = 0 "
        "AND ((r.archive_date <= :day AND (r.status = '在档' OR r.status_date > :day)) "
        "OR (r.archive_date >= :day AND r.archive_date <= :end)) "
        "GROUP BY h.resident_id",
        {**ix.window(register), "start": "", "day": ix.ws.isoformat()},  # dated by the end
    )
    return {rid: (dt.date.fromisoformat(day), birth) for rid, day, birth in rows}


def followups(ix: Indicators, followup: str, reading: Reading | None = None) -> Followups:
    """One pass over ``followup``'s live records in the window (see :class:`Followups`);
    the latest reading only when ``reading`` says what it is."""
    out = Followups()
    if followup not in ix.forms:
        return out
    form = ix.forms[followup]
    params: dict[str, Any] = ix.window(followup)
    if "visit_method" in form.by_id:
        marks = [f":face{n}" for n in range(len(FACE_TO_FACE))]
        params.update(zip((m[1:] for m in marks), FACE_TO_FACE, strict=True))
        face = f"d.visit_method IN ({', '.join(marks)})"
    else:
        face = "1"
    # The window lies in one year: a record's quarter is the one whose first day it
    # follows (compared as ISO text, which costs less than reading the month out).
    year = ix.ws.year
    params.update({f"q{q}": dt.date(year, 3 * q - 2, 1).isoformat() for q in range(2, 5)})
    counts = ", ".join(
        f"count(CASE WHEN {face} AND {within} THEN 1 END)"
        for within in (
            "h.service_date < :q2",
            "h.service_date >= :q2 AND h.service_date < :q3",
            "h.service_date >= :q3 AND h.service_date < :q4",
            "h.service_date >= :q4",
        )
    )
    latest = ""
    if reading is not None:
        # One max(): the bare columns after it come from the row that holds the maximum,
        # the latest date and, on one day, the later entry (the id made 13 digits long).
        latest = (
            f", max(CASE WHEN {reading.present} THEN h.service_date || (h.id + {ID_WIDTH}) "
            f"END), {reading.columns}"
        )
    rows = ix.store.conn.execute(
        f"SELECT h.resident_id, {counts}{latest} FROM {FORM_RECORDS} "
        f"CROSS JOIN {form.table} d ON d.record_id = h.id "
        "WHERE h.resident_id IS NOT NULL GROUP BY h.resident_id",
        params,
    )
    for rid, q1, q2, q3, q4, *last in rows:
        out.face[rid] = (q1, q2, q3, q4)
        if last and last[0] is not None:
            out.latest[rid] = (dt.date.fromisoformat(last[0][:10]), tuple(last[1:]))
    return out


def standard_of(
    ix: Indicators, face: dict[int, tuple[int, ...]], patients: dict[int, dt.date]
) -> set[int]:
    """Managed patients with enough face-to-face follow-ups (template setting
    ``standard_per_quarter``) in every quarter of the window from the quarter of
    registration (Q1 if registered before the year) to the period's quarter."""
    per_quarter = int(ix.setting("standard_per_quarter", 1))
    last = ix.period.quarter
    out = set()
    for rid, registered in patients.items():
        first = quarter_of(registered)[1] if registered >= ix.ws else 1
        counts = face.get(rid, NO_VISITS)[first - 1 : last]
        if min(counts, default=per_quarter) >= per_quarter:
            out.add(rid)
    return out


def standard(ix: Indicators, followup: str, patients: dict[int, dt.date]) -> set[int]:
    """Managed patients with a face-to-face follow-up in every quarter of the window
    from the quarter of registration (Q1 if registered before the year) to quarter n."""
    return standard_of(ix, followups(ix, followup).face, patients)
