"""Each indicator of spec indicators.md as a computation over the records.

Registered with :func:`~ygt_desktop.storage.indicators.computes`; the engine and the
shared facts (open archives, ages, record rows) are in :mod:`.indicators`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..core.dates import age_years
from . import indicator_rules_children as children  # its module: imported in a cycle
from .id_sets import json_ids
from .indicator_registers import Reading, followups, managed, patients, standard, standard_of
from .indicator_rules_maternal import episode_services
from .indicators import Counted, Indicators, _d, _half_up, computes
from .worklist_children import CHECK_FORMS

__all__ = ["managed", "standard"]  # the line lists read the registers through these

# ---- 居民健康档案 ------------------------------------------------------------------


@computes("ehr.coverage", "ehr.use")
def _ehr(ix: Indicators) -> list[Counted]:
    opened = ix.open_at(ix.we)
    base, missing = ix.base_figure("population")
    since = ix.we - dt.timedelta(days=int(ix.setting("ehr_use_days", 365)) - 1)
    # Every form's live records in the range, from the index of live records: the forms
    # in use are listed with one index probe each (the index is by form first).
    served = json_ids(
        ix.store.conn,
        "WITH RECURSIVE used(form) AS (SELECT min(form_id) FROM service_records "
        "UNION ALL SELECT (SELECT min(form_id) FROM service_records WHERE form_id > "
        "used.form) FROM used WHERE used.form IS NOT NULL) "
        "SELECT json_group_array(DISTINCT resident_id) FROM service_records WHERE form_id IN "
        "(SELECT form FROM used) AND deleted = 0 AND resident_id IS NOT NULL "
        "AND service_date BETWEEN ? AND ?",
        (since.isoformat(), ix.we.isoformat()),
    )
    return [
        Counted("ehr.coverage", numerator=opened, base=base, missing=missing, pool=opened),
        Counted("ehr.use", numerator=opened & served, denominator=opened),
    ]


# ---- 健康教育 (station log) ----------------------------------------------------------


@computes(
    "edu.print_kinds",
    "edu.print_copies",
    "edu.av_kinds",
    "edu.av_times",
    "edu.board",
    "edu.lecture_times",
    "edu.lecture_people",
    "edu.consult_times",
    "edu.consult_people",
)
def _edu(ix: Indicators) -> list[Counted]:
    titles: dict[str, set[str]] = defaultdict(set)
    times: dict[str, int] = defaultdict(int)
    amount: dict[str, int] = defaultdict(int)
    for _, _, _, kind, title, copies, shown, participants in ix.rows(
        "edu_activity", "d.kind, d.title, d.copies, d.times, d.participants"
    ):
        titles[kind].add((title or "").strip())
        times[kind] += 1
        if kind == "1":
            amount[kind] += copies or 0
        elif kind == "2":
            amount[kind] += shown or 0
        else:
            amount[kind] += participants or 0
    av_times = amount["2"] or times["2"]  # showings; a record without a number is one
    return [
        Counted("edu.print_kinds", count=len(titles["1"])),
        Counted("edu.print_copies", count=amount["1"]),
        Counted("edu.av_kinds", count=len(titles["2"])),
        Counted("edu.av_times", count=av_times),
        Counted("edu.board", count=times["3"]),
        Counted("edu.lecture_times", count=times["4"]),
        Counted("edu.lecture_people", count=amount["4"]),
        Counted("edu.consult_times", count=times["5"]),
        Counted("edu.consult_people", count=amount["5"]),
    ]


# ---- 0～6岁儿童 -----------------------------------------------------------------------


@computes("child.newborn")
def _newborn(ix: Indicators) -> list[Counted]:
    born = ix.born(ix.ws, ix.we)
    days = int(ix.setting("newborn_visit_days", 7))
    visited = set()
    for _, rid, day, discharged in ix.rows(
        "newborn_visit", "d.discharged_date", end=ix.we + dt.timedelta(days=days + 40)
    ):
        if rid not in born:
            continue
        start = _d(discharged) or born[rid]
        if 0 <= (dt.date.fromisoformat(day) - start).days <= days:
            visited.add(rid)
    return [Counted("child.newborn", numerator=visited, denominator=set(born))]


@computes("child.managed")
def _child(ix: Indicators) -> list[Counted]:
    pool = ix.aged(ix.we, years_below=7)
    base, missing = ix.base_figure("children_0_6")
    return [
        Counted(
            "child.managed",
            numerator=pool & set().union(*(ix.residents_with(f) for f in CHECK_FORMS)),
            pool=pool,
            base=base,
            missing=missing,
        )
    ]


# ---- 孕产妇 ---------------------------------------------------------------------------


def _deliveries(ix: Indicators) -> list[tuple[int, int, dt.date, dt.date | None, int]]:
    """Deliveries dated in the window: (record, resident, delivered, discharged, episode)."""
    return [
        (rec, rid, dt.date.fromisoformat(day), _d(discharged), episode)
        for rec, rid, day, discharged, episode in ix.rows(
            "delivery", "d.discharged_date, h.episode_id"
        )
    ]


@computes("mat.early", "mat.postpartum")
def _maternal(ix: Indicators) -> list[Counted]:
    deliveries = _deliveries(ix)
    first, by_form = episode_services(ix, [d[4] for d in deliveries], ("postpartum_visit",))
    visits = by_form["postpartum_visit"]
    weeks = int(ix.setting("early_pregnancy_weeks", 13))
    days = int(ix.setting("postpartum_visit_days", 28))
    early = postpartum = 0
    early_people: set[int] = set()
    post_people: set[int] = set()
    for _, rid, delivered, discharged, episode in deliveries:
        exam, lmp = first.get(episode, (None, None))
        if exam is not None and lmp is not None and (exam - lmp).days < 7 * weeks:
            early += 1
            early_people.add(rid)
        start = discharged or delivered
        if any(0 <= (v - start).days <= days for v in visits.get(episode, [])):
            postpartum += 1
            post_people.add(rid)
    women = {d[1] for d in deliveries}
    return [
        Counted(
            "mat.early",
            numerator=early_people,
            denominator=women,
            records=early,
            record_denominator=len(deliveries),
        ),
        Counted(
            "mat.postpartum",
            numerator=post_people,
            denominator=women,
            records=postpartum,
            record_denominator=len(deliveries),
        ),
    ]


# ---- 老年人, 中医药 ----------------------------------------------------------------------


def _by_age_in_window(
    ix: Indicators,
    code: str,
    form_id: str,
    base_key: str,
    *,
    years_from: int | None = None,
    months_below: int | None = None,
) -> Counted:
    pool = ix.aged(ix.we, years_from=years_from, months_below=months_below)
    base, missing = ix.base_figure(base_key)
    return Counted(
        code, numerator=pool & ix.residents_with(form_id), pool=pool, base=base, missing=missing
    )


@computes("eld.managed")
def _elderly(ix: Indicators) -> list[Counted]:
    return [_by_age_in_window(ix, "eld.managed", "elderly_exam", "pop_65", years_from=65)]


@computes("tcm.elderly")
def _tcm_elderly(ix: Indicators) -> list[Counted]:
    return [_by_age_in_window(ix, "tcm.elderly", "tcm_elderly", "pop_65", years_from=65)]


@computes("tcm.child")
def _tcm_child(ix: Indicators) -> list[Counted]:
    counted = _by_age_in_window(ix, "tcm.child", "tcm_child", "children_0_36", months_below=37)
    counted.numerator |= (counted.pool or set()) & children.tcm_in_checks(
        ix
    )  # the checks' TCM rows
    return [counted]


# ---- 慢病: 高血压, 2型糖尿病, 严重精神障碍 -----------------------------------------------------


def _prevalence_base(ix: Indicators, key: str, default: float) -> tuple[int | None, str | None]:
    pop, missing = ix.base_figure("pop_35")
    if pop is None:
        return None, missing
    prevalence = ix.base.get(key)
    share = float(prevalence) if prevalence is not None else float(ix.setting(key, default))
    return _half_up(pop * share / 100), None


HTN_READING = Reading("d.sbp, d.dbp", "d.sbp IS NOT NULL AND d.dbp IS NOT NULL")
DM_READING = Reading("d.fpg", "d.fpg IS NOT NULL")


@computes("htn.mgmt", "htn.standard", "htn.control")
def _htn(ix: Indicators) -> list[Counted]:
    found = patients(ix, "htn_register")  # registration and birth dates
    registered = {rid: day for rid, (day, _) in found.items()}
    ids = set(registered)
    base, missing = _prevalence_base(ix, "htn_prevalence", 25.2)
    seen = followups(ix, "htn_followup", HTN_READING)
    elderly_age = int(ix.setting("htn_elderly_age", 65))
    sbp_old = float(ix.setting("htn_elderly_sbp_below", 150))
    sbp_young = float(ix.setting("htn_sbp_below", 140))
    dbp_limit = float(ix.setting("htn_dbp_below", 90))
    controlled = set()
    for rid, (day, (sbp, dbp)) in seen.latest.items():
        if rid not in ids:
            continue
        birth = found[rid][1]
        old = birth is not None and age_years(dt.date.fromisoformat(birth), day) >= elderly_age
        if float(sbp) < (sbp_old if old else sbp_young) and float(dbp) < dbp_limit:
            controlled.add(rid)
    return [
        Counted("htn.mgmt", numerator=ids, base=base, missing=missing, pool=ids),
        Counted("htn.standard", numerator=standard_of(ix, seen.face, registered), denominator=ids),
        Counted("htn.control", numerator=controlled, denominator=ids),
    ]


@computes("dm.mgmt", "dm.standard", "dm.control")
def _dm(ix: Indicators) -> list[Counted]:
    registered = managed(ix, "dm_register")
    ids = set(registered)
    base, missing = _prevalence_base(ix, "dm_prevalence", 9.7)
    below = float(ix.setting("dm_fpg_below", 7.0))
    seen = followups(ix, "dm_followup", DM_READING)
    controlled = {
        rid for rid, (_, (fpg,)) in seen.latest.items() if rid in ids and float(fpg) < below
    }
    return [
        Counted("dm.mgmt", numerator=ids, base=base, missing=missing, pool=ids),
        Counted("dm.standard", numerator=standard_of(ix, seen.face, registered), denominator=ids),
        Counted("dm.control", numerator=controlled, denominator=ids),
    ]


@computes("smi.standard")
def _smi(ix: Indicators) -> list[Counted]:
    registered = managed(ix, "smi_register")
    return [
        Counted(
            "smi.standard",
            numerator=standard(ix, "smi_followup", registered),
            denominator=set(registered),
        )
    ]


# ---- 肺结核 -----------------------------------------------------------------------------


@computes("tb.managed")
def _tb_managed(ix: Indicators) -> list[Counted]:
    notified = ix.rows("tb_notify")
    hours = int(ix.setting("tb_first_visit_hours", 72))
    first: dict[int, list[dt.date]] = defaultdict(list)
    episodes = [rec for rec, _, _ in notified]
    if episodes:
        marks = ",".join("?" * len(episodes))
        for episode, day in ix.store.conn.execute(
            "SELECT episode_id, service_date FROM service_records WHERE deleted = 0 "
            f"AND form_id = 'tb_first_visit' AND episode_id IN ({marks})",
            episodes,
        ):
            first[episode].append(dt.date.fromisoformat(day))
    patients = {rid for _, rid, _ in notified}
    visited = set()
    for rec, rid, day in notified:
        told = dt.date.fromisoformat(day)
        if any(0 <= (v - told).days * 24 <= hours for v in first.get(rec, [])):
            visited.add(rid)
    return [Counted("tb.managed", numerator=visited, denominator=patients)]


# ---- 传染病, 卫生监督协管 -------------------------------------------------------------------


@computes("inf.report", "inf.timely")
def _infectious(ix: Indicators) -> list[Counted]:
    rows = ix.rows(
        "infectious_report",
        "d.disease_class, d.reported, d.diagnosis_date, "
        "d.diagnosis_hour, d.report_date, d.report_hour, d.report_delay_hours",
    )
    reported = timely = 0
    for _, _, _, klass, was_reported, diagnosed, d_hour, told, t_hour, delay in rows:
        if not was_reported:
            continue
        reported += 1
        if delay is None and diagnosed and told:
            delay = (
                (dt.date.fromisoformat(told) - dt.date.fromisoformat(diagnosed)).days * 24
                + (t_hour or 0)
                - (d_hour or 0)
            )
        limit = 2 if klass in ("1", "3") else 24
        if delay is not None and 0 <= delay <= limit:
            timely += 1
    people = {r[1] for r in rows}
    return [
        Counted("inf.report", denominator=people, records=reported, record_denominator=len(rows)),
        Counted("inf.timely", denominator=people, records=timely, record_denominator=reported),
    ]


@computes("sup.report", "sup.inspect")
def _supervision(ix: Indicators) -> list[Counted]:
    events = reported = inspections = 0
    for _, _, _, kind, was_reported in ix.rows("supervision_log", "d.record_type, d.reported"):
        if kind == "2":
            inspections += 1
        else:
            events += 1
            reported += bool(was_reported)
    return [
        Counted("sup.report", records=reported, record_denominator=events),
        Counted("sup.inspect", count=inspections),
    ]
