"""The yearly 健康体检 (65+, and 高血压 / 2型糖尿病 / 严重精神障碍 patients of any age) and
the 65+ 中医体质辨识 (老年人中医药健康管理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ...core import tcm
from ...core.schedules import add_months
from .common import (
    ELDERLY_PROPENSITY,
    TCM_WITH_EXAM,
    TCM_WITHOUT_EXAM,
    GeneratorBase,
    Record,
    Values,
)
from .health_check import exam_values
from .state import _PersonState

# A registered patient under 65 has the yearly 健康体检 most years, not all.
PATIENT_EXAM = 0.8

_SCORE_FIELDS = {
    "平和": "score_pinghe",
    "气虚": "score_qixu",
    "阳虚": "score_yangxu",
    "阴虚": "score_yinxu",
    "痰湿": "score_tanshi",
    "湿热": "score_shire",
    "血瘀": "score_xueyu",
    "气郁": "score_qiyu",
    "特禀": "score_tebing",
}


def _cumulative(table: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out, total = [], 0.0
    for share, value in table:
        total += share
        out.append((total, value))
    out[-1] = (2.0, out[-1][1])
    return out


_ELDERLY_CUMULATIVE = _cumulative(ELDERLY_PROPENSITY)


class ElderlyMixin(GeneratorBase):
    """The 65+ services of one resident."""

    def elderly(self, s: _PersonState) -> Iterator[Record]:
        """The yearly 健康体检 from 65 (and the 中医体质辨识), or from the day a 高血压,
        2型糖尿病 or 严重精神障碍 register opened, at any age (most patients a year, some
        years missed)."""
        p = s.p
        eligible = add_months(p.birth_date, 65 * 12).toordinal()
        managed = s.managed_from
        if s.last < eligible and managed is None:  # under 65 throughout, no register
            return
        start = max(s.first, eligible if managed is None else min(eligible, managed))
        if start > s.last:
            return
        rnd = self.rnd
        r = rnd()
        propensity = next(q for share, q in _ELDERLY_CUMULATIVE if r < share)
        D = dt.date.fromordinal
        for year in range(D(start).year, D(s.last).year + 1):
            lo = max(start, dt.date(year, 1, 1).toordinal())
            hi = dt.date(year, 12, 31).toordinal()
            elderly_year = eligible <= hi
            exam_day = None
            if rnd() < (propensity if elderly_year else PATIENT_EXAM):
                # Exams run as campaigns, mostly March to June.
                month = (3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11)[int(rnd() * 12)]
                day = dt.date(year, month, 1).toordinal() + int(rnd() * 28)
                if day < lo:
                    day = lo + int(rnd() * (hi - lo + 1))
                if day <= s.last:
                    exam_day = day
                    yield "elderly_exam", p.id, D(day), None, exam_values(self, s, day)
            if not elderly_year:
                continue
            tcm_lo = max(lo, eligible)
            tcm_p = TCM_WITH_EXAM if exam_day else TCM_WITHOUT_EXAM
            if rnd() < tcm_p:
                day = (
                    exam_day
                    if exam_day and exam_day >= eligible and rnd() < 0.85
                    else tcm_lo + int(rnd() * (hi - tcm_lo + 1))
                )
                if day <= s.last:
                    yield "tcm_elderly", p.id, D(day), None, self.tcm_elderly(s, day)

    def tcm_elderly(self, s: _PersonState, day: int) -> Values:
        answers = s.tcm_answers()
        result = tcm.score(answers, self.scoring)
        values: Values = {"exam_date": dt.date.fromordinal(day)}
        values.update((f"q{n}", str(a)) for n, a in answers.items())
        values["constitution"] = result.summary or "无偏颇体质判定"
        for name, field_id in _SCORE_FIELDS.items():
            values[field_id] = result.sums[name]
        values["guidance"] = (["1", "2", "3", "4", "5"] if self.rnd() < 0.7
                              else ["1", "2", "4"])  # fmt: skip
        values["doctor"] = self.doctor(s.p)
        return values
