"""The 健康体检表 prints readably (issue 13): its sections in paper order, lines as
tables, and no irrelevant field as an empty row — a man's 妇科, an under-65's
self-assessments, a follow-up's legacy 用药情况 text when the record has none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from ygt_desktop.reports.record_pdf import render_record

DAY = dt.date(2026, 5, 6)


def person(sex: str, birth: str) -> dict[str, Any]:
    return {"name": "王建国", "sex": sex, "birth_date": birth, "id_number": None,
            "archive_no": "53010200100100001"}  # fmt: skip


def exam(form: Any, sex: str, age: int, **more: Any) -> dict[str, Any]:
    raw = {
        "exam_date": DAY.isoformat(), "sbp": "132", "dbp": "84", "height": "168",
        "weight": "70", "abnormal": "1", "health_self_rating": "1", "self_care_score": "0",
        "cognition": "1", "emotion": "1",
        "medicines": [{"name": "苯磺酸氨氯地平片", "route": "1", "dosage": "每日1次 每次5mg",
                       "adherence": "1"}],
        "vaccinations": [{"name": "流感疫苗", "date": "2025-11-02", "institution": "卫生院"}],
        **more,
    }  # fmt: skip
    result = form.process(raw, {"sex": sex, "age_years": age})
    assert result.ok, result.errors
    return result.values


def text_of(form: Any, values: dict[str, Any], who: dict[str, Any], out: Path) -> str:
    warnings = render_record(
        form, values, out, org_name="测试卫生室", resident=who, header=None, printed_on=DAY
    )
    assert warnings == []
    return "".join(page.extract_text() for page in PdfReader(out).pages).replace(" ", "")


def test_a_man_of_50_prints_no_gynaecology_and_no_elderly_assessment(ws, tmp_path):
    form = ws.forms["elderly_exam"]
    values = exam(form, "1", 50)
    text = text_of(form, values, person("1", "1976-01-01"), tmp_path / "m.pdf")
    for expected in ("健康体检表", "一般状况", "辅助检查", "主要用药情况", "药物名称",
                     "苯磺酸氨氯地平片", "非免疫规划预防接种史", "流感疫苗", "健康评价"):  # fmt: skip
        assert expected in text, expected
    for absent in ("妇科", "外阴", "宫颈涂片", "生活自理能力", "认知功能", "旧记录"):
        assert absent not in text, absent
    assert text.index("一般状况") < text.index("辅助检查") < text.index("主要用药情况")


def test_a_woman_of_70_prints_gynaecology_and_the_self_assessments(ws, tmp_path):
    form = ws.forms["elderly_exam"]
    values = exam(form, "2", 70, gyn_cervix="1")
    text = text_of(form, values, person("2", "1955-03-01"), tmp_path / "f.pdf")
    for expected in ("妇科：宫颈", "生活自理能力", "老年人认知功能"):
        assert expected in text, expected


def test_a_followup_without_legacy_text_does_not_print_it(ws, tmp_path):
    form = ws.forms["htn_followup"]
    values = form.process(
        {"visit_date": DAY.isoformat(), "visit_method": "1", "sbp": "130", "dbp": "80",
         "adherence": "1", "visit_class": "1"},
        {"sex": "1", "age_years": 60, "has_htn": True},
    ).values  # fmt: skip
    text = text_of(form, values, person("1", "1966-01-01"), tmp_path / "h.pdf")
    assert "用药情况（文字，旧记录）" not in text and "旧记录" not in text
    values["medication"] = "硝苯地平 10mg bid"
    text = text_of(form, values, person("1", "1966-01-01"), tmp_path / "h2.pdf")
    assert "硝苯地平10mgbid" in text
