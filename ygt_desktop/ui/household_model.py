"""The members of one household as a table (the resident page's 家庭 section): the head
first, then current members, then former ones (closed archives) in grey."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ..ops.households import MemberView

COLUMNS = ("姓名", "性别", "年龄", "与户主关系", "档案号", "状态")
FORMER = QColor("#888888")
RESIDENT_ID = Qt.ItemDataRole.UserRole

Index = QModelIndex | QPersistentModelIndex


class HouseholdMembersModel(QAbstractTableModel):
    def __init__(self, members: Sequence[MemberView] = (), current: int | None = None) -> None:
        super().__init__()
        self.members: list[MemberView] = list(members)
        self.current = current  # the resident whose page this is (shown bold)

    def set_members(self, members: Sequence[MemberView], current: int | None = None) -> None:
        self.beginResetModel()
        self.members = list(members)
        self.current = current
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.members)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.members):
            return None
        m = self.members[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (m.name, m.sex, m.age, m.relation, m.archive_no, m.status)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not m.current:
            return FORMER
        if role == Qt.ItemDataRole.FontRole and m.resident_id == self.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == RESIDENT_ID:
            return m.resident_id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
