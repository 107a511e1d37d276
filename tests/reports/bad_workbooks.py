"""Building hostile and broken upward workbooks for the reader's tests: a good
workbook's members to edit, a zip writer that writes whatever sizes it is told (the
zip bomb that lies), a minimal OLE compound file (old .xls, password-protected
workbook), cell edits in the sheet XML, and an Excel-like re-save (shared strings,
17-digit numbers, whole numbers as 60.0). Test-side code: it trusts its input."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.reports.report_helpers import sample_report
from ygt_desktop.core.report_model import Report
from ygt_desktop.reports.workbook import workbook_bytes

FILLED = dt.date(2026, 10, 8)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def good_bytes(report: Report | None = None) -> bytes:
    return workbook_bytes(report or sample_report(), filled_on=FILLED)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def pack(parts: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return path


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The zip member holding worksheet ``sheet``."""
    book = ET.fromstring(parts["xl/workbook.xml"])
    rels = {
        r.get("Id"): r.get("Target") for r in ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    }
    for s in book.iter(f"{{{NS}}}sheet"):
        if s.get("name") == sheet:
            return rels[s.get(_REL_NS)].lstrip("/")
    raise KeyError(sheet)


def edit_sheet(parts: dict[str, bytes], sheet: str, fn: Callable[[str], str]) -> None:
    name = sheet_part(parts, sheet)
    parts[name] = fn(parts[name].decode("utf-8")).encode("utf-8")


def _cell_pattern(ref: str) -> re.Pattern[str]:
    return re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)


def set_cell(xml: str, ref: str, cell: str) -> str:
    """Replace cell ``ref`` (which must exist) by the XML ``cell`` (its body only:
    ``t="n"><v>1</v>`` style is spelled out by the helpers below)."""
    new, n = _cell_pattern(ref).subn(cell.replace("{ref}", ref), xml, count=1)
    assert n == 1, ref
    return new


def text_cell(text: str) -> str:
    return f'<c r="{{ref}}" t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(number: object) -> str:
    return f'<c r="{{ref}}" t="n"><v>{number}</v></c>'


def add_row(xml: str, row_xml: str) -> str:
    return xml.replace("</sheetData>", row_xml + "</sheetData>", 1)


def data_row_xml(r: int, fields: tuple) -> str:
    cells = []
    for c, value in enumerate(fields):
        ref = f"{'ABCDEFG'[c]}{r}"
        if value is None:
            continue
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def rename_sheet(parts: dict[str, bytes], old: str, new: str) -> None:
    book = parts["xl/workbook.xml"].decode("utf-8")
    parts["xl/workbook.xml"] = book.replace(f'name="{old}"', f'name="{new}"').encode("utf-8")


def drop_sheet(parts: dict[str, bytes], sheet: str) -> None:
    """Delete the sheet from the workbook (its part, relation and entry)."""
    part = sheet_part(parts, sheet)
    del parts[part]
    book = parts["xl/workbook.xml"].decode("utf-8")
    book = re.sub(rf'<sheet name="{sheet}"[^>]*/>', "", book)
    book = re.sub(r"<definedNames>.*</definedNames>", "", book)
    parts["xl/workbook.xml"] = book.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rels = re.sub(rf'<Relationship [^>]*Target="/{part}"[^>]*/>', "", rels)
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")


# ---- a zip writer that believes whatever it is told -------------------------------------


def deflate(body: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush()


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros, about 1 KB per MiB, made without
    ever holding the zeros: after a full flush zlib starts afresh, so one MiB's block
    repeats byte for byte."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * mib + c.flush()


def raw_zip(entries: list[tuple[str, bytes, int, int]], path: Path) -> Path:
    """A zip of ``(name, deflated data, declared size, crc)`` written as told."""
    out = bytearray()
    directory = bytearray()
    for name, raw, size, crc in entries:
        encoded = name.encode("utf-8")
        offset = len(out)
        out += (
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
            )
            + encoded
            + raw
        )
        directory += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), 0
    )
    path.write_bytes(bytes(out + directory + end))
    return path


def honest(parts: dict[str, bytes]) -> list[tuple[str, bytes, int, int]]:
    return [(n, deflate(b), len(b), zlib.crc32(b)) for n, b in parts.items()]


# ---- OLE compound files (old .xls, encrypted workbooks) ---------------------------------


def compound_file(streams: list[str], path: Path) -> Path:
    """A minimal valid compound file (one FAT sector, one directory sector) with empty
    streams named ``streams`` — what an old .xls ("Workbook") or a password-protected
    .xlsx ("EncryptionInfo", "EncryptedPackage") looks like to a reader."""
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = struct.pack(
        "<8s16s6H6s9L",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        0,
        bytes(6),
        0,
        1,
        1,
        0,
        4096,
        end,
        0,
        end,
        0,
    )
    header += struct.pack("<109L", 0, *[free] * 108)
    fat = struct.pack("<128L", fat_sector, end, *[free] * 126)

    def entry(name: str, kind: int, child: int, right: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return struct.pack(
            "<64sHBB3L16sL2QLQ",
            encoded,
            len(encoded),
            kind,
            1,
            no_stream,
            right,
            child,
            bytes(16),
            0,
            0,
            0,
            end if kind == 2 else end,
            0,
        )

    names = ["Root Entry", *streams]
    directory = b"".join(
        entry(
            n,
            5 if i == 0 else 2,
            1 if i == 0 else no_stream,
            i + 1 if 0 < i < len(names) - 1 else no_stream,
        )
        for i, n in enumerate(names)
    )
    directory += bytes(512 - len(directory) % 512) if len(directory) % 512 else b""
    path.write_bytes(header + fat + directory)
    return path


# ---- as Excel would save it -------------------------------------------------------------

_INLINE = re.compile(
    r'<c r="(?P<ref>[A-Z]+\d+)"(?P<style> s="\d+")? t="inlineStr">'
    r"<is><t>(?P<text>.*?)</t></is></c>",
    re.S,
)
_NUMBER = re.compile(r'<c r="(?P<ref>[A-Z]+\d+)"(?P<style> s="\d+")? t="n"><v>(?P<v>[^<]+)</v></c>')


def excel_like(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The workbook as Excel writes it: texts moved to a shared-string table (one with
    a phonetic run, one rich text), whole numbers written as ``60.0`` and others with
    17 significant digits (``86.400000000000006``)."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(m: re.Match[str]) -> str:
        text = m.group("text")
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{m.group("ref")}"{m.group("style") or ""} t="s"><v>{index[text]}</v></c>'

    def number(m: re.Match[str]) -> str:
        value = float(m.group("v"))
        shown = f"{value:.1f}" if value.is_integer() else f"{value:.17g}"
        return f'<c r="{m.group("ref")}"{m.group("style") or ""}><v>{shown}</v></c>'

    out = dict(parts)
    for name in [n for n in parts if n.startswith("xl/worksheets/")]:
        xml = _INLINE.sub(shared, parts[name].decode("utf-8"))
        out[name] = _NUMBER.sub(number, xml).encode("utf-8")
    items = []
    for n, text in enumerate(strings):
        if n == 0:  # a phonetic guide, which is not part of the text
            items.append(f'<si><t>{text}</t><rPh sb="0" eb="1"><t>PINYIN</t></rPh></si>')
        elif n == 1 and len(text) > 1:  # rich text in two runs
            items.append(
                f"<si><r><t>{text[:1]}</t></r><r><rPr><b/></rPr><t>{text[1:]}</t></r></si>"
            )
        else:
            items.append(f'<si><t xml:space="preserve">{text}</t></si>')
    out["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{"".join(items)}</sst>'
    ).encode()
    types = (
        out["[Content_Types].xml"]
        .decode("utf-8")
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    out["[Content_Types].xml"] = types.encode("utf-8")
    rels = (
        out["xl/_rels/workbook.xml.rels"]
        .decode("utf-8")
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
    )
    out["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    return out
