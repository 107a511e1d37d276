"""The people behind an indicator: who counts (分子) and who is still to be served
(in the denominator — or the population a base figure stands for — but not counted)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..storage.indicators import Counted
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from .resident_model import ResidentTableModel
from .table_fit import fit_columns


class PeopleDialog(QDialog):
    sig_open_resident = Signal(int)

    def __init__(
        self, ws: Workspace, label: str, counted: Counted, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"名单 · {label}")
        names = {v.code: v.name for v in villages(ws.store)}
        self.tabs = QTabWidget()
        self.views: list[QTableView] = []
        self.models: list[ResidentTableModel] = []
        gap = counted.gap()
        for title, ids in (
            (f"未完成（{len(gap)} 人）", gap),
            (f"已完成（{len(counted.numerator)} 人）", counted.numerator),
        ):
            model = ResidentTableModel(ws.residents, names)
            model.set_ids(ids)
            view = QTableView()
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.verticalHeader().hide()
            fit_columns(view)  # every column on screen; 重点人群 takes what is left
            view.doubleClicked.connect(lambda index, m=model: self._open(m, index.row()))
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                sc = QShortcut(
                    QKeySequence(key),
                    view,
                    activated=lambda v=view, m=model: self._open(m, v.currentIndex().row()),
                )
                sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            self.tabs.addTab(view, title)
            self.views.append(view)
            self.models.append(model)
        note = QLabel(
            "“未完成”是分母（或基础数据所指的人群）中尚未计入分子的居民，回车打开其服务记录。"
            if counted.denominator is not None or counted.pool
            else "该指标按记录计数，没有居民名单。"
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)
        self.resize(980, 560)

    def _open(self, model: ResidentTableModel, row: int) -> None:
        data = model.row_data(row)
        if data is not None:
            self.sig_open_resident.emit(int(data["id"]))
