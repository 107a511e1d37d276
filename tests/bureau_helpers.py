"""Helpers for the bureau tests: a district bureau with five member stations, station
reports with values known by construction, and the ways to hand them over (a workbook
file written by the station's own writer, or straight to storage).

A test module makes the fixture ``bureau_ws`` (a district with five stations) with
``_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from tests.conftest import add_test_user
from tests.reports.report_helpers import TEMPLATE, sample_report, values_for
from ygt_desktop.core.report_model import IndicatorValue, Period, Report
from ygt_desktop.core.roster import MemberRow
from ygt_desktop.reports.bureau_import import ImportRun, import_paths
from ygt_desktop.reports.workbook import write_workbook
from ygt_desktop.storage import roster
from ygt_desktop.storage.organisation import Organisation, set_organisation
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.submissions import Incoming
from ygt_desktop.storage.workspace import Workspace

BUREAU = Organisation("530102", "五华区卫生健康局", "区", "530100")
CITY = Organisation("530100", "昆明市卫生健康委员会", "市", "530000")
STATIONS = [(f"530102{n:03d}", f"五华区第{n}社区卫生服务站") for n in range(1, 6)]
PERIOD = Period.parse("2026Q3")


def make_bureau(
    path: Path, forms, org: Organisation = BUREAU, stations=tuple(STATIONS)
) -> Workspace:
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, org)
    level = "站" if org.level == "区" else "区"
    roster.import_roster(
        ws.store,
        [
            MemberRow(code, name, level, org.code, n)
            for n, (code, name) in enumerate(stations, start=2)
        ],
    )
    add_test_user(ws)  # the bureau's 管理员
    return ws


def bureau_workspace(tmp_path: Path, forms) -> Iterator[Workspace]:
    """A district bureau (530102) with the five stations of STATIONS on its roster."""
    ws = make_bureau(tmp_path / "bureau.db", forms)
    yield ws
    ws.close(backup_on_exit=False)


def station_report(
    n: int, *, scale: float = 1.0, revision: int = 1, period: Period = PERIOD, **changes
) -> Report:
    """Station ``n`` (1–5) of STATIONS: the sample report's values scaled by ``scale``."""
    code, name = STATIONS[n - 1]
    fields = {
        "org_code": code,
        "org_name": name,
        "parent_code": BUREAU.code,
        "period": period,
        "values": values_for(scale),
        "revision": revision,
    }
    return sample_report(**{**fields, **changes})


def with_value(report: Report, code: str, numerator, denominator=None) -> Report:
    """``report`` with one indicator's figures changed (value recomputed)."""
    ind = TEMPLATE.indicator(code)
    value = (
        IndicatorValue.of_count(code, numerator)
        if ind.kind == "count"
        else IndicatorValue.of_rate(code, numerator, denominator)
    )
    return replace(report, values={**report.values, code: value})


def write_station(report: Report, folder: Path, name: str | None = None) -> Path:
    """The station's upward workbook, written by the station's own writer."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (name or f"{report.org_code}_{report.period}_第{report.revision}版.xlsx")
    write_workbook(report, out)
    return out


def incoming(report: Report, name: str = "", *, salt: str = "") -> Incoming:
    """``report`` as the importer hands it to storage (no file involved)."""
    meta = report.meta()
    sha = hashlib.sha256(f"{meta['digest']}{report.revision}{name}{salt}".encode()).hexdigest()
    file_name = name or f"{report.org_code}_{report.revision}.xlsx"
    return Incoming(file_name, f"/usb/{file_name}", sha, None, meta, report.data_rows())


IMPORT_DAY = dt.date(2026, 11, 20)  # "today" of the bureau tests' imports


def import_files(ws: Workspace, *paths: Path | str, **kw: object) -> ImportRun:
    """Import ``paths`` into the bureau ``ws`` as on :data:`IMPORT_DAY` (unless
    ``today=`` says otherwise), with the template the bureau's own report uses."""
    kw.setdefault("today", IMPORT_DAY)
    return import_paths(ws, [Path(p) for p in paths], Reporting(ws).template, **kw)  # type: ignore[arg-type]
