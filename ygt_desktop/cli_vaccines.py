"""``ygt vaccines …``: 预防接种 without a screen.

    ygt vaccines notice --village 代码 [--from 日期] [--to 日期] --pdf 文件 [--full-phone]

The 接种通知单 of one village: the children with a dose of the 2021 schedule to give
from ``--from`` (default today) to ``--to`` (default two weeks on), overdue ones as 补种.
Exit status 0 done, 1 refused with the reason, 2 wrong usage — each in Chinese.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .ops import station
from .ops import vaccines as ops_vaccines

NOTICE_DAYS = ops_vaccines.NOTICE_DAYS


def cmd_notice(args: argparse.Namespace) -> int:
    start, end = ops_vaccines.default_range(args.date_from, args.date_to)
    try:
        ops_vaccines.check_range(start, end)  # before a login: wrong usage, exit 2
        ops_vaccines.check_file(args.pdf, "--pdf ")
        with station.opened(Path(args.db), lock=False, login=login_of(args)) as run:
            done = ops_vaccines.notice(
                run, args.village, start, end, args.pdf, full_phone=bool(args.full_phone)
            )
    except ops_vaccines.BadNotice as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(done.summary)
    for w in done.warnings:
        print(f"注意：{w}")
    if not done.full_phone:
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
