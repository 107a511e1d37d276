"""Bulk loading of generated service records: what ServiceRepo.save would have written.

The loaded rows are compared with the generator's records (every value), with the rule
outcomes the app computes for them, and the app's own readers (timeline, worklist,
saving a new follow-up) are run on a demo station.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VILLAGES
from ygt_desktop.cli import main
from ygt_desktop.core.schedules import DONE, DUE, OVERDUE
from ygt_desktop.core.tcm import ScoringConfig
from ygt_desktop.demo.load_residents import load_residents
from ygt_desktop.demo.load_services import demo_people, load_services
from ygt_desktop.demo.residents import SyntheticVillage, generate_residents
from ygt_desktop.demo.services import Record, generate_services
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.services import NeedsConfirmation
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2025, 11, 20)


def load_station(ws: Workspace, count: int, seed: int) -> tuple[list[Record], dict[str, int]]:
    villages = [SyntheticVillage(code, name) for code, name in VILLAGES]
    load_residents(
        ws.store, ws.forms["resident"], generate_residents(seed, count, TODAY.year, villages, TODAY)
    )
    scoring = ScoringConfig.from_settings(ws.forms["tcm_elderly"].settings)
    records = list(generate_services(demo_people(ws.store), TODAY, seed, scoring=scoring))
    return records, load_services(ws.store, ws.forms, records, today=TODAY, seed=seed)


@pytest.fixture
def station(ws: Workspace) -> tuple[Workspace, list[Record], dict[str, int]]:
    records, counts = load_station(ws, 1500, seed=5)
    return ws, records, counts


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    return conn.execute(sql).fetchall()


def test_every_record_is_stored_with_its_values(station):
    ws, records, counts = station
    assert counts == Counter(r[0] for r in records)
    headers = ws.store.query("SELECT * FROM service_records ORDER BY id")
    assert len(headers) == len(records)
    for form_id in counts:
        form = ws.forms[form_id]
        details = {r["record_id"]: r for r in ws.store.query(f"SELECT * FROM {form.table}")}
        assert len(details) == counts[form_id]
    details_by_form: dict[str, dict[int, dict[str, Any]]] = {}
    for header, (form_id, rid, day, _, values) in zip(headers, records, strict=True):
        assert (header["form_id"], header["resident_id"], header["service_date"]) == (
            form_id,
            rid,
            day.isoformat(),
        )
        form = ws.forms[form_id]
        if form_id not in details_by_form:
            details_by_form[form_id] = {
                r["record_id"]: r for r in ws.store.query(f"SELECT * FROM {form.table}")
            }
        stored = details_by_form[form_id][header["id"]]
        assert form.from_sql(stored) == form.from_sql(form.to_sql(values)), form_id


def test_headers_carry_the_rules_the_app_would_fire(station):
    """recheck_date, referral and alerts as ServiceRepo.save computes them (context read
    back from the loaded database: previous record, open registers, age)."""
    ws, _, _ = station
    checked = Counter()
    for header in ws.store.query(
            "SELECT * FROM service_records WHERE resident_id IS NOT NULL AND form_id IN "
            "('htn_followup', 'dm_followup', 'smi_followup', 'child_check_infant', 'child_check_toddler', 'child_check_preschool', 'newborn_visit', "
            "'infectious_report') ORDER BY id"):  # fmt: skip
        if checked[header["form_id"]] >= 150:
            continue
        checked[header["form_id"]] += 1
        form = ws.forms[header["form_id"]]
        _, values = ws.services.get(header["id"])
        day = dt.date.fromisoformat(header["service_date"])
        ctx = ws.services.context(header["resident_id"], day, form, header["id"])
        assert form.applies_to(ctx), header
        assert not form.process(values, ctx).errors, header
        outcomes = form.evaluate_rules(values, ctx)
        alerts = json.loads(header["alerts"]) if header["alerts"] else []
        assert [a["id"] for a in alerts] == [o.id for o in outcomes], header
        days = [o.recheck_days for o in outcomes if o.recheck_days]
        expected = (day + dt.timedelta(days=min(days))).isoformat() if days else None
        assert header["recheck_date"] == expected
        assert header["referral"] == (
            "urgent"
            if any(o.referral == "urgent" for o in outcomes)
            else "suggested"
            if any(o.referral == "suggested" for o in outcomes)
            else None
        )
    assert checked["htn_followup"] == 150 and checked["dm_followup"] > 20
    referrals = Counter(r[0] for r in rows(ws.store.conn, "SELECT referral FROM service_records"))
    assert referrals["urgent"] and referrals["suggested"]


def test_episodes_point_at_their_opening_record(station):
    ws, _, _ = station
    conn = ws.store.conn
    assert not rows(
        conn,
        "SELECT id FROM service_records WHERE form_id IN ('prenatal_first', "
        "'tb_notify') AND episode_id != id",
    )
    assert not rows(conn, "SELECT c.id FROM service_records c JOIN service_records o "
                          "ON o.id = c.episode_id WHERE c.form_id IN ('prenatal_followup', "
                          "'delivery', 'postpartum_visit', 'postpartum_42d') "
                          "AND (o.form_id != 'prenatal_first' OR o.resident_id != c.resident_id "
                          "OR o.service_date > c.service_date)")  # fmt: skip
    closing = rows(
        conn,
        "SELECT h.closes_episode, d.outcome FROM service_records h JOIN "
        "f_postpartum_42d d ON d.record_id = h.id",
    )
    assert closing and all(c == (o == "1") for c, o in closing)
    assert not rows(
        conn,
        "SELECT episode_id FROM service_records WHERE closes_episode = 1 "
        "GROUP BY episode_id HAVING count(*) > 1",
    )
    # The app finds the same open pregnancies the stream left open.
    open_ids = {r[0] for r in rows(conn, "SELECT o.id FROM service_records o WHERE "
                "o.form_id = 'prenatal_first' AND NOT EXISTS (SELECT 1 FROM service_records c "
                "WHERE c.episode_id = o.id AND c.closes_episode = 1)")}  # fmt: skip
    mothers = {
        r[0]
        for r in rows(
            conn, "SELECT resident_id FROM service_records WHERE form_id = 'prenatal_first'"
        )
    }
    found = {ws.services.open_episode(m, "pregnancy") for m in mothers} - {None}
    assert found == open_ids


def test_schema_is_intact_after_the_load(station, forms):
    ws, _, _ = station
    conn = ws.store.conn
    assert rows(conn, "PRAGMA foreign_key_check") == []
    assert rows(conn, "PRAGMA quick_check") == [("ok",)]
    indexes = {
        r[0]
        for r in rows(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'service_records' AND sql IS NOT NULL",
        )
    }
    assert indexes == {
        "service_records_resident",
        "service_records_form",
        "service_records_form_resident",
        "service_records_episode",
        "service_records_recheck",
        "service_records_live",  # 0055: live records by form and date (the report)
        "service_records_closing",  # 0055: records closing a pregnancy or TB case
    }
    audit = rows(
        conn,
        "SELECT table_name, action, new_values, reason FROM audit_log "
        "WHERE table_name = 'service_records'",
    )
    assert len(audit) == 1 and audit[0][3] == "生成演示数据"
    assert json.loads(audit[0][2])["count"] == len(rows(conn, "SELECT id FROM service_records"))


def test_entry_stamps_are_plausible(station):
    ws, _, _ = station
    late = total = 0
    for service, entered, flag, archive in rows(
            ws.store.conn, "SELECT h.service_date, h.entered_at, h.late_entry, r.archive_date "
            "FROM service_records h LEFT JOIN residents r ON r.id = h.resident_id"):  # fmt: skip
        day, typed = dt.date.fromisoformat(service), dt.date.fromisoformat(entered[:10])
        assert day <= typed <= TODAY
        assert archive is None or typed >= dt.date.fromisoformat(archive)
        assert flag == int((typed - day).days > 7)
        if archive is not None and day < dt.date.fromisoformat(archive):
            continue  # a baby's first visits and doses, typed in once the archive is made
        late += flag
        total += 1
    assert 0.01 < late / total < 0.06


def test_a_broken_stream_writes_nothing(ws):
    villages = [SyntheticVillage(code, name) for code, name in VILLAGES]
    load_residents(
        ws.store, ws.forms["resident"], generate_residents(1, 20, TODAY.year, villages, TODAY)
    )
    good: Record = (
        "edu_activity",
        None,
        TODAY,
        None,
        {"activity_date": TODAY, "kind": "3", "title": "宣传栏"},
    )
    orphan: Record = ("delivery", 1, TODAY, "preg:1:0", {"delivered_date": TODAY})
    with pytest.raises(StoreError, match="尚未开始"):
        load_services(ws.store, ws.forms, [good, orphan], today=TODAY)
    assert rows(ws.store.conn, "SELECT count(*) FROM service_records") == [(0,)]
    assert (
        len(
            rows(
                ws.store.conn,
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'service_records'",
            )
        )
        == 7  # all of them, the re-check and the report's indexes too
    )


# ---- through the command and the app's own readers -------------------------------------


def demo(path: Path, seed: int, residents: int, *extra: str) -> None:
    assert main(["demo", "--db", str(path), "--residents", str(residents), "--seed",
                 str(seed), "--year", str(TODAY.year), "--today", TODAY.isoformat(),
                 "--villages", "4", *extra]) == 0  # fmt: skip


def dump(path: Path) -> tuple[list[Any], list[Any]]:
    conn = sqlite3.connect(path)
    try:
        headers = conn.execute("SELECT * FROM service_records ORDER BY id").fetchall()
        details = conn.execute("SELECT * FROM f_htn_followup ORDER BY record_id").fetchall()
    finally:
        conn.close()
    return headers, details


def test_demo_is_repeatable_with_the_same_seed(tmp_path: Path, capsys):
    a, b, c = (tmp_path / f"{n}.db" for n in "abc")
    demo(a, 42, 400)
    demo(b, 42, 400)
    demo(c, 43, 400)
    out = capsys.readouterr().out
    assert "服务记录" in out and "高血压随访" in out
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)
    assert dump(a)[0]


def test_demo_without_services(tmp_path: Path):
    path = tmp_path / "s.db"
    demo(path, 1, 200, "--no-services")
    assert dump(path) == ([], [])


@pytest.fixture(scope="module")
def demo_station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "station.db"
    demo(path, 9, 2000)
    return path


def test_timeline_and_worklist_work_on_the_demo(demo_station: Path, forms):
    ws = Workspace.open(demo_station, forms=forms)
    try:
        patient = ws.store.conn.execute(
            "SELECT resident_id FROM service_records WHERE form_id = 'htn_followup' "
            "GROUP BY resident_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        timeline = ws.services.timeline(patient)
        assert timeline[0]["service_date"] >= timeline[-1]["service_date"]
        assert {"高血压登记", "高血压随访"} <= {r["title"] for r in timeline}
        start, end = dt.date(TODAY.year, 10, 1), dt.date(TODAY.year, 12, 31)
        items = ws.worklist.items(start, end, TODAY)
        statuses = Counter(i.status for i in items)
        assert statuses[OVERDUE] and statuses[DUE] and statuses[DONE]
        programmes = {i.due.programme for i in items}
        assert {"htn", "dm", "elderly", "child", "prenatal"} <= programmes
        overdue = ws.worklist.items(dt.date(TODAY.year, 1, 1), end, TODAY, statuses=[OVERDUE])
        assert {i.due.programme for i in overdue} >= {"htn", "child"}
    finally:
        ws.close(backup_on_exit=False)


def save(ws: Workspace, form_id: str, raw: dict[str, Any], rid: int) -> Any:
    try:
        return ws.services.save(form_id, raw, rid, today=TODAY)
    except NeedsConfirmation:
        return ws.services.save(form_id, raw, rid, today=TODAY, confirm=True)


def test_the_app_saves_new_records_for_generated_patients(demo_station: Path, forms, tmp_path):
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(demo_station)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    ws = Workspace.open(copy, forms=forms)
    try:
        conn = ws.store.conn
        rid, controlled = conn.execute(
            "SELECT h.resident_id, d.controlled FROM service_records h JOIN f_htn_followup d "
            "ON d.record_id = h.id JOIN residents r ON r.id = h.resident_id "
            "WHERE r.status = '在档' AND d.controlled IS NOT NULL "
            "AND h.resident_id IN (SELECT resident_id FROM service_records h2 "
            "JOIN f_htn_register g ON g.record_id = h2.id WHERE g.closed_date IS NULL) "
            "AND h.service_date = (SELECT max(service_date) FROM service_records x "
            "WHERE x.resident_id = h.resident_id AND x.form_id = 'htn_followup') "
            "AND d.controlled = 0 LIMIT 1").fetchone()  # fmt: skip
        assert controlled == 0
        result = save(
            ws,
            "htn_followup",
            {
                "visit_date": TODAY,
                "visit_method": "1",
                "sbp": "150",
                "dbp": "92",
                "adherence": "1",
                "visit_class": "2",
            },
            rid,
        )
        # The generated previous visit was uncontrolled: the app sees two in a row.
        assert [o.id for o in result.outcomes] == ["uncontrolled_twice"]
        assert not result.late_entry

        mother = conn.execute(
            "SELECT o.resident_id FROM service_records o WHERE o.form_id = 'prenatal_first' "
            "AND NOT EXISTS (SELECT 1 FROM service_records c WHERE c.episode_id = o.id "
            "AND c.form_id = 'delivery') ORDER BY o.service_date DESC LIMIT 1"
        ).fetchone()[0]
        assert ws.services.open_episode(mother, "pregnancy") is not None
        ctx = ws.services.context(mother, TODAY, forms["prenatal_followup"])
        weeks = (TODAY - ctx["lmp"]).days // 7
        result = save(
            ws,
            "prenatal_followup",
            {"exam_date": TODAY, "visit_no": "3", "sbp": "110", "dbp": "70", "classification": "1"},
            mother,
        )
        _, values = ws.services.get(result.change.record_id)
        assert values["gest_weeks"] == weeks

        child = conn.execute(
            "SELECT id FROM residents WHERE status = '在档' AND birth_date > ? "
            "ORDER BY birth_date LIMIT 1",
            ((TODAY - dt.timedelta(days=700)).isoformat(),),
        ).fetchone()[0]
        result = save(
            ws,
            "child_check_toddler",
            {"exam_date": TODAY, "weight": "11", "length": "84"},
            child,
        )
        assert result.change.action == "insert"
    finally:
        ws.close(backup_on_exit=False)
