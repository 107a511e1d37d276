"""上报情况: for one period, which members sent their workbook, when, which revision,
who is late, who is missing (and why, when their file was refused); as rows for the
page and the command line, and as a workbook or CSV file.

Late means the member's *first* accepted workbook was imported after the deadline
(default the 10th of the month after the quarter, setting ``bureau.deadline_day``): a
correction sent later does not make an on-time station late. Members deactivated
before sending are not expected; one that sent and was deactivated since is listed.

A withdrawn (撤销) submission counts as not there: a member whose only workbooks were
withdrawn is 已撤销 (not reported, with the reason), and one whose current version was
withdrawn falls back to its previous standing version. File names and reasons are shown
with control characters escaped (:func:`~ygt_desktop.core.printable.printable`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..core.aggregate import deadline
from ..core.printable import printable
from ..core.report_model import Period
from ..storage import submissions
from ..storage.roster import members
from ..storage.submissions import REJECTED
from ..storage.workspace import Workspace
from .atomic import save_export
from .formulas import csv_bytes
from .workbook import FONT_NAME, SIZE, cell_text, text_cell

SUBMITTED, LATE, MISSING, OVERDUE, REFUSED = "已报送", "迟报", "未报送", "逾期未报", "被拒收"
WITHDRAWN = submissions.WITHDRAWN_LABEL
COLUMNS = (
    "机构代码",
    "机构名称",
    "级别",
    "状态",
    "版本",
    "已收版本数",
    "首次接收时间",
    "当前版本接收时间",
    "工作簿生成时间",
    "文件修改时间",
    "文件名",
    "说明",
)


@dataclass(frozen=True)
class StatusRow:
    code: str
    name: str
    level: str
    active: bool
    state: str  # SUBMITTED / LATE / MISSING / OVERDUE / REFUSED / WITHDRAWN
    revision: int | None = None
    revisions: int = 0
    first_at: str = ""
    imported_at: str = ""
    generated_at: str = ""
    file_mtime: str = ""
    file_name: str = ""
    note: str = ""  # warnings of the current version, or why the last file was refused

    @property
    def submitted(self) -> bool:
        return self.state in (SUBMITTED, LATE)

    def cells(self) -> tuple[str, ...]:
        return (
            self.code,
            self.name,
            self.level,
            self.state + ("" if self.active else "（已停用）"),
            "" if self.revision is None else str(self.revision),
            str(self.revisions) if self.revisions else "",
            _time(self.first_at),
            _time(self.imported_at),
            _time(self.generated_at),
            _time(self.file_mtime),
            printable(self.file_name),
            printable(self.note),
        )


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    deadline: dt.date
    rows: list[StatusRow]

    def count(self, *states: str) -> int:
        return sum(1 for r in self.rows if r.state in states)

    def summary(self) -> str:
        expected = sum(1 for r in self.rows if r.active)
        return (
            f"{self.period.label}（截止 {self.deadline.isoformat()}）：应报 {expected} 个，"
            f"已报 {self.count(SUBMITTED, LATE)} 个（其中迟报 {self.count(LATE)} 个），"
            f"未报 {self.count(MISSING, OVERDUE, REFUSED, WITHDRAWN)} 个"
            + (f"（其中文件被拒收 {self.count(REFUSED)} 个）" if self.count(REFUSED) else "")
            + (f"（其中已撤销 {self.count(WITHDRAWN)} 个）" if self.count(WITHDRAWN) else "")
        )


def _time(iso: str | None) -> str:
    """2026-10-08T09:30:00+08:00 → 2026-10-08 09:30 (as the user reads it)."""
    return (iso or "")[:16].replace("T", " ")


def period_status(
    ws: Workspace, period: Period, *, today: dt.date | None = None, deadline_day: int | None = None
) -> PeriodStatus:
    store = ws.store
    today = today or dt.date.today()
    due = deadline(period, deadline_day or submissions.deadline_day(store))
    key = str(period)
    current = {s.org_code: s for s in submissions.current(store, key)}
    first = submissions.first_accepted(store, key)
    counts: dict[str, int] = {}
    withdrawn: dict[str, tuple[str, str]] = {}  # the latest withdrawal: (at, note)
    for s in submissions.history(store, key):
        if s.withdrawn_at is None:
            counts[s.org_code] = counts.get(s.org_code, 0) + 1
        elif s.withdrawn_at >= withdrawn.get(s.org_code, ("", ""))[0]:
            withdrawn[s.org_code] = (
                s.withdrawn_at,
                f"第{s.revision}版{WITHDRAWN}（{_time(s.withdrawn_at)} 由 {s.withdrawn_by} "
                f"撤销，原因：{s.withdrawn_reason}）",
            )
    refused: dict[str, tuple[str, str]] = {}
    for entry in submissions.log(store, period=key):  # newest first
        if entry.org_code and entry.org_code not in refused and entry.outcome == REJECTED:
            refused[entry.org_code] = (
                entry.at,
                f"{_time(entry.at)} {entry.file_name}：{entry.reason}",
            )
    rows = []
    for m in members(store):
        sub = current.get(m.code)
        if sub is None:
            if not m.active:
                continue
            state = OVERDUE if today > due else MISSING
            note = ""
            gone, bad = withdrawn.get(m.code), refused.get(m.code)
            if gone and (bad is None or gone[0] >= bad[0]):
                state, note = WITHDRAWN, gone[1]
            elif bad:
                state, note = REFUSED, "最近一次被拒收：" + bad[1]
            rows.append(StatusRow(m.code, m.name, m.level, m.active, state, note=note))
            continue
        late = dt.datetime.fromisoformat(first[m.code]).date() > due
        rows.append(
            StatusRow(
                m.code,
                m.name,
                m.level,
                m.active,
                LATE if late else SUBMITTED,
                sub.revision,
                counts.get(m.code, 0),
                first[m.code],
                sub.imported_at,
                sub.generated_at or "",
                sub.file_mtime or "",
                sub.file_name,
                "；".join(
                    [*sub.warnings, *([withdrawn[m.code][1]] if m.code in withdrawn else [])]
                ),
            )
        )
    return PeriodStatus(period, due, rows)


def write_status(status: PeriodStatus, out: Path) -> None:
    """The table as ``.xlsx`` or, for a ``.csv`` name, as CSV in UTF-8 with the BOM
    (Excel on Chinese Windows then reads it right). Complete or not at all."""
    if Path(out).suffix.lower() == ".csv":
        save_export(status_csv(status), Path(out), "上报情况表")
    else:
        save_export(status_xlsx(status), Path(out), "上报情况表")


def status_csv(status: PeriodStatus) -> bytes:
    """The table as CSV (:func:`.formulas.csv_bytes`)."""
    return csv_bytes(COLUMNS, (row.cells() for row in status.rows))


def status_xlsx(status: PeriodStatus) -> bytes:
    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook has one sheet
    ws.title = "上报情况"
    font, bold = Font(name=FONT_NAME, size=SIZE), Font(name=FONT_NAME, size=SIZE, bold=True)
    title = text_cell(ws.cell(1, 1), f"上报情况（{status.period.label}）")
    title.font = Font(name=FONT_NAME, size=14, bold=True)
    text_cell(ws.cell(2, 1), cell_text(status.summary())).font = font
    for col, label in enumerate(COLUMNS, start=1):
        c = text_cell(ws.cell(4, col), label)
        c.font, c.fill = bold, PatternFill("solid", fgColor="D9D9D9")
    red = PatternFill("solid", fgColor="FFC7CE")
    amber = PatternFill("solid", fgColor="FFEB9C")
    for r, row in enumerate(status.rows, start=5):
        for col, text in enumerate(row.cells(), start=1):
            c = text_cell(ws.cell(r, col), cell_text(text))
            c.font = font
            if col == 4 and not row.submitted:
                c.fill = red
            elif col == 4 and row.state == LATE:
                c.fill = amber
    for col, width in enumerate((13, 30, 6, 12, 6, 10, 17, 17, 17, 17, 28, 50), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:{get_column_letter(len(COLUMNS))}{4 + len(status.rows)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    cast(PageSetupProperties, ws.sheet_properties.pageSetUpPr).fitToPage = True
    ws.print_title_rows = "4:4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
