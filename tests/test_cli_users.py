"""``ygt`` as a user: init with the first 站长, user management, refusals for a 录入员,
the audit log, and the Chinese refusals for a missing or wrong login."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop import cli

ORG = ["--org-code", "530102001", "--org-name", "测试站", "--org-level", "站"]


def ygt(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        rc = cli.main(list(args))
    except SystemExit as exc:  # argparse usage errors
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def station(tmp_path, capsys) -> Path:
    db = tmp_path / "station.db"
    rc, out, err = ygt(capsys, "init", "--db", str(db), *ORG)
    assert rc == 0, err
    assert f"已建立站长账户：{TEST_USER}" in out and "恢复码" in out
    return db


def as_user(monkeypatch, name: str, password: str) -> None:
    monkeypatch.setenv("YGT_USER", name)
    monkeypatch.setenv("YGT_PASSWORD", password)


def test_the_head_adds_an_entry_clerk_who_may_not_manage_users(station, capsys, monkeypatch):
    monkeypatch.setenv("YGT_NEW_PASSWORD", "xiaoli-2026")
    rc, out, err = ygt(capsys, "user", "add", "王小丽", "--role", "录入员", "--db", str(station))
    assert rc == 0, err
    rc, out, _ = ygt(capsys, "user", "list", "--db", str(station))
    assert rc == 0 and "王小丽\t录入员\t启用" in out and f"{TEST_USER}\t站长" in out

    as_user(monkeypatch, "王小丽", "xiaoli-2026")
    rc, _, err = ygt(capsys, "user", "add", "赵六", "--role", "站长", "--db", str(station))
    assert rc == 1 and "王小丽（录入员）无权管理用户账户" in err and "Traceback" not in err
    rc, _, err = ygt(capsys, "audit", "--db", str(station))
    assert rc == 1 and "无权查看审计日志" in err
    rc, _, err = ygt(capsys, "user", "disable", TEST_USER, "--db", str(station))
    assert rc == 1 and "无权" in err

    as_user(monkeypatch, TEST_USER, TEST_PASSWORD)
    out_csv = station.parent / "audit.csv"
    rc, out, err = ygt(capsys, "audit", "--db", str(station), "--csv", str(out_csv))
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"))))
    refused = [r for r in rows if r[5] == "越权被拒"]
    assert [r[2] for r in refused] == ["王小丽", "王小丽", "王小丽"]
    rc, out, _ = ygt(capsys, "audit", "--db", str(station), "--user", "王小丽")
    assert rc == 0 and "越权被拒" in out and TEST_USER not in out.split("\n", 1)[1]


def test_the_head_resets_a_password_and_disables(station, capsys, monkeypatch):
    monkeypatch.setenv("YGT_NEW_PASSWORD", "xiaoli-2026")
    assert ygt(capsys, "user", "add", "王小丽", "--role", "医生", "--db", str(station))[0] == 0
    monkeypatch.setenv("YGT_NEW_PASSWORD", "reset-2027")
    rc, _, err = ygt(capsys, "user", "passwd", "王小丽", "--db", str(station))
    assert rc == 0, err
    rc, _, err = ygt(capsys, "user", "disable", "王小丽", "--db", str(station))
    assert rc == 0, err
    as_user(monkeypatch, "王小丽", "reset-2027")
    rc, _, err = ygt(capsys, "backup", "--db", str(station))
    assert rc == 1 and "已停用" in err


def test_wrong_passwords_lock_the_account(station, capsys, monkeypatch):
    as_user(monkeypatch, TEST_USER, "not-it")
    for _ in range(4):
        rc, _, err = ygt(capsys, "backup", "--db", str(station))
        assert rc == 1 and "用户名或密码不正确" in err
    rc, _, err = ygt(capsys, "backup", "--db", str(station))
    assert rc == 1 and "已锁定到" in err
    as_user(monkeypatch, TEST_USER, TEST_PASSWORD)
    rc, _, err = ygt(capsys, "backup", "--db", str(station))
    assert rc == 1 and "已锁定到" in err


def test_no_user_or_password_is_a_chinese_refusal(station, capsys, monkeypatch):
    monkeypatch.delenv("YGT_USER")
    rc, _, err = ygt(capsys, "backup", "--db", str(station))
    assert rc == 1 and "--user" in err
    monkeypatch.delenv("YGT_PASSWORD")
    rc, _, err = ygt(capsys, "backup", "--db", str(station), "--user", TEST_USER)
    assert rc == 1 and "YGT_PASSWORD" in err and "Traceback" not in err


def test_a_database_without_accounts_gets_its_first_head(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("YGT_USER")
    db = tmp_path / "station.db"
    rc, out, err = ygt(capsys, "init", "--db", str(db), *ORG)
    assert rc == 0 and "尚未建立用户账户" in out
    rc, _, err = ygt(capsys, "backup", "--db", str(db), "--user", "谁")
    assert rc == 1 and "还没有用户账户" in err
    monkeypatch.setenv("YGT_NEW_PASSWORD", "head-pass-1")
    rc, _, err = ygt(capsys, "user", "add", "李站长", "--role", "录入员", "--db", str(db))
    assert rc == 1 and "第一个账户应为站长" in err
    rc, out, err = ygt(capsys, "user", "add", "李站长", "--role", "站长", "--db", str(db))
    assert rc == 0 and "恢复码" in out, err
    as_user(monkeypatch, "李站长", "head-pass-1")
    assert ygt(capsys, "backup", "--db", str(db))[0] == 0


def test_audit_filters_are_checked(station, capsys):
    rc, _, err = ygt(
        capsys, "audit", "--db", str(station), "--from", "2026-12-31", "--to", "2026-01-01"
    )
    assert rc == 1 and "晚于" in err
    rc, _, err = ygt(capsys, "audit", "--db", str(station), "--record", "-5")
    assert rc == 2 and "正整数" in err
    rc, _, err = ygt(capsys, "audit", "--db", str(station), "--from", "2026-13-01")
    assert rc == 2 and "YYYY-MM-DD" in err
