"""孕产妇系统管理率 (mat.sys, forms-national.md §11; 妇幼卫生年报): the women delivered
in the window whose pregnancy was managed as a whole — 早孕建册 before 13 full weeks,
at least 5 产前检查 (the first check counts as one, the follow-ups up to the delivery
the rest) and a 产后访视 within the postpartum days after discharge — over the 活产数
of those deliveries (a twin delivery is one woman and two live births)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .indicators import Counted, Indicators, _d, computes


@computes("mat.sys")
def _system_managed(ix: Indicators) -> list[Counted]:
    deliveries = ix.rows("delivery", "d.discharged_date, h.episode_id, d.live_births")
    episodes = [d[4] for d in deliveries if d[4] is not None]
    first: dict[int, tuple[dt.date, dt.date | None]] = {}
    prenatal: dict[int, list[dt.date]] = defaultdict(list)
    postpartum: dict[int, list[dt.date]] = defaultdict(list)
    if episodes:
        marks = ",".join("?" * len(episodes))
        for episode, form_id, day, lmp in ix.store.conn.execute(
            "SELECT h.episode_id, h.form_id, h.service_date, p.lmp_date FROM service_records h "
            "LEFT JOIN f_prenatal_first p ON p.record_id = h.id "
            f"WHERE h.deleted = 0 AND h.episode_id IN ({marks}) "  # through the episode index
            "AND +h.form_id IN ('prenatal_first', 'prenatal_followup', 'postpartum_visit')",
            episodes,
        ):
            on = dt.date.fromisoformat(day)
            if form_id == "prenatal_first":
                first[episode] = (on, _d(lmp))
            elif form_id == "prenatal_followup":
                prenatal[episode].append(on)
            else:
                postpartum[episode].append(on)
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
