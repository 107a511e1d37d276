"""The worklist kept, not recomputed (issue 15): after a seeded random sequence of
entries, edits and deletions of service records, referrals, archive closures (迁出 /
死亡), resident edits (birth date, village) and day changes on a generated demo
station, the kept rows (``worklist_due``) give exactly the list a full recomputation
gives, for several ranges and every view and filter."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from tests.worklist_demo import (
    TODAY,
    change_a_record,
    correct_birth_date,
    record_forms,
    station_fixtures,
)
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.residents import ValidationFailed as ResidentInvalid
from ygt_desktop.storage.worklist import PROGRAMME_PACKAGE, VIEWS, WorkItem, Worklist

D = dt.date
RANGES = [
    (D(2026, 11, 23), D(2026, 11, 29)),
    (D(2026, 11, 1), D(2026, 11, 30)),
    (D(2026, 10, 1), D(2026, 12, 31)),
    (D(2026, 1, 1), D(2026, 12, 31)),
    (D(2026, 4, 1), D(2026, 4, 30)),
]


demo_file, run = station_fixtures("kept", residents=300)


def kept_rows(wl: Worklist) -> int:
    return int(wl.store.conn.execute("SELECT count(*) FROM worklist_due").fetchone()[0])


def same(item: WorkItem) -> tuple[object, ...]:
    return (item.resident["id"], item.due, item.status, item.resident["village_code"])


def check_all(wl: Worklist, on: dt.date) -> None:
    villages = sorted({r[0] for r in wl.store.conn.execute("SELECT village_code FROM residents")})
    doctors = wl.doctors()
    filters: list[dict[str, object]] = [
        {},
        {"statuses": [sch.DUE, sch.OVERDUE]},
        {"statuses": [sch.DONE]},
        {"statuses": [sch.UPCOMING], "packages": ["疾控包"]},
        {"packages": ["妇幼包"]},
        {"packages": ["疾控包", "中医包"]},
        {"packages": [PROGRAMME_PACKAGE["referral"]]},
        {"village": villages[0]},
        {"doctor": doctors[0] if doctors else "无此医生"},
    ]
    for start, end in RANGES:
        for view in VIEWS:
            for kw in filters:
                kept = wl.items(start, end, on, view=view, **kw)  # type: ignore[arg-type]
                fresh = wl.recompute_items(start, end, on, view=view, **kw)  # type: ignore[arg-type]
                assert [same(i) for i in kept] == [same(i) for i in fresh], (start, end, view, kw)


def test_entries_patch_the_remembered_list_in_place(run):
    """Entries one after another on an open page (the same month and day): the list
    made once is patched for the changed resident, and stays a recomputation's."""
    ws = run.ws
    rng = random.Random(7)
    forms = record_forms(ws)
    month = RANGES[1]
    changes = 0
    for step in range(40):
        for view in VIEWS:
            kept = ws.worklist.items(*month, TODAY, view=view)
            assert [same(i) for i in kept] == [
                same(i) for i in ws.worklist.recompute_items(*month, TODAY, view=view)
            ], (step, view)
        changes += change_a_record(ws, rng, forms, rng.choice(["new", "edit", "delete"]))
    assert changes > 20
    assert any(not changed and items for _, items, changed, _ in ws.worklist._lists.values())


def test_the_kept_rows_are_used_and_filled(run):
    wl = run.ws.worklist
    wl.items(*RANGES[0], TODAY)
    assert kept_rows(wl) > 1000
    wl.store.conn.execute("DELETE FROM worklist_due")  # outside the app: now visibly empty
    assert wl.items(*RANGES[1], TODAY) == []
    assert wl.recompute_items(*RANGES[1], TODAY) != []


def test_a_save_marks_its_resident_in_the_same_transaction(run):
    ws = run.ws
    ws.worklist.items(*RANGES[0], TODAY)
    rid, record = ws.store.conn.execute(
        "SELECT resident_id, id FROM service_records WHERE form_id = 'htn_followup' "
        "AND deleted = 0 LIMIT 1"
    ).fetchone()
    ws.services.delete(record, "录错")
    assert [r[0] for r in ws.store.conn.execute("SELECT * FROM worklist_dirty")] == [rid]
    ws.worklist.items(*RANGES[0], TODAY)
    assert ws.store.conn.execute("SELECT count(*) FROM worklist_dirty").fetchone()[0] == 0


def test_after_random_changes_the_kept_list_equals_a_recomputation(run):
    ws = run.ws
    rng = random.Random(15)
    conn = ws.store.conn
    check_all(ws.worklist, TODAY)
    forms = record_forms(ws)
    people = [r[0] for r in conn.execute("SELECT id FROM residents WHERE deleted = 0")]
    villages = [r[0] for r in conn.execute("SELECT DISTINCT village_code FROM residents")]
    done = {"new": 0, "edit": 0, "delete": 0, "close": 0, "village": 0, "birth": 0}
    for step in range(60):
        kind = rng.choice(list(done))
        if kind in ("new", "edit", "delete"):
            if not change_a_record(ws, rng, forms, kind):
                continue
        elif kind == "close":
            rid = rng.choice(people)
            if ws.residents.get(rid)["status"] != "在档":
                continue
            day = TODAY - dt.timedelta(days=rng.randint(0, 300))
            ws.residents.close(rid, rng.choice(["迁出", "死亡"]), day)
        elif kind == "village":
            rid = rng.choice(people)
            try:
                ws.residents.save({"village_code": rng.choice(villages)}, rid)
            except ResidentInvalid:
                continue
        else:  # a corrected birth date
            correct_birth_date(ws, rng, rng.choice(people))
        done[kind] += 1
        if step % 15 == 14:
            on = TODAY + dt.timedelta(days=rng.randint(-40, 40))  # another day
            check_all(ws.worklist, on)
    assert all(n > 0 for n in done.values()), done
    check_all(ws.worklist, TODAY)
    check_all(Worklist(ws.store, ws.forms), TODAY + dt.timedelta(days=1))


def test_the_demo_generator_leaves_the_kept_rows_filled(demo_file):
    conn = sqlite3.connect(demo_file)
    try:
        assert conn.execute("SELECT count(*) FROM worklist_dirty").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM worklist_due").fetchone()[0] > 1000
    finally:
        conn.close()


def test_a_new_year_derives_the_rows_again_for_the_moved_years(run, monkeypatch):
    ws = run.ws
    ws.worklist.items(*RANGES[1], TODAY)
    backups = ws.store.changes_since_backup
    version = ws.worklist._version()
    years = (D(2026, 1, 1), D(2028, 12, 31))
    monkeypatch.setattr(Worklist, "kept_window", lambda self, today=None: years)
    assert ws.worklist.items(*RANGES[1], TODAY) == ws.worklist.recompute_items(*RANGES[1], TODAY)
    assert ws.worklist._version() != version
    assert ws.store.changes_since_backup == backups  # derived rows: nothing to back up
    starts = ws.store.conn.execute('SELECT min("end") FROM worklist_due').fetchone()[0]
    assert starts >= "2026-01-01"
    # a range reaching before the kept years is recomputed, and the same
    early = (D(2025, 12, 1), D(2026, 1, 31))
    check = Worklist(ws.store, ws.forms)
    assert [same(i) for i in check.items(*early, TODAY)] == [
        same(i) for i in check.recompute_items(*early, TODAY)
    ]


def test_inside_an_open_transaction_the_list_is_recomputed(run):
    ws = run.ws
    ws.worklist.items(*RANGES[1], TODAY)
    rid = ws.store.conn.execute("SELECT id FROM residents LIMIT 1").fetchone()[0]
    with ws.store.write("resident") as conn:
        conn.execute("UPDATE residents SET deleted = 1 WHERE id = ?", (rid,))
        inside = Worklist(ws.store, ws.forms).items(*RANGES[1], TODAY)
        assert all(i.resident["id"] != rid for i in inside)
        assert [same(i) for i in inside] == [
            same(i) for i in ws.worklist.recompute_items(*RANGES[1], TODAY)
        ]


def test_forgetting_old_lists_keeps_the_current_range(run):
    wl = run.ws.worklist
    for week in range(12):
        start = D(2026, 6, 1) + dt.timedelta(weeks=week)
        for statuses in ([sch.DUE, sch.OVERDUE], None):
            wl.items(start, start + dt.timedelta(days=6), TODAY, statuses=statuses)
        kept = {k[4] for k in wl._lists if k[0] == start}
        assert kept == {(), tuple(sorted([sch.DUE, sch.OVERDUE]))}, week
