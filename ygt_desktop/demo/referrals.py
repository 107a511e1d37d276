"""Synthetic two-way referrals for a demo station: what the staff did with the clinical
rules' referral suggestions, and the patients the lead hospital sent back.

Pure standard library plus ``core``, deterministic: every draw comes from
``random.Random(seed + SEED_OFFSET)`` in input order, and "today" is a parameter (never
the clock). The loader (:mod:`.load_referrals`) gives the suggestions and the chronic
patients in id order and merges each up-referral made from a suggestion over the app's
own draft of it (:meth:`ygt_desktop.storage.referrals.Referrals.draft`), so a demo
referral is what a user saves from the draft plus what they type: the hospital, the
receipt, the follow-up.

What is generated (rates are the module constants below):

- Of the suggestions, ~80 % of urgent ones and ~15 % of "suggested" ones (twice
  uncontrolled …) are referred up; maternal and child findings more often. The
  referral is dated the service day (sometimes 1–3 days later). ~70 % get a receipt
  from the hospital within 3 days. The 2-week follow-up: ~80 % within 14 days, ~8 %
  late (15–30 days), the rest never — and none that would fall after ``today``.
- Suggestions older than :data:`OPEN_DAYS` that were not referred are dismissed with a
  reason (复查后无需转诊, 患者拒绝转诊, 已自行就医); newer ones stay open on the page.
- Down-referrals from the lead hospital (the county's 人民医院): ~25 % of chronic
  patients referred up and received come back 5–20 days later, and a few registered
  高血压 / 2型糖尿病 patients a year are sent down after a hospital stay.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .residents import YUNNAN_COUNTIES

SEED_OFFSET = 15_485_863  # referrals draw apart from residents and services
REFER_SHARE = {"urgent": 0.80, "suggested": 0.15}
REFER_SHARE_BY_FORM = {  # findings that are referred more often than "twice uncontrolled"
    "prenatal_first": 0.70,
    "prenatal_followup": 0.60,
    "postpartum_visit": 0.60,
    "postpartum_42d": 0.60,
    "child_check": 0.50,
    "child_check_infant": 0.50,
    "child_check_toddler": 0.50,
    "child_check_preschool": 0.50,
    "newborn_visit": 0.90,
}
SAME_DAY = 0.85
RECEIPT = 0.70
FOLLOWED_IN_TIME, FOLLOWED_LATE = 0.80, 0.08
OPEN_DAYS = 60
RETURNED = 0.25  # chronic patients sent back down after an up-referral
DOWN_PER_PATIENT_YEAR = 0.004  # hospital stays ending in a down-referral
MATERNAL_CHILD = {"产科", "新生儿科", "儿童保健科"}
CHRONIC_DIAGNOSES = ("高血压", "2型糖尿病")
DISMISS_SUGGESTED = (("3", 0.60), ("1", 0.25), ("2", 0.15))
DISMISS_URGENT = (("1", 0.50), ("2", 0.50))
FOLLOWUP_RESULTS = (
    "已在上级医院就诊，调整治疗方案",
    "已住院治疗，病情好转",
    "已就诊，遵医嘱继续治疗",
    "已就诊，检查未见明显异常",
    "已住院治疗，尚未出院",
)
HOSPITAL_STAYS = {  # diagnosis → (department, reasons for sending the patient back)
    "高血压": (
        "心血管内科",
        (
            "高血压住院调整用药后血压平稳，转回社区继续随访管理",
            "脑梗死恢复期，转社区康复治疗和随访",
            "冠心病支架术后病情稳定，转社区随访管理",
        ),
    ),
    "2型糖尿病": (
        "内分泌科",
        (
            "2型糖尿病住院调整治疗后血糖平稳，转回社区继续随访管理",
            "糖尿病足经治疗好转，转社区换药和随访",
        ),
    ),
}
RETURN_REASON = "病情稳定，转回社区继续治疗和随访管理"


@dataclass(frozen=True, slots=True)
class SuggestedRecord:
    """A service record whose rules asked for a referral, not yet handled."""

    record_id: int
    resident_id: int
    form_id: str
    service_date: dt.date
    level: str  # "urgent" / "suggested"
    until: dt.date | None = None  # the archive closed (迁出/死亡) on this day


@dataclass(frozen=True, slots=True)
class ChronicPatient:
    """A registered 高血压 / 2型糖尿病 patient (a down-referral candidate)."""

    resident_id: int
    diagnosis: str
    since: dt.date
    until: dt.date | None = None


@dataclass
class DemoReferrals:
    """``referrals``: form values (dates as dates). An up-referral with a
    ``source_record_id`` holds only what the user adds to the draft of that record.
    ``dismissals``: values of the 不转诊 form."""

    referrals: list[dict[str, Any]] = field(default_factory=list)
    dismissals: list[dict[str, Any]] = field(default_factory=list)


def institutions(county_code: str) -> tuple[str, str]:
    """(lead hospital, maternal and child hospital) of the station's county."""
    county = YUNNAN_COUNTIES.get(county_code, "县")
    return f"{county}人民医院", f"{county}妇幼保健院"


def generate_referrals(
    seed: int,
    today: dt.date,
    station: str,
    county_code: str,
    suggestions: Sequence[SuggestedRecord],
    patients: Sequence[ChronicPatient],
    departments: Mapping[str, str],
) -> DemoReferrals:
    """The station's referrals and dismissals; ``departments`` maps a service form to
    the department its suggestions are referred to (the referral form file's
    ``[suggestions]``)."""
    rng = random.Random(seed + SEED_OFFSET)
    hospital, maternal = institutions(county_code)
    out = DemoReferrals()
    for s in suggestions:
        last = min(today, s.until) if s.until else today
        if s.service_date > last:
            continue  # not a record this history can have
        share = REFER_SHARE_BY_FORM.get(s.form_id, REFER_SHARE.get(s.level, 0.0))
        if rng.random() < share:
            department = departments.get(s.form_id, "")
            to = maternal if department in MATERNAL_CHILD else hospital
            day = s.service_date
            if rng.random() >= SAME_DAY:
                day = min(day + dt.timedelta(days=rng.randint(1, 3)), last)
            up = {
                "direction": "1",
                "referral_date": day,
                "resident_id": s.resident_id,
                "source_record_id": s.record_id,
                "to_institution": to,
                **_receipt(rng, day, last),
                **_followup(rng, day, last),
            }
            out.referrals.append(up)
            diagnosis = _diagnosis(s.form_id)
            if diagnosis and up.get("receipt_confirmed") and rng.random() < RETURNED:
                back = day + dt.timedelta(days=rng.randint(5, 20))
                if back <= last:
                    out.referrals.append(
                        _down(
                            rng,
                            back,
                            last,
                            s.resident_id,
                            hospital,
                            department,
                            station,
                            diagnosis,
                            RETURN_REASON,
                        )
                    )
        elif (today - s.service_date).days > OPEN_DAYS:
            weights = DISMISS_URGENT if s.level == "urgent" else DISMISS_SUGGESTED
            reason = rng.choices([c for c, _ in weights], [w for _, w in weights])[0]
            out.dismissals.append(
                {
                    "source_record_id": s.record_id,
                    "reason": reason,
                    "dismissed_date": min(
                        s.service_date + dt.timedelta(days=rng.randint(0, 14)), today
                    ),
                }
            )
    for p in patients:
        last = min(today, p.until) if p.until else today
        years = (last - p.since).days / 365.25
        if years <= 0 or rng.random() >= DOWN_PER_PATIENT_YEAR * years:
            continue
        day = p.since + dt.timedelta(days=rng.randint(0, (last - p.since).days))
        department, reasons = HOSPITAL_STAYS[p.diagnosis]
        out.referrals.append(
            _down(
                rng,
                day,
                last,
                p.resident_id,
                hospital,
                department,
                station,
                p.diagnosis,
                rng.choice(reasons),
            )
        )
    return out


def _diagnosis(form_id: str) -> str | None:
    return {"htn_followup": "高血压", "dm_followup": "2型糖尿病"}.get(form_id)


def _receipt(rng: random.Random, day: dt.date, last: dt.date) -> dict[str, Any]:
    if rng.random() >= RECEIPT:
        return {}
    received = day + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
    return {"receipt_confirmed": True, "receipt_date": received} if received <= last else {}


def _followup(rng: random.Random, day: dt.date, last: dt.date) -> dict[str, Any]:
    draw = rng.random()
    if draw < FOLLOWED_IN_TIME:
        done = day + dt.timedelta(days=rng.choice((2, 3, 3, 5, 5, 7, 7, 7, 10, 12, 14)))
    elif draw < FOLLOWED_IN_TIME + FOLLOWED_LATE:
        done = day + dt.timedelta(days=rng.randint(15, 30))
    else:
        return {}
    result = rng.choice(FOLLOWUP_RESULTS)
    if done > last:
        return {}
    return {"followup_done": True, "followup_date": done, "followup_result": result}


def _down(
    rng: random.Random,
    day: dt.date,
    last: dt.date,
    resident_id: int,
    hospital: str,
    department: str,
    station: str,
    diagnosis: str,
    reason: str,
) -> dict[str, Any]:
    received = min(day + dt.timedelta(days=rng.choice((0, 0, 1, 2))), last)
    return {
        "direction": "2",
        "referral_date": day,
        "resident_id": resident_id,
        "urgency": "2",
        "from_institution": hospital,
        "from_department": department,
        "to_institution": station,
        "to_department": "全科",
        "diagnosis": diagnosis,
        "reason": reason,
        "receipt_confirmed": True,
        "receipt_date": received,
    }
