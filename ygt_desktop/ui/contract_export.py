"""Print (PDF, opened in the system viewer) or export (CSV) the 家医签约 page's
documents in the background (:mod:`ygt_desktop.ops.documents` through the page's job
runner), with the save dialog and viewer of the worklist's export
(:mod:`.worklist_export`: tests replace its ``choose_path`` and ``open_file``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ..ops import documents
from ..reports.agreement_pdf import load_agreement
from ..reports.contract_lists import ListDoc
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import messages, worklist_export
from .file_jobs import save_file
from .jobs import JobRunner


def _open(path: Path) -> bool:
    return worklist_export.open_file(path)


def print_agreement(
    parent: QWidget,
    runner: JobRunner,
    ws: Workspace,
    contract_id: int,
    *,
    id_masked: bool = True,
    full_phone: bool = False,
) -> bool:
    """Save the 签约服务协议书 of ``contract_id`` as a PDF where the user says and open
    it; the resident's ID and phone numbers masked unless asked (checked and audited by
    the operation). False when cancelled or refused (the user was told why)."""
    try:
        agreement = load_agreement(ws, contract_id)
    except StoreError as exc:
        messages.error(parent, str(exc), "无法打印")
        return False
    out = worklist_export.choose_path(
        parent, "保存签约服务协议书（PDF）", agreement.file_name(), "PDF 文件 (*.pdf)", ".pdf"
    )
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        "打印签约服务协议书",
        partial(
            documents.agreement_pdf,
            contract_id=contract_id,
            out=out,
            id_masked=id_masked,
            full_phone=full_phone,
        ),
        open_pdf=_open,
        failure_title="无法打印",
    )


def print_list(
    parent: QWidget, runner: JobRunner, doc: ListDoc, day: dt.date, org_name: str
) -> bool:
    """Save ``doc`` as a PDF where the user says and open it; False when cancelled.
    Its phone and ID number columns are masked (:func:`ygt_desktop.ops.documents.contract_list`),
    whatever the page shows."""
    out = worklist_export.choose_path(
        parent, f"保存{doc.title}（PDF）", doc.file_name(day, ".pdf"), "PDF 文件 (*.pdf)", ".pdf"
    )
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        f"打印{doc.title}",
        partial(documents.contract_list, doc=doc, out=out, org_name=org_name),
        open_pdf=_open,
        failure_title="无法打印",
    )


def export_list(
    parent: QWidget,
    runner: JobRunner,
    doc: ListDoc,
    day: dt.date,
    on_saved: Callable[[Path], None] | None = None,
) -> bool:
    """Save ``doc`` as a CSV table (opens in Excel); ``on_saved(file)`` once written."""
    out = worklist_export.choose_path(
        parent, f"导出{doc.title}（CSV）", doc.file_name(day, ".csv"), "CSV 表格 (*.csv)", ".csv"
    )
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        f"导出{doc.title}",
        partial(documents.contract_list, doc=doc, out=out, csv=True),
        failure_title="无法导出",
        on_saved=on_saved,
    )
