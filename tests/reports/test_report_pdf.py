"""The quarterly report as a PDF for signing and stamping (issue 5).

Requirements held here: the text (read back with pypdf) carries the title, period,
window, unit and code, every indicator's label and value, 第 x 页 共 y 页 on every page
with the table header repeated, targets and shortfalls, the revision line and the
signature labels; the Chinese font is embedded (no base-14 font); the chart appears only
with earlier quarters of the same year; a failed write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.report_helpers import history, sample_report
from ygt_desktop.core.report_model import COUNT, Period
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.reports.report_pdf import chart_codes, write_report_pdf

FILLED = dt.date(2026, 10, 8)
BASE14 = {"Courier", "Helvetica", "Times", "Symbol", "ZapfDingbats"}


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    """Text without blanks and line breaks (labels wrap inside their cells)."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    warnings = write_report_pdf(sample_report(revision=2), out, filled_on=FILLED,
                                people={"填报人": "王芳"})  # fmt: skip
    return out, warnings


def test_title_period_unit_and_window(printed):
    out, warnings = printed
    assert warnings == []
    first = flat(pages(out)[0])
    assert "基本公共卫生服务项目进展情况统计表（2026年第3季度）" in first
    for part in (
        "填报单位：五华区龙泉路社区卫生服务站",
        "机构代码：530102001",
        "统计时段：2026-01-01至2026-09-30",
        "填报日期：2026-10-08",
    ):
        assert part in first


def test_every_indicator_label_and_value_is_printed(printed):
    out, _ = printed
    report = sample_report(revision=2)
    text = flat("".join(pages(out)))
    for row in report.data_rows():
        ind = report.template.indicator(row[3])
        assert flat(ind.label) in text, ind.code
        if row[6] is not None:
            shown = f"{row[6]:.1f}" if ind.kind != COUNT else str(row[6])
            assert shown in text, ind.code
    for section in report.template.sections:
        assert flat(section.name) in text


def test_pages_are_numbered_and_carry_the_header(printed):
    out, _ = printed
    texts = pages(out)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert f"第 {n} 页 共 {len(texts)} 页" in text
        assert all(h in text for h in ("序号", "项目", "指标", "分子", "分母", "数值", "备注"))


def test_targets_shortfalls_missing_figures_revision_and_signatures(printed):
    out, _ = printed
    text = flat("".join(pages(out)))
    assert "目标≥60，未达标" in text  # htn.standard 58.9
    assert "目标≥30，未达标" in text  # fd.rate 28.4
    assert "缺少基础数据：0～6岁儿童数" in text
    assert "修订：第2版（本版替代此前报送的第1版，以本版为准）" in text
    for label in ("单位负责人：", "审核人：", "填报人：王芳", "联系电话：", "（盖章）"):
        assert label in text
    assert "主要指标按季度" not in text  # no history, no chart


def test_font_is_embedded_and_no_base14_font_is_used(printed):
    out, _ = printed
    fonts = [ref.get_object() for page in PdfReader(out).pages
             for ref in page["/Resources"]["/Font"].values()]  # fmt: skip
    assert fonts
    for font in fonts:
        assert str(font["/BaseFont"]).lstrip("/").split("-")[0] not in BASE14
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_chart_of_the_main_rates_with_earlier_quarters(tmp_path):
    out = tmp_path / "r.pdf"
    report = sample_report()
    assert write_report_pdf(report, out, filled_on=FILLED, history=history()) == []
    text = flat("".join(pages(out)))
    assert "主要指标按季度" in text
    assert all(f"第{q}季度" in text for q in (1, 2, 3))
    assert chart_codes(report)[:2] == ["htn.standard", "htn.control"]
    assert "目标值" in text


def test_history_of_another_year_is_left_out_with_a_warning(tmp_path):
    out = tmp_path / "r.pdf"
    other = sample_report(period=Period.parse("2025Q4"))
    warnings = write_report_pdf(sample_report(), out, filled_on=FILLED, history=[other])
    assert any("2025年第4季度" in w and "未画入" in w for w in warnings)
    assert "主要指标按季度" not in flat("".join(pages(out)))


def test_rare_character_in_the_name_is_reported(tmp_path):
    out = tmp_path / "r.pdf"
    warnings = write_report_pdf(sample_report(org_name="䶮山社区卫生服务站"), out,
                                filled_on=FILLED)  # fmt: skip
    text = flat(pages(out)[0])
    assert "山社区卫生服务站" in text
    # Printed with a system font if one has it, otherwise □ and a warning: never dropped.
    assert "䶮山" in text or any("䶮" in w for w in warnings)


def test_missing_folder_raises_chinese_error_and_leaves_nothing(tmp_path):
    out = tmp_path / "gone" / "r.pdf"
    with pytest.raises(ExportError, match="不存在"):
        write_report_pdf(sample_report(), out, filled_on=FILLED)
    assert not list(tmp_path.iterdir())


def test_long_unit_name_is_shortened_in_the_footer_only(tmp_path):
    out = tmp_path / "r.pdf"
    name = "昆明市五华区龙泉街道办事处龙泉路社区卫生服务站（第二分站）"
    write_report_pdf(sample_report(org_name=name), out, filled_on=FILLED)
    texts = pages(out)
    assert f"填报单位：{name}" in flat(texts[0])
    for n, text in enumerate(texts, start=1):
        assert f"第 {n} 页 共 {len(texts)} 页" in text
        assert "…" in text
