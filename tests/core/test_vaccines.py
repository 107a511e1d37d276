"""The 2021 national schedule as data (resources/schedules/nip2021.toml) and each dose's
state (core/vaccines.py): done / due / overdue / not yet / no catch-up, the month ends
and leap days of the ages, catch-up that never restarts a series, the refusals (same
dose twice, a completed series) and the warnings naming the rule broken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop.core import vaccines as vac
from ygt_desktop.paths import resources_dir

D = dt.date


@pytest.fixture(scope="module")
def nip() -> vac.Schedule:
    return vac.load(resources_dir() / "schedules" / "nip2021.toml")


def states(nip, birth, given, on, choice=None):
    return {s.dose.id: s for s in vac.plan(nip, birth, given, on, choice)}


def test_every_dose_of_the_2021_table(nip):
    # the places of the 2021 table (not the products given instead, nor the variants' doses)
    assert [d.id for d in nip.doses if d.main and d.variant is None] == [
        "hepb1", "hepb2", "hepb3", "bcg", "ipv1", "ipv2", "bopv3", "bopv4",
        "dtap1", "dtap2", "dtap3", "dtap4", "dt", "mmr1", "mmr2", "jel1", "jel2",
        "jei1", "jei2", "jei3", "jei4", "mpsva1", "mpsva2", "mpsvac1", "mpsvac2",
        "hepal", "hepai1", "hepai2",
    ]  # fmt: skip
    by = nip.by_id
    assert by["bopv3"].label == "脊灰减毒活疫苗第3剂"  # polio numbered across products
    assert by["bcg"].label == "卡介苗"
    assert by["mmr1"].vaccine.live and by["mmr1"].vaccine.route == "皮下注射"
    assert not by["bopv3"].vaccine.injected


def test_newborn_on_a_leap_day(nip):
    birth = D(2024, 2, 29)
    got = states(nip, birth, {}, birth)
    assert got["hepb1"].state == vac.DUE and got["hepb1"].by == D(2024, 3, 1)
    assert got["bcg"].state == vac.DUE and got["bcg"].by == D(2024, 5, 28)
    assert got["hepb2"].state == vac.UPCOMING and got["hepb2"].note == "需先接种乙肝疫苗第1剂"
    # 12 full months are reached on 1 March (as age_months counts): 12月龄内 ends 28 Feb
    assert got["hepb3"].by == D(2025, 2, 28)
    assert got["ipv1"].earliest == D(2024, 4, 29)
    # the alternatives not used by default (inactivated JE / HepA) are not in the plan
    assert "jei1" not in got and "hepai1" not in got and "jel1" in got


def test_month_end_birth(nip):
    birth = D(2025, 1, 31)
    got = states(nip, birth, {"hepb1": birth}, D(2025, 3, 1))
    # one full month: 1 March (February has no 31st); 28 days after hepb1 is earlier
    assert got["hepb2"].earliest == D(2025, 3, 1)
    assert got["hepb2"].state == vac.DUE


def test_due_overdue_and_catch_up_keep_the_doses_given(nip):
    birth = D(2024, 1, 10)
    given = {"hepb1": birth, "bcg": D(2024, 1, 11), "hepb2": D(2024, 2, 20)}
    on = D(2025, 3, 1)  # 13 months: the 12月龄 doses are late
    got = states(nip, birth, given, on)
    assert got["hepb1"].state == got["hepb2"].state == vac.DONE
    assert got["hepb3"].state == vac.OVERDUE  # 补种 the third dose, not a new series
    assert got["hepb3"].earliest == D(2024, 7, 10)
    assert got["dtap1"].state == vac.OVERDUE and got["dtap2"].state == vac.UPCOMING
    late = [s.dose.id for s in vac.catch_up(list(got.values()))]
    assert late[:3] == ["ipv1", "dtap1", "hepb3"]  # soonest possible first
    assert "dtap2" not in late  # waits for dtap1
    nxt = [s.dose.id for s in vac.next_doses(list(got.values()))]
    assert "hepb3" in nxt and "dtap1" in nxt and "dtap2" not in nxt


def test_intervals_push_the_next_dose(nip):
    birth = D(2024, 1, 10)
    given = {"dtap1": D(2024, 9, 1), "dtap2": D(2024, 10, 1), "dtap3": D(2024, 11, 1)}
    got = states(nip, birth, given, D(2025, 7, 15))
    assert got["dtap4"].earliest == D(2025, 7, 10)  # 18 months; 6 months after dtap3 earlier
    late3 = {**given, "dtap3": D(2025, 3, 5)}
    got = states(nip, birth, late3, D(2025, 7, 15))
    assert got["dtap4"].earliest == D(2025, 9, 5)  # 6 months after a late dtap3
    assert got["dtap4"].state == vac.UPCOMING


def test_live_injectables_28_days_apart(nip):
    birth = D(2024, 1, 10)
    got = states(nip, birth, {"mmr1": D(2024, 9, 20)}, D(2024, 10, 1))
    assert got["jel1"].earliest == D(2024, 10, 18)
    assert got["jel1"].state == vac.UPCOMING


def test_no_catch_up_for_bcg_from_4_years_nor_mpsva_from_24_months(nip):
    birth = D(2021, 1, 10)
    got = states(nip, birth, {}, D(2025, 2, 1))
    assert got["bcg"].state == vac.SKIPPED
    assert got["mpsva1"].state == got["mpsva2"].state == vac.SKIPPED
    # MPSV-AC no longer waits for the MPSV-A doses never to be given
    assert got["mpsvac1"].state == vac.OVERDUE and got["mpsvac1"].earliest == D(2024, 1, 10)
    young = states(nip, D(2024, 6, 1), {}, D(2024, 10, 1))
    assert young["bcg"].state == vac.OVERDUE and young["bcg"].note == "补种前需PPD或IGRA检测阴性"


def test_no_catch_up_from_18(nip):
    got = states(nip, D(2006, 5, 1), {}, D(2024, 5, 1))
    assert {s.state for s in got.values()} == {vac.SKIPPED}


def test_the_series_a_child_started_or_the_station_choice(nip):
    birth = D(2023, 1, 10)
    got = states(nip, birth, {"jei1": D(2023, 9, 10)}, D(2023, 10, 1))
    assert "jel1" not in got and got["jei2"].state == vac.DUE
    chosen = states(nip, birth, {}, D(2023, 10, 1), {"je": "jei", "hepa": "hepai"})
    assert "jei1" in chosen and "jel1" not in chosen and "hepai2" in chosen


def test_refusals(nip):
    given = {"hepb1": D(2024, 1, 1), "hepb2": D(2024, 2, 1), "hepb3": D(2024, 7, 1)}
    assert vac.refusal(nip, given, "hepb2") == (
        "乙肝疫苗3剂已全部完成（2024-01-01、2024-02-01、2024-07-01），不能再登记"
    )
    assert vac.refusal(nip, {"hepb1": D(2024, 1, 1)}, "hepb1") == (
        "乙肝疫苗第1剂已于 2024-01-01 接种，不能重复登记"
    )
    assert vac.refusal(nip, {"hepb1": D(2024, 1, 1)}, "hepb2") is None
    je = {"jel1": D(2024, 9, 1), "jel2": D(2025, 9, 1)}
    assert vac.refusal(nip, je, "jei1") == (
        "乙脑疫苗（乙脑减毒活疫苗）2剂已全部完成（2024-09-01、2025-09-01），不能再登记"
    )


def test_warnings_name_the_rule(nip):
    birth = D(2024, 1, 10)
    early = vac.warnings(nip, birth, {"hepb1": birth}, "hepb2", D(2024, 2, 1))
    assert early == [
        "乙肝疫苗第2剂接种时未到最小接种月龄（1月龄，即 2024-02-10 起）",
        "乙肝疫苗第2剂与乙肝疫苗第1剂（2024-01-10）间隔不足28天（最早 2024-02-07）",
    ]
    assert vac.warnings(nip, birth, {"hepb1": birth}, "hepb2", D(2024, 2, 10)) == []
    live = vac.warnings(nip, birth, {"mmr1": D(2024, 9, 10)}, "jel1", D(2024, 9, 20))
    assert live == [
        "乙脑减毒活疫苗第1剂与麻腮风疫苗第1剂（2024-09-10）均为注射用减毒活疫苗，"
        "未同日接种时应间隔≥28天"
    ]
    assert vac.warnings(nip, birth, {"mmr1": D(2024, 9, 10)}, "jel1", D(2024, 9, 10)) == []


def test_a_bad_schedule_file_is_named(tmp_path: Path):
    bad = tmp_path / "x.toml"
    bad.write_text('[schedule]\nid="x"\ntitle="x"\n[[series]]\nid="a"\nlabel="A"\n'
                   '[[vaccines]]\nid="v"\nname="V"\nabbr="V"\nroute="口服"\nlive=false\nseries="a"\n'
                   '[[doses]]\nid="v1"\nvaccine="v"\ndose=1\nage_months=0\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(vac.ScheduleError, match="x.toml：剂次 v1 应有 by_months 或 by_days 之一"):
        vac.load(bad)
