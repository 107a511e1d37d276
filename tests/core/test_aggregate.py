"""Aggregation (spec exchange.md, issue 6): numerators and denominators are summed per
indicator and each rate recomputed from the sums — never an average of the members'
rates —; counts are summed exactly; a member without a denominator is left out of that
rate and the row says so; ranking shares ranks on equal values; the deadline."""

from __future__ import annotations

import datetime as dt

from tests.reports.report_helpers import TEMPLATE
from ygt_desktop.core.aggregate import MemberFigures, aggregate, deadline, ranking
from ygt_desktop.core.report_model import Period


def member(code: str, **values) -> MemberFigures:
    return MemberFigures(code, f"站{code[-1]}", 1, values)


def test_rates_are_recomputed_from_summed_numerators_and_denominators():
    members = [
        member("530102001", **{"htn.standard": (1, 2, 50.0)}),  # 50 %
        member("530102002", **{"htn.standard": (90, 100, 90.0)}),  # 90 %
    ]
    v = aggregate(TEMPLATE, members)["htn.standard"]
    # By hand: (1 + 90) / (2 + 100) = 91 / 102 = 89.215… → 89.2; the mean of rates is 70.
    assert (v.numerator, v.denominator, v.value, v.missing) == (91, 102, 89.2, None)


def test_half_up_rounding_of_the_recomputed_rate():
    members = [
        member("530102001", **{"dm.control": (1, 8, 12.5)}),
        member("530102002", **{"dm.control": (0, 8, 0.0)}),
    ]
    assert aggregate(TEMPLATE, members)["dm.control"].value == 6.3  # 1/16 = 6.25 → 6.3


def test_counts_are_summed_exactly():
    members = [
        member("530102001", **{"eq.in_use_value": (0.1, None, 0.1), "ref.up": (12, None, 12)}),
        member("530102002", **{"eq.in_use_value": (0.2, None, 0.2), "ref.up": (3, None, 3)}),
    ]
    out = aggregate(TEMPLATE, members)
    assert (out["eq.in_use_value"].numerator, out["eq.in_use_value"].value) == (0.3, 0.3)
    assert (out["ref.up"].numerator, out["ref.up"].denominator, out["ref.up"].value) == (
        15,
        None,
        15,
    )


def test_a_member_without_a_denominator_is_left_out_of_that_rate():
    members = [
        member("530102001", **{"child.managed": (40, 50, 80.0)}),
        member("530102002", **{"child.managed": (412, None, None)}),
        member("530102003", **{"child.managed": (30, 50, 60.0)}),
    ]
    v = aggregate(TEMPLATE, members)["child.managed"]
    assert (v.numerator, v.denominator, v.value) == (70, 100, 70.0)
    assert v.missing == "1 个成员机构缺少分母（基础数据），未计入"


def test_no_denominator_anywhere_gives_no_rate():
    members = [
        member("530102001", **{"child.managed": (4, None, None)}),
        member("530102002", **{"child.managed": (5, None, None)}),
    ]
    v = aggregate(TEMPLATE, members)["child.managed"]
    assert (v.numerator, v.denominator, v.value) == (9, None, None)
    assert "均缺少分母" in v.missing


def test_zero_denominators_give_no_rate_and_nothing_at_all_gives_empty_rows():
    members = [member("530102001", **{"tb.regular": (0, 0, None)})]
    out = aggregate(TEMPLATE, members)
    assert (
        out["tb.regular"].numerator,
        out["tb.regular"].denominator,
        out["tb.regular"].value,
    ) == (0, 0, None)
    assert (out["htn.control"].numerator, out["htn.control"].value) == (None, None)
    assert set(out) == {i.code for i in TEMPLATE.indicators}


def test_ranking_best_first_ties_share_a_rank_missing_last():
    members = [
        member("530102001", **{"htn.control": (1, 2, 50.0)}),
        member("530102002", **{"htn.control": (9, 10, 90.0)}),
        member("530102003", **{"htn.control": (5, 10, 50.0)}),
        member("530102004", **{"htn.control": (1, None, None)}),
        member("530102005", **{"htn.control": (1, 4, 25.0)}),
    ]
    ranked = ranking(TEMPLATE, members)["htn.control"]
    assert [(r.rank, r.org_code[-1]) for r in ranked] == [
        (1, "2"),
        (2, "1"),
        (2, "3"),
        (4, "5"),
        (None, "4"),
    ]
    assert "ref.up" not in ranking(TEMPLATE, members)  # counts are not ranked


def test_deadline_is_the_tenth_of_the_month_after_the_quarter():
    assert deadline(Period.parse("2026Q3")) == dt.date(2026, 10, 10)
    assert deadline(Period.parse("2026Q4")) == dt.date(2027, 1, 10)
    assert deadline(Period.parse("2026Q1"), 31) == dt.date(2026, 4, 30)
