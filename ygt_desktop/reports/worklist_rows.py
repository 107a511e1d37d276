"""The worklist (待办随访) as plain rows, and the plain formats made from them.

One place decides what each column says, so the printed list, the CSV export and
``ygt worklist`` agree. Phone numbers are masked (``138****5678``) unless the caller
passes ``shown`` with phones in full — a right (``phones.view``) the caller checks. ID
numbers are never part of a row (a work item does not carry them).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.dates import age_text
from ..core.masking import MASKED, Shown
from ..core.resident import headers, sex_label
from ..storage.worklist import WorkItem
from . import formulas
from .atomic import write_atomic

COLUMNS = (
    "序号",
    "状态",
    *headers("name", "sex", "age", "village", "phone"),
    "服务项目",
    "时间窗",
    "完成日期",
)
CSV_COLUMNS = (*COLUMNS[:8], "服务包", "时间窗开始", "时间窗结束", "完成日期")

Row = tuple[str, ...]


def _age(birth: str | None, on: dt.date) -> str:
    return age_text(dt.date.fromisoformat(birth), on) if birth else ""


def _common(
    number: int, item: WorkItem, on: dt.date, villages: Mapping[str, str], shown: Shown
) -> Row:
    r = item.resident
    village = r.get("village_code") or ""
    return (
        str(number),
        item.status,
        r.get("name") or "",
        sex_label(r.get("sex")),
        _age(r.get("birth_date"), on),
        villages.get(village, village),
        shown.phone(r.get("phone")),
        item.due.label,
    )


def _done(item: WorkItem) -> str:
    return item.due.done.isoformat() if item.due.done else ""


def worklist_rows(
    items: Sequence[WorkItem],
    on: dt.date,
    village_names: Mapping[str, str],
    shown: Shown = MASKED,
) -> list[Row]:
    """One row of :data:`COLUMNS` per item, in the order given; ages as on ``on``;
    phone numbers masked unless ``shown.phones``."""
    return [
        (
            *_common(n, item, on, village_names, shown),
            f"{item.due.start.isoformat()} 至 {item.due.end.isoformat()}",
            _done(item),
        )
        for n, item in enumerate(items, 1)
    ]


def status_counts(items: Sequence[WorkItem]) -> dict[str, int]:
    """People (not items) per status, statuses in order of first appearance."""
    people: dict[str, set[int]] = {}
    for item in items:
        people.setdefault(item.status, set()).add(int(item.resident["id"]))
    return {status: len(ids) for status, ids in people.items()}


def counts_text(items: Sequence[WorkItem]) -> str:
    """``共 12 项 9 人：逾期 3 人，应访 6 人``, or ``没有待办随访``."""
    if not items:
        return "没有待办随访"
    people = len({int(i.resident["id"]) for i in items})
    per_status = "，".join(f"{s} {n} 人" for s, n in status_counts(items).items())
    return f"共 {len(items)} 项 {people} 人：{per_status}"


def filters_text(
    packages: Sequence[str] | None,
    village: str | None,
    statuses: Sequence[str] | None,
    doctor: str | None = None,
) -> str:
    """The filters in words, ``服务包：全部；居委/村委：101 小坝村委会；状态：应访、逾期``
    (``；责任医生：王丽萍`` added when one is chosen)."""
    parts = [
        f"服务包：{'、'.join(packages) if packages else '全部'}",
        f"居委/村委：{village or '全部'}",
        f"状态：{'、'.join(statuses) if statuses else '全部'}",
    ]
    if doctor:
        parts.append(f"责任医生：{doctor}")
    return "；".join(parts)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


# ---- plain formats ----------------------------------------------------------------------


def csv_bytes(
    items: Sequence[WorkItem],
    on: dt.date,
    village_names: Mapping[str, str],
    shown: Shown = MASKED,
) -> bytes:
    """The items as CSV (phone numbers masked unless ``shown.phones``): UTF-8 with a
    byte-order mark (so Excel reads the Chinese), CRLF
    line ends, values that a spreadsheet would run as a formula prefixed with ``'``
    (:func:`.formulas.csv_bytes`)."""
    rows = (
        (
            *_common(n, item, on, village_names, shown),
            item.package,
            item.due.start.isoformat(),
            item.due.end.isoformat(),
            _done(item),
        )
        for n, item in enumerate(items, 1)
    )
    return formulas.csv_bytes(CSV_COLUMNS, rows)


def write_csv(
    items: Sequence[WorkItem],
    out: Path,
    *,
    on: dt.date,
    village_names: Mapping[str, str],
    shown: Shown = MASKED,
) -> None:
    """Write :func:`csv_bytes` to ``out`` atomically; raises OSError."""
    write_atomic(csv_bytes(items, on, village_names, shown), out)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_table(rows: Sequence[Row], header: Row = COLUMNS) -> str:
    """Rows as a plain-text table for a terminal, columns aligned for Chinese (two cells
    per wide character), separated by two spaces; one line per row."""
    widths = [max(_display_width(r[c]) for r in (header, *rows)) for c in range(len(header))]
    lines = []
    for row in (header, *rows):
        cells = [v + " " * (w - _display_width(v)) for v, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
