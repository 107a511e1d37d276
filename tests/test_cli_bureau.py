"""`ygt init --org-level 区` and `ygt bureau …` (issue 6): roster, import with one line
per file and the exit status 1 when any file was refused, status, the district report,
receipts; a station's database is refused with a clear message; the station commands
keep working."""

from __future__ import annotations

import openpyxl
import pytest

from tests.bureau_helpers import STATIONS, station_report, write_station
from ygt_desktop.cli import main

ROSTER = "机构代码,机构名称,级别,上级代码\r\n" + "".join(
    f"{code},{name},站,530102\r\n" for code, name in STATIONS
)


@pytest.fixture
def district(tmp_path, capsys):
    db = tmp_path / "district.db"
    assert (
        main(
            [
                "init",
                "--db",
                str(db),
                "--org-code",
                "530102",
                "--org-name",
                "五华区卫生健康局",
                "--org-level",
                "区",
                "--parent-code",
                "530100",
            ]
        )
        == 0
    )
    roster = tmp_path / "名册.csv"
    roster.write_bytes(ROSTER.encode("gbk"))
    assert main(["bureau", "roster", "--db", str(db), str(roster)]) == 0
    assert "名册已导入：新增 5 个" in capsys.readouterr().out
    return db


def test_init_a_bureau(tmp_path, capsys):
    db = tmp_path / "b.db"
    rc = main(
        [
            "init",
            "--db",
            str(db),
            "--org-code",
            "530102",
            "--org-name",
            "五华区卫生健康局",
            "--org-level",
            "区",
            "--village",
            "001=某居委会",
        ]
    )
    assert rc == 1 and "区级机构没有辖区居委/村委" in capsys.readouterr().err
    assert not db.exists()
    rc = main(
        [
            "init",
            "--db",
            str(db),
            "--org-code",
            "530102",
            "--org-name",
            "五华区卫生健康局",
            "--org-level",
            "区",
        ]
    )
    assert rc == 0 and "（530102，区）" in capsys.readouterr().out
    rc = main(
        [
            "init",
            "--db",
            str(tmp_path / "c.db"),
            "--org-code",
            "530102",
            "--org-name",
            "x",
            "--org-level",
            "市",
        ]
    )
    assert rc == 1 and "以00结尾" in capsys.readouterr().err


def test_a_bad_roster_is_refused_with_its_rows(district, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level\n530102009,,站\n530102010,某站,所\n", encoding="utf-8")
    assert main(["bureau", "roster", "--db", str(district), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第2行：缺少机构名称" in err and "第3行：级别“所”不对" in err
    assert main(["bureau", "members", "--db", str(district)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "共 5 个机构，在册 5 个"


def test_import_status_report_receipts(district, tmp_path, capsys):
    usb = tmp_path / "usb"
    for n in (1, 2, 3):
        write_station(station_report(n), usb)
    assert main(["bureau", "import", "--db", str(district), str(usb)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("共 3 个文件：接收 3 个（其中替代旧版 0 个），重复 0 个，拒收 0 个")
    assert out[0].startswith("已接收\t") and f"{STATIONS[0][0]} {STATIONS[0][1]}" in out[0]

    # Again, plus a stranger's file: duplicates are no failure, a refusal is.
    write_station(station_report(4, org_code="530103001", org_name="盘龙区某站"), tmp_path / "x")
    rc = main(["bureau", "import", "--db", str(district), str(usb), str(tmp_path / "x")])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.out.splitlines()[-1] == (
        "共 4 个文件：接收 0 个（其中替代旧版 0 个），重复 3 个，拒收 1 个"
    )
    assert captured.err.startswith("拒收\t") and "不在本机构的成员名册中" in captured.err
    assert main(["bureau", "import", "--db", str(district), str(usb)]) == 0
    capsys.readouterr()

    assert main(["bureau", "status", "--db", str(district), "--period", "2026Q3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("2026年第3季度（截止 2026-10-10）：应报 5 个，已报 3 个")
    assert out[3].split("\t")[:4] == [STATIONS[3][0], STATIONS[3][1], "站", "逾期未报"]
    assert (
        main(
            [
                "bureau",
                "status",
                "--db",
                str(district),
                "--period",
                "2026Q3",
                "--xlsx",
                str(tmp_path / "s.xlsx"),
            ]
        )
        == 0
    )
    assert (tmp_path / "s.xlsx").exists()

    xlsx, pdf = tmp_path / "d.xlsx", tmp_path / "d.pdf"
    assert (
        main(
            [
                "bureau",
                "report",
                "--db",
                str(district),
                "--period",
                "2026Q3",
                "--xlsx",
                str(xlsx),
                "--pdf",
                str(pdf),
            ]
        )
        == 0
    )
    assert "汇总 3 个机构的当前版本（应报 5 个）" in capsys.readouterr().out
    meta = dict(openpyxl.load_workbook(xlsx)["_meta"].iter_rows(min_row=2, values_only=True))
    assert meta["children"] == ",".join(f"{c}:1" for c, _ in STATIONS[:3])
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["bureau", "report", "--db", str(district), "--period", "2026Q3"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].startswith("ehr.coverage\t电子健康档案建档率(%)\t12963\t15000\t86.4")

    assert (
        main(
            [
                "bureau",
                "receipts",
                "--db",
                str(district),
                "--period",
                "2026Q3",
                "--out",
                str(tmp_path / "回执"),
            ]
        )
        == 0
    )
    assert "已写出 3 份回执" in capsys.readouterr().out  # the stranger is on no roster


def test_empty_period_and_a_station_database(district, ws, db_path, capsys):
    assert main(["bureau", "report", "--db", str(district), "--period", "2026Q2"]) == 1
    assert "还没有接收到任何成员机构的工作簿" in capsys.readouterr().err
    ws.close(backup_on_exit=False)
    assert main(["bureau", "status", "--db", str(db_path), "--period", "2026Q3"]) == 1
    assert "不是区、市级机构" in capsys.readouterr().err
    assert main(["report", "--db", str(db_path), "--period", "2026Q3"]) == 0  # stations as before


# ---- issue 11: a batch no file can break, withdrawing, formula-safe CSV ------------------


def test_import_goes_on_past_every_hostile_file(district, tmp_path, capsys):
    """A FIFO (skipped unopened), a name with an escape code (printed escaped), a number
    past 2^63 (refused): the genuine files are accepted, the exit status is 1."""
    import os
    from dataclasses import replace

    from ygt_desktop.core.report_model import IndicatorValue

    usb = tmp_path / "usb"
    for n in (2, 3):
        write_station(station_report(n), usb)
    os.mkfifo(usb / "管道.xlsx")
    write_station(station_report(4), usb, name="\x1b[31m四站.xlsx")
    big = station_report(1)
    big = replace(
        big, values={**big.values, "ref.up": IndicatorValue("ref.up", 2**64, None, 2**64)}
    )
    write_station(big, usb, name="大数.xlsx")
    rc = main(["bureau", "import", "--db", str(district), str(usb)])
    captured = capsys.readouterr()
    assert rc == 1
    assert "\x1b" not in captured.out + captured.err
    assert "\\x1b[31m四站.xlsx" in captured.out
    assert "已跳过\t" in captured.out and "命名管道" in captured.out
    assert "拒收\t" in captured.err and "超出合理范围" in captured.err
    assert captured.out.splitlines()[-1].startswith(
        "共 5 个文件：接收 3 个（其中替代旧版 0 个），重复 0 个，拒收 1 个，跳过 1 个"
    )
    # Only the FIFO left, and the rest again: nothing refused, exit 0.
    (usb / "大数.xlsx").unlink()
    assert main(["bureau", "import", "--db", str(district), str(usb)]) == 0


def test_withdraw_from_the_command_line(district, tmp_path, capsys):
    write_station(station_report(1), tmp_path / "a")
    assert main(["bureau", "import", "--db", str(district), str(tmp_path / "a")]) == 0
    capsys.readouterr()
    args = ["bureau", "withdraw", "--db", str(district), "--org", STATIONS[0][0]]
    args += ["--period", "2026Q3", "--revision", "1"]
    assert main([*args, "--reason", "站点报错了数据"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"已撤销 {STATIONS[0][0]}") and "站点报错了数据" in out
    assert main([*args, "--reason", "再撤一次"]) == 1
    assert "撤销过" in capsys.readouterr().err
    assert main([*args[:-1], "9", "--reason", "无此版"]) == 1
    assert "没有" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args[:-1], "9223372036854775807", "--reason", "x"])
    capsys.readouterr()
    assert main(["bureau", "status", "--db", str(district), "--period", "2026Q3"]) == 0
    assert "已撤销" in capsys.readouterr().out
    # The station's next file is accepted.
    write_station(station_report(1, scale=0.9), tmp_path / "b")
    assert main(["bureau", "import", "--db", str(district), str(tmp_path / "b")]) == 0


def test_members_csv_escapes_formulas(district, tmp_path, capsys):
    roster_file = tmp_path / "r.csv"
    roster_file.write_text(
        'code,name,level\n530102009,=HYPERLINK("http://x";"点我"),站\n', encoding="utf-8"
    )
    assert main(["bureau", "roster", "--db", str(district), str(roster_file)]) == 0
    out = tmp_path / "members.csv"
    assert main(["bureau", "members", "--db", str(district), "--csv", str(out)]) == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text
    # It imports back as typed.
    assert main(["bureau", "roster", "--db", str(district), str(out)]) == 0
    assert "未变 6 个" in capsys.readouterr().out


def test_a_roster_member_outside_the_area_is_refused(district, tmp_path, capsys):
    roster_file = tmp_path / "r.csv"
    roster_file.write_text("code,name,level\n530103001,盘龙区某站,站\n", encoding="utf-8")
    assert main(["bureau", "roster", "--db", str(district), str(roster_file)]) == 1
    assert "不在本机构辖区" in capsys.readouterr().err
