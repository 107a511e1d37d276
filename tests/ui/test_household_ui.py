"""The resident page's 家庭 section (issue 13, households): members with their relation,
former members shown as such, and moving, founding and editing from the keyboard."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.household_helpers import family, person
from ygt_desktop.ops import households as ops
from ygt_desktop.ops.base import Run
from ygt_desktop.ui import messages
from ygt_desktop.ui.household_dialogs import EditDialog, FoundDialog, MoveDialog
from ygt_desktop.ui.household_model import FORMER, RESIDENT_ID, HouseholdMembersModel
from ygt_desktop.ui.household_section import HouseholdSection
from ygt_desktop.ui.resident_detail import ResidentDetail


def _pick(combo, code) -> None:
    combo.setCurrentIndex(combo.findData(code))


def test_members_model_holds_qts_contract(ws, qtmodeltester):
    households, hid, ids = family(ws)
    ws.residents.close(ids["王海"], "迁出", dt.date.today())
    view = ops.view(Run.plain(ws), hid)
    model = HouseholdMembersModel(view.members, ids["王建国"])
    qtmodeltester.check(model)
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(3)]
    assert rows[0][0] == "王建国" and rows[0][3] == "户主"
    assert rows[2][0] == "王海" and rows[2][5].startswith("原成员（已迁出")
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) == FORMER
    assert model.index(1, 0).data(RESIDENT_ID) == ids["李秀英"]


def test_section_on_the_resident_page_and_enter_opens_a_member(ws, qtbot):
    _households, _hid, ids = family(ws)
    page = ResidentDetail(ws, ids["李秀英"])
    qtbot.addWidget(page)
    section = page.household
    assert "户编号 101-00001" in section.title.text() and "户主 王建国" in section.title.text()
    assert "家庭人口数 3" in section.title.text()
    assert section.model.rowCount() == 3
    section.table.setFocus()
    section.table.setCurrentIndex(section.model.index(2, 0))
    with qtbot.waitSignal(section.sig_open_member) as opened:
        qtbot.keyClick(section.table, Qt.Key.Key_Return)
    assert opened.args == [ids["王海"]]


def test_move_needs_a_relation_then_moves(ws, qtbot):
    households, hid, ids = family(ws)
    other = households.found(person(ws, "孙七", "1950-01-01", village="102"), {})[0].record_id
    dialog = MoveDialog(ws, ids["王海"])
    qtbot.addWidget(dialog)
    assert dialog.new_head is None  # not the head: nothing to hand over
    qtbot.keyClicks(dialog.search, "102")
    qtbot.waitUntil(lambda: not dialog.search_timer.isActive())
    assert dialog.results.count() == 1
    dialog.accept()
    assert "请选择与户主关系" in dialog.error.text()
    assert households.household_of(ids["王海"]) == hid  # nothing changed
    _pick(dialog.relation, "20")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert households.household_of(ids["王海"]) == other


def test_a_head_moving_out_hands_over_to_the_spouse_offered_first(ws, qtbot):
    households, hid, ids = family(ws)
    households.found(person(ws, "孙七", "1950-01-01", village="102"), {})
    dialog = MoveDialog(ws, ids["王建国"])
    qtbot.addWidget(dialog)
    assert dialog.new_head is not None
    assert dialog.new_head.currentText().endswith("李秀英")  # the spouse first
    qtbot.keyClicks(dialog.search, "102")
    _pick(dialog.relation, "70")
    dialog.accept()  # 迁入 before the list caught up: it shows the households first
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.results.count() == 1
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert households.get(hid).head.name == "李秀英"  # type: ignore[union-attr]


def test_found_a_household_for_someone_without_one(ws, qtbot):
    households = family(ws)[0]
    loner = person(ws, "周八", "1980-01-01")
    page = ResidentDetail(ws, loner)
    qtbot.addWidget(page)
    assert "未加入家庭档案" in page.household.title.text()
    assert not page.household.edit_btn.isEnabled()
    dialog = FoundDialog(ws, loner, page)
    qtbot.addWidget(dialog)
    _pick(dialog.structure, "1")
    dialog.accept()
    hid = households.household_of(loner)
    assert hid is not None and households.get(hid).structure == "1"
    page.household.refresh()
    assert "户主 周八" in page.household.title.text()


def test_editing_after_the_head_died_asks_for_a_new_head(ws, qtbot):
    households, hid, ids = family(ws)
    ws.residents.close(ids["王建国"], "死亡", dt.date.today())
    dialog = EditDialog(ws, ids["李秀英"])
    qtbot.addWidget(dialog)
    assert dialog.new_head is None
    dialog.note.setText("户主去世")
    dialog.accept()
    assert "户主王建国已死亡" in dialog.error.text() and "请先指定新户主" in dialog.error.text()
    assert households.get(hid).note is None  # refused: nothing saved
    combos = dict(dialog.relations)
    _pick(combos[ids["王建国"]], "11")
    _pick(combos[ids["李秀英"]], "02")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    h = households.get(hid)
    assert h.head.name == "李秀英" and h.note == "户主去世"  # type: ignore[union-attr]


def test_down_goes_from_the_search_into_the_list_and_then_moves_in_it(ws, qtbot):
    households, _, ids = family(ws)
    for name in ("孙七", "孙八"):
        households.found(person(ws, name, "1950-01-01", village="102"), {})
    dialog = MoveDialog(ws, ids["王海"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(dialog.search, "102")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)  # at once: the search typed runs first
    assert dialog.results.count() == 2
    assert dialog.results.hasFocus() and dialog.results.currentRow() == 0
    qtbot.keyClick(dialog.results, Qt.Key.Key_Down)  # the list's own Down, not the shortcut
    assert dialog.results.currentRow() == 1


def test_the_search_waits_for_typing_to_pause(ws, qtbot, monkeypatch):
    """One household search per pause in typing (as the resident list), not one per key."""
    households, _, ids = family(ws)
    households.found(person(ws, "孙七", "1950-01-01", village="102"), {})
    dialog = MoveDialog(ws, ids["王海"])
    qtbot.addWidget(dialog)
    searched: list[str] = []
    real = ops.find
    monkeypatch.setattr(
        ops, "find", lambda run, text, **kw: searched.append(text) or real(run, text, **kw)
    )
    qtbot.keyClicks(dialog.search, "101-9")
    assert searched == []  # nothing yet while typing
    qtbot.waitUntil(lambda: searched == ["101-9"])
    assert dialog.results.count() == 0 and "没有与“101-9”相符的家庭" in dialog.error.text()
    qtbot.keyClicks(dialog.search, "\b\b\b\b\b102")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # Enter runs the search typed at once
    assert searched == ["101-9", "102"] and dialog.results.count() == 1


def _moved_out_last(ws, qtbot, monkeypatch, actor_role: str | None = None):
    households, hid, ids = family(ws)
    loner = person(ws, "孙七", "1950-01-01", village="102")
    old = households.found(loner, {})[0].record_id
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, text, title="": asked.append(text) or True)
    section = HouseholdSection(ws, loner)
    qtbot.addWidget(section)
    said: list[str] = []
    section.sig_changed.connect(said.append)
    section.move_to_other()
    dialog = section.child
    assert isinstance(dialog, MoveDialog)
    qtbot.keyClicks(dialog.search, "101")
    qtbot.waitUntil(lambda: not dialog.search_timer.isActive())
    _pick(dialog.relation, "70")
    dialog.accept()
    return households, old, asked, said


def test_moving_the_last_member_out_offers_to_delete_the_empty_household(ws, qtbot, monkeypatch):
    households, old, asked, said = _moved_out_last(ws, qtbot, monkeypatch)
    assert len(asked) == 1 and "原家庭 102-00001 已没有成员" in asked[0]
    assert households.by_number("102-00001") is None
    assert said[-1].endswith("原家庭 102-00001 已成空户，已删除。")
    row = ws.store.conn.execute(
        "SELECT action, reason FROM audit_log WHERE table_name = 'e_household' AND record_id = ?"
        " ORDER BY id DESC LIMIT 1",
        (old,),
    ).fetchone()
    assert tuple(row) == ("delete", ops.EMPTY_REASON)


def test_moving_a_member_out_of_a_household_with_others_offers_nothing(ws, qtbot, monkeypatch):
    households, hid, ids = family(ws)
    households.found(person(ws, "孙七", "1950-01-01", village="102"), {})
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, text, title="": asked.append(text) or True)
    section = HouseholdSection(ws, ids["王海"])
    qtbot.addWidget(section)
    section.move_to_other()
    dialog = section.child
    assert isinstance(dialog, MoveDialog)
    qtbot.keyClicks(dialog.search, "102")
    qtbot.waitUntil(lambda: not dialog.search_timer.isActive())
    _pick(dialog.relation, "20")
    dialog.accept()
    assert asked == [] and households.by_number("101-00001") == hid
