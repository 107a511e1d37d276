"""The worklist (待办随访): the items of a range, view and filters, and its PDF and CSV
files (the PDF one line per resident, the CSV one row per item).

Used by ``ygt worklist`` and the 待办随访 page's 打印 and 导出 (through the job runner),
which also prepares the kept rows in the background (:func:`prepare`) and reads a long
view's lines there while the page shows the first ones (:func:`read_lines`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.masking import Shown
from ..reports import worklist_rows as rows
from ..reports.atomic import ExportError, export_error
from ..reports.worklist_pdf import render_worklist
from ..storage.organisation import villages
from ..storage.worklist import DUE_VIEW, VIEWS, ResidentDue, WorkItem, by_resident
from ..storage.worklist_lines import Line, LinesQuery
from . import privacy
from .base import OpError, Run
from .report import PartlyWritten

PDF, CSV = "pdf", "csv"
TITLES = {PDF: "待办随访名单", CSV: "待办随访表格"}


@dataclass(frozen=True)
class Query:
    """Which items: the range ``start``–``end``, statuses and ages as on ``on``, the
    filters (``village`` is a village code; None or empty means all) and the ``view``
    (:data:`~ygt_desktop.storage.worklist.VIEWS`; by default 到期: what is due or
    overdue now, see :mod:`ygt_desktop.storage.worklist`)."""

    start: dt.date
    end: dt.date
    on: dt.date
    packages: Sequence[str] | None = None
    village: str | None = None
    statuses: Sequence[str] | None = None
    doctor: str | None = None
    view: str = DUE_VIEW

    def file_name(self, suffix: str) -> str:
        """``待办随访_2026-11-23至2026-11-29.pdf`` (``待办随访_本年未做_…`` for a view
        other than 到期): the name offered when saving."""
        view = "" if self.view == DUE_VIEW else f"{self.view}_"
        return f"待办随访_{view}{self.start.isoformat()}至{self.end.isoformat()}{suffix}"


def week_range(
    on: dt.date | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date, dt.date]:
    """``(start, end, on)`` with the defaults of ``ygt worklist``: ``on`` today, ``start``
    the Monday of ``on``'s week, ``end`` the Sunday of ``start``'s week."""
    on = on or dt.date.today()
    start = start or rows.week_of(on)[0]
    return start, end or rows.week_of(start)[1], on


@dataclass
class Listing:
    """The items of a :class:`Query`, and what a list printed from them says."""

    query: Query
    items: list[WorkItem]
    village_names: dict[str, str]
    org_name: str

    @property
    def lines(self) -> list[ResidentDue]:
        """The items as one line per resident, worst status first."""
        return by_resident(self.items)

    @property
    def filters(self) -> str:
        """The view and filters in words (the village with its name)."""
        q = self.query
        village = f"{q.village} {self.village_names[q.village]}" if q.village else None
        return rows.filters_text(q.packages, village, q.statuses, q.doctor, q.view)

    @property
    def counts(self) -> str:
        """``共 12 项 9 人：逾期 3 人，应访 6 人`` (people by their worst status; the 本年未做
        view adds ``；中医体质辨识 629 人未做，…``), or ``没有待办随访``."""
        return rows.view_counts_text(self.items, self.query.view)


@dataclass
class Exported:
    listing: Listing
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def items(run: Run, query: Query) -> Listing:
    """The due items of ``query``, overdue first (see ``Worklist.items``). An unknown
    village or doctor, or an end before the start, is an :class:`OpError` naming the
    choices there are."""
    run.require("worklist.view")
    run.step(0, 0, "正在整理待办随访…")
    return _gather(run, query)


def prepare(run: Run) -> int:
    """Derive every resident's kept worklist rows (the window's worker, when the 待办随访
    page finds them all stale: an upgraded database, a new year; see
    ``Worklist.fill_kept``); returns how many there are. Saves made meanwhile are kept
    and derived at the next list; a cancel stops between transactions, and the rows
    are filled again next time."""
    run.require("worklist.view")
    return run.ws.worklist.fill_kept(step=run.step)


def read_lines(run: Run, query: LinesQuery) -> tuple[list[Line], str | None]:
    """Every line of the 待办随访 page's ``query`` (its range, day, view and statuses),
    read in the background while the page shows the first ones (``Worklist.view`` with
    ``first``), and the kept rows' version they were read at; the page hands them to
    its Worklist (``Worklist.adopt_lines``). Reads only."""
    run.require("worklist.view")
    return run.ws.worklist.read_lines(query)


def _gather(run: Run, query: Query) -> Listing:
    if query.end < query.start:
        raise OpError(f"结束日期 {query.end} 不能早于开始日期 {query.start}")
    if query.view not in VIEWS:
        raise OpError(f"视图应为 {'、'.join(VIEWS)} 之一（现为 {query.view}）")
    ws = run.ws
    names = {v.code: v.name for v in villages(ws.store)}
    if query.village and query.village not in names:
        known = "、".join(f"{c} {n}" for c, n in names.items()) or "无"
        raise OpError(f"居委/村委代码 {query.village} 不存在（已有：{known}）")
    if query.doctor:
        doctors = ws.worklist.doctors()
        if query.doctor not in doctors:
            known = "、".join(doctors) or "无"
            raise OpError(f"没有责任医生为“{query.doctor}”的居民（已有：{known}）")
    found = ws.worklist.items(
        query.start,
        query.end,
        query.on,
        packages=query.packages,
        village=query.village or None,
        statuses=query.statuses,
        doctor=query.doctor or None,
        view=query.view,
    )
    org = ws.organisation
    return Listing(query, found, names, org.name if org else "")


def export(
    run: Run,
    query: Query,
    *,
    pdf: Path | None = None,
    csv: Path | None = None,
    full_phone: bool = False,
) -> Exported:
    """The items of ``query`` as a PDF list (A4 landscape, one line per resident) and/or
    a CSV table (one row per item), in that order; each file whole or not at all (written beside, then renamed). Phone numbers
    are masked unless ``full_phone`` (``phones.view``; such an export is audited). A write that
    fails raises :class:`~ygt_desktop.reports.atomic.ExportError` (Chinese, naming the
    file and what to do), or :class:`PartlyWritten` when an earlier file was written.
    A cancel stops between files."""
    run.require("worklist.export")
    shown = privacy.unmasking(run, full_phone=full_phone)
    outputs = [(kind, out) for kind, out in ((PDF, pdf), (CSV, csv)) if out is not None]
    total = len(outputs) + 1
    run.step(0, total, "正在整理待办随访…")
    listing = _gather(run, query)
    done = Exported(listing)
    for n, (kind, out) in enumerate(outputs, start=1):
        run.step(n, total, f"正在写出{TITLES[kind]}…")
        privacy.audit_export(run, shown, out, TITLES[kind])
        try:
            _write(kind, listing, out, done, shown)
        except ExportError as exc:
            if done.written:
                raise PartlyWritten(str(exc), done.written) from exc
            raise
        done.written.append(out)
    run.progress(total, total, "完成")
    return done


def _write(kind: str, listing: Listing, out: Path, done: Exported, shown: Shown) -> None:
    q = listing.query
    try:
        if kind == PDF:
            done.warnings += render_worklist(
                listing.lines,
                out,
                org_name=listing.org_name,
                start=q.start,
                end=q.end,
                on=q.on,
                filters_text=listing.filters,
                village_names=listing.village_names,
                shown=shown,
                counts=listing.counts,
            )
        else:
            rows.write_csv(
                listing.items, out, on=q.on, village_names=listing.village_names, shown=shown
            )
    except OSError as exc:
        raise export_error(exc, out, TITLES[kind]) from exc
