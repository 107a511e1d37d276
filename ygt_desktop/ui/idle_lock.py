"""The idle lock: after N minutes without keyboard or mouse (setting ``ui.idle_minutes``,
default 10, 1–60; no "never" — the lock is what keeps residents' records private on a
PC several people share) every window of the program is covered and a modal dialog asks
the same user's password again. Nothing is closed: an open record editor keeps what was
typed in it, and the focus goes back where it was. Ctrl+L locks at once.

切换用户 lets somebody else log in instead. What the first user typed is theirs, not
the newcomer's, so the open editors (which would otherwise be saved under the new name)
are closed, unsaved — only after asking — and the main window is rebuilt for the new
user's role (:attr:`IdleLock.sig_switched`).

The clock is injectable (a callable returning monotonic seconds) and :meth:`tick` is
what the timer calls, so tests move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..ops.base import USER_ERRORS
from ..storage import users
from ..storage.workspace import Workspace
from . import messages, screen_fit
from .account_dialogs import BUTTON_GAP, fit
from .error_text import ErrorLabel
from .widgets import FRAME_WIDTH

Clock = Callable[[], float]
CHECK_MS = 15_000
LOCK_WIDTH = 420  # px: the unlock dialog's width unless its message needs more
MAX_WRONG = users.MAX_FAILURES
WAIT_MINUTES = users.LOCK_MINUTES

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class _Cover(QWidget):
    """An opaque sheet over a window's content while the program is locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("idle_cover")
        self.setAutoFillBackground(True)
        label = QLabel("程序已锁定，请在弹出的窗口中输入密码。")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.setGeometry(window.rect())
        self.show()
        self.raise_()


class UnlockDialog(QDialog):
    """The locked program's only open door: the same user's password, or 切换用户."""

    def __init__(self, lock: IdleLock, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.lock = lock
        self.switching = False
        self.setObjectName("unlock_dialog")
        self.setWindowTitle("已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.name = QLineEdit(lock.ws.store.user)
        self.name.setObjectName("unlock_name")
        self.name.setReadOnly(True)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = ErrorLabel()
        box = QDialogButtonBox()
        box.setContentsMargins(0, BUTTON_GAP, 0, 0)
        self.ok = box.addButton("解锁", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.try_unlock)
        self.switch = box.addButton("切换用户…", QDialogButtonBox.ButtonRole.ActionRole)
        self.switch.setAutoDefault(False)
        self.switch.clicked.connect(self.start_switch)
        form = QFormLayout(self)
        form.addRow(self.note)
        form.addRow("用户名", self.name)
        form.addRow("密码", self.password)
        form.addRow(self.error)
        form.addRow(box)
        self._say()
        # One sentence a line, never a last word alone: as wide as the longer line (a
        # very long user name still wraps, within the screen).
        margins = form.contentsMargins()
        lines = self.note.text().splitlines()
        need = max(self.note.fontMetrics().horizontalAdvance(line) for line in lines)
        area = screen_fit.available_area(self).width() - FRAME_WIDTH
        fit(self, min(max(LOCK_WIDTH, need + margins.left() + margins.right() + 2), area))

    def _say(self) -> None:
        who = self.lock.ws.store.user
        self.note.setText(
            f"程序闲置后已锁定，正在编辑的内容都还在。\n请 {who} 输入密码解锁。"
            if not self.switching
            else "请输入要登录的用户名和密码。"
        )

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        self.password.setFocus()

    def reject(self) -> None:
        """Esc and the title bar's close do not unlock."""

    def start_switch(self) -> None:
        """Ask (when editors are open) before letting someone else in."""
        editors = self.lock.open_editors()
        if editors and not messages.ask(
            self,
            f"切换用户将关闭正在编辑的窗口（{len(editors)}个），"
            f"其中尚未保存的内容（{self.lock.ws.store.user} 输入的）将丢失。确定切换吗？",
            "切换用户",
        ):
            return
        self.switching = True
        self.name.setReadOnly(False)
        self.name.clear()
        self.password.clear()
        self.error.clear()
        self._say()
        self.name.setFocus()

    def try_unlock(self) -> None:
        name = self.name.text().strip()
        password = self.password.text()
        self.password.clear()
        if not name:
            self.error.setText("请填写用户名。")
            self.name.setFocus()
            return
        if name == self.lock.ws.store.user:
            problem = self.lock.check_same_user(password)
            if problem:
                self.error.setText(problem)
                self.password.setFocus()
                return
            self.lock.unlock()
            return
        try:
            user = self.lock.ws.login(name, password)  # counts failures, may lock it
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            self.password.setFocus()
            return
        self.lock.switched(user, password)


class IdleLock(QObject):
    """Watches keyboard and mouse for the whole application and locks when idle."""

    sig_switched = Signal(object, str)  # users.User now logged in, their password

    def __init__(
        self,
        ws: Workspace,
        minutes: Callable[[], int],
        *,
        clock: Clock = time.monotonic,
        check_ms: int = CHECK_MS,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.minutes = minutes
        self.clock = clock
        self.last = clock()
        self.window: QWidget | None = None
        self.dialog: UnlockDialog | None = None
        self.covers: dict[QWidget, _Cover] = {}
        self.focus: QWidget | None = None
        self.wrong = 0
        self.wait_until = 0.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(check_ms)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def attach(self, window: QWidget) -> None:
        """Lock this window (the main window; rebuilt after a restore or a switch)."""
        self.window = window
        QShortcut(QKeySequence("Ctrl+L"), window, activated=self.lock)

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in _ACTIVITY:
            if self.dialog is None:
                self.last = self.clock()
        elif kind == QEvent.Type.Resize and watched in self.covers:
            self.covers[watched].setGeometry(watched.rect())  # type: ignore[attr-defined]
        return False

    def tick(self) -> None:
        """Lock when the minutes have passed without activity (the timer calls this)."""
        if self.dialog is None and self.clock() - self.last >= self.minutes() * 60:
            self.lock()

    def lock(self) -> None:
        if self.dialog is not None or self.window is None:
            return
        app = QApplication.instance()
        self.focus = app.focusWidget() if isinstance(app, QApplication) else None
        for top in QApplication.topLevelWidgets():
            if top.isVisible() and top.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog):
                self.covers[top] = _Cover(top)
        parent = QApplication.activeModalWidget() or self.window
        self.dialog = UnlockDialog(self, parent)
        self.dialog.open()

    def check_same_user(self, password: str) -> str | None:
        """None when ``password`` is the locked user's; else why not (a wait after five
        wrong passwords in a row, like the login's lockout, so the lock cannot be guessed
        open)."""
        now = self.clock()
        if now < self.wait_until:
            left = int((self.wait_until - now) // 60) + 1
            return f"密码连续输错{MAX_WRONG}次，请{left}分钟后再试，或切换用户。"
        if users.check_password_of(self.ws.store, self.ws.store.user, password):
            self.wrong = 0
            return None
        self.wrong += 1
        if self.wrong >= MAX_WRONG:
            self.wrong = 0
            self.wait_until = now + WAIT_MINUTES * 60
            return f"密码连续输错{MAX_WRONG}次，请{WAIT_MINUTES}分钟后再试，或切换用户。"
        return f"密码不正确（再错{MAX_WRONG - self.wrong}次须等待{WAIT_MINUTES}分钟）。"

    def unlock(self) -> None:
        """Take the covers off; the focus returns where it was."""
        for cover in self.covers.values():
            cover.hide()
            cover.deleteLater()
        self.covers.clear()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.last = self.clock()
        if self.focus is not None:
            try:
                self.focus.setFocus()
            except RuntimeError:  # the widget went away meanwhile
                pass
        self.focus = None

    def open_editors(self) -> list[QDialog]:
        """The open dialogs (record editors and the like) besides the lock's own."""
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible() and w is not self.dialog
        ]

    def switched(self, user: users.User, password: str) -> None:
        """Another user logged in: the first user's editors close unsaved."""
        for editor in self.open_editors():
            editor.done(QDialog.DialogCode.Rejected)  # not reject(): no "discard?" box
        self.focus = None
        self.unlock()
        self.wrong = 0
        self.wait_until = 0.0
        self.sig_switched.emit(user, password)
