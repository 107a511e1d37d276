"""What the screenshot tour (:mod:`.tour`) opens besides the pages: every entry form of
the form registry — once new and once with a record of the database — and the window's
other dialogs.

The forms come from the registry (``ws.forms``), so a new form file gets its pictures
without anyone adding it here; only the forms that open through an editor of their own
(the resident, a contract, a referral, the 不转诊 note) or have no entry dialog at all
are named. The other dialogs are listed once each (:func:`dialog_targets`); the tour's
test compares that list with every ``QDialog`` class of ``ygt_desktop.ui``, so a new
dialog without a picture fails it.

Every opener builds its dialog as the window does (the same class, arguments and
parent, mostly through the page's own action) and returns it shown or ready to show;
none saves anything. An opener raises :class:`Unavailable` when the database has
nothing to show it with (no contract, no stocktake …); the index says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from ..core.forms import FormDef
from ..ops import households
from ..ops.base import Run
from ..storage import roster, users
from ..storage.entities import EntityRepo
from ..storage.referrals import Referrals
from ..storage.workspace import Workspace
from .account_dialogs import (
    AddUserDialog,
    FirstAccountDialog,
    ForgotPasswordDialog,
    RecoveryCodeDialog,
    SetPasswordDialog,
)
from .bureau_roster_page import MemberDialog
from .close_dialog import CloseDialog
from .contract_editor import ContractEditor, new_contract_values
from .entity_editor import EntityEditor
from .equipment_stocktake import MarkDialog
from .household_dialogs import EditDialog, FoundDialog, MoveDialog
from .idle_lock import IdleLock, UnlockDialog
from .login_dialog import LoginDialog
from .referral_editor import ReferralEditor, dismissal_editor, editor_for_suggestion
from .resident_detail import ResidentDetail
from .resident_editor import ResidentEditor
from .service_editor import ServiceEditor
from .setup_dialog import SetupDialog
from .shell import MainWindow
from .vaccine_card import VaccineCard
from .vaccine_notice_dialog import VaccineNoticeDialog

FORM = "表单"
DIALOG = "对话框"
NEW = "新增"
EXISTING = "修改"

# Forms without an entry dialog of their own: why (shown in the index).
NO_EDITOR: dict[str, str] = {
    "equipment_checklist": "标准配置清单从清单文件载入（设备 → 标准配置清单），没有录入对话框",
    "equipment_stocktake_line": (
        "盘点明细在“设备 → 盘点”的表格中逐台标记（见对话框“盘点：状态变化”）"
    ),
}
# Forms whose saved records are not opened again: why.
NOT_REOPENED: dict[str, str] = {
    "referral_dismissal": "不转诊说明保存后不再修改（记录保留，可在审计日志中查到）",
}
BUREAU_NO_FORMS = "卫健局的数据库不录入居民和机构的记录（只汇总成员机构的上报）"
SAMPLE_RECOVERY_CODE = "ABCD-EFGH-JKMN-PQRS"  # the placeholder the 忘记密码 dialog shows


class Unavailable(Exception):
    """Nothing in this database to open the dialog with; the message says what."""


@dataclass(frozen=True)
class Target:
    """One dialog to photograph: ``open()`` returns it (shown or not), or raises
    :class:`Unavailable`. ``stem`` is the PNG's file name without ``.png``."""

    section: str
    title: str
    stem: str
    open: Callable[[], QDialog | Owned]
    form_id: str | None = None
    variant: str | None = None  # NEW / EXISTING for a form
    note: str = ""


@dataclass(frozen=True)
class Skip:
    """A form variant with no picture, and why."""

    section: str
    title: str
    why: str
    form_id: str | None = None
    variant: str | None = None


class Samples:
    """Records of the database to open the forms with (read once, nothing written)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        # The newest record of every service form (a read; storage has no call for it).
        self.service_records: dict[str, int] = {
            r["form_id"]: int(r["record_id"])
            for r in ws.store.query(
                "SELECT form_id, max(id) AS record_id FROM service_records "
                "WHERE deleted = 0 GROUP BY form_id"
            )
        }
        self.resident_ids = ws.residents.ordered_ids(include_closed=False)
        self._for_form: dict[str, int | None] | None = None

    def resident(self) -> int:
        """A resident to show the timeline of: the one with the newest hypertension or
        other follow-up when there is one, else the first in the register."""
        for form_id in ("htn_followup", "dm_followup", *sorted(self.service_records)):
            record = self.service_records.get(form_id)
            if record is not None:
                header, _ = self.ws.services.get(record)
                if header["resident_id"] is not None:
                    return int(header["resident_id"])
        if not self.resident_ids:
            raise Unavailable("数据库中没有居民档案")
        return self.resident_ids[0]

    def child(self) -> int:
        """A child to show the vaccination card of: the one of the newest vaccine dose,
        else of the newest child check, else :meth:`resident`."""
        for form_id in ("vaccine_dose", "vaccination", "child_check_infant"):
            record = self.service_records.get(form_id)
            if record is not None:
                header, _ = self.ws.services.get(record)
                if header["resident_id"] is not None:
                    return int(header["resident_id"])
        return self.resident()

    def entity(self, form: FormDef) -> int | None:
        rows = EntityRepo(self.ws.store, form).rows(order="id DESC")
        return int(rows[0]["id"]) if rows else None

    def applies(self, form: FormDef) -> int | None:
        """A resident the service form applies to today: the one of its newest record
        if it still applies, else the first one in the register order."""
        if self._for_form is None:
            self._for_form = self._scan()
        return self._for_form.get(form.id)

    def _scan(self) -> dict[str, int | None]:
        wanted = {f.id for f in self.ws.forms if f.kind == "service"}
        found: dict[str, int | None] = {}

        def take(resident_id: int) -> None:
            for f in self.ws.services.applicable_forms(resident_id):
                if f.id in wanted and f.id not in found:
                    found[f.id] = resident_id

        for form_id in sorted(wanted):
            record = self.service_records.get(form_id)
            if record is not None and form_id not in found:
                header, _ = self.ws.services.get(record)
                if header["resident_id"] is not None:
                    take(int(header["resident_id"]))
        for resident_id in self.resident_ids[:SCAN_LIMIT]:
            if wanted <= found.keys():
                break
            take(resident_id)
        return found


SCAN_LIMIT = 3000  # residents looked at to find one a form applies to


# ---- forms ---------------------------------------------------------------------------------


def form_targets(ws: Workspace, window: MainWindow, samples: Samples) -> Iterator[Target | Skip]:
    """Every form of the registry, new and with its newest record, in package order."""
    for form in sorted(ws.forms, key=lambda f: (_KIND_ORDER.get(f.kind, 9), f.order, f.id)):
        why = BUREAU_NO_FORMS if window.bureau is not None else NO_EDITOR.get(form.id)
        if why:
            for variant in (NEW, EXISTING):
                yield _skip(form, variant, why)
            continue
        yield from _form(ws, window, samples, form)


_KIND_ORDER = {"register": 0, "service": 1, "station_log": 2, "entity": 3}


def _title(form: FormDef, variant: str) -> str:
    return f"{form.label} · {'新增（空白）' if variant == NEW else '修改（已有记录）'}"


def _target(form: FormDef, variant: str, opener: Callable[[], QDialog], note: str = "") -> Target:
    stem = f"form-{form.id}-{variant}"
    return Target(FORM, _title(form, variant), stem, opener, form.id, variant, note)


def _skip(form: FormDef, variant: str, why: str) -> Skip:
    return Skip(FORM, _title(form, variant), why, form.id, variant)


def _form(
    ws: Workspace, window: MainWindow, samples: Samples, form: FormDef
) -> Iterator[Target | Skip]:
    if form.id == "resident":
        yield _target(form, NEW, lambda: ResidentEditor(ws, None, window))
        if samples.resident_ids:
            rid = samples.resident_ids[0]
            yield _target(form, EXISTING, lambda: ResidentEditor(ws, rid, window))
        else:
            yield _skip(form, EXISTING, "没有记录")
        return
    if form.kind in ("service", "station_log"):
        yield from _service_form(ws, window, samples, form)
        return
    yield from _entity_form(ws, window, samples, form)


def _service_form(
    ws: Workspace, window: MainWindow, samples: Samples, form: FormDef
) -> Iterator[Target | Skip]:
    if form.kind == "station_log":
        yield _target(form, NEW, lambda: ServiceEditor(ws, form.id, None, None, window))
    else:
        resident = samples.applies(form)
        note = ""
        if resident is None and samples.resident_ids:
            resident = samples.resident_ids[0]  # shown for someone, though not applicable
            note = "没有适用此表的居民：以登记册中的第一位居民示意"
        if resident is None:
            yield _skip(form, NEW, "数据库中没有居民档案")
        else:
            yield _target(
                form, NEW, lambda: ServiceEditor(ws, form.id, resident, None, window), note
            )
    record = samples.service_records.get(form.id)
    if record is None:
        yield _skip(form, EXISTING, "没有记录")
    else:
        yield _target(form, EXISTING, lambda: ServiceEditor(ws, form.id, None, record, window))


def _entity_form(
    ws: Workspace, window: MainWindow, samples: Samples, form: FormDef
) -> Iterator[Target | Skip]:
    existing = samples.entity(form)
    new: Callable[[], QDialog]
    old: Callable[[int], QDialog]
    if form.id == "contract":
        new = lambda: _new_contract(ws, window, samples)  # noqa: E731
        old = lambda cid: ContractEditor(ws, cid, parent=window)  # noqa: E731
    elif form.id == "referral":
        referrals = Referrals(ws.store, ws.forms)
        new = lambda: ReferralEditor(ws, referrals, parent=window)  # noqa: E731
        old = lambda rid: ReferralEditor(ws, referrals, rid, parent=window)  # noqa: E731
    elif form.id == "referral_dismissal":
        new = lambda: _dismissal(ws, window)  # noqa: E731
        old = _not_reopened
    elif form.id == "household":  # made and edited from a resident's 家庭 section
        new = lambda: FoundDialog(ws, samples.resident(), window)  # noqa: E731
        old = lambda hid: EditDialog(ws, _household_member(ws, hid), window)  # noqa: E731
    else:
        repo = EntityRepo(ws.store, form)
        new = lambda: EntityEditor(ws, repo, None, parent=window)  # noqa: E731
        old = lambda eid: EntityEditor(ws, repo, eid, parent=window)  # noqa: E731
    yield _target(form, NEW, new)
    if form.id in NOT_REOPENED:
        yield _skip(form, EXISTING, NOT_REOPENED[form.id])
    elif existing is None:
        yield _skip(form, EXISTING, "没有记录")
    else:
        yield _target(form, EXISTING, lambda: old(existing))


def _household_member(ws: Workspace, household_id: int) -> int:
    """A member of the household (its 编辑家庭 opens from a member's page)."""
    return households.view(Run.plain(ws), household_id).members[0].resident_id


def _not_reopened(_id: int) -> QDialog:
    raise Unavailable("保存后不再修改")


def _new_contract(ws: Workspace, window: MainWindow, samples: Samples) -> QDialog:
    resident = samples.resident()
    values = new_contract_values(ws, resident, dt.date.today())
    return ContractEditor(ws, None, initial=values, parent=window)


def _suggestion(ws: Workspace) -> Any:
    suggestions = Referrals(ws.store, ws.forms).suggestions()
    if not suggestions:
        raise Unavailable("没有待处理的转诊建议")
    return suggestions[0]


def _dismissal(ws: Workspace, window: MainWindow) -> QDialog:
    return dismissal_editor(ws, Referrals(ws.store, ws.forms), _suggestion(ws), window)


# ---- the other dialogs --------------------------------------------------------------------


def dialog_targets(ws: Workspace, window: MainWindow, samples: Samples) -> list[Target]:
    """The window's dialogs that are not a form's editor, in the order a user meets
    them (bureau databases: the roster's member dialog instead of the station's)."""
    user = ws.store.user
    role = ws.store.role or ""
    common = [
        _dialog("登录", "登录", lambda: LoginDialog(ws)),
        _dialog("首次使用 · 设置本机构", "首次使用", lambda: SetupDialog(str(ws.store.path))),
        _dialog("建立第一个账户", "建立账户", lambda: FirstAccountDialog(ws)),
        _dialog(
            "恢复码（示例）",
            "恢复码",
            lambda: RecoveryCodeDialog(ws, user, role, SAMPLE_RECOVERY_CODE, window),
        ),
        _dialog("忘记密码", "忘记密码", lambda: ForgotPasswordDialog(ws, user)),
        _dialog(
            "修改我的密码",
            "修改密码",
            lambda: SetPasswordDialog(ws, user, ask_old=True, parent=window),
        ),
        _dialog("重设他人的密码", "重设密码", lambda: _reset_password(ws, window)),
        _dialog("添加用户", "添加用户", lambda: AddUserDialog(ws, window)),
        _dialog("已锁定（自动锁定后）", "已锁定", lambda: _unlock(ws, window)),
    ]
    if window.bureau is not None:
        return [
            _dialog("成员机构 · 新增", "成员机构-新增", lambda: MemberDialog(ws, None, window)),
            _dialog("成员机构 · 修改", "成员机构-修改", lambda: _member(ws, window)),
            *common,
        ]
    return [
        _dialog("居民的服务记录（时间线）", "居民服务记录", lambda: _timeline(ws, window, samples)),
        _dialog("新增服务记录 · 选择表单", "选择表单", lambda: _form_picker(ws, window, samples)),
        _dialog("档案结案", "档案结案", lambda: CloseDialog(ws, samples.resident(), window)),
        _dialog("迁入其他家庭", "迁入其他家庭", lambda: MoveDialog(ws, samples.resident(), window)),
        _dialog("预防接种卡", "预防接种卡", lambda: VaccineCard(ws, samples.child(), window)),
        _dialog("打印接种通知单", "接种通知单", lambda: VaccineNoticeDialog(ws, window)),
        _dialog(
            "转诊单草稿（由转诊建议生成）",
            "转诊单草稿",
            lambda: editor_for_suggestion(
                ws, Referrals(ws.store, ws.forms), _suggestion(ws), window
            ),
        ),
        _dialog("签约 · 选择居民", "签约选择居民", lambda: _contract_action(window, "sign_new")),
        _dialog("解约", "解约", lambda: _contract_action(window, "terminate_current")),
        _dialog("签约服务费到账", "到账", lambda: _contract_action(window, "fees_current")),
        _dialog("家庭签约满意度问卷", "满意度", lambda: _contract_action(window, "survey_current")),
        _dialog("盘点：状态变化", "盘点状态变化", lambda: _mark(window)),
        _dialog("报表指标的居民名单", "报表名单", lambda: _people(window)),
        *common,
    ]


def _dialog(title: str, stem: str, opener: Callable[[], QDialog | Owned]) -> Target:
    return Target(DIALOG, title, f"dialog-{stem}", opener)


def _timeline(ws: Workspace, window: MainWindow, samples: Samples) -> QDialog:
    return ResidentDetail(ws, samples.resident(), window)


def _form_picker(ws: Workspace, window: MainWindow, samples: Samples) -> Owned:
    """The picker as Ctrl+N in the timeline opens it (the timeline is closed after)."""
    detail = ResidentDetail(ws, samples.resident(), window)
    detail.add_service()
    picker = detail.child
    if picker is None:
        detail.deleteLater()
        raise Unavailable("该居民没有适用的服务表单")
    return Owned(picker, detail)


class Owned:
    """A dialog opened by another one the tour opened for it (closed together)."""

    def __init__(self, dialog: QDialog, owner: QWidget) -> None:
        self.dialog = dialog
        self.owner = owner


def unwrap(opened: QDialog | Owned) -> tuple[QDialog, list[QWidget]]:
    """The dialog an opener returned and the other windows to close with it."""
    if isinstance(opened, Owned):
        return opened.dialog, [opened.owner]
    return opened, []


def _reset_password(ws: Workspace, window: MainWindow) -> QDialog:
    others = [u for u in users.list_users(ws.store) if u.name != ws.store.user]
    if not others:
        raise Unavailable("只有一个用户账户")
    return SetPasswordDialog(ws, others[0].name, parent=window)


def _unlock(ws: Workspace, window: MainWindow) -> QDialog:
    lock = IdleLock(ws, lambda: 10)
    lock.stop()  # only its dialog is shown: no timer, no watching the keyboard
    lock.window = window
    return UnlockDialog(lock, window)


def _member(ws: Workspace, window: MainWindow) -> QDialog:
    members = roster.members(ws.store)
    if not members:
        raise Unavailable("成员机构名册为空")
    return MemberDialog(ws, members[0], window)


def _contract_action(window: MainWindow, action: str) -> Any:
    """A 家医签约 action on the first contract still running (the page's own dialog)."""
    tab = window.contracts_page.contracts
    tab.refresh()
    for i, row in enumerate(tab.model.rows):
        if row.termination_date is None:
            tab.table.selectRow(i)
            break
    else:
        if action != "sign_new":
            raise Unavailable("没有在约的签约")
    tab.dialog = None
    getattr(tab, action)()
    if tab.dialog is None:
        raise Unavailable("该操作没有打开对话框")
    return tab.dialog


def _mark(window: MainWindow) -> QDialog:
    tab = window.equipment_page.stocktake
    tab.refresh()
    item = tab.current()
    if item is None:
        raise Unavailable("没有盘点记录")
    return MarkDialog(item, True, lambda _status, _note: None, tab)


def _people(window: MainWindow) -> QDialog:
    """名单 of the first indicator with residents counted (the report as computed)."""
    page = window.report_page
    if page.computed is None:
        raise Unavailable("报表尚未计算")
    page.people = None
    rows = list(range(page.model.rowCount()))
    counted = page.computed.counted

    def gap(row: int) -> int:
        found = counted.get(page.model.indicator(row).code)
        return len(found.gap()) if found is not None else 0

    # One with residents still to serve shows a list in its first tab.
    for row in sorted(rows, key=lambda r: gap(r) == 0):
        page.show_people(row)  # a count has no list: the page says so in its status line
        if page.people is not None:
            break
    if page.people is None:
        raise Unavailable("没有按居民计算的指标")
    return page.people
