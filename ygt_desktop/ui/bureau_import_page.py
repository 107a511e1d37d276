"""导入: members' workbooks from files, a folder or several folders (a USB stick), read
and stored in the background with a progress bar and 取消, then one row per file —
accepted, replaced an earlier revision, duplicate, refused, skipped (not a regular
file) — with the reason; names from the files with control characters escaped.

Keyboard: Ctrl+O adds files, Ctrl+Shift+O a folder, Ctrl+I starts the import, Delete
removes the selected source.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.printable import printable
from ..core.report_model import PeriodError
from ..ops import bureau as ops
from ..storage.submissions import DUPLICATE, REJECTED
from ..storage.workspace import Workspace
from . import bureau_common, messages
from .bureau_common import AMBER, GREY, RED, RED_TEXT, RowsModel, period_box, table_view
from .jobs import JobRunner

COLUMNS = ("文件", "结果", "机构", "统计期", "版本", "原因 / 提示")


class ImportPage(QWidget):
    sig_imported = Signal()

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.sources: list[Path] = []
        self.run: Any = None  # the last ImportRun
        self.jobs = JobRunner(ws, self)
        self.period = period_box("import_period", any_period=True)
        self.source_list = QListWidget()
        self.source_list.setObjectName("import_sources")
        self.source_list.setMaximumHeight(self.fontMetrics().height() * 6)
        add_files = QPushButton("添加文件 (Ctrl+O)…")
        add_files.clicked.connect(self.add_files)
        add_folder = QPushButton("添加文件夹 (Ctrl+Shift+O)…")
        add_folder.clicked.connect(self.add_folder)
        remove = QPushButton("移除")
        remove.clicked.connect(self.remove_selected)
        self.start_button = QPushButton("开始导入 (Ctrl+I)")
        self.start_button.setObjectName("import_start")
        self.start_button.clicked.connect(self.start)
        top = QHBoxLayout()
        top.addWidget(QLabel("接收统计期"))
        top.addWidget(self.period, 1)
        for button in (add_files, add_folder, remove, self.start_button):
            top.addWidget(button)
        self.model = RowsModel(COLUMNS, self)
        self.table = table_view(self.model, "import_results", (18, 9, 20, 7, 4))
        self.summary = QLabel(
            "选择工作簿文件或文件夹（可多个，子文件夹也会查找），然后开始导入。"
            "同一文件重复导入不会改变任何数据。"
        )
        self.summary.setWordWrap(True)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.add_files)
        QShortcut(QKeySequence("Ctrl+Shift+O"), self, activated=self.add_folder)
        QShortcut(QKeySequence("Ctrl+I"), self, activated=self.start)
        sc = QShortcut(
            QKeySequence(Qt.Key.Key_Delete), self.source_list, activated=self.remove_selected
        )
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source_list)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    # ---- sources -------------------------------------------------------------------
    def add_sources(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.sources:
                self.sources.append(path)
                self.source_list.addItem(("文件夹：" if path.is_dir() else "文件：") + str(path))

    def add_files(self) -> None:
        self.add_sources(
            bureau_common.choose_open_files(
                self, "选择上报工作簿", "上报工作簿 (*.xlsx);;所有文件 (*)"
            )
        )

    def add_folder(self) -> None:
        folder = bureau_common.choose_folder(self, "选择文件夹（如U盘），其中的工作簿都会导入")
        if folder is not None:
            self.add_sources([folder])

    def remove_selected(self) -> None:
        row = self.source_list.currentRow()
        if 0 <= row < len(self.sources):
            del self.sources[row]
            self.source_list.takeItem(row)

    # ---- importing -----------------------------------------------------------------
    def start(self) -> None:
        if self.jobs.busy():
            return
        if not self.sources:
            messages.info(self, "请先添加要导入的工作簿文件或文件夹。")
            return
        try:
            period = bureau_common.chosen_period(self.period)
        except PeriodError as exc:
            messages.error(self, str(exc))
            return
        op = functools.partial(
            ops.import_workbooks, paths=list(self.sources), periods=[period] if period else None
        )
        if (
            self.jobs.start("导入上报工作簿", op, self._finished, on_failed=self._failed)
            is not None
        ):
            self.start_button.setEnabled(False)

    def _failed(self, message: str, cancelled: bool) -> None:
        self.start_button.setEnabled(True)
        if not cancelled:
            messages.error(self, message, "导入失败")

    def _finished(self, run: Any) -> None:
        self.start_button.setEnabled(True)
        self.ws.store.changes_since_backup += 1  # written by the worker's connection
        self.show_run(run)
        self.sig_imported.emit()

    def show_run(self, run: Any) -> None:
        self.run = run
        rows, backgrounds, foregrounds, tips = [], [], [], []
        for r in run.results:
            who = f"{r.org_code} {r.org_name}".strip()
            rows.append(
                (
                    r.name,
                    r.label,
                    printable(who),
                    printable(r.period),
                    "" if r.revision is None else str(r.revision),
                    r.message,
                )
            )
            backgrounds.append(RED if r.outcome == REJECTED else AMBER if r.warnings else None)
            foregrounds.append(
                RED_TEXT if r.outcome == REJECTED else GREY if r.outcome == DUPLICATE else None
            )
            tips.append(r.shown_path)
        self.model.set_rows(rows, backgrounds, foregrounds, tips)
        self.summary.setText(
            run.summary() + "。拒收的文件没有导入任何数据，原因见表中；改正后可再次导入。"
        )
        if self.model.rowCount():
            self.table.selectRow(0)
