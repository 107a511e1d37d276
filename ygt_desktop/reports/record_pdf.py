"""Print one record in the layout of its paper form (A4 portrait), for the paper archive.

The page carries the form's title, a line naming the resident (repeated at the top of
every page the table flows onto), the form's fields as a bordered table grouped like
the paper form with two label/value pairs per row, the clinical alerts in a box, and a
footer on every page: organisation, 第 x 页 共 y 页, printed date and a line for the
doctor's signature. Text goes through :class:`~.pdf_fonts.TextFonts`, so a character
the fonts lack is printed as a visible marker and reported, never dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..core.context import complete, resident_context
from ..core.forms import Choice, FieldDef, FormDef
from ..core.masking import mask_id, mask_phone
from ..core.resident import HEADERS, sex_labels
from .atomic import write_atomic  # the other printers import it from here too
from .pdf_fonts import FONT_NAME, Run, TextFonts, draw_runs, missing_chars, runs_width

MARGIN = 15 * mm
FOOTER_HEIGHT = 12 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 30 * mm
VALUE_WIDTH = (BODY_WIDTH - 2 * LABEL_WIDTH) / 2
PADDING = 3
SIZE = 9.0
TITLE_SIZE = 16.0
LABEL_SHADE = colors.Color(0.94, 0.94, 0.94)
GROUP_SHADE = colors.Color(0.84, 0.84, 0.84)
_WIDE_TYPES = {"longtext", "multichoice", "rows"}
CHUNK_LINES = 15  # lines of one long value per table row (a row must fit on a page)

Row = list[Any]
# Cells holding plain strings (the empty ones) would otherwise pull in Helvetica.
_TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT_NAME)


def render_record(
    form: FormDef,
    values: Mapping[str, Any],
    out: Path,
    *,
    org_name: str,
    resident: Mapping[str, Any] | None,
    header: Mapping[str, Any] | None,
    id_masked: bool = True,
    phones_masked: bool = True,
    printed_on: dt.date | None = None,
    signature_label: str = "随访医生签名",
    choice_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Write ``form``'s record ``values`` as a PDF to ``out``; return warnings for the user.

    ``resident`` is the resident's row (name, sex code, birth_date, id_number,
    archive_no); without it those are taken from ``values`` (the resident form itself).
    ``header`` is the service record's header row; its ``alerts`` (JSON text or a list
    of dicts with ``message``) are printed under the table. ``choice_labels`` gives the
    labels of choices that come from the database (villages), by field id. ID numbers
    and phone numbers (fields of type ``phone``) are masked unless ``id_masked`` or
    ``phones_masked`` is False (a right the caller checks).

    The file appears complete or not at all: the PDF is written to a temporary file in
    ``out``'s folder and renamed over ``out``. Raises OSError (a missing folder, a full
    disk, a file open in a viewer on Windows) with nothing left behind. The warnings
    name each character no font could print (it is printed as □ instead).
    """
    fonts = TextFonts()
    person = resident if resident is not None else values
    job = _Job(form, values, fonts, id_masked, choice_labels or {}, phones_masked)
    job.scope = {**complete(_context(form, values, person)), **values}
    alerts = alert_messages(header.get("alerts") if header else None)
    decor = _PageDecor(
        title=fonts.runs(form.title),
        org=fonts.runs(org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs(f"{signature_label}：________________"),
    )

    def story() -> list[Flowable]:
        return _story(job, identity_text(person, id_masked), alerts)

    _pdf_bytes(story, decor, form.title, org_name)  # first pass counts the pages
    decor.total = decor.pages
    data = _pdf_bytes(story, decor, form.title, org_name)
    write_atomic(data, out)
    return list(fonts.warnings)


# ---- text -------------------------------------------------------------------------------


def alert_messages(raw: Any) -> list[str]:
    """The messages of a header's ``alerts``: JSON text, a list of dicts or of strings."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return [raw]
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    messages = [str(i.get("message") or "") if isinstance(i, Mapping) else str(i) for i in items]
    return [m for m in messages if m.strip()]


def _context(form: FormDef, values: Mapping[str, Any], person: Mapping[str, Any]) -> dict[str, Any]:
    """The resident's age and sex on the service date, for the fields' relevance."""
    if not form.per_resident or form.kind == "register":
        return {}
    birth = person.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = dt.date.fromisoformat(birth)
        except ValueError:
            birth = None
    on = values.get(form.date_field) if form.date_field else None
    if not isinstance(birth, dt.date) or not isinstance(on, dt.date):
        return {"sex": person.get("sex")}
    return resident_context(birth, person.get("sex"), on)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def identity_text(person: Mapping[str, Any], id_masked: bool = True) -> str | None:
    """``姓名：… 性别：… 出生日期：… 身份证号：… 档案号：…``; None if none of them is known."""
    id_number = _text(person.get("id_number"))
    sex = _text(person.get("sex"))
    values = {
        "name": _text(person.get("name")),
        "sex": sex_labels().get(sex, sex),
        "birth_date": _text(person.get("birth_date")),
        "id_number": mask_id(id_number) if id_masked else id_number,
        "archive_no": _text(person.get("archive_no")),
    }
    parts = {HEADERS[k]: v for k, v in values.items()}
    if not any(parts.values()):
        return None
    return ("\u00a0" * 6).join(f"{k}：{v}" for k, v in parts.items())


def _with_unit(text: str, unit: str | None) -> str:
    if not text or not unit:
        return text
    return f"{text} {unit}" if unit[0].isascii() and unit[0].isalpha() else f"{text}{unit}"


@cache
def _boxes() -> tuple[str, str]:
    """Checked and unchecked boxes the bundled font can draw."""
    return ("☑", "☐") if not missing_chars("☑☐") else ("[√]", "[\u00a0\u00a0]")


# ---- layout -----------------------------------------------------------------------------


def _style(name: str, size: float = SIZE, **kw: Any) -> ParagraphStyle:
    # Lines are broken by TextFonts.markup, not by reportlab (see there).
    return ParagraphStyle(
        name, fontName=FONT_NAME, fontSize=size, leading=size * 1.35, alignment=TA_LEFT, **kw
    )


BODY = _style("ygt-body")
LABEL = _style("ygt-label")
GROUP = _style("ygt-group", SIZE + 0.5)
IDENTITY = _style("ygt-identity", SIZE + 0.5)


@dataclass
class _Job:
    form: FormDef
    values: Mapping[str, Any]
    fonts: TextFonts
    id_masked: bool
    choice_labels: Mapping[str, Mapping[str, str]]
    phones_masked: bool = True
    scope: Mapping[str, Any] = field(default_factory=dict)  # values over the context

    def printed(self, f: FieldDef) -> bool:
        """Whether ``f`` is printed: it has a value, or it is relevant to this record (a
        man's 妇科, an under-65's self-assessments, the legacy 用药情况 text of a record
        that has none do not print as empty rows)."""
        value = self.values.get(f.id)
        if value not in (None, "", [], ()) or f.relevant is None:
            return True
        return bool(f.relevant.evaluate(self.scope or self.values))

    def para(self, text: str, width: float, style: ParagraphStyle = BODY) -> Paragraph:
        """``text`` broken into lines that fit ``width`` points (the cell's inner width)."""
        return Paragraph(self.fonts.markup(text, width, style.fontSize), style)

    def shown(self, f: FieldDef) -> str:
        """The value as printed (units added, ID masked), without multichoice boxes."""
        value = self.values.get(f.id)
        if value is None or value == "" or value == []:
            return ""
        if f.type == "idnumber" and self.id_masked:
            return mask_id(str(value))
        if f.type == "phone" and self.phones_masked:
            return mask_phone(str(value))
        labels = self.choice_labels.get(f.id)
        if labels and f.type == "choice":
            return labels.get(str(value), str(value))
        if labels and f.type == "multichoice":
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return _with_unit(f.field_type.display(value, f), f.unit)

    def cell(self, f: FieldDef, width: float) -> Flowable | str:
        if f.type == "multichoice" and f.choices:
            return self.checkboxes(f, width)
        if f.is_rows:
            return self.lines(f, width) if self.values.get(f.id) else ""
        text = self.shown(f)
        return self.para(text, width) if text else ""

    def chunks(self, f: FieldDef, width: float) -> list[Flowable | str]:
        """The value in pieces of at most :data:`CHUNK_LINES` lines: a table row cannot
        break across pages (reportlab's splitInRow garbles spanned rows), so a very long
        text becomes several rows."""
        text = self.shown(f)
        if f.type == "multichoice" and f.choices or f.is_rows or not text:
            return [self.cell(f, width)]
        lines = self.fonts.markup_lines(text, width, BODY.fontSize)
        return [
            Paragraph("<br/>".join(lines[i : i + CHUNK_LINES]), BODY)
            for i in range(0, len(lines), CHUNK_LINES)
        ]

    def lines(self, f: FieldDef, width: float) -> Table:
        """A repeating group as a small table: a numbered line per row, a column per
        column (its unit in the heading), widths shared by the columns' text."""
        columns = f.columns
        heads = [f"{c.label}（{c.unit}）" if c.unit else c.label for c in columns]
        rows: list[list[str]] = []
        for row in self.values.get(f.id) or []:
            rows.append([c.field_type.display(row.get(c.id), c) for c in columns])
        number_w = pdfmetrics.stringWidth("99", FONT_NAME, SIZE) + 2 * PADDING
        room = width - number_w
        need = [
            max(pdfmetrics.stringWidth(t, FONT_NAME, SIZE) for t in [h, *(r[i] for r in rows)])
            + 2 * PADDING
            for i, h in enumerate(heads)
        ]
        total = sum(need) or 1.0
        widths = [room * n / total for n in need]
        body: list[list[Paragraph | str]] = [
            ["", *(self.para(h, w - 2 * PADDING) for h, w in zip(heads, widths, strict=True))]
        ]
        body += [
            [str(n), *(self.para(t, w - 2 * PADDING) for t, w in zip(r, widths, strict=True))]
            for n, r in enumerate(rows, start=1)
        ]
        table = Table(body, colWidths=[number_w, *widths])
        table.setStyle(
            TableStyle(
                [
                    _TABLE_FONT,
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
                    ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    def checkboxes(self, f: FieldDef, width: float) -> Table:
        """Every option with a ticked or empty box, in as many columns as fit."""
        chosen = [str(v) for v in self.values.get(f.id) or []]
        options = [*f.choices, *(Choice(c, c) for c in chosen if c not in f.choice_labels)]
        on, off = _boxes()
        texts = [f"{on if o.code in chosen else off}\u00a0{o.label}" for o in options]
        widest = max(pdfmetrics.stringWidth(t, FONT_NAME, SIZE) for t in texts) + 2 * PADDING
        columns = max(1, min(len(texts), int(width // widest)))
        cells: list[Paragraph | str] = [self.para(t, width / columns - PADDING) for t in texts]
        cells += [""] * (-len(cells) % columns)
        rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
        table = Table(rows, colWidths=[width / columns] * columns)
        table.setStyle(
            TableStyle(
                [
                    _TABLE_FONT,
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    def is_wide(self, f: FieldDef) -> bool:
        """Whether the field takes a whole row (more than two lines in a half row)."""
        if f.type in _WIDE_TYPES:
            return True
        text = self.shown(f)
        return bool(text) and len(self.fonts.markup_lines(text, VALUE_WIDTH - 2 * PADDING)) > 2


def _groups(fields: Sequence[FieldDef]) -> list[tuple[str | None, list[FieldDef]]]:
    """Consecutive runs of fields by group, in form order; ungrouped fields after a group
    go under 其他 so they do not read as part of the group above."""
    runs: list[tuple[str | None, list[FieldDef]]] = []
    for f in fields:
        name = f.group or ("其他" if runs and runs[-1][0] else None)
        if runs and runs[-1][0] == name:
            runs[-1][1].append(f)
        else:
            runs.append((name, [f]))
    return runs


@dataclass
class _TableRows:
    rows: list[Row] = field(default_factory=list)
    commands: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, row: Row, *commands: tuple[Any, ...]) -> None:
        r = len(self.rows)
        self.rows.append(row)
        for name, start, end, *rest in commands:
            self.commands.append((name, (start[0], r), (end[0], r), *rest))


_SHADE_LEFT = ("BACKGROUND", (0,), (0,), LABEL_SHADE)
_SHADE_RIGHT = ("BACKGROUND", (2,), (2,), LABEL_SHADE)


def _field_rows(job: _Job, rows: _TableRows) -> None:
    wide_width = BODY_WIDTH - LABEL_WIDTH - 2 * PADDING
    label_width = LABEL_WIDTH - 2 * PADDING
    for group, fields in _groups([f for f in job.form.fields if job.printed(f)]):
        if group:
            # NOSPLIT keeps a group's heading on the page of its first row.
            rows.commands.append(("NOSPLIT", (0, len(rows.rows)), (-1, len(rows.rows) + 1)))
            rows.add(
                [job.para(group, BODY_WIDTH - 2 * PADDING, GROUP), "", "", ""],
                ("SPAN", (0,), (3,)),
                ("BACKGROUND", (0,), (3,), GROUP_SHADE),
            )
        pending: Row = []
        for f in fields:
            if job.is_wide(f):
                if pending:
                    rows.add([*pending, "", ""], _SHADE_LEFT)
                    pending = []
                for i, chunk in enumerate(job.chunks(f, wide_width)):
                    label = f.label if i == 0 else f"{f.label}（续）"
                    rows.add(
                        [job.para(label, label_width, LABEL), chunk, "", ""],
                        ("SPAN", (1,), (3,)),
                        _SHADE_LEFT,
                    )
                continue
            pending += [
                job.para(f.label, label_width, LABEL),
                job.cell(f, VALUE_WIDTH - 2 * PADDING),
            ]
            if len(pending) == 4:
                rows.add(pending, _SHADE_LEFT, _SHADE_RIGHT)
                pending = []
        if pending:
            rows.add([*pending, "", ""], _SHADE_LEFT)


def _record_table(job: _Job, identity: str | None) -> Table:
    rows = _TableRows()
    if identity:
        rows.add(
            [job.para(identity, BODY_WIDTH - PADDING, IDENTITY), "", "", ""], ("SPAN", (0,), (3,))
        )
    first = len(rows.rows)
    _field_rows(job, rows)
    style: list[tuple[Any, ...]] = [
        _TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *rows.commands,
        ("GRID", (0, first), (-1, -1), 0.5, colors.black),
        ("BOX", (0, first), (-1, -1), 1, colors.black),
    ]
    if identity:
        style.append(("LEFTPADDING", (0, 0), (-1, 0), 0))
    table = Table(rows.rows, colWidths=[LABEL_WIDTH, VALUE_WIDTH] * 2, repeatRows=first)
    table.setStyle(TableStyle(style))
    return table


def _alerts_box(job: _Job, messages: list[str]) -> Table:
    width = BODY_WIDTH - 3 * PADDING
    rows = [[job.para("提示", width, GROUP)], *([job.para(f"• {m}", width)] for m in messages)]
    table = Table(rows, colWidths=[BODY_WIDTH])
    table.setStyle(
        TableStyle(
            [
                _TABLE_FONT,
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("BACKGROUND", (0, 0), (0, 0), GROUP_SHADE),
                ("LINEBELOW", (0, 0), (0, 0), 0.5, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 2 * PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


class _Title(Flowable):
    """The form's title, centred, larger and stroked (the font has no bold face)."""

    def __init__(self, runs: list[Run], size: float = TITLE_SIZE) -> None:
        super().__init__()
        self.runs = runs
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        natural = runs_width(self.runs, self.size)
        if natural > avail_width:
            self.size *= avail_width / natural
        return avail_width, self.size * 1.9

    def draw(self) -> None:
        x = (self.width - runs_width(self.runs, self.size)) / 2
        draw_runs(self.canv, x, self.size * 0.75, self.runs, self.size, bold=True)


def _story(job: _Job, identity: str | None, alerts: list[str]) -> list[Flowable]:
    story: list[Flowable] = [_Title(job.fonts.runs(job.form.title)), _record_table(job, identity)]
    if alerts:
        story += [Spacer(1, 4 * mm), _alerts_box(job, alerts)]
    return story


# ---- pages and file ---------------------------------------------------------------------


@dataclass
class _PageDecor:
    """Draws the footer on every page and a running title from page 2 on."""

    title: list[Run]
    org: list[Run]
    printed: list[Run]
    signature: list[Run]
    total: int = 0
    pages: int = 0
    page_size: tuple[float, float] = A4

    def __call__(self, canvas: Any, doc: Any) -> None:
        page_width, page_height = self.page_size
        page = int(canvas.getPageNumber())
        self.pages = max(self.pages, page)
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN + 10.5 * mm, page_width - MARGIN, MARGIN + 10.5 * mm)
        right = page_width - MARGIN
        draw_runs(
            canvas, right - runs_width(self.signature, SIZE), MARGIN + 5 * mm, self.signature, SIZE
        )
        draw_runs(canvas, MARGIN, MARGIN, self.org, SIZE - 1)
        number = [Run(f"第 {page} 页 共 {self.total or '?'} 页", FONT_NAME)]
        draw_runs(canvas, (page_width - runs_width(number, SIZE - 1)) / 2, MARGIN, number, SIZE - 1)
        draw_runs(
            canvas, right - runs_width(self.printed, SIZE - 1), MARGIN, self.printed, SIZE - 1
        )
        if page > 1:
            running = [*self.title, Run("（续）", FONT_NAME)]
            canvas.setFillColor(colors.dimgrey)
            draw_runs(canvas, MARGIN, page_height - MARGIN + 3 * mm, running, SIZE - 1)
        canvas.restoreState()


def _pdf_bytes(
    story: Callable[[], list[Flowable]], decor: _PageDecor, title: str, author: str
) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=decor.page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=title,
        author=author,
        creator="ygt_desktop",
        initialFontName=FONT_NAME,
        lang="zh-CN",
    )
    doc.build(story(), onFirstPage=decor, onLaterPages=decor)
    return buffer.getvalue()
