"""ops.records: print one stored record to PDF; correct a record of a submitted quarter
as the station head.

Requirements held here: the record is found by number or by resident and form;
printing asks for record.print (and ids.unmask for full ID numbers) and reports its
steps; a cancel after the first step, a folder or a missing folder as the output, and a
refused permission leave no file; a correction asks for report.correct before the PIN,
unlocks for that save only, and a wrong PIN saves nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from tests.conftest import TEST_PASSWORD
from tests.ops.ops_helpers import leftovers, watch
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import records
from ygt_desktop.ops.base import OpCancelled, OpError, PermissionRefused, Run
from ygt_desktop.ops.station import opened
from ygt_desktop.storage import locking
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.reporting import Reporting


def a_record(run: Run) -> tuple[int, int, str, str]:
    """Some resident's newest record: id, resident, form, date."""
    rid, resident, form_id, day = run.ws.store.conn.execute(
        "SELECT id, resident_id, form_id, service_date FROM service_records "
        "WHERE deleted = 0 AND resident_id IS NOT NULL AND form_id = 'htn_followup' "
        "ORDER BY service_date DESC, id DESC LIMIT 1"
    ).fetchone()
    return rid, resident, form_id, day


def test_print_by_number_and_by_resident_and_form(open_run, seen, tmp_path):
    rid, resident, form_id, day = a_record(open_run)
    done = records.print_pdf(open_run, tmp_path / "a.pdf", record_id=rid)
    assert (done.record_id, done.label, done.out) == (rid, "高血压随访", tmp_path / "a.pdf")
    assert "高血压" in PdfReader(done.out).pages[0].extract_text()
    assert seen.asked == ["record.print"]
    assert [(d, t) for d, t, _ in seen.progress] == [(0, 2), (1, 2), (2, 2)]
    by_resident = records.print_pdf(
        open_run,
        tmp_path / "b.pdf",
        resident_id=resident,
        form_id=form_id,
        on=dt.date.fromisoformat(day),
        full_id=True,
    )
    assert by_resident.record_id == rid
    assert seen.asked[-2:] == ["record.print", "ids.unmask"]


def test_nothing_to_print_is_explained(open_run, tmp_path):
    with pytest.raises(OpError, match="请指定"):
        records.print_pdf(open_run, tmp_path / "a.pdf", resident_id=1)
    with pytest.raises(StoreError, match="服务记录 999999 不存在"):
        records.print_pdf(open_run, tmp_path / "a.pdf", record_id=999999)
    assert leftovers(tmp_path) == ["db"]


def test_a_cancel_after_the_first_step_leaves_no_file(demo_db, seen, tmp_path):
    with opened(demo_db) as run:
        watch(run, seen, cancel_after=1)
        with pytest.raises(OpCancelled):
            records.print_pdf(run, tmp_path / "a.pdf", record_id=a_record(run)[0])
    assert leftovers(tmp_path) == ["db"]


@pytest.mark.parametrize(("where", "words"), [("folder", "文件夹"), ("missing", "不存在")])
def test_unwritable_output_is_a_chinese_error_and_leaves_nothing(open_run, tmp_path, where, words):
    out = tmp_path / "out"
    out.mkdir()
    target = {"folder": out, "missing": out / "没有" / "a.pdf"}[where]
    with pytest.raises(StoreError) as info:
        records.print_pdf(open_run, target, record_id=a_record(open_run)[0])
    assert "无法保存打印文件" in str(info.value) and words in str(info.value)
    assert leftovers(out) == []


def test_full_ids_refused_writes_nothing(demo_db, refuse, tmp_path):
    refuse("ids.unmask")
    with opened(demo_db) as run:
        rid = a_record(run)[0]
        records.print_pdf(run, tmp_path / "masked.pdf", record_id=rid)
        with pytest.raises(PermissionRefused):
            records.print_pdf(run, tmp_path / "full.pdf", record_id=rid, full_id=True)
    assert leftovers(tmp_path) == ["db", "masked.pdf"]


# ---- corrections ---------------------------------------------------------------------

Q3 = Period.parse("2026Q3")
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def locked(ws):
    """A follow-up in 2026Q3, submitted; the station head's PIN is 2468."""
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
    saved = ws.services.save(
        "htn_followup",
        {
            "visit_date": "2026-08-01",
            "visit_method": "1",
            "sbp": "130",
            "dbp": "80",
            "adherence": "1",
            "visit_class": "1",
        },
        rid,
        today=TODAY,
    )
    Reporting(ws).submit(Q3)
    return saved.change.record_id


def test_a_correction_needs_the_head_and_is_audited(ws, locked, seen):
    run = Run.plain(ws)

    def save():
        return ws.services.save("htn_followup", {"sbp": "150"}, record_id=locked, today=TODAY)

    with pytest.raises(locking.LockedError):
        save()
    with pytest.raises(locking.LockedError, match="密码不正确"):
        records.correct(run, "0000", save)
    done = records.correct(run, TEST_PASSWORD, save)
    assert done.change.record_id == locked and not ws.store.head_unlocked
    assert seen.asked == ["report.correct", "report.correct"]
    action = ws.store.conn.execute(
        "SELECT action FROM audit_log WHERE record_id = ? AND table_name = 'f_htn_followup' "
        "ORDER BY id DESC LIMIT 1",
        (locked,),
    ).fetchone()[0]
    assert action == "correction"


def test_a_refused_correction_does_not_save(ws, locked, refuse):
    refuse("report.correct")
    called = []
    with pytest.raises(PermissionRefused):
        records.correct(Run.plain(ws), TEST_PASSWORD, lambda: called.append(1))
    assert called == []
