"""预防接种 demo: the doses of the 2021 schedule for the children under 7, most on time,
some late, a few series left unfinished, each with a batch, expiry, manufacturer, site
and the station's doctor.

Draws from a stream of its own per child (seeded by the run's seed and the resident),
not the run's shared one: the other concerns' records stay what they were.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from functools import cache

from ...core import vaccines as vac
from ...core.dates import age_years
from ...paths import resources_dir
from .common import GeneratorBase, Record, Values
from .state import _PersonState

FORM_ID = "vaccine_dose"
UNDER_YEARS = 7
# Punctuality types: (share, P(a dose is missed), days late: (min, max) of the usual delay)
TYPES = ((0.78, 0.01, (0, 20)), (0.17, 0.04, (10, 120)), (0.05, 0.25, (30, 300)))
# Manufacturers of the programme's vaccines in China (public product lists), by vaccine.
MAKERS = {
    "hepb": ("深圳康泰生物制品股份有限公司", "大连汉信生物制药有限公司", "华北制药金坦生物技术股份有限公司"),
    "bcg": ("成都生物制品研究所有限责任公司", "上海生物制品研究所有限责任公司"),
    "ipv": ("北京生物制品研究所有限责任公司", "中国医学科学院医学生物学研究所"),
    "bopv": ("中国医学科学院医学生物学研究所", "北京生物制品研究所有限责任公司"),
    "dtap": ("武汉生物制品研究所有限责任公司", "成都欧林生物科技股份有限公司"),
    "dt": ("武汉生物制品研究所有限责任公司",),
    "mmr": ("北京生物制品研究所有限责任公司", "上海生物制品研究所有限责任公司"),
    "jel": ("成都生物制品研究所有限责任公司",),
    "jei": ("辽宁成大生物股份有限公司",),
    "mpsva": ("兰州生物制品研究所有限责任公司",),
    "mpsvac": ("兰州生物制品研究所有限责任公司", "云南沃森生物技术股份有限公司"),
    "hepal": ("浙江普康生物技术股份有限公司", "长春生物制品研究所有限责任公司"),
    "hepai": ("北京科兴生物制品有限公司",),
}  # fmt: skip
SITES = {"口服": "5", "皮内注射": "1"}  # BCG in the left upper arm; others alternate arms


@cache
def schedule() -> vac.Schedule:
    """The bundled schedule (as storage.vaccines reads it; generators stay off storage)."""
    return vac.load(resources_dir() / "schedules" / "nip2021.toml")


class VaccinesMixin(GeneratorBase):
    def vaccine_doses(self, s: _PersonState) -> Iterator[Record]:
        p = s.p
        today = dt.date.fromordinal(s.last)
        if age_years(p.birth_date, today) >= UNDER_YEARS:
            return
        rng = random.Random(f"{self.seed}:vaccine:{p.id}")
        roll = rng.random()
        share = 0.0
        miss, (low, high) = TYPES[-1][1], TYPES[-1][2]
        for part, missed, delay in TYPES:
            share += part
            if roll < share:
                miss, (low, high) = missed, delay
                break
        plan = schedule()
        given: dict[str, dt.date] = {}
        dropped: set[str] = set()
        first = max(p.birth_date.toordinal(), self.since_o)
        while True:
            new = False
            for w in vac.windows(plan, p.birth_date, given):
                if w.done is not None or w.dose.id in dropped:
                    continue
                if rng.random() < miss:
                    dropped.add(w.dose.id)
                    continue
                on_day = w.dose.id == "hepb1" and rng.random() < 0.9
                day = w.start + dt.timedelta(days=0 if on_day else rng.randint(low, high))
                if day.toordinal() > s.last:
                    dropped.add(w.dose.id)
                    continue
                given[w.dose.id] = day
                new = True
            if not new:
                break
        for dose_id, day in sorted(given.items(), key=lambda kv: (kv[1], kv[0])):
            if day.toordinal() >= first:
                yield FORM_ID, p.id, day, None, self._dose(rng, p.id, dose_id, day)

    def _dose(self, rng: random.Random, resident: int, dose_id: str, day: dt.date) -> Values:
        dose = schedule().by_id[dose_id]
        route = dose.vaccine.route
        return {
            "vaccine": dose_id,
            "vaccination_date": day,
            "site": SITES.get(route, rng.choice("1234" if day.year % 2 else "12")),
            "batch_no": f"{day.year}{day.month:02d}{rng.randint(1, 60):02d}{dose.vaccine.abbr[0]}",
            "expiry_date": day + dt.timedelta(days=rng.randint(120, 720)),
            "manufacturer": rng.choice(
                MAKERS.get(dose.vaccine.id, ("北京生物制品研究所有限责任公司",))
            ),
            "doctor": self.doctors[resident % len(self.doctors)],
        }
