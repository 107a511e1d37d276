"""First start: who this organisation is — a station or centre and the villages it
serves, or a district or city bureau (区/市), which has member organisations instead.
The first account follows (:class:`~ygt_desktop.ui.account_dialogs.FirstAccountDialog`)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ..core.org_codes import is_bureau
from ..storage.organisation import LEVELS, Organisation, check_org, check_village
from .error_text import ErrorLabel
from .widgets import dialog_buttons


class SetupDialog(QDialog):
    """Collects the organisation and villages; ``result_org`` / ``result_villages``."""

    def __init__(self, db_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("首次使用 · 设置本机构")
        self.result_org: Organisation | None = None
        self.result_villages: list[tuple[str, str]] = []
        self.name = QLineEdit()
        self.name.setObjectName("setup_name")
        self.name.setPlaceholderText("如：五华区龙泉社区卫生服务站")
        self.code = QLineEdit()
        self.code.setObjectName("setup_code")
        self.code.setPlaceholderText("9位：县级区划代码6位 + 乡镇3位，如 530102001")
        self.level = QComboBox()
        self.level.setObjectName("setup_level")
        self.level.addItems(LEVELS)
        self.level.currentTextChanged.connect(self._level_changed)
        self.parent_code = QLineEdit()
        self.parent_code.setObjectName("setup_parent")
        self.parent_code.setPlaceholderText("上级机构代码（可不填），如 530102")
        self.villages = QPlainTextEdit()
        self.villages.setObjectName("setup_villages")
        self.villages.setPlaceholderText(
            "每行一个：代码 名称\n001 龙泉路社区居委会\n101 小坝村委会"
        )
        self.villages.setFixedHeight(110)
        self.error = ErrorLabel()
        form = QFormLayout(self)
        form.addRow(QLabel(f"将新建数据库：{db_path}"))
        form.addRow("机构名称＊", self.name)
        form.addRow("机构代码＊", self.code)
        form.addRow("机构级别＊", self.level)
        form.addRow("上级机构代码", self.parent_code)
        self.villages_label = QLabel("辖区居委/村委＊")
        form.addRow(self.villages_label, self.villages)
        self.bureau_note = QLabel(
            "区、市级机构（区卫健局、医防融合管理中心等）接收并汇总各站点的上报工作簿，"
            "没有居民档案和辖区居委/村委；成员机构名册在启动后的“成员机构”页导入。"
        )
        self.bureau_note.setWordWrap(True)
        self.bureau_note.setVisible(False)
        form.addRow(self.bureau_note)
        note = QLabel("下一步建立站长（区、市级机构为管理员）的登录账户。")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(self.error)
        form.addRow(dialog_buttons(self, "下一步", "退出", self.try_accept))
        self.resize(560, 420)

    def try_accept(self) -> None:
        org = Organisation(
            self.code.text().strip(),
            self.name.text().strip(),
            self.level.currentText(),
            self.parent_code.text().strip() or None,
        )
        problems = list(check_org(org.code, org.name, org.level, org.parent_code).values())
        villages: list[tuple[str, str]] = []
        lines = [] if is_bureau(org.level) else self.villages.toPlainText().splitlines()
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            code, _, name = line.strip().partition(" ")
            problem = check_village(code, name.strip())
            if problem:
                problems.append(f"居委/村委第{n}行：{problem}")
            villages.append((code, name.strip()))
        if not villages and not is_bureau(org.level):
            problems.append("请至少填写一个辖区居委/村委")
        if len({c for c, _ in villages}) != len(villages):
            problems.append("居委/村委代码有重复")
        if problems:
            self.error.setText("\n".join(problems))
            return
        self.result_org = org
        self.result_villages = villages
        self.accept()

    def _level_changed(self, level: str) -> None:
        bureau = is_bureau(level)
        self.villages.setVisible(not bureau)
        self.villages_label.setVisible(not bureau)
        self.bureau_note.setVisible(bureau)
        self.code.setPlaceholderText(
            "6位区划代码：区如 530102，市如 530100"
            if bureau
            else "9位：县级区划代码6位 + 乡镇3位，如 530102001"
        )
