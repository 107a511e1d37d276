"""The signing key in the window (issue 11): 设置 → 签名密钥 generates, replaces (with a
reason) and exports the registration file, showing the fingerprint; the 报表 page signs
the upward workbook after asking the key holder's password once; 成员机构 registers a
member's key (asking a reason to replace one) and shows the fingerprints."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.bureau_helpers import STATIONS, bureau_workspace
from tests.conftest import TEST_PASSWORD
from ygt_desktop.ops import keys as key_ops
from ygt_desktop.ops.base import Run
from ygt_desktop.storage import keys
from ygt_desktop.ui import messages
from ygt_desktop.ui.bureau_roster_page import RosterPage
from ygt_desktop.ui.settings_page import SettingsPage

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


@pytest.fixture
def said(monkeypatch):
    shown: list[str] = []
    for name in ("info", "error"):
        monkeypatch.setattr(messages, name, lambda parent, text, title="": shown.append(text))
    return shown


def test_settings_generates_replaces_and_exports(qtbot, ws, tmp_path, said, monkeypatch):
    from ygt_desktop.ui import key_section

    page = SettingsPage(ws)
    qtbot.addWidget(page)
    section = page.key_section
    assert "还没有签名密钥" in section.fingerprint.text()
    assert section.new_button.isEnabled() and not section.replace_button.isEnabled()
    monkeypatch.setattr(messages, "ask_password", lambda *a: "wrong-pass")
    section.generate()
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    assert keys.current(ws.store) is None and "密码不正确" in said[-1]
    monkeypatch.setattr(messages, "ask_password", lambda *a: TEST_PASSWORD)
    section.generate()
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    first = keys.current(ws.store)
    assert first is not None and first.fingerprint in section.fingerprint.text()
    assert not section.new_button.isEnabled() and section.replace_button.isEnabled()
    monkeypatch.setattr(messages, "ask_text", lambda *a: "换了电脑")
    section.replace()
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    second = keys.current(ws.store)
    assert second.fingerprint != first.fingerprint
    assert second.fingerprint in section.fingerprint.text()
    out = tmp_path / "k.json"
    monkeypatch.setattr(key_section, "choose_path", lambda *a: out)
    section.export()
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    assert json.loads(out.read_text("utf-8"))["fingerprint"] == second.fingerprint
    assert second.fingerprint in said[-1]


def test_report_page_signs_after_asking_the_password(qtbot, ws, tmp_path, said, monkeypatch):
    from tests.ui.test_report_page import page_for, patients
    from ygt_desktop.ui import report_page as module

    patients(ws, 1, 0)
    key_ops.generate(Run.plain(ws), TEST_PASSWORD)
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_password", lambda *a: asked.append(a[1]) or TEST_PASSWORD)
    monkeypatch.setattr(module, "choose_path", lambda *a: tmp_path / "r.xlsx")
    page = page_for(qtbot, ws)
    page.export("workbook")
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert len(asked) == 1 and "已签名" in page.signing_note and "已签名" in said[-1]
    meta = dict(openpyxl.load_workbook(tmp_path / "r.xlsx")["_meta"].iter_rows(values_only=True))
    assert meta["signed_by_key"] == keys.current(ws.store).fingerprint
    monkeypatch.setattr(messages, "ask_password", lambda *a: None)  # cancelled: unsigned
    page.export("workbook")
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert "未签名" in page.signing_note
    meta = dict(openpyxl.load_workbook(tmp_path / "r.xlsx")["_meta"].iter_rows(values_only=True))
    assert "signature" not in meta


def test_roster_page_registers_keys(
    qtbot, bureau_ws, ws, tmp_path, said, monkeypatch, qtmodeltester
):
    reg = tmp_path / "k.json"
    key_ops.export_registration(Run.plain(ws), reg, password=TEST_PASSWORD)
    page = RosterPage(bureau_ws)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    code = STATIONS[0][0]
    row = next(r for r in range(page.model.rowCount()) if page.model.index(r, 0).data() == code)
    assert page.model.index(row, 5).data() == "未登记"
    page.register_key(reg)
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    fp = keys.current(ws.store).fingerprint
    assert page.model.index(row, 5).data() == fp and fp in said[-1]
    key_ops.generate(Run.plain(ws), TEST_PASSWORD, replace=True, reason="忘记密码")
    key_ops.export_registration(Run.plain(ws), reg)
    monkeypatch.setattr(messages, "ask_text", lambda *a: "站长忘记密码")
    page.register_key(reg)
    qtbot.waitUntil(lambda: len(keys.member_keys(bureau_ws.store, code)) == 2, timeout=10000)
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    assert page.model.index(row, 5).data() == keys.current(ws.store).fingerprint
    bad = tmp_path / "bad.json"
    bad.write_text("[]", "utf-8")
    page.register_key(bad)
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=10000)
    assert "bad.json" in said[-1] and "JSON 对象" in said[-1]
