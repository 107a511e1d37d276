"""``ygt report``, ``ygt lists``, ``ygt submit``: the quarterly report without a screen.

    ygt report --db PATH --period 2026Q3 [--xlsx OUT] [--pdf OUT] [--json OUT]
    ygt lists  --db PATH --period 2026Q3 --xlsx OUT [--full-id] [--full-phone]
    ygt submit --db PATH --period 2026Q3

JSON is a list of objects with the seven keys of the workbook's ``_data`` rows and the
same values. Without any output option ``report`` prints the table.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .core.report_model import Period, PeriodError, Report
from .ops import keys as key_ops
from .ops import report as ops
from .ops.station import opened


def print_table(report: Report) -> None:
    """The report as a tab-separated table on stdout (code, label, numbers, note)."""
    for ind in report.template.indicators:
        v = report.values.get(ind.code)
        cells = [
            "" if x is None else f"{x:g}" if isinstance(x, float) else str(x)
            for x in ((v.numerator, v.denominator, v.value) if v else (None,) * 3)
        ]
        note = v.missing if v and v.missing else ""
        print("\t".join([ind.code, ind.label, *cells, note]).rstrip())


def period_arg(text: str) -> Period:
    """An argparse type: ``2026Q3`` as a Period, a Chinese message otherwise."""
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_report(args: argparse.Namespace) -> int:
    """Errors (exit 1) are printed by ``cli.main``, with the files written before one
    failed (:class:`~ygt_desktop.ops.report.PartlyWritten`)."""
    xlsx, pdf, json = (Path(v) if v else None for v in (args.xlsx, args.pdf, args.json))
    login = login_of(args)
    signing = None
    with opened(Path(args.db), lock=False, login=login) as run:
        if not (xlsx or pdf or json):
            print_table(ops.compute(run, args.period).report)
            return 0
        if xlsx:  # signed when the logged-in user holds the key (their YGT_PASSWORD opens it)
            signing = key_ops.signer_for(run, login.password)
        done = ops.write_files(
            run, args.period, xlsx=xlsx, pdf=pdf, json=json, signer=signing and signing.signer
        )
    for warning in done.warnings:
        print(f"注意：{warning}")
    if signing is not None:
        print(f"上报工作簿{signing.note}")
    print(
        f"{args.period.label}（第 {done.report.revision} 版）已写入："
        + "、".join(map(str, done.written))
    )
    return 0


def cmd_lists(args: argparse.Namespace) -> int:
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        count = ops.write_lists(
            run, args.period, Path(args.xlsx), full_id=args.full_id, full_phone=args.full_phone
        )
    shown = "，".join(
        (
            "完整身份证号" if args.full_id else "身份证号已遮挡",
            "完整电话号码" if args.full_phone else "电话号码已遮挡",
        )
    )
    print(f"{args.period.label}花名册已写入 {args.xlsx}（{count} 张表，{shown}）")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    with opened(Path(args.db), backup_on_exit=True, login=login_of(args)) as run:
        done = ops.submit(run, args.period)
    print(f"{args.period.label}已上报（第 {done.revision} 版），该时段的记录已锁定。")
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the three commands to ``ygt``'s sub-parsers."""
    s = sub.add_parser("report", help="季度报表（工作簿、PDF、JSON）")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.add_argument("--xlsx", metavar=mv.FILE, help="写出上报工作簿")
    s.add_argument("--pdf", metavar=mv.FILE, help="写出 PDF")
    s.add_argument(
        "--json", metavar=mv.FILE, help="写出 JSON（每个指标一条，与上报工作簿数据表的七列相同）"
    )
    s.set_defaults(func=cmd_report)
    s = sub.add_parser("lists", help="花名册（各指标涉及的居民名单）")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.add_argument("--xlsx", required=True, metavar=mv.FILE, help="写出花名册工作簿")
    s.add_argument(
        "--full-id", action="store_true", help="导出完整身份证号（默认遮挡；仅站长，记入审计日志）"
    )
    s.add_argument(
        "--full-phone",
        action="store_true",
        help="导出完整电话号码（默认遮挡；医生、站长、管理员，记入审计日志）",
    )
    s.set_defaults(func=cmd_lists)
    s = sub.add_parser("submit", help="上报并锁定季度")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.set_defaults(func=cmd_submit)
