"""The generic editor of entity forms: typed in, saved, errors next to the field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ygt_desktop.core.forms import load_form
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.migrations import create_entity_table
from ygt_desktop.ui.entity_editor import EntityEditor

FORM = """
[form]
id = "asset"
title = "设备登记"
version = 1
kind = "entity"
table = "e_asset"

[[fields]]
id = "asset_no"
label = "资产编号"
type = "text"
required = true
unique = true

[[fields]]
id = "resident_id"
label = "居民"
type = "int"
readonly = true

[[fields]]
id = "price"
label = "价格"
type = "decimal"
min = 0
unit = "元"
"""


def repo(ws, tmp_path: Path) -> EntityRepo:
    path = tmp_path / "asset.toml"
    path.write_text(FORM, encoding="utf-8")
    form = load_form(path)
    create_entity_table(ws.store.conn, form, ("asset_no", "resident_id", "price"))
    return EntityRepo(ws.store, form)


def test_typed_record_is_saved_and_shown_again(qtbot, ws, tmp_path):
    assets = repo(ws, tmp_path)
    editor = EntityEditor(ws, assets)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.form_widget.editors["asset_no"].widget, "A-001")
    qtbot.keyClicks(editor.form_widget.editors["price"].widget, "320")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.change is not None
    again = EntityEditor(ws, assets, editor.change.record_id)
    qtbot.addWidget(again)
    assert again.form_widget.raw()["asset_no"] == "A-001"


def test_duplicate_number_is_shown_at_the_field(qtbot, ws, tmp_path):
    assets = repo(ws, tmp_path)
    assets.save({"asset_no": "A-001"})
    editor = EntityEditor(ws, assets, initial={"asset_no": "A-001"})
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.change is None
    assert "已被另一条记录使用" in editor.form_widget.editors["asset_no"].error.text()
    assert len(assets.rows()) == 1


def test_readonly_field_is_shown_set_by_the_page_and_kept_on_edit(qtbot, ws, tmp_path):
    assets = repo(ws, tmp_path)
    editor = EntityEditor(ws, assets, initial={"resident_id": 7})
    qtbot.addWidget(editor)
    field = editor.form_widget.editors["resident_id"]
    assert field.widget.isReadOnly() or not field.widget.isEnabled()
    qtbot.keyClicks(editor.form_widget.editors["asset_no"].widget, "A-009")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    rid = editor.change.record_id
    assets.save({"price": "5"}, rid)
    assert assets.values(rid)["resident_id"] == 7
