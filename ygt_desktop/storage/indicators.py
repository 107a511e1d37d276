"""The quarterly report's indicators, computed from the records (spec indicators.md).

Every person-level indicator keeps the residents behind its numerator and its
denominator (or, when the denominator is a base figure, the residents that figure
stands for), so the report page can list the people to work on. Formulas follow the
spec; the thresholds and windows they use are template settings.

The sets are chosen in SQL (open archives on a day, age bands as birth-date bounds,
per-patient aggregates of the follow-ups, see :mod:`.id_sets` and
:mod:`.indicator_registers`): no Python object is made per resident or per record
besides the ids the sets hold (issue 15: the 265,000-resident demo station's report
about four times faster than with one object per resident).
``tests/storage/test_indicators_same.py`` holds every figure and set equal to the
computation this replaced.
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
from .id_sets import FORM_RECORDS, json_ids, residents_open

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


# An archive open on the day bound to ``:day``: made on or before it and not closed on
# or before it (a closed archive without a closing date counts as closed).
OPEN_ON = "r.deleted = 0 AND r.archive_date <= :day AND (r.status = '在档' OR r.status_date > :day)"


class Indicators:
    """Compute the template's indicators for a period (year to date).

    One computer serves several periods (:meth:`compute` each in turn); the sets it
    keeps (open archives and age bands by day) are read once. Not thread-safe: it uses
    the store's connection."""

    def __init__(
        self, store: Store, forms: FormRegistry, template: Template, base: Mapping[str, Any] | None
    ) -> None:
        self.store = store
        self.forms = forms
        self.template = template
        self.base = dict(base or {})
        self._open: dict[dt.date, set[int]] = {}
        self._aged: dict[tuple[dt.date, str, str], set[int]] = {}
        self._born: dict[tuple[dt.date, dt.date], dict[int, dt.date]] = {}

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
    def open_at(self, day: dt.date) -> set[int]:
        """Residents whose archive is open on ``day`` (:data:`OPEN_ON`)."""
        if day not in self._open:
            self._open[day] = residents_open(self.store.conn, OPEN_ON, {"day": day.isoformat()})
        return self._open[day]

    def aged(
        self,
        day: dt.date,
        *,
        years_from: int | None = None,
        years_below: int | None = None,
        months_below: int | None = None,
    ) -> set[int]:
        """Residents whose archive is open on ``day``, born by ``day``, whose age on
        ``day`` is in the band (from ``years_from`` years, below ``years_below`` years or
        ``months_below`` months)."""
        latest = day  # born on or before
        earliest = dt.date.min  # born after
        if years_from is not None:
            latest = min(latest, add_months(day, -12 * years_from))
        if years_below is not None:
            earliest = max(earliest, add_months(day, -12 * years_below))
        if months_below is not None:
            earliest = max(earliest, add_months(day, -months_below))
        low = "" if earliest == dt.date.min else earliest.isoformat()
        key = (day, low, latest.isoformat())
        if key not in self._aged:
            # the birth-date index alone answers the band; the open archives are a set
            born = json_ids(
                self.store.conn,
                "SELECT json_group_array(id) FROM residents WHERE birth_date > ? AND birth_date <= ?",
                key[1:],
            )
            self._aged[key] = born & self.open_at(day)
        return self._aged[key]

    def born(self, first: dt.date, last: dt.date) -> dict[int, dt.date]:
        """Residents (archive not deleted, open or closed) born in [``first``, ``last``]
        with their birth dates: the one reader of birth dates for the rules, through the
        birth-date index, read once per range. Callers filter (open on a day, a pool)."""
        key = (first, last)
        if key not in self._born:
            self._born[key] = {
                int(rid): dt.date.fromisoformat(b)
                for rid, b in self.store.conn.execute(
                    "SELECT id, birth_date FROM residents WHERE deleted = 0 "
                    "AND birth_date BETWEEN ? AND ?",
                    (first.isoformat(), last.isoformat()),
                )
            }
        return self._born[key]

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
        """Residents with a live record of ``form_id`` dated in the window."""
        if form_id not in self.forms:
            return set()
        return json_ids(
            self.store.conn,
            f"SELECT json_group_array(DISTINCT h.resident_id) FROM {FORM_RECORDS} "
            f"CROSS JOIN {self.forms[form_id].table} d ON d.record_id = h.id "
            "WHERE h.resident_id IS NOT NULL",
            self.window(form_id),
        )

    def window(self, form_id: str) -> dict[str, str]:
        """The parameters of :data:`FORM_RECORDS` for ``form_id`` in the window."""
        return {"form": form_id, "start": self.ws.isoformat(), "end": self.we.isoformat()}

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


from . import (  # noqa: E402, F401  (register the computations)
    indicator_rules,
    indicator_rules_children,
    indicator_rules_fd,
    indicator_rules_maternal,
    indicator_rules_tb_smi,
    indicator_rules_vaccines,
)
