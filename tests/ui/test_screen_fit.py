"""No window larger than the screen (issue 12): a dialog that asks for more than the
available area is shrunk to it and moved onto the screen when shown."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

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
    assert dialog.width() <= area.width()
    assert dialog.height() <= area.height()
    assert area.contains(dialog.frameGeometry().topLeft())  # its title bar on the screen


def test_a_dialog_that_fits_is_left_alone(qtbot, fitter):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(400, 300)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert (dialog.width(), dialog.height()) == (400, 300)


def test_the_tests_see_the_station_screen(qapp):
    """conftest gives offscreen Qt the users' screen (1366×768 less the taskbar), so a
    dialog sized to the screen in a test is sized as on a station PC."""
    area = qapp.primaryScreen().availableGeometry()
    assert (area.width(), area.height()) == (1366, 728)
