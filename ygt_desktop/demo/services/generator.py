"""The public entry point: :func:`generate_services` runs the concerns per household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from ...core import tcm
from .children import ChildrenMixin
from .chronic import ChronicMixin
from .clinic import ClinicMixin
from .common import Person, Record
from .elderly import ElderlyMixin
from .infectious import InfectiousMixin
from .maternal import MaternalMixin
from .state import _PersonState
from .station_logs import StationLogsMixin
from .vaccines import VaccinesMixin


def generate_services(
    people: Iterable[Person],
    today: dt.date,
    seed: int,
    *,
    scoring: tcm.ScoringConfig = tcm.DEFAULT,
    since: dt.date | None = None,
    station_logs: bool = True,
) -> Iterator[Record]:
    """Yield the service records of ``people`` (a station's residents) up to ``today``.

    Residents sharing a ``household`` must come together (mothers and their babies are
    paired within it). ``scoring`` is the tcm_elderly form's ``[scoring]`` (so derived
    constitution results match the form); ``since`` drops records before that day;
    ``station_logs`` False leaves out the station's 健康教育 and 卫生监督协管 logs (when
    the station already has them).
    """
    gen = _Generator(today, seed, scoring, since)
    return gen.run(people, station_logs)


class _Generator(
    ChronicMixin,
    ElderlyMixin,
    ChildrenMixin,
    MaternalMixin,
    InfectiousMixin,
    StationLogsMixin,
    ClinicMixin,
    VaccinesMixin,
):
    """Every concern over one shared state (:class:`.common.GeneratorBase`).

    Per household: plan the births, then per resident, in this order, the chronic
    programmes, 65+, child health, pregnancies, tuberculosis, infectious diseases, the
    clinic visits (their own stream); the station logs last. The order is the order of
    draws from the one stream.
    """

    # ---- the run ----------------------------------------------------------------------
    def run(self, people: Iterable[Person], station_logs: bool) -> Iterator[Record]:
        household: list[Person] = []
        key: str | None = None
        for p in people:
            self.first_year = min(self.first_year, p.archive_date.year)
            if household and (p.household is None or p.household != key):
                yield from self.household(household)
                household = []
            household.append(p)
            key = p.household
        if household:
            yield from self.household(household)
        if station_logs:
            yield from self.station_logs()

    def household(self, members: list[Person]) -> Iterator[Record]:
        births, pregnancies = self.plan_births(members)
        for p in members:
            first, last = self.window(p)
            if first > last:
                continue
            state = _PersonState(self, p, first, last)
            yield from self.chronic(state)
            yield from self.elderly(state)
            # the child's records, its 建证 record given the card's header items, then the
            # doses those call for (demo/services/vaccines.py: its own stream)
            yield from self.vaccine_doses(state, self.child(state, births.get(p.id)))
            yield from self.pregnancies(state, pregnancies.get(p.id, []), members)
            yield from self.tb(state)
            yield from self.infectious(state)
            yield from self.clinic(state, state.htn or state.dm)
