"""家庭签约满意度问卷 (issue 4, seed 000): per contracted resident; the period's average
score and share satisfied."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import make_station
from ygt_desktop.storage.contract_survey import SurveyRepo, survey_figures
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date
ITEMS = ("q_info", "q_cost", "q_image", "q_skill", "q_quality", "q_convenience")


@pytest.fixture
def st(ws):
    st = make_station(ws)
    st.surveys = SurveyRepo(ws.store, ws.forms)
    st.ids = {
        "old": st.sign("张老汉", "2026-01-01"),
        "dibao": st.sign("王大姐", "2026-01-01"),
        "young": st.sign("赵青年", "2026-01-01", team="龙泉", doctor="赵医生"),
    }
    return st


def survey(st, who, day, scores, overall):
    return st.surveys.save(
        {
            "contract_id": st.ids[who],
            "survey_date": day,
            **dict(zip(ITEMS, scores, strict=True)),
            "q_overall": overall,
        }
    )


def test_average_score_and_share_satisfied_for_a_period(ws, st):
    survey(st, "old", "2026-03-01", "555554", "5")  # 4.83, satisfied
    survey(st, "dibao", "2026-03-10", "443344", "4")  # 3.67, satisfied
    survey(st, "young", "2026-03-20", "222321", "2")  # 2.0, not satisfied
    survey(st, "old", "2026-06-01", "111111", "1")  # next quarter
    q1 = survey_figures(ws.store, D(2026, 1, 1), D(2026, 3, 31))
    assert (q1.count, q1.residents, q1.satisfied) == (3, 3, 2)
    assert q1.average == pytest.approx((29 / 6 + 22 / 6 + 12 / 6) / 3)
    assert q1.share_satisfied == pytest.approx(2 / 3)
    assert q1.item_averages["q_info"] == pytest.approx(11 / 3)
    assert q1.item_averages["q_convenience"] == pytest.approx(3)
    by_team = survey_figures(ws.store, D(2026, 1, 1), D(2026, 3, 31), team=st.teams["龙泉"])
    assert (by_team.count, by_team.satisfied) == (1, 0)
    empty = survey_figures(ws.store, D(2025, 1, 1), D(2025, 3, 31))
    assert (empty.count, empty.average, empty.share_satisfied) == (0, None, None)


def test_every_aspect_is_needed_and_a_survey_before_signing_is_refused(ws, st):
    with pytest.raises(ValidationFailed) as err:
        st.surveys.save(
            {
                "contract_id": st.ids["old"],
                "survey_date": "2026-03-01",
                "q_info": "5",
                "q_overall": "9",
            }
        )
    assert "请填写费用" in err.value.errors["q_cost"]
    assert "应为以下之一" in err.value.errors["q_overall"]
    with pytest.raises(ValidationFailed) as err:
        survey(st, "old", "2025-12-01", "555555", "5")
    assert "不能早于签约日期" in err.value.errors["survey_date"]
