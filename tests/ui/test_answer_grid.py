"""The TCM questionnaire as an answer grid (issue 12, point 3): 33 rows with the five
answers as columns, keys 1–5 answer and move on, the nine scores and the result beside
the grid update as the answers come in, and the record saves and loads as before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_every_form_round_trips import prepare
from ygt_desktop.core.tcm import QUESTION_COUNT
from ygt_desktop.storage.workspace import load_forms
from ygt_desktop.ui import messages, screen_fit
from ygt_desktop.ui.answer_grid import AnswerGrid, AnswerGridModel, grid_runs, grid_title
from ygt_desktop.ui.service_editor import ServiceEditor

SCORES = (
    "score_pinghe",
    "score_qixu",
    "score_yangxu",
    "score_yinxu",
    "score_tanshi",
    "score_shire",
    "score_xueyu",
    "score_qiyu",
    "score_tebing",
)


@pytest.fixture(autouse=True)
def screen(monkeypatch):
    monkeypatch.setattr(screen_fit, "available_area", lambda widget=None: QRect(0, 0, 1366, 728))


@pytest.fixture
def editor(qtbot, ws, monkeypatch):
    monkeypatch.setattr(messages, "info", lambda *args, **kwargs: None)  # rule outcomes
    dialog = ServiceEditor(ws, "tcm_elderly", prepare(ws, "tcm_elderly"))
    qtbot.addWidget(dialog, before_close_func=lambda d: d.form_widget.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    for _ in range(3):
        QApplication.processEvents()
    return dialog


def the_grid(dialog) -> AnswerGrid:
    grid = dialog.form_widget.editors["q1"].widget
    assert isinstance(grid, AnswerGrid)
    return grid


def answer_all(qtbot, grid: AnswerGrid, skip: int | None = None) -> list[str]:
    """Answer every question by key (1, 2, 3, 4, 5, 1 …), from the first row down."""
    grid.focus_row(0)
    keys = []
    for row in range(QUESTION_COUNT):
        key = str(row % 5 + 1)
        if row == skip:
            qtbot.keyClick(grid, Qt.Key.Key_Down)
            keys.append("")
            continue
        qtbot.keyClick(grid, key)
        keys.append(key)
    return keys


def test_the_tcm_questions_and_only_they_are_a_grid():
    forms = {f.id: f for f in load_forms()}
    tcm = forms["tcm_elderly"]
    runs = grid_runs(tcm.fields)
    assert [[f.id for f in tcm.fields[a:b]] for a, b in runs] == [
        [f"q{n}" for n in range(1, QUESTION_COUNT + 1)]
    ]
    assert grid_title(tcm.fields[runs[0][0] : runs[0][1]]) == "体质辨识问题"
    # A scale listed 5 to 1 (the satisfaction survey) and everything else stays as is.
    assert {fid: grid_runs(f.fields) for fid, f in forms.items() if grid_runs(f.fields)} == {
        "tcm_elderly": runs
    }


def test_the_grid_model_keeps_qts_contract(qtmodeltester):
    tcm = next(f for f in load_forms() if f.id == "tcm_elderly")
    model = AnswerGridModel([f for f in tcm.fields if f.id.startswith("q")])
    model.set_answer(0, "3")
    model.set_error(1, "请选择回答（按 1～5 键）")
    qtmodeltester.check(model)
    assert model.rowCount() == QUESTION_COUNT and model.columnCount() == 6


def test_rows_show_their_own_band_labels(editor):
    model = the_grid(editor).grid_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(1, 6)] == [
        "1 没有",
        "2 很少",
        "3 有时",
        "4 经常",
        "5 总是",
    ]
    assert model.data(model.index(0, 2)) == "○"  # the column's label says it
    assert model.data(model.index(8, 1)) == "○ BMI<24"  # question 9 is answered by band
    assert "腹围" in model.data(model.index(27, 3))


def test_keys_one_to_five_answer_all_33_and_the_scores_follow(qtbot, editor):
    fw = editor.form_widget
    grid = the_grid(editor)
    panel = fw.editors["constitution"].widget
    keys = answer_all(qtbot, grid)
    assert [fw.editors[f"q{n}"].raw() for n in range(1, QUESTION_COUNT + 1)] == keys
    values = fw.form.process(fw.raw()).values
    assert values["constitution"]
    assert fw.editors["constitution"].raw() == values["constitution"]
    for score in SCORES:
        assert fw.editors[score].raw() == str(values[score])
    # After the last question focus moves on to the next field (中医药保健指导).
    assert QApplication.focusWidget() is fw.editors["guidance"].focus_widgets()[0]
    # The scores are beside the grid, not below it, and on screen at the last question.
    viewport = editor.scroll_area.viewport()
    assert panel.mapTo(viewport, QPoint()).x() > grid.mapTo(viewport, QPoint(grid.width(), 0)).x()
    top = panel.mapTo(viewport, QPoint()).y()
    assert 0 <= top and top + panel.height() <= viewport.height()


def test_arrows_move_delete_clears_and_tab_leaves(qtbot, editor):
    fw = editor.form_widget
    grid = the_grid(editor)
    grid.focus_row(0)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current_row() == 2
    qtbot.keyClick(grid, "4")
    assert fw.editors["q3"].raw() == "4" and grid.current_row() == 3
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert fw.editors["q3"].raw() is None
    assert editor.form_widget.is_dirty() is False  # back to nothing typed
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is fw.editors["guidance"].focus_widgets()[0]


def test_a_click_on_an_answer_chooses_it(qtbot, editor):
    grid = the_grid(editor)
    cell = grid.visualRect(grid.grid_model.index(4, 5))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
    assert editor.form_widget.editors["q5"].raw() == "5"


def test_an_unanswered_question_shows_its_error_on_its_row(qtbot, editor):
    fw = editor.form_widget
    grid = the_grid(editor)
    answer_all(qtbot, grid, skip=6)
    fw.editors["guidance"].set_value(["1"])
    editor.save()
    assert editor.saved is None
    assert grid.hasFocus() and grid.current_row() == 6
    model = grid.grid_model
    assert model.error(6) and model.error(6) in model.data(model.index(6, 0))
    assert model.data(model.index(6, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert not any(model.error(r) for r in range(QUESTION_COUNT) if r != 6)
    qtbot.keyClick(grid, "2")  # answering clears it at once
    assert model.error(6) is None and fw.shown_errors() == {}
    assert editor.status.text() == ""


def test_answers_save_and_load_again(qtbot, ws, editor):
    fw = editor.form_widget
    keys = answer_all(qtbot, the_grid(editor))
    fw.editors["guidance"].set_value(["1", "3"])
    editor.save()
    assert editor.saved is not None, fw.shown_errors()
    again = ServiceEditor(ws, "tcm_elderly", record_id=editor.saved.change.record_id)
    qtbot.addWidget(again, before_close_func=lambda d: d.form_widget.mark_clean())
    loaded = again.form_widget
    assert [loaded.editors[f"q{n}"].raw() for n in range(1, QUESTION_COUNT + 1)] == keys
    assert loaded.editors["constitution"].raw() == fw.editors["constitution"].raw()
    assert not loaded.is_dirty()
    qtbot.keyClick(the_grid(again), "5")
    assert loaded.is_dirty()


def test_the_panel_stays_in_view_while_the_grid_scrolls(qtbot, editor):
    panel = editor.form_widget.editors["score_pinghe"].widget.parentWidget()
    viewport = editor.scroll_area.viewport()
    bar = editor.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0  # 33 rows are taller than the screen
    for value in (0, bar.maximum() // 3, 2 * bar.maximum() // 3):
        bar.setValue(value)
        QApplication.processEvents()
        top = panel.mapTo(viewport, QPoint()).y()
        assert 0 <= top and top + panel.height() <= viewport.height(), value


def test_a_narrower_dialog_keeps_the_panel_on_screen(qtbot, editor):
    """At 125–150 % display scaling the dialog has fewer pixels: the panel stays beside
    the grid while both fit, then goes below it; nothing is cut on the right."""
    fw = editor.form_widget
    panel = fw.editors["score_pinghe"].widget.parentWidget()
    grid = the_grid(editor)
    viewport = editor.scroll_area.viewport()
    for width, beside in ((1076, True), (894, False)):
        editor.resize(width, 540)
        for _ in range(3):
            QApplication.processEvents()
        assert editor.scroll_area.horizontalScrollBar().maximum() == 0
        right = panel.mapTo(viewport, QPoint(panel.width(), 0)).x()
        assert right <= viewport.width(), width
        assert grid.mapTo(viewport, QPoint(grid.width(), 0)).x() <= viewport.width()
        assert grid.width() >= grid.minimumSizeHint().width()
        panel_x = panel.mapTo(viewport, QPoint()).x()
        assert (panel_x > grid.mapTo(viewport, QPoint(grid.width(), 0)).x()) is beside, width
