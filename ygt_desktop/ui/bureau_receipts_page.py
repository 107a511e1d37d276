"""回执: for a period, the members that sent something (accepted or refused), and a
receipt PDF for each — for the selected ones or all — written to a folder in the
background, to be sent back to the stations.

Keyboard: F5 refreshes; Ctrl+A selects every row; Ctrl+R writes the selected
receipts, Ctrl+Shift+R all of them.
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.report_model import Period, PeriodError
from ..ops import bureau as ops
from ..reports import receipt_pdf
from ..storage import submissions
from ..storage.submissions import REJECTED
from ..storage.workspace import Workspace
from . import bureau_common, messages
from .bureau_common import RED, RowsModel, period_box, table_view
from .files import open_file
from .jobs import JobRunner

COLUMNS = ("机构代码", "机构名称", "当前版本", "接收时间", "已收版本数", "拒收文件数", "提示")


class ReceiptsPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.codes: list[str] = []
        self.jobs = JobRunner(ws, self)
        self.period = period_box("receipts_period")
        self.period.activated.connect(lambda _i: self.refresh())
        self.period.lineEdit().returnPressed.connect(self.refresh)
        selected = QPushButton("生成所选机构的回执 (Ctrl+R)…")
        selected.clicked.connect(lambda: self.write(all_members=False))
        every = QPushButton("生成全部回执 (Ctrl+Shift+R)…")
        every.clicked.connect(lambda: self.write(all_members=True))
        top = QHBoxLayout()
        for w in (QLabel("统计期"), self.period):
            top.addWidget(w)
        top.addStretch()
        top.addWidget(selected)
        top.addWidget(every)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = RowsModel(COLUMNS, self)
        self.model.right_aligned = {2, 4, 5}
        self.table = table_view(self.model, "receipts_table", (10, 22, 5, 10, 6, 6))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=lambda: self.write(all_members=False))
        QShortcut(
            QKeySequence("Ctrl+Shift+R"), self, activated=lambda: self.write(all_members=True)
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def chosen(self) -> Period | None:
        try:
            return bureau_common.chosen_period(self.period)
        except PeriodError as exc:
            self.summary.setText(str(exc))
            return None

    def refresh(self) -> None:
        period = self.chosen()
        if period is None:
            return
        key = str(period)
        current = {s.org_code: s for s in submissions.current(self.ws.store, key)}
        counts: dict[str, int] = {}
        withdrawn: dict[str, int] = {}
        for s in submissions.history(self.ws.store, key):
            into = withdrawn if s.withdrawn else counts
            into[s.org_code] = into.get(s.org_code, 0) + 1
        refused: dict[str, int] = {}
        for e in submissions.log(self.ws.store, period=key):
            if e.org_code and e.outcome == REJECTED:
                refused[e.org_code] = refused.get(e.org_code, 0) + 1
        members = receipt_pdf.members_with_files(self.ws, period)
        self.codes = [m.code for m in members]
        rows, backgrounds = [], []
        for m in members:
            sub = current.get(m.code)
            rows.append(
                (
                    m.code,
                    m.name,
                    str(sub.revision) if sub else "",
                    sub.imported_at[:16].replace("T", " ") if sub else "",
                    str(counts.get(m.code, "")),
                    str(refused.get(m.code, "")),
                    "；".join(
                        [
                            *(sub.warnings if sub else ["未接收到有效工作簿"]),
                            *(
                                [f"{withdrawn[m.code]} 个版本{submissions.WITHDRAWN_LABEL}"]
                                if m.code in withdrawn
                                else []
                            ),
                        ]
                    ),
                )
            )
            backgrounds.append(None if sub else RED)
        self.model.set_rows(rows, backgrounds)
        self.summary.setText(
            f"{period.label}：{len(members)} 个机构报送过文件，"
            f"其中 {len(current)} 个已接收。回执列出接收的每个版本、文件指纹和数据摘要，"
            "以及未接收的文件和原因。"
        )

    def selected_codes(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.codes[r] for r in rows if 0 <= r < len(self.codes)]

    def write(self, *, all_members: bool) -> None:
        period = self.chosen()
        if period is None or self.jobs.busy():
            return
        codes = list(self.codes) if all_members else self.selected_codes()
        if not codes:
            messages.info(self, "没有可生成回执的机构：请先选中机构，或导入工作簿。")
            return
        folder = bureau_common.choose_folder(self, "回执保存到哪个文件夹")
        if folder is None:
            return
        self.jobs.start(
            "生成回执",
            functools.partial(ops.write_receipts, period=period, folder=folder, codes=codes),
            self._written,
            on_failed=self._failed,
        )

    def _failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            messages.error(self, message, "生成回执失败")

    def _written(self, done: ops.Receipts) -> None:
        notes = ("\n\n注意：\n" + "\n".join(done.warnings)) if done.warnings else ""
        messages.info(self, done.summary() + notes, "回执")
        if done.written:
            open_file(done.folder)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()
