"""Every service form round-trips: typed into the real widget → stored → shown again.

Values are made from each field's definition (first choice, lowest plausible number,
the service date …), so a new form file is covered without writing a new test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from ygt_desktop.storage.workspace import load_forms
from ygt_desktop.ui import messages
from ygt_desktop.ui.service_editor import ServiceEditor

TODAY = dt.date.today()
DAY = TODAY - dt.timedelta(days=1)
FORMS = [f.id for f in load_forms() if f.kind not in ("register", "entity") and not f.retired]
NEEDS = {  # form → (resident kind, forms saved first)
    "htn_followup": ("adult", ["htn_register"]),
    "dm_followup": ("adult", ["dm_register"]),
    "smi_followup": ("adult", ["smi_register"]),
    "smi_emergency": ("adult", ["smi_register"]),
    "tb_first_visit": ("adult", ["tb_notify"]),
    "tb_followup": ("adult", ["tb_notify"]),
    "elderly_exam": ("elderly", []),
    "tcm_elderly": ("elderly", []),
    "child_check_infant": ("infant", []),
    "child_check_toddler": ("child", []),
    "child_check_preschool": ("preschool", []),
    "tcm_child": ("child", []),
    "vaccination": ("child", []),
    "vaccine_dose": ("child", []),
    "newborn_visit": ("newborn", []),
    "prenatal_first": ("woman", []),
    "prenatal_followup": ("woman", ["prenatal_first"]),
    "delivery": ("woman", ["prenatal_first"]),
    "postpartum_visit": ("woman", ["prenatal_first", "delivery"]),
    "postpartum_42d": ("woman", ["prenatal_first", "delivery"]),
}
BIRTHS = {
    "adult": dt.date(1975, 5, 1),
    "elderly": dt.date(1950, 3, 1),
    "infant": TODAY - dt.timedelta(days=100),
    "child": TODAY - dt.timedelta(days=420),
    "preschool": TODAY - dt.timedelta(days=1600),
    "newborn": TODAY - dt.timedelta(days=10),
    "woman": dt.date(1996, 4, 1),
}


def plausible(form, day: dt.date, earlier: dt.date) -> dict:
    """Valid values from the definitions; dates are ``day`` (``earlier`` for history)."""
    values = _plausible(form.fields, form.date_field, day, earlier)
    if form.id == "prenatal_first":  # the lowest height and weight are a BMI under 18.5,
        values.update(height="160.0", weight="55.0")  # which the risk colour must follow
    return values


def _plausible(fields, date_field, day: dt.date, earlier: dt.date) -> dict:
    values: dict = {}
    for f in fields:
        if f.locked or f.irrelevant_message:  # hidden and refused for this resident (a man)
            continue
        if f.is_rows:  # two lines, each cell from its column
            line = _plausible(f.columns, None, day, earlier)
            text = next((c.id for c in f.columns if c.type == "text"), None)
            values[f.id] = [line, {**line, text: "测试二"} if text else dict(line)]
            continue
        if f.type == "date":
            if f.id == "closed_date":  # would close the register
                continue
            values[f.id] = (
                day + dt.timedelta(days=30)
                if f.id.startswith("next") or f.id == "expiry_date"  # a vaccine not expired
                else day
                if f.id in (date_field, "discharged_date", "stop_date")
                else earlier
            ).isoformat()
        elif f.type in ("int", "decimal"):
            low = max(f.min if f.min is not None else 0, 1)
            values[f.id] = str(int(low)) if f.type == "int" else f"{low:.1f}"
            if f.id == "gravidity":  # includes this pregnancy: one birth before it
                values[f.id] = "2"
            elif f.id == "caesareans":
                values[f.id] = "0"
            elif f.id == "tc":  # above its LDL
                values[f.id] = "5.0"
        elif f.type == "month":
            values[f.id] = earlier.strftime("%Y-%m")
        elif f.type == "choice":
            values[f.id] = f.choices[0].code if f.choices else None
        elif f.type == "multichoice":
            values[f.id] = [f.choices[0].code]
        elif f.type == "bool":
            values[f.id] = False
        elif f.type == "phone":
            values[f.id] = "13812345678"
        else:
            values[f.id] = "测试"
    return values


def prepare(ws, form_id):
    kind, before = NEEDS.get(form_id, ("adult", []))
    if form_id in ("edu_activity", "supervision_log"):
        return None
    sex = "2" if kind == "woman" else "1"
    rid = ws.residents.save(
        {
            "name": "测试",
            "no_id_reason": "9",
            "sex": sex,
            "birth_date": BIRTHS[kind].isoformat(),
            "village_code": "101",
            "archive_date": BIRTHS[kind].isoformat(),
        }
    ).record_id
    history = {
        "prenatal_first": DAY - dt.timedelta(days=120),
        "delivery": DAY - dt.timedelta(days=5),
    }
    for n, pre in enumerate(before):
        form = ws.forms[pre]
        when = history.get(pre, DAY - dt.timedelta(days=3 + n))
        values = plausible(form, when, DAY - dt.timedelta(days=200))
        if pre == "delivery":
            values["discharged_date"] = (when + dt.timedelta(days=1)).isoformat()
        ws.services.save(pre, values, rid, confirm=True)
    return rid


@pytest.fixture(autouse=True)
def no_popups(monkeypatch):
    """Rule outcomes and duplicate questions would open modal boxes; record them instead."""
    shown: list[str] = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "ask", lambda parent, text, title="": True)
    return shown


@pytest.mark.parametrize("form_id", FORMS)
def test_form_round_trips_through_the_real_widget(qtbot, ws, form_id):
    rid = prepare(ws, form_id)
    form = ws.forms[form_id]
    editor = ServiceEditor(ws, form_id, rid)
    qtbot.addWidget(editor)
    values = plausible(form, DAY, DAY - dt.timedelta(days=120))
    if form_id == "postpartum_visit":
        values[form.date_field] = (DAY - dt.timedelta(days=2)).isoformat()
    date_widget = editor.form_widget.editors[form.date_field].widget
    date_widget.clear()
    qtbot.keyClicks(date_widget, values.pop(form.date_field).replace("-", ""))
    for field_id, value in values.items():
        field_editor = editor.form_widget.editors[field_id]
        if form.field(field_id).type in ("choice", "multichoice", "bool", "rows"):
            field_editor.set_value(value)
        else:
            field_editor.widget.setText(value)
    filled = set(values) | {form.date_field}
    typed = editor.form_widget.raw()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.saved is not None, editor.status.text() + str(
        {k: e.error.text() for k, e in editor.form_widget.editors.items() if e.error.text()}
    )

    again = ServiceEditor(ws, form_id, record_id=editor.saved.change.record_id)
    qtbot.addWidget(again)
    entered = form.process(typed).values
    shown = form.process(again.form_widget.raw()).values
    assert entered[form.date_field] == DAY - dt.timedelta(
        days=2 if form_id == "postpartum_visit" else 0
    )
    for f in form.fields:
        if f.locked or not form.is_relevant(f.id, entered):
            continue
        assert shown[f.id] == entered[f.id], f.id
        assert f.id not in filled or entered[f.id] not in (None, "", []), f.id
