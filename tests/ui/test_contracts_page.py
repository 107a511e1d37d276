"""The 家医签约 page driven through the real widgets (issue 4): sign a resident found by
searching the register, renew, terminate, and keep teams and packages.

Dates are relative to the real today: the page signs and terminates on today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from tests.contract_helpers import make_station
from tests.ui.background import wait_for_jobs
from ygt_desktop.core.contracts import one_year_end
from ygt_desktop.ui import contracts_page, messages
from ygt_desktop.ui.contract_dialogs import TerminateDialog
from ygt_desktop.ui.contract_editor import ContractEditor
from ygt_desktop.ui.contract_picker import ResidentPicker
from ygt_desktop.ui.contract_table import RowsModel
from ygt_desktop.ui.contracts_page import ContractsPage
from ygt_desktop.ui.entity_editor import EntityEditor

TODAY = dt.date.today()


@pytest.fixture
def st(ws):
    return make_station(ws)


@pytest.fixture
def told(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(messages, "info", lambda _p, text, *_a: said.append(text))
    monkeypatch.setattr(messages, "error", lambda _p, text, *_a: said.append(text))
    return said


@pytest.fixture
def page(qtbot, st, told):
    page = ContractsPage(st.ws)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    activate(qtbot, page)
    return page


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def wait_dialog(qtbot, owner, kind):
    qtbot.waitUntil(lambda: isinstance(owner.dialog, kind) and owner.dialog.isVisible())
    activate(qtbot, owner.dialog)
    return owner.dialog


def ok_button(dialog):
    return next(b for b in dialog.buttons.buttons() if b.text() == "解约")


def shown(page) -> list[list[str]]:
    return page.contracts.model.texts()


def test_rows_model_keeps_the_qt_contract(qtmodeltester):
    model = RowsModel(
        [("甲", lambda r: r[0]), ("乙", lambda r: r[1])],
        lambda r: "#c62828" if r[0] == "x" else None,
    )
    model.set_rows([("x", "1"), ("y", "2")])
    qtmodeltester.check(model)


def test_sign_a_resident_found_by_initials(qtbot, page, st):
    tab = page.contracts
    qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    picker = wait_dialog(qtbot, tab, ResidentPicker)
    qtbot.keyClicks(picker.search, "zlh")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.model.rowCount() == 1
    qtbot.keyClick(picker.table, Qt.Key.Key_Return)
    editor = wait_dialog(qtbot, tab, ContractEditor)
    assert "张老汉" in editor.header.text()
    fields = editor.form_widget.editors
    # The team covering the resident's village and its doctor are proposed.
    assert fields["team_id"].widget.currentData() == str(st.teams["小坝"])
    doctor: QComboBox = fields["doctor_id"].widget
    assert [doctor.itemText(i) for i in range(doctor.count())] == [
        "",
        "王医生",  # the name: the member's id is the item's data, never shown
    ]
    assert not fields["resident_id"].widget.isVisible()  # named in the header, not "居民 7"
    assert fields["key_populations"].checks["elderly"].isChecked()
    assert not fields["key_populations"].widget.isEnabled()  # set by the app
    fields["package_ids"].checks[str(st.packages["基础服务包"])].click()
    assert [fields[f"fee_{p}"].widget.text() for p in ("medical", "phs", "personal")] == [
        "20",
        "30",
        "5",
    ]
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    rows = shown(page)
    assert len(rows) == 1
    assert rows[0][1:3] == ["有效", "张老汉"]
    assert rows[0][8] == "基础服务包"
    assert rows[0][9] == f"{TODAY.isoformat()} 至 {one_year_end(TODAY).isoformat()}"
    assert rows[0][10] == "65岁及以上老年人"
    assert page.contracts.counts.text() == "共 1 份：有效 1"


def test_doctor_list_follows_the_team_and_errors_show_at_the_field(qtbot, page, st):
    editor = ContractEditor(
        st.ws, initial={"resident_id": st.people["赵青年"], "start_date": TODAY, "end_date": TODAY}
    )
    qtbot.addWidget(editor)
    fields = editor.form_widget.editors
    team: QComboBox = fields["team_id"].widget
    team.setCurrentIndex(team.findData(str(st.teams["龙泉"])))
    assert fields["doctor_id"].widget.currentText() == "赵医生"
    fields["package_ids"].checks[str(st.packages["基础服务包"])].click()
    editor.save()
    assert "至少一年" in editor.form_widget.editors["end_date"].error.text()
    assert st.contracts.rows() == []


def test_renew_then_terminate_and_a_terminated_contract_cannot_be_renewed(qtbot, page, st, told):
    start = TODAY - dt.timedelta(days=300)
    cid = st.sign("王大姐", start.isoformat())
    tab = page.contracts
    tab.refresh()
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    editor = wait_dialog(qtbot, tab, ContractEditor)
    assert "续约：原签约" in editor.header.text()
    assert (
        editor.form_widget.editors["start_date"].widget.text()
        == (one_year_end(start) + dt.timedelta(days=1)).isoformat()
    )
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    statuses = {r[0]: r[1] for r in shown(page)}
    assert statuses[str(cid)] == "已续约"
    renewal = next(int(k) for k in statuses if k != str(cid))
    assert st.contracts.values(renewal)["renews_id"] == cid

    tab.select(cid)
    qtbot.mouseClick(tab.action_buttons["terminate"], Qt.MouseButton.LeftButton)
    dialog = wait_dialog(qtbot, tab, TerminateDialog)
    dialog.reason.setCurrentIndex(dialog.reason.findData("2"))
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert {r[0]: r[1] for r in shown(page)}[str(cid)] == "已解约"
    tab.select(renewal)
    qtbot.mouseClick(tab.action_buttons["terminate"], Qt.MouseButton.LeftButton)
    dialog = wait_dialog(qtbot, tab, TerminateDialog)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)  # no reason
    assert dialog.isVisible()
    assert "解约原因" in dialog.errors["termination_reason"].text()
    dialog.reject()

    activate(qtbot, page)
    tab.select(cid)
    qtbot.keyClick(tab.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "已解约的签约不能续约" in told[-1]


def test_status_day_and_filters(qtbot, page, st):
    st.sign("王大姐", "2025-01-01")
    st.sign("赵青年", "2025-06-01", team="龙泉", doctor="赵医生")
    tab = page.contracts
    tab.on.selectAll()
    qtbot.keyClicks(tab.on, "20250701")
    qtbot.keyClick(tab.on, Qt.Key.Key_Return)
    assert tab.on.text() == "2025-07-01"
    assert [r[1] for r in shown(page)] == ["有效", "有效"]
    tab.on.setText("2026-01-15")
    tab.refresh()
    assert sorted(r[1] for r in shown(page)) == ["到期", "有效"]
    tab.team.setCurrentIndex(tab.team.findData(str(st.teams["龙泉"])))
    assert [r[2] for r in shown(page)] == ["赵青年"]
    tab.team.setCurrentIndex(0)
    tab.status.setCurrentIndex(tab.status.findText("到期"))
    assert [r[2] for r in shown(page)] == ["王大姐"]
    assert tab.model.colour(tab.model.rows[0]) == contracts_page.STATUS_COLOURS["到期"]


def test_teams_members_and_packages_are_kept_on_the_page(qtbot, page, st, told):
    setup = page.setup
    page.tabs.setCurrentWidget(setup)
    assert setup.packages.model.rowCount() == 5
    assert setup.packages.model.texts()[0][3:7] == ["20", "30", "5", "55"]
    setup.load_examples()
    assert told[-1] == "示例服务包都已在列表中。"
    setup.teams.table.selectRow(0)
    qtbot.mouseClick(setup.members.buttons.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    editor = wait_dialog(qtbot, setup.members, EntityEditor)
    fields = editor.form_widget.editors
    assert fields["team_id"].widget.currentData() == str(setup.teams.model.rows[0]["id"])
    qtbot.keyClicks(fields["name"].widget, "Ma Yi")
    fields["role"].widget.setCurrentIndex(fields["role"].widget.findData("5"))
    qtbot.keyClicks(fields["phone"].widget, "13900001234")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert any(r[1] == "Ma Yi" and r[2] == "上级医院专科医生" for r in setup.members.model.texts())

    st.sign("张老汉", "2026-01-01")  # 基础服务包 in use: made inactive, not deleted
    setup.packages.table.selectRow(
        next(i for i, r in enumerate(setup.packages.model.rows) if r["name"] == "基础服务包")
    )
    setup.packages.delete_current()
    assert "不能删除" in told[-1] and "取消“可签约”" in told[-1]
    assert setup.packages.model.rowCount() == 5


def test_contract_list_model_keeps_the_qt_contract(page, st, qtmodeltester):
    st.sign("张老汉", "2026-01-01")
    st.sign("王大姐", "2025-01-01")
    page.contracts.refresh()
    qtmodeltester.check(page.contracts.model)


def test_print_the_agreement_of_the_selected_contract(qtbot, page, st, monkeypatch, tmp_path):
    from ygt_desktop.ui import worklist_export

    opened = []
    monkeypatch.setattr(
        worklist_export, "choose_path", lambda _p, _t, name, _f, _s: tmp_path / name
    )
    monkeypatch.setattr(worklist_export, "open_file", lambda p: opened.append(p) or True)
    st.sign("张老汉", "2026-01-01")
    tab = page.contracts
    tab.refresh()
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_for_jobs(qtbot)
    assert [p.name for p in opened] == ["签约服务协议书_张老汉_2026-01-01.pdf"]
    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(opened[0]).pages)
    assert "530102********1233" in text
    tab.full_id.setChecked(True)
    tab.print_agreement()
    wait_for_jobs(qtbot)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(opened[1]).pages)
    assert "530102195001011233" in text
