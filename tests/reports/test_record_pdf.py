"""Printing one record in the layout of its paper form (the paper archive).

Requirements held here: the PDF carries the form's title, the fields with their values
and units, the masked ID number, 第 x 页 共 y 页 and the alerts; the Chinese font is
embedded (no base-14 font); a character the font lacks is never dropped silently; the
resident form prints; a long record flows onto a second page with its header row
repeated; a failed write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from ygt_desktop.core.forms import load_form
from ygt_desktop.reports.pdf_fonts import MARKER, TextFonts, fallback_font, missing_chars
from ygt_desktop.reports.record_pdf import alert_messages, render_record

TODAY = dt.date(2026, 11, 23)
ORG = "测试社区卫生服务站"
ID_NUMBER = "53010219580312108X"
MASKED = "530102********108X"
BASE14 = {"Courier", "Helvetica", "Times", "Symbol", "ZapfDingbats"}


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def save_followup(ws, name: str = "张三") -> tuple[int, int]:
    """A resident with 高血压 and one urgent follow-up; returns (resident id, record id)."""
    rid = ws.residents.save(
        {"name": name, "id_number": ID_NUMBER, "village_code": "101", "archive_date": "2020-01-01"}
    ).record_id
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    result = ws.services.save(
        "htn_followup",
        {
            "visit_date": "2026-11-01",
            "visit_method": "1",
            "symptoms": ["2", "6"],
            "sbp": "185",
            "dbp": "95",
            "weight": "65.5",
            "height": "160",
            "adherence": "1",
            "visit_class": "2",
            "medication": "氨氯地平片 每日1次 每次5mg",
            "doctor": "王医生",
        },
        rid,
        today=TODAY,
    )
    return rid, result.change.record_id


def render_followup(ws, out: Path, name: str = "张三") -> list[str]:
    rid, record_id = save_followup(ws, name)
    header, values = ws.services.get(record_id)
    return render_record(
        ws.forms["htn_followup"],
        values,
        out,
        org_name=ORG,
        resident=ws.residents.get(rid),
        header=header,
        printed_on=TODAY,
    )


def test_followup_prints_title_values_units_masked_id_pages_and_alerts(ws, tmp_path):
    out = tmp_path / "随访.pdf"
    warnings = render_followup(ws, out)
    assert warnings == []
    (text,) = pdf_text(out)
    for expected in (
        "高血压患者随访服务记录表",
        "收缩压",
        "185 mmHg",
        "95 mmHg",
        "65.5 kg",
        MASKED,
        "第 1 页 共 1 页",
        "打印日期：2026-11-23",
        ORG,
        "随访医生签名",
        "提示",
        "请紧急转诊",
        "[√] 头痛头晕",
        "控制不满意",
        "否",
    ):
        assert expected in text, expected
    assert ID_NUMBER not in text


def test_unmasked_id_on_request(ws, tmp_path):
    rid, record_id = save_followup(ws)
    header, values = ws.services.get(record_id)
    out = tmp_path / "r.pdf"
    render_record(
        ws.forms["htn_followup"],
        values,
        out,
        org_name=ORG,
        resident=ws.residents.get(rid),
        header=header,
        id_masked=False,
    )
    assert ID_NUMBER in pdf_text(out)[0]


def test_font_is_embedded_and_no_base14_font_is_used(ws, tmp_path):
    out = tmp_path / "r.pdf"
    render_followup(ws, out)
    fonts = [
        ref.get_object()
        for page in PdfReader(out).pages
        for ref in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:
        assert str(font["/BaseFont"]).lstrip("/").split("-")[0] not in BASE14
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # an embedded TrueType subset
        assert "+" in str(font["/BaseFont"])  # subset tag, e.g. AAAAAA+WenQuanYiMicroHei


def test_extension_a_character_is_never_dropped(ws, tmp_path):
    assert missing_chars("刘䶮") == {"䶮"}  # the bundled font lacks it
    out = tmp_path / "r.pdf"
    warnings = render_followup(ws, out, name="刘䶮")
    text = pdf_text(out)[0]
    if fallback_font("䶮") is not None:  # a system font printed it
        assert "刘䶮" in text
        assert warnings == []
    else:
        assert f"刘{MARKER}" in text
        assert len(warnings) == 1
        assert "䶮" in warnings[0] and "U+4DAE" in warnings[0]


def test_missing_character_uses_a_system_font_when_one_has_it():
    fonts = TextFonts()
    char = "☑"  # not in WenQuanYi Micro Hei; DejaVu Sans and SimSun have it
    if fallback_font(char) is None:
        pytest.skip("no system font with ☑ here")
    assert f'<font face="{fallback_font(char)}">☑</font>' in fonts.markup(f"勾选{char}")
    assert fonts.warnings == []


def test_resident_form_prints_without_a_resident_row(ws, tmp_path):
    rid = ws.residents.save(
        {
            "name": "李四",
            "id_number": ID_NUMBER,
            "village_code": "101",
            "archive_date": "2020-01-01",
            "flag_dibao": "是",
        }
    ).record_id
    out = tmp_path / "档案.pdf"
    warnings = render_record(
        ws.forms["resident"],
        ws.residents.values(rid),
        out,
        org_name=ORG,
        resident=None,
        header=None,
        signature_label="建档人签名",
        choice_labels={"village_code": {"101": "小坝村委会"}},
    )
    assert warnings == []
    pages = pdf_text(out)
    # The full 个人基本信息表 takes two pages, as on paper; each is numbered and the
    # second is marked (续) and carries who the archive is about.
    assert len(pages) == 2
    for n, page in enumerate(pages, start=1):
        assert f"第 {n} 页 共 2 页" in page
        assert "姓名：李四" in page and "建档人签名" in page
    assert "个人基本信息（续）" in pages[1]
    text = "".join(pages)
    for expected in ("居民健康档案", MASKED, "1958-03-12", "女", "小坝村委会", "低保"):
        assert expected in text, expected
    assert ID_NUMBER not in text
    # Every section of the form is printed as a heading, in the form's order.
    sections = list(dict.fromkeys(f.group for f in ws.forms["resident"].fields if f.group))
    at = [text.find(f"\n{s}\n") for s in sections]
    assert -1 not in at, [s for s, i in zip(sections, at, strict=True) if i == -1]
    assert at == sorted(at)


def long_form(tmp_path: Path):
    lines = [
        '[form]\nid = "long_notes"\ntitle = "长文本测试记录表"\nversion = 1\n'
        'kind = "station_log"\ntable = "f_long_notes"\n'
    ]
    for i in range(10):
        lines.append(
            f'[[fields]]\nid = "note{i}"\nlabel = "记录{i}"\ntype = "longtext"\n'
            f'group = "第{i // 4}组"\n'
        )
    path = tmp_path / "long_notes.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_form(path)


def test_long_record_flows_onto_two_pages_with_the_header_repeated(tmp_path):
    form = long_form(tmp_path)
    sentence = "随访时患者诉头晕乏力，血压控制欠佳，已嘱低盐饮食、规律服药并按时复诊。"
    values = {f"note{i}": f"第{i}段：" + sentence * 6 for i in range(10)}
    out = tmp_path / "long.pdf"
    render_record(
        form,
        values,
        out,
        org_name=ORG,
        resident={"name": "王五", "id_number": ID_NUMBER, "archive_no": "A0001"},
        header={"alerts": [{"message": "测试提示"}]},
    )
    pages = pdf_text(out)
    assert len(pages) == 2
    assert "第 1 页 共 2 页" in pages[0] and "第 2 页 共 2 页" in pages[1]
    for page in pages:  # the identity row repeats at the top of the table on each page
        assert "姓名：王五" in page and MASKED in page and "档案号：A0001" in page
    assert "长文本测试记录表（续）" in pages[1]
    joined = "".join(pages).replace("\n", "")
    assert all(f"第{i}段" in joined for i in range(10))
    assert "测试提示" in pages[1]


def test_a_value_longer_than_a_page_is_split_into_rows(tmp_path):
    form = long_form(tmp_path)
    out = tmp_path / "huge.pdf"
    render_record(
        form, {"note0": "很长的记录。" * 3000}, out, org_name=ORG, resident=None, header=None
    )
    pages = pdf_text(out)
    assert len(pages) > 2
    assert "记录0（续）" in pages[1]


def test_missing_folder_raises_oserror_and_leaves_nothing(ws, tmp_path):
    missing = tmp_path / "不存在"
    with pytest.raises(OSError):
        render_followup(ws, missing / "r.pdf")
    assert not missing.exists()
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".pdf", ".part")]


def test_failed_write_keeps_the_old_file_and_no_temporary(ws, tmp_path, monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr("ygt_desktop.reports.atomic.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        render_followup(ws, out)
    assert out.read_bytes() == b"old"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(
    ("raw", "messages"),
    [
        (None, []),
        ("", []),
        ('[{"id": "urgent", "message": "请紧急转诊"}]', ["请紧急转诊"]),
        ([{"message": "甲"}, {"message": ""}, "乙"], ["甲", "乙"]),
        ("不是 JSON 的提示", ["不是 JSON 的提示"]),
        ('{"message": "单条"}', ["单条"]),
        ("42", ["42"]),
    ],
)
def test_alert_messages(raw, messages):
    assert alert_messages(raw) == messages


def test_every_form_prints_empty(ws, tmp_path):
    for form in ws.forms:
        out = tmp_path / f"{form.id}.pdf"
        assert render_record(form, {}, out, org_name=ORG, resident=None, header=None) == []
        assert form.title in pdf_text(out)[0].replace("\n", "")
