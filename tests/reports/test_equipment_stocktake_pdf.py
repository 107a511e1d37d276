"""The stocktake printout (设备盘点表): A4 portrait, header row on every page, counts per
result, signature lines for 盘点人 and 负责人; characters no font has are reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from ygt_desktop.reports.stocktake_pdf import render_stocktake
from ygt_desktop.storage.equipment import REPAIR, Equipment
from ygt_desktop.storage.equipment_stocktake import CHANGED, FOUND, MISSING, Stocktakes


def test_long_stocktake_prints_on_several_a4_pages(ws, tmp_path: Path):
    eq = Equipment(ws.store, ws.forms)
    stocktakes = Stocktakes(eq, ws.forms)
    ids = [
        eq.assets.save(
            {
                "asset_no": f"GZ-{n:03d}",
                "name": "电子血压计",
                "category": "1",
                "model": "HEM-7136",
                "purchase_date": "2023-03-01",
                "price": "250",
                "location": "诊室",
            }
        ).record_id
        for n in range(1, 61)
    ]
    sid = stocktakes.start(
        {"year": 2025, "stocktake_date": "2025-12-20", "checker": "王护士", "supervisor": "李站长"}
    ).record_id
    for n, asset in enumerate(ids):
        if n in (4, 40):
            stocktakes.mark(sid, asset, MISSING, note="刘䶮处借用未还")
        elif n == 7:
            stocktakes.mark(sid, asset, CHANGED, REPAIR, "屏幕不亮")
        else:
            stocktakes.mark(sid, asset, FOUND)
    stocktakes.finish(sid, dt.date(2025, 12, 22))
    out = tmp_path / "盘点.pdf"
    warnings = render_stocktake(
        stocktakes.result(sid), out, org_name="小坝村卫生室", printed_on=dt.date(2026, 1, 5)
    )
    reader = PdfReader(out)
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "资产编号" in text and "盘点结果" in text  # header row repeated
        assert f"第 {number} 页 共 {len(pages)} 页" in text
        assert float(reader.pages[number - 1].mediabox.width) < float(
            reader.pages[number - 1].mediabox.height
        )  # portrait
    first, last = pages[0], pages[-1]
    assert "设备盘点表（2025年度）" in first and "已结束（2025-12-22）" in first
    assert "GZ-060" in "".join(pages)
    assert "盘点人（签字）" in last and "负责人（签字）" in last
    assert "缺失设备原值合计 500.00 元" in last
    counts = last[last.index("盘点结果\n找到") :].split("\n")
    assert counts[:12] == [
        "盘点结果",
        "找到",
        "缺失",
        "状态变化",
        "未盘",
        "合计",
        "台数",
        "57",
        "2",
        "1",
        "0",
        "60",
    ]
    assert all("䶮" in w for w in warnings) or warnings == []
    if not warnings:  # a system font had the character: printed, not dropped
        assert "䶮" in "".join(pages)
