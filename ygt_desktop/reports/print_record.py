"""Print one stored service record as a PDF: what to print, where, and what went wrong.

Shared by the window (:mod:`ygt_desktop.ui.printing`) and ``ygt print``. The record is
read from the database (never a form's unsaved edits); the layout is
:func:`~.record_pdf.render_record`'s. Errors are :class:`StoreError` with a Chinese
message; nothing is written when one is raised.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.forms import FormDef
from ..storage.db import StoreError
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from .atomic import write_failure

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')  # not allowed in Windows file names


@dataclass(frozen=True)
class PrintableRecord:
    """Everything :func:`render_record` needs for one stored record."""

    record_id: int
    form: FormDef
    values: dict[str, Any]
    header: dict[str, Any]
    resident: dict[str, Any] | None
    org_name: str
    choice_labels: dict[str, dict[str, str]]

    @property
    def signature_label(self) -> str:
        if self.form.kind == "station_log":
            return "记录人签名"
        return "随访医生签名" if "随访" in self.form.title else "医生签名"

    def file_name(self) -> str:
        """``高血压患者随访服务记录表_张三_2026-11-30.pdf``, safe on Windows."""
        name = (self.resident or {}).get("name") or ""
        parts = [self.form.title, name, self.header.get("service_date") or ""]
        cleaned = [_UNSAFE.sub("_", re.sub(r"\s+", "", str(p))).strip("_.") for p in parts]
        return "_".join(p for p in cleaned if p) + ".pdf"


def load(ws: Workspace, record_id: int) -> PrintableRecord:
    """The stored record ``record_id``; StoreError if it does not exist or was deleted."""
    header, values = ws.services.get(record_id)  # StoreError when unknown
    if header["deleted"]:
        raise StoreError(f"服务记录 {record_id} 已删除，不能打印")
    if header["form_id"] not in ws.forms:
        raise StoreError(f"服务记录 {record_id} 的表单 {header['form_id']} 本程序不认识，不能打印")
    form = ws.forms[header["form_id"]]
    resident = None
    if header["resident_id"] is not None:
        resident = ws.residents.get(header["resident_id"])
        if resident is None:
            raise StoreError(f"服务记录 {record_id} 的居民档案不存在，不能打印")
    org = ws.organisation
    labels: dict[str, dict[str, str]] = {}
    if any(f.choices_from == "villages" for f in form.fields):
        by_code = {v.code: v.name for v in villages(ws.store)}
        labels = {f.id: by_code for f in form.fields if f.choices_from == "villages"}
    return PrintableRecord(
        record_id=record_id,
        form=form,
        values=values,
        header=header,
        # A station log has no resident: an empty row keeps identity out of the page.
        resident=resident if resident is not None else {},
        org_name=org.name if org else "",
        choice_labels=labels,
    )


def render(
    record: PrintableRecord,
    out: Path,
    *,
    id_masked: bool = True,
    phones_masked: bool = True,
    printed_on: dt.date | None = None,
) -> list[str]:
    """Write ``record`` to ``out`` (complete or not at all); return warnings in Chinese.

    Raises StoreError with a Chinese explanation when the file cannot be written.
    """
    from .record_pdf import render_record  # reportlab only when printing (a quick start)

    try:
        return render_record(
            record.form,
            record.values,
            out,
            org_name=record.org_name,
            resident=record.resident,
            header=record.header,
            id_masked=id_masked,
            phones_masked=phones_masked,
            printed_on=printed_on,
            signature_label=record.signature_label,
            choice_labels=record.choice_labels,
        )
    except OSError as exc:
        raise StoreError(write_error_text(exc, out)) from exc


def find_record(ws: Workspace, resident_id: int, form_id: str, on: dt.date | None = None) -> int:
    """The resident's newest record of ``form_id`` (on ``on`` if given); StoreError if none."""
    if form_id not in ws.forms:
        raise StoreError(f"没有表单 {form_id}")
    if ws.residents.get(resident_id) is None:
        raise StoreError(f"居民档案 {resident_id} 不存在")
    for item in ws.services.timeline(resident_id):  # newest first, deleted left out
        if item["form_id"] == form_id and (on is None or item["service_date"] == on.isoformat()):
            return int(item["id"])
    when = f" {on.isoformat()} 的" if on else ""
    raise StoreError(f"居民档案 {resident_id} 没有{when}“{ws.forms[form_id].label}”记录")


def write_error_text(exc: OSError, out: Path) -> str:
    """Why ``out`` could not be written, in Chinese, saying what to do
    (:func:`.atomic.write_failure`)."""
    return write_failure(exc, out, "打印文件")
