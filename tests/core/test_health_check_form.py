"""健康体检表 (forms/elderly_exam.toml, issue 13): every bad input is refused naming
the field (and the line), the elderly items only for 65+, 妇科 only for women."""

from __future__ import annotations

from typing import Any

import pytest

from ygt_desktop.core.forms import FormDef, load_form
from ygt_desktop.paths import forms_dir, resources_dir

MAN_50 = {"sex": "1", "age_years": 50}
WOMAN_70 = {"sex": "2", "age_years": 70}


@pytest.fixture(scope="module")
def form() -> FormDef:
    return load_form(forms_dir() / "elderly_exam.toml", resources_dir() / "codes")


def base(**more: Any) -> dict[str, Any]:
    return {"exam_date": "2026-05-06", "sbp": "132", "dbp": "84", "abnormal": "1", **more}


ELDERLY = {"health_self_rating": "2", "self_care_score": "0", "cognition": "1", "emotion": "1"}


def test_the_form_is_the_national_exam_for_every_age(form):
    assert form.title == "健康体检表" and form.applies is None
    groups = list(dict.fromkeys(f.group for f in form.fields if f.group))
    paper = ["症状", "一般状况", "老年人生活自理能力评估", "认知功能和情感状态", "生活方式",
             "脏器功能", "查体", "妇科", "辅助检查", "现存主要健康问题", "住院治疗情况",
             "主要用药情况", "非免疫规划预防接种史", "健康评价", "健康指导"]  # fmt: skip
    assert groups == paper
    assert {f.id for f in form.row_fields} == {
        "occ_hazards", "hospital_stays", "family_beds", "medicines", "vaccinations"
    }  # fmt: skip
    for kept in ("labs_done", "fpg", "abnormal", "abnormal_detail", "self_care_level"):
        assert kept in form.by_id  # the old columns stay


def test_a_man_of_50_needs_no_elderly_items_and_they_are_dropped(form):
    result = form.process(base(), MAN_50)
    assert result.ok, result.errors
    result = form.process(base(**ELDERLY), MAN_50)
    assert result.ok and result.values["health_self_rating"] is None


def test_a_woman_of_70_needs_the_self_assessments(form):
    errors = form.process(base(), WOMAN_70).errors
    assert errors["health_self_rating"] == "请填写老年人健康状态自我评估"
    assert "cognition" in errors and "emotion" in errors and "self_care_level" in errors
    result = form.process(base(**ELDERLY, sc_meal="1"), WOMAN_70)
    assert result.errors["self_care_score"].startswith("生活自理能力逐项评估请五项都选")


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"temperature": "45"}, "temperature", "体温"),
        ({"heart_rate": "250"}, "heart_rate", "脉率"),
        ({"respiration": "5"}, "respiration", "呼吸频率"),
        ({"height": "300"}, "height", "身高"),
        ({"hb": "20"}, "hb", "血红蛋白"),
        ({"fpg": "40"}, "fpg", "空腹血糖"),
        ({"hba1c": "25"}, "hba1c", "糖化血红蛋白"),
        ({"vision_left": "5.5"}, "vision_left", "视力（左眼）"),
        ({"sbp": "120", "dbp": "120"}, "dbp", "左侧舒张压应低于收缩压"),
        ({"sbp_right": "118", "dbp_right": "130"}, "dbp_right", "右侧舒张压应低于收缩压"),
        ({"sbp_right": "118"}, "dbp_right", "右侧血压请收缩压和舒张压都填"),
        ({"tbil": "10", "dbil": "12"}, "dbil", "结合胆红素不能高于总胆红素"),
        ({"diet": ["1", "2"]}, "diet", "荤素均衡、荤食为主、素食为主只能选一项"),
        ({"smoking_status": "3", "smoke_start_age": "60"}, "smoke_start_age", "开始吸烟年龄"),
        ({"abnormal": "2"}, "abnormal_1", "健康评价有异常，请填写异常1"),
        ({"risk_control": ["5"]}, "weight_goal", "请填写减体重目标"),
        ({"occupational": "2"}, "occ_hazards", "请填写毒物种类"),
    ],
)
def test_bad_values_are_refused_naming_the_field(form, raw, field, message):
    errors = form.process(base(**raw), MAN_50).errors
    assert field in errors and message in errors[field], errors


@pytest.mark.parametrize("field", ["gyn_vulva", "gyn_cervix", "gyn_adnexa", "cervical_smear"])
def test_gynaecology_for_a_man_is_refused_not_dropped(form, field):
    errors = form.process(base(**{field: "1"}), MAN_50).errors
    assert errors[field].endswith("只适用于女性，男性居民不应填写")
    assert form.by_id[field].label in errors[field]
    ok = form.process(base(**ELDERLY, **{field: "1"}), WOMAN_70)
    assert ok.ok and ok.values[field] == "1"


def test_lines_are_checked_with_their_line_named(form):
    raw = base(
        medicines=[{"name": "二甲双胍片"}, {"route": "1", "dosage": "每日3次"}],
        vaccinations=[{"name": "流感疫苗", "date": "2026-05-07"}],
        hospital_stays=[{"admitted": "2026-06", "reason": "肺炎"},
                        {"admitted": "2026-03", "discharged": "2026-02", "reason": "骨折"}],
    )  # fmt: skip
    result = form.process(raw, MAN_50)
    assert result.errors["medicines"] == "主要用药情况第2行：请填写药物名称"
    assert result.errors["vaccinations"] == "非免疫规划预防接种史第1行：接种日期不能晚于体检日期"
    assert result.cells["hospital_stays"] == {
        (1, "admitted"): "入院时间不能晚于体检日期",
        (2, "discharged"): "出院时间不能早于入院时间",
    }


def test_ten_medicines_fit_and_the_month_is_typed_as_on_paper(form):
    meds = [{"name": f"药物{n}", "adherence": "1"} for n in range(12)]
    raw = base(medicines=meds, hospital_stays=[{"admitted": "2025年11月", "reason": "肺炎"}])
    result = form.process(raw, MAN_50)
    assert result.ok, result.errors
    assert len(result.values["medicines"]) == 12
    assert result.values["hospital_stays"][0]["admitted"] == "2025-11"
    too_many = form.process(base(medicines=meds * 2), MAN_50).errors["medicines"]
    assert too_many == "主要用药情况最多15行，现为24行"


def test_bmi_and_its_band_are_computed(form):
    values = form.process(base(height="160", weight="70"), MAN_50).values
    assert values["bmi"] == 27.3 and values["bmi_band"] == "3"


def test_normal_ranges_only_warn(form):
    result = form.process(base(hb="105", fpg="7.4", creatinine="100"), WOMAN_70 | {})
    assert "hb" not in result.errors and "fpg" not in result.errors
    fired = {o.id for o in form.evaluate_rules(result.values, WOMAN_70)}
    assert {"hb_range", "fpg_range", "kidney_range"} <= fired
    man = form.evaluate_rules(form.process(base(hb="130", creatinine="100"), MAN_50).values, MAN_50)
    assert not {o.id for o in man} & {"hb_range", "kidney_range"}
