"""The newborn's discharge on the child's record, the children's age limits from the band
forms, and 末次月经 不详 (issue 14, helper C).

Requirements held here: the 新生儿家庭访视's window counts from the 出生后出院日期 typed
when the child is registered (before any visit), re-derived in the kept rows when that
date changes, and the visit's 出院日期 fills itself from it; the date is refused before
the birth, in the future or a year after the birth, in Chinese naming the item; the
worklist's age limits are the band forms' and newborn_visit's schedules; a first prenatal
check takes 末次月经 or 不详 (not both, not neither), the 孕周 typed when 不详, and the
visit windows then count from that 孕周 at the 填表日期.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from ygt_desktop.core.forms import FormRegistry
from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.storage.worklist import ALL_VIEW
from ygt_desktop.storage.worklist_children import age_limits

D = dt.date
TODAY = D(2026, 11, 23)
LABEL = "新生儿家庭访视（出院7天内）"


def child(ws, birth: D, discharged: D | None = None, name: str = "小新") -> int:
    values = {
        "name": name,
        "no_id_reason": "1",
        "sex": "1",
        "birth_date": birth.isoformat(),
        "village_code": "101",
        "archive_date": birth.isoformat(),
    }
    if discharged:
        values["birth_discharged_date"] = discharged.isoformat()
    return ws.residents.save(values).record_id


def newborn_items(ws, rid: int, recompute: bool = False) -> set[tuple[D, D, str]]:
    get = ws.worklist.recompute_items if recompute else ws.worklist.items
    return {
        (i.due.start, i.due.end, i.status)
        for i in get(D(2026, 9, 1), D(2026, 12, 31), TODAY, view=ALL_VIEW)
        if i.resident["id"] == rid and i.due.label == LABEL
    }


# ---- the newborn visit from the discharge known at registration --------------------------


def test_the_window_counts_from_the_discharge_typed_at_registration(ws):
    birth = D(2026, 10, 1)
    rid = child(ws, birth, D(2026, 10, 20))  # a long stay: no visit yet
    assert newborn_items(ws, rid) == {(birth, D(2026, 10, 27), "逾期")}
    assert newborn_items(ws, rid) == newborn_items(ws, rid, recompute=True)


def test_a_changed_discharge_derives_the_kept_rows_again(ws):
    birth = D(2026, 11, 10)
    rid = child(ws, birth)
    assert newborn_items(ws, rid) == {(birth, D(2026, 11, 17), "逾期")}  # from the birth
    ws.residents.save({"birth_discharged_date": "2026-11-20"}, rid)
    assert newborn_items(ws, rid) == {(birth, D(2026, 11, 27), "应访")}
    assert newborn_items(ws, rid) == newborn_items(ws, rid, recompute=True)


def test_the_childs_discharge_comes_before_the_one_typed_on_a_visit(ws):
    birth = D(2026, 10, 1)
    rid = child(ws, birth, D(2026, 10, 3))
    ctx = ws.services.context(rid, D(2026, 10, 6), ws.forms["newborn_visit"])
    assert ctx["discharge_date"] == D(2026, 10, 3)  # the visit's 出院日期 fills itself
    saved = ws.services.save(
        "newborn_visit",
        {
            "visit_date": "2026-10-06",
            "weight": "3.4",
            "feeding": "1",
            "temperature": "36.8",
            "jaundice": "1",
            "umbilical_cord": "1",
        },
        rid,
        today=TODAY,
        confirm=True,
    )
    stored = ws.store.conn.execute(
        "SELECT discharged_date, days_after_discharge FROM f_newborn_visit WHERE record_id = ?",
        (saved.change.record_id,),
    ).fetchone()
    assert tuple(stored) == ("2026-10-03", 3)
    assert newborn_items(ws, rid) == {(birth, D(2026, 10, 10), "已访")}


@pytest.mark.parametrize(
    ("discharged", "expected"),
    [
        ("2026-09-30", "出生后出院日期不能早于出生日期（2026-10-01）"),
        ("2027-10-02", "出生后出院日期"),  # in the future
        ("2027-10-01", "出生后出院日期"),
    ],
)
def test_a_discharge_before_birth_or_in_the_future_is_refused(ws, discharged, expected):
    before = ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0]
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save(
            {
                "name": "小错",
                "no_id_reason": "1",
                "sex": "1",
                "birth_date": "2026-10-01",
                "village_code": "101",
                "archive_date": "2026-10-05",
                "birth_discharged_date": discharged,
            }
        )
    assert expected in err.value.errors["birth_discharged_date"]
    assert ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0] == before


def test_the_discharge_is_asked_only_for_a_child_registered_under_one(ws):
    form = ws.forms["resident"]
    adult = {"birth_date": D(1980, 5, 1), "archive_date": D(2026, 1, 5)}
    baby = {"birth_date": D(2026, 1, 1), "archive_date": D(2026, 1, 5)}
    assert not form.is_relevant("birth_discharged_date", adult)
    assert form.is_relevant("birth_discharged_date", baby)
    rid = child(ws, D(2025, 12, 1), D(2025, 12, 4))
    ws.residents.save({"phone": "13800000000"}, rid)  # an edit a year on keeps it
    assert ws.residents.values(rid)["birth_discharged_date"] == D(2025, 12, 4)


# ---- age limits from the band forms' schedules ----------------------------------------------


def test_the_age_limits_are_the_band_forms_schedules(forms):
    assert age_limits(forms) == {"newborn": (0, 43), "child": (84, 0), "tcm_child": (37, 0)}
    changed = {
        "child_check_preschool": {"points_months": [36, 48], "windows_months": [1, 12]},
        "newborn_visit": {"within_days_after_discharge": 7, "max_age_days": 28},
    }
    other = FormRegistry(
        {
            f.id: replace(f, settings={**f.settings, "schedule": changed[f.id]})
            if f.id in changed
            else f
            for f in forms
        }
    )
    limits = age_limits(other)
    assert limits["child"] == (60, 0) and limits["newborn"] == (0, 29)


# ---- 末次月经 不详 ------------------------------------------------------------------------------

FIRST: dict[str, Any] = {
    "exam_date": "2026-03-02",
    "gravidity": "1",
    "parity": "0",
    "sbp": "110",
    "dbp": "70",
    "risk_screen": "1",
    "risk": "1",
}


def woman(ws) -> int:
    return ws.residents.save(
        {
            "name": "王芳",
            "no_id_reason": "9",
            "sex": "2",
            "birth_date": "1996-04-01",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "lmp_date", "请填写末次月经；记不清时勾选“末次月经不详”"),
        (
            {"lmp_date": "2026-01-05", "lmp_unknown": "1"},
            "lmp_date",
            "已填写末次月经，就不应再勾选“末次月经不详”",
        ),
        ({"lmp_unknown": "1"}, "gest_weeks", "末次月经不详时请填写孕周"),
        ({"lmp_unknown": "1", "gest_weeks": "50"}, "gest_weeks", "孕周"),
    ],
)
def test_lmp_or_unknown_one_of_them(ws, values, field, message):
    rid = woman(ws)
    with pytest.raises(ValidationFailed) as err:
        ws.services.save("prenatal_first", {**FIRST, **values}, rid, today=TODAY)
    assert message in err.value.errors[field]
    assert not ws.store.conn.execute("SELECT 1 FROM f_prenatal_first").fetchall()


def test_with_lmp_unknown_the_windows_count_from_the_typed_weeks(ws):
    rid = woman(ws)
    ws.services.save(
        "prenatal_first",
        {**FIRST, "lmp_unknown": "1", "gest_weeks": "8", "edd": "2026-10-12"},
        rid,
        today=TODAY,
    )
    stored = ws.store.conn.execute(
        "SELECT lmp_date, lmp_unknown, gest_weeks, edd FROM f_prenatal_first"
    ).fetchone()
    assert tuple(stored) == (None, 1, 8, "2026-10-12")
    # 8 weeks on 2026-03-02: counted from 2026-01-05, the 2nd visit at 16–20 weeks
    got = [d for d in ws.worklist.pending(rid, D(2026, 3, 3)) if d.programme == "prenatal"]
    assert (got[0].start, got[0].end) == (D(2026, 4, 27), D(2026, 5, 31))
    kept = {
        (i.due.start, i.due.end)
        for i in ws.worklist.items(D(2026, 4, 1), D(2026, 6, 30), TODAY, view=ALL_VIEW)
        if i.resident["id"] == rid and i.due.programme == "prenatal"
    }
    assert (D(2026, 4, 27), D(2026, 5, 31)) in kept
