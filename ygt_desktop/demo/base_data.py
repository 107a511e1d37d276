"""The year's base figures (基础数据) for a demo station, estimated from its archives.

A real station types the figures the bureau issues. The demo estimates them from the
population it generated so that every rate has a plausible denominator: the archive
covers most, not all, of the resident population (``COVERAGE``), children slightly
more (they are archived at birth).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core.dates import age_months, age_years
from ..storage.entities import EntityRepo
from ..storage.workspace import Workspace

COVERAGE = 0.88  # archives / resident population in a well-run station
CHILD_COVERAGE = 0.95
HTN_PREVALENCE = 25.2  # the national figures among the 35+ (spec indicators.md)
DM_PREVALENCE = 9.7


def estimate(ws: Workspace, year: int, on: dt.date) -> dict[str, Any]:
    """Base figures for ``year`` from the archives open on ``on``."""
    counts = {
        "population": 0,
        "pop_35": 0,
        "pop_65": 0,
        "children_0_6": 0,
        "children_0_36": 0,
        "live_births": 0,
    }
    iso = on.isoformat()
    for (birth_text,) in ws.store.conn.execute(
        "SELECT birth_date FROM residents WHERE deleted = 0 AND archive_date <= ? "
        "AND (status = '在档' OR status_date > ?) AND birth_date IS NOT NULL",
        (iso, iso),
    ):
        birth = dt.date.fromisoformat(birth_text)
        if birth > on:
            continue
        age = age_years(birth, on)
        counts["population"] += 1
        counts["pop_35"] += age >= 35
        counts["pop_65"] += age >= 65
        counts["children_0_6"] += age < 7
        counts["children_0_36"] += age_months(birth, on) < 37
        counts["live_births"] += birth.year == year
    adults = {k: round(counts[k] / COVERAGE) for k in ("population", "pop_35", "pop_65")}
    children = {
        k: round(counts[k] / CHILD_COVERAGE)
        for k in ("children_0_6", "children_0_36", "live_births")
    }
    return {
        "year": year,
        **adults,
        **children,
        "htn_prevalence": HTN_PREVALENCE,
        "dm_prevalence": DM_PREVALENCE,
        "source": "演示数据：按档案人数估算",
    }


def fill_demo(ws: Workspace, today: dt.date, years: int = 2) -> int:
    """Base figures for this year and the ones before, where none were typed yet."""
    repo = EntityRepo(ws.store, ws.forms["base_data"])
    made = 0
    for year in range(today.year - years + 1, today.year + 1):
        if repo.rows("year = ?", (year,)):
            continue
        repo.save(estimate(ws, year, min(dt.date(year, 12, 31), today)), reason="生成演示数据")
        made += 1
    return made
