"""Repeating groups in form files (issue 13): ``type = "rows"`` with its columns, the
row checks and the bounds, loaded and applied by the form engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ygt_desktop.core.forms import FormDef, FormFileError, load_form

HEAD = """
[form]
id = "visit"
title = "随访"
version = 1
kind = "service"
table = "f_visit"
date_field = "visit_date"

[[fields]]
id = "visit_date"
label = "随访日期"
type = "date"
required = true
"""

MEDICINES = """
[[fields]]
id = "medicines"
label = "用药情况"
type = "rows"
max_rows = 3
carry = true
group = "用药情况"

  [[fields.columns]]
  id = "name"
  label = "药物名称"
  type = "text"
  required = true
  max_length = 40

  [[fields.columns]]
  id = "times"
  label = "每日次数"
  type = "int"
  unit = "次"
  min = 1
  max = 24

  [[fields.columns]]
  id = "dose"
  label = "每次剂量"
  type = "decimal"
  min = 0
  max = 10000

  [[fields.columns]]
  id = "unit"
  label = "单位"
  type = "choice"
  choices = [{ code = "mg", label = "mg" }, { code = "片", label = "片" }]

  [[fields.row_checks]]
  field = "unit"
  when = "not empty(dose) and empty(unit)"
  message = "填写了每次剂量，请选择单位"
"""


def form(tmp_path: Path, body: str = MEDICINES) -> FormDef:
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_form(path)


def test_a_rows_field_is_loaded_with_its_columns_and_is_no_column_of_its_own(tmp_path):
    f = form(tmp_path)
    meds = f.field("medicines")
    assert meds.is_rows and meds.carry and meds.max_rows == 3
    assert [c.id for c in meds.columns] == ["name", "times", "dose", "unit"]
    assert meds.column["times"].unit == "次"
    assert [x.id for x in f.stored_fields] == ["visit_date"]
    assert [x.id for x in f.row_fields] == ["medicines"]
    assert "medicines" not in f.to_sql({"visit_date": None, "medicines": []})


def test_rows_are_parsed_cell_by_cell_and_blank_lines_left_out(tmp_path):
    f = form(tmp_path)
    result = f.process(
        {
            "visit_date": "2026-11-20",
            "medicines": [
                {"name": " 硝苯地平缓释片 ", "times": "2", "dose": "10", "unit": "mg"},
                {"name": "", "times": None, "dose": "  "},
                {"name": "二甲双胍", "times": "3"},
            ],
        }
    )
    assert result.ok, result.errors
    assert result.values["medicines"] == [
        {"name": "硝苯地平缓释片", "times": 2, "dose": 10.0, "unit": "mg"},
        {"name": "二甲双胍", "times": 3, "dose": None, "unit": None},
    ]
    assert f.field("medicines").field_type.display(
        result.values["medicines"], f.field("medicines")
    ) == ("硝苯地平缓释片 2次 10 mg；二甲双胍 3次")


def test_a_row_without_a_name_or_with_a_dose_and_no_unit_is_refused_with_its_line(tmp_path):
    f = form(tmp_path)
    result = f.process(
        {
            "visit_date": "2026-11-20",
            "medicines": [
                {"name": "硝苯地平", "times": "2", "dose": "10", "unit": "mg"},
                {},  # a blank line still counts in the numbering the user sees
                {"times": "2", "dose": "5", "unit": "片"},
                {"name": "阿司匹林", "dose": "100"},
            ],
        }
    )
    assert result.errors == {"medicines": "用药情况第3行：请填写药物名称（另有1行有误）"}
    assert result.cells == {
        "medicines": {(3, "name"): "请填写药物名称", (4, "unit"): "填写了每次剂量，请选择单位"}
    }


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ({"name": "甲", "times": "0"}, "每日次数"),
        ({"name": "甲", "times": "两次"}, "每日次数"),
        ({"name": "甲", "dose": "-1", "unit": "mg"}, "每次剂量"),
        ({"name": "甲", "dose": "1e400", "unit": "mg"}, "每次剂量"),
        ({"name": "甲", "unit": "支"}, "单位"),
        ({"name": "甲" * 41}, "药物名称最多40个字"),
    ],
)
def test_each_cell_is_checked_by_its_column(tmp_path, cell, words):
    result = form(tmp_path).process({"visit_date": "2026-11-20", "medicines": [cell]})
    assert result.errors["medicines"].startswith("用药情况第1行：")
    assert words in result.errors["medicines"]


def test_too_many_rows_and_a_required_group_without_rows(tmp_path):
    f = form(tmp_path)
    four = [{"name": f"药{i}"} for i in range(4)]
    assert f.process({"visit_date": "2026-11-20", "medicines": four}).errors == {
        "medicines": "用药情况最多3行，现为4行"
    }
    required = form(tmp_path, MEDICINES.replace("max_rows = 3", "max_rows = 3\nrequired = true"))
    assert required.process({"visit_date": "2026-11-20", "medicines": [{}]}).errors == {
        "medicines": "请填写用药情况（至少一行）"
    }


@pytest.mark.parametrize("given", ["硝苯地平", 5, {"name": "x"}, ["x"], [{"colour": "红"}]])
def test_what_is_not_rows_is_refused_in_chinese(tmp_path, given):
    result = form(tmp_path).process({"visit_date": "2026-11-20", "medicines": given})
    assert "用药情况" in result.errors["medicines"]
    assert result.values["medicines"] == []


def test_an_irrelevant_group_keeps_no_rows_and_no_errors(tmp_path):
    body = MEDICINES.replace('group = "用药情况"', 'group = "用药情况"\nrelevant = "taking"')
    body = '\n[[fields]]\nid = "taking"\nlabel = "服药"\ntype = "bool"\n' + body
    f = form(tmp_path, body)
    result = f.process({"visit_date": "2026-11-20", "taking": "否", "medicines": [{"times": "99"}]})
    assert result.ok and result.values["medicines"] == [] and result.cells == {}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (MEDICINES.replace("max_rows = 3", "max_rows = 0"), "max_rows 应为正整数"),
        (MEDICINES.split("  [[fields.columns]]")[0], "需要 [[fields.columns]]"),
        (MEDICINES.replace('field = "unit"', 'field = "colour"'), "栏目 colour 不存在"),
        (MEDICINES.replace("empty(unit)", "empty(colour)"), "不存在的栏目 colour"),
        (MEDICINES.replace('type = "int"', 'type = "rows"'), "rows 类型不能有 min"),
        (MEDICINES.replace("max_length = 40", 'max_length = 40\nrelevant = "1"'), "relevant"),
        (MEDICINES.replace("carry = true", 'carry = true\nunit = "mg"'), "不能有 unit"),
        (
            '\n[[fields]]\nid = "note"\nlabel = "备注"\ntype = "text"\nmax_rows = 2\n',
            "只有 rows 类型",
        ),
    ],
)
def test_a_malformed_rows_field_names_file_field_and_problem(tmp_path, body, words):
    with pytest.raises(FormFileError) as caught:
        form(tmp_path, body)
    assert "visit.toml" in str(caught.value) and words in str(caught.value)
