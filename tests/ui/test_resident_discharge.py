"""The resident editor asks for 出生后出院日期 only for a child under 1 year on the 建档日期
(issue 14): shown for a newborn, hidden for an adult, and saved from the dialog."""

from __future__ import annotations

import datetime as dt

from ygt_desktop.ui.resident_editor import ResidentEditor


def shown(editor: ResidentEditor) -> bool:
    return editor.form_widget.slots["birth_discharged_date"].cell.isVisible()


def test_the_discharge_is_shown_for_a_newborn_and_hidden_for_an_adult(qtbot, ws):
    adult = ws.residents.save(
        {
            "name": "张成年",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1980-05-01",
            "village_code": "101",
            "archive_date": "2026-01-05",
        }
    ).record_id
    editor = ResidentEditor(ws, adult)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert not shown(editor)

    new = ResidentEditor(ws)
    qtbot.addWidget(new)
    new.show()
    qtbot.waitExposed(new)
    assert not shown(new)  # no birth date yet
    new.form_widget.set_values(
        {
            "name": "王小宝",
            "no_id_reason": "1",
            "sex": "1",
            "ethnicity": "01",
            "birth_date": dt.date(2026, 11, 1),
            "village_code": "101",
            "archive_date": dt.date(2026, 11, 10),
            "birth_discharged_date": dt.date(2026, 11, 4),
        }
    )
    assert shown(new)
    new.store(confirm=True)
    assert new.change is not None
    values = ws.residents.values(new.change.record_id)
    assert values["birth_discharged_date"] == dt.date(2026, 11, 4)
