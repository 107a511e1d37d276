"""预防接种 indicators (spec forms-national.md §11): vac.cert 建证率 and vac.rate.<dose>
接种率 for every dose of the 2021 schedule (the template picks which it reports).

- vac.cert: the children whose 预防接种证 fell due in the window (born so that the
  ``vaccination`` form's ``certificate_within_months`` ends in it), archive open at the
  window's end; of them, those with a 建证 record by the window's end (late ones too:
  the rate says who has a certificate, the worklist who got it late).
- vac.rate.<dose>: the children (archive open at the window's end) whose on-time window
  for the dose closed in the window — the cohort that should have completed it — and
  whose plan has the dose (JE and HepA: the series the child started, else the
  station's choice); of them, those given the dose by the window's end (catch-up doses
  count: this is coverage of the cohort, not timeliness). A dose counts whichever
  product filled its place (脊灰 bOPV for an IPV dose, 白破 for a 百白破 dose: doses are
  counted across products); a place the child no longer needs (the DT booster after 3
  doses completed with DT) leaves the child out of that rate.
- 乙肝3 for a child whose birth dose does not count (birth weight < 2000 g, mother HBsAg
  阳性/不详: 4 doses) asks for the 4th dose, the one that completes the 3 that count, due
  by its completion age (12 months, as the 3rd's); 乙肝1 and 乙肝2 count the doses given.
"""

from __future__ import annotations

import datetime as dt

from ..core.schedules import add_months
from ..core.vaccines import Dose
from . import vaccines
from .indicators import Counted, Indicators, computes

CERT_FORM = "vaccination"
RATE = "vac.rate."


def _births(ix: Indicators, born_from: dt.date, born_to: dt.date) -> dict[int, dt.date]:
    """Children with an archive open at the window's end, born in [born_from, born_to]."""
    open_ = ix.open_at(ix.we)
    return {rid: b for rid, b in ix.born(born_from, born_to).items() if rid in open_}


@computes("vac.cert")
def _certificates(ix: Indicators) -> list[Counted]:
    if CERT_FORM not in ix.forms:
        return [Counted("vac.cert", denominator=set())]
    plan = ix.forms[CERT_FORM].settings.get("schedule", {})
    months = int(plan.get("certificate_within_months", 1))
    due = {
        rid
        for rid, birth in _births(
            ix, add_months(ix.ws, -months - 1), add_months(ix.we, -months)
        ).items()
        if ix.ws <= add_months(birth, months) <= ix.we
    }
    made = {
        rid
        for (rid,) in ix.store.conn.execute(
            "SELECT DISTINCT resident_id FROM service_records WHERE form_id = ? "
            "AND deleted = 0 AND service_date <= ?",
            (CERT_FORM, ix.we.isoformat()),
        )
    }
    return [Counted("vac.cert", numerator=due & made, denominator=due)]


def _rate_codes() -> list[str]:
    return [f"{RATE}{d.id}" for d in vaccines.schedule().table()]


@computes(*_rate_codes())
def _rates(ix: Indicators) -> list[Counted]:
    plan = vaccines.schedule()
    table = plan.table()
    choice = vaccines.series_choice(ix.store)
    latest = max(plan.rate_dose(d.id).by_months or 0 for d in table)
    for variant in plan.variants:  # a variant's dose may complete a place later
        latest = max([latest, *(m.get("by_months") or 0 for m in variant.doses.values())])
    children = _births(ix, add_months(ix.ws, -latest - 1), ix.we)
    given = vaccines.doses_of(ix.store, list(children)) if children else {}
    facts = vaccines.facts_of(ix.store, ix.forms, list(children)) if children else {}
    due: dict[str, set[int]] = {d.id: set() for d in table}
    done: dict[str, set[int]] = {d.id: set() for d in table}
    # per schedule (the plan and its few variants): each place's dose, the dose that
    # completes it and the births whose completion day can fall in the window (a
    # margin around the exact test, made only for those: 20,000 children and 22 places
    # at 265,000 residents)
    places: dict[int, list[tuple[str, Dose, Dose, dt.date, dt.date]]] = {}
    for rid, birth in children.items():
        sched = plan.for_child(facts.get(rid))
        mine_places = places.get(id(sched))
        if mine_places is None:
            mine_places = places[id(sched)] = []
            for row in table:
                target = sched.rate_dose(row.id)
                bounds = _born_between(target, ix.ws, ix.we)
                mine_places.append((row.id, sched.by_id[row.id], target, *bounds))
        closing = [
            (place, dose, target)
            for place, dose, target, first, last in mine_places
            if first <= birth <= last and ix.ws <= target.by(birth) <= ix.we
        ]
        if not closing:
            continue
        mine = {k: day for k, day in given.get(rid, {}).items() if day <= ix.we}
        used = sched.used(mine, choice)
        filled = sched.filled(mine)
        for place, dose, target in closing:
            if dose.vaccine.id not in used or any(k in mine for k in dose.skip_if_given):
                continue
            due[place].add(rid)
            if target.slot in filled:
                done[place].add(rid)
    return [Counted(f"{RATE}{d.id}", numerator=done[d.id], denominator=due[d.id]) for d in table]


def _born_between(dose: Dose, ws: dt.date, we: dt.date) -> tuple[dt.date, dt.date]:
    """Births from which to which ``dose``'s completion day (:meth:`Dose.by`) may fall in
    [ws, we]: a margin of a few days around the exact bounds (month lengths), the exact
    test made on each birth inside."""
    slack = dt.timedelta(days=4)
    if dose.by_days is not None:
        span = dt.timedelta(days=dose.by_days)
        return ws - span - slack, we - span + slack
    assert dose.by_months is not None
    return add_months(ws, -dose.by_months) - slack, add_months(we, -dose.by_months) + slack
