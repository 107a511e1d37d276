"""The quarterly report's indicators, computed from the records (spec indicators.md).

Every person-level indicator keeps the residents behind its numerator and its
denominator (or, when the denominator is a base figure, the residents that figure
stands for), so the report page can list the people to work on. Formulas follow the
spec; the thresholds and windows they use are template settings.

One pass loads the residents (birth, archive and status dates) once; each indicator
then reads only its own records with indexed queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..core.forms import FormRegistry
from ..core.report_model import IndicatorValue, Period, Template
from ..core.schedules import add_months
from .db import Store

FACE_TO_FACE = ("1", "2")
OPEN = "在档"
BASE_LABELS = {
    "population": "常住人口数",
    "pop_35": "35岁及以上常住人口数",
    "pop_65": "65岁及以上常住居民数",
    "children_0_6": "0～6岁儿童数",
    "children_0_36": "0～36个月儿童数",
}


@dataclass
class Counted:
    """One indicator: ``numerator`` ids, ``denominator`` ids (None when the denominator
    is a base figure, then ``base`` holds it and ``pool`` the residents it stands for),
    or plain numbers for counts and station-level logs."""

    code: str
    numerator: set[int] = field(default_factory=set)
    denominator: set[int] | None = None
    pool: set[int] | None = None
    base: int | None = None
    missing: str | None = None
    count: float | None = None  # a count indicator's number
    records: int | None = None  # record-level numerator (not people)
    record_denominator: int | None = None

    def value(self) -> IndicatorValue:
        if self.count is not None:
            return IndicatorValue.of_count(self.code, self.count)
        num = self.records if self.records is not None else len(self.numerator)
        if self.record_denominator is not None:
            return IndicatorValue.of_rate(self.code, num, self.record_denominator)
        if self.denominator is not None:
            return IndicatorValue.of_rate(self.code, num, len(self.denominator))
        return IndicatorValue.of_rate(self.code, num, self.base, self.missing)

    def gap(self) -> set[int]:
        """Residents in the denominator (or the pool) but not in the numerator."""
        whole = self.denominator if self.denominator is not None else (self.pool or set())
        return whole - self.numerator


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _half_up(x: float) -> int:
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Person:
    """A resident's dates as ISO text (compared as text: loading 100,000 stays cheap)."""

    birth: str | None
    archived: str | None
    closed: str | None  # when the archive was closed (迁出/死亡/注销; "" if unknown), None if open


class Indicators:
    """Compute the template's indicators for a period (year to date)."""

    def __init__(
        self, store: Store, forms: FormRegistry, template: Template, base: Mapping[str, Any] | None
    ) -> None:
        self.store = store
        self.forms = forms
        self.template = template
        self.base = dict(base or {})
        self._people: dict[int, Person] | None = None
        self._open: dict[dt.date, set[int]] = {}

    # ---- public ------------------------------------------------------------------
    def compute(self, period: Period, codes: Iterable[str] | None = None) -> dict[str, Counted]:
        wanted = list(codes) if codes is not None else [i.code for i in self.template.indicators]
        self.at(period)
        out: dict[str, Counted] = {}
        for code in wanted:
            if code in out:
                continue
            fn = COMPUTERS.get(code)
            if fn is None:
                continue
            for counted in fn(self):
                out[counted.code] = counted
        return {c: out[c] for c in wanted if c in out}

    def at(self, period: Period) -> None:
        """Work on ``period``'s window (compute does this; line lists call it alone)."""
        self.period = period
        self.ws, self.we = period.window_start, period.window_end

    # ---- shared facts ------------------------------------------------------------
    @property
    def people(self) -> dict[int, Person]:
        if self._people is None:
            people = {}
            for rid, birth, archived, status, status_date in self.store.conn.execute(
                "SELECT id, birth_date, archive_date, status, status_date FROM residents "
                "WHERE deleted = 0"
            ):
                closed = None if status == OPEN else (status_date or "")
                people[rid] = Person(birth, archived, closed)
            self._people = people
        return self._people

    def open_at(self, day: dt.date) -> set[int]:
        """Archives created on or before ``day`` and not closed on or before it."""
        if day not in self._open:
            iso = day.isoformat()
            self._open[day] = {
                rid
                for rid, p in self.people.items()
                if p.archived is not None
                and p.archived <= iso
                and (p.closed is None or p.closed > iso)
            }
        return self._open[day]

    def aged(
        self,
        ids: Iterable[int],
        day: dt.date,
        *,
        years_from: int | None = None,
        years_below: int | None = None,
        months_below: int | None = None,
    ) -> set[int]:
        """Those of ``ids`` born by ``day`` whose age on ``day`` is in the band."""
        latest = day  # born on or before
        earliest = dt.date.min  # born after
        if years_from is not None:
            latest = min(latest, add_months(day, -12 * years_from))
        if years_below is not None:
            earliest = max(earliest, add_months(day, -12 * years_below))
        if months_below is not None:
            earliest = max(earliest, add_months(day, -months_below))
        people = self.people
        low = "" if earliest == dt.date.min else earliest.isoformat()
        high = latest.isoformat()
        return {rid for rid in ids if (b := people[rid].birth) is not None and low < b <= high}

    def rows(
        self,
        form_id: str,
        columns: str = "",
        start: dt.date | None = None,
        end: dt.date | None = None,
        extra: str = "",
    ) -> list[tuple[Any, ...]]:
        """(record id, resident, service date[, columns…]) of a form's live records,
        service date in [start, end] (window by default)."""
        if form_id not in self.forms:
            return []
        table = self.forms[form_id].table
        cols = f", {columns}" if columns else ""
        return self.store.conn.execute(
            f"SELECT h.id, h.resident_id, h.service_date{cols} FROM service_records h "
            f"JOIN {table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            f"AND h.service_date BETWEEN ? AND ? {extra}",
            (form_id, (start or self.ws).isoformat(), (end or self.we).isoformat()),
        ).fetchall()

    def residents_with(self, form_id: str) -> set[int]:
        return {r[1] for r in self.rows(form_id) if r[1] is not None}

    def base_figure(self, key: str) -> tuple[int | None, str | None]:
        value = self.base.get(key)
        if value is None:
            return None, f"缺少{self.period.year}年基础数据：{BASE_LABELS.get(key, key)}"
        return int(value), None

    def setting(self, key: str, default: Any) -> Any:
        return self.template.setting(key, default)


Computer = Callable[[Indicators], list[Counted]]
COMPUTERS: dict[str, Computer] = {}


def computes(*codes: str) -> Callable[[Computer], Computer]:
    """Register ``fn`` as the computation of ``codes`` (it returns one Counted each)."""

    def register(fn: Computer) -> Computer:
        for code in codes:
            COMPUTERS[code] = fn
        return fn

    return register


def known_codes() -> set[str]:
    """The codes this app can compute (a template may use only these)."""
    return set(COMPUTERS)


def values(counted: Mapping[str, Counted]) -> dict[str, IndicatorValue]:
    return {code: c.value() for code, c in counted.items()}


from . import indicator_rules, indicator_rules_fd  # noqa: E402, F401  (register the computations)
