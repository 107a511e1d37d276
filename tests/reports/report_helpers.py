"""Helpers for the writer tests: hand-built quarterly reports (the shipped template,
every indicator with a plausible value, shortfalls, a missing base figure, a zero
denominator and a count with a fraction — a sum of prices), and a second workbook
reader that parses the sheet XML itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from ygt_desktop.core.report_model import IndicatorValue, Period, Report, load_template
from ygt_desktop.paths import resources_dir

TEMPLATE = load_template(resources_dir() / "templates" / "quarterly_report.toml")

# code: (numerator, denominator) for rates, (numerator, missing base figure), or a count
VALUES: dict[str, tuple[int, int] | tuple[int, str] | float] = {
    "ehr.coverage": (4321, 5000),
    "ehr.use": (2890, 4321),
    "edu.print_kinds": 12,
    "edu.print_copies": 3400,
    "edu.av_kinds": 6,
    "edu.av_times": 48,
    "edu.board": 9,
    "edu.lecture_times": 7,
    "edu.lecture_people": 312,
    "edu.consult_times": 5,
    "edu.consult_people": 640,
    "child.newborn": (38, 41),
    "child.managed": (412, "缺少基础数据：0～6岁儿童数"),
    "mat.early": (30, 41),
    "mat.postpartum": (36, 41),
    "eld.managed": (402, 618),
    "htn.mgmt": (700, 1012),
    "htn.standard": (412, 700),
    "htn.control": (2, 3),
    "dm.mgmt": (260, 389),
    "dm.standard": (170, 260),
    "dm.control": (150, 260),
    "smi.standard": (21, 25),
    "tb.managed": (3, 3),
    "tb.regular": (0, 0),
    "tcm.elderly": (380, 618),
    "tcm.child": (120, 170),
    "inf.report": (14, 14),
    "inf.timely": (13, 14),
    "sup.report": (4, 4),
    "sup.inspect": 11,
    "fd.rate": (1420, 5000),
    "fd.key": (880, 1300),
    "fd.renew": (300, 360),
    "ref.up": 12,
    "ref.down": 4,
    "ref.followup": (9, 10),
    "eq.in_use": 37,
    "eq.in_use_value": 1234567.5,
}


def values_for(scale: float = 1.0) -> dict[str, IndicatorValue]:
    out = {}
    for code, v in VALUES.items():
        if isinstance(v, tuple) and isinstance(v[1], str):
            out[code] = IndicatorValue.of_rate(code, round(v[0] * scale), None, missing=v[1])
        elif isinstance(v, tuple):  # a rate never above 100 %: the importer refuses that
            out[code] = IndicatorValue.of_rate(code, min(round(v[0] * scale), v[1]), v[1])
        else:
            out[code] = IndicatorValue.of_count(code, v)
    return out


def sample_report(**changes) -> Report:
    report = Report(
        org_code="530102001",
        org_name="五华区龙泉路社区卫生服务站",
        org_level="站",
        parent_code="530102",
        period=Period.parse("2026Q3"),
        template=TEMPLATE,
        values=values_for(),
        revision=1,
        generated_at="2026-10-08T09:30:00+08:00",
        app_version="0.1.0",
    )
    return replace(report, **changes)


def history() -> list[Report]:
    """Q1 and Q2 of the same year, rates lower than in Q3 (year to date)."""
    return [
        sample_report(period=Period.parse(f"2026Q{q}"), values=values_for(0.3 * q + 0.1))
        for q in (1, 2)
    ]


# ---- a second workbook reader: the sheet XML itself -------------------------------------

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class RawCell:
    kind: str  # "text", "number", "formula", "bool", "error"
    value: str | int | float | bool


def raw_sheets(path: Path) -> dict[str, tuple[str, dict[tuple[int, int], RawCell]]]:
    """Every sheet as (state, {(row, column): cell}) read straight from the XML, not
    through openpyxl: what Excel, WPS or calamine would see."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", _NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
        rels = {
            r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        }
        book = ET.fromstring(z.read("xl/workbook.xml"))
        out = {}
        for sheet in book.find("m:sheets", _NS):
            target = rels[sheet.get(_REL)].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            cells = {}
            for c in ET.fromstring(z.read(target)).iter(f"{{{_NS['m']}}}c"):
                cells[_coordinate(c.get("r"))] = _raw_cell(c, shared)
            out[sheet.get("name")] = (sheet.get("state") or "visible", cells)
        return out


def _coordinate(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]), col


def _raw_cell(c: ET.Element, shared: list[str]) -> RawCell | None:
    if c.find("m:f", _NS) is not None:
        return RawCell("formula", c.find("m:f", _NS).text or "")
    t = c.get("t", "n")
    v = c.find("m:v", _NS)
    if t == "inlineStr":
        return RawCell("text", "".join(x.text or "" for x in c.iter(f"{{{_NS['m']}}}t")))
    if v is None:
        return None
    if t == "s":
        return RawCell("text", shared[int(v.text)])
    if t == "str":
        return RawCell("text", v.text or "")
    if t == "b":
        return RawCell("bool", v.text == "1")
    if t == "e":
        return RawCell("error", v.text or "")
    number = float(v.text)
    return RawCell("number", int(number) if number.is_integer() and "." not in v.text else number)


def raw_values(cells: dict[tuple[int, int], RawCell | None], columns: int) -> list[list]:
    """The cells as rows of values from row 1 (None where empty)."""
    last = max((r for r, _ in cells), default=0)
    return [
        [getattr(cells.get((r, c)), "value", None) for c in range(1, columns + 1)]
        for r in range(1, last + 1)
    ]
