"""The 到期 view read from the kept rows in SQL (issue 15): its tests — a window ending in
the range, an overdue one still open in the record sense, a series' overdue visit giving
way to the next — give what a recomputation gives, on a list opened once and patched
after each entry as on a list made afresh.

Requirements held here: a late visit closes an overdue quarter on the open list at once,
and deleting that visit puts it back; a phone visit does not count for the quarter but
still closes the overdue one (the patient was seen); a missed child check leaves the
list once the next check's window opens, and comes back if the birth date is corrected
so that it has not; the changed resident's items are read again by resident.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage.test_worklist import TODAY, visit
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.worklist import DUE_VIEW, Worklist

D = dt.date
ON = D(2026, 11, 25)
WEEK = (D(2026, 11, 23), D(2026, 11, 29))
MONTH = (D(2026, 11, 1), D(2026, 11, 30))


def person(ws, name: str, birth: str) -> int:
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": birth,
            "village_code": "101",
            "archive_date": "2019-01-01",
        }
    ).record_id


def shown(items) -> list[tuple[object, ...]]:
    return [(i.resident["id"], i.due, i.status) for i in items]


def due_now(ws, rng=WEEK, on=ON, **kw) -> list[tuple[object, ...]]:
    """The 到期 list from the page's long-lived Worklist (patched after entries), checked
    against a recomputation and against a brand-new Worklist's first read."""
    kept = shown(ws.worklist.items(*rng, on, view=DUE_VIEW, **kw))
    assert kept == shown(ws.worklist.recompute_items(*rng, on, view=DUE_VIEW, **kw))
    assert kept == shown(Worklist(ws.store, ws.forms).items(*rng, on, view=DUE_VIEW, **kw))
    return kept


def labels(rows) -> list[tuple[str, str]]:
    return [(due.label, status) for _, due, status in rows]


@pytest.fixture
def patient(ws) -> int:
    """张三, 76, 高血压 registered in January 2026, no follow-up since."""
    rid = person(ws, "张三", "1950-03-01")
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    return rid


def test_a_late_visit_closes_the_overdue_quarter_and_its_deletion_reopens_it(ws, patient):
    q3 = ("高血压随访（2026年第3季度）", "逾期")
    for statuses in (None, [sch.DUE, sch.OVERDUE]):
        assert labels(due_now(ws, statuses=statuses)) == [q3]
    late = visit(ws, patient, "2026-11-10", method="3")  # by phone: seen, not a visit
    for statuses in (None, [sch.DUE, sch.OVERDUE]):
        assert due_now(ws, statuses=statuses) == []
    # a record after the day asked about does not close it on that day
    assert labels(due_now(ws, rng=(D(2026, 11, 2), D(2026, 11, 8)), on=D(2026, 11, 8))) == [q3]
    ws.services.delete(late.change.record_id, "录错了人")
    for statuses in (None, [sch.DUE, sch.OVERDUE]):
        assert labels(due_now(ws, statuses=statuses)) == [q3]


def test_a_window_ending_in_the_range_shows_whatever_its_status(ws, patient):
    last = (D(2026, 12, 28), D(2027, 1, 3))
    assert labels(due_now(ws, rng=last, on=D(2026, 12, 29))) == [
        ("高血压随访（2026年第3季度）", "逾期"),
        ("高血压随访（2026年第4季度）", "应访"),
    ]
    visit(ws, patient, "2026-11-24")
    assert labels(due_now(ws, rng=last, on=D(2026, 12, 29))) == [
        ("高血压随访（2026年第4季度）", "已访")
    ]


def test_a_missed_child_check_gives_way_once_the_next_window_opens(ws):
    child = person(ws, "小明", "2026-04-10")  # 6 months: 10-10 … 11-09; 8 months from 12-10
    six = ("儿童健康检查（6月龄）", "逾期")
    assert six in labels(due_now(ws, packages=["妇幼包"]))
    # on 12-10 the 8-month window has opened: the 6-month one is no longer listed
    december = (D(2026, 12, 7), D(2026, 12, 13))
    assert six not in labels(due_now(ws, rng=december, on=D(2026, 12, 10)))
    assert six in labels(due_now(ws, rng=december, on=D(2026, 12, 9)))
    # a corrected birth date (the archive page's write): now 6 months old, nothing missed
    with ws.store.write("resident") as conn:
        conn.execute("UPDATE residents SET birth_date = '2026-05-20' WHERE id = ?", (child,))
    assert six not in labels(due_now(ws))
    with ws.store.write("resident") as conn:
        conn.execute("UPDATE residents SET birth_date = '2026-04-10' WHERE id = ?", (child,))
    assert six in labels(due_now(ws))


def test_an_open_list_reads_only_the_changed_residents_again(ws, patient):
    other = person(ws, "李四", "1955-06-01")
    ws.services.save(
        "htn_register",
        {"register_date": "2026-02-01", "diagnosis_date": "2026-01-10"},
        other,
        today=TODAY,
    )
    assert len(due_now(ws)) == 2
    visit(ws, patient, "2026-11-20")
    queries: list[str] = []
    ws.store.conn.set_trace_callback(queries.append)
    try:
        patched = ws.worklist.items(*WEEK, ON, view=DUE_VIEW)
    finally:
        ws.store.conn.set_trace_callback(None)
    assert [i.resident["id"] for i in patched] == [other]
    reads = [q for q in queries if q.startswith("SELECT") and "FROM worklist_due" in q]
    assert len(reads) == 1 and f"'[{patient}]'" in reads[0]  # the patient's items alone
    assert shown(patched) == due_now(ws)


def test_the_statement_probes_by_resident_whatever_indexes_other_tables_gain(
    ws, patient, monkeypatch
):
    """An index on a form's records by day (as the report's) must not turn the still-open
    probe into a read of every record of the form in those days, per overdue row."""
    from ygt_desktop.storage import worklist_lines as worklist_module  # builds the statement

    with ws.store.write() as conn:
        conn.execute(
            "CREATE INDEX IF NOT EXISTS test_records_by_day ON service_records "
            "(form_id, service_date, resident_id, deleted) WHERE deleted = 0"
        )
    statements = []
    query = worklist_module.kept_query

    def kept(*args, **kw):
        statements.append(query(*args, **kw))
        return statements[-1]

    monkeypatch.setattr(worklist_module, "kept_query", kept)
    Worklist(ws.store, ws.forms).items(*WEEK, ON, view=DUE_VIEW)
    sql, args = statements[-1]
    plan = [row[3] for row in ws.store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
    probes = [line for line in plan if line.startswith("SEARCH s ")]
    assert probes and all(
        "service_records_form_resident (form_id=? AND resident_id=?" in p for p in probes
    )
    assert all(not line.startswith("SCAN") for line in plan)


def test_an_entrys_derivation_reads_the_resident_not_the_forms_days(ws, patient):
    """After a save only the resident's rows are derived again: every statement of that
    derivation reads by resident, even with an index of a form's records by day."""
    ws.worklist.items(*WEEK, ON)
    with ws.store.write() as conn:
        conn.execute(
            "CREATE INDEX IF NOT EXISTS test_records_by_day ON service_records "
            "(form_id, service_date, resident_id, deleted) WHERE deleted = 0"
        )
    visit(ws, patient, "2026-11-20")
    statements: list[str] = []
    ws.store.conn.set_trace_callback(statements.append)
    try:
        assert ws.worklist.refresh_kept()
    finally:
        ws.store.conn.set_trace_callback(None)
    reads = [s for s in statements if s.startswith("SELECT") and "service_records" in s]
    assert len(reads) > 5
    for sql in reads:
        plan = " | ".join(row[3] for row in ws.store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "test_records_by_day" not in plan and "service_records_live" not in plan, sql
