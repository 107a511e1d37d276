"""A record's repeating group printed as a small table (issue 13): a heading per column
with its unit, a numbered line per row, every value on the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from tests.core.test_rows import HEAD, MEDICINES
from ygt_desktop.core.forms import load_form
from ygt_desktop.reports.record_pdf import render_record


def test_medicines_print_as_a_table_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + MEDICINES, encoding="utf-8")
    form = load_form(path)
    values = form.process(
        {
            "visit_date": "2026-11-20",
            "medicines": [
                {"name": "硝苯地平缓释片", "times": "2", "dose": "10", "unit": "mg"},
                {"name": "阿司匹林肠溶片", "times": "1", "dose": "100", "unit": "mg"},
            ],
        }
    ).values
    out = tmp_path / "visit.pdf"
    warnings = render_record(
        form,
        values,
        out,
        org_name="测试社区卫生服务站",
        resident=None,
        header=None,
        printed_on=dt.date(2026, 11, 20),
    )
    assert warnings == []
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace(" ", "")
    for expected in ("用药情况", "药物名称", "每日次数（次）", "硝苯地平缓释片", "阿司匹林肠溶片"):
        assert expected in text, expected
    assert text.index("硝苯地平缓释片") < text.index("阿司匹林肠溶片")
    assert "100" in text and "mg" in text
