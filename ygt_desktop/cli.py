"""``ygt`` — the same operations as the window, without a screen.

Commands: init, demo, backup, check, restore, backups, print, worklist, report, lists,
submit, bureau. Output and errors are Chinese; the exit status is 0 on success, 1 on a problem
the message explains, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from . import (
    __version__,
    argparse_zh,
    cli_bureau,
    cli_households,
    cli_keys,
    cli_report,
    cli_users,
    cli_vaccines,
)
from . import cli_args as mv
from .cli_login import LoginMissing, add_user_arg, login_of, new_password, user_name
from .core import schedules as sch
from .core.forms import PACKAGES
from .core.roles import first_role
from .ops import backup as backups
from .ops import station
from .ops.base import USER_ERRORS
from .ops.report import PartlyWritten
from .ops.users import Login
from .paths import (
    default_db_path,  # also imported from here by older callers
    private_umask,
)
from .storage.organisation import LEVELS, Organisation, check_org, check_village


class CliError(Exception):
    """Refused before any work, with a reason in Chinese (exit 1)."""


# Printed as "错误：…" with exit 1; OpCancelled is among them (no cancel here, though).
REFUSED: tuple[type[Exception], ...] = (CliError, LoginMissing, *USER_ERRORS)


def _parse_village(text: str) -> tuple[str, str]:
    code, sep, name = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("居委/村委应写作 代码=名称，如 101=小坝村委会")
    problem = check_village(code.strip(), name.strip())
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return code.strip(), name.strip()


def cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.db)
    org_in = Organisation(args.org_code, args.org_name, args.org_level, args.parent_code)
    head = None
    if args.user or os.environ.get("YGT_USER"):
        name = user_name(args)
        secret = os.environ.get("YGT_PASSWORD")
        head = Login(name, secret if secret is not None else new_password("密码"))
    codes: list[str] = []
    org = station.init(path, org_in, args.village, head=head, made=codes)
    print(f"已创建数据库 {path}：{org.name}（{org.code}，{org.level}）")
    if head is not None:
        print(f"已建立{first_role(org.is_bureau)}账户：{head.name}")
        print(f"恢复码（只显示这一次，请抄下或打印后妥善保管，忘记密码时用）：{codes[0]}")
    else:
        print("尚未建立用户账户：请运行 ygt user add 姓名 --role 站长，或在程序窗口中按提示建立。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .ops import demo

    path = Path(args.db)
    if args.today is not None and (problem := demo.today_problem(args.today, args.year)):
        print(f"错误：{problem}。未做任何改动。", file=sys.stderr)
        return 2
    org = None
    if args.org_code or args.org_name:
        org = Organisation(
            args.org_code or demo.DEMO_ORG.code,
            args.org_name or demo.DEMO_ORG.name,
            "站",
            args.parent_code or (args.org_code or demo.DEMO_ORG.code)[:6],
        )
        if errors := check_org(org.code, org.name, org.level, org.parent_code):
            print(f"错误：{'；'.join(errors.values())}。未做任何改动。", file=sys.stderr)
            return 2
    today = args.today or demo.default_today(args.year)
    started = time.perf_counter()
    with demo.opened(path, lambda: login_of(args)) as run:
        forms = run.ws.forms
        made = demo.generate(
            run,
            residents=args.residents,
            seed=args.seed,
            year=args.year,
            today=today,
            village_count=args.villages,
            services=not args.no_services,
            org=org,
        )
    done = f"{made.residents} 名居民"
    if made.services:
        print(f"服务记录（{made.services_seconds:.1f} 秒）：")
        for form_id, n in sorted(made.services.items(), key=lambda kv: (forms[kv[0]].order, kv[0])):
            print(f"  {forms[form_id].label}\t{n}")
        done += f"和 {sum(made.services.values())} 条服务记录"
    if made.referrals or made.dismissed:
        print(f"双向转诊：{made.referrals} 份转诊单，{made.dismissed} 条转诊建议已说明不转诊")
    if made.contracts:
        c = made.contracts
        print(
            f"家医签约：{c['teams']} 个团队，{c['contracts']} 份签约（含续约），"
            f"{c['payments']} 笔到账，{c['surveys']} 份满意度问卷"
        )
    if made.equipment:
        e = made.equipment
        print(
            f"设备台账：{e['equipment']} 台设备，{e['equipment_status']} 条状态变更，"
            f"{e['equipment_maintenance']} 条维修保养记录，1 次已完成的盘点"
        )
    print(
        f"已生成 {done}（种子 {args.seed}，{today.isoformat()}），"
        f"用时 {time.perf_counter() - started:.1f} 秒：{path}"
    )
    names = "、".join(f"{n}（{r}）" for n, r in demo.DEMO_ACCOUNTS)
    print(f"演示账户：{names}，密码都是 {demo.DEMO_PASSWORD}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with station.opened(Path(args.db), login=login_of(args)) as run:
        made = backups.make(run)
    print(f"已备份到 {made}")
    problems = backups.verify(made)  # a backup counts as good only once fully checked
    if problems:
        print(f"错误：备份 {made.name} 未通过完整性检查，不能作为完好的备份：", file=sys.stderr)
        for p in problems[:5]:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("备份已通过完整性检查（integrity_check）。", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    health = backups.check(Path(args.db), quick=args.quick)
    path, good = health.path, health.good_backup
    how = (
        "完整检查（integrity_check）"
        if health.full
        else "快速检查（quick_check，不核对索引；完整检查请去掉 --quick）"
    )
    if not health.ok:
        print(f"数据库 {path} 已损坏：")
        for p in health.problems[:10]:
            print(f"  {p}")
        if good:
            print(
                f"最近的完好备份：{good.path}（{good.created_at:%Y-%m-%d %H:%M}）。"
                f"恢复：ygt restore --db {path} {good.path}"
            )
        else:
            print("没有通过完整性检查的备份可以恢复。请联系技术支持。")
        print(f"检查方式：{how}")
        return 1
    org = health.organisation
    if health.audit:
        print(f"数据库 {path} 文件完好，但审计日志与数据不符（可能有人绕过本程序直接修改）：")
    else:
        print(f"数据库 {path} 完好。")
    if org:
        print(f"机构：{org.name}（{org.code}，{org.level}）")
    print(f"居民档案：{health.residents} 份")
    print(f"最近备份：{good.created_at:%Y-%m-%d %H:%M}" if good else "最近备份：无")
    print(f"检查方式：{how}")
    if health.unverified:
        print(f"尚未完整检查的备份：{health.unverified} 个（不算作完好的备份）")
    if health.audit:
        print("审计日志：发现问题")
        for message in health.audit:
            print(f"  {message}")
        return 1
    if health.audit_checked:
        print("审计日志：哈希链完整，记录与审计日志一致")
    return 0


def _worklist_date(text: str) -> dt.date:
    from .core.dates import DateError, parse_date

    try:
        return parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _one_of(what: str, options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise argparse.ArgumentTypeError(f"{what}应为 {'、'.join(options)} 之一（现为 {text}）")
        return text

    return parse


def cmd_worklist(args: argparse.Namespace) -> int:
    from .core.masking import Shown
    from .ops import privacy, worklist
    from .reports import worklist_rows as rows

    start, end, on = worklist.week_range(args.on, args.date_from, args.date_to)
    if end < start:
        print(f"错误：结束日期 {end} 不能早于开始日期 {start}", file=sys.stderr)
        return 2
    query = worklist.Query(
        start,
        end,
        on,
        packages=args.package,
        village=args.village,
        statuses=args.status,
        doctor=args.doctor,
        view=args.view,
    )
    with station.opened(Path(args.db), lock=False, login=login_of(args)) as run:
        if args.pdf is None and args.csv is None:
            listing = worklist.items(run, query)
            # On screen as in the window: phones in full for those who phone residents.
            shown = Shown(phones=privacy.shows_phones(run.actor))
        else:
            done = worklist.export(
                run, query, pdf=args.pdf, csv=args.csv, full_phone=args.full_phone
            )
            listing = done.listing
    count = len(listing.items)
    if args.pdf is None and args.csv is None:
        # One line per resident, as on the page and in print (the CSV has one row per item).
        print(f"待办随访 {start} 至 {end}（状态和年龄按 {on} 计）；{listing.filters}")
        lines = rows.line_rows(listing.lines, on, listing.village_names, shown)
        print(rows.text_table(lines, rows.LINE_COLUMNS))
        print(listing.counts)
        return 0
    if args.pdf is not None:
        people = len(listing.lines)
        print(f"已将待办随访名单（{people} 人 {count} 项）打印到 {args.pdf}")
        for w in done.warnings:
            print(f"注意：{w}")
    if args.csv is not None:
        print(f"已将待办随访表格（{count} 项）导出到 {args.csv}")
    if not args.full_phone:
        print("电话号码已遮挡（需要完整号码请加 --full-phone）")
    return 0


BACKUP_STATE = {True: "已校验", False: "已损坏", None: "未校验"}


def cmd_backups(args: argparse.Namespace) -> int:
    for info in backups.list_all(Path(args.db)):
        print(
            f"{info.created_at:%Y-%m-%d %H:%M:%S}\t{info.reason or ''}\t"
            f"{info.size // 1024} KB\t{BACKUP_STATE[info.ok]}\t{info.path}"
        )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.db)
    aside = backups.restore(path, Path(args.backup), login_of(args))
    print(f"已从 {args.backup} 恢复到 {path}" + (f"；原文件已另存为 {aside}" if aside else ""))
    return 0


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写作 YYYY-MM-DD，如 2026-11-30（现为 {text}）"
        ) from None


def _demo_number(what: str, problem: str) -> Callable[[str], int]:
    """An argparse type for ``ygt demo``'s numbers, checked by ``ops.demo.<problem>``."""

    def parse(text: str) -> int:
        from .ops import demo

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}应为整数（现为 {text}）") from None
        wrong: str | None = getattr(demo, problem)(value)
        if wrong:
            raise argparse.ArgumentTypeError(wrong)
        return value

    return parse


def cmd_print(args: argparse.Namespace) -> int:
    from .ops import records

    if args.record is None and (args.resident is None or args.form is None):
        raise CliError("请用 --record 指定服务记录，或用 --resident 和 --form 指定居民和表单。")
    out = Path(args.out)
    with station.opened(Path(args.db), login=login_of(args)) as run:
        done = records.print_pdf(
            run,
            out,
            record_id=args.record,
            resident_id=args.resident,
            form_id=args.form,
            on=args.date,
            full_id=args.full_id,
            full_phone=args.full_phone,
        )
    print(f"已打印服务记录 {done.record_id}（{done.label}）到 {out}")
    for w in done.warnings:
        print(f"注意：{w}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    argparse_zh.install()  # help and usage errors in Chinese (before any parser)
    p = argparse.ArgumentParser(prog="ygt", description="基层公共卫生服务系统 命令行")
    p.add_argument("--version", action="version", version=f"ygt {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    def db_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", default=str(default_db_path()), metavar=mv.FILE, help=mv.DB_HELP)
        add_user_arg(sp)

    s = sub.add_parser("init", help="新建数据库并设置本机构")
    db_arg(s)
    s.add_argument(
        "--org-code",
        required=True,
        metavar=mv.ORG_CODE,
        help="站、中心：6位行政区划代码 + 3位乡镇码，共9位；区、市：6位行政区划代码",
    )
    s.add_argument("--org-name", required=True, metavar=mv.ORG_NAME, help="机构名称")
    s.add_argument(
        "--org-level",
        required=True,
        choices=LEVELS,
        help="机构级别：站、中心录入居民和服务；区、市（区卫健局等）接收并汇总上报工作簿",
    )
    s.add_argument("--parent-code", metavar=mv.ORG_CODE, help="上级机构的代码")
    s.add_argument(
        "--village",
        action="append",
        type=_parse_village,
        metavar="代码=名称",
        help="辖区的居委/村委，可重复；如 101=小坝村委会（001–099 居委会，101–199 村委会）",
    )
    s.set_defaults(func=cmd_init)

    s = sub.add_parser(
        "demo",
        help="生成演示数据（同一种子结果相同）：只写入新文件或 ygt demo 生成的演示数据库",
    )
    db_arg(s)
    s.add_argument(
        "--residents",
        type=_demo_number("居民人数", "residents_problem"),
        default=10000,
        metavar="人数",
        help="居民人数，1–500000（默认 10000）",
    )
    s.add_argument(
        "--seed",
        type=_demo_number("随机种子", "seed_problem"),
        default=1,
        metavar="种子",
        help="随机种子，整数（默认 1）：种子相同，生成的数据就相同",
    )
    s.add_argument(
        "--year",
        type=_demo_number("数据年份", "year_problem"),
        default=dt.date.today().year,
        metavar="年份",
        help="数据年份，2000–2100（默认今年）",
    )
    s.add_argument(
        "--today",
        type=_parse_date,
        metavar=mv.DATE,
        help="以哪一天为“今天”（数据年份之内或次年），默认今天或年底",
    )
    s.add_argument(
        "--villages",
        type=_demo_number("居委/村委数", "villages_problem"),
        default=12,
        metavar="个数",
        help="新建数据库时生成几个居委/村委，1–99（默认 12）",
    )
    s.add_argument(
        "--no-services",
        action="store_true",
        help="只生成居民，不生成服务记录（随访、体检、孕产妇等）",
    )
    s.add_argument(
        "--org-code", metavar=mv.ORG_CODE, help="新建演示数据库的机构代码（9位，默认 530102001）"
    )
    s.add_argument("--org-name", metavar=mv.ORG_NAME, help="新建演示数据库的机构名称")
    s.add_argument(
        "--parent-code",
        metavar=mv.ORG_CODE,
        help="新建演示数据库的上级机构代码（默认机构代码的前6位）",
    )
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("backup", help="立即备份数据库")
    db_arg(s)
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("check", help="检查数据库是否完好（完整检查，含审计日志）")
    db_arg(s)
    s.add_argument("--quick", action="store_true", help="只做快速检查（几秒内完成，不核对索引）")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("worklist", help="待办随访名单：打印为 PDF、导出表格或显示在屏幕上")
    db_arg(s)
    for flag, dest, text in (
        ("--from", "date_from", "开始日期，默认本周一"),
        ("--to", "date_to", "结束日期，默认开始日期所在周的周日"),
        ("--on", "on", "按哪一天计算状态和年龄，默认今天"),
    ):
        s.add_argument(flag, dest=dest, type=_worklist_date, metavar=mv.DATE, help=text)
    s.add_argument(
        "--package",
        nargs="+",
        action="extend",
        type=_one_of("服务包", PACKAGES),
        metavar="服务包",
        help="只列这些服务包，如 疾控包 妇幼包",
    )
    s.add_argument("--village", metavar="代码", help="只列这个居委/村委，如 101")
    s.add_argument("--doctor", metavar="医生姓名", help="只列这位责任医生的居民")
    statuses = (sch.OVERDUE, sch.DUE, sch.UPCOMING, sch.DONE, sch.LOST, sch.CLOSED)
    s.add_argument(
        "--status",
        nargs="+",
        action="extend",
        type=_one_of("状态", statuses),
        metavar="状态",
        help="只列这些状态，如 逾期 应访",
    )
    from .storage.worklist import DUE_VIEW, VIEWS

    s.add_argument(
        "--view",
        default=DUE_VIEW,
        type=_one_of("视图", VIEWS),
        metavar="视图",
        help="到期（默认：时间窗在此期间结束的和已逾期未做的随访、检查）、"
        "本年未做（每年一次的服务：健康体检、中医体质辨识）或 全部（时间窗与此期间重叠的一切）",
    )
    s.add_argument(
        "--pdf", type=Path, metavar=mv.FILE, help="打印为 PDF 文件（A4 横向，每位居民一行）"
    )
    s.add_argument(
        "--csv",
        type=Path,
        metavar=mv.FILE,
        help="导出为 CSV 表格（每个待办项目一行，Excel 可直接打开）",
    )
    s.add_argument(
        "--full-phone",
        action="store_true",
        help="文件中写出完整电话号码（默认遮挡；医生、站长、管理员可用，记入审计日志）",
    )
    s.set_defaults(func=cmd_worklist)

    s = sub.add_parser("backups", help="列出备份")
    db_arg(s)
    s.set_defaults(func=cmd_backups)

    s = sub.add_parser("restore", help="从备份恢复（原文件另存，不删除；须站长或管理员）")
    db_arg(s)
    s.add_argument("backup", metavar="备份文件", help="要恢复的备份（ygt backups 列出）")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("print", help="把一条服务记录按纸质表格式样打印为 PDF")
    db_arg(s)
    which = s.add_mutually_exclusive_group(required=True)
    which.add_argument("--record", type=mv.positive, metavar=mv.NUMBER, help="服务记录的编号")
    which.add_argument(
        "--resident",
        type=mv.positive,
        metavar=mv.NUMBER,
        help="居民的编号（与 --form 一起用：打印这位居民最近的一条）",
    )
    s.add_argument(
        "--form", metavar="表单", help="表单的代号，如 htn_followup（与 --resident 一起用）"
    )
    s.add_argument("--date", type=_parse_date, metavar=mv.DATE, help="只找这一天的记录")
    s.add_argument("--out", required=True, metavar=mv.FILE, help="写出的 PDF 文件")
    s.add_argument(
        "--full-id",
        action="store_true",
        help="打印完整身份证号（默认遮挡中间数字；仅站长可用，记入审计日志）",
    )
    s.add_argument(
        "--full-phone",
        action="store_true",
        help="打印完整电话号码（默认遮挡；医生、站长、管理员可用，记入审计日志）",
    )
    s.set_defaults(func=cmd_print)
    cli_report.register(sub, db_arg)
    cli_bureau.register(sub, db_arg)
    cli_users.register(sub, db_arg)
    cli_keys.register(sub, db_arg)
    cli_households.register(sub, db_arg)
    cli_vaccines.register(sub, db_arg)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()  # everything ygt writes (exports, logs, databases) is owner-only
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles default to GBK
        sys.stderr.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `ygt … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except REFUSED as exc:
        print(f"错误：{exc}", file=sys.stderr)
        if isinstance(exc, PartlyWritten) and exc.written:
            print("已写入：" + "、".join(map(str, exc.written)), file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: a short note for the user, the details in a log
        print(
            f"错误：处理时遇到意外错误（{type(exc).__name__}：{exc}）。{_log_unexpected(args)}",
            file=sys.stderr,
        )
        return 1


def _log_unexpected(args: argparse.Namespace) -> str:
    """Append the traceback to ``ygt-error.log`` beside the database (where the window
    logs too); say where, for the user to pass on."""
    log = Path(getattr(args, "db", None) or default_db_path()).parent / "ygt-error.log"
    try:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(
                f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} ygt {args.command}\n"
                f"{traceback.format_exc()}\n"
            )
    except OSError:
        return "详情未能记录。"
    return f"详情已记录到 {log}。"


if __name__ == "__main__":
    raise SystemExit(main())
