"""The quarterly report's files: the upward workbook, the PDF and the JSON rows, written
from a computed report with the station's signers (used by the page and ``ygt``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..core.report_model import DATA_HEADER, Report
from ..storage import audit
from ..storage.reporting import Reporting
from .atomic import save_export
from .report_pdf import chart_codes, write_report_pdf
from .workbook import write_workbook
from .workbook_canonical import Signer


def workbook(
    reporting: Reporting,
    report: Report,
    out: Path,
    filled_on: dt.date | None = None,
    *,
    signer: Signer | None = None,
) -> None:
    """The upward workbook, signed when ``signer`` (the station's unlocked key) is given."""
    head = audit.chain_head(reporting.ws.store.conn)
    write_workbook(
        report, out, filled_on=filled_on, people=reporting.signers(), audit_head=head, signer=signer
    )


def pdf(
    reporting: Reporting,
    report: Report,
    out: Path,
    *,
    chart: bool = True,
    filled_on: dt.date | None = None,
) -> list[str]:
    """The PDF for signing; with ``chart`` the main rates of the year's earlier quarters
    are computed and drawn. Returns warnings (Chinese)."""
    history = reporting.earlier(report.period, chart_codes(report)) if chart else []
    return write_report_pdf(
        report, out, filled_on=filled_on, history=history, people=reporting.signers()
    )


def json_rows(report: Report, out: Path) -> None:
    """The ``_data`` rows as a JSON list of objects with the same seven keys."""
    rows = [dict(zip(DATA_HEADER, row, strict=True)) for row in report.data_rows()]
    text = json.dumps(rows, ensure_ascii=False, indent=1)
    save_export(text.encode("utf-8"), out, "JSON 文件")
