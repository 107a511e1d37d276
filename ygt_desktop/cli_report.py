"""``ygt report``, ``ygt lists``, ``ygt submit``: the quarterly report without a screen.

    ygt report --db PATH --period 2026Q3 [--xlsx OUT] [--pdf OUT] [--json OUT]
    ygt lists  --db PATH --period 2026Q3 --xlsx OUT [--full-id]
    ygt submit --db PATH --period 2026Q3

JSON is a list of objects with the seven keys of the workbook's ``_data`` rows and the
same values. Without any output option ``report`` prints the table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .core.report_model import Period, PeriodError, Report
from .reports import line_lists_export, report_export
from .reports.atomic import ExportError
from .reports.line_lists import LineListError
from .reports.workbook import WorkbookError
from .storage.reporting import Reporting
from .storage.workspace import Workspace

EXPORT_ERRORS = (ExportError, LineListError, WorkbookError)


def print_table(report: Report) -> None:
    """The report as a tab-separated table on stdout (code, label, numbers, note)."""
    for ind in report.template.indicators:
        v = report.values.get(ind.code)
        cells = ["" if x is None else f"{x:g}" if isinstance(x, float) else str(x)
                 for x in ((v.numerator, v.denominator, v.value) if v else (None,) * 3)]
        note = v.missing if v and v.missing else ""
        print("\t".join([ind.code, ind.label, *cells, note]).rstrip())


def period_arg(text: str) -> Period:
    """An argparse type: ``2026Q3`` as a Period, a Chinese message otherwise."""
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_report(args: argparse.Namespace) -> int:
    ws = Workspace.open(Path(args.db), lock=False)
    wrote = []
    try:
        reporting = Reporting(ws)
        report = reporting.compute(args.period).report
        if args.json:
            report_export.json_rows(report, Path(args.json))
            wrote.append(args.json)
        if args.xlsx:
            report_export.workbook(reporting, report, Path(args.xlsx))
            wrote.append(args.xlsx)
        if args.pdf:
            for warning in report_export.pdf(reporting, report, Path(args.pdf)):
                print(f"注意：{warning}")
            wrote.append(args.pdf)
    except EXPORT_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        if wrote:
            print("已写入：" + "、".join(wrote), file=sys.stderr)
        return 1
    finally:
        ws.close(backup_on_exit=False)
    if not wrote:
        print_table(report)
    else:
        print(f"{args.period.label}（第 {report.revision} 版）已写入：" + "、".join(wrote))
    return 0


def cmd_lists(args: argparse.Namespace) -> int:
    ws = Workspace.open(Path(args.db), lock=False)
    try:
        count = line_lists_export.write(ws, args.period, Path(args.xlsx), full_id=args.full_id)
    except EXPORT_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        ws.close(backup_on_exit=False)
    shown = "完整身份证号" if args.full_id else "身份证号已遮挡"
    print(f"{args.period.label}花名册已写入 {args.xlsx}（{count} 张表，{shown}）")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    ws = Workspace.open(Path(args.db))
    try:
        done = Reporting(ws).submit(args.period)
    finally:
        ws.close()
    print(f"{args.period.label}已上报（第 {done.revision} 版），该时段的记录已锁定。")
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the three commands to ``ygt``'s sub-parsers."""
    s = sub.add_parser("report", help="季度报表（工作簿、PDF、JSON）")
    db_arg(s)
    s.add_argument("--period", type=period_arg, required=True, help="统计期，如 2026Q3")
    s.add_argument("--xlsx", help="写出上报工作簿")
    s.add_argument("--pdf", help="写出 PDF")
    s.add_argument("--json", help="写出 JSON（与工作簿 _data 相同的七列）")
    s.set_defaults(func=cmd_report)
    s = sub.add_parser("lists", help="花名册（各指标涉及的居民名单）")
    db_arg(s)
    s.add_argument("--period", type=period_arg, required=True, help="统计期，如 2026Q3")
    s.add_argument("--xlsx", required=True, help="写出花名册工作簿")
    s.add_argument("--full-id", action="store_true", help="导出完整身份证号（默认遮挡）")
    s.set_defaults(func=cmd_lists)
    s = sub.add_parser("submit", help="上报并锁定季度")
    db_arg(s)
    s.add_argument("--period", type=period_arg, required=True, help="统计期，如 2026Q3")
    s.set_defaults(func=cmd_submit)
