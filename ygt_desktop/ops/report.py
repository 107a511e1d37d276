"""The quarterly report: compute it, write its files, write the line lists, submit.

Used by the 报表 page (through the job runner) and by ``ygt report/lists/submit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.report_model import Period, Report
from ..reports import line_lists_export, report_export
from ..reports.atomic import ExportError
from ..reports.line_lists import LineListError
from ..reports.workbook import WorkbookError
from ..reports.workbook_canonical import Signer
from ..storage import locking
from ..storage.reporting import Computed, Reporting
from . import keys, privacy
from .base import OpError, Run

WORKBOOK, PDF, JSON, LISTS = "workbook", "pdf", "json", "lists"
TITLES = {WORKBOOK: "上报工作簿", PDF: "报表 PDF", JSON: "JSON 文件", LISTS: "花名册"}
_FILE_ERRORS = (ExportError, LineListError, WorkbookError)


class PartlyWritten(OpError):
    """A file could not be written after others were; ``written`` names those."""

    def __init__(self, message: str, written: list[Path]) -> None:
        super().__init__(message)
        self.written = written


@dataclass
class ReportFiles:
    report: Report
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def compute(run: Run, period: Period) -> Computed:
    """Every indicator of ``period`` with the people behind each (the page's table)."""
    run.require("report.view")
    run.step(0, 0, f"正在计算{period.label}的各项指标…")
    return Reporting(run.ws).compute(period)


def write_files(
    run: Run,
    period: Period,
    *,
    xlsx: Path | None = None,
    pdf: Path | None = None,
    json: Path | None = None,
    chart: bool = True,
    signer: Signer | None = None,
) -> ReportFiles:
    """Compute the report once and write the files asked for, in the order JSON,
    workbook, PDF; each whole or not at all. A cancel stops between files;
    :class:`PartlyWritten` names the files written before one failed. ``signer`` (from
    :func:`.keys.signer_for`: the key holder's unlocked key) signs the workbook;
    without it the workbook is unsigned."""
    run.require("report.export")
    outputs = [
        (kind, out) for kind, out in ((JSON, json), (WORKBOOK, xlsx), (PDF, pdf)) if out is not None
    ]
    total = len(outputs) + 1
    run.step(0, total, f"正在计算{period.label}的各项指标…")
    reporting = Reporting(run.ws)
    report = reporting.compute(period).report
    done = ReportFiles(report)
    for n, (kind, out) in enumerate(outputs, start=1):
        run.step(n, total, f"正在写出{TITLES[kind]}…")
        try:
            if kind == JSON:
                report_export.json_rows(report, out)
            elif kind == WORKBOOK:
                report_export.workbook(reporting, report, out, signer=signer)
            else:
                done.warnings += report_export.pdf(reporting, report, out, chart=chart)
        except _FILE_ERRORS as exc:
            raise PartlyWritten(str(exc), done.written) from exc
        done.written.append(out)
    run.progress(total, total, "完成")
    return done


def write_signed_workbook(
    run: Run, period: Period, out: Path, *, password: str | None
) -> tuple[ReportFiles, str]:
    """The upward workbook to ``out``, signed when the acting user holds the key and
    ``password`` (theirs, asked again by the window) opens it; returns the files and a
    sentence saying whether it is signed and, if not, why (for the status)."""
    signing = keys.signer_for(run, password or "")
    done = write_files(run, period, xlsx=out, signer=signing.signer)
    return done, signing.note


def write_lists(
    run: Run, period: Period, out: Path, *, full_id: bool = False, full_phone: bool = False
) -> int:
    """The period's line lists (花名册) to ``out``; returns the number of sheets. ID and
    phone numbers are masked; full ones only when asked and allowed (``ids.unmask``,
    ``phones.view``), and such an export is audited."""
    run.require("report.lists")
    shown = privacy.unmasking(run, full_id=full_id, full_phone=full_phone)
    run.step(0, 0, f"正在整理{period.label}的花名册…")
    privacy.audit_export(run, shown, out, TITLES[LISTS])
    return line_lists_export.write(
        run.ws, period, out, full_id=full_id, full_phone=full_phone, checkpoint=run.check
    )


def submit(run: Run, period: Period) -> locking.Submission:
    """Mark ``period`` submitted and lock its records (corrections need the station
    head from then on)."""
    run.require("report.submit")
    run.step(0, 0, f"正在上报{period.label}…")
    return Reporting(run.ws).submit(period)
