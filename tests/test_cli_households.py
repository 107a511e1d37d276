"""``ygt household``: list, show, add, move; every bad option refused in Chinese with
exit status 2, every refused change with 1 and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.household_helpers import family, person
from tests.test_cli_users import ygt
from ygt_desktop.storage.workspace import Workspace


@pytest.fixture
def station(ws) -> tuple[Path, dict[str, int]]:
    _households, _hid, ids = family(ws)
    ids["孙七"] = person(ws, "孙七", "1950-01-01", village="102")
    path = ws.store.path
    ws.close(backup_on_exit=False)
    return path, ids


def members(path: Path) -> list[tuple]:
    ws = Workspace.open(path, lock=False)
    try:
        return ws.store.conn.execute(
            "SELECT h.household_no, m.resident_id, m.relation FROM e_household__members m "
            "JOIN e_household h ON h.id = m.record_id ORDER BY 1, m.line"
        ).fetchall()
    finally:
        ws.close(backup_on_exit=False)


def test_list_show_add_move(station, capsys):
    db, ids = station
    rc, out, err = ygt(capsys, "household", "list", "--db", str(db), "--search", "wj")
    assert rc == 0, err
    assert "101-00001\t小坝村委会\t王建国\t3\t小坝村王建国家" in out and "共 1 户" in out
    rc, out, err = ygt(capsys, "household", "show", "--db", str(db), "--resident", str(ids["王海"]))
    assert rc == 0, err
    assert "户主 王建国　家庭人口数 3" in out and f"{ids['李秀英']}\t李秀英\t女" in out
    rc, out, err = ygt(capsys, "household", "add", "--db", str(db), "--head", str(ids["孙七"]),
                       "--structure", "单身家庭")  # fmt: skip
    assert rc == 0, err
    assert "已新建家庭档案 102-00001，户主 孙七" in out
    rc, out, err = ygt(capsys, "household", "move", str(ids["王海"]), "--db", str(db),
                       "--into", "102-00001", "--relation", "子")  # fmt: skip
    assert rc == 0, err
    assert "已把 王海 迁入家庭档案 102-00001（与户主关系：子）" in out
    assert ("102-00001", ids["王海"], "20") in members(db)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["move", "1", "--into", "101-00001", "--relation", "妈妈"], "与户主关系应为代码或名称"),
        (["move", "1", "--into", "101-00001", "--relation", "户主"], "关系不能是“户主”"),
        (["move", "x", "--into", "101-00001", "--relation", "12"], "应为正整数"),
        (["move", "1", "--relation", "12"], "--into"),
        (["add", "--head", "0"], "应为正整数"),
        (["add", "--head", "1", "--structure", "大家庭"], "家庭结构应为代码或名称"),
        (["add", "--head", "1", "--living", "7"], "居住情况应为代码或名称"),
        (["list", "--limit", "-3"], "应为正整数"),
        (["frobnicate"], "不是可选的值"),
    ],
)
def test_bad_options_are_usage_errors_in_chinese(station, capsys, args, expected):
    db, _ids = station
    before = members(db)
    rc, out, err = ygt(capsys, "household", *args, "--db", str(db))
    assert rc == 2 and expected in err and "Traceback" not in err
    assert "invalid" not in err and "error:" not in err
    assert members(db) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show"], "请给出户编号"),
        (["show", "999-00001"], "没有户编号为“999-00001”的家庭档案"),
        (
            ["move", "{王建国}", "--into", "{new}", "--relation", "70"],
            "请先从该户的在档成员（李秀英、王海）中指定新户主",
        ),
        (
            ["move", "{王海}", "--into", "101-00001", "--relation", "20"],
            "已是户编号 101-00001 的成员",
        ),
        (["move", "999", "--into", "101-00001", "--relation", "20"], "居民编号 999 不存在"),
        (["add", "--head", "{孙七}", "--no", "101-00001"], "户编号“101-00001”已被另一户使用"),
        (["show", "--resident", "{孙七}"], "不在任何家庭档案中"),
    ],
)
def test_refusals_exit_1_and_change_nothing(station, capsys, args, expected):
    db, ids = station
    if "{new}" in args:
        rc, _, err = ygt(capsys, "household", "add", "--db", str(db), "--head", str(ids["孙七"]))
        assert rc == 0, err
        ids = {**ids, "new": "102-00001"}  # type: ignore[dict-item]
    before = members(db)
    args = [a.format(**ids) for a in args]
    rc, out, err = ygt(capsys, "household", *args, "--db", str(db))
    assert rc == 1 and expected in err and "Traceback" not in err, err
    assert members(db) == before


def _audit_deletes(path: Path) -> list[tuple]:
    ws = Workspace.open(path, lock=False)
    try:
        return ws.store.conn.execute(
            "SELECT a.user, a.reason FROM audit_log a WHERE a.table_name = 'e_household' "
            "AND a.action = 'delete'"
        ).fetchall()
    finally:
        ws.close(backup_on_exit=False)


def test_delete_an_emptied_household_audited_and_gone_from_the_list(station, capsys):
    db, ids = station
    rc, _, err = ygt(capsys, "household", "add", "--db", str(db), "--head", str(ids["孙七"]))
    assert rc == 0, err
    rc, _, err = ygt(capsys, "household", "move", str(ids["孙七"]), "--db", str(db),
                     "--into", "101-00001", "--relation", "70")  # fmt: skip
    assert rc == 0, err
    rc, out, err = ygt(capsys, "household", "delete", "--db", str(db), "--number", "102-00001")
    assert rc == 0, err
    assert "已删除空户 102-00001（原因：空户：成员均已迁出）" in out
    assert len(_audit_deletes(db)) == 1 and _audit_deletes(db)[0][1] == "空户：成员均已迁出"
    rc, out, _ = ygt(capsys, "household", "list", "--db", str(db))
    assert "102-00001" not in out and "共 1 户" in out
    rc, _, err = ygt(capsys, "household", "delete", "--db", str(db), "--number", "102-00001")
    assert rc == 1 and "没有户编号为“102-00001”的家庭档案" in err


@pytest.mark.parametrize(
    ("number", "rc", "expected"),
    [
        (
            "101-00001",
            1,
            "户编号 101-00001 还有 3 位成员（含原成员），请先把他们迁到其他家庭再删除",
        ),
        ("-3", 1, "没有户编号为“-3”的家庭档案"),
        ("abc", 1, "没有户编号为“abc”的家庭档案"),
        ("9" * 40, 2, "户编号应为不超过 20 个字符、不含空格的编号"),
        ("  ", 2, "户编号应为不超过 20 个字符、不含空格的编号"),
        ("101 00001", 2, "户编号应为不超过 20 个字符、不含空格的编号"),
    ],
)
def test_delete_refuses_in_chinese_and_changes_nothing(station, capsys, number, rc, expected):
    db, _ids = station
    before = members(db)
    got, out, err = ygt(capsys, "household", "delete", "--db", str(db), "--number", number)
    assert got == rc and expected in err and "Traceback" not in err, err
    assert "invalid" not in err and "error:" not in err
    assert members(db) == before and _audit_deletes(db) == []
