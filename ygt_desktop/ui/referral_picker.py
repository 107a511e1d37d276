"""Choose the resident of a referral by searching the register, inside the referral
dialog (not a dialog of its own: the rest of the referral is on the same screen).

The same search as the 居民档案 page (:meth:`ResidentRepo.search`: name, pinyin
initials, ID number, phone, archive number). Keyboard: type, ↓ or Enter goes to the
results, Enter takes the highlighted one; ``sig_chosen`` then carries its id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.dates import age_years
from ..core.idnumber import mask
from ..storage.residents import ResidentRepo
from .error_text import ErrorLabel
from .resident_model import SEX

RESULTS = 20


def resident_line(r: dict[str, Any], today: dt.date | None = None) -> str:
    """One line about a resident: name, sex, age, archive number, masked ID, status."""
    today = today or dt.date.today()
    birth = r.get("birth_date")
    age = f"{age_years(dt.date.fromisoformat(birth), today)}岁" if birth else ""
    parts = [r["name"], SEX.get(r.get("sex") or "", ""), age, f"档案号 {r['archive_no']}"]
    if r.get("id_number"):
        parts.append(f"身份证 {mask(r['id_number'])}")
    if r.get("status") and r["status"] != "在档":
        parts.append(f"（{r['status']}）")
    return "　".join(p for p in parts if p)


class ReferralResidentPicker(QWidget):
    sig_chosen = Signal(int)

    def __init__(self, repo: ResidentRepo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.resident_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("referral_resident_search")
        self.search.setPlaceholderText(
            "查找居民：姓名、拼音首字母、身份证号、电话或档案号，回车到结果"
        )
        self.search.setClearButtonEnabled(True)
        self.chosen = QLabel("尚未选择居民")
        self.chosen.setObjectName("referral_resident_chosen")
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        self.results = QListWidget()
        self.results.setObjectName("referral_resident_results")
        self.results.setMaximumHeight(self.fontMetrics().height() * 8)
        self.results.hide()
        self.error = ErrorLabel()
        self.error.setObjectName("referral_resident_error")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(QLabel("居民＊"))
        row.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.results)
        layout.addWidget(self.chosen)
        layout.addWidget(self.error)
        self.search.textEdited.connect(self._search)
        self.results.itemDoubleClicked.connect(self._take)
        self.search.installEventFilter(self)
        self.results.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """↓/Enter in the search go to the results, Enter there takes one; both are
        consumed, or the dialog would take Enter as "save"."""
        if event.type() != QEvent.Type.KeyPress:
            return False
        key = event.key()  # type: ignore[attr-defined]
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if obj is self.search and (enter or key == Qt.Key.Key_Down):
            self._to_results()
            return True
        if obj is self.results and enter:
            item = self.results.currentItem()
            if item is not None:
                self._take(item)
            return True
        return False

    def set_resident(self, resident_id: int | None) -> None:
        """Show ``resident_id`` as chosen (without emitting ``sig_chosen``)."""
        self.resident_id = resident_id
        row = self.repo.get(resident_id) if resident_id is not None else None
        if row is None:
            self.chosen.setText("尚未选择居民")
            return
        self.chosen.setText("已选择：" + resident_line(row))
        self.search.setText(row["name"])
        self.show_error(None)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def focus(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search(self, text: str) -> None:
        self.results.clear()
        if not text.strip():
            self.results.hide()
            return
        for r in self.repo.search(text, limit=RESULTS):
            item = QListWidgetItem(resident_line(r))
            item.setData(Qt.ItemDataRole.UserRole, int(r["id"]))
            self.results.addItem(item)
        if not self.results.count():
            self.results.addItem(QListWidgetItem("没有找到，请换个写法（居民须已建档）"))
        self.results.show()

    def _to_results(self) -> None:
        if not self.results.isVisible():
            self._search(self.search.text())
        if self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)

    def _take(self, item: QListWidgetItem) -> None:
        rid = item.data(Qt.ItemDataRole.UserRole)
        if rid is None:
            self.search.setFocus()
            return
        self.results.hide()
        self.set_resident(int(rid))
        self.sig_chosen.emit(int(rid))
