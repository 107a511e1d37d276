"""回执: a one-page PDF per member and period saying what the bureau received, so the
station can see offline that its submission arrived and is the one it sent.

It lists every accepted revision (file name, the first 16 hex digits of the file's
SHA-256, the data digest of ``_meta`` — the station compares it with its own export —,
generated and imported times, which one is current) with any warnings, then the
member's files refused for that period with the reason. A withdrawn (撤销) revision
is listed as 已撤销 with the time and the reason and is never the current one. File
names and reasons are shown with control characters escaped. A4 portrait, the footer
of :mod:`.record_pdf`, room for the bureau's seal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.printable import printable
from ..core.report_model import Period
from ..storage import submissions
from ..storage.roster import Member, bureau, member
from ..storage.submissions import REJECTED, LogEntry, Submission
from ..storage.workspace import Workspace
from .atomic import save_export
from .pdf_fonts import FONT_NAME, TextFonts
from .pdf_table import table_style
from .record_pdf import BODY_WIDTH, _PageDecor, _pdf_bytes, _Title

SIZE = 9.0
PADDING = 3.0
TITLE = "上报工作簿接收回执"
CELL = ParagraphStyle("ygt-receipt-cell", fontName=FONT_NAME, fontSize=SIZE, leading=SIZE * 1.35)
SMALL = ParagraphStyle(
    "ygt-receipt-small", fontName=FONT_NAME, fontSize=SIZE - 1.5, leading=(SIZE - 1.5) * 1.35
)
INFO = ParagraphStyle(
    "ygt-receipt-info", fontName=FONT_NAME, fontSize=SIZE + 1, leading=(SIZE + 1) * 1.6
)
HEADING = ParagraphStyle(
    "ygt-receipt-heading", fontName=FONT_NAME, fontSize=SIZE + 2, leading=(SIZE + 2) * 1.8
)
# 版本 文件名 SHA-256 数据摘要 生成时间 接收时间 状态 (180 mm)
WIDTHS_MM = (11, 38, 26, 40, 22, 22, 21)
REFUSED_WIDTHS_MM = (26, 50, 104)


def file_name(org_code: str, period: Period) -> str:
    return f"回执_{org_code}_{period}.pdf"


def members_with_files(ws: Workspace, period: Period) -> list[Member]:
    """Members that sent anything for ``period`` (accepted or refused), by code."""
    codes = {s.org_code for s in submissions.history(ws.store, str(period))}
    codes |= {
        e.org_code
        for e in submissions.log(ws.store, period=str(period))
        if e.org_code and e.outcome == REJECTED
    }
    found = [member(ws.store, c) for c in sorted(codes)]
    return [m for m in found if m is not None]


def write_receipts(
    ws: Workspace,
    period: Period,
    folder: Path,
    codes: Sequence[str] | None = None,
    *,
    today: dt.date | None = None,
) -> tuple[list[Path], list[str]]:
    """One receipt per member (``codes``, default every member that sent something) into
    ``folder``; the files written and the warnings. Raises ExportError like every export."""
    chosen = (
        members_with_files(ws, period)
        if codes is None
        else [m for c in codes if (m := member(ws.store, c)) is not None]
    )
    written: list[Path] = []
    warnings: list[str] = []
    for m in chosen:
        out = Path(folder) / file_name(m.code, period)
        data, notes = receipt_pdf_bytes(ws, m, period, today=today)
        save_export(data, out, "回执")
        written.append(out)
        warnings += [n for n in notes if n not in warnings]
    return written, warnings


def receipt_pdf_bytes(
    ws: Workspace, m: Member, period: Period, *, today: dt.date | None = None
) -> tuple[bytes, list[str]]:
    org = bureau(ws.store)
    accepted = submissions.history(ws.store, str(period), m.code)
    refused = [
        e
        for e in submissions.log(ws.store, period=str(period), org_code=m.code)
        if e.outcome == REJECTED
    ]
    fonts = TextFonts()
    day = (today or dt.date.today()).isoformat()
    decor = _PageDecor(
        title=fonts.runs(TITLE),
        org=fonts.runs(f"{org.name}（{org.code}）"),
        printed=fonts.runs(f"回执日期：{day}"),
        signature=fonts.runs(f"{m.name} {period}"),
    )

    def para(text: str, width: float, style: ParagraphStyle = CELL) -> Paragraph:
        return Paragraph(fonts.markup(text, width, style.fontSize), style)

    def story() -> list[Flowable]:
        gap = "\u00a0" * 4
        parts: list[Flowable] = [
            _Title(fonts.runs(TITLE)),
            para(f"接收单位：{org.name}（{org.code}）{gap}回执日期：{day}", BODY_WIDTH, INFO),
            para(
                f"报送单位：{m.name}（{m.code}）{gap}统计期：{period.label}（{period}）",
                BODY_WIDTH,
                INFO,
            ),
            para(_verdict(accepted), BODY_WIDTH, INFO),
            Spacer(1, 2 * mm),
        ]
        if accepted:
            parts += [para("已接收的工作簿", BODY_WIDTH, HEADING), _accepted_table(accepted, para)]
            gone = [s for s in accepted if s.withdrawn]
            if gone:
                parts.append(para("已撤销的版本（不计入汇总）", BODY_WIDTH, HEADING))
                parts += [
                    para(
                        f"第{s.revision}版：{_time(s.withdrawn_at)} 由 {s.withdrawn_by} 撤销，"
                        f"原因：{s.withdrawn_reason}",
                        BODY_WIDTH,
                    )
                    for s in gone
                ]
            warned = [(s.revision, w) for s in accepted if not s.withdrawn for w in s.warnings]
            if warned:
                parts.append(para("提示（不影响接收）", BODY_WIDTH, HEADING))
                parts += [para(f"第{rev}版：{w}", BODY_WIDTH) for rev, w in warned]
        if refused:
            parts += [para("未接收的文件", BODY_WIDTH, HEADING), _refused_table(refused, para)]
        parts += [
            Spacer(1, 4 * mm),
            para(
                "核对方法：请用本站导出的上报工作簿核对版本号和“数据摘要”（工作簿隐藏的 _meta 表中"
                "的 digest）。两者一致，表示本单位收到的数据与贵站导出时完全相同。",
                BODY_WIDTH,
            ),
            Spacer(1, 8 * mm),
            KeepTogether(
                [
                    para(
                        f"接收单位（盖章）：{org.name}{gap * 4}经办人：______________"
                        f"{gap * 2}日期：{day}",
                        BODY_WIDTH,
                        INFO,
                    )
                ]
            ),
        ]
        return parts

    _pdf_bytes(story, decor, TITLE, org.name)  # the first pass counts the pages
    decor.total, decor.pages = decor.pages, 0
    return _pdf_bytes(story, decor, TITLE, org.name), list(fonts.warnings)


def _verdict(accepted: Sequence[Submission]) -> str:
    standing = [s for s in accepted if not s.withdrawn]
    if not standing:
        if accepted:
            return "结论：贵单位本统计期已接收的工作簿均已撤销，目前没有有效工作簿，请重新报送。"
        return "结论：本统计期尚未接收到贵单位的有效工作簿。"
    cur = max(standing, key=lambda s: s.revision)
    return (
        f"结论：已接收。当前有效版本为第 {cur.revision} 版，"
        f"于 {_time(cur.imported_at)} 接收，数据摘要 {cur.digest[:16]}…"
    )


def _time(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


def _accepted_table(accepted: Sequence[Submission], para: Any) -> Table:
    widths = [w * mm for w in WIDTHS_MM]
    head = [
        "版本",
        "文件名",
        "文件 SHA-256（前16位）",
        "数据摘要（digest）",
        "生成时间",
        "接收时间",
        "状态",
    ]
    rows: list[list[Any]] = [[para(h, widths[i] - 2 * PADDING) for i, h in enumerate(head)]]
    standing = [s.revision for s in accepted if not s.withdrawn]
    newest = max(standing) if standing else None
    for s in sorted(accepted, key=lambda s: (s.revision, s.id)):
        state = (
            submissions.WITHDRAWN_LABEL
            if s.withdrawn
            else "当前有效"
            if s.revision == newest
            else f"已被第{newest}版替代"
        )
        texts = [
            f"第{s.revision}版",
            printable(s.file_name),
            s.sha256[:16],
            s.digest,
            _time(s.generated_at),
            _time(s.imported_at),
            state,
        ]
        rows.append(
            [
                para(t, widths[i] - 2 * PADDING, SMALL if i in (2, 3) else CELL)
                for i, t in enumerate(texts)
            ]
        )
    return _table(rows, widths)


def _refused_table(refused: Sequence[LogEntry], para: Any) -> Table:
    widths = [w * mm for w in REFUSED_WIDTHS_MM]
    rows: list[list[Any]] = [
        [para(h, widths[i] - 2 * PADDING) for i, h in enumerate(("时间", "文件名", "未接收的原因"))]
    ]
    for e in sorted(refused, key=lambda e: e.id):
        rows.append(
            [
                para(t, widths[i] - 2 * PADDING)
                for i, t in enumerate((_time(e.at), printable(e.file_name), printable(e.reason)))
            ]
        )
    return _table(rows, widths)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(table_style(padding=PADDING)))
    return table
