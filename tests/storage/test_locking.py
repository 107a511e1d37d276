"""Submitting a quarter locks its records; the station head corrects them, each
correction is audited, and the next export carries the next revision (issue 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core.report_model import Period
from ygt_desktop.storage import locking
from ygt_desktop.storage.reporting import Reporting

TODAY = dt.date(2026, 11, 20)
Q3 = Period.parse("2026Q3")


@pytest.fixture
def patient(ws):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    return rid


def visit(ws, rid, day, sbp=130):
    return ws.services.save(
        "htn_followup",
        {
            "visit_date": day,
            "visit_method": "1",
            "sbp": str(sbp),
            "dbp": "80",
            "adherence": "1",
            "visit_class": "1",
        },
        rid,
        today=TODAY,
        confirm=True,
    )


def test_submitted_quarter_is_locked_and_the_head_corrects_it(ws, patient):
    saved = visit(ws, patient, "2026-08-01")
    reporting = Reporting(ws)
    assert reporting.compute(Q3).report.revision == 1
    first = reporting.submit(Q3)
    assert first.revision == 1
    with pytest.raises(locking.LockedError, match="2026年第3季度"):
        visit(ws, patient, "2026-09-15")  # a late entry into the locked window
    with pytest.raises(locking.LockedError):
        ws.services.save(
            "htn_followup", {"sbp": "150"}, record_id=saved.change.record_id, today=TODAY
        )
    assert reporting.compute(Q3).report.revision == 1  # nothing changed yet
    with locking.as_head(ws.store):
        ws.services.save(
            "htn_followup", {"sbp": "150"}, record_id=saved.change.record_id, today=TODAY
        )
    assert not ws.store.head_unlocked
    history = ws.services.timeline(patient)
    assert history  # still there
    audit = ws.store.conn.execute(
        "SELECT action, reason FROM audit_log WHERE record_id = ? AND table_name = "
        "'f_htn_followup' ORDER BY id",
        (saved.change.record_id,),
    ).fetchall()
    assert audit[-1] == ("correction", "更正已上报的2026年第3季度")
    again = reporting.compute(Q3).report
    assert again.revision == 2
    assert reporting.submit(Q3).revision == 2
    assert reporting.compute(Q3).report.revision == 2  # until the next correction


def test_records_after_the_window_and_before_submission_are_free(ws, patient):
    Reporting(ws).submit(Q3)
    visit(ws, patient, "2026-10-05")  # Q4: not locked
    assert locking.locked_by(ws.store, dt.date(2026, 10, 5)) is None
    assert locking.locked_by(ws.store, dt.date(2026, 1, 1)) == Q3
    assert locking.locked_by(ws.store, dt.date(2025, 12, 31)) is None


def test_submitting_the_same_numbers_twice_changes_nothing(ws, patient):
    reporting = Reporting(ws)
    one = reporting.submit(Q3)
    two = reporting.submit(Q3)
    assert one == two and len(locking.submissions(ws.store, Q3)) == 1


def test_deleting_a_locked_record_needs_the_head(ws, patient):
    saved = visit(ws, patient, "2026-08-01")
    Reporting(ws).submit(Q3)
    with pytest.raises(locking.LockedError):
        ws.services.delete(saved.change.record_id, "录错了")
    with locking.as_head(ws.store):
        ws.services.delete(saved.change.record_id, "录错了")
    assert Reporting(ws).compute(Q3).report.revision == 2


def test_a_quarter_not_yet_ended_cannot_be_submitted(ws, patient):
    future = Period(dt.date.today().year + 1, 1)
    with pytest.raises(Exception, match="尚未结束"):
        Reporting(ws).submit(future)
