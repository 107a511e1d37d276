"""A district or city bureau's operations: the roster, importing members' workbooks,
who has reported, the summed report and the receipts.

Used by the bureau pages (through the job runner) and by ``ygt bureau …``. Every
function checks its permission first (the dotted name is in its docstring), then that
the database is a bureau's (:class:`~ygt_desktop.storage.db.StoreError` in Chinese
otherwise), reports progress and stops between files or members when cancelled.
Files are written whole or not at all (:func:`~ygt_desktop.reports.atomic.save_export`).

Permissions: ``bureau.roster.view``, ``bureau.roster.import``, ``bureau.roster.export``,
``bureau.import``, ``bureau.status.view``, ``bureau.status.export``,
``bureau.report.view``, ``bureau.report.export``, ``bureau.receipts``,
``bureau.withdraw``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.report_model import Period
from ..core.roster import RosterFileError
from ..reports import bureau_report, bureau_status, receipt_pdf
from ..reports.atomic import ExportError, save_export, write_error_reason
from ..reports.bureau_report import BureauReport
from ..reports.bureau_status import PeriodStatus
from ..reports.roster_file import read_roster, roster_csv
from ..reports.workbook import WorkbookError
from ..reports.workbook_canonical import Signer
from ..storage import roster, submissions
from ..storage.organisation import Organisation
from ..storage.residents import ValidationFailed
from ..storage.roster import Member, RosterImport
from ..storage.submissions import Submission, WithdrawRefused
from .base import OpError, Run

if TYPE_CHECKING:
    from ..reports.bureau_import import ImportRun

WORKBOOK, PDF = "workbook", "pdf"
TITLES = {WORKBOOK: "汇总工作簿", PDF: "汇总报表 PDF"}


class RosterRefused(OpError):
    """The roster file was not imported (nothing of it was used). ``str(exc)`` is the
    window's sentence (file name, each problem on a line); ``detail`` is the problems
    alone as the reader or the store put them, for the command line."""

    def __init__(self, path: Path, message: str, detail: str) -> None:
        super().__init__(message)
        self.path = path
        self.detail = detail


class NothingToSum(OpError):
    """No member's workbook has been accepted for the period."""


class ReportPartlyWritten(OpError):
    """A file of the district report could not be written after others were;
    ``written`` names those (each complete)."""

    def __init__(self, message: str, written: list[Path]) -> None:
        super().__init__(message)
        self.written = written


def _bureau(run: Run) -> Organisation:
    return roster.bureau(run.ws.store)


# ---- roster -----------------------------------------------------------------------------
def members(run: Run, *, active_only: bool = False, search: str = "") -> list[Member]:
    """The roster by code (``bureau.roster.view``)."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.roster.view")
    return roster.members(run.ws.store, active_only=active_only, search=search)


def import_roster(run: Run, path: Path) -> RosterImport:
    """Read a roster file (.xlsx or .csv) and add or update its members, all in one
    transaction or not at all (``bureau.roster.import``). :class:`RosterRefused` names
    the file and every problem when any row is wrong."""
    org = _bureau(run)  # a station database: say so before any permission
    run.require("bureau.roster.import")
    path = Path(path)
    run.step(0, 2, f"正在读取名册 {path.name}…")
    try:
        rows = read_roster(path, org.level, bureau_code=org.code)
        run.step(1, 2, f"正在保存名册（{len(rows)} 个机构）…")
        done = roster.import_roster(run.ws.store, rows)
    except RosterFileError as exc:
        raise RosterRefused(
            path, f"名册 {path.name} 未导入，请改正后重新导入：\n{exc}", str(exc)
        ) from exc
    except ValidationFailed as exc:
        raise RosterRefused(
            path, f"名册 {path.name} 未导入：\n" + "\n".join(exc.errors.values()), str(exc)
        ) from exc
    run.progress(2, 2, "完成")
    return done


def export_members(run: Run, out: Path) -> int:
    """Every member to a CSV file that imports again (``bureau.roster.export``); returns
    the number of members written."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.roster.export")
    run.step(0, 0, f"正在导出名册到 {Path(out).name}…")
    every = roster.members(run.ws.store)
    save_export(
        roster_csv([(m.code, m.name, m.level, m.parent_code) for m in every]), Path(out), "名册"
    )
    return len(every)


# ---- importing members' workbooks -------------------------------------------------------
def import_workbooks(
    run: Run, paths: Sequence[Path], *, periods: Sequence[Period] | None = None
) -> ImportRun:
    """Import every workbook in ``paths`` (files, folders walked) and say per file what
    became of it (``bureau.import``).

    A cancel stops between files and returns the partial :class:`ImportRun` with
    ``cancelled`` set (its summary says how many files were left): each file is stored
    in its own transaction, so the files stored before the cancel stay, none is half
    stored, and importing the same folder again adds the rest (duplicates change
    nothing). Files are read first and stored afterwards, so a cancel while reading
    stores none of them."""
    from ..reports import bureau_import  # the workbook reader: loaded when first used
    from ..storage.reporting import Reporting

    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.import")
    run.step(0, 0, "正在查找工作簿…")
    return bureau_import.import_paths(
        run.ws,
        [Path(p) for p in paths],
        Reporting(run.ws).template,
        periods=periods or None,
        progress=run.progress,
        cancelled=run.cancelled,
    )


# ---- withdrawing an accepted submission -------------------------------------------------
class WithdrawFailed(OpError):
    """The submission was not withdrawn (none such, withdrawn already, no reason)."""


def withdraw(run: Run, org_code: str, period: Period, revision: int, reason: str) -> Submission:
    """Withdraw (撤销) the accepted revision ``revision`` of ``org_code`` for ``period``
    with ``reason`` (``bureau.withdraw``): kept and marked, audited with the reason;
    from then on the status, the report and the receipts leave it out and show it as
    已撤销, and the member's next file is judged as if it had never arrived."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.withdraw")
    try:
        return submissions.withdraw(run.ws.store, org_code, str(period), revision, reason)
    except WithdrawRefused as exc:
        raise WithdrawFailed(str(exc)) from exc


# ---- status ------------------------------------------------------------------------------
def status(run: Run, period: Period, *, deadline_day: int | None = None) -> PeriodStatus:
    """Who has reported for ``period`` (``bureau.status.view``)."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.status.view")
    return bureau_status.period_status(run.ws, period, deadline_day=deadline_day)


def export_status(
    run: Run, period: Period, out: Path, *, deadline_day: int | None = None
) -> PeriodStatus:
    """The status table to ``out`` — ``.csv`` as CSV, else a workbook
    (``bureau.status.export``); returns the status written."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.status.export")
    run.step(0, 2, f"正在整理{period.label}的上报情况…")
    found = bureau_status.period_status(run.ws, period, deadline_day=deadline_day)
    run.step(1, 2, f"正在写出 {Path(out).name}…")
    bureau_status.write_status(found, Path(out))
    run.progress(2, 2, "完成")
    return found


# ---- the district (city) report ---------------------------------------------------------
def district_report(run: Run, period: Period) -> BureauReport:
    """The members' current workbooks of ``period`` summed (``bureau.report.view``);
    ``used`` is empty when none has been accepted."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.report.view")
    run.step(0, 0, f"正在汇总{period.label}各机构的数据…")
    return bureau_report.build(run.ws, period)


@dataclass
class ReportFiles:
    result: BureauReport
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def write_report(
    run: Run,
    period: Period,
    *,
    xlsx: Path | None = None,
    pdf: Path | None = None,
    signer: Signer | None = None,
) -> ReportFiles:
    """Sum ``period`` and write the workbook (with 排名) and/or the PDF, in that order,
    each whole or not at all (``bureau.report.export``). :class:`NothingToSum` when no
    workbook has been accepted; a cancel stops between files (OpCancelled);
    :class:`ReportPartlyWritten` names the files written before one failed. ``signer``
    (:func:`.keys.signer_for`) signs the workbook with the bureau's key."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.report.export")
    outputs = [(kind, Path(out)) for kind, out in ((WORKBOOK, xlsx), (PDF, pdf)) if out is not None]
    total = len(outputs) + 1
    run.step(0, total, f"正在汇总{period.label}各机构的数据…")
    result = bureau_report.build(run.ws, period)
    if not result.used:
        raise NothingToSum(f"{period.label}还没有接收到任何成员机构的工作簿，无法汇总")
    done = ReportFiles(result)
    for n, (kind, out) in enumerate(outputs, start=1):
        run.step(n, total, f"正在写出{TITLES[kind]} {out.name}…")
        try:
            if kind == WORKBOOK:
                bureau_report.write_workbook_file(run.ws, result, out, signer=signer)
            else:
                done.warnings += bureau_report.write_pdf_file(run.ws, result, out)
        except (ExportError, WorkbookError) as exc:
            raise ReportPartlyWritten(str(exc), done.written) from exc
        done.written.append(out)
    run.progress(total, total, "完成")
    return done


# ---- receipts ---------------------------------------------------------------------------
@dataclass
class Receipts:
    """The receipts written (each complete) into ``folder``; ``not_done`` members left
    when the user cancelled."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    not_done: int = 0

    def summary(self) -> str:
        text = f"已写出 {len(self.written)} 份回执到 {self.folder}"
        if self.cancelled:
            text += f"；已取消，{self.not_done} 份未生成（已写出的回执都是完整的）"
        return text


def receipts_members(run: Run, period: Period) -> list[Member]:
    """Members that sent anything for ``period`` (``bureau.receipts``)."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.receipts")
    return receipt_pdf.members_with_files(run.ws, period)


def write_receipts(
    run: Run, period: Period, folder: Path, codes: Sequence[str] | None = None
) -> Receipts:
    """A receipt PDF per member (``codes``, default every member that sent something)
    into ``folder``, made if missing (``bureau.receipts``). A cancel stops between
    members and returns what was written (``cancelled`` set); a receipt is never left
    half-written."""
    _bureau(run)  # a station database: say so before any permission
    run.require("bureau.receipts")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = write_error_reason(exc, folder / "回执.pdf")
        raise ExportError(f"无法创建文件夹 {folder}：{reason}", exc, folder, reason) from exc
    store = run.ws.store
    chosen = (
        receipt_pdf.members_with_files(run.ws, period)
        if codes is None
        else [m for c in codes if (m := roster.member(store, c)) is not None]
    )
    done = Receipts(folder)
    for n, m in enumerate(chosen):
        if run.cancelled():
            done.cancelled, done.not_done = True, len(chosen) - n
            break
        run.progress(n, len(chosen), f"正在生成 {m.name} 的回执（{n + 1}/{len(chosen)}）…")
        out = folder / receipt_pdf.file_name(m.code, period)
        data, notes = receipt_pdf.receipt_pdf_bytes(run.ws, m, period)
        save_export(data, out, "回执")
        done.written.append(out)
        done.warnings += [w for w in notes if w not in done.warnings]
    else:
        run.progress(len(chosen), len(chosen), "完成")
    return done
