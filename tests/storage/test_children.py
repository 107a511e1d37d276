"""Children 0–6 on the national forms (issue 14, part K).

Requirements held here: a check on the wrong band's form is refused naming the right
form, the retired one-form check takes no new record and its old records still count;
items printed for some columns only are refused at other ages; the newborn visit's window
runs from birth to 7 days after the discharge typed on the child's record (no later than
42 days); every check of the schedule (newborn, 满月, 3 … 30 months, 3–6 years) and the
TCM guidance (6 … 36 months) are on the worklist from the moment the child is
registered, each closed by the record that fulfils it, the kept list equal to the
recomputed one; child.system (3岁以下儿童系统管理率, 4:2:2) on a hand-built station.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage.indicators_reference import compute as reference_compute
from ygt_desktop.core.report_model import Period, load_template
from ygt_desktop.paths import resources_dir
from ygt_desktop.storage.indicator_rules_children import required_by_year
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.storage.worklist import ALL_VIEW
from ygt_desktop.storage.worklist_children import check_points, newborn_window

D = dt.date
TODAY = D(2026, 11, 23)
TEMPLATE = load_template(resources_dir() / "templates" / "quarterly_report.toml")


def child(ws, name: str, birth: D) -> int:
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "2",
            "birth_date": birth.isoformat(),
            "village_code": "101",
            "archive_date": birth.isoformat(),
        }
    ).record_id


def check(ws, form_id: str, rid: int, day: D, **values):
    body = {"exam_date": day.isoformat(), "weight": "9", **values}
    body.setdefault("height" if form_id.endswith("preschool") else "length", "75")
    return ws.services.save(form_id, body, rid, today=TODAY, confirm=True)


def old_check(ws, rid: int, day: D):
    """A record of the retired one-form check, as stations made before issue 14."""
    form = ws.forms["child_check"]
    object.__setattr__(form, "retired", False)
    try:
        return ws.services.save(
            "child_check",
            {
                "exam_date": day.isoformat(),
                "weight": "9",
                "length_height": "75",
                "development": "1",
            },
            rid,
            today=TODAY,
        )
    finally:
        object.__setattr__(form, "retired", True)


def items(ws, rid: int, start: D, end: D, recompute: bool = False):
    get = ws.worklist.recompute_items if recompute else ws.worklist.items
    return {
        (i.due.label, i.due.form_id, i.status)
        for i in get(start, end, TODAY, view=ALL_VIEW)
        if i.resident["id"] == rid
    }


# ---- the band forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_id", "birth", "right"),
    [
        ("child_check_infant", D(2025, 9, 1), "《1～2岁儿童健康检查记录表》"),
        ("child_check_infant", D(2023, 1, 1), "《3～6岁儿童健康检查记录表》"),
        ("child_check_toddler", D(2026, 5, 1), "《1岁以内儿童健康检查记录表》"),
        ("child_check_preschool", D(2025, 1, 1), "《1～2岁儿童健康检查记录表》"),
    ],
)
def test_a_check_on_the_wrong_bands_form_is_refused_naming_the_right_one(ws, form_id, birth, right):
    rid = child(ws, "小红", birth)
    with pytest.raises(ValidationFailed) as refused:
        check(ws, form_id, rid, D(2026, 11, 2))
    assert right in refused.value.errors["exam_date"]
    assert ws.store.conn.execute("SELECT count(*) FROM service_records").fetchone()[0] == 0


def test_the_picker_offers_the_band_of_the_childs_age_and_never_the_retired_form(ws):
    rid = child(ws, "小明", D(2025, 9, 1))  # 14 months on 2026-11-02
    offered = {f.id for f in ws.services.applicable_forms(rid, D(2026, 11, 2))}
    assert "child_check_toddler" in offered
    assert not offered & {"child_check_infant", "child_check_preschool", "child_check"}
    with pytest.raises(ValidationFailed) as refused:
        ws.services.save(
            "child_check",
            {"exam_date": "2026-11-02", "weight": "9", "length_height": "75", "development": "1"},
            rid,
            today=TODAY,
        )
    assert "已停用" in refused.value.errors["exam_date"]


def test_items_of_some_columns_only_are_refused_at_other_ages(ws):
    rid = child(ws, "小兰", D(2026, 7, 20))  # 3 months on 2026-11-02: no 听力, no 血红蛋白
    with pytest.raises(ValidationFailed) as refused:
        check(ws, "child_check_infant", rid, D(2026, 11, 2), hearing="1", haemoglobin="120")
    assert refused.value.errors["hearing"] == "听力：只在6月龄检查时填写"
    assert "6～8月龄" in refused.value.errors["haemoglobin"]
    saved = check(ws, "child_check_infant", rid, D(2026, 11, 2), dev_3m=["4"])
    assert [(o.id, o.referral) for o in saved.outcomes] == [("development", "suggested")]


# ---- the worklist -------------------------------------------------------------------------


def test_every_check_is_on_the_worklist_from_registration(ws):
    birth = D(2026, 11, 10)
    rid = child(ws, "新生", birth)
    got = items(ws, rid, birth, D(2033, 12, 31))
    labels = {label for label, _, _ in got}
    checks = ["满月", *(f"{m}月龄" for m in (3, 6, 8, 12, 18, 24, 30, 36)), "4岁", "5岁", "6岁"]
    assert {f"儿童健康检查（{c}）" for c in checks} <= labels
    assert {f"儿童中医药健康管理（{m}月龄）" for m in (6, 12, 18, 24, 30, 36)} <= labels
    assert "新生儿家庭访视（出院7天内）" in labels
    forms = {label: form for label, form, _ in got}
    assert forms["儿童健康检查（满月）"] == "child_check_infant"
    assert forms["儿童健康检查（12月龄）"] == "child_check_toddler"
    assert forms["儿童健康检查（36月龄）"] == "child_check_preschool"
    assert got == items(ws, rid, birth, D(2033, 12, 31), recompute=True)


def test_a_record_closes_its_check_and_the_tcm_row_closes_the_tcm_guidance(ws):
    birth = D(2026, 4, 15)
    rid = child(ws, "小芳", birth)
    window = (D(2026, 10, 1), D(2026, 11, 30))
    before = items(ws, rid, *window)
    assert ("儿童健康检查（6月龄）", "child_check_infant", "逾期") in before
    assert ("儿童中医药健康管理（6月龄）", "tcm_child", "逾期") in before
    check(ws, "child_check_infant", rid, D(2026, 10, 20), tcm_guidance=["1", "3"])
    after = items(ws, rid, *window)
    assert ("儿童健康检查（6月龄）", "child_check_infant", "已访") in after
    assert ("儿童中医药健康管理（6月龄）", "tcm_child", "已访") in after
    assert after == items(ws, rid, *window, recompute=True)


def test_an_old_one_form_check_still_closes_its_window(ws):
    rid = child(ws, "小军", D(2026, 2, 10))
    old_check(ws, rid, D(2026, 8, 20))  # 6 months: 08-10 … 09-09
    got = items(ws, rid, D(2026, 8, 1), D(2026, 9, 30))
    assert ("儿童健康检查（6月龄）", "child_check_infant", "已访") in got
    assert got == items(ws, rid, D(2026, 8, 1), D(2026, 9, 30), recompute=True)


def test_the_newborn_window_runs_to_7_days_after_the_discharge(ws):
    assert newborn_window(D(2026, 10, 1), None, 7, 42) == (D(2026, 10, 1), D(2026, 10, 8))
    assert newborn_window(D(2026, 10, 1), D(2026, 10, 20), 7, 42)[1] == D(2026, 10, 27)
    assert newborn_window(D(2026, 10, 1), D(2026, 11, 5), 7, 42)[1] == D(2026, 11, 12)
    birth = D(2026, 10, 1)
    rid = child(ws, "晚出院", birth)
    label = "新生儿家庭访视（出院7天内）"
    assert (label, "newborn_visit", "逾期") in items(ws, rid, birth, D(2026, 11, 30))
    ws.services.save(
        "newborn_visit",
        {
            "visit_date": "2026-10-25",
            "discharged_date": "2026-10-20",
            "weight": "3.4",
            "feeding": "1",
            "temperature": "36.8",
            "jaundice": "1",
            "umbilical_cord": "2",
        },
        rid,
        today=TODAY,
        confirm=True,
    )
    got = items(ws, rid, birth, D(2026, 11, 30))
    assert (label, "newborn_visit", "已访") in got
    assert got == items(ws, rid, birth, D(2026, 11, 30), recompute=True)


# ---- child.system -------------------------------------------------------------------------


def test_required_checks_follow_the_schedule_up_to_4_2_2(ws):
    points = check_points(ws.forms)
    birth = D(2025, 1, 10)
    assert required_by_year(birth, points, D(2025, 2, 5), (4, 2, 2)) == [0, 0, 0]
    assert required_by_year(birth, points, D(2025, 2, 9), (4, 2, 2)) == [1, 0, 0]  # 满月 ended
    assert required_by_year(birth, points, D(2026, 3, 31), (4, 2, 2)) == [4, 1, 0]
    assert required_by_year(birth, points, D(2027, 12, 31), (4, 2, 2)) == [4, 2, 2]


def test_child_system_on_a_hand_built_station(ws):
    # window 2026 Q3 (year to date: 2026-01-01 … 2026-09-30)
    full = child(ws, "四次", D(2025, 6, 1))  # 15 months: needs 4 + 1 (12 months)
    for day in (D(2025, 6, 30), D(2025, 9, 5), D(2025, 12, 5), D(2026, 2, 3)):
        check(ws, "child_check_infant", full, day)
    check(ws, "child_check_toddler", full, D(2026, 6, 10))
    short = child(ws, "缺一次", D(2025, 6, 1))  # the 12-month check missed
    for day in (D(2025, 6, 30), D(2025, 9, 5), D(2025, 12, 5), D(2026, 2, 3)):
        check(ws, "child_check_infant", short, day)
    old = child(ws, "旧表", D(2026, 7, 1))  # 满月 on the retired form
    old_check(ws, old, D(2026, 7, 30))
    none = child(ws, "未检", D(2026, 6, 1))  # 满月 and 3 months missed
    child(ws, "四岁", D(2022, 5, 1))  # not under 3
    got = Indicators(ws.store, ws.forms, TEMPLATE, None).compute(Period(2026, 3))["child.system"]
    assert got.numerator == {full, old}
    assert got.denominator == {full, short, old, none}
    assert got.value().numerator == 2 and got.value().denominator == 4
    ref = reference_compute(ws.store, ws.forms, TEMPLATE, None, Period(2026, 3))["child.system"]
    assert (ref.numerator, ref.denominator) == (got.numerator, got.denominator)
    managed = Indicators(ws.store, ws.forms, TEMPLATE, None).compute(Period(2026, 3))
    assert {full, old} <= managed["child.managed"].numerator  # band and retired forms


def test_the_line_lists_have_the_band_forms_records(ws):
    from ygt_desktop.reports.line_lists_export import build

    rid = child(ws, "花名册", D(2026, 1, 5))
    check(ws, "child_check_infant", rid, D(2026, 7, 10))
    lists = build(ws, Period(2026, 3))
    infant = [x for x in lists if x.sheet == ws.forms["child_check_infant"].label]
    assert len(infant) == 1 and len(infant[0].rows) == 1


def test_a_bureau_imports_a_station_workbook_with_child_system(tmp_path, forms):
    from tests.bureau_helpers import (
        bureau_workspace,
        import_files,
        station_report,
        with_value,
        write_station,
    )
    from ygt_desktop.storage.submissions import ACCEPTED

    report = with_value(station_report(1), "child.system", 45, 60)
    path = write_station(report, tmp_path / "usb")
    for bureau in bureau_workspace(tmp_path / "bureau", forms):
        result = import_files(bureau, path)
        assert [r.outcome for r in result.results] == [ACCEPTED]
        row = bureau.store.conn.execute(
            "SELECT numerator, denominator, value FROM bureau_rows WHERE indicator = 'child.system'"
        ).fetchone()
        assert row == (45, 60, 75.0)


def test_tcm_child_counts_the_tcm_row_of_a_check(ws):
    row = child(ws, "有中医", D(2026, 1, 5))
    check(ws, "child_check_infant", row, D(2026, 7, 10), tcm_guidance=["1", "3"])
    bare = child(ws, "无中医", D(2026, 1, 6))
    check(ws, "child_check_infant", bare, D(2026, 7, 10))
    sheet = child(ws, "单页", D(2026, 1, 7))
    ws.services.save(
        "tcm_child", {"service_date": "2026-07-12", "guidance": ["1", "2", "3"]}, sheet, today=TODAY
    )
    got = Indicators(ws.store, ws.forms, TEMPLATE, None).compute(Period(2026, 3))["tcm.child"]
    assert got.numerator == {row, sheet}
    ref = reference_compute(ws.store, ws.forms, TEMPLATE, None, Period(2026, 3))["tcm.child"]
    assert ref.numerator == got.numerator
