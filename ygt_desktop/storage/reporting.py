"""The quarterly report of this organisation: template, base data, indicators,
revision and submission, in one place for the page and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.report_model import Period, Report, Template, load_template
from ..paths import resources_dir
from . import locking
from .db import StoreError
from .entities import EntityRepo
from .indicators import Counted, Indicators, known_codes, values
from .organisation import get_organisation, get_setting
from .report_kept import KeptReport
from .workspace import Workspace

DEFAULT_TEMPLATE = "quarterly_report.toml"


@dataclass(frozen=True)
class Computed:
    report: Report
    counted: dict[str, Counted]


class Reporting:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.base_data = EntityRepo(ws.store, ws.forms["base_data"])

    @cached_property
    def template(self) -> Template:
        """The shipped template, or the file named by the setting ``report.template``
        (a bureau's changed template)."""
        chosen = get_setting(self.ws.store, "report.template")
        path = Path(chosen) if chosen else resources_dir() / "templates" / DEFAULT_TEMPLATE
        return load_template(path, known_codes())

    def base(self, year: int) -> dict[str, Any] | None:
        rows = self.base_data.rows("year = ?", (year,))
        return self.base_data.form.from_sql(rows[0]) if rows else None

    def base_id(self, year: int) -> int | None:
        rows = self.base_data.rows("year = ?", (year,))
        return int(rows[0]["id"]) if rows else None

    def compute(
        self,
        period: Period,
        *,
        generated_at: str | None = None,
        codes: Iterable[str] | None = None,
        indicators: Indicators | None = None,
    ) -> Computed:
        """The report of ``period``, from the kept figures where they can be used
        (:mod:`.report_kept`). ``indicators`` (made for the same year) shares the
        residents it has read with another computation of that year."""
        org = get_organisation(self.ws.store)
        if org is None:
            raise StoreError("尚未设置本机构信息")
        counted = self.kept(period.year, indicators).compute(period, codes)
        report = Report(
            org.code,
            org.name,
            org.level,
            org.parent_code or "",
            period,
            self.template,
            values(counted),
            revision=locking.revision(self.ws.store, period),
            generated_at=generated_at
            or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            app_version=__version__,
        )
        return Computed(report, counted)

    def earlier(self, period: Period, codes: Iterable[str]) -> list[Report]:
        """The same year's earlier quarters (year to date at each), ``codes`` only: the
        history a chart of the main rates draws."""
        wanted = list(codes)
        shared = self.indicators(period.year)  # one computer: what the quarters share is read once
        return [
            self.compute(Period(period.year, q), codes=wanted, indicators=shared).report
            for q in range(1, period.quarter)
        ]

    def kept(self, year: int, indicators: Indicators | None = None) -> KeptReport:
        """The kept report of ``year``'s quarters (computing whole with ``indicators``)."""
        return KeptReport(self.ws.store, self.ws.forms, self.template, self.base(year), indicators)

    def keep_up(self) -> list[Period]:
        """Bring the kept quarters up to date with the residents changed since, each
        only where those residents can be computed alone (0.2-0.4 s at 265,000
        residents; one that needs computing whole waits for its report). The window
        does it in the background every few minutes, so that the report page finds
        its quarter ready. Returns the quarters brought up to date."""
        done = []
        listing = KeptReport(self.ws.store, self.ws.forms, self.template, None)  # no base read
        for period in listing.marked():
            self.kept(period.year).compute(period, [])  # the kept sets only
            done.append(period)
        return done

    def indicators(self, year: int) -> Indicators:
        """The indicator computer of ``year`` (its base data)."""
        return Indicators(self.ws.store, self.ws.forms, self.template, self.base(year))

    def signers(self) -> dict[str, str]:
        """Who signs the report: the station head and the operator who fills it in."""
        out = {}
        if head := locking.head_name(self.ws.store):
            out["单位负责人"] = head
        if self.ws.store.role:  # the logged-in user fills it in
            out["填报人"] = self.ws.store.user
        elif operator := get_setting(self.ws.store, "operator"):
            out["填报人"] = operator
        return out

    def submit(self, period: Period) -> locking.Submission:
        """Mark the quarter submitted with the digest of its numbers now; its window
        is locked from then on."""
        if period.window_end > dt.date.today():
            raise StoreError(f"{period.label}尚未结束，不能上报")
        computed = self.compute(period)
        return locking.submit(self.ws.store, period, computed.report.meta()["digest"])
