"""报表 page: the year's 健康教育 minimums per activity type — required for the year,
done so far (the report's year-to-date counts) and the shortfall (spec forms-national.md
§10). The minimums are the 健康教育活动记录表's settings (forms/edu_activity.toml
``[minimums]``), so a bureau changes them in the form file, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import FormRegistry
from ..core.report_model import IndicatorValue, Report

FORM = "edu_activity"
SHORT = QColor("#b00020")  # a shortfall, red as 逾期 on the lists
HEADERS = ("项目", "全年要求", "已完成", "尚差", "说明")


@dataclass(frozen=True)
class Minimum:
    """One activity type's yearly minimum against what the report counted."""

    label: str
    required: int
    done: int | None  # None: the report has no such count
    note: str = ""

    @property
    def short(self) -> int | None:
        return None if self.done is None else max(0, self.required - self.done)


def minimums(
    settings: Mapping[str, Any], centre: bool, values: Mapping[str, IndicatorValue]
) -> list[Minimum]:
    """The minimums of ``settings`` (the form's ``[minimums]``) for a 中心 (``centre``) or
    a 站, against the report's counts in ``values``. A figure given for centres only
    stands for a station too, said in the note (stations follow the 乡镇 plan)."""

    def done(code: str) -> int | None:
        got = values.get(code)
        return None if got is None or got.value is None else int(got.value)

    rows: list[Minimum] = []
    if "print_kinds" in settings:
        rows.append(
            Minimum("发放印刷资料种类", int(settings["print_kinds"]), done("edu.print_kinds"))
        )
    if "av_kinds" in settings:
        rows.append(Minimum("播放音像资料种类", int(settings["av_kinds"]), done("edu.av_kinds")))
    if "board_every_months" in settings:
        months = int(settings["board_every_months"])
        rows.append(
            Minimum("宣传栏更新次数", 12 // months, done("edu.board"), f"至少每{months}个月更新1次")
        )
    lectures = settings.get("lectures_centre" if centre else "lectures_station")
    if lectures is not None:
        rows.append(Minimum("健康知识讲座次数", int(lectures), done("edu.lecture_times")))
    if "consults_centre" in settings:
        note = "" if centre else "参照乡镇卫生院、社区中心要求"
        rows.append(
            Minimum(
                "公众健康咨询活动次数",
                int(settings["consults_centre"]),
                done("edu.consult_times"),
                note,
            )
        )
    return rows


class MinimumsBox(QGroupBox):
    """The minimums table under the report; :meth:`show_report` fills it."""

    def __init__(self, forms: FormRegistry, parent: QWidget | None = None) -> None:
        super().__init__("健康教育年度最低要求", parent)
        self.setObjectName("report_minimums")
        self.settings: Mapping[str, Any] = (
            forms[FORM].settings.get("minimums", {}) if FORM in forms else {}
        )
        self.note = QLabel("选择统计期并计算后显示。")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("report_minimums_table")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        self.rows: list[Minimum] = []
        self.setVisible(bool(self.settings))

    def show_report(self, report: Report | None) -> None:
        """Show ``report``'s year against the minimums (None: nothing computed)."""
        if report is None:
            self.rows = []
            self.note.setText("选择统计期并计算后显示。")
        else:
            self.rows = minimums(self.settings, report.org_level == "中心", report.values)
            end = report.period.window_end
            lacking = sum(1 for m in self.rows if m.short)
            self.note.setText(
                f"{end.year}-01-01 至 {end.isoformat()} 已完成的与全年要求比较："
                + (f"{lacking}项尚未达到全年要求。" if lacking else "各项均已达到全年要求。")
            )
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        for row, m in enumerate(self.rows):
            cells = (
                m.label,
                str(m.required),
                "—" if m.done is None else str(m.done),
                "—" if m.short is None else str(m.short),
                m.note,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (1, 2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if col == 3 and m.short:
                    item.setForeground(QBrush(SHORT))
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height)
