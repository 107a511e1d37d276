"""``ygt bureau …``: a district or city bureau without a screen.

    ygt bureau roster   --db PATH FILE                       成员机构名册（.xlsx 或 .csv）
    ygt bureau members  --db PATH [--csv OUT]                列出或导出名册
    ygt bureau import   --db PATH [--period P …] PATH...     导入上报工作簿（文件或文件夹）
    ygt bureau status   --db PATH --period P [--xlsx OUT | --csv OUT]
    ygt bureau report   --db PATH --period P [--xlsx OUT] [--pdf OUT]
    ygt bureau receipts --db PATH --period P --out FOLDER [--org CODE …]
    ygt bureau withdraw --db PATH --org CODE --period P --revision N --reason TEXT
    ygt bureau key add  --db PATH FILE [--reason TEXT]       登记成员机构公钥
    ygt bureau key list --db PATH                            已登记的公钥

``import`` prints one line per file (result, organisation, period, revision, reason)
and the totals; its exit status is 1 when any file was refused (a duplicate is not a
refusal; a file that is not a regular file — a FIFO, a device — is skipped with a
line and is not one either), else 0. Names from the files are printed with control
characters escaped. ``withdraw`` voids an accepted submission (exit 1 when refused).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .cli_report import period_arg, print_table
from .core.printable import printable
from .ops import bureau as ops
from .ops import keys as key_ops
from .ops.base import Run
from .ops.users import sign_in
from .reports.atomic import ExportError
from .storage import roster
from .storage.submissions import REJECTED
from .storage.workspace import Workspace


def _open(args: argparse.Namespace, *, lock: bool = True) -> Workspace:
    """The bureau's database, with the user of ``--user`` logged in."""
    login = login_of(args)
    args.login_used = login  # its password unlocks the bureau's signing key (report)
    ws = Workspace.open(Path(args.db), lock=lock)
    try:
        roster.bureau(ws.store)  # a station's database is refused with a clear message
        sign_in(ws, login)
    except BaseException:
        ws.close(backup_on_exit=False)
        raise
    return ws


def cmd_roster(args: argparse.Namespace) -> int:
    ws = _open(args)
    try:
        try:
            done = ops.import_roster(Run.plain(ws), Path(args.file))
        except ops.RosterRefused as exc:
            print(f"错误：名册 {args.file} 未导入，请改正后重试：\n{exc.detail}", file=sys.stderr)
            return 1
    finally:
        ws.close()
    print(f"名册已导入：{done.summary()}")
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    ws = _open(args, lock=False)
    try:
        run = Run.plain(ws)
        if args.csv:
            try:
                count = ops.export_members(run, Path(args.csv))
            except ExportError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return 1
            print(f"名册（{count} 个机构）已写入 {args.csv}")
            return 0
        found = ops.members(run)
    finally:
        ws.close(backup_on_exit=False)
    for m in found:
        print("\t".join([m.code, m.name, m.level, m.parent_code or "", m.status]))
    print(f"共 {len(found)} 个机构，在册 {sum(1 for m in found if m.active)} 个")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    ws = _open(args)
    try:
        run = ops.import_workbooks(
            Run.plain(ws), [Path(p) for p in args.paths], periods=args.period or None
        )
    finally:
        ws.close()
    for r in run.results:
        who = printable(f"{r.org_code} {r.org_name}".strip()) or "-"
        what = printable(f"{r.period} 第{r.revision}版" if r.revision else (r.period or "-"))
        line = f"{r.label}\t{r.shown_path}\t{who}\t{what}"
        if r.message:
            line += f"\t{r.message}"
        print(line, file=sys.stderr if r.outcome == REJECTED else sys.stdout)
    print(run.summary())
    return 1 if run.rejected else 0


def cmd_status(args: argparse.Namespace) -> int:
    ws = _open(args, lock=False)
    out = args.xlsx or args.csv
    try:
        run = Run.plain(ws)
        if out:
            try:
                status = ops.export_status(run, args.period, Path(out))
            except ExportError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return 1
            print(f"{status.summary()}\n已写入 {out}")
            return 0
        status = ops.status(run, args.period)
    finally:
        ws.close(backup_on_exit=False)
    for row in status.rows:
        print("\t".join(row.cells()).rstrip())
    print(status.summary())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    ws = _open(args)
    try:
        run = Run.plain(ws)
        if not (args.xlsx or args.pdf):
            result = ops.district_report(run, args.period)
            if not result.used:
                print(
                    f"错误：{args.period.label}还没有接收到任何成员机构的工作簿，无法汇总",
                    file=sys.stderr,
                )
                return 1
            print(result.describe())
            print_table(result.report)
            return 0
        named = {Path(a): a for a in (args.xlsx, args.pdf) if a}  # printed as typed
        signing = key_ops.signer_for(run, args.login_used.password) if args.xlsx else None
        try:
            files = ops.write_report(
                run,
                args.period,
                xlsx=args.xlsx and Path(args.xlsx),
                pdf=args.pdf and Path(args.pdf),
                signer=signing and signing.signer,
            )
        except ops.NothingToSum as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        except ops.ReportPartlyWritten as exc:
            print(f"错误：{exc}", file=sys.stderr)
            if exc.written:
                print("已写入：" + "、".join(named[p] for p in exc.written), file=sys.stderr)
            return 1
    finally:
        ws.close()
    for warning in files.warnings:
        print(f"注意：{warning}")
    print(files.result.describe())
    if signing is not None:
        print(f"汇总工作簿{signing.note}")
    print("已写入：" + "、".join(named[p] for p in files.written))
    return 0


def cmd_key_add(args: argparse.Namespace) -> int:
    """Register a member's public key from its registration file (exit 1 if refused)."""
    ws = _open(args)
    try:
        done = key_ops.register_member_key(Run.plain(ws), Path(args.file), reason=args.reason)
    finally:
        ws.close()
    for w in done.warnings:
        print(f"注意：{printable(w)}")
    print(printable(done.summary()))
    return 0


def cmd_key_list(args: argparse.Namespace) -> int:
    ws = _open(args, lock=False)
    try:
        found = key_ops.member_keys(Run.plain(ws))
    finally:
        ws.close(backup_on_exit=False)
    for k in found:
        replaced = (
            f"已于 {k.replaced_at} 更换（{k.replace_reason or ''}）" if k.replaced_at else "当前"
        )
        print("\t".join([k.org_code, printable(k.org_name), k.fingerprint, k.added_at, replaced]))
    print(f"共登记 {len(found)} 个公钥，涉及 {len({k.org_code for k in found})} 个机构")
    return 0


def cmd_receipts(args: argparse.Namespace) -> int:
    ws = _open(args, lock=False)
    try:
        done = ops.write_receipts(Run.plain(ws), args.period, Path(args.out), args.org or None)
    except (ExportError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        ws.close(backup_on_exit=False)
    for w in done.warnings:
        print(f"注意：{w}")
    print(f"已写出 {len(done.written)} 份回执到 {args.out}")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    ws = _open(args)
    try:
        try:
            sub = ops.withdraw(Run.plain(ws), args.org, args.period, args.revision, args.reason)
        except ops.WithdrawFailed as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
    finally:
        ws.close()
    print(
        f"已撤销 {sub.org_code} {printable(sub.org_name)} {sub.period} 第{sub.revision}版"
        f"（原因：{printable(sub.withdrawn_reason or '')}）；该机构的下一个文件将照常接收"
    )
    return 0


def _revision(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) <= 999_999_999:
        raise argparse.ArgumentTypeError(f"版本号“{text}”应为正整数")
    return int(text)


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``ygt bureau`` and its commands to ``ygt``'s sub-parsers."""
    bureau = sub.add_parser(
        "bureau", help="区、市级：成员名册、导入上报工作簿、上报情况、汇总报表、回执"
    )
    commands = bureau.add_subparsers(dest="bureau_command", required=True, metavar="命令")
    s = commands.add_parser(
        "roster", help="导入成员机构名册（.xlsx 或 .csv，表头 机构代码,机构名称,级别,上级代码）"
    )
    db_arg(s)
    s.add_argument("file", metavar="名册文件", help="成员机构名册（.xlsx 或 .csv）")
    s.set_defaults(func=cmd_roster)
    s = commands.add_parser("members", help="列出成员机构，或用 --csv 导出名册")
    db_arg(s)
    s.add_argument("--csv", metavar=mv.FILE, help="导出为 CSV（可改后再导入）")
    s.set_defaults(func=cmd_members)
    s = commands.add_parser("import", help="导入上报工作簿：文件或文件夹（含子文件夹），可多个")
    db_arg(s)
    s.add_argument(
        "--period",
        type=period_arg,
        action="append",
        metavar=mv.PERIOD,
        help="只接收这个统计期，如 2026Q3（可重复）；默认接收任何已结束的统计期",
    )
    s.add_argument(
        "paths", nargs="+", metavar="文件或文件夹", help="上报工作簿，或存放工作簿的文件夹"
    )
    s.set_defaults(func=cmd_import)
    s = commands.add_parser("status", help="某统计期的上报情况：已报、迟报、未报")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    out = s.add_mutually_exclusive_group()
    out.add_argument("--xlsx", metavar=mv.FILE, help="导出为工作簿")
    out.add_argument("--csv", metavar=mv.FILE, help="导出为 CSV")
    s.set_defaults(func=cmd_status)
    s = commands.add_parser("report", help="汇总报表：上报工作簿（含排名表）和 PDF")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.add_argument("--xlsx", metavar=mv.FILE, help="写出汇总的上报工作簿")
    s.add_argument("--pdf", metavar=mv.FILE, help="写出 PDF")
    s.set_defaults(func=cmd_report)
    s = commands.add_parser("receipts", help="给报送单位的回执（PDF，每个机构一份）")
    db_arg(s)
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.add_argument("--out", required=True, metavar=mv.FOLDER, help="回执写入哪个文件夹")
    s.add_argument(
        "--org",
        action="append",
        metavar=mv.ORG_CODE,
        help="只给这个机构（可重复）；默认给所有报送过的机构",
    )
    s.set_defaults(func=cmd_receipts)
    s = commands.add_parser("withdraw", help="撤销已接收的上报工作簿（需填写原因，记入审计日志）")
    db_arg(s)
    s.add_argument("--org", required=True, metavar=mv.ORG_CODE, help="报送工作簿的机构")
    s.add_argument(
        "--period", type=period_arg, required=True, metavar=mv.PERIOD, help=mv.PERIOD_HELP
    )
    s.add_argument(
        "--revision",
        type=_revision,
        required=True,
        metavar="版本号",
        help="要撤销的版本号（ygt bureau status 列出）",
    )
    s.add_argument("--reason", required=True, metavar=mv.REASON, help="撤销的原因（记入审计日志）")
    s.set_defaults(func=cmd_withdraw)
    keys = commands.add_parser("key", help="成员机构公钥：登记、列出")
    key_commands = keys.add_subparsers(dest="key_command", required=True, metavar="命令")
    s = key_commands.add_parser("add", help="登记成员机构的公钥登记文件（更换须 --reason）")
    db_arg(s)
    s.add_argument("file", metavar="登记文件", help="成员机构导出的公钥登记文件（.json）")
    s.add_argument("--reason", metavar=mv.REASON, help="更换已登记公钥的原因（记入审计日志）")
    s.set_defaults(func=cmd_key_add)
    s = key_commands.add_parser("list", help="列出已登记的公钥：机构、指纹、登记时间、更换")
    db_arg(s)
    s.set_defaults(func=cmd_key_list)
