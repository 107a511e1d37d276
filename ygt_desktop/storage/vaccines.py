"""Vaccine doses (forms/vaccine_dose.toml) against the national schedule.

What storage adds to :mod:`ygt_desktop.core.vaccines`: the bundled schedule, the
station's choice of JE and HepA vaccines (settings ``vaccine_je`` / ``vaccine_hepa``:
a vaccine id of the schedule's alternatives), a child's doses given, and the checks a
dose record gets when saved (:func:`check_dose`: the same dose twice or a completed
series refused; the minimum age and intervals only noticed after saving), and what the
建证 record says of the child (:func:`facts_of`: the mother's HBsAg and the birth weight,
the newborn visit's birth weight when the 建证 record has none) that the HepB rules read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..core import vaccines as vac
from ..core.forms import FormDef, FormRegistry, RuleOutcome
from ..core.schedules import add_months
from ..paths import resources_dir
from .db import Store
from .organisation import get_setting, set_setting

FORM_ID = "vaccine_dose"
SCHEDULE = "nip2021"
NOTICE_ID = "vaccine_schedule"  # the after-save notice's rule id
CERT_FORM = "vaccination"  # the 建证 record: the card's header items
NEWBORN_FORM = "newborn_visit"


@cache
def schedule() -> vac.Schedule:
    """The bundled 2021 schedule (read once)."""
    return vac.load(resources_dir() / "schedules" / f"{SCHEDULE}.toml")


def _setting_key(alternative: str) -> str:
    return f"vaccine_{alternative}"


def series_choice(store: Store) -> dict[str, str]:
    """Which vaccine of each alternative the station's province uses (its setting, else
    the schedule's default: live)."""
    out = {}
    for alt in schedule().alternatives:
        value = get_setting(store, _setting_key(alt.id))
        options = [v for v, _ in alt.options]
        out[alt.id] = value if value in options else alt.default
    return out


def set_series_choice(store: Store, alternative: str, vaccine: str) -> None:
    """Set the station's choice; a vaccine that is not one of the options is refused."""
    for alt in schedule().alternatives:
        if alt.id == alternative:
            if vaccine not in [v for v, _ in alt.options]:
                labels = "、".join(label for _, label in alt.options)
                raise ValueError(f"{alt.label}应为 {labels} 之一")
            set_setting(store, _setting_key(alternative), vaccine)
            return
    raise ValueError(f"没有可选的疫苗类别 {alternative}")


def given(store: Store, resident_id: int, exclude_record: int | None = None) -> dict[str, dt.date]:
    """The doses a child has been given (dose id → the earliest date recorded)."""
    return doses_of(store, [resident_id], exclude_record).get(resident_id, {})


# From this many children :func:`doses_of` reads the dose table whole, in order.
DOSES_SCAN_FROM = 2000


def doses_of(
    store: Store, residents: Collection[int] | None, exclude_record: int | None = None
) -> dict[int, dict[str, dt.date]]:
    """The doses given per resident (all residents when ``residents`` is None)."""
    out: dict[int, dict[str, dt.date]] = defaultdict(dict)
    # For many children (the 接种率 of a quarter: 20,000 at 265,000 residents) the dose
    # table is read in order and each record looked up (0.5 s there), not each record's
    # dose (1.3 s); for a few, their records through the index.
    many = residents is None or len(residents) >= DOSES_SCAN_FROM
    sql = (
        "SELECT h.resident_id, d.vaccine, h.service_date FROM "
        + (
            "f_vaccine_dose d CROSS JOIN service_records h ON h.id = d.record_id "
            if many
            else "service_records h JOIN f_vaccine_dose d ON d.record_id = h.id "
        )
        + "WHERE h.form_id = ? AND h.deleted = 0 AND h.id != ?"
    )
    params: list[Any] = [FORM_ID, exclude_record or -1]
    if residents is not None:
        sql += " AND h.resident_id IN (SELECT value FROM json_each(?))"
        params.append("[" + ",".join(str(int(r)) for r in residents) + "]")
    for rid, dose, day in store.conn.execute(sql, params):
        when = dt.date.fromisoformat(day)
        mine = out[rid]
        if dose not in mine or when < mine[dose]:
            mine[dose] = when
    return out


Forms = FormRegistry | Mapping[str, FormDef]


def facts_of(
    store: Store, forms: Forms | None, residents: Collection[int] | None
) -> dict[int, vac.Facts]:
    """What the 建证 records say of each child (all residents when ``residents`` is None):
    the latest record's 母亲乙肝表面抗原 (as the form's label) and 出生体重, else the latest
    newborn visit's 新生儿出生体重. Children with neither are left out."""
    if forms is None or CERT_FORM not in forms:
        return {}
    labels = forms[CERT_FORM].field("mother_hbsag").choice_labels
    hbsag: dict[int, str] = {}
    weight: dict[int, float] = {}
    scope, params = _scope(residents)
    for rid, code, kg in store.conn.execute(
        "SELECT h.resident_id, v.mother_hbsag, v.birth_weight FROM service_records h "
        "JOIN f_vaccination v ON v.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0"
        f"{scope} ORDER BY h.service_date, h.id",
        [CERT_FORM, *params],
    ):
        if code:
            hbsag[rid] = labels.get(code, code)
        if kg is not None:
            weight[rid] = float(kg)
    if NEWBORN_FORM in forms:
        newborn: dict[int, float] = {}
        for rid, kg in store.conn.execute(
            "SELECT h.resident_id, n.birth_weight FROM service_records h "
            "JOIN f_newborn_visit n ON n.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            f"AND n.birth_weight IS NOT NULL{scope} ORDER BY h.service_date, h.id",
            [NEWBORN_FORM, *params],
        ):
            newborn[rid] = float(kg)
        weight = newborn | weight
    return {rid: vac.Facts(hbsag.get(rid), weight.get(rid)) for rid in hbsag.keys() | weight.keys()}


def facts(store: Store, forms: Forms | None, resident_id: int) -> vac.Facts:
    """What the 建证 record (or the newborn visit) says of one child."""
    return facts_of(store, forms, [resident_id]).get(resident_id, vac.Facts())


def _scope(residents: Iterable[int] | None) -> tuple[str, list[Any]]:
    if residents is None:
        return "", []
    return " AND h.resident_id IN (SELECT value FROM json_each(?))", [
        "[" + ",".join(str(int(r)) for r in residents) + "]"
    ]


def card(
    store: Store,
    resident_id: int,
    birth: dt.date,
    on: dt.date,
    child: vac.Facts | None = None,
) -> list[vac.DoseState]:
    """Every dose of a child's plan on ``on`` (the vaccination card), by the child's
    facts (:func:`facts`) when given."""
    return vac.plan(schedule(), birth, given(store, resident_id), on, series_choice(store), child)


def check_dose(
    store: Store,
    resident_id: int,
    birth: dt.date | None,
    values: Mapping[str, Any],
    record_id: int | None,
    errors: dict[str, str],
    forms: Forms | None = None,
) -> list[RuleOutcome]:
    """Check one dose record before it is saved: a refusal goes into ``errors`` (at the
    疫苗 field); the rules a dose given early broke come back as after-save notices.
    With ``forms``, the child's 建证 facts (the HepB rules) are read too."""
    dose_id = values.get("vaccine")
    day = values.get("vaccination_date")
    if not dose_id or day is None or dose_id not in schedule().by_id:
        return []
    others = given(store, resident_id, exclude_record=record_id)
    child = facts(store, forms, resident_id)
    reason = vac.refusal(schedule(), others, str(dose_id), birth, day, child)
    if reason:
        errors["vaccine"] = reason
        return []
    if birth is None:
        return []
    return [
        RuleOutcome(NOTICE_ID, message, None, None)
        for message in vac.warnings(schedule(), birth, others, str(dose_id), day, child)
    ]


def dose_records(store: Store, resident_id: int) -> dict[str, int]:
    """The record of each dose a child was given (dose id → service record id; the
    earliest when a dose was recorded twice before the refusal existed)."""
    out: dict[str, int] = {}
    for dose, rid in store.conn.execute(
        "SELECT d.vaccine, h.id FROM service_records h JOIN f_vaccine_dose d "
        "ON d.record_id = h.id WHERE h.form_id = ? AND h.resident_id = ? AND h.deleted = 0 "
        "ORDER BY h.service_date DESC, h.id DESC",
        (FORM_ID, resident_id),
    ):
        out[dose] = rid
    return out


@dataclass(frozen=True)
class NoticeDose:
    label: str
    start: dt.date  # the first day it may be given
    end: dt.date  # the last day on time
    late: bool  # past that day on the notice's first day: 补种
    note: str | None = None  # BCG from 3 months: only after a negative PPD/IGRA


@dataclass(frozen=True)
class NoticeChild:
    resident_id: int
    name: str
    sex: str | None
    birth: dt.date
    phone: str | None
    doses: tuple[NoticeDose, ...]


NOTICE_YEARS = 7  # as the worklist: the schedule's completion ages end at 7 years


def notice(
    store: Store, village: str, start: dt.date, end: dt.date, forms: Forms | None = None
) -> list[NoticeChild]:
    """The children of ``village`` (archive open, under 7 on ``start``) with a dose to
    give in [start, end]: a dose whose window opens by ``end`` and is not given —
    overdue ones included (补种), as the worklist shows them (with ``forms``, by each
    child's 建证 facts, as the worklist and the card). By birth date."""
    plan, choice = schedule(), series_choice(store)
    born_after = reached_years_before(start, NOTICE_YEARS)
    people = store.conn.execute(
        "SELECT id, name, sex, birth_date, phone FROM residents WHERE deleted = 0 "
        "AND status = '在档' AND village_code = ? AND birth_date > ? AND birth_date <= ? "
        "ORDER BY birth_date, id",
        (village, born_after.isoformat(), end.isoformat()),
    ).fetchall()
    ids = [p[0] for p in people]
    given = doses_of(store, ids) if people else {}
    child = facts_of(store, forms, ids) if people else {}
    out = []
    for rid, name, sex, birth_text, phone in people:
        birth = dt.date.fromisoformat(birth_text)
        doses = tuple(
            NoticeDose(
                w.dose.label, w.start, w.end, w.end < start, _test_note(w.dose, birth, start)
            )
            for w in vac.windows(plan, birth, given.get(rid, {}), choice, child.get(rid))
            if w.done is None and w.start <= end
        )
        if doses:
            out.append(NoticeChild(rid, name, sex, birth, phone, doses))
    return out


def _test_note(dose: vac.Dose, birth: dt.date, on: dt.date) -> str | None:
    months = dose.test_first_from_months
    if months is not None and on >= vac.reached(birth, months):
        return "补种，需先做PPD或IGRA检测，阴性方可接种"
    return None


def reached_years_before(day: dt.date, years: int) -> dt.date:
    """The birth date of a child who turns ``years`` on ``day`` (born after it: younger)."""
    return add_months(day, -12 * years)
