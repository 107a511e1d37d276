"""Printed documents of the 家医签约 and 设备 pages: the 签约服务协议书, a contract list
(PDF or CSV, as shown on the page) and a stocktake's result — written in the background
by the window's job runner, whole or not at all, with errors in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..reports.agreement_pdf import load_agreement, render_agreement
from ..reports.atomic import export_error
from ..reports.contract_lists import ListDoc, masked, render_list, write_csv
from ..reports.stocktake_pdf import render_stocktake
from ..storage.equipment_stocktake import StocktakeResult
from . import privacy
from .base import Run

Written = tuple[Path, list[str]]  # the file, and warnings (characters the font lacks)


def _write(run: Run, out: Path, what: str, write: Callable[[], list[str] | None]) -> Written:
    run.step(1, 2, f"正在写出{what}…")
    try:
        warnings = write() or []
    except OSError as exc:
        raise export_error(exc, out, what) from exc
    run.progress(2, 2, "完成")
    return out, warnings


def agreement_pdf(
    run: Run,
    contract_id: int,
    out: Path,
    *,
    id_masked: bool = True,
    full_phone: bool = False,
) -> Written:
    """The signed contract's 协议书 as a PDF: the resident's ID number and phone numbers
    (the resident's, the representative's) masked unless asked (``ids.unmask``,
    ``phones.view``; such a print is audited). The team's phones are the station's own
    and printed as they are."""
    run.require("contract.print")
    shown = privacy.unmasking(run, full_id=not id_masked, full_phone=full_phone)
    run.step(0, 2, "正在读取签约信息…")
    agreement = load_agreement(run.ws, contract_id)
    privacy.audit_export(run, shown, out, "签约服务协议书")
    return _write(run, out, "签约服务协议书", lambda: render_agreement(agreement, out, shown=shown))


def contract_list(
    run: Run,
    doc: ListDoc,
    out: Path,
    *,
    org_name: str = "",
    csv: bool = False,
    full_phone: bool = False,
    full_id: bool = False,
) -> Written:
    """A list of the 家医签约 page as shown (``doc``): a PDF, or a CSV table. Its phone
    and ID number columns are masked unless asked (``phones.view``, ``ids.unmask``; such
    an export is audited), whatever the page showed."""
    run.require("contract.export")
    shown = privacy.unmasking(run, full_id=full_id, full_phone=full_phone)
    run.step(0, 2, f"正在整理{doc.title}…")
    doc = masked(doc, shown)
    privacy.audit_export(run, shown, out, doc.title)
    if csv:
        return _write(run, out, doc.title, lambda: write_csv(doc, out))
    return _write(run, out, doc.title, lambda: render_list(doc, out, org_name=org_name))


def stocktake_pdf(run: Run, result: StocktakeResult, out: Path, *, org_name: str) -> Written:
    """A stocktake's result (盘点结果) as a PDF for signing."""
    run.require("equipment.print")
    run.step(0, 2, "正在整理盘点结果…")
    return _write(run, out, "盘点结果", lambda: render_stocktake(result, out, org_name=org_name))
