"""Reading a member's upward workbook (spec exchange.md) at the bureau, which never
trusts a file: :func:`read_upward_workbook` returns the ``_data`` rows and ``_meta``
only when the file is a safe, well-formed upward workbook whose digest matches, and
otherwise raises :class:`WorkbookRejected` with a Chinese reason and a stable code.

Order of the checks (the first failure is the reason given):

1. the file and its zip container, before any parsing (:mod:`.xlsx_package`): size,
   zip or not (old ``.xls``, password-protected), member count, declared and actual
   uncompressed sizes, compression ratio, member paths, macros;
2. the package's XML with defusedxml and caps on rows, columns, strings and elements
   (:mod:`.xlsx_sheets`); ``_data`` and ``_meta`` must exist under those exact names,
   and hold no formula, error value or date;
3. ``_data``: the header of exchange.md exactly; every row seven fields at most, org_code
   / period / indicator present; texts as text, numbers as numbers; no indicator
   twice;
4. ``_meta``: header ``key, value``; no key twice; the keys of exchange.md present;
   ``format`` = ``ygt-report`` and a ``format_version`` this program knows;
5. the digest recomputed from the rows read (format version 2: and ``_meta``,
   :mod:`.workbook_canonical`) equals ``_meta``'s — else the workbook was
   changed after export;
6. every row's org_code and period equal ``_meta``'s.

Then the visible report sheets are compared with ``_data`` (the indicator's label in
column C, numbers in D–F from row :data:`~.workbook.FIRST_DATA_ROW`, the unit's code and
the period in the heading): a disagreement is a *warning*, never a refusal (spec) — the
numbers imported are always those of ``_data``.

Numbers stored as text in ``_data`` (numerator, denominator, value) are **refused**, not
converted: the writer stores numbers as numbers and no spreadsheet program turns them
into text on opening or saving, so such a cell was typed or pasted by hand or made by
another program; converting would mean guessing at ``"1,234"``, ``"６０"`` or ``"60%"``;
and the digest cannot catch it (``canonical`` writes 60 and ``"60"`` alike), so the
cell's type is the only safeguard. Text stored as a number (an org_code, org_name,
period or indicator cell holding a number) is refused too: a code kept as a number
loses leading zeros and long digits. ``_meta`` values are text; a number there (a
revision typed by hand) is read as its canonical text.

Whole numbers come back as ``int`` whatever way the file stores them (``60`` or
``60.0`` after Excel re-saves it), others as ``float`` — as ``Report.data_rows()`` gives
them, so the digest, which writes whole numbers without a point, is unaffected.

Pure function of the file (and the shipped templates); safe in a worker thread. Reading
one station workbook takes a few milliseconds; memory stays under the file size plus a
few megabytes whatever the file claims.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.plausibility import MAX_NUMBER
from ..core.report_model import (
    COUNT,
    DATA_HEADER,
    FORMAT,
    FORMAT_VERSION,
    Period,
    PeriodError,
    Template,
    TemplateError,
    canonical,
    load_template,
)
from ..paths import resources_dir
from .workbook import (
    AUDIT_HEAD_HASH,
    AUDIT_HEAD_ID,
    DATA_SHEET,
    FIRST_DATA_ROW,
    META_SHEET,
    number_text,
)
from .workbook_canonical import workbook_digest
from .xlsx_package import Limits, Package, WorkbookRejected
from .xlsx_sheets import cell_ref, open_book, read_sheet, shared_strings

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParsedWorkbook",
    "RejectedWithMeta",
    "WorkbookRejected",
    "read_upward_workbook",
]
DEFAULT_LIMITS = Limits()

META_KEYS = (
    "format",
    "format_version",
    "template_id",
    "template_version",
    "org_code",
    "org_name",
    "org_level",
    "parent_code",
    "period",
    "window_start",
    "window_end",
    "revision",
    "generated_at",
    "app_version",
    "children",
    "digest",
)
REQUIRED_VALUES = (
    "format",
    "format_version",
    "template_id",
    "template_version",
    "org_code",
    "period",
    "revision",
    "digest",
)
_TEXT_FIELDS = 4  # org_code, org_name, period, indicator
_REQUIRED_FIELDS = (0, 2, 3)
_MAX_DIFFERENCES = 10
_CODE_IN_HEADING = re.compile(r"机构代码：\s*(\S+)")
_UNIT_IN_HEADING = re.compile(r"填报单位：(.*?)(?: {2,}|\n|$)")
_REVISION_LINE = re.compile(r"修订：第\s*(\d{1,12})\s*版")


class RejectedWithMeta(WorkbookRejected):
    """A refused workbook whose ``_meta`` could be read at least in part: ``meta`` holds
    what it claims (``org_code``, ``org_name``, ``period``, ``revision`` where present
    as short text) — untrusted, only to tie the refusal to the member it names."""

    def __init__(self, exc: WorkbookRejected, meta: dict[str, str]) -> None:
        super().__init__(exc.code, exc.detail, exc.file)
        self.meta = meta


_HINT_KEYS = ("org_code", "org_name", "period", "revision")


def meta_hint(rows: list[list[Any]]) -> dict[str, str]:
    """The keys of :data:`_HINT_KEYS` from ``_meta``'s rows as read, leniently (never
    raises): each key's first value when it is text or a whole number, at most 60
    characters."""
    found: dict[str, str] = {}
    for row in rows[1:]:
        key, value = (list(row) + [None, None])[:2]
        if key not in _HINT_KEYS or key in found:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip() and len(value) <= 60:
            found[str(key)] = value.strip()
    return found


@dataclass(frozen=True)
class ParsedWorkbook:
    path: Path
    sha256: str  # of the file's bytes (duplicate detection)
    meta: dict[str, str]  # _meta as text, in the file's order
    data: list[tuple[Any, ...]]  # _data rows after the header, 7 fields, None for empty
    visible: dict[str, list[list[Any]]]  # visible sheet → rows of values from row 1
    warnings: list[str]  # Chinese, e.g. a visible sheet that disagrees with _data


def read_upward_workbook(
    path: Path, *, limits: Limits = DEFAULT_LIMITS, template: Template | None = None
) -> ParsedWorkbook:
    """Read and check the upward workbook at ``path`` (see the module docstring).

    ``template`` is the report template to compare the visible sheets with; by default
    the shipped template whose id and version ``_meta`` names (none found: a warning,
    and no comparison). Raises :class:`WorkbookRejected` for every file that is not
    imported, and ``OSError`` only when the file itself cannot be read.
    """
    package = Package(Path(path), limits)
    book = open_book(package)
    by_name = {s.name: s for s in book.sheets}
    for name in (DATA_SHEET, META_SHEET):
        entry = by_name.get(name)
        if entry is None or entry.part is None:
            found = "、".join(f"“{s.name}”" for s in book.sheets[:12])
            package.reject(
                "missing_sheet",
                f"缺少隐藏工作表“{name}”（现有工作表：{found}），"
                "不是本系统导出的上报工作簿，或工作表被改名或删除",
            )
    strings = shared_strings(package, book.shared_strings) if book.shared_strings else []
    rows = read_sheet(
        package, by_name[DATA_SHEET], strings, strict=True, max_rows=limits.max_data_rows
    ).rows()
    meta_rows = read_sheet(
        package, by_name[META_SHEET], strings, strict=True, max_rows=limits.max_data_rows
    ).rows()
    visible = {
        s.name: read_sheet(
            package, s, strings, strict=False, max_rows=limits.max_visible_rows
        ).rows()
        for s in book.sheets
        if s.state == "visible" and s.part is not None and s.name not in (DATA_SHEET, META_SHEET)
    }
    try:
        data = _data_rows(package, rows)
        meta = _meta(package, meta_rows)
        if workbook_digest(data, meta) != meta["digest"].strip().lower():
            package.reject(
                "digest",
                "工作簿在导出后被修改过（校验值不符），未导入。请让报送单位用本系统重新导出",
            )
        warnings = _consistency(package, data, meta)
    except WorkbookRejected as exc:
        raise RejectedWithMeta(exc, meta_hint(meta_rows)) from None
    warnings += compare_visible(visible, data, meta, template or _shipped_template(meta))
    return ParsedWorkbook(
        Path(path), hashlib.sha256(package.data).hexdigest(), meta, data, visible, warnings
    )


# ---- _data ------------------------------------------------------------------------------


def _data_rows(package: Package, rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    where = f"工作表“{DATA_SHEET}”"
    width = len(DATA_HEADER)
    header = tuple(rows[0][:width]) if rows else ()
    if header != DATA_HEADER or any(v is not None for v in rows[0][width:]):
        got = "、".join("" if v is None else str(v)[:20] for v in (rows[0] if rows else []))
        package.reject(
            "bad_header",
            f"{where}第1行的表头应为 {', '.join(DATA_HEADER)}，实际为 {got or '（空）'}",
        )
    data: list[tuple[Any, ...]] = []
    first_row: dict[str, int] = {}
    for r, row in enumerate(rows[1:], start=2):
        if all(v is None for v in row):
            continue
        extra = next((c for c in range(width, len(row)) if row[c] is not None), None)
        if extra is not None:
            package.reject(
                "bad_row",
                f"{where}第{r}行在 {cell_ref(r, extra + 1)} 有多余的内容（每行只有 {width} 列）",
            )
        fields = list(row[:width]) + [None] * (width - len(row))
        for c, value in enumerate(fields):
            ref, name = cell_ref(r, c + 1), DATA_HEADER[c]
            if c < _TEXT_FIELDS:
                if value is not None and not isinstance(value, str):
                    package.reject(
                        "bad_cell",
                        f"{where}第{r}行 {name}（{ref}）应为文本，却是"
                        f"{_kind(value)} {value}（代码以数字保存会丢失前导零）",
                    )
            elif isinstance(value, str):
                package.reject(
                    "bad_cell",
                    f"{where}第{r}行 {name}（{ref}）应为数字，却是文本"
                    f"“{value[:20]}”（以文本形式存储的数字）",
                )
            elif isinstance(value, bool):
                package.reject("bad_cell", f"{where}第{r}行 {name}（{ref}）应为数字，却是逻辑值")
            elif value is not None and abs(value) > MAX_NUMBER:
                package.reject(
                    "bad_number",
                    f"{where}第{r}行 {name}（{ref}）的数字 {_big(value)} 超出合理范围"
                    "（绝对值不超过 10^15，且须在64位整数范围内），未导入",
                )
            elif isinstance(value, float) and value.is_integer():
                fields[c] = int(value)
        for c in _REQUIRED_FIELDS:
            if fields[c] is None:
                package.reject(
                    "bad_row", f"{where}第{r}行缺少 {DATA_HEADER[c]}（{cell_ref(r, c + 1)}）"
                )
        code = str(fields[3])
        if code in first_row:
            package.reject(
                "duplicate_row", f"{where}第{first_row[code]}行和第{r}行都是指标 {code}（重复的行）"
            )
        first_row[code] = r
        data.append(tuple(fields))
    if not data:
        package.reject("no_data", f"{where}没有数据行")
    return data


def _big(value: int | float) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 位）"


def _kind(value: Any) -> str:
    return "逻辑值" if isinstance(value, bool) else "数字"


# ---- _meta ------------------------------------------------------------------------------

_HASH = re.compile(r"[0-9a-f]{64}")


def audit_head(meta: Mapping[str, str]) -> tuple[int, str] | None:
    """The writing station's audit chain head from ``_meta`` (row id, hash), or None
    for a workbook without one (written before it was added) or with a malformed one:
    the head is optional, never a reason to refuse a workbook."""
    rid, head = meta.get(AUDIT_HEAD_ID, "").strip(), meta.get(AUDIT_HEAD_HASH, "").strip()
    if not rid.isdigit() or not _HASH.fullmatch(head):
        return None
    return int(rid), head


def _meta(package: Package, rows: list[list[Any]]) -> dict[str, str]:
    where = f"工作表“{META_SHEET}”"
    if (
        not rows
        or tuple(rows[0][:2]) != ("key", "value")
        or any(v is not None for v in rows[0][2:])
    ):
        package.reject("bad_header", f"{where}第1行的表头应为 key, value")
    meta: dict[str, str] = {}
    for r, row in enumerate(rows[1:], start=2):
        key, value, *rest = [*row, None, None]
        if key is None and value is None:
            continue
        if any(v is not None for v in rest):
            package.reject("bad_row", f"{where}第{r}行有 key、value 以外的内容")
        if not isinstance(key, str) or not key.strip():
            package.reject("meta", f"{where}第{r}行缺少键名（A{r}）")
        if key in meta:
            package.reject("meta", f"{where}第{r}行的键 {key} 重复")
        if isinstance(value, bool):
            package.reject("bad_cell", f"{where}第{r}行 {key}（B{r}）不应是逻辑值")
        meta[key] = canonical(value)
    missing = [k for k in META_KEYS if k not in meta]
    missing += [k for k in REQUIRED_VALUES if k in meta and not meta[k].strip()]
    if missing:
        package.reject("meta", f"{where}缺少 {'、'.join(missing)}，不是完整的上报工作簿")
    if meta["format"] != FORMAT:
        package.reject("format", f"工作簿格式“{meta['format'][:40]}”不是上报工作簿（{FORMAT}）")
    version = meta["format_version"]
    if not version.isdecimal() or not version.isascii() or not 1 <= int(version) <= FORMAT_VERSION:
        package.reject(
            "format_version",
            f"上报工作簿格式版本“{version[:20]}”本程序不认识（本程序支持到"
            f"第 {FORMAT_VERSION} 版），请升级本程序或让报送单位用相同版本导出",
        )
    return meta


def _consistency(package: Package, data: list[tuple[Any, ...]], meta: dict[str, str]) -> list[str]:
    """Every row is of the organisation and period of ``_meta``; a different name is
    only a warning."""
    for n, row in enumerate(data):
        if row[0] != meta["org_code"]:
            package.reject(
                "org_mismatch",
                f"_data 中指标 {row[3]} 的机构代码 {row[0]} 与 _meta 的"
                f"机构代码 {meta['org_code']} 不一致（第{n + 2}行附近）",
            )
        if row[2] != meta["period"]:
            package.reject(
                "period_mismatch",
                f"_data 中指标 {row[3]} 的统计期 {row[2]} 与 _meta "
                f"的统计期 {meta['period']} 不一致",
            )
    names = {row[1] for row in data if row[1] is not None}
    if meta.get("org_name") and names - {meta["org_name"]}:
        other = "、".join(sorted(str(n) for n in names - {meta["org_name"]}))
        return [f"_data 中的机构名称“{other}”与 _meta 的“{meta['org_name']}”不同"]
    return []


# ---- the visible sheets -----------------------------------------------------------------


@functools.cache
def _shipped_templates() -> dict[tuple[str, str], Template]:
    found: dict[tuple[str, str], Template] = {}
    for path in sorted((resources_dir() / "templates").glob("*.toml")):
        try:
            t = load_template(path)
        except TemplateError:
            continue
        found[(t.id, str(t.version))] = t
    return found


def _shipped_template(meta: dict[str, str]) -> Template | None:
    return _shipped_templates().get((meta["template_id"], meta["template_version"]))


def compare_visible(
    visible: dict[str, list[list[Any]]],
    data: Sequence[Sequence[Any]],
    meta: dict[str, str],
    template: Template | None,
) -> list[str]:
    """Warnings (Chinese) where the visible report sheets disagree with ``_data``."""
    if template is None or (template.id, str(template.version)) != (
        meta["template_id"],
        meta["template_version"],
    ):
        return [
            f"本程序没有报表模板 {meta['template_id']} 第{meta['template_version']}版，"
            "未核对可见工作表与 _data 是否一致"
        ]
    by_code = {str(r[3]): r for r in data}
    found: list[str] = []
    heading_checked = False
    for sheet in template.sheets:
        sections = {s.id for s in template.sections if s.sheet == sheet}
        inds = [i for i in template.indicators if i.section in sections]
        if not inds:
            continue
        rows = visible.get(sheet)
        if rows is None:
            found.append(f"缺少可见工作表“{sheet}”")
            continue
        if not heading_checked:
            found += _heading(sheet, rows, meta)
            heading_checked = True
        places: dict[str, list[int]] = {}
        for r in range(FIRST_DATA_ROW, len(rows) + 1):
            label = rows[r - 1][2] if len(rows[r - 1]) > 2 else None
            if isinstance(label, str) and label.strip():
                places.setdefault(label.strip(), []).append(r)
        for ind in inds:
            row = by_code.get(ind.code)
            if row is None:
                continue
            spots = places.get(ind.label.strip())
            if not spots:
                found.append(f"可见工作表“{sheet}”中找不到指标“{ind.label}”")
                continue
            r = spots.pop(0)
            cells = rows[r - 1] + [None] * 6
            expected = (row[4], None if ind.kind == COUNT else row[5], row[6])
            for column, name, shown, value in zip(
                ("D", "E", "F"), ("分子", "分母", "数值"), cells[3:6], expected, strict=True
            ):
                if not _same(shown, value):
                    found.append(
                        f"可见工作表“{sheet}”第{r}行“{ind.label}”的{name}（{column}{r}）为 "
                        f"{_shown(shown)}，_data 中为 {_shown(value)}"
                    )
        for label, spots in places.items():
            for r in spots:
                found.append(f"可见工作表“{sheet}”第{r}行“{label[:30]}”不是报表模板中的指标")
    if len(found) > _MAX_DIFFERENCES:
        found = [*found[:_MAX_DIFFERENCES], f"另有 {len(found) - _MAX_DIFFERENCES} 处不一致"]
    if found:
        found[0] = "可见工作表与 _data 不一致（导入以 _data 为准）：" + found[0]
    return found


def _heading(sheet: str, rows: list[list[Any]], meta: dict[str, str]) -> list[str]:
    """The title's period, the 机构代码 and 填报单位 of the line under it, and the
    修订：第 N 版 line under the table (what people read on paper, issue 11)."""
    texts = [str(v) for row in rows[: FIRST_DATA_ROW - 1] for v in row if isinstance(v, str)]
    out = []
    unit = next((u for t in texts if (u := _UNIT_IN_HEADING.search(t))), None)
    if unit and meta.get("org_name") and unit.group(1).strip() != meta["org_name"].strip():
        out.append(
            f"可见工作表“{sheet}”表头的填报单位为“{unit.group(1).strip()[:30]}”，"
            f"_meta 中为“{meta['org_name'][:30]}”"
        )
    below = [str(v) for row in rows[FIRST_DATA_ROW - 1 :] for v in row if isinstance(v, str)]
    rev = next((r for t in below if (r := _REVISION_LINE.search(t))), None)
    if rev and rev.group(1) != meta.get("revision", "").strip():
        out.append(
            f"可见工作表“{sheet}”写的是第 {rev.group(1)} 版，_meta 中为第 {meta.get('revision')} 版"
        )
    m = next((m for t in texts if (m := _CODE_IN_HEADING.search(t))), None)
    if m and m.group(1) != meta["org_code"]:
        out.append(
            f"可见工作表“{sheet}”表头的机构代码为 {m.group(1)}，_meta 中为 {meta['org_code']}"
        )
    try:
        label = Period.parse(meta["period"]).label
    except PeriodError:
        return out
    if texts and not any(label in t for t in texts):
        out.append(f"可见工作表“{sheet}”的标题中没有统计期“{label}”")
    return out


def _same(shown: Any, value: Any) -> bool:
    if isinstance(shown, str):
        try:
            shown = float(shown.replace(",", "").strip())
        except ValueError:
            return False
    if shown is None or value is None:
        return shown is None and value is None
    if isinstance(shown, bool):
        return False
    return bool(abs(float(shown) - float(value)) <= 1e-9 * max(1.0, abs(float(value))))


def _shown(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    return f"“{str(value)[:20]}”"
