"""``ygt-desktop``: start the window — setup and the first account on first start, checks,
restore, login, the idle lock, shell."""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QSize, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from .. import argparse_zh
from ..core.forms import FormFileError
from ..ops import backup as ops_backup
from ..ops import users as ops_users
from ..ops.base import USER_ERRORS
from ..ops.users import Login
from ..paths import default_db_path, private_umask
from ..storage import backup, users
from ..storage.db import DamagedDatabaseError, StoreError
from ..storage.organisation import add_village, set_organisation
from ..storage.workspace import Workspace, load_forms
from . import messages, screen_fit, tour_size
from .account_dialogs import FirstAccountDialog, RecoveryCodeDialog, SetPasswordDialog
from .fonts import install_app_font
from .idle_lock import IdleLock
from .jobs import JobRunner
from .login_dialog import LoginDialog
from .setup_dialog import SetupDialog
from .shell import MainWindow


def install_translations(app: QApplication) -> None:
    """Qt's own texts (a file dialog's buttons, a line edit's menu) in Chinese."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder
    ):
        app.installTranslator(translator)


class OpeningCheck:
    """The check a large file was opened without (``Workspace.open(defer_check=True)``),
    started at once on a worker with its own read-only connection, so that it runs
    while the user types their password; the store refuses writes until it passes.
    :meth:`wait` lets the first write (the login's) wait for it instead of failing."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.holder = QWidget()  # the runner's parent: no window exists yet
        self.runner = JobRunner(ws, self.holder)
        self.runner.start(
            "数据库检查", ops_backup.opening_check, self._done, on_failed=self._failed, quiet=True
        )

    def _done(self, problems: list[str]) -> None:
        if problems:
            self.ws.store.refuse_writes(problems)
        else:
            self.ws.store.check_passed()

    def _failed(self, _message: str, _cancelled: bool) -> None:
        """It could not run: writes stay held; the window tries again."""

    def wait(self) -> None:
        """Until the check has finished (the UI keeps repainting meanwhile)."""
        job = self.runner.job
        if job is None:
            return
        loop = QEventLoop()
        job.sig_finished.connect(loop.quit)
        if self.runner.job is not None:
            loop.exec()

    def stop(self) -> None:
        job = self.runner.job
        if job is not None:
            job.detach()
            job.cancel()
            job.wait()


def login_after_check(login: LoginDialog, check: OpeningCheck) -> None:
    """The login writes (last login, the audit line): pressing 登录 while the opening
    check still runs waits for it (seconds at most) instead of failing."""

    def attempt() -> None:
        if login.ws.store.check_pending:
            login.error.setText("正在检查数据库，请稍候…")
            login.ok.setEnabled(False)
            try:
                check.wait()
            finally:
                login.ok.setEnabled(True)
            login.error.setText("")
        login.try_login()

    login.ok.clicked.disconnect(login.try_login)
    login.ok.clicked.connect(attempt)


class AppController:
    """Owns the open workspace and the window; reopens both after a restore, rebuilds
    the window when another user logs in at the idle lock."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.ws: Workspace | None = None
        self.window: MainWindow | None = None
        self.idle: IdleLock | None = None
        self.check: OpeningCheck | None = None

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
        except StoreError as exc:
            messages.error(None, str(exc))
            return False
        self.ws = ws
        if not self._first_account():
            self._give_up()
            return False
        self._show()
        return True

    def _open(self, *, as_user: str | None = None) -> bool:
        try:
            # A large file opens without its check, which then runs in the background
            # while the user logs in (every write waits for it: Store.check_pending).
            ws: Workspace | None = Workspace.open(
                self.db_path, forms=self.forms, defer_check=as_user is None
            )
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
            self.check = OpeningCheck(ws) if ws.store.check_pending else None
        if not self._sign_in(as_user):
            self._stop_check()
            self._give_up()
            return False
        if self.check is not None and self.ws is not None and self.ws.store.readonly:
            # The background check failed: what a damaged file gets at opening.
            self.check = None
            who = self.ws.store.user
            if not self._offer_restore(self.ws):
                return False
            if self.ws is not ws and not self._sign_in(who):
                self._give_up()
                return False
        self._show()
        return True

    def _stop_check(self) -> None:
        if self.check is not None:
            self.check.stop()
            self.check = None

    def _give_up(self) -> None:
        """Nobody logged in: close the database again, without a backup."""
        if self.ws is not None:
            try:
                self.ws.close(backup_on_exit=False)
            except StoreError:
                pass
            self.ws = None

    # ---- who is using the program --------------------------------------------------------

    def _sign_in(self, as_user: str | None = None) -> bool:
        """The first account (a database without any), else the login. ``as_user``:
        after a restore, the same person goes on if the restored file has them."""
        assert self.ws is not None
        try:
            any_user = users.has_users(self.ws.store)
            again = users.get_user(self.ws.store, as_user) if as_user else None
        except (StoreError, sqlite3.DatabaseError) as exc:
            messages.error(None, f"无法读取用户账户：{exc}", "无法打开数据库")
            return False
        if not any_user:
            if self.check is not None:
                self.check.wait()  # the first account is a write
            if self.ws.store.readonly:
                messages.error(None, "数据库只能只读打开，且还没有用户账户，无法登录。")
                return False
            return self._first_account()
        if again is not None and again.active:
            self.ws.act_as(again)
            return True
        login = LoginDialog(self.ws)
        if self.check is not None:
            login_after_check(login, self.check)
        if not login.exec() or login.user is None:
            return False
        return self._changed_if_asked(login.user, login.password_used)

    def _first_account(self) -> bool:
        """The station head's (a bureau: 管理员's) account and its recovery code."""
        assert self.ws is not None
        dialog = FirstAccountDialog(self.ws)
        if not dialog.exec() or dialog.code is None:
            return False
        RecoveryCodeDialog(self.ws, self.ws.store.user, dialog.role, dialog.code).exec()
        return True

    def _changed_if_asked(
        self, user: users.User, password: str, parent: QWidget | None = None
    ) -> bool:
        """A migrated PIN or a reset password is replaced before anything else."""
        if not user.must_change:
            return True
        assert self.ws is not None
        dialog = SetPasswordDialog(
            self.ws,
            user.name,
            old=password,
            note="请设置您自己的新密码后再继续（原站长密码或他人重设的密码不能继续使用）。",
            parent=parent,
        )
        return bool(dialog.exec())

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
            # Restoring is a 站长's or 管理员's act: their name and password are checked
            # read-only against the accounts of the damaged file if it can be read, else
            # of the backup (ops.backup.restore), before anything is replaced.
            name = messages.ask_text(
                None, "恢复备份须由站长或管理员进行。请输入用户名：", "恢复备份"
            )
            if not name:
                return False
            password = messages.ask_password(None, f"用户 {name} 的密码：", "恢复备份")
            if password is None:
                return False
            if ws is not None:
                ws.close(backup_on_exit=False)
            try:
                ops_backup.restore(self.db_path, good.path, Login(name, password))
                self.ws = Workspace.open(self.db_path, forms=self.forms)
            except USER_ERRORS as exc:  # a wrong password, a role that may not restore
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
        if self.idle is None:
            self.idle = IdleLock(self.ws, self._idle_minutes)
            self.idle.sig_switched.connect(self._switched)
        self.idle.ws = self.ws
        self.idle.attach(self.window)
        self.window.show()
        # What is alive now (modules, forms, the pages) lives as long as the window:
        # moved out of the collector's reach, a full collection — which otherwise runs
        # on the UI thread right after a background job re-enables it (ui/jobs.py) —
        # scans only what came later (measured: 130–230 ms pauses before, on a big heap).
        gc.collect()
        gc.freeze()

    def _idle_minutes(self) -> int:
        """The current database's setting (another file after a restore)."""
        try:
            return ops_users.idle_minutes(self.ws) if self.ws else ops_users.IDLE_DEFAULT
        except (StoreError, sqlite3.DatabaseError):
            return ops_users.IDLE_DEFAULT

    def _switched(self, user: users.User, password: str) -> None:
        """Another user at the idle lock: the window is rebuilt for their role. One who
        will not replace a password that must be replaced cannot go on: the program
        closes (as 退出 does: running work asked about, a backup made)."""
        if not self._changed_if_asked(user, password, self.window):
            if self.window is not None:
                messages.error(self.window, "未修改密码，不能继续使用。程序将退出。")
                self.window.close()
            return
        self._replace_window()

    def _replace_window(self) -> None:
        old = self.window
        self._show()
        if old is not None:
            old.retire()

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
        old_window.retire()
        who = self.ws.store.user
        self.ws = None
        if self._open(as_user=who):
            note = f"；原文件已另存为 {aside.name}" if aside else ""
            messages.info(self.window, f"已恢复备份{note}。")


def prepare_application(app: QApplication) -> None:
    """What the window needs of the application before any widget (the screenshot tour
    uses it too, so that its pictures show what the window shows)."""
    app.setApplicationName("基层公共卫生服务系统")
    install_app_font(app)
    install_translations(app)
    screen_fit.install(app)  # no window larger than the screen it opens on


def _tour_size(text: str) -> QSize:
    try:
        return tour_size.parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()  # every file the window writes is owner-only
    argparse_zh.install()  # help and usage errors in Chinese (before the parser)
    parser = argparse.ArgumentParser(prog="ygt-desktop")
    # The same words as ``ygt --help`` (cli_args, which the window may not import).
    parser.add_argument(
        "--db",
        default=str(default_db_path()),
        metavar="文件",
        help="数据库文件（默认在用户数据目录）",
    )
    parser.add_argument(
        "--tour",
        metavar="文件夹",
        help="截图巡检：不显示窗口，逐一打开每个页面、标签页和录入对话框，"
        "把截图（PNG）和 index.html 保存到该文件夹；有窗口超出 --size 时退出码为 1",
    )
    parser.add_argument(
        "--size",
        type=_tour_size,
        default=tour_size.DEFAULT_SIZE,
        metavar="宽x高",
        help="截图巡检的屏幕尺寸（默认 1366x728：1366×768 的屏幕减去任务栏）",
    )
    parser.add_argument(
        "--user",
        metavar="用户名",
        help="截图巡检以哪个用户登录（默认取环境变量 YGT_USER）；密码取环境变量 YGT_PASSWORD",
    )
    args = parser.parse_args(argv)
    if args.tour:
        from . import tour  # only here: it imports every page it visits

        return tour.main(args.tour, args.size, args.user, args.db)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    prepare_application(app)
    db_path = Path(args.db)
    messages.install_excepthook(db_path.parent / "ygt-error.log")
    controller = AppController(db_path)
    if not controller.start():
        return 1
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
