"""The resident list: a table model over queries, never over the whole table.

With no search text it pages through the register 200 rows at a time (Qt asks for more
as the user scrolls); with search text it holds at most the first 200 matches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..core.dates import age_years
from ..core.idnumber import mask
from ..core.resident import flag_labels
from ..storage.residents import ResidentRepo

PAGE = 200
COLUMNS = ("档案号", "姓名", "性别", "出生日期", "年龄", "身份证号", "联系电话", "居委/村委",
           "状态", "重点人群")
SEX = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}
_Index = QModelIndex | QPersistentModelIndex


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


class ResidentTableModel(QAbstractTableModel):
    def __init__(self, repo: ResidentRepo, village_names: dict[str, str],
                 today: dt.date | None = None) -> None:
        super().__init__()
        self.repo = repo
        self.village_names = village_names
        self.today = today or dt.date.today()
        self.query = ""
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self._resetting = False

    # ---- loading -----------------------------------------------------------------
    def set_query(self, text: str) -> None:
        self._resetting = True  # views may ask for more rows while the reset is signalled
        self.beginResetModel()
        try:
            self.query = text.strip()
            if self.query:
                self.rows = self.repo.search(self.query, limit=PAGE)
                self.total = len(self.rows)
            else:
                self.total = self.repo.count()
                self.rows = self.repo.page(0, PAGE)
        finally:
            self.endResetModel()
            self._resetting = False

    def refresh(self) -> None:
        self.set_query(self.query)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return (not parent.isValid() and not self.query and not self._resetting
                and len(self.rows) < self.total)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._resetting:
            return
        more = self.repo.page(len(self.rows), PAGE)
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    def resident_id(self, row: int) -> int | None:
        return int(self.rows[row]["id"]) if 0 <= row < len(self.rows) else None

    def row_of(self, resident_id: int) -> int | None:
        for i, r in enumerate(self.rows):
            if r["id"] == resident_id:
                return i
        return None

    # ---- Qt model contract ---------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and r["status"] != "在档":
            return QColor("#808080")
        if role == Qt.ItemDataRole.UserRole:
            return r["id"]
        return None

    def _text(self, r: dict[str, Any], column: int) -> str:
        birth = r["birth_date"]
        match column:
            case 0:
                return str(r["archive_no"])
            case 1:
                return str(r["name"])
            case 2:
                return SEX.get(r["sex"] or "", "")
            case 3:
                return birth or ""
            case 4:
                return str(age_years(dt.date.fromisoformat(birth), self.today)) if birth else ""
            case 5:
                return mask(r["id_number"]) if r["id_number"] else "（无）"
            case 6:
                return mask_phone(r["phone"])
            case 7:
                return self.village_names.get(r["village_code"], r["village_code"] or "")
            case 8:
                return str(r["status"])
            case 9:
                return " ".join(flag_labels(r, self.today))
        return ""
