"""vac.cert 建证率 and vac.rate.<dose> 接种率 on a hand-built station (2026 Q3: the
window 2026-01-01 – 2026-09-30), numbers known by construction, with the children
behind numerator and denominator (the report's 名单)."""

from __future__ import annotations

from tests.storage.test_indicators import TEMPLATE, TODAY, person
from tests.storage.test_vaccine_doses import dose
from ygt_desktop.core.report_model import Period
from ygt_desktop.storage.indicators import Indicators


def counted(ws, *codes):
    ix = Indicators(ws.store, ws.forms, TEMPLATE, {})
    return ix.compute(Period.parse("2026Q3"), codes)


def certificate(ws, rid, day):
    ws.services.save(
        "vaccination", {"certificate_date": day, "certificate_no": "X1"}, rid, today=TODAY
    )


def test_certificates(ws):
    on_time = person(ws, "按时", "2026-02-10")  # due 2026-03-10, made in time
    late = person(ws, "补证", "2026-03-05")  # due 2026-04-05, made in July
    none = person(ws, "未建证", "2026-05-20")  # due 2026-06-20, none
    person(ws, "下季度", "2026-09-15")  # due 2026-10-15: not in the window
    person(ws, "去年", "2025-11-20")  # due 2025-12-20: not in the window
    certificate(ws, on_time, "2026-02-20")
    certificate(ws, late, "2026-07-01")
    got = counted(ws, "vac.cert")["vac.cert"]
    assert got.denominator == {on_time, late, none}
    assert got.numerator == {on_time, late}
    assert got.value().numerator == 2 and got.value().denominator == 3
    assert got.gap() == {none}


def test_dose_rates_by_the_cohort_due(ws):
    # HepB 3 is due before 12 months: children born 2025-01-01 … 2025-09-30 close it in Q1–Q3
    full = person(ws, "全程", "2025-02-01")
    caught_up = person(ws, "补种", "2025-03-01")
    missing = person(ws, "未种", "2025-04-01")
    young = person(ws, "太小", "2026-01-05")  # due next year
    for rid, born in ((full, "2025-02-01"), (caught_up, "2025-03-01"), (missing, "2025-04-01")):
        dose(ws, rid, "hepb1", born)
    dose(ws, full, "hepb2", "2025-03-05")
    dose(ws, full, "hepb3", "2025-08-05")
    dose(ws, caught_up, "hepb2", "2025-04-05")
    dose(ws, caught_up, "hepb3", "2026-06-15")  # after 12 months: still counted
    dose(ws, young, "hepb1", "2026-01-05")
    got = counted(ws, "vac.rate.hepb3", "vac.rate.hepb1", "vac.rate.jel1", "vac.rate.jei1")
    hepb3 = got["vac.rate.hepb3"]
    assert hepb3.denominator == {full, caught_up, missing}
    assert hepb3.numerator == {full, caught_up}
    # hepb1 is due the day after birth: only the child born in the window
    assert got["vac.rate.hepb1"].denominator == {young}
    assert got["vac.rate.hepb1"].numerator == {young}
    # JE live by default: 12 months closes in the window for the 2025 cohort
    assert got["vac.rate.jel1"].denominator == {full, caught_up, missing}
    assert got["vac.rate.jei1"].denominator == set()


def test_the_template_reports_first_and_last_doses():
    codes = [i.code for i in TEMPLATE.indicators if i.code.startswith("vac.")]
    assert codes[0] == "vac.cert"
    assert {"vac.rate.hepb1", "vac.rate.hepb3", "vac.rate.bcg", "vac.rate.bopv4"} <= set(codes)
    assert "vac.rate.hepb2" not in codes
