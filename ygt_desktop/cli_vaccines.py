"""``ygt vaccines …``: 预防接种 without a screen.

    ygt vaccines notice --village 代码 [--from 日期] [--to 日期] --pdf 文件 [--full-phone]

The 接种通知单 of one village: the children with a dose of the 2021 schedule to give
from ``--from`` (default today) to ``--to`` (default two weeks on), overdue ones as 补种.
Exit status 0 done, 1 refused with the reason, 2 wrong usage — each in Chinese.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .core.masking import Shown
from .ops import privacy, station
from .reports.atomic import write_failure
from .reports.vaccine_notice_pdf import render_notice
from .storage import vaccines
from .storage.organisation import get_organisation, villages

NOTICE_DAYS = 14  # the next two weeks by default


def cmd_notice(args: argparse.Namespace) -> int:
    start = args.date_from or dt.date.today()
    end = args.date_to or start + dt.timedelta(days=NOTICE_DAYS - 1)
    if end < start:
        print(f"错误：结束日期 {end} 不能早于开始日期 {start}", file=sys.stderr)
        return 2
    if (end - start).days > 366:
        print("错误：通知单的时间范围不能超过一年", file=sys.stderr)
        return 2
    if args.pdf.suffix.lower() != ".pdf":
        print(f"错误：--pdf 应为 .pdf 文件（现为 {args.pdf.name}）", file=sys.stderr)
        return 2
    with station.opened(Path(args.db), lock=False, login=login_of(args)) as run:
        names = {v.code: v.name for v in villages(run.ws.store)}
        if args.village not in names:
            known = "、".join(f"{c} {n}" for c, n in names.items()) or "（本站尚未设置村委）"
            print(
                f"错误：没有代码为 {args.village} 的村（居）委会；本站有：{known}", file=sys.stderr
            )
            return 2
        full = bool(args.full_phone)
        if full and not privacy.shows_phones(run.actor):
            print("错误：只有医生、站长、管理员可以打印完整电话号码", file=sys.stderr)
            return 1
        children = vaccines.notice(run.ws.store, args.village, start, end)
        org_row = get_organisation(run.ws.store)
        org = org_row.name if org_row else ""
        try:
            warnings = render_notice(
                children,
                args.pdf,
                org_name=org,
                village_name=names[args.village],
                start=start,
                end=end,
                shown=Shown(phones=full),
            )
        except OSError as exc:
            print(f"错误：{write_failure(exc, args.pdf, '接种通知单')}", file=sys.stderr)
            return 1
    doses = sum(len(c.doses) for c in children)
    print(
        f"已将{names[args.village]} {start} 至 {end} 的接种通知单"
        f"（{len(children)} 名儿童 {doses} 剂次）打印到 {args.pdf}"
    )
    for w in warnings:
        print(f"注意：{w}")
    if not full:
        print("电话号码已遮挡（需要完整号码请加 --full-phone）")
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``vaccines`` to ``ygt``'s subcommands."""
    parser = sub.add_parser("vaccines", help="预防接种：接种通知单")
    commands = parser.add_subparsers(dest="vaccines_command", required=True, metavar="操作")
    s = commands.add_parser("notice", help="打印一个村（居）委会的接种通知单（PDF）")
    db_arg(s)
    s.add_argument("--village", required=True, metavar="代码", help="村（居）委会的3位代码")
    s.add_argument("--from", dest="date_from", type=mv.date, metavar=mv.DATE,
                   help="开始日期（默认今天）")  # fmt: skip
    s.add_argument("--to", dest="date_to", type=mv.date, metavar=mv.DATE,
                   help=f"结束日期（默认开始后{NOTICE_DAYS}天内）")  # fmt: skip
    s.add_argument("--pdf", type=Path, required=True, metavar=mv.FILE, help="写出的 PDF 文件")
    s.add_argument("--full-phone", action="store_true",
                   help="打印完整电话号码（默认遮挡；医生、站长、管理员可用）")  # fmt: skip
    s.set_defaults(func=cmd_notice)
