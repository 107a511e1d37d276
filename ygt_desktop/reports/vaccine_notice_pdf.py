"""接种通知单: for one village, the children with a vaccine dose to give in a period —
which doses, from when, 补种 marked — on A4, for the village doctor to notify the
families (spec forms-national.md §6; the data: :func:`ygt_desktop.storage.vaccines.notice`).

Title, a line with organisation, village, period and counts, then one table row per
child (序号, 姓名, 性别, 出生日期, 联系电话 masked unless asked, the doses one a line with
their dates, an empty 家长签收 column), the header repeated on every page, a line for the
families at the end; the footer of :mod:`.record_pdf`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..core.masking import MASKED, Shown, mask_phone
from ..core.resident import sex_label
from ..storage.vaccines import NoticeChild
from .atomic import write_atomic
from .pdf_fonts import FONT_NAME, TextFonts
from .pdf_table import table_style
from .record_pdf import MARGIN, _PageDecor, _pdf_bytes, _Title

TITLE = "预防接种通知单"
SIZE = 9.5
BODY_WIDTH = A4[0] - 2 * MARGIN
HEADER = ("序号", "儿童姓名", "性别", "出生日期", "联系电话", "应种疫苗（可接种日期）", "家长签收")
WIDTHS_MM = (10, 20, 10, 21, 25, 0, 20)  # 0: the rest of the page
CELL = ParagraphStyle("ygt-notice-cell", fontName=FONT_NAME, fontSize=SIZE, leading=SIZE * 1.35)
INFO = ParagraphStyle("ygt-notice-info", fontName=FONT_NAME, fontSize=SIZE + 0.5,
                      leading=(SIZE + 0.5) * 1.6)  # fmt: skip
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')  # not allowed in Windows file names


def file_name(village_name: str, start: dt.date, end: dt.date) -> str:
    """``接种通知单_小坝村委会_2026-11-20_2026-12-03.pdf``, safe on Windows."""
    village = _UNSAFE.sub("_", village_name).strip("_.")
    parts = ["接种通知单", village, start.isoformat(), end.isoformat()]
    return "_".join(p for p in parts if p) + ".pdf"


def dose_lines(child: NoticeChild, start: dt.date) -> list[str]:
    """The doses of ``child`` as the notice prints them, one a line."""
    lines = []
    for d in child.doses:
        if d.note:
            lines.append(f"{d.label}（{d.note}）")
        elif d.late:
            lines.append(f"{d.label}（补种，即可接种）")
        elif d.start <= start:
            lines.append(f"{d.label}（即可接种，{d.end.isoformat()}前完成）")
        else:
            lines.append(f"{d.label}（{d.start.isoformat()}起）")
    return lines


def render_notice(
    children: Sequence[NoticeChild],
    out: Path,
    *,
    org_name: str,
    village_name: str,
    start: dt.date,
    end: dt.date,
    printed_on: dt.date | None = None,
    shown: Shown = MASKED,
) -> list[str]:
    """Write the notice of ``children`` (in the order given) to ``out`` atomically;
    return warnings (characters no font could print). Raises OSError when the file
    cannot be written. Safe to call from a worker thread."""
    fonts = TextFonts()
    rest = BODY_WIDTH - sum(WIDTHS_MM) * mm
    widths = [w * mm if w else rest for w in WIDTHS_MM]

    def cell(text: str, column: int) -> Paragraph:
        return Paragraph(fonts.markup(text, widths[column] - 6, SIZE), CELL)

    doses = sum(len(c.doses) for c in children)
    late = sum(1 for c in children for d in c.doses if d.late)
    gap = "\u00a0" * 6  # a Paragraph would collapse ordinary and ideographic spaces
    info = [
        f"机构：{org_name}{gap}村（居）委会：{village_name}",
        f"接种时间：{start.isoformat()} 至 {end.isoformat()}{gap}"
        f"合计：{len(children)} 名儿童，{doses} 剂次（其中补种 {late} 剂次）",
    ]
    rows: list[list[Flowable | str]] = [[cell(h, i) for i, h in enumerate(HEADER)]]
    for n, child in enumerate(children, start=1):
        phone = child.phone if shown.phones else mask_phone(child.phone)
        texts = (
            str(n),
            child.name,
            sex_label(child.sex),
            child.birth.isoformat(),
            phone or "",
            "<br/>".join(fonts.markup(t, widths[5] - 6, SIZE) for t in dose_lines(child, start)),
        )
        row: list[Flowable | str] = [
            Paragraph(t, CELL) if i == 5 else cell(t, i) for i, t in enumerate(texts)
        ]
        rows.append([*row, ""])
    style = table_style(padding=3)
    if len(rows) == 1:
        # the row spans the table: broken at its width, not the first column's
        empty = Paragraph(fonts.markup("本期无应种儿童", BODY_WIDTH - 6, SIZE), CELL)
        rows.append([empty, *[""] * (len(HEADER) - 1)])
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    closing = (
        "请家长携带儿童预防接种证，按上述时间到接种单位接种；"
        "接种后在接种单位留观30分钟。标“补种”的剂次已超过推荐完成年龄，请尽快补种。"
    )
    head: list[Flowable] = [
        _Title(fonts.runs(TITLE)),
        *(Paragraph(fonts.markup(line, BODY_WIDTH, INFO.fontSize), INFO) for line in info),
        Spacer(1, 2 * mm),
    ]
    tail = [Spacer(1, 3 * mm), Paragraph(fonts.markup(closing), INFO)]
    decor = _PageDecor(
        title=fonts.runs(TITLE),
        org=fonts.runs(org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs("通知人签名：________________"),
        page_size=A4,
    )

    def story() -> list[Flowable]:
        return [*head, table, *tail]

    data = _pdf_bytes(story, decor, TITLE, org_name)
    decor.total, decor.pages = decor.pages, 0  # the page count known: lay out again
    data = _pdf_bytes(story, decor, TITLE, org_name)
    write_atomic(data, out)
    return list(fonts.warnings)
