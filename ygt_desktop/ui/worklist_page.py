"""待办随访: who is due or overdue, one line per resident, filterable, counted, printable.

Three views (:mod:`ygt_desktop.storage.worklist`): 到期和逾期 (the default: the visits
whose window ends in the range or has passed undone), 本年未做 (the once-a-year services
not yet done, counted per service) and 全部 (everything whose window overlaps the
range). Each line is a resident with the worst status, all their items in one cell and
the earliest window end; the selection stays on the resident across refreshes.

The list is lazy (issue 15: tens of thousands of lines at 265,000 residents): the page
asks for the view's lines (:meth:`Worklist.view`: their order, count and the counts
shown, from SQL) and the model builds each line's cells only when it comes into view,
:data:`BLOCK` lines at a time, remembering the last :data:`CACHED_BLOCKS` blocks; row
heights are fitted to the lines on screen. A long view not yet remembered (a month
change, the first opening) shows its first :data:`FIRST_LINES` lines at once with
"正在统计人数…", while a worker reads the whole view (:meth:`WorklistPage._read_whole`);
then the whole list and its counts replace them, the selection on the same resident.
Printing and exporting query again in the background (:mod:`.worklist_export`).

The list is read from the kept rows (:mod:`ygt_desktop.storage.worklist`). When they
must all be derived again (an upgraded database's first worklist, a new year) on a
station of :data:`BACKGROUND_FILL` residents or more, a worker does it
(:func:`ygt_desktop.ops.worklist.prepare`) while the page says so and the rest of the
window stays usable; the list fills when it is done. A smaller station fills at once.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import schedules as sch
from ..core.dates import DateError, age_text, parse_date
from ..core.forms import PACKAGES
from ..core.masking import mask_phone
from ..ops import worklist as ops_worklist
from ..reports.worklist_rows import (
    LINE_COLUMNS,
    VIEW_NAMES,
    item_text,
    items_text,
    lines_counts_text,
    week_of,
)
from ..storage.db import Store
from ..storage.organisation import villages
from ..storage.worklist import DUE_VIEW, REFERRAL_GROUP, VIEWS, ResidentDue
from ..storage.worklist_lines import LinesQuery, WorkLines
from ..storage.workspace import Workspace
from . import worklist_export
from .jobs import JobRunner
from .resident_model import SEX, phone_text
from .selection import keep_selection
from .table_fit import CELL_MARGIN, fit_columns
from .worklist_export import Shown

# From this many residents the kept rows' full derivation runs in the background (about
# 60 µs a resident: 0.2 s here, 6 s at 100,000, 17 s at 265,000).
BACKGROUND_FILL = 3000
FILLING_TEXT = "正在整理待办随访（首次使用需要约半分钟）…"
CHECK_WAIT_TEXT = "正在检查数据库文件，检查完成后整理待办随访…"
WAIT_RETRY_MS = 1000  # how often a page waiting for the opening check looks again
# A long view's first lines are shown at once, the whole view read in the background
# (:meth:`WorklistPage._read_whole`; at 265,000 residents the 全部 view with every status
# is about 68,000 lines, 0.6-0.8 s to read, its first lines 0.15 s).
FIRST_LINES = 200
COUNTING_TEXT = "正在统计人数…"
COLUMNS = LINE_COLUMNS[1:]  # 状态, 姓名 … 联系电话, 待办项目, 最早截止 (no 序号 on screen)
ITEMS_COLUMN = COLUMNS.index("待办项目")
AGE_COLUMN = COLUMNS.index("年龄")
NAME_COLUMN = COLUMNS.index("姓名")
BLOCK = 200  # lines built at a time (a screen holds about 25)
CACHED_BLOCKS = 8  # the blocks a model remembers (the last ones looked at)
FIT_AHEAD = 40  # lines fitted at least, on screen or not (a page not yet shown)
STATUS_COLOURS = {
    sch.OVERDUE: "#c62828",
    sch.DUE: "#b26a00",
    sch.DONE: "#808080",
    sch.LOST: "#808080",
    sch.CLOSED: "#808080",
}


Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    """One line per resident of a :class:`~ygt_desktop.storage.worklist_lines.WorkLines`,
    each built when first shown (:data:`BLOCK` lines at a time, the last
    :data:`CACHED_BLOCKS` blocks remembered); phone numbers in full for a user with
    ``phones.view`` logged in on ``store`` (those who phone residents), masked for the
    others and without a store. A line's record is its resident (the selection follows
    it: :meth:`key_at`, :meth:`position_of`). Replaced whole by :meth:`set_lines` (a
    model reset). Used on the UI thread only."""

    def __init__(
        self, village_names: dict[str, str], on: dt.date, store: Store | None = None
    ) -> None:
        super().__init__()
        self.headers = COLUMNS
        self.village_names = village_names
        self.on = on
        self.store = store
        self.shown: WorkLines | None = None
        self._blocks: OrderedDict[int, list[ResidentDue | None]] = OrderedDict()

    def set_lines(self, lines: WorkLines | None, on: dt.date) -> None:
        """Show ``lines`` (None: nothing) with ages as on ``on``."""
        self.beginResetModel()
        self.on = on
        self.shown = lines
        self._blocks.clear()
        self.endResetModel()

    @property
    def lines(self) -> list[ResidentDue]:
        """Every line, all built now (tests and short lists: the page never asks)."""
        return [line for n in range(self.rowCount()) if (line := self.row_at(n)) is not None]

    def row_at(self, position: int) -> ResidentDue | None:
        """The line at ``position``, built with its block if not yet; None outside the
        list (or for a resident listed no more)."""
        if self.shown is None or not 0 <= position < len(self.shown):
            return None
        block, at = divmod(position, BLOCK)
        built = self._blocks.get(block)
        if built is None:
            first = block * BLOCK
            ids = [
                rid
                for n in range(first, min(first + BLOCK, len(self.shown)))
                if (rid := self.shown.resident_at(n)) is not None
            ]
            found = {line.id: line for line in self.shown.rows(ids)}
            built = [found.get(rid) for rid in ids]
            self._blocks[block] = built
            if len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        return built[at]

    def key_at(self, position: int) -> Hashable | None:
        return None if self.shown is None else self.shown.resident_at(position)

    def position_of(self, key: Hashable) -> int | None:
        if self.shown is None or not isinstance(key, int):
            return None
        return self.shown.position_of(key)

    def text(self, line: ResidentDue, column: int) -> str:
        r = line.resident
        birth = r["birth_date"]
        cells = (
            line.status,
            r["name"],
            SEX.get(r["sex"] or "", ""),
            age_text(dt.date.fromisoformat(birth), self.on) if birth else "",
            self.village_names.get(r["village_code"], r["village_code"] or ""),
            phone_text(self.store, r["phone"]) if self.store else mask_phone(r["phone"]),
            items_text(line),
            line.first_end.isoformat(),
        )
        return cells[column]

    # ---- Qt's model contract -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() or self.shown is None else len(self.shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or index.parent().isValid()
            or not 0 <= index.column() < len(self.headers)
            or role
            not in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.ForegroundRole,
            )
        ):
            return None
        line = self.row_at(index.row())
        if line is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(item_text(i) for i in line.items) if column == ITEMS_COLUMN else None
        if line.status in STATUS_COLOURS:
            return QColor(STATUS_COLOURS[line.status])
        return None


class WorklistPage(QWidget):
    sig_open_resident = Signal(int)

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        """``clock`` gives the day statuses and ages refer to (today; a test's fixed day)."""
        super().__init__(parent)
        self.ws = ws
        self.clock = clock
        today = clock()
        monday, sunday = week_of(today)
        self.view = QComboBox()
        self.view.setObjectName("worklist_view")
        self.view.setToolTip(
            "到期和逾期：时间窗在此期间结束的和已过期未做的随访、检查\n"
            "本年未做：每年一次的服务（健康体检、中医体质辨识）今年还没做的\n"
            "全部：时间窗与此期间重叠的全部项目"
        )
        for view in VIEWS:
            self.view.addItem(VIEW_NAMES[view], view)
        self.view.setCurrentIndex(self.view.findData(DUE_VIEW))
        self.start = QLineEdit(monday.isoformat())
        self.start.setObjectName("worklist_start")
        self.end = QLineEdit(sunday.isoformat())
        self.end.setObjectName("worklist_end")
        date_width = self.fontMetrics().horizontalAdvance("0000-00-00") * 3 // 2
        for edit in (self.start, self.end):
            edit.setMaximumWidth(date_width)
        self.package = QComboBox()
        self.package.addItem("全部服务包", None)
        for p in (*PACKAGES[:3], REFERRAL_GROUP):
            self.package.addItem(p, p)
        self.village = QComboBox()
        self.village.addItem("全部居委/村委", None)
        for v in villages(ws.store):
            self.village.addItem(f"{v.code} {v.name}", v.code)
        self.doctor = QComboBox()
        self.doctor.setObjectName("worklist_doctor")
        self._fill_doctors()
        self.status = QComboBox()
        self.status.addItem("应访和逾期", [sch.DUE, sch.OVERDUE])
        for s in (sch.OVERDUE, sch.DUE, sch.DONE, sch.LOST):
            self.status.addItem(s, [s])
        self.status.addItem("全部状态", None)
        show = QPushButton("查询 (Enter)")
        show.clicked.connect(self.refresh)
        week = QPushButton("本周")
        week.clicked.connect(lambda: self._range(*week_of(self.clock())))
        month = QPushButton("本月")
        first = today.replace(day=1)
        month.clicked.connect(
            lambda: self._range(first, sch.add_months(first, 1) - dt.timedelta(days=1))
        )
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()  # shown with a message only
        self.waiting = QLabel()  # the kept rows being prepared: what the list waits for
        self.waiting.setObjectName("worklist_waiting")
        self.waiting.hide()
        dates = QHBoxLayout()
        for w in (self.view, QLabel("从"), self.start, QLabel("到"), self.end, week, month, show):
            dates.addWidget(w)
        dates.addStretch()
        filters = QHBoxLayout()
        for w in (self.package, self.village, self.doctor, self.status):
            filters.addWidget(w)
        filters.addStretch()
        self.model = WorklistModel({v.code: v.name for v in villages(ws.store)}, today, ws.store)
        self.table = QTableView()
        self.table.setObjectName("worklist_table")
        self.table.setModel(self.model)
        self.kept = keep_selection(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)  # a long 待办项目 wraps onto a second line, never cut
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Every column as wide as its text (an age like 2岁11月 or a four-character name
        # whatever the rows), the items the rest of the width.
        fit_columns(
            self.table,
            stretch=ITEMS_COLUMN,
            at_least={NAME_COLUMN: "欧阳晓明", AGE_COLUMN: "2岁11月"},
        )
        self.table.horizontalHeader().sectionResized.connect(self._items_resized)
        self.model.modelReset.connect(self.fit_rows)
        # lines scrolled to (or the view grown) are fitted as they come
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self.fit_rows())
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.counts = QLabel()
        self.counts.setObjectName("worklist_counts")
        self.counts.setWordWrap(True)
        self.notice = QLabel()
        self.shown: Shown | None = None
        self.jobs = JobRunner(ws, self)
        self.filler = JobRunner(ws, self)  # the kept rows' full derivation
        self.reader = JobRunner(ws, self)  # a long view's lines (:meth:`_read_whole`)
        self._wanted: LinesQuery | None = None  # the view whose lines the reader reads
        self._whole_now = False  # the next refresh reads the whole view at once
        self._looking = False  # a look again at the opening check is due
        self.print_button = QPushButton("打印 (Ctrl+P)")
        self.print_button.clicked.connect(self.print_list)
        self.export_button = QPushButton("导出表格")
        self.export_button.clicked.connect(self.export_table)
        # the notice needs none of the list's rows: never disabled while they are read
        self.notice_button = QPushButton("接种通知单… (Ctrl+J)")
        self.notice_button.setToolTip("打印一个村（居）委会的接种通知单（PDF）")
        self.notice_button.clicked.connect(self.print_vaccine_notice)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counts, 1)
        bottom.addWidget(self.notice)
        bottom.addWidget(self.notice_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(dates)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.waiting)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_list)
        QShortcut(QKeySequence("Ctrl+J"), self, self.print_vaccine_notice)
        for edit in (self.start, self.end):
            edit.returnPressed.connect(self.refresh)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.table)
            sc.activated.connect(self.open_current)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        for combo in (self.view, self.package, self.village, self.doctor, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())

    def _fill_doctors(self) -> None:
        """The 责任医生 list, kept current (archives are edited on another page)."""
        chosen = self.doctor.currentData()
        self.doctor.blockSignals(True)
        self.doctor.clear()
        self.doctor.addItem("全部责任医生", None)
        for name in self.ws.worklist.doctors():
            self.doctor.addItem(name, name)
        self.doctor.setCurrentIndex(max(self.doctor.findData(chosen), 0))
        self.doctor.blockSignals(False)

    def _range(self, start: dt.date, end: dt.date) -> None:
        self.start.setText(start.isoformat())
        self.end.setText(end.isoformat())
        self.refresh()

    def refresh(self) -> None:
        try:
            start, end = parse_date(self.start.text()), parse_date(self.end.text())
        except DateError as exc:
            self._say(f"日期：{exc}")
            return
        if end < start:
            self._say("结束日期不能早于开始日期")
            return
        self._say("")
        if self._waiting_for_rows():
            return
        on = self.clock()
        view = self.view.currentData()
        packages = [self.package.currentData()] if self.package.currentData() else None
        whole, self._whole_now = self._whole_now, False
        lines = self.ws.worklist.view(
            start,
            end,
            on,
            packages=packages,
            village=self.village.currentData(),
            statuses=self.status.currentData(),
            doctor=self.doctor.currentData(),
            view=view,
            first=None if whole else FIRST_LINES,
        )
        self.model.set_lines(lines, on)
        village = self.village.currentText() if self.village.currentData() else None
        self.shown = Shown(
            lines,
            start,
            end,
            on,
            packages,
            village,
            self.status.currentData(),
            self.doctor.currentData(),
            self.village.currentData(),
            view,
        )
        if lines.complete:
            self.counts.setText(lines_counts_text(lines))
        else:
            self.counts.setText(COUNTING_TEXT)
            self._read_whole(lines.query)

    def _read_whole(self, query: LinesQuery) -> None:
        """Read the whole view of ``query`` in the background (the page shows its first
        lines meanwhile); when it comes, the page shows it, its counts too, with the
        selection on the same resident. One read at a time: a view asked for while
        another is read waits for it (the read may serve it: filters need no other)."""
        self._wanted = query
        if self.reader.busy():
            return
        generation = self.ws.store.generation
        self.reader.start(
            "读取待办随访",
            partial(ops_worklist.read_lines, query=query),
            partial(self._whole_read, query, generation),
            on_failed=self._whole_failed,
            quiet=True,
        )

    def _whole_read(self, query: LinesQuery, generation: int, result: Any) -> None:
        lines, version = result
        adopted = self.ws.worklist.adopt_lines(query, lines, version, generation)
        wanted, self._wanted = self._wanted, None
        if wanted is None or self.shown is None or self.shown.lines.complete:
            return  # the page shows a whole list already (or none: it waits)
        # not handed over (rows derived again meanwhile): read at once, this time
        self._whole_now = not adopted and wanted.read_as == query.read_as
        self.refresh()

    def _whole_failed(self, message: str, cancelled: bool) -> None:
        self._wanted = None
        if not cancelled and self.shown is not None and not self.shown.lines.complete:
            self._whole_now = True  # the background read failed: read here
            self.refresh()

    def _waiting_for_rows(self) -> bool:
        """Whether the list must wait for the kept rows (see the module's docstring):
        their full derivation running (or started now) in the background, or writes
        held for the window's opening check on a large station whose rows need writing.
        While it waits the page shows why, and no list."""
        worklist = self.ws.worklist
        if self.filler.busy():
            return self._wait(FILLING_TEXT)
        store = self.ws.store
        fill = worklist.needs_fill()
        if not (fill or (store.check_pending and worklist.stale())):
            return self._wait("")
        if self.ws.residents.count() < BACKGROUND_FILL:
            return self._wait("")  # at once (recomputed while the check runs)
        if store.check_pending:
            if not self._looking:
                self._looking = True
                QTimer.singleShot(WAIT_RETRY_MS, self._look_again)
            return self._wait(CHECK_WAIT_TEXT)
        self.filler.start(
            "整理待办随访",
            ops_worklist.prepare,
            self._filled,
            on_failed=self._fill_failed,
            quiet=True,
        )
        return self._wait(FILLING_TEXT)

    def _wait(self, text: str) -> bool:
        """Show ``text`` instead of a list (True), or no longer wait ("": False)."""
        self.waiting.setText(text)
        self.waiting.setVisible(bool(text))
        for button in (self.print_button, self.export_button):
            button.setEnabled(not text)
        if text:
            self.model.set_lines(None, self.clock())
            self.shown = None
            self.counts.setText("")
        return bool(text)

    def _look_again(self) -> None:
        self._looking = False
        if self.isVisible():
            self.refresh()

    def _filled(self, _rows: int) -> None:
        self._wait("")
        self.refresh()

    def _fill_failed(self, message: str, cancelled: bool) -> None:
        self._wait("")
        if not cancelled:
            self._say(f"待办随访未能整理（再次打开本页时重试）：{message}")

    def _items_resized(self, column: int, _old: int, new: int) -> None:
        if column == ITEMS_COLUMN:
            self.fit_rows(new)  # (the header reports the new width only after this signal)

    def fit_rows(self, column_width: int | None = None) -> None:
        """Each line on screen (and at least :data:`FIT_AHEAD` from the first shown) as
        tall as its 待办项目 need at the column's width (its present one by default): one
        line for most, two or three for a resident with many items. Lines off screen
        are fitted when scrolled to (building every line of a long list would cost
        what the lazy list saves)."""
        header = self.table.verticalHeader()
        metrics = self.table.fontMetrics()
        single = header.defaultSectionSize()
        if column_width is None:
            column_width = self.table.columnWidth(ITEMS_COLUMN)
        width = max(column_width - CELL_MARGIN, 1)
        count = self.model.rowCount()
        position = max(self.table.rowAt(0), 0)
        space = self.table.viewport().height()
        fitted = used = 0
        while position < count and (used <= space or fitted < FIT_AHEAD):
            line = self.model.row_at(position)
            text = "" if line is None else items_text(line)
            height = single
            if metrics.horizontalAdvance(text) > width:
                wrapped = metrics.boundingRect(
                    QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text
                )
                height = max(single, wrapped.height() + single - metrics.height())
            if header.sectionSize(position) != height:
                header.resizeSection(position, height)
            used += height
            fitted += 1
            position += 1

    def _say(self, error: str) -> None:
        self.error.setText(error)
        self.error.setVisible(bool(error))

    @property
    def current_resident(self) -> int | None:
        """The id of the resident whose line is selected (None when none is)."""
        key = self.model.key_at(self.table.currentIndex().row())
        return key if isinstance(key, int) else None

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        QTimer.singleShot(0, self.fit_rows)  # more lines on screen: fit them too

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fill_doctors()
        self.refresh()  # always current: entries made elsewhere show at once

    def print_vaccine_notice(self) -> None:
        """打印接种通知单 for the village chosen in the filter (or the first)."""
        # imported when asked: the PDF writer (reportlab) stays out of the window's start
        from .vaccine_notice_dialog import open_vaccine_notice

        open_vaccine_notice(self, self.ws, today=self.clock(), village=self.village.currentData())

    def print_list(self) -> None:
        """Print the lines shown, with the range, view and filters they were queried with."""
        if self.shown is not None:
            worklist_export.print_shown(self, self.jobs, self.shown)

    def export_table(self) -> None:
        """Save the items shown as a CSV table for Excel (one row per item)."""
        if self.shown is not None:
            count = self.shown.count
            self.notice.setText("")
            worklist_export.export_shown(
                self,
                self.jobs,
                self.shown,
                on_saved=lambda out: self.notice.setText(f"已导出 {count} 行到 {out}"),
            )

    def open_current(self) -> None:
        """Open the selected line's resident (Enter, double-click)."""
        resident = self.current_resident
        if resident is not None:
            self.sig_open_resident.emit(resident)
