"""团队与服务包: the station's family-doctor teams, their members and the service
packages with their annual fees per payer — add (Ctrl+N in a list), edit (Enter),
delete with a reason; the example packages of the form file can be loaded once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.contracts import yuan_text
from ..storage.contracts import add_example_packages, contracts_using
from ..storage.db import StoreError
from ..storage.entities import EntityRepo
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from . import messages
from .contract_table import Column, RowsModel, table_view
from .entity_editor import EntityEditor
from .guard import deleting
from .table_fit import natural_width, rows_height


class EntityList(QGroupBox):
    """The records of one entity form as a table with 新增 / 修改 / 删除."""

    sig_changed = Signal()

    def __init__(
        self,
        ws: Workspace,
        form_id: str,
        title: str,
        columns: Sequence[Column],
        order: str = "id",
        initial: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(title)
        self.ws = ws
        self.repo = EntityRepo(ws.store, ws.forms[form_id])
        self.order = order
        self.initial = initial
        self.dialog: QDialog | None = None
        self.model: RowsModel[dict[str, Any]] = RowsModel(columns)
        self.table = table_view(self.model, f"{form_id}_table", (), self.edit_current)
        self.buttons = QHBoxLayout()
        for text, slot in (
            ("新增 (Ctrl+N)", self.add),
            ("修改 (Enter)", self.edit_current),
            ("删除…", self.delete_current),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons.addWidget(button)
        self.buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.buttons)
        sc = QShortcut(QKeySequence("Ctrl+N"), self.table, activated=self.add)
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.repo.rows(order=self.order))

    def add(self) -> None:
        self._open(None)

    def edit_current(self) -> None:
        row = self.model.current(self.table)
        if row is None:
            messages.info(self, "请先在列表中选中一条记录。")
            return
        self._open(int(row["id"]))

    def _open(self, entity_id: int | None) -> None:
        initial = self.initial() if self.initial and entity_id is None else None
        editor = EntityEditor(self.ws, self.repo, entity_id, initial=initial, parent=self)
        self.dialog = editor
        editor.accepted.connect(self._saved)
        editor.open()

    def _saved(self) -> None:
        self.refresh()
        self.sig_changed.emit()

    def delete_current(self) -> None:
        row = self.model.current(self.table)
        if row is None:
            messages.info(self, "请先在列表中选中一条记录。")
            return
        used = contracts_using(self.ws.store, self.repo.form.id, int(row["id"]))
        if used:
            what = (
                "取消“在岗”"
                if self.repo.form.id == "team_member"
                else ("取消“可签约”" if self.repo.form.id == "service_package" else "改名或保留")
            )
            messages.info(
                self,
                f"已有 {used} 份签约用到这条记录，不能删除（删除后这些签约将无法显示）。"
                f"不再使用时请{what}。",
                "不能删除",
            )
            return
        reason = messages.ask_text(
            self, "删除后不再出现在列表和选项中。请填写删除原因：", f"删除{self.repo.form.title}"
        )
        if not reason:
            return
        try:
            deleting(self.ws, lambda: self.repo.delete(int(row["id"]), reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self._saved()


def _yes(value: Any) -> str:
    return "是" if value else "否"


class SetupTab(QWidget):
    """Teams and members on the left, packages on the right."""

    sig_changed = Signal()

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        names = {v.code: v.name for v in villages(ws.store)}
        role = ws.forms["team_member"].field("role").choice_labels
        kind = ws.forms["service_package"].field("kind").choice_labels
        target = ws.forms["service_package"].field("target").choice_labels
        self.teams = EntityList(
            ws,
            "team",
            "家庭医生团队",
            [
                ("团队名称", lambda r: r["name"]),
                ("团队长", lambda r: r["leader"] or ""),
                ("联系电话", lambda r: r["phone"] or ""),
                (
                    "负责的居委/村委",
                    lambda r: "、".join(
                        names.get(v, v) for v in (r["villages"] or "").split(",") if v
                    ),
                ),
            ],
            order="name",
        )
        self.members = EntityList(
            ws,
            "team_member",
            "团队成员",
            [
                ("团队", lambda r: self._team_name(r["team_id"])),
                ("姓名", lambda r: r["name"]),
                ("角色", lambda r: role.get(r["role"], r["role"] or "")),
                ("联系电话", lambda r: r["phone"] or ""),
                ("在岗", lambda r: _yes(r["active"])),
            ],
            order="team_id, role, name",
            initial=self._member_initial,
        )
        self.packages = EntityList(
            ws,
            "service_package",
            "签约服务包（年服务费，元）",
            [
                ("名称", lambda r: r["name"]),
                ("类型", lambda r: kind.get(r["kind"], "")),
                ("服务对象", lambda r: target.get(r["target"], "")),
                ("医保", lambda r: yuan_text(r["fee_medical"])),
                ("公卫", lambda r: yuan_text(r["fee_phs"])),
                ("个人", lambda r: yuan_text(r["fee_personal"])),
                ("合计", lambda r: yuan_text(r["fee_total"])),
                ("可签约", lambda r: _yes(r["active"])),
            ],
            order="kind, name",
        )
        examples = QPushButton("载入示例服务包")
        examples.setObjectName("load_examples")
        examples.setToolTip(
            "载入表单文件中的示例（基础包 55 元 = 医保 20 + 公卫 30 + 个人 5；"
            "重点人群包 150 元），载入后请按本地价格修改"
        )
        examples.clicked.connect(self.load_examples)
        self.packages.buttons.insertWidget(3, examples)
        for part in (self.teams, self.members, self.packages):
            part.sig_changed.connect(self._changed)
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.setChildrenCollapsible(False)
        self.left.addWidget(self.teams)
        self.left.addWidget(self.members)
        self.row = QSplitter(Qt.Orientation.Horizontal)
        self.row.setChildrenCollapsible(False)
        self.row.addWidget(self.left)
        self.row.addWidget(self.packages)
        self.row.setStretchFactor(0, 1)  # a wider window widens the teams and members
        self.row.setStretchFactor(1, 0)
        self._balanced = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.row)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._balanced:
            self._balanced = True
            self.balance()

    def balance(self) -> None:
        """Share the width and height by what the lists show: the packages (short
        figures) as wide as their columns, at most half; the teams as tall as their few
        rows, at most half; the members the rest (then the user's to drag)."""
        total = self.row.width() - self.row.handleWidth()
        chrome = self.packages.width() - self.packages.table.width()
        packages = min(natural_width(self.packages.table) + chrome, total // 2)
        self.row.setSizes([total - packages, packages])
        height = self.left.height() - self.left.handleWidth()
        chrome = self.teams.height() - self.teams.table.height()
        teams = min(rows_height(self.teams.table) + chrome, height // 2)
        self.left.setSizes([teams, height - teams])

    def _team_name(self, team_id: Any) -> str:
        row = self.teams.repo.get(int(team_id)) if team_id else None
        return str(row["name"]) if row else ""

    def _member_initial(self) -> dict[str, Any]:
        """A new member joins the team selected in the team list."""
        team = self.teams.model.current(self.teams.table)
        return {"team_id": str(team["id"])} if team else {}

    def _changed(self) -> None:
        self.members.refresh()  # team names shown there
        self.sig_changed.emit()

    def load_examples(self) -> None:
        try:
            added = add_example_packages(self.ws.store, self.ws.forms)
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.packages.refresh()
        self.sig_changed.emit()
        messages.info(
            self,
            f"已载入 {len(added)} 个示例服务包，请按本地价格核对金额。"
            if added
            else "示例服务包都已在列表中。",
        )
