"""`ygt key new|export|show`, the signed `ygt report --xlsx`, and `ygt bureau key
add|list` (issue 11) — with the bad inputs a user meets: a missing file, a folder, a
file that is not JSON, an organisation not on the roster, a key already registered to
another member, a replacement without a reason, a station's 录入员."""

from __future__ import annotations

import json
import os

import openpyxl
import pytest

from tests.conftest import TEST_PASSWORD
from tests.test_cli_bureau import district  # noqa: F401  (fixture)
from ygt_desktop.cli import main
from ygt_desktop.storage import users
from ygt_desktop.storage.workspace import Workspace


@pytest.fixture
def station(ws, db_path):
    ws.close(backup_on_exit=False)
    return db_path


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_key_export_generates_a_key_and_writes_the_registration(station, tmp_path, capsys):
    out = tmp_path / "530102001_公钥.json"
    rc, text, err = _run(capsys, "key", "export", "--db", station, "--out", out)
    assert rc == 0, err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["org_code"] == "530102001" and doc["algorithm"] == "Ed25519"
    assert "已生成" in text and doc["fingerprint"] in text
    rc, _, err = _run(capsys, "key", "new", "--db", station)
    assert rc == 1 and "已有签名密钥" in err
    rc, _, err = _run(capsys, "key", "new", "--db", station, "--replace")
    assert rc == 1 and "原因" in err
    rc, text, err = _run(capsys, "key", "new", "--db", station, "--replace", "--reason", "换了电脑")
    assert rc == 0, err
    rc, text, _ = _run(capsys, "key", "show", "--db", station)
    assert doc["fingerprint"] in text and "换了电脑" in text and "当前" in text
    rc, _, err = _run(capsys, "key", "export", "--db", station, "--out", tmp_path / "无" / "k.json")
    assert rc == 1 and "错误：" in err and "Traceback" not in err


def test_only_the_station_head_manages_the_key(station, capsys, monkeypatch):
    ws = Workspace.open(station)
    users.add_user(ws.store, "录入员甲", "录入员", "pass-1234", is_bureau=False, by="t")
    ws.close(backup_on_exit=False)
    monkeypatch.setenv("YGT_USER", "录入员甲")
    monkeypatch.setenv("YGT_PASSWORD", "pass-1234")
    rc, _, err = _run(capsys, "key", "new", "--db", station)
    assert rc == 1 and "无权" in err


def test_report_is_signed_by_the_key_holder_only(station, tmp_path, capsys, monkeypatch):
    xlsx = tmp_path / "r.xlsx"
    rc, text, err = _run(capsys, "report", "--db", station, "--period", "2026Q1", "--xlsx", xlsx)
    assert rc == 0, err
    assert "未签名" in text and "还没有签名密钥" in text
    _run(capsys, "key", "new", "--db", station)
    rc, text, err = _run(capsys, "report", "--db", station, "--period", "2026Q1", "--xlsx", xlsx)
    assert rc == 0, err
    assert "已签名" in text
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(xlsx)["_meta"].iter_rows(values_only=True)}
    assert meta["format_version"] == "2" and meta["signed_by_key"] in text and meta["signature"]
    ws = Workspace.open(station)
    users.add_user(ws.store, "医生甲", "医生", "pass-1234", is_bureau=False, by="t")
    ws.close(backup_on_exit=False)
    monkeypatch.setenv("YGT_USER", "医生甲")
    monkeypatch.setenv("YGT_PASSWORD", "pass-1234")
    rc, text, err = _run(capsys, "report", "--db", station, "--period", "2026Q1", "--xlsx", xlsx)
    assert rc == 0, err
    assert "未签名" in text and "密钥持有人" in text
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(xlsx)["_meta"].iter_rows(values_only=True)}
    assert "signature" not in meta


def test_a_password_change_keeps_the_key_usable(station, tmp_path, capsys, monkeypatch):
    from ygt_desktop.ops import keys as key_ops
    from ygt_desktop.ops import users as user_ops
    from ygt_desktop.ops.base import Run

    _run(capsys, "key", "new", "--db", station)
    ws = Workspace.open(station)
    ws.login(os.environ["YGT_USER"], TEST_PASSWORD)
    run = Run.plain(ws)
    user_ops.change_password(run, os.environ["YGT_USER"], "new-pass-99", old=TEST_PASSWORD)
    assert key_ops.signer_for(run, "new-pass-99").signed
    assert not key_ops.signer_for(run, TEST_PASSWORD).signed
    ws.close(backup_on_exit=False)


def test_bureau_key_add_and_list(district, station, tmp_path, capsys):  # noqa: F811
    reg = tmp_path / "530102001.json"
    assert _run(capsys, "key", "export", "--db", station, "--out", reg)[0] == 0
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, tmp_path / "none.json")
    assert rc == 1 and "不存在" in err
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, tmp_path)
    assert rc == 1 and "文件夹" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, bad)
    assert rc == 1 and "不是有效的 JSON" in err and "bad.json" in err
    doc = json.loads(reg.read_text(encoding="utf-8"))
    wrong_fp = tmp_path / "wrong_fp.json"
    wrong_fp.write_text(json.dumps({**doc, "fingerprint": "AAAA-AAAA-AAAA-AAAA"}), "utf-8")
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, wrong_fp)
    assert rc == 1 and "指纹" in err
    stranger = tmp_path / "stranger.json"
    stranger.write_text(json.dumps({**doc, "org_code": "530102099"}), "utf-8")
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, stranger)
    assert rc == 1 and "不在本机构的成员名册中" in err
    rc, text, err = _run(capsys, "bureau", "key", "add", "--db", district, reg)
    assert rc == 0, err
    assert doc["fingerprint"] in text
    other = tmp_path / "other.json"  # the same key claimed by station 2
    other.write_text(json.dumps({**doc, "org_code": "530102002"}), "utf-8")
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, other)
    assert rc == 1 and "已登记在机构 530102001 名下" in err
    _run(capsys, "key", "new", "--db", station, "--replace", "--reason", "忘记密码")
    new_reg = tmp_path / "new.json"
    _run(capsys, "key", "export", "--db", station, "--out", new_reg)
    rc, _, err = _run(capsys, "bureau", "key", "add", "--db", district, new_reg)
    assert rc == 1 and "须说明原因" in err
    rc, _, err = _run(
        capsys, "bureau", "key", "add", "--db", district, new_reg, "--reason", "站长忘记密码"
    )
    assert rc == 0, err
    rc, text, _ = _run(capsys, "bureau", "key", "list", "--db", district)
    assert rc == 0
    lines = [x for x in text.splitlines() if x.startswith("530102001")]
    assert len(lines) == 2 and "站长忘记密码" in lines[0] and lines[1].endswith("当前")
