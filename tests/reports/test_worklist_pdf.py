"""Printing the worklist (待办随访名单) for the doctor's rounds.

Requirements held here: A4 landscape; the title, organisation, range, filters and
people per status on page 1; one row per resident with the worst status, name, phone
number (masked unless asked), all their items and the earliest window end, in the order
given; the header row (with an empty 备注 column) on every page; 第 x 页 共 y 页 right on
every page; ID numbers never printed; a character no font has is reported; 5,000 rows
in well under 10 seconds; a failed write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from ygt_desktop.core.masking import Shown
from ygt_desktop.core.schedules import Due
from ygt_desktop.reports.pdf_fonts import fallback_font
from ygt_desktop.reports.worklist_pdf import render_worklist
from ygt_desktop.storage.worklist import WorkItem, by_resident

TODAY = dt.date(2026, 11, 23)
ORG = "测试社区卫生服务站"
ID_NUMBER = "11010519491231002X"
VILLAGES = {"001": "龙泉路社区居委会", "101": "小坝村委会", "102": "大坝村委会"}
HEADER = ("序号", "状态", "姓名", "性别", "年龄", "居委/村委", "联系电话", "待办项目", "最早截止",
          "备注")  # fmt: skip


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def render(items, out: Path, **kw) -> list[str]:
    args = dict(org_name=ORG, start=TODAY, end=TODAY + dt.timedelta(days=6), on=TODAY,
                filters_text="服务包：全部；居委/村委：全部；状态：应访、逾期",
                village_names=VILLAGES, printed_on=TODAY)  # fmt: skip
    return render_worklist(by_resident(items), out, **{**args, **kw})


def item(n: int, status: str = "应访", name: str | None = None) -> WorkItem:
    resident = {
        "id": n,
        "name": name or f"居民{n:04d}",
        "sex": "12"[n % 2],
        "birth_date": "1950-06-01",
        "phone": f"138{n:08d}",
        "village_code": "101",
        "archive_no": f"530102001101{n:05d}",
        "status": "在档",
        "status_date": None,
    }
    due = Due(
        "htn",
        "htn_followup",
        "高血压随访（2026年第4季度）",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        dt.date(2026, 11, 2) if status == "已访" else None,
    )
    return WorkItem(resident, due, status)


def test_a_real_worklist_prints_names_statuses_and_phones_but_no_id_numbers(ws, tmp_path):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": ID_NUMBER,
            "phone": "13912345678",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    items = ws.worklist.items(dt.date(2026, 6, 1), dt.date(2026, 11, 29), TODAY)
    assert {i.status for i in items} >= {"逾期", "应访"}
    assert len(by_resident(items)) == 1
    out = tmp_path / "名单.pdf"

    assert render(items, out) == []

    reader = PdfReader(out)
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = "\n".join(pages(out))
    for words in ("待办随访名单", ORG, "2026-11-23 至 2026-11-29", "状态：应访、逾期",
                  "合计：共 5 项 1 人：逾期 1 人", "张三", "小坝村委会", "139****5678",
                  "高血压随访（2026年第2季度） 逾期 06-30；高血压随访（2026年第3季度）",
                  "\n2026-06-30\n", "随访医生签名",
                  "第 1 页 共 1 页", "打印日期：2026-11-23"):  # fmt: skip
        assert words in text, words
    assert ID_NUMBER not in text and "13912345678" not in text
    assert not re.search(r"\d{15}|\*{5,}", text)  # no ID number, not even a masked one


def test_a_long_list_repeats_the_header_on_every_page_and_keeps_the_order(tmp_path):
    items = [item(n, "逾期" if n % 3 == 0 else "应访") for n in range(1, 61)]
    out = tmp_path / "长名单.pdf"
    render(items, out, shown=Shown(phones=True))

    texts = pages(out)
    assert len(texts) >= 3
    for number, text in enumerate(texts, 1):
        lines = text.splitlines()
        header_at = [lines.index(h) for h in HEADER]
        assert header_at == sorted(header_at), f"page {number}: header cells out of order"
        assert f"第 {number} 页 共 {len(texts)} 页" in text
    assert "待办随访名单（续）" in texts[1]
    whole = "\n".join(texts)
    positions = [whole.index(f"居民{n:04d}") for n in range(1, 61)]
    assert positions == sorted(positions)  # the order given
    assert "13800000060" in texts[-1]


def test_a_character_no_font_has_is_reported_not_dropped(tmp_path):
    out = tmp_path / "生僻字.pdf"
    warnings = render([item(1, name="刘䶮")], out)
    text = pages(out)[0]
    if fallback_font("䶮") is None:
        assert any("䶮" in w for w in warnings)
        assert "刘□" in text
    else:
        assert warnings == []
        assert "刘" in text


def test_an_empty_list_still_prints_its_header(tmp_path):
    out = tmp_path / "空.pdf"
    render([], out)
    text = pages(out)[0]
    assert "没有待办随访" in text and "备注" in text and "第 1 页 共 1 页" in text


@pytest.mark.slow
@pytest.mark.alone  # timed (tests/alone.py)
def test_five_thousand_rows_print_in_well_under_ten_seconds(tmp_path):
    items = [item(n, ("逾期", "应访", "已访")[n % 3]) for n in range(1, 5001)]
    out = tmp_path / "全年.pdf"
    started = time.perf_counter()
    render(
        items, out, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), shown=Shown(phones=True)
    )
    assert time.perf_counter() - started < 8
    reader = PdfReader(out)
    last = reader.pages[-1].extract_text()
    assert "13800005000" in last
    assert f"第 {len(reader.pages)} 页 共 {len(reader.pages)} 页" in last


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "没有这个文件夹"
    with pytest.raises(OSError):
        render([item(1)], folder / "名单.pdf")
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []
