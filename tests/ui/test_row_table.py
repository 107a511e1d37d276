"""The one row-table model (ui/row_table.py) keeps Qt's model contract (ARCHITECTURE.md
example 6: every custom model is checked with pytest-qt's ``qtmodeltester``), and the
page models built on it — 家医签约, 转诊, 设备 and the bureau pages — do too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from ygt_desktop.ui import bureau_common, contract_table, equipment_models, referral_models
from ygt_desktop.ui.row_table import RowTableModel


class Words(RowTableModel[str]):
    def cell(self, row: str, position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row if column == 0 else str(len(row))
        return None


@pytest.mark.parametrize("rows", [[], ["甲"], ["甲", "乙乙", "丙丙丙"]])
def test_the_generic_model_keeps_the_qt_contract(qtmodeltester, rows):
    model = Words(("字", "长度"))
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == len(rows) and model.columnCount() == 2
    if rows:  # a cell has no children
        first = model.index(0, 0)
        assert model.rowCount(first) == 0 and model.columnCount(first) == 0


def test_headers_cells_and_indexes_outside_the_table():
    model = Words(("字", "长度"))
    model.set_rows(["乙乙"])
    assert model.headerData(1, Qt.Orientation.Horizontal) == "长度"
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None  # not numbered
    assert model.data(model.index(0, 1)) == "2"
    assert model.data(QModelIndex()) is None and model.data(model.index(1, 0)) is None
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
    assert model.row_at(0) == "乙乙" and model.row_at(1) is None and model.row_at(-1) is None


def test_a_numbered_model_numbers_its_rows():
    model = Words(("字", "长度"))
    model.numbered = True
    model.set_rows(["甲", "乙"])
    assert model.headerData(1, Qt.Orientation.Vertical) == "2"
    assert model.headerData(2, Qt.Orientation.Vertical) is None


def test_contract_rows_model(qtmodeltester):
    model: contract_table.RowsModel[dict[str, str]] = contract_table.RowsModel(
        [("姓名", lambda r: r["name"]), ("状态", lambda r: r["status"])],
        lambda r: "#c62828" if r["status"] == "逾期" else None,
    )
    model.set_rows([{"name": "张三", "status": "逾期"}, {"name": "李四", "status": "正常"}])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "张三"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) == QColor("#c62828")
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None
    assert model.texts() == [["张三", "逾期"], ["李四", "正常"]]


def test_referral_suggestion_model(qtmodeltester):
    class Row:
        service_date = dt.date(2026, 3, 1)
        name, archive_no, form_label = "张三", "530102001101000001", "高血压随访"
        level, level_label, messages = "urgent", "紧急转诊", ["血压≥180/110"]

    model = referral_models.SuggestionModel()
    model.set_rows([Row()])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "2026-03-01"
    assert model.data(model.index(0, 5), Qt.ItemDataRole.ToolTipRole) == "血压≥180/110"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) == QColor("#c62828")


def test_equipment_rows_model(qtmodeltester):
    columns = [
        equipment_models.Column("名称", lambda r: r[0]),
        equipment_models.Column("数量", lambda r: str(r[1]), sort=lambda r: r[1], right=True),
    ]
    model = equipment_models.RowsModel(columns, lambda r: equipment_models.RED if r[1] else None)
    model.set_rows([("血压计", 2), ("体重秤", 0)])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1), equipment_models.SORT_ROLE) == 2
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    assert model.headerData(1, Qt.Orientation.Vertical) == "2"


def test_bureau_rows_model(qtmodeltester):
    model = bureau_common.RowsModel(("机构代码", "机构名称", "状态"))
    model.right_aligned = {0}
    model.set_rows(
        [("530102001", "龙泉路站", "已报送"), ("530102002", "短行")],
        backgrounds=[None, bureau_common.RED],
        tips=["", "未报送"],
    )
    qtmodeltester.check(model)
    assert model.data(model.index(1, 2)) == ""  # a short row shows empty cells
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) == bureau_common.RED
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == "未报送"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None
