"""接种通知单 (reports/vaccine_notice_pdf.py, ``ygt vaccines notice``): one village's
children with a dose to give in the period — the next dose of each series from the
schedule and the doses given, 补种 marked, phones masked — and every bad option refused
in Chinese (exit status 2), an unwritable file with 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.storage.test_vaccine_doses import dose
from tests.test_cli_users import ygt

D = dt.date


def child(ws, name, birth, village="101", phone=None):
    raw = {
        "name": name, "no_id_reason": "9", "sex": "2", "birth_date": birth,
        "village_code": village, "archive_date": birth,
    }  # fmt: skip
    if phone:
        raw["phone"] = phone
    return ws.residents.save(raw).record_id


@pytest.fixture
def station(ws) -> Path:
    on_time = child(ws, "按时宝", "2026-04-20", phone="13812345678")
    for vaccine, day in (("hepb1", "2026-04-20"), ("bcg", "2026-04-21"), ("hepb2", "2026-05-20")):
        dose(ws, on_time, vaccine, day)
    child(ws, "漏种宝", "2025-06-01")  # nothing recorded: 补种 of everything up to now
    child(ws, "别村宝", "2026-04-20", village="102")
    child(ws, "大孩子", "2015-01-01")  # 11 years: not on the notice
    path = ws.store.path
    ws.close(backup_on_exit=False)
    return path


def text(path: Path) -> str:
    return (
        "".join(page.extract_text() for page in PdfReader(path).pages)
        .replace(" ", "")
        .replace("\n", "")
    )


def test_notice_lists_the_village_children_and_their_doses(station, capsys, tmp_path):
    pdf = tmp_path / "通知.pdf"
    rc, out, err = ygt(capsys, "vaccines", "notice", "--db", str(station), "--village", "101",
                       "--from", "2026-06-22", "--to", "2026-07-05", "--pdf", str(pdf))  # fmt: skip
    assert rc == 0, err
    assert "已将小坝村委会 2026-06-22 至 2026-07-05 的接种通知单（2 名儿童" in out
    got = text(pdf)
    assert "预防接种通知单" in got and "接种时间：2026-06-22至2026-07-05" in got
    assert "按时宝" in got and "漏种宝" in got
    assert "别村宝" not in got and "大孩子" not in got
    assert "138****5678" in got and "13812345678" not in got
    # 按时宝 (2 months): 脊灰灭活 and 百白破 1 open now or soon; hepb3 waits for 6 months
    assert "脊灰灭活疫苗第1剂（即可接种，2027-04-19前完成）" in got
    assert "百白破疫苗第1剂（2026-07-20起）" not in got  # opens after the period
    assert "乙肝疫苗第3剂" not in got.split("漏种宝")[0]
    # 漏种宝 (1 year): the 12-month doses are 补种; BCG needs a test first
    assert "乙肝疫苗第1剂（补种，即可接种）" in got
    assert "卡介苗（补种，需先做PPD或IGRA检测，阴性方可接种）" in got


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--village", "999"], "没有代码为 999 的村（居）委会"),
        (["--village", "101", "--from", "2026-13-01"], "日期应写作 YYYY-MM-DD"),
        (["--village", "101", "--from", "2026-07-01", "--to", "2026-06-01"], "不能早于开始日期"),
        (["--village", "101", "--from", "2026-01-01", "--to", "2027-06-01"], "不能超过一年"),
        (["--village", "101", "--pdf", "x.txt"], "--pdf 应为 .pdf 文件"),
        ([], "缺少必填的参数：--village"),
    ],
)
def test_bad_options_in_chinese(station, capsys, tmp_path, args, message):
    if "--pdf" not in args:
        args = [*args, "--pdf", str(tmp_path / "n.pdf")]
    rc, _out, err = ygt(capsys, "vaccines", "notice", "--db", str(station), *args)
    assert rc == 2 and message in err
    assert not (tmp_path / "n.pdf").exists()


def test_unwritable_file(station, capsys, tmp_path):
    pdf = tmp_path / "没有这个文件夹" / "n.pdf"
    rc, _out, err = ygt(capsys, "vaccines", "notice", "--db", str(station), "--village", "101",
                        "--pdf", str(pdf))  # fmt: skip
    assert rc == 1 and "无法保存接种通知单" in err and "未写入任何文件" in err
