"""设置: organisation, its signing key (:mod:`.key_section`), villages and backups (list,
back up now, restore); the 用户 tab (accounts, one's own password, the idle lock)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..ops import backup as ops_backup
from ..storage import backup
from ..storage.db import StoreError
from ..storage.organisation import add_village, villages
from ..storage.workspace import Workspace
from . import messages
from .guard import may
from .jobs import JobRunner
from .key_section import KeySection
from .table_fit import fit_columns
from .users_page import UsersPage


class SettingsPage(QWidget):
    sig_backup_made = Signal()
    sig_restore_requested = Signal(object)  # Path of the backup to restore

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = JobRunner(ws, self)
        self.ws = ws
        org = ws.organisation
        org_box = QGroupBox("本机构")
        org_form = QFormLayout(org_box)
        if org:
            org_form.addRow("机构名称", QLabel(org.name))
            org_form.addRow("机构代码", QLabel(org.code))
            org_form.addRow("级别", QLabel(org.level))
            org_form.addRow("上级机构代码", QLabel(org.parent_code or "—"))
        who = f"{ws.store.user}（{ws.store.role}）" if ws.store.role else ws.store.user
        org_form.addRow("当前用户", QLabel(who))

        village_box = QGroupBox("辖区居委/村委")
        self.village_list = QListWidget()
        self.village_code = QLineEdit()
        self.village_code.setPlaceholderText("代码，如 102")
        self.village_code.setMaximumWidth(120)
        self.village_name = QLineEdit()
        self.village_name.setPlaceholderText("名称，如 大坝村委会")
        add_btn = QPushButton("添加")
        add_btn.clicked.connect(self.add_village)
        add_btn.setEnabled(may(ws, "settings.edit"))
        v_row = QHBoxLayout()
        v_row.addWidget(self.village_code)
        v_row.addWidget(self.village_name, 1)
        v_row.addWidget(add_btn)
        v_layout = QVBoxLayout(village_box)
        v_layout.addWidget(self.village_list)
        v_layout.addLayout(v_row)

        backup_box = QGroupBox("备份（退出时和修改后每30分钟自动备份）")
        self.backup_table = QTableWidget(0, 4)
        self.backup_table.setObjectName("backup_table")
        self.backup_table.setHorizontalHeaderLabels(["时间", "原因", "大小", "完整性检查"])
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_table.verticalHeader().hide()
        self.backups: list[backup.BackupInfo] = []
        self.backup_fit = fit_columns(self.backup_table)
        backup_now = QPushButton("立即备份")
        backup_now.setObjectName("backup_now")
        backup_now.clicked.connect(self.backup_now)
        restore_btn = QPushButton("恢复所选备份…")
        restore_btn.setObjectName("restore_selected")
        restore_btn.clicked.connect(self.restore_selected)
        if not may(ws, "backup.restore"):  # ops.backup refuses anyway (and audits it)
            restore_btn.setEnabled(False)
            restore_btn.setToolTip(messages.only_for("backup.restore"))
        self.restore_button = restore_btn
        b_row = QHBoxLayout()
        b_row.addWidget(backup_now)
        b_row.addWidget(restore_btn)
        b_row.addStretch()
        self.backup_folder = QLabel()
        self.backup_folder.setWordWrap(True)
        b_layout = QVBoxLayout(backup_box)
        b_layout.addWidget(self.backup_table)
        b_layout.addLayout(b_row)
        b_layout.addWidget(self.backup_folder)

        self.key_section = KeySection(ws, self.jobs)
        left = QVBoxLayout()
        left.addWidget(org_box)
        left.addWidget(self.key_section)
        left.addWidget(village_box, 1)
        village_box.setVisible(not (org and org.is_bureau))  # a bureau has members instead
        general = QWidget()
        row = QHBoxLayout(general)
        row.addLayout(left, 1)
        row.addWidget(backup_box, 1)
        self.users_page = UsersPage(ws)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.tabs.addTab(general, "本机构与备份")
        self.tabs.addTab(self.users_page, "用户")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.refresh()

    def refresh(self) -> None:
        self.village_list.clear()
        for v in villages(self.ws.store):
            self.village_list.addItem(f"{v.code}  {v.name}（{v.kind}）")
        chosen = self.chosen_backup()
        self.backups = backup.list_backups(self.ws.store.path)
        self.backup_table.clearSelection()
        self.backup_table.setRowCount(len(self.backups))
        for i, info in enumerate(self.backups):
            self.backup_table.setItem(
                i, 0, QTableWidgetItem(f"{info.created_at:%Y-%m-%d %H:%M:%S}")
            )
            self.backup_table.setItem(i, 1, QTableWidgetItem(info.reason or ""))
            self.backup_table.setItem(i, 2, QTableWidgetItem(f"{info.size / 1048576:.1f} MB"))
            # Only a fully checked backup counts as good; the window checks the others
            # in the background.
            state = {True: "已通过", False: "已损坏", None: "待检查"}[info.ok]
            self.backup_table.setItem(i, 3, QTableWidgetItem(state))
        self.backup_fit.refit()
        # The selection stays on the backup chosen (a new one is listed first), never
        # on the one now in its row: 恢复所选备份 must restore what the user chose.
        paths = [info.path for info in self.backups]
        if chosen is not None and chosen.path in paths:
            self.backup_table.selectRow(paths.index(chosen.path))
        self.backup_folder.setText(f"备份位置：{backup.backup_dir_for(self.ws.store.path)}")

    def add_village(self) -> None:
        try:
            add_village(
                self.ws.store, self.village_code.text().strip(), self.village_name.text().strip()
            )
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.village_code.clear()
        self.village_name.clear()
        self.refresh()

    def backup_now(self) -> None:
        """Back up in the background (a large database takes seconds)."""
        self.jobs.start("备份数据库", ops_backup.make, self._backed_up)

    def _backed_up(self, made: Path) -> None:
        self.ws.store.changes_since_backup = 0
        self.refresh()
        self.sig_backup_made.emit()
        messages.info(self, f"已备份：{made.name}")

    def chosen_backup(self) -> backup.BackupInfo | None:
        """The backup selected in the list (None when none is)."""
        row = self.backup_table.currentRow()
        selected = self.backup_table.selectionModel().selectedRows()
        return self.backups[row] if selected and 0 <= row < len(self.backups) else None

    def restore_selected(self) -> None:
        info = self.chosen_backup()
        if info is None:
            messages.info(self, "请先在列表中选中一个备份。")
            return
        if not messages.ask(
            self,
            f"用 {info.created_at:%Y-%m-%d %H:%M:%S} 的备份替换当前数据库？\n"
            "此后录入的内容将不在恢复后的数据库中；当前文件会另存，不会删除。",
            "恢复备份",
        ):
            return
        chosen = Path(info.path)
        if self.ws.store.readonly:  # a damaged file: nothing to keep a copy of
            self.sig_restore_requested.emit(chosen)
            return
        self.jobs.start(
            "恢复前备份当前数据库",
            ops_backup.before_restore,
            lambda _made: self.sig_restore_requested.emit(chosen),
            on_failed=self._restore_refused,
            cancellable=False,
        )

    def _restore_refused(self, message: str, _cancelled: bool) -> None:
        messages.error(self, f"恢复前备份当前数据库失败：{message}\n未做任何改动。")
