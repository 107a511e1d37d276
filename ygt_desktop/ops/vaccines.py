"""预防接种: the 接种通知单 of one village — the children with a dose of the 2021
schedule to give in a period, overdue ones as 补种 — written as a PDF.

Used by ``ygt vaccines notice`` and the window's 打印接种通知单 dialog (through the job
runner). A request that is wrong in itself (the range, the village, the file's name)
is a :class:`BadNotice`, raised before anything is read or written: ``ygt`` exits 2
for it (wrong usage), 1 for the other refusals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..reports.atomic import export_error
from ..reports.vaccine_notice_pdf import render_notice
from ..storage import vaccines
from ..storage.organisation import villages
from ..storage.vaccines import NoticeChild
from . import privacy
from .base import OpError, Run

WHAT = "接种通知单"
NOTICE_DAYS = 14  # the next two weeks by default (the range's both days counted)
MAX_DAYS = 366  # at most a year from the first day to the last


class BadNotice(OpError):
    """The request itself is wrong (its range, village or file name); nothing was read
    or written."""


def default_range(
    start: dt.date | None = None, end: dt.date | None = None, *, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """``(start, end)`` with the defaults: ``start`` today, ``end`` the last of the
    :data:`NOTICE_DAYS` days from ``start``."""
    start = start or today or dt.date.today()
    return start, end or start + dt.timedelta(days=NOTICE_DAYS - 1)


def check_range(start: dt.date, end: dt.date) -> None:
    """Refuse (:class:`BadNotice`) an end before the start, or more than a year."""
    if end < start:
        raise BadNotice(f"结束日期 {end} 不能早于开始日期 {start}")
    if (end - start).days > MAX_DAYS:
        raise BadNotice("通知单的时间范围不能超过一年")


def check_file(out: Path, what: str = "通知单文件") -> None:
    """Refuse (:class:`BadNotice`) a file whose name does not end in ``.pdf``; ``what``
    names it (``ygt``: its option)."""
    if out.suffix.lower() != ".pdf":
        raise BadNotice(f"{what}应为 .pdf 文件（现为 {out.name}）")


@dataclass
class Notice:
    """A notice written: for which village and period, its children (each with its
    doses), the file, whether phone numbers were printed in full, and warnings
    (characters no font could print)."""

    village_code: str
    village_name: str
    start: dt.date
    end: dt.date
    out: Path
    children: list[NoticeChild]
    full_phone: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def doses(self) -> int:
        return sum(len(c.doses) for c in self.children)

    @property
    def late(self) -> int:
        """How many of the doses are 补种 (past their recommended completion age)."""
        return sum(1 for c in self.children for d in c.doses if d.late)

    @property
    def counts(self) -> str:
        """``3 名儿童 5 剂次``."""
        return f"{len(self.children)} 名儿童 {self.doses} 剂次"

    @property
    def summary(self) -> str:
        """``已将小坝村委会 2026-06-22 至 2026-07-05 的接种通知单（2 名儿童 9 剂次）打印到 …``."""
        return (
            f"已将{self.village_name} {self.start} 至 {self.end} 的接种通知单"
            f"（{self.counts}）打印到 {self.out}"
        )


def notice(
    run: Run,
    village: str,
    start: dt.date,
    end: dt.date,
    out: Path,
    *,
    full_phone: bool = False,
) -> Notice:
    """Write the 接种通知单 of ``village`` (its code) for ``start``–``end`` to ``out``,
    whole or not at all (written beside, then renamed).

    Needs ``worklist.export``; phone numbers are masked unless ``full_phone``
    (``phones.view``; such a print is audited). Refusals, each a Chinese sentence:
    :class:`BadNotice` for a range ending before it starts or longer than a year, a
    file not named ``.pdf`` or a village the station does not have;
    :class:`~ygt_desktop.ops.base.PermissionRefused`; an
    :class:`~ygt_desktop.reports.atomic.ExportError` when the file cannot be written.
    A cancel stops before the file is written."""
    run.require("worklist.export")
    check_range(start, end)
    check_file(out)
    names = {v.code: v.name for v in villages(run.ws.store)}
    if village not in names:
        known = "、".join(f"{c} {n}" for c, n in names.items()) or "（本站尚未设置村委）"
        raise BadNotice(f"没有代码为 {village} 的村（居）委会；本站有：{known}")
    shown = privacy.unmasking(run, full_phone=full_phone)
    run.step(0, 2, "正在整理应种儿童…")
    children = vaccines.notice(run.ws.store, village, start, end, run.ws.forms)
    run.step(1, 2, f"正在写出{WHAT}…")
    org = run.ws.organisation
    privacy.audit_export(run, shown, out, WHAT)
    try:
        warnings = render_notice(
            children,
            out,
            org_name=org.name if org else "",
            village_name=names[village],
            start=start,
            end=end,
            shown=shown,
        )
    except OSError as exc:
        raise export_error(exc, out, WHAT) from exc
    run.progress(2, 2, "完成")
    return Notice(village, names[village], start, end, out, children, full_phone, warnings)
