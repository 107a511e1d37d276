"""The ``month`` field type (issue 13): a year and month as the paper forms print 年/月,
typed the ways clerks type it, kept as ``"YYYY-MM"``, compared with dates through
``month_of`` in expressions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop.core.dates import DateError, month_of, parse_month
from ygt_desktop.core.forms import FormDef, load_form

FORM = """
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

[[fields]]
id = "diagnosed"
label = "确诊时间"
type = "month"
not_future = true

[[fields]]
id = "stays"
label = "住院史"
type = "rows"
max_rows = 2

  [[fields.columns]]
  id = "admitted"
  label = "入院时间"
  type = "month"
  required = true

  [[fields.row_checks]]
  field = "admitted"
  when = "not empty(admitted) and admitted > month_of(visit_date)"
  message = "入院时间不能晚于随访日期所在月"
"""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("2019-03", "2019-03"),
        ("2019-3", "2019-03"),
        ("2019.3", "2019-03"),
        ("2019/12", "2019-12"),
        ("201903", "2019-03"),
        ("2019年3月", "2019-03"),
        (" 2019 年 3 月 ", "2019-03"),
    ],
)
def test_typed_months_are_kept_as_year_dash_month(typed, kept):
    assert parse_month(typed) == kept


@pytest.mark.parametrize(
    ("typed", "words"),
    [("2019-13", "月份应为 1–12"), ("2019-00", "月份应为 1–12"), ("19-3", "YYYY-MM"),
     ("2019-03-05", "YYYY-MM"), ("abc", "YYYY-MM"), ("20193", "YYYY-MM")],
)  # fmt: skip
def test_what_is_not_a_month_is_refused_in_chinese(typed, words):
    with pytest.raises(DateError, match=words):
        parse_month(typed)


def test_month_of_a_date():
    assert month_of(dt.date(2026, 1, 31)) == "2026-01"


def form(tmp_path: Path) -> FormDef:
    path = tmp_path / "visit.toml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


def test_a_month_field_parses_checks_and_displays(tmp_path):
    f = form(tmp_path)
    field = f.field("diagnosed")
    assert field.field_type.sql_type == "TEXT"
    ok = f.process({"visit_date": "2026-11-20", "diagnosed": "2015.7"})
    assert ok.ok, ok.errors
    assert ok.values["diagnosed"] == "2015-07"
    assert field.field_type.display("2015-07", field) == "2015-07"
    bad = f.process({"visit_date": "2026-11-20", "diagnosed": "2015-14"})
    assert "确诊时间" in bad.errors["diagnosed"] and "1–12" in bad.errors["diagnosed"]
    future = dt.date.today().year + 1
    late = f.process({"visit_date": "2026-11-20", "diagnosed": f"{future}-01"})
    assert "不能晚于本月" in late.errors["diagnosed"]
    old = f.process({"visit_date": "2026-11-20", "diagnosed": "1700-01"})
    assert "不合理" in old.errors["diagnosed"]


def test_a_month_cell_is_compared_with_a_date_through_month_of(tmp_path):
    f = form(tmp_path)
    fine = f.process({"visit_date": "2026-11-20", "stays": [{"admitted": "2026-11"}]})
    assert fine.ok, fine.errors
    late = f.process({"visit_date": "2026-11-20", "stays": [{"admitted": "2026-12"}]})
    assert not late.ok
    assert "入院时间不能晚于随访日期所在月" in str(late.cells or late.errors)
