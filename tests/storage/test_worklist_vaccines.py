"""The worklist's 预防接种 doses (storage/worklist_vaccines.py): one item per dose, due
from the earliest age (or interval) to the completion age, 逾期 after; the next dose of a
series follows once the earlier one is recorded; a record of another dose does not close
a missed one; the 建证 item stays; the kept list equals a recomputation after entries
and after the station changes its JE vaccine."""

from __future__ import annotations

import datetime as dt

from tests.storage.test_vaccine_doses import dose
from tests.storage.test_worklist_due_kept import due_now, person
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage import vaccines
from ygt_desktop.storage.worklist import ALL_VIEW

D = dt.date
ON = D(2026, 11, 25)
WEEK = (D(2026, 11, 23), D(2026, 11, 29))


def vaccine_items(ws, rng, on=ON, view=ALL_VIEW):
    kept = ws.worklist.items(*rng, on, view=view, packages=["疾控包"])
    fresh = ws.worklist.recompute_items(*rng, on, view=view, packages=["疾控包"])
    assert [(i.resident["id"], i.due, i.status) for i in kept] == [
        (i.resident["id"], i.due, i.status) for i in fresh
    ]
    return {
        i.due.label: (i.due.start, i.due.end, i.status)
        for i in kept
        if i.due.programme == "vaccine"
    }


def test_dose_windows_and_the_next_dose(ws):
    rid = person(ws, "新生儿", "2026-11-24")
    items = vaccine_items(ws, WEEK)
    assert items["乙肝疫苗第1剂"] == (D(2026, 11, 24), D(2026, 11, 25), sch.DUE)
    assert items["卡介苗"] == (D(2026, 11, 24), D(2027, 2, 23), sch.DUE)
    assert "乙肝疫苗第2剂" not in items  # waits for the first dose
    assert any(
        label.startswith("预防接种建证")
        for label in [i.due.label for i in ws.worklist.items(*WEEK, ON, view=ALL_VIEW)]
    )
    dose(ws, rid, "hepb1", "2026-11-24")
    items = vaccine_items(ws, (D(2026, 11, 23), D(2027, 1, 31)))
    assert items["乙肝疫苗第1剂"][2] == sch.DONE
    assert items["乙肝疫苗第2剂"] == (D(2026, 12, 24), D(2027, 11, 23), sch.UPCOMING)


def test_a_missed_dose_stays_overdue_when_another_is_given(ws):
    rid = person(ws, "漏种", "2025-09-01")
    for vaccine, day in (("hepb1", "2025-09-01"), ("hepb2", "2025-10-05")):
        dose(ws, rid, vaccine, day)
    before = [(label, status) for label, status in _labels(due_now(ws, rng=WEEK))]
    dose(ws, rid, "mmr1", "2026-11-20")  # another vaccine given after hepb3's window
    after = [(label, status) for label, status in _labels(due_now(ws, rng=WEEK))]
    assert ("乙肝疫苗第3剂", sch.OVERDUE) in before
    assert ("乙肝疫苗第3剂", sch.OVERDUE) in after
    dose(ws, rid, "hepb3", "2026-11-24")
    assert ("乙肝疫苗第3剂", sch.OVERDUE) not in _labels(due_now(ws, rng=WEEK))


def _labels(rows):
    return [(due.label, status) for _, due, status in rows if due.programme == "vaccine"]


def test_station_choice_of_je_derives_the_items_again(ws):
    person(ws, "乙脑", "2026-03-10")
    assert "乙脑减毒活疫苗第1剂" in vaccine_items(ws, WEEK)
    vaccines.set_series_choice(ws.store, "je", "jei")
    ws.worklist.refresh_kept(ON)
    items = vaccine_items(ws, WEEK)
    assert "乙脑灭活疫苗第1剂" in items and "乙脑减毒活疫苗第1剂" not in items
