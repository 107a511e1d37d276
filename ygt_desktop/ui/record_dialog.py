"""A dialog around a form widget: Ctrl+S saves, Esc cancels (asking if anything changed).

Subclasses say how to save (:meth:`store`); errors go next to their fields, a likely
duplicate asks before saving, and storage problems are shown in Chinese. The form
scrolls up and down only, inside a dialog sized to it and never larger than the screen;
the buttons stay below the scrolling part.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..ops import records as ops_records
from ..ops.base import USER_ERRORS, Run
from ..storage import locking
from ..storage.db import StoreError
from ..storage.residents import ValidationFailed
from ..storage.services import NeedsConfirmation
from ..storage.workspace import Workspace
from . import messages
from .form_widget import FormWidget
from .widgets import error_label, fit_to_screen

COUNT_MESSAGE = "有 {} 处需要修改，未保存。"


class RecordDialog(QDialog):
    def __init__(
        self, form_widget: FormWidget, title: str, header: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form_widget = form_widget
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form_widget)
        self.scroll_area = scroll
        self._sized = False
        self._counting = False  # the status line counts the fields still wrong
        self.header = QLabel(header)
        self.header.setWordWrap(True)
        self.status = error_label()
        buttons = QDialogButtonBox()
        self.buttons = buttons  # subclasses add their own actions (e.g. 打印)
        self.save_button = buttons.addButton(
            "保存 (Ctrl+S)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("取消 (Esc)", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.form_widget.sig_changed.connect(self._errors_changed)
        # Never narrower than the form's one-column layout (nothing is cut sideways).
        scroll.setMinimumWidth(self.form_widget.min_width() + self._scroll_extra())

    def _scroll_extra(self) -> int:
        """The scroll area's frame and vertical scroll bar around the form."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return 2 * self.scroll_area.frameWidth() + bar

    def size_to_content(self) -> None:
        """As large as the form wants (:meth:`FormWidget.preferred_width`, its height at
        that width), within the screen's available area."""
        width = self.form_widget.preferred_width()
        content = self.form_widget.content_height(width)
        layout = self.layout()
        layout.activate()
        margins = layout.contentsMargins()
        chrome = layout.sizeHint().height() - self.scroll_area.sizeHint().height()
        fit_to_screen(
            self,
            width + self._scroll_extra() + margins.left() + margins.right(),
            chrome + content + 2 * self.scroll_area.frameWidth(),
        )

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if not self._sized:
            self._sized = True
            self.size_to_content()
        super().showEvent(event)

    def _errors_changed(self) -> None:
        """The count of fields still to correct follows the corrections; gone at none."""
        if self._counting:
            left = len(self.form_widget.shown_errors())
            self.status.setText(COUNT_MESSAGE.format(left) if left else "")
            self._counting = bool(left)

    def store(self, confirm: bool) -> None:
        """Write the record; raise ValidationFailed / NeedsConfirmation / StoreError."""
        raise NotImplementedError

    def save(self) -> None:
        confirm = False
        while True:
            try:
                self.store(confirm)
            except NeedsConfirmation as exc:
                if confirm or not messages.ask(self, str(exc), "可能重复"):
                    return
                confirm = True
                continue
            except locking.LockedError as exc:
                if not self._store_as_head(str(exc), confirm):
                    return
            except ValidationFailed as exc:
                self.form_widget.show_errors(exc.errors)
                shown = [m for k, m in exc.errors.items() if k not in self.form_widget.editors]
                self._counting = not shown
                self.status.setText(
                    "；".join(shown) if shown else COUNT_MESSAGE.format(len(exc.errors))
                )
                return
            except StoreError as exc:
                messages.error(self, str(exc))
                return
            break
        self.form_widget.mark_clean()
        self.accept()

    def _store_as_head(self, why: str, confirm: bool) -> bool:
        """A record of a submitted quarter: a 站长 confirms with their password."""
        ws: Workspace = self.ws  # type: ignore[attr-defined]  # every editor keeps ws
        run = Run.plain(ws)
        if not run.actor.may("report.correct"):
            try:
                run.require("report.correct")  # audited as a refused attempt
            except USER_ERRORS as exc:
                messages.error(self, f"{why}\n\n{exc}")
            return False
        password = messages.ask_password(
            self, f"{why}\n\n请 {run.actor.name} 再次输入密码以确认更正：", "更正已上报的记录"
        )
        if password is None:
            return False
        try:
            # One quick save: on the UI thread, through the operation that checks the
            # actor may correct and audits the change as a correction.
            ops_records.correct(run, password, lambda: self.store(confirm))
        except USER_ERRORS as exc:  # a wrong password, a refusal, or what the save refused
            messages.error(self, str(exc))
            return False
        return True

    def reject(self) -> None:
        if self.form_widget.is_dirty() and not messages.ask(
            self, "输入的内容尚未保存，确定放弃吗？", "放弃修改"
        ):
            return
        super().reject()
