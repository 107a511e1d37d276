"""恢复码: a one-page PDF with an account's one-time recovery code, to print and keep
somewhere safe (the only way back in when the password is forgotten and nobody else can
reset it). Written whole or not at all; the app creates its files owner-readable only.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .atomic import save_export
from .pdf_fonts import FONT_NAME, register_fonts

TITLE = "账户恢复码"
BODY = ParagraphStyle("ygt-recovery-body", fontName=FONT_NAME, fontSize=11, leading=18)
HEAD = ParagraphStyle("ygt-recovery-title", fontName=FONT_NAME, fontSize=18, leading=28)
CODE = ParagraphStyle(
    "ygt-recovery-code", fontName="Courier-Bold", fontSize=22, leading=34, spaceBefore=6
)


def file_name(user: str) -> str:
    return f"恢复码_{user}.pdf"


def pdf_bytes(org: str, user: str, role: str, code: str, made: dt.datetime) -> bytes:
    """The page: who, when, the code in a large fixed-width face, and what to do."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=TITLE,
        author=org,
        creator="ygt_desktop",
        initialFontName=FONT_NAME,
        lang="zh-CN",
    )
    lines = [
        f"机构：{org}",
        f"用户：{user}（{role}）",
        f"生成时间：{made:%Y-%m-%d %H:%M}",
    ]
    notes = [
        "忘记密码时，在登录窗口点“忘记密码”，输入用户名和此恢复码即可设置新密码。",
        "恢复码只能使用一次；使用后程序会显示新的恢复码，请再次打印保存。",
        "请把本页放在上锁的抽屉等安全地方，不要与电脑放在一起，不要拍照或外传。",
    ]
    story = [Paragraph(TITLE, HEAD), Spacer(1, 4 * mm)]
    story += [Paragraph(line, BODY) for line in lines]
    story += [Spacer(1, 6 * mm), Paragraph(code, CODE), Spacer(1, 6 * mm)]
    story += [Paragraph(f"· {note}", BODY) for note in notes]
    doc.build(story)
    return buffer.getvalue()


def write(out: Path, org: str, user: str, role: str, code: str, made: dt.datetime) -> None:
    save_export(pdf_bytes(org, user, role, code, made), out, "恢复码")
