"""core.plausibility: what a bureau refuses in ``_data`` whose digest matched (issue 11)."""

from __future__ import annotations

import pytest

from tests.reports.report_helpers import TEMPLATE, sample_report
from ygt_desktop.core.plausibility import number_problem, problems


def rows_with(code, n, d, v):
    return [r if r[3] != code else (*r[:4], n, d, v) for r in sample_report().data_rows()]


def test_a_genuine_report_is_plausible():
    assert problems(TEMPLATE, sample_report().data_rows()) == []


@pytest.mark.parametrize(
    "value, words",
    [(2**63, "超出合理范围"), (1e300, "超出合理范围"), (float("nan"), "有限"), (-1, "负数")],
)
def test_numbers_out_of_range(value, words):
    assert words in (number_problem(value) or "")


@pytest.mark.parametrize(
    "code, n, d, v, words",
    [
        ("htn.standard", 2100, 700, 300.0, "大于分母"),
        ("htn.standard", 412, 700, 60.0, "数值应为 412÷700×100 = 58.9"),
        ("tb.regular", 0, 0, 1.0, "数值应为空"),
        ("ref.up", -500, None, -500, "不能为负数"),
        ("ref.up", 12, 3, 12, "不应有分母"),
        ("ref.up", 12, None, 13, "数值应等于分子"),
        ("ehr.coverage", 4321, 5001, 86.4, "基础数据不一致"),
        ("eld.managed", 402, 9000, 4.5, "65岁及以上常住居民数"),
    ],
)
def test_each_problem_names_the_indicator(code, n, d, v, words):
    found = problems(TEMPLATE, rows_with(code, n, d, v))
    assert (
        found and any(code in p and words in p for p in found) or any(words in p for p in found)
    ), found


def test_an_aggregate_is_not_held_to_parts_within_wholes():
    rows = rows_with("eld.managed", 402, 9000, 4.5)
    rows = [r if r[3] != "tcm.elderly" else (*r[:4], 380, 9000, 4.2) for r in rows]
    assert problems(TEMPLATE, rows, aggregated=True) == []
    assert problems(TEMPLATE, rows)


def test_a_rate_over_a_base_figure_may_pass_100_percent_within_reason():
    """Demo stations with a handful of 0–36-month-olds report 5 of 4: the base figure is a
    typed estimate. Accepted with a notice; 300 of 100 is not."""
    from ygt_desktop.core.plausibility import notices

    small = rows_with("tcm.child", 5, 4, 125.0)
    assert problems(TEMPLATE, small) == []
    assert any("tcm.child" in n and "基础数据" in n for n in notices(TEMPLATE, small))
    assert any("远大于" in p for p in problems(TEMPLATE, rows_with("tcm.child", 300, 100, 300.0)))
    assert any("不可能" in p for p in problems(TEMPLATE, rows_with("tb.managed", 4, 3, 133.3)))
