"""设备: the equipment register, the yearly stocktake, the standard checklist and figures.

Four tabs (Alt+1…4 switch between them): 设备台账, 盘点, 标准配置清单, 统计. A tab
reads its data again each time it is shown (the lists are short).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ..storage.equipment import Equipment
from ..storage.equipment_stocktake import Stocktakes
from ..storage.workspace import Workspace
from .equipment_register import RegisterTab
from .equipment_stocktake import StocktakeTab
from .equipment_views import ChecklistTab, SummaryTab


class EquipmentPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.equipment = Equipment(ws.store, ws.forms)
        self.register = RegisterTab(ws, self.equipment)
        self.stocktake = StocktakeTab(ws, Stocktakes(self.equipment, ws.forms))
        self.checklist = ChecklistTab(self.equipment)
        self.summary = SummaryTab(self.equipment)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("equipment_tabs")
        for i, (name, tab) in enumerate(
            (
                ("设备台账", self.register),
                ("盘点", self.stocktake),
                ("标准配置清单", self.checklist),
                ("统计", self.summary),
            ),
            start=1,
        ):
            self.tabs.addTab(tab, f"{name} (Alt+{i})")
            QShortcut(
                QKeySequence(f"Alt+{i}"),
                self,
                activated=lambda i=i: self.tabs.setCurrentIndex(i - 1),
            )
        self.tabs.currentChanged.connect(self._shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _shown(self, index: int) -> None:
        self.tabs.widget(index).refresh()  # type: ignore[attr-defined]
