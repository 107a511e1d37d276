"""预防接种 demo: the doses of the 2021 schedule for the children under 7, most on time,
some late, a few series left unfinished, each with a batch, expiry, manufacturer, site
and the station's doctor; the 建证 record's header items (监护人, 母亲乙肝表面抗原 — a few
positive or unknown —, 出生体重 from the newborn visit: a few under 2000 g) and the doses
those facts call for (the 12-hour birth dose, 4 HepB doses under 2000 g with an exposed
mother, the first dose from 1 month with a negative one).

Draws from a stream of its own per child (seeded by the run's seed and the resident),
not the run's shared one: the other concerns' records stay what they were.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from functools import cache

from ...core import vaccines as vac
from ...core.dates import age_years
from ...core.forms import load_form
from ...paths import forms_dir, resources_dir
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
# 母亲乙肝表面抗原 on the 建证 record (form codes): (share, code); the rest left empty.
# About 6 % of pregnant women in China are HBsAg positive.
HBSAG = ((0.86, "1"), (0.06, "2"), (0.03, "3"))
# 出生体重 on the 建证 record when the newborn visit gave none: (mean, sd) kg; the share
# under 2.0 kg is about 2 % (a few low-birth-weight children on a small demo)
WEIGHT = (3.2, 0.55)
RELATIONS = ((0.85, "2"), (0.1, "1"), (0.05, "3"))  # 母亲, 父亲, 祖父母
GUARDIAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林"
GUARDIAN_NAMES = {  # given names by relation: 父亲 and the others (mostly women)
    "1": ("伟", "强", "军", "磊", "勇", "杰"),
    "": ("丽", "芳", "敏", "静", "秀英", "燕", "娟", "霞", "玲", "婷"),
}


@cache
def schedule() -> vac.Schedule:
    """The bundled schedule (as storage.vaccines reads it; generators stay off storage)."""
    return vac.load(resources_dir() / "schedules" / "nip2021.toml")


@cache
def hbsag_labels() -> dict[str, str]:
    """The 建证 form's 母亲乙肝表面抗原 labels by code (what the schedule's rules read)."""
    return load_form(forms_dir() / "vaccination.toml").field("mother_hbsag").choice_labels


def _draw(rng: random.Random, shares: Iterable[tuple[float, str]]) -> str | None:
    roll, total = rng.random(), 0.0
    for share, code in shares:
        total += share
        if roll < total:
            return code
    return None


class VaccinesMixin(GeneratorBase):
    def vaccine_doses(self, s: _PersonState, child: Iterable[Record] = ()) -> Iterator[Record]:
        """The child's records (``child``: its 建证 record given the card's header items)
        and then its doses, which follow the facts of that record."""
        p = s.p
        rng = random.Random(f"{self.seed}:vaccine:{p.id}")
        card = random.Random(f"{self.seed}:vaccine-card:{p.id}")
        hbsag = _draw(card, HBSAG)
        weight: float | None = None
        certified = False
        for form_id, rid, day, episode, values in child:
            if form_id == "newborn_visit" and values.get("birth_weight") is not None:
                weight = float(values["birth_weight"])
            if form_id == "vaccination":
                certified = True
                values = {**values, **self._card_header(card, hbsag, weight)}
                weight = values.get("birth_weight", weight)
            yield form_id, rid, day, episode, values
        # the children under 7 and those who turned 7 this last year: their 6-year doses
        # (白破) were recorded here, and the 接种率 of the last quarters count them
        if age_years(p.birth_date, dt.date.fromordinal(s.last)) >= UNDER_YEARS + 1:
            return
        facts = vac.Facts(hbsag_labels().get(hbsag or ""), weight) if certified else vac.Facts()
        roll = rng.random()
        share = 0.0
        miss, (low, high) = TYPES[-1][1], TYPES[-1][2]
        for part, missed, delay in TYPES:
            share += part
            if roll < share:
                miss, (low, high) = missed, delay
                break
        plan = schedule()
        exposed = plan.hepb is not None and facts.mother_hbsag in plan.hepb.exposed
        given: dict[str, dt.date] = {}
        dropped: set[str] = set()
        first = max(p.birth_date.toordinal(), self.since_o)
        while True:
            new = False
            filled = plan.filled(given)
            for w in vac.windows(plan, p.birth_date, given, facts=facts):
                if w.done is not None or w.dose.id in dropped or w.dose.slot in filled:
                    continue
                if rng.random() < miss:
                    dropped.add(w.dose.id)
                    continue
                # the birth dose on the day of birth; nearly always for an exposed mother
                on_day = w.dose.id == "hepb1" and rng.random() < (0.99 if exposed else 0.9)
                day = w.start + dt.timedelta(days=0 if on_day else rng.randint(low, high))
                if day.toordinal() > s.last:
                    dropped.add(w.dose.id)
                    continue
                given[w.dose.id] = day
                filled[w.dose.slot] = day  # one product per place (DTaP until 6, then DT)
                new = True
            if not new:
                break
        for dose_id, day in sorted(given.items(), key=lambda kv: (kv[1], kv[0])):
            if day.toordinal() >= first:
                yield FORM_ID, p.id, day, None, self._dose(rng, p.id, dose_id, day)

    def _card_header(self, rng: random.Random, hbsag: str | None, weight: float | None) -> Values:
        """The 建证 record's header items: 监护人 (mostly the mother), 母亲乙肝表面抗原,
        出生体重 (the newborn visit's when there was one, else drawn; sometimes left empty:
        the card then reads the visit's), a rare 疫苗异常反应史 or 接种禁忌."""
        relation = _draw(rng, RELATIONS) or "9"
        out: Values = {
            "guardian_name": rng.choice(GUARDIAN_SURNAMES)
            + rng.choice(GUARDIAN_NAMES.get(relation, GUARDIAN_NAMES[""])),
            "guardian_relation": relation,
        }
        if hbsag is not None:
            out["mother_hbsag"] = hbsag
        if weight is None:
            out["birth_weight"] = round(max(1.4, rng.gauss(*WEIGHT)), 2)
        elif rng.random() < 0.6:
            out["birth_weight"] = weight
        if rng.random() < 0.01:
            out["adverse_reaction_history"] = "接种百白破疫苗后发热38.5℃，1天后自行缓解"
        if rng.random() < 0.005:
            out["contraindications"] = "对新霉素过敏"
        return out

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
