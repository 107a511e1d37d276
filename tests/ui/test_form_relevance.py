"""Relevance in the entry widget while typing: a number typed is compared as the number
(``months >= 6`` shows the field at 6), and text typed that does not parse yet still
counts as "not empty"."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_rows import HEAD
from ygt_desktop.core.forms import load_form
from ygt_desktop.ui.form_widget import FormWidget

BODY = """
[[fields]]
id = "months"
label = "月龄"
type = "int"

[[fields]]
id = "hearing"
label = "听力"
type = "text"
relevant = "months >= 6"

[[fields]]
id = "weight"
label = "体重"
type = "decimal"

[[fields]]
id = "weight_note"
label = "体重说明"
type = "text"
relevant = "not empty(weight)"
"""


def test_a_number_typed_is_compared_as_a_number(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + BODY, encoding="utf-8")
    widget = FormWidget(load_form(path), lambda _name: [])
    qtbot.addWidget(widget)
    assert not widget.slots["hearing"].relevant
    widget.editors["months"].widget.setText("6")
    assert widget.slots["hearing"].relevant
    widget.editors["months"].widget.setText("3")
    assert not widget.slots["hearing"].relevant
    # typed but not a number yet: "not empty" all the same
    widget.editors["weight"].widget.setText("6.")
    assert widget.slots["weight_note"].relevant
    widget.editors["weight"].widget.setText("abc")
    assert widget.slots["weight_note"].relevant
