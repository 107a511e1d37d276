"""Print (PDF, opened in the system viewer) or export (CSV) a list of the 家医签约 page,
with the save dialog, wait cursor and Chinese errors of the worklist's export
(:mod:`.worklist_export`: tests replace its ``choose_path`` and ``open_file``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ..reports.agreement_pdf import load_agreement, render_agreement
from ..reports.contract_lists import ListDoc, render_list, write_csv
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import messages, worklist_export


def print_agreement(parent: QWidget | None, ws: Workspace, contract_id: int, *,
                    id_masked: bool = True) -> Path | None:
    """Save the 签约服务协议书 of ``contract_id`` as a PDF where the user says and open
    it; the file, or None when cancelled or failed (the user was told why)."""
    try:
        agreement = load_agreement(ws, contract_id)
    except StoreError as exc:
        messages.error(parent, str(exc), "无法打印")
        return None
    out = worklist_export.choose_path(parent, "保存签约服务协议书（PDF）", agreement.file_name(),
                                      "PDF 文件 (*.pdf)", ".pdf")
    if out is None:
        return None
    warnings = worklist_export._write(
        parent, out, lambda: render_agreement(agreement, out, id_masked=id_masked), "无法打印")
    return _opened(parent, out, warnings)


def _opened(parent: QWidget | None, out: Path, warnings: list[str] | None) -> Path | None:
    """Tell about unprintable characters, open the PDF; the file, or None if not written."""
    if warnings is None:
        return None
    if warnings:
        messages.info(parent, "PDF 已生成，但请注意：\n" + "\n".join(warnings), "打印提示")
    if not worklist_export.open_file(out):
        messages.error(parent, f"PDF 已保存到 {out}，但无法自动打开。请在文件夹中双击该文件后打印。",
                       "无法打开 PDF")
    return out


def print_list(parent: QWidget | None, doc: ListDoc, day: dt.date, org_name: str) -> Path | None:
    """Save ``doc`` as a PDF where the user says and open it; the file, or None when
    cancelled or failed (the user was told why)."""
    out = worklist_export.choose_path(parent, f"保存{doc.title}（PDF）",
                                      doc.file_name(day, ".pdf"), "PDF 文件 (*.pdf)", ".pdf")
    if out is None:
        return None
    warnings = worklist_export._write(parent, out, lambda: render_list(doc, out,
                                                                       org_name=org_name),
                                      "无法打印")
    return _opened(parent, out, warnings)


def export_list(parent: QWidget | None, doc: ListDoc, day: dt.date) -> Path | None:
    """Save ``doc`` as a CSV table (opens in Excel); the file, or None."""
    out = worklist_export.choose_path(parent, f"导出{doc.title}（CSV）",
                                      doc.file_name(day, ".csv"), "CSV 表格 (*.csv)", ".csv")
    if out is None:
        return None
    done = worklist_export._write(parent, out, lambda: write_csv(doc, out), "无法导出")
    return out if done is not None else None
