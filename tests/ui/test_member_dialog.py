"""The bureau's new-member dialog (issue 12, point 7): each error wraps under its field
without overlapping anything or being cut, clears the moment the field is valid, and the
dialog stays within 1366×728."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from tests.bureau_helpers import bureau_workspace
from ygt_desktop.storage import roster
from ygt_desktop.ui.bureau_roster_page import MemberDialog

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


def rect(widget: QWidget, dialog: QWidget) -> QRect:
    return QRect(widget.mapTo(dialog, widget.rect().topLeft()), widget.size())


def visible_parts(dialog: MemberDialog) -> list[QWidget]:
    kinds = (QLabel, QLineEdit, QComboBox, QPushButton)
    return [w for w in dialog.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()]


def assert_laid_out(dialog: MemberDialog) -> None:
    """No two visible parts overlap, no error is cut, the dialog fits 1366×728."""
    parts = visible_parts(dialog)
    for i, a in enumerate(parts):
        assert dialog.rect().contains(rect(a, dialog)), a.objectName() or a.text()
        for b in parts[i + 1 :]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            assert not rect(a, dialog).intersects(rect(b, dialog)), (a, b)
    for label in dialog.errors.values():
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert dialog.width() <= 1366 and dialog.height() <= 728


def shown_errors(dialog: MemberDialog) -> dict[str, str]:
    return {k: lab.text() for k, lab in dialog.errors.items() if lab.isVisible()}


def test_errors_wrap_under_their_fields_and_clear_when_fixed(qtbot, bureau_ws):
    dialog = MemberDialog(bureau_ws, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert shown_errors(dialog) == {}
    qtbot.keyClicks(dialog.code, "530103001")  # outside the district: a long message
    dialog.parent_code.setText("12x")
    dialog.save()
    errors = shown_errors(dialog)
    assert set(errors) == {"code", "name", "parent_code"}
    assert "不在本机构辖区" in errors["code"] and errors["name"] == "请填写机构名称"
    assert dialog.code.hasFocus()
    assert_laid_out(dialog)
    code_error = rect(dialog.errors["code"], dialog)
    assert code_error.top() >= rect(dialog.code, dialog).bottom()  # under its field
    assert code_error.bottom() <= rect(dialog.name, dialog).top()  # above the next

    dialog.code.setText("530102009")
    assert set(shown_errors(dialog)) == {"name", "parent_code"}  # cleared at once
    dialog.parent_code.setText("530102")
    assert set(shown_errors(dialog)) == {"name"}
    assert_laid_out(dialog)
    qtbot.keyClicks(dialog.name, "x")
    assert shown_errors(dialog) == {}
    assert_laid_out(dialog)

    dialog.name.clear()
    dialog.save()
    assert shown_errors(dialog) == {"name": "请填写机构名称"}
    dialog.name.setText("五华区第9社区卫生服务站")
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()
    assert roster.member(bureau_ws.store, "530102009").name == "五华区第9社区卫生服务站"


def test_a_code_already_on_the_roster_is_said_under_the_code(qtbot, bureau_ws):
    dialog = MemberDialog(bureau_ws, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.code.setText("530102001")
    dialog.name.setText("重复")
    dialog.save()
    assert shown_errors(dialog) == {"code": "机构代码 530102001 已在名册中"}
    assert_laid_out(dialog)
    dialog.code.setText("530102010")
    assert shown_errors(dialog) == {}
