"""``ygt worklist``: the worklist without a screen (a nightly print, a quick look).

Requirements held here: the default range is the week (Monday–Sunday) of --on and the
default view 到期 (windows ending in the range, and overdue ones still open; issue 12);
--view 本年未做 lists the once-a-year services with people per service, --view 全部 every
window that overlaps the range (the list before issue 12); without --pdf/--csv a plain
table goes to stdout, one line per resident as on the page; --pdf and --csv write the
files (the CSV one row per item, every column kept); filters by package, village,
status and responsible doctor; a bad date, view or a reversed range is a usage error
(exit 2) explained in Chinese; an unknown village or doctor is explained (exit 1); ID
numbers never appear; the command works while the window has the database open.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from ygt_desktop import cli

ID_NUMBER = "11010519491231002X"
ON = ["--on", "2026-11-25"]  # a Wednesday: the week is 2026-11-23 … 2026-11-29


@pytest.fixture
def db(ws, db_path: Path) -> Path:
    """张三 with 高血压 registered in January 2026; the workspace stays open, as the
    window would keep it."""
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": ID_NUMBER,
            "phone": "13912345678",
            "village_code": "101",
            "archive_date": "2020-01-01",
            "responsible_doctor": "王丽萍",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    return db_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(["worklist", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_without_files_a_table_of_this_week_goes_to_stdout(db, capsys):
    # Issue 12 changed this table on purpose: one line per resident (all their items in
    # 待办项目, the earliest 最早截止) in the 到期 view; the CSV keeps one row per item.
    rc, out, err = run(capsys, "--db", str(db), *ON)
    assert rc == 0, err
    lines = out.splitlines()
    assert "2026-11-23 至 2026-11-29" in lines[0] and "视图：到期和逾期" in lines[0]
    assert lines[1].split() == ["序号", "状态", "姓名", "性别", "年龄", "居委/村委", "联系电话",
                                "待办项目", "最早截止"]  # fmt: skip
    assert lines[2].split()[:3] == ["1", "逾期", "张三"] and len(lines) == 4
    assert "高血压随访（2026年第3季度） 逾期 09-30" in out and "2026-09-30" in out
    assert "13912345678" in out and "小坝村委会" in out
    assert "第4季度" not in out and "中医体质辨识" not in out  # not due yet / once a year
    assert ID_NUMBER not in out
    assert lines[-1] == "共 1 项 1 人：逾期 1 人"


def test_the_views(db, capsys):
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--view", "本年未做")
    assert rc == 0 and "视图：本年未做" in out
    assert "中医体质辨识（2026年）、健康体检（2026年） 应访 12-31" in out
    assert out.splitlines()[-1].endswith("；中医体质辨识 1 人未做，健康体检 1 人未做")
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--view", "全部")
    assert rc == 0 and "视图：全部项目" in out
    assert "高血压随访（2026年第4季度） 应访 12-31" in out and "第3季度" not in out
    assert out.splitlines()[-1] == "共 3 项 1 人：应访 1 人"


def test_filters_by_range_status_package_and_village(db, capsys):
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--from", "2026-01-01", "--to", "20260630",
                     "--status", "逾期", "--package", "疾控包")  # fmt: skip
    assert rc == 0
    assert "高血压随访（2026年第1季度） 逾期 03-31；高血压随访（2026年第2季度） 逾期 06-30" in out
    assert "应访" not in out
    assert "共 2 项 1 人：逾期 1 人" in out
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--package", "妇幼包")
    assert rc == 0 and "没有待办随访" in out and "张三" not in out
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--village", "102")
    assert rc == 0 and "没有待办随访" in out
    rc, out, _ = run(capsys, "--db", str(db), *ON, "--doctor", "王丽萍", "--status", "逾期")
    assert rc == 0 and "责任医生：王丽萍" in out and "张三" in out
    rc, out, err = run(capsys, "--db", str(db), *ON, "--doctor", "李医生")
    assert rc == 1 and "李医生" in err and "王丽萍" in err and out == ""


def test_pdf_and_csv_are_written(db, tmp_path, capsys):
    pdf, table = tmp_path / "名单.pdf", tmp_path / "名单.csv"
    rc, out, err = run(capsys, "--db", str(db), *ON, "--pdf", str(pdf), "--csv", str(table))
    assert rc == 0, err
    assert str(pdf) in out and str(table) in out
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "待办随访名单" in text and "张三" in text and "2026-11-23 至 2026-11-29" in text
    assert ID_NUMBER not in text
    data = table.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["姓名"] for r in rows} == {"张三"}
    assert {r["联系电话"] for r in rows} == {"139****5678"}
    assert [(r["服务项目"], r["状态"], r["时间窗结束"], r["服务"]) for r in rows] == [
        ("高血压随访（2026年第3季度）", "逾期", "2026-09-30", "高血压")
    ]
    assert ID_NUMBER not in data.decode("utf-8-sig") and "13912345678" not in text
    assert "电话号码已遮挡" in out

    rc, out, err = run(capsys, "--db", str(db), *ON, "--csv", str(table), "--full-phone")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert {r["联系电话"] for r in rows} == {"13912345678"}


@pytest.mark.parametrize(("args", "words"), [
    (["--from", "2026-02-30"], "不存在"),
    (["--on", "下周一"], "YYYY-MM-DD"),
    (["--status", "过期"], "状态应为"),
    (["--package", "慢病包"], "服务包应为"),
    (["--view", "过期"], "视图应为 到期、本年未做、全部 之一"),
])  # fmt: skip
def test_bad_arguments_are_usage_errors_in_chinese(db, capsys, args, words):
    with pytest.raises(SystemExit) as info:
        cli.main(["worklist", "--db", str(db), *args])
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_a_reversed_range_and_an_unknown_village_are_explained(db, capsys, tmp_path):
    rc, out, err = run(capsys, "--db", str(db), "--from", "2026-12-01", "--to", "2026-11-01")
    assert rc == 2 and "不能早于" in err and out == ""
    rc, out, err = run(capsys, "--db", str(db), "--village", "999", "--pdf",
                       str(tmp_path / "x.pdf"))  # fmt: skip
    assert rc == 1 and "999 不存在" in err and "101 小坝村委会" in err
    assert not (tmp_path / "x.pdf").exists()
