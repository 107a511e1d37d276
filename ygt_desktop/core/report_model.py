"""The quarterly report as data: template, period, indicator values, the ``_data``
rows and their digest (spec exchange.md / indicators.md).

Pure: no database, no files except the template it is asked to read. The computation
of each indicator lives in :mod:`ygt_desktop.storage.indicators`; the workbook and PDF
writers in :mod:`ygt_desktop.reports`; the bureau's importer reads the same rows back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DATA_HEADER = ("org_code", "org_name", "period", "indicator", "numerator", "denominator", "value")
FORMAT = "ygt-report"
# 2: the digest covers _meta too and the workbook may be signed (docs/exchange.md); the
# digest of Report.meta() stays the _data-only digest (what a submission is compared by).
FORMAT_VERSION = 2
_PERIOD = re.compile(r"^(\d{4})Q([1-4])$")
_CODE = re.compile(r"^[a-z]+(\.[a-z_][a-z0-9_]*)+$")  # vac.rate.hepb1: a dose id
RATE, COUNT = "rate", "count"


class TemplateError(ValueError):
    """A template file that cannot be used; the message says where and why (Chinese)."""


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """A quarter, ``2026Q3``; its window runs from 1 January to the quarter's last day."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text.strip().upper())
        if not m:
            raise PeriodError(f"统计期“{text}”格式应为 年份Q季度，例如 2026Q3")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @property
    def window_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def window_end(self) -> dt.date:
        month = 3 * self.quarter
        following = dt.date(self.year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def quarter_start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    sheet: str


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    section: str
    label: str
    kind: str  # RATE or COUNT
    target: float | None = None  # a rate at or above it meets the target


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    sheets: tuple[str, ...]
    sections: tuple[Section, ...]
    indicators: tuple[IndicatorDef, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def indicator(self, code: str) -> IndicatorDef:
        return next(i for i in self.indicators if i.code == code)

    def setting(self, key: str, default: Any) -> Any:
        return self.settings.get(key, default)


def load_template(path: Path, known_codes: Iterable[str] | None = None) -> Template:
    """Read and check a template file; ``known_codes`` are the codes the app computes."""
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"报表模板 {name} 无法读取：{exc}") from None
    head = data.get("template", {})
    for key in ("id", "version", "title"):
        if key not in head:
            raise TemplateError(f"报表模板 {name}：[template] 缺少 {key}")
    sheets = tuple(head.get("sheets", ["报表"]))
    sections = []
    for raw in data.get("sections", []):
        sheet = raw.get("sheet", sheets[0])
        if sheet not in sheets:
            raise TemplateError(
                f"报表模板 {name}：项目 {raw.get('id')} 的工作表 {sheet} 未在 sheets 中"
            )
        sections.append(Section(str(raw["id"]), str(raw["name"]), sheet))
    section_ids = {s.id for s in sections}
    indicators: list[IndicatorDef] = []
    known = set(known_codes) if known_codes is not None else None
    for i, raw in enumerate(data.get("indicators", []), start=1):
        code = str(raw.get("code", ""))
        where = f"报表模板 {name} 第{i}个指标 {code}"
        if not _CODE.match(code):
            raise TemplateError(
                f"{where}：代码应为小写字母、数字和点（每段以字母开头），例如 htn.standard"
            )
        if code in {x.code for x in indicators}:
            raise TemplateError(f"{where}：代码重复")
        if known is not None and code not in known:
            raise TemplateError(f"{where}：本程序不会计算这个指标")
        if raw.get("section") not in section_ids:
            raise TemplateError(f"{where}：项目 {raw.get('section')} 不存在")
        if raw.get("kind") not in (RATE, COUNT):
            raise TemplateError(f"{where}：kind 应为 rate 或 count")
        target = raw.get("target")
        indicators.append(
            IndicatorDef(
                code,
                str(raw["section"]),
                str(raw["label"]),
                str(raw["kind"]),
                float(target) if target is not None else None,
            )
        )
    if not indicators:
        raise TemplateError(f"报表模板 {name}：没有指标")
    return Template(
        str(head["id"]),
        int(head["version"]),
        str(head["title"]),
        sheets,
        tuple(sections),
        tuple(indicators),
        dict(data.get("settings", {})),
    )


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator × 100, one decimal (half up); None for a zero or
    missing denominator — never an error, never 0 %."""
    if numerator is None or not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(value)


@dataclass(frozen=True)
class IndicatorValue:
    """One row of the report. ``missing`` names what the value could not be computed
    without (a base figure), in Chinese; the numbers are then None."""

    code: str
    numerator: float | None
    denominator: float | None
    value: float | None
    missing: str | None = None

    @classmethod
    def of_rate(
        cls, code: str, numerator: int, denominator: int | None, missing: str | None = None
    ) -> IndicatorValue:
        if missing:
            return cls(code, numerator, None, None, missing)
        return cls(code, numerator, denominator, rate(numerator, denominator))

    @classmethod
    def of_count(cls, code: str, count: float) -> IndicatorValue:
        return cls(code, count, None, count)


@dataclass(frozen=True)
class Report:
    org_code: str
    org_name: str
    org_level: str
    parent_code: str
    period: Period
    template: Template
    values: Mapping[str, IndicatorValue]
    revision: int = 1
    generated_at: str = ""
    app_version: str = ""
    children: tuple[str, ...] = ()  # "org_code:revision" of an aggregated report

    def data_rows(self) -> list[tuple[Any, ...]]:
        """The ``_data`` rows, in template order: numbers as numbers, None where empty."""
        rows = []
        for ind in self.template.indicators:
            v = self.values.get(ind.code) or IndicatorValue(ind.code, None, None, None)
            rows.append(
                (
                    self.org_code,
                    self.org_name,
                    str(self.period),
                    ind.code,
                    _number(v.numerator),
                    _number(v.denominator),
                    _number(v.value),
                )
            )
        return rows

    def meta(self) -> dict[str, str]:
        """The ``_meta`` keys and values (digest included)."""
        return {
            "format": FORMAT,
            "format_version": str(FORMAT_VERSION),
            "template_id": self.template.id,
            "template_version": str(self.template.version),
            "org_code": self.org_code,
            "org_name": self.org_name,
            "org_level": self.org_level,
            "parent_code": self.parent_code,
            "period": str(self.period),
            "window_start": self.period.window_start.isoformat(),
            "window_end": self.period.window_end.isoformat(),
            "revision": str(self.revision),
            "generated_at": self.generated_at,
            "app_version": self.app_version,
            "children": ",".join(self.children),
            "digest": digest(self.data_rows()),
        }


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def canonical(value: Any) -> str:
    """A ``_data`` field as the digest writes it: whole numbers without a decimal
    point, other numbers in their shortest round-trip form, text as is, empty for
    None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def digest(rows: Sequence[Sequence[Any]]) -> str:
    """SHA-256 of the rows sorted by indicator, fields tab-joined, rows newline-joined."""
    ordered = sorted(rows, key=lambda r: str(r[3]))
    text = "\n".join("\t".join(canonical(v) for v in row) for row in ordered)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
