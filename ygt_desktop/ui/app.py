"""``ygt-desktop``: start the window — setup on first start, checks, restore, shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ..core.forms import FormFileError
from ..paths import default_db_path, private_umask
from ..storage import backup
from ..storage.db import DamagedDatabaseError, StoreError
from ..storage.organisation import add_village, set_organisation, set_setting
from ..storage.workspace import Workspace, load_forms
from . import messages
from .fonts import install_app_font
from .setup_dialog import SetupDialog
from .shell import MainWindow


class AppController:
    """Owns the open workspace and the window; reopens both after a restore."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.ws: Workspace | None = None
        self.window: MainWindow | None = None

    def start(self) -> bool:
        try:
            forms = load_forms()
        except FormFileError as exc:
            messages.error(None, f"程序的表单定义有误，无法启动：\n{exc}")
            return False
        self.forms = forms
        if not (self.db_path.exists() and self.db_path.stat().st_size > 0):
            return self._first_start()
        return self._open()

    def _first_start(self) -> bool:
        dialog = SetupDialog(str(self.db_path))
        if not dialog.exec() or dialog.result_org is None:
            return False
        try:
            ws = Workspace.open(self.db_path, create=True, forms=self.forms)
            set_organisation(ws.store, dialog.result_org)
            for code, name in dialog.result_villages:
                add_village(ws.store, code, name)
            if dialog.result_operator:
                set_setting(ws.store, "operator", dialog.result_operator)
                ws.store.user = dialog.result_operator
        except StoreError as exc:
            messages.error(None, str(exc))
            return False
        self.ws = ws
        self._show()
        return True

    def _open(self) -> bool:
        try:
            ws: Workspace | None = Workspace.open(self.db_path, forms=self.forms)
        except DamagedDatabaseError:
            ws = None
        except StoreError as exc:
            messages.error(None, str(exc), "无法打开数据库")
            return False
        if ws is None or ws.store.readonly:
            if not self._offer_restore(ws):
                return False
        else:
            self.ws = ws
        self._show()
        return True

    def _offer_restore(self, ws: Workspace | None) -> bool:
        """A damaged file: offer the newest good backup; else keep it read-only if we can."""
        good = backup.newest_good_backup(self.db_path)
        if good is None:
            if ws is None:
                messages.error(
                    None, "数据库文件已损坏，无法打开，且没有可用的备份。请联系技术支持。"
                )
                return False
            messages.error(
                None, "数据库文件已损坏，且没有可用的备份。\n将以只读方式打开，请联系技术支持。"
            )
            self.ws = ws
            return True
        if messages.ask(
            None,
            "数据库文件已损坏。\n"
            f"是否恢复最近的完好备份（{good.created_at:%Y-%m-%d %H:%M}）？\n"
            "损坏的文件会另存，不会删除。",
            "数据库损坏",
        ):
            if ws is not None:
                ws.close(backup_on_exit=False)
            try:
                backup.restore(self.db_path, good.path)
                self.ws = Workspace.open(self.db_path, forms=self.forms)
            except StoreError as exc:
                messages.error(None, str(exc))
                return False
            return True
        if ws is None:
            return False
        self.ws = ws
        return True

    def _show(self) -> None:
        assert self.ws is not None
        self.window = MainWindow(self.ws)
        self.window.settings_page.sig_restore_requested.connect(self.restore)
        self.window.show()

    def restore(self, backup_path: Path) -> None:
        """Close everything, restore the chosen backup, reopen. The settings page has
        made the 恢复前 backup of the current file in the background first."""
        assert self.ws is not None and self.window is not None
        old_window = self.window
        self.ws.store.close()  # keep the instance lock while we swap the file
        try:
            aside = backup.restore(self.db_path, backup_path)
        except StoreError as exc:
            messages.error(old_window, str(exc))
            aside = None
        lock = self.ws.store.instance_lock
        if lock is not None:
            lock.release()
        old_window.hide()
        old_window.deleteLater()
        self.ws = None
        if self._open():
            note = f"；原文件已另存为 {aside.name}" if aside else ""
            messages.info(self.window, f"已恢复备份{note}。")


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()  # every file the window writes is owner-only
    parser = argparse.ArgumentParser(prog="ygt-desktop")
    parser.add_argument("--db", default=str(default_db_path()), help="数据库文件")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("基层公共卫生服务系统")
    install_app_font(app)
    db_path = Path(args.db)
    messages.install_excepthook(db_path.parent / "ygt-error.log")
    controller = AppController(db_path)
    if not controller.start():
        return 1
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
