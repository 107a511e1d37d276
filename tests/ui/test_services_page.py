"""Station-level logs (健教包 and 卫生监督协管) entered on the 公卫服务 page."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from ygt_desktop.ui.service_editor import ServiceEditor
from ygt_desktop.ui.services_page import ServicesPage


def type_chinese(widget, text):
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_add_a_lecture_to_the_health_education_log(qtbot, ws):
    page = ServicesPage(ws)
    qtbot.addWidget(page)
    page.form_box.setCurrentIndex(page.form_box.findData("edu_activity"))
    page.year.setValue(2026)
    page.add()
    editor = page.dialog
    assert isinstance(editor, ServiceEditor)
    fields = editor.form_widget.editors
    fields["activity_date"].widget.setText("2026-03-15")
    kind = fields["kind"].widget
    kind.setCurrentIndex(kind.findData("4"))  # 健康知识讲座
    type_chinese(fields["title"].widget, "高血压防治知识讲座")
    editor.save()
    assert fields["participants"].error.text() == "请填写接受健康教育人数"
    assert ws.services.station_records("edu_activity", 2026) == []
    fields["participants"].widget.setText("36")
    editor.save()
    assert not editor.isVisible()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "2026-03-15"
    assert page.count.text() == "2026年 共 1 条"
    assert ws.services.station_records("edu_activity", 2026)[0]["values"]["participants"] == 36
