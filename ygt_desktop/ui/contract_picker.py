"""Choose a resident for a contract by searching the register, the way the 居民档案 page
does (name, pinyin initials, ID number, phone, archive number); Enter takes the one selected."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..storage.organisation import villages
from ..storage.workspace import Workspace
from .contract_table import table_view
from .error_text import ErrorLabel
from .resident_model import ResidentTableModel
from .residents_page import SEARCH_DELAY_MS
from .widgets import dialog_buttons


class ResidentPicker(QDialog):
    """``resident_id`` holds the choice once the dialog is accepted. Only open archives
    are offered (a closed one cannot sign)."""

    def __init__(
        self, ws: Workspace, title: str = "选择居民", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.ws = ws
        self.resident_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("picker_search")
        self.search.setPlaceholderText(
            "查找：姓名、拼音首字母（如 zs）、身份证号、电话或档案号，回车到列表"
        )
        self.model = ResidentTableModel(ws.residents, {v.code: v.name for v in villages(ws.store)})
        self.table = table_view(
            self.model, "picker_table", (150, 80, 44, 92, 44, 150, 100, 120), self.choose
        )
        self.note = QLabel("在档居民中选择；已迁出、死亡的居民不能签约。")
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "选择 (Enter)", "取消 (Esc)", self.choose))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._to_table)
        sc = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, activated=self._to_table)
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.resize(980, 560)
        self.search.setFocus()

    def run_search(self) -> None:
        self._timer.stop()
        self.model.set_query(self.search.text())
        if self.model.rowCount():
            self.table.selectRow(0)

    def _to_table(self) -> None:
        self.run_search()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def choose(self) -> None:
        row = self.table.currentIndex().row()
        rid = self.model.resident_id(row) if row >= 0 else None
        if rid is None:
            self.error.setText("请先查找并选中一位居民。")
            return
        resident = self.ws.residents.get(rid)
        if resident is None or resident["status"] != "在档":
            status = resident["status"] if resident else "不存在"
            self.error.setText(f"该居民档案状态为“{status}”，不能签约。")
            return
        self.resident_id = rid
        self.accept()
