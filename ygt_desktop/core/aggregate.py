"""A bureau's sums of its members' reports (spec exchange.md), their ranking, and the
deadline for a quarter's workbooks. Pure: the rows come from the caller.

Aggregation sums numerators and denominators per indicator over the members' current
submissions and recomputes each rate with :func:`~.report_model.rate` — a rate is
never averaged. A member whose rate has no denominator (a missing base figure) is left
out of that rate (numerator and denominator alike) and the row says so; counts are
summed. Sums are exact decimals of the numbers as written (a sum of prices such as
1234567.5 + 0.1 does not pick up binary noise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .report_model import COUNT, IndicatorValue, Period, Template, rate

DEFAULT_DEADLINE_DAY = 10


def deadline(period: Period, day: int = DEFAULT_DEADLINE_DAY) -> dt.date:
    """The last day a quarter's workbook counts as on time: ``day`` of the month after
    the quarter (default the 10th); a day past the month's end means its last day."""
    end = period.window_end
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    last = (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day  # month is 1, 4, 7 or 10
    return dt.date(year, month, min(max(day, 1), last))


Number = int | float


@dataclass(frozen=True)
class MemberFigures:
    """One member's current submission: ``values`` maps indicator code to
    (numerator, denominator, value) as in its ``_data`` rows (None where empty)."""

    org_code: str
    org_name: str
    revision: int
    values: Mapping[str, tuple[Number | None, Number | None, Number | None]]

    @property
    def child(self) -> str:
        """``org_code:revision`` as ``_meta`` ``children`` lists it."""
        return f"{self.org_code}:{self.revision}"


def _sum(numbers: Sequence[Number]) -> Number:
    total = sum(
        (Decimal(repr(n)) if isinstance(n, float) else Decimal(n) for n in numbers), Decimal(0)
    )
    return int(total) if total == total.to_integral_value() else float(total)


def aggregate(template: Template, members: Sequence[MemberFigures]) -> dict[str, IndicatorValue]:
    """The bureau's value of every indicator of ``template`` over ``members``."""
    out: dict[str, IndicatorValue] = {}
    for ind in template.indicators:
        triples = [m.values.get(ind.code, (None, None, None)) for m in members]
        if ind.kind == COUNT:
            counts = [t[0] for t in triples if t[0] is not None]
            out[ind.code] = (
                IndicatorValue.of_count(ind.code, _sum(counts))
                if counts
                else IndicatorValue(ind.code, None, None, None)
            )
            continue
        used = [(t[0], t[1]) for t in triples if t[0] is not None and t[1] is not None]
        left_out = sum(1 for t in triples if t[0] is not None and t[1] is None)
        if not used:
            numerators = [t[0] for t in triples if t[0] is not None]
            missing = "各成员机构均缺少分母（基础数据），不计算" if numerators else None
            out[ind.code] = IndicatorValue(
                ind.code, _sum(numerators) if numerators else None, None, None, missing
            )
            continue
        numerator = _sum([u[0] for u in used])
        denominator = _sum([u[1] for u in used])
        note = f"{left_out} 个成员机构缺少分母（基础数据），未计入" if left_out else None
        out[ind.code] = IndicatorValue(
            ind.code,
            numerator,
            denominator,
            rate(numerator, denominator),  # type: ignore[arg-type]
            note,
        )
    return out


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # 1 for the best; equal values share a rank; None without a value
    org_code: str
    org_name: str
    numerator: Number | None
    denominator: Number | None
    value: Number | None


def ranking(template: Template, members: Sequence[MemberFigures]) -> dict[str, list[Ranked]]:
    """For each rate indicator, the members from the highest value down (equal values
    share a rank: 1, 2, 2, 4), then those without a value, by code."""
    out: dict[str, list[Ranked]] = {}
    for ind in template.indicators:
        if ind.kind == COUNT:
            continue
        rows = []
        for m in members:
            n, d, v = m.values.get(ind.code, (None, None, None))
            rows.append((m, n, d, v))
        valued = sorted(
            (r for r in rows if r[3] is not None),
            key=lambda r: (-float(r[3]), r[0].org_code),  # type: ignore[arg-type]
        )
        ranked: list[Ranked] = []
        for i, (m, n, d, v) in enumerate(valued):
            same = ranked and ranked[-1].value == v
            rank = ranked[-1].rank if same else i + 1
            ranked.append(Ranked(rank, m.org_code, m.org_name, n, d, v))
        for m, n, d, _v in sorted((r for r in rows if r[3] is None), key=lambda r: r[0].org_code):
            ranked.append(Ranked(None, m.org_code, m.org_name, n, d, None))
        out[ind.code] = ranked
    return out
