"""The worklist (待办随访) as plain rows, and the plain formats made from them.

One place decides what each column says, so the page, the printed list, the CSV export
and ``ygt worklist`` agree. Two shapes: one line per resident (:data:`LINE_COLUMNS`, the
page, the print and the screen of ``ygt worklist``: the worst status, every due item in
one cell, the earliest window end) and one row per item (:data:`CSV_COLUMNS`, the CSV
file that scripts read). Phone numbers are masked (``138****5678``) unless the caller
passes ``shown`` with phones in full — a right (``phones.view``) the caller checks. ID
numbers are never part of a row (a work item does not carry them).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import schedules as sch
from ..core.dates import age_text
from ..core.masking import MASKED, Shown
from ..core.resident import headers, sex_label
from ..storage.worklist import (
    ALL_VIEW,
    DUE_VIEW,
    NOT_DONE,
    STATUS_ORDER,
    YEARLY_VIEW,
    ResidentDue,
    WorkItem,
    by_resident,
)
from . import formulas
from .atomic import write_atomic

if TYPE_CHECKING:
    from ..storage.worklist_lines import WorkLines

# The views in words (the page's choice, the filters line of a print).
VIEW_NAMES = {DUE_VIEW: "到期和逾期", YEARLY_VIEW: "本年未做", ALL_VIEW: "全部项目"}

COLUMNS = (
    "序号",
    "状态",
    *headers("name", "sex", "age", "village", "phone"),
    "服务项目",
    "时间窗",
    "完成日期",
)
# 服务 (the programme: 高血压, 中医体质辨识 …) came last, after the columns scripts read.
CSV_COLUMNS = (*COLUMNS[:8], "服务包", "时间窗开始", "时间窗结束", "完成日期", "服务")
LINE_COLUMNS = (*COLUMNS[:7], "待办项目", "最早截止")

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


def _when(item: WorkItem) -> str:
    """``逾期 09-30``: the status and the window's end (the day it was done for 已访; no
    day for 失访 and 结案)."""
    due, status = item.due, item.status
    if status in (sch.LOST, sch.CLOSED):
        return status
    day = due.done if status == sch.DONE and due.done else due.end
    return f"{status} {day.month:02d}-{day.day:02d}"


def item_text(item: WorkItem) -> str:
    """One item: ``高血压随访（2026年第3季度） 逾期 09-30``."""
    return f"{item.due.label} {_when(item)}"


def items_text(line: ResidentDue) -> str:
    """All of a resident's items in one cell, ``；`` between them; items next to each
    other with the same status and day share it: ``儿童中医药健康管理（30月龄）、儿童健康检查
    （30月龄） 逾期 09-05；高血压随访（2026年第4季度） 应访 12-31``."""
    groups: list[tuple[str, list[str]]] = []
    for item in line.items:
        when = _when(item)
        if groups and groups[-1][0] == when:
            groups[-1][1].append(item.due.label)
        else:
            groups.append((when, [item.due.label]))
    return "；".join(f"{'、'.join(labels)} {when}" for when, labels in groups)


def line_rows(
    lines: Sequence[ResidentDue],
    on: dt.date,
    village_names: Mapping[str, str],
    shown: Shown = MASKED,
) -> list[Row]:
    """One row of :data:`LINE_COLUMNS` per resident, in the order given: the worst
    status, every item in one cell and the earliest window end (``YYYY-MM-DD``); ages as
    on ``on``; phone numbers masked unless ``shown.phones``."""
    rows = []
    for n, line in enumerate(lines, 1):
        _, _, *person, _ = _common(n, line.items[0], on, village_names, shown)
        rows.append((str(n), line.status, *person, items_text(line), line.first_end.isoformat()))
    return rows


def status_counts(items: Sequence[WorkItem]) -> dict[str, int]:
    """People per their worst status (逾期 before 应访 …: each person counted once),
    worst first."""
    people: dict[str, int] = {}
    for line in by_resident(items):
        people[line.status] = people.get(line.status, 0) + 1
    return dict(sorted(people.items(), key=lambda pair: STATUS_ORDER[pair[0]]))


def counts_text(items: Sequence[WorkItem]) -> str:
    """``共 12 项 9 人：逾期 3 人，应访 6 人`` (people by their worst status), or
    ``没有待办随访``."""
    people = len({int(i.resident["id"]) for i in items})
    return _counts_words(len(items), people, status_counts(items))


def _counts_words(items: int, people: int, per_status: Mapping[str, int]) -> str:
    if not items:
        return "没有待办随访"
    words = "，".join(f"{s} {n} 人" for s, n in per_status.items())
    return f"共 {items} 项 {people} 人：{words}"


def not_done_counts(items: Sequence[WorkItem]) -> dict[str, int]:
    """People with an item not yet done (逾期, 应访 or 未到) per service name
    (``中医体质辨识``), most first, then by name (the 本年未做 view's counts)."""
    people: dict[str, set[int]] = {}
    for item in items:
        if item.status in NOT_DONE:
            name = sch.programme_name(item.due.programme)
            people.setdefault(name, set()).add(int(item.resident["id"]))
    counts = {name: len(ids) for name, ids in people.items()}
    return dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


def not_done_text(items: Sequence[WorkItem]) -> str:
    """``中医体质辨识 629 人未做，老年人健康管理 499 人未做``, or ``没有未做的服务``."""
    return _not_done_words(not_done_counts(items))


def _not_done_words(counts: Mapping[str, int]) -> str:
    return "，".join(f"{name} {n} 人未做" for name, n in counts.items()) or "没有未做的服务"


def view_counts_text(items: Sequence[WorkItem], view: str) -> str:
    """:func:`counts_text`, and for the 本年未做 view :func:`not_done_text` after it."""
    if view == YEARLY_VIEW and items:
        return f"{counts_text(items)}；{not_done_text(items)}"
    return counts_text(items)


def lines_counts_text(lines: WorkLines) -> str:
    """:func:`view_counts_text` of a lazy list (:class:`~ygt_desktop.storage.
    worklist_lines.WorkLines`), from its counts: no item is built."""
    text = _counts_words(lines.item_count, len(lines), lines.per_status)
    if lines.query.view == YEARLY_VIEW and lines.item_count:
        return f"{text}；{_not_done_words(lines.not_done)}"
    return text


def filters_text(
    packages: Sequence[str] | None,
    village: str | None,
    statuses: Sequence[str] | None,
    doctor: str | None = None,
    view: str | None = None,
) -> str:
    """The filters in words, ``服务包：全部；居委/村委：101 小坝村委会；状态：应访、逾期``
    (``；责任医生：王丽萍`` added when one is chosen; ``视图：到期和逾期；`` in front when
    ``view`` is given)."""
    parts = [f"视图：{VIEW_NAMES.get(view, view)}"] if view else []
    parts += [
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
            sch.programme_name(item.due.programme),
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
