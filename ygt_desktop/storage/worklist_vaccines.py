"""The worklist's 预防接种 doses (programme ``vaccine``): one item per dose of the 2021
schedule — the doses given (已访) and, of each series, the next dose to give, due from
the day it may be given (its earliest age, or the minimum interval after the dose
before) to the last day it is on time, 逾期 (补种) after (:func:`.core.vaccines.windows`),
by the child's 建证 facts (the mother's HBsAg and the birth weight: the HepB doses of a
low-birth-weight child). A place of a series with products for different ages has an
item per product (百白破第3剂 until 6 years, then 白破疫苗第3剂); the one given closes the
place and the others leave the list.

An item's form is ``vaccine_dose:<dose id>``: only a record of that dose fulfils it, so
a record of another dose given after a missed one's window (what closes an overdue
follow-up in the record sense) leaves the missed dose 逾期 until it is given.

Children under :data:`WORKLIST_YEARS` only: the schedule's completion ages end at 7
years; older children's catch-up doses are on their vaccination card. The 建证 item of
the ``vaccination`` programme stays as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..core import schedules as sch
from ..core import vaccines as vac
from . import vaccines
from .db import Store

if TYPE_CHECKING:
    from .worklist import Worklist

PROGRAMME = "vaccine"
WORKLIST_YEARS = 7
_SLACK = dt.timedelta(days=3)


def gather(wl: Worklist, start: dt.date, end: dt.date) -> Iterator[tuple[int, sch.Due, str | None]]:
    """The dose items of the children whose windows can overlap [start, end]."""
    if vaccines.FORM_ID not in wl.forms:
        return
    plan = vaccines.schedule()
    choice = vaccines.series_choice(wl.store)
    people = wl._people(sch.add_months(start, -12 * WORKLIST_YEARS) - _SLACK, end)
    if not people:
        return
    only = None if not wl._only else [rid for _, rid in people]
    doses = vaccines.doses_of(wl.store, only)
    facts = vaccines.facts_of(wl.store, wl.forms, only)
    for birth, rid in people:
        for window in vac.windows(plan, birth, doses.get(rid, {}), choice, facts.get(rid)):
            yield (
                rid,
                sch.Due(
                    PROGRAMME,
                    f"{vaccines.FORM_ID}:{window.dose.id}",
                    window.dose.label,
                    window.start,
                    window.end,
                    window.done,
                ),
                None,
            )


def fingerprint(store: Store) -> dict[str, str]:
    """What the kept items were derived with besides the form files: the station's
    JE / HepA choice (a change derives them again)."""
    return vaccines.series_choice(store)
