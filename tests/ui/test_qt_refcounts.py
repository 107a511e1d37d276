"""PySide6-Essentials 6.12.0 drops a reference to None at every call of a Qt method that
returns nothing (``setText``, ``show``, ``start``, ``processEvents`` …). On Python 3.11,
where None is an ordinary object, the count reaches zero after some ten thousand calls
and the interpreter aborts ("Fatal Python error: none_dealloc") — a station PC's
window would die within minutes of typing. pyproject.toml keeps 6.12 off Python 3.11;
this test fails on any Qt binding that has (or brings back) the bug.

In the test run None has hundreds of thousands of references, which is why the suite
passed with the bug: the count is measured, not waited out."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit

CALLS = 2000


def _none_refs_taken(fn) -> int:  # noqa: ANN001 - any callable
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        fn()
    return before - sys.getrefcount(None)


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to lose"
)
def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    edit, label, timer = QLineEdit(), QLabel(), QTimer()
    qtbot.addWidget(edit)
    qtbot.addWidget(label)
    calls = {
        "QLineEdit.setText": lambda: edit.setText("高血压"),
        "QLabel.setText": lambda: label.setText("随访"),
        "QTimer.start/stop": lambda: (timer.start(1000), timer.stop()),
        "QWidget.show/hide": lambda: (label.show(), label.hide()),
        "processEvents": QCoreApplication.processEvents,
    }
    # a few references may come and go with caches; the bug takes one per call
    taken = {name: _none_refs_taken(fn) for name, fn in calls.items()}
    assert all(n < CALLS // 10 for n in taken.values()), taken
