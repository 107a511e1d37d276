"""What ``ygt --help`` shows for a value: one Chinese word for one meaning, in every command.

argparse would otherwise show the upper-cased dest (``--db DB``, ``--period PERIOD``). The
names an option is typed with never change (``ygt`` is scripted against); only these words
do. ``ygt-desktop`` (``ui/app.py``, which may not import the command line's modules)
repeats :data:`FILE`, :data:`FOLDER` and :data:`USER`; tests/test_cli_help.py holds the two
programs to the same words.
"""

from __future__ import annotations

import argparse
import datetime as dt

FILE = "文件"  # a file read or written: --db, --xlsx, --pdf, --csv, --json, --out
FOLDER = "文件夹"  # a folder (Windows calls it 文件夹): --out of receipts, --tour
USER = "用户名"  # an account, acting (--user, --as) or acted on (ygt user add 用户名)
ROLE = "角色"
ORG_CODE = "机构代码"  # --org-code, --parent-code, --org
ORG_NAME = "机构名称"
PERIOD = "统计期"
DATE = "YYYY-MM-DD"  # the format itself tells more than a word would
NUMBER = "编号"  # a record's or a resident's number, as ygt prints it
REASON = "原因"

PERIOD_HELP = "统计期：季度，写作 年份Q季度，如 2026Q3"
DB_HELP = "数据库文件（默认在用户数据目录）"


def positive(text: str) -> int:
    """A record's or resident's number: a whole number from 1 to what SQLite holds."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数（现为 {text}）") from None
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"应为正整数（现为 {text}）")
    return value


def date(text: str) -> dt.date:
    """A day typed as YYYY-MM-DD (``--from``, ``--to``)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写作 YYYY-MM-DD，如 2026-11-30（现为 {text}）"
        ) from None
