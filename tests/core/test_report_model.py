"""Report data model: periods, rates, the template file, the digest test vector."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop.core.report_model import (
    IndicatorValue,
    Period,
    PeriodError,
    Report,
    TemplateError,
    digest,
    load_template,
    rate,
)
from ygt_desktop.paths import resources_dir

SPEC_CODES = set(
    """ehr.coverage ehr.use edu.print_kinds edu.print_copies edu.av_kinds
edu.av_times edu.board edu.lecture_times edu.lecture_people edu.consult_times
edu.consult_people child.newborn child.managed child.system mat.early mat.postpartum mat.sys eld.managed
htn.mgmt htn.standard htn.control dm.mgmt dm.standard dm.control smi.standard smi.mgmt tb.managed
tb.regular tcm.elderly tcm.child inf.report inf.timely sup.report sup.inspect fd.rate
fd.key fd.renew ref.up ref.down ref.followup eq.in_use eq.in_use_value""".split()
) | {
    # 预防接种 (issue 14): 建证率 and the first and last dose of each vaccine
    f"vac.{code}"
    for code in """cert rate.hepb1 rate.hepb3 rate.bcg rate.ipv1 rate.ipv2 rate.bopv3
rate.bopv4 rate.dtap1 rate.dtap4 rate.dt rate.mmr1 rate.mmr2 rate.jel1 rate.jel2 rate.jei1
rate.jei4 rate.mpsva1 rate.mpsva2 rate.mpsvac1 rate.mpsvac2 rate.hepal rate.hepai1
rate.hepai2""".split()
}
TEMPLATE = resources_dir() / "templates" / "quarterly_report.toml"


def test_digest_matches_the_spec_test_vector():
    rows = [
        ("530102001", "测试站", "2026Q3", "htn.standard", 60, 100, 60.0),
        ("530102001", "测试站", "2026Q3", "ref.up", 12, None, 12),
        ("530102001", "测试站", "2026Q3", "htn.control", 2, 3, 66.7),
    ]
    assert digest(rows) == "cb3a58e9936538e1539323fc0527d1b412a6fc807e3a95452911386edd3d1a8f"


@pytest.mark.parametrize(
    ("n", "d", "value"),
    [
        (2, 3, 66.7),
        (1, 3, 33.3),
        (1, 8, 12.5),
        (1, 16, 6.3),
        (0, 5, 0.0),
        (3, 0, None),
        (3, None, None),
        (5, 5, 100.0),
    ],
)
def test_rate_rounds_half_up_and_leaves_empty_for_no_denominator(n, d, value):
    assert rate(n, d) == value


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2024q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2026Q2", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2026Q4", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_period_window_is_year_to_date(text, start, end):
    p = Period.parse(text)
    assert (p.window_start, p.window_end) == (start, end)
    assert str(p) == text.upper()


@pytest.mark.parametrize("bad", ["2026Q5", "2026-3", "Q3", "26Q1", ""])
def test_bad_period_is_explained(bad):
    with pytest.raises(PeriodError, match="2026Q3"):
        Period.parse(bad)


def test_shipped_template_loads_with_the_spec_codes():
    t = load_template(TEMPLATE)
    codes = [i.code for i in t.indicators]
    assert len(codes) == len(set(codes))
    assert set(codes) == SPEC_CODES
    assert t.indicator("htn.standard").target == 60
    assert t.section("fd").sheet == "家医签约"


def test_template_with_an_unknown_code_is_refused(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(TemplateError, match="不会计算"):
        load_template(path, known_codes={"ehr.coverage"})


def test_data_rows_numbers_and_missing_base_figures():
    t = load_template(TEMPLATE)
    report = Report(
        "530102001",
        "测试站",
        "站",
        "530102",
        Period.parse("2026Q3"),
        t,
        {
            "htn.standard": IndicatorValue.of_rate("htn.standard", 60, 100),
            "ref.up": IndicatorValue.of_count("ref.up", 12),
            "ehr.coverage": IndicatorValue.of_rate(
                "ehr.coverage", 4321, None, missing="缺少基础数据：常住人口"
            ),
        },
    )
    rows = {r[3]: r for r in report.data_rows()}
    assert rows["htn.standard"][4:] == (60, 100, 60)
    assert rows["ref.up"][4:] == (12, None, 12)
    assert rows["ehr.coverage"][4:] == (4321, None, None)
    assert rows["dm.control"][4:] == (None, None, None)  # not computed: empty
    meta = report.meta()
    assert meta["window_end"] == "2026-09-30" and meta["digest"] == digest(report.data_rows())
