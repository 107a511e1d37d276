"""No window larger than the screen (issue 12): a dialog that asks for more than the
available area is shrunk to it and moved onto the screen when shown."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout

from ygt_desktop.ui import screen_fit


@pytest.fixture
def fitter(qapp):
    installed = screen_fit.install(qapp)
    yield installed
    qapp.removeEventFilter(installed)
    installed.deleteLater()


def test_a_too_big_dialog_is_shrunk_and_moved_onto_the_screen(qtbot, fitter):
    area = screen_fit.available_area()
    dialog = QDialog()
    QVBoxLayout(dialog).addWidget(QLabel("内容"))
    qtbot.addWidget(dialog)
    dialog.resize(area.width() + 500, area.height() + 300)
    dialog.move(area.right() - 10, area.bottom() - 10)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.frameGeometry().width() <= area.width()
    assert dialog.frameGeometry().height() <= area.height()
    assert area.contains(dialog.frameGeometry().topLeft())


def test_a_dialog_that_fits_is_left_alone(qtbot, fitter):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(400, 300)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert (dialog.width(), dialog.height()) == (400, 300)


def test_without_the_filter_nothing_shrinks_it(qtbot):
    """The test above can fail: Qt itself lets a dialog be larger than the screen."""
    area = screen_fit.available_area()
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(area.width() + 500, 300)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() > area.width()
    assert QApplication.instance() is not None
