"""健康体检表 records across the upgrade (issue 13): a station's elderly exams typed
with the old form stay intact and readable after migrations 0073–0077, eld.managed
counts them exactly as before, and the checks of residents under 65 (高血压, 糖尿病
patients now have the yearly exam too) never count for the elderly."""

from __future__ import annotations

import datetime as dt
import sqlite3
from types import SimpleNamespace
from typing import Any

from tests.storage.test_indicators import BASE, TEMPLATE, TODAY, compute, person
from tests.storage.test_migration_upgrade import make_old_database, user_tables
from ygt_desktop.core.context import resident_context
from ygt_desktop.core.report_model import Period
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.migrations import MIGRATIONS, apply_pending

FIRST = next(i for i, m in enumerate(MIGRATIONS) if m.name == "0073_elderly_exam_fields")
PERIOD = "2026Q3"


def old_style_exam(ws: Any, rid: int, day: str, **more: Any) -> int:
    """An exam with only what the former 老年人健康体检 had (done boxes, free text)."""
    raw = {
        "exam_date": day, "sbp": "146", "dbp": "88", "health_self_rating": "2",
        "self_care_score": "2", "cognition": "1", "emotion": "1",
        "labs_done": ["1", "2", "6", "7"], "fpg": "6.2", "abnormal": "2",
        "abnormal_detail": "血压偏高（146/88mmHg）", "guidance": ["2"], **more,
    }  # fmt: skip
    return ws.services.save("elderly_exam", raw, rid, today=TODAY, confirm=True).change.record_id


def eld(conn: sqlite3.Connection, forms: Any) -> Any:
    counted = Indicators(SimpleNamespace(conn=conn), forms, TEMPLATE, BASE)  # type: ignore[arg-type]
    got = counted.compute(Period.parse(PERIOD), ["eld.managed"])["eld.managed"]
    return got.numerator, got.pool


def copy_into(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """The station's rows into a database at an older schema (the columns it has)."""
    target.execute("PRAGMA foreign_keys = OFF")
    target.execute("BEGIN IMMEDIATE")
    for table in user_tables(target):
        target.execute(f"DELETE FROM {table}")
        have = [r[1] for r in target.execute(f"PRAGMA table_info({table})")]
        names = ", ".join(have)
        marks = ", ".join("?" for _ in have)
        rows = source.execute(f"SELECT {names} FROM {table}").fetchall()
        target.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    target.execute("COMMIT")
    target.execute("PRAGMA foreign_keys = ON")


def test_old_style_exams_upgrade_intact_and_count_the_same(ws, tmp_path):
    old = [person(ws, f"老人{n}", f"195{n}-03-01") for n in range(4)]
    not_examined = person(ws, "未体检", "1950-06-01")
    records = [old_style_exam(ws, rid, "2026-05-06") for rid in old]
    old_style_exam(ws, old[0], "2025-05-06", abnormal="1", abnormal_detail=None)
    station = compute(ws, PERIOD)["eld.managed"]
    assert station.numerator == set(old) and not_examined in station.pool

    conn = make_old_database(tmp_path / "old.db", FIRST)
    copy_into(ws.store.conn, conn)
    before = eld(conn, ws.forms)
    stored_before = conn.execute("SELECT * FROM f_elderly_exam ORDER BY record_id").fetchall()
    apply_pending(conn)
    after = eld(conn, ws.forms)
    assert before == after == (station.numerator, station.pool)

    conn.row_factory = sqlite3.Row
    form = ws.forms["elderly_exam"]
    upgraded = conn.execute("SELECT * FROM f_elderly_exam ORDER BY record_id").fetchall()
    assert [tuple(r)[: len(stored_before[0])] for r in upgraded] == stored_before
    for row in upgraded:
        values = form.from_sql(dict(row))
        if row["record_id"] in records:
            assert values["labs_done"] == ["1", "2", "6", "7"]
            assert values["abnormal_detail"] == "血压偏高（146/88mmHg）"
        assert values["hb"] is None and values["ecg"] is None  # new items: empty
        for f in form.row_fields:  # the new child tables exist, empty for old exams
            table = f"f_elderly_exam__{f.id}"
            assert not conn.execute(
                f"SELECT 1 FROM {table} WHERE record_id = ?", (row["record_id"],)
            ).fetchone()
        # An old exam opened and saved again without changes is still valid.
        ctx = resident_context(dt.date(1952, 3, 1), "1", values["exam_date"])
        assert form.process({**values, **{f.id: [] for f in form.row_fields}}, ctx).ok


def test_checks_under_65_do_not_count_for_the_elderly(ws):
    elderly = person(ws, "七十岁", "1956-04-01")
    fifty = person(ws, "五十岁", "1976-04-01")
    sixty_four = person(ws, "六十四", "1962-04-01")  # 64 all of 2026 up to the window end
    ws.services.save("htn_register", {"register_date": "2025-01-05",
                                      "diagnosis_date": "2024-12-01"}, fifty)  # fmt: skip
    exam = {"exam_date": "2026-05-06", "sbp": "132", "dbp": "84", "abnormal": "1"}
    ws.services.save("elderly_exam", exam, fifty, today=TODAY)
    ws.services.save("elderly_exam", exam, sixty_four, today=TODAY)
    old_style_exam(ws, elderly, "2026-05-06")
    got = compute(ws, PERIOD)["eld.managed"]
    assert got.numerator == {elderly}
    assert fifty not in got.pool and sixty_four not in got.pool
    stored = ws.store.conn.execute(
        "SELECT count(*) FROM service_records WHERE form_id = 'elderly_exam' AND deleted = 0"
    ).fetchone()[0]
    assert stored == 3  # the under-65 checks are kept, just not counted
