"""The resident list: a table model over queries, never over the whole table.

With no search text the model holds only the ordered resident ids (about 1 MB per
100,000) and fetches the rows the view shows in blocks of 200, keeping a few blocks;
scrolling anywhere costs one small indexed query. With search text it holds at most
the first 200 matches.

ID numbers are always masked here (the full one is shown on request, audited, in the
resident's window); phone numbers are shown in full to those who phone residents
(``phones.view``: 医生, 站长, 管理员) and masked as ``138****5678`` for the others —
decided by the user logged in at the time the cell is drawn.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..core import roles
from ..core.dates import age_years
from ..core.masking import mask_id
from ..core.masking import mask_phone as mask_phone
from ..core.resident import completeness_items, flag_labels, headers, percent, sex_labels
from ..storage.db import Store
from ..storage.residents import FILLED, ResidentRepo

SEARCH_DELAY_MS = 60  # a search as you type waits this long for the next key (one per pause)
PAGE = 200
BLOCK = 200
CACHED_BLOCKS = 8
COLUMNS = (
    *headers("archive_no", "name", "sex", "birth_date", "age", "id_number", "phone", "village"),
    "状态",
    "完整度",
    "重点人群",
)
COMPLETENESS_COLUMN = COLUMNS.index("完整度")
SEX = sex_labels()  # the pages that show a 性别 import it from here
_Index = QModelIndex | QPersistentModelIndex


def shows_phones(store: Store) -> bool:
    """Whether the user logged in on ``store`` sees phone numbers in full."""
    return roles.allowed(store.role, "phones.view")


def phone_text(store: Store, phone: str | None) -> str:
    """``phone`` as the logged-in user sees it on screen."""
    return (phone or "") if shows_phones(store) else mask_phone(phone)


class ResidentTableModel(QAbstractTableModel):
    def __init__(
        self, repo: ResidentRepo, village_names: dict[str, str], today: dt.date | None = None
    ) -> None:
        super().__init__()
        self.repo = repo
        self.village_names = village_names
        self.today = today or dt.date.today()
        self.query = ""
        self.incomplete = False  # only archives with a 完整度 item unanswered
        self.items = len(completeness_items(repo.form))
        # While 只看档案不完整 is on: the archives incomplete when it was ticked (archive
        # number, id), kept across refreshes (recomputing them all took 0.1 s and more at
        # 100,000 on every save); :meth:`recheck` updates one resident after a save, and
        # one completed since stays listed (at 100%) so the selection can follow it.
        self._kept: list[tuple[str, int]] | None = None
        self.completed: set[int] = set()  # kept residents whose archive is now complete
        self.ids: list[int] = []
        self._blocks: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()

    # ---- loading -----------------------------------------------------------------
    def set_query(
        self,
        text: str,
        incomplete: bool | None = None,
        kept: list[tuple[str, int]] | None = None,
    ) -> None:
        """List the matches of ``text`` (everyone when empty); ``incomplete`` (None:
        as before) keeps only archives with a 完整度 item unanswered — ``kept`` those
        of :meth:`ResidentRepo.incomplete_keys` found on a worker thread (else found
        here, on the calling thread, when the list without search text needs them)."""
        self.beginResetModel()
        try:
            self.query = text.strip()
            if incomplete is not None and incomplete != self.incomplete:
                self.incomplete = incomplete
                self._kept = None
                self.completed = set()
            if kept is not None:
                self._kept = list(kept)
            self._blocks.clear()
            if self.query:
                rows = self.repo.search(
                    self.query, limit=PAGE, incomplete=self.incomplete, also=self.completed
                )
                self.ids = [r["id"] for r in rows]
                for start in range(0, len(rows), BLOCK):
                    self._blocks[start // BLOCK] = rows[start : start + BLOCK]
            else:
                self.ids = self._ordered_ids()
        finally:
            self.endResetModel()

    def _ordered_ids(self) -> list[int]:
        """Everyone listed in archive-number order; with the filter on, those kept."""
        if not self.incomplete:
            return self.repo.ordered_ids()
        if self._kept is None:
            self._kept = self.repo.incomplete_keys()
        return [rid for _no, rid in self._kept]

    def recheck(self, resident_id: int) -> None:
        """After ``resident_id`` was saved, closed or deleted (call before refreshing):
        with the filter on, one query for that resident instead of the whole table — a
        new incomplete archive joins the kept ones, a deleted one leaves, a completed
        one stays listed and is counted in :attr:`completed`."""
        if self._kept is None:
            return
        state = self.repo.incomplete_state(resident_id)
        at = next((i for i, (_no, rid) in enumerate(self._kept) if rid == resident_id), None)
        if state is None:
            if at is not None:
                del self._kept[at]
            self.completed.discard(resident_id)
        elif state[1]:
            self.completed.discard(resident_id)
            if at is None:
                bisect.insort(self._kept, (state[0], resident_id))
        elif at is not None:
            self.completed.add(resident_id)

    def set_ids(self, ids: set[int]) -> None:
        """Show exactly these residents, in archive-number order (a report's list)."""
        self.beginResetModel()
        try:
            self.query = ""
            self._blocks.clear()
            self.ids = [i for i in self._ordered_ids() if i in ids]
        finally:
            self.endResetModel()

    def refresh(self) -> None:
        self.set_query(self.query)

    @property
    def total(self) -> int:
        return len(self.ids)

    def cached_rows(self) -> int:
        """How many full rows are held in memory (bounded, whatever the table size)."""
        return sum(len(b) for b in self._blocks.values())

    def row_data(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < len(self.ids):
            return None
        block_no = row // BLOCK
        block = self._blocks.get(block_no)
        if block is None:
            start = block_no * BLOCK
            block = self.repo.rows_by_id(self.ids[start : start + BLOCK])
            if len(block) != len(self.ids[start : start + BLOCK]):
                # A row vanished since the ids were read; show what exists.
                found = {r["id"]: r for r in block}
                block = [found.get(i, {"id": i}) for i in self.ids[start : start + BLOCK]]
            self._blocks[block_no] = block
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block[row - block_no * BLOCK]

    def resident_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, resident_id: int) -> int | None:
        try:
            return self.ids.index(resident_id)
        except ValueError:
            return None

    # the record a row shows, which the view's selection follows (ui.selection)
    def key_at(self, position: int) -> int | None:
        return self.resident_id(position)

    def position_of(self, key: object) -> int | None:
        return self.row_of(key) if isinstance(key, int) else None

    # ---- Qt model contract ---------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_data(index.row())
        if r is None or "archive_no" not in r:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            if r["status"] != "在档":
                return QColor("#808080")
            if index.column() == COMPLETENESS_COLUMN and r[FILLED] < self.items:
                return QColor("#b35900")  # amber: items left to fill
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COMPLETENESS_COLUMN:
            return f"已填 {r[FILLED]} / {self.items} 项"
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
                return mask_id(r["id_number"]) if r["id_number"] else "（无）"
            case 6:
                return phone_text(self.repo.store, r["phone"])
            case 7:
                return self.village_names.get(r["village_code"], r["village_code"] or "")
            case 8:
                return str(r["status"])
            case 9:
                return f"{percent(r[FILLED], self.items)}%"
            case 10:
                return " ".join(flag_labels(r, self.today))
        return ""
