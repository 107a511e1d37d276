"""设置 → 签名密钥: this organisation's signing key (issue 11). Shows the fingerprint to
read out over the phone; 生成密钥, 更换密钥… (with a reason) and 导出登记文件… for the
站长 (a bureau: its 管理员). Generating or replacing asks for the user's password again:
it encrypts the private key. The operations (ops.keys) run in the background and refuse
whoever may not; the buttons are only greyed for them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core import roles
from ..ops import keys as key_ops
from ..ops.base import Run
from ..storage.workspace import Workspace
from . import messages
from .files import choose_path
from .guard import gate
from .jobs import JobRunner


class KeySection(QGroupBox):
    def __init__(self, ws: Workspace, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__("签名密钥（上报工作簿的电子签名）", parent)
        self.setObjectName("key_section")
        self.ws, self.jobs = ws, jobs
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("key_fingerprint")
        self.fingerprint.setWordWrap(True)
        self.new_button = QPushButton("生成密钥")
        self.new_button.setObjectName("key_new")
        self.new_button.clicked.connect(self.generate)
        self.replace_button = QPushButton("更换密钥…")
        self.replace_button.setObjectName("key_replace")
        self.replace_button.clicked.connect(self.replace)
        self.export_button = QPushButton("导出登记文件…")
        self.export_button.setObjectName("key_export")
        self.export_button.clicked.connect(self.export)
        holder = roles.first_role(ws.is_bureau)
        for button in (self.new_button, self.replace_button, self.export_button):
            gate(button, ws, "keys.manage")
            if ws.store.role != holder:
                button.setEnabled(False)
                button.setToolTip(f"只有{holder}可以管理本机构签名密钥")
        row = QHBoxLayout()
        for button in (self.new_button, self.replace_button, self.export_button):
            row.addWidget(button)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.fingerprint)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        key = key_ops.current(Run.plain(self.ws))
        if key is None:
            self.fingerprint.setText(
                "本机构还没有签名密钥。生成后导出登记文件交上级机构登记，"
                "此后由密钥持有人导出的上报工作簿带电子签名。"
            )
        else:
            self.fingerprint.setText(
                f"指纹：{key.fingerprint}\n持有人：{key.owner}（生成于 {key.created_at[:16].replace('T', ' ')}）\n"
                "上级机构登记时请在电话中逐组核对指纹。"
            )
        has = key is not None
        if self.new_button.toolTip() == "":
            self.new_button.setEnabled(not has)
            self.replace_button.setEnabled(has)

    def _password(self, why: str) -> str | None:
        return messages.ask_password(
            self, f"{why}\n请输入您（{self.ws.store.user}）的登录密码：", "签名密钥"
        )

    def generate(self) -> None:
        password = self._password("本机构的签名密钥将用您的密码加密保存。")
        if password is None:
            return
        self.jobs.start("生成签名密钥", lambda run: key_ops.generate(run, password), self._made)

    def replace(self) -> None:
        reason = messages.ask_text(
            self,
            "更换密钥后须把新的登记文件交上级机构重新登记；旧密钥对已签名的工作簿仍然有效。\n"
            "请填写更换原因（如：忘记密码、换了电脑），将记入审计日志：",
            "更换签名密钥",
        )
        if not reason:
            return
        password = self._password("新密钥将用您的密码加密保存。")
        if password is None:
            return
        self.jobs.start(
            "更换签名密钥",
            lambda run: key_ops.generate(run, password, replace=True, reason=reason),
            self._made,
        )

    def _made(self, key: key_ops.OwnKey) -> None:
        self.refresh()
        messages.info(
            self,
            f"已生成签名密钥，指纹：{key.fingerprint}\n请导出登记文件交上级机构登记。",
        )

    def export(self) -> None:
        org = self.ws.organisation
        name = f"{org.code if org else '本机构'}_公钥登记.json"
        out = choose_path(self, "导出公钥登记文件", name, "公钥登记文件 (*.json)", ".json")
        if out is None:
            return
        password = None
        if key_ops.current(Run.plain(self.ws)) is None:
            password = self._password("本机构还没有签名密钥，将先生成。")
            if password is None:
                return
        self.jobs.start(
            "导出公钥登记文件",
            lambda run: key_ops.export_registration(run, Path(out), password=password),
            self._exported,
        )

    def _exported(self, done: key_ops.Exported) -> None:
        self.refresh()
        messages.info(
            self,
            f"公钥登记文件已导出。指纹：{done.key.fingerprint}\n"
            "请交上级机构登记，并在电话中逐组核对指纹。",
        )
