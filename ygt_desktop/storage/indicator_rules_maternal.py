"""孕产妇系统管理率 (mat.sys, forms-national.md §11; 妇幼卫生年报): the women delivered
in the window whose pregnancy was managed as a whole — 早孕建册 before 13 full weeks,
at least 5 产前检查 (the first check counts as one, the follow-ups up to the delivery
the rest) and a 产后访视 within the postpartum days after discharge — over the 活产数
of those deliveries (a twin delivery is one woman and two live births)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from ..core.schedules import dated_from
from .indicators import Counted, Indicators, _d, computes

FIRST = "prenatal_first"
Firsts = dict[int, tuple[dt.date, dt.date | None]]  # episode → (第1次产前检查, 末次月经)
Visits = dict[str, dict[int, list[dt.date]]]  # form → episode → service dates


def episode_services(
    ix: Indicators, episodes: Sequence[int | None], forms: Sequence[str]
) -> tuple[Firsts, Visits]:
    """The live services of these pregnancy episodes (None: a delivery without one):
    each episode's 第1次产前检查 (date and the day its weeks count from: 末次月经, or when
    不详 the check's date less the 孕周 typed, as the worklist counts) and the dates of ``forms`` by episode
    (every form of ``forms`` present, with no dates when none), in one query."""
    wanted = [e for e in episodes if e is not None]
    first: Firsts = {}
    visits: Visits = {f: defaultdict(list) for f in forms}
    if not wanted:
        return first, visits
    for episode, form_id, day, lmp, weeks in ix.store.conn.execute(
        "SELECT h.episode_id, h.form_id, h.service_date, p.lmp_date, p.gest_weeks "
        "FROM service_records h "
        "LEFT JOIN f_prenatal_first p ON p.record_id = h.id "
        f"WHERE h.deleted = 0 AND h.episode_id IN ({','.join('?' * len(wanted))}) "
        # through the episode index, not the form's
        f"AND +h.form_id IN ({','.join('?' * (len(forms) + 1))})",
        (*wanted, FIRST, *forms),
    ):
        on = dt.date.fromisoformat(day)
        if form_id == FIRST:
            first[episode] = (on, dated_from(_d(lmp), on, weeks))
        else:
            visits[form_id][episode].append(on)
    return first, visits


@computes("mat.sys")
def _system_managed(ix: Indicators) -> list[Counted]:
    deliveries = ix.rows("delivery", "d.discharged_date, h.episode_id, d.live_births")
    first, visits = episode_services(
        ix, [d[4] for d in deliveries], ("prenatal_followup", "postpartum_visit")
    )
    prenatal, postpartum = visits["prenatal_followup"], visits["postpartum_visit"]
    weeks = int(ix.setting("early_pregnancy_weeks", 13))
    checks = int(ix.setting("system_prenatal_checks", 5))
    days = int(ix.setting("postpartum_visit_days", 28))
    managed = births = 0
    women: set[int] = set()
    people: set[int] = set()
    for _, rid, day, discharged, episode, live in deliveries:
        if not live:
            continue  # no live birth: outside the 活产数 and the count
        births += int(live)
        women.add(rid)
        delivered = dt.date.fromisoformat(day)
        exam, lmp = first.get(episode, (None, None))
        if exam is None or lmp is None or (exam - lmp).days >= 7 * weeks:
            continue
        if 1 + sum(1 for v in prenatal.get(episode, []) if v <= delivered) < checks:
            continue
        start = _d(discharged) or delivered
        if not any(0 <= (v - start).days <= days for v in postpartum.get(episode, [])):
            continue
        managed += 1
        people.add(rid)
    return [
        Counted(
            "mat.sys",
            numerator=people,
            denominator=women,
            records=managed,
            record_denominator=births,
        )
    ]
