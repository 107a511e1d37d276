"""``ygt`` — the same operations as the window, without a screen.

Commands: init, demo, backup, check, restore, backups, print, worklist, report, lists,
submit, bureau. Output and errors are Chinese; the exit status is 0 on success, 1 on a problem
the message explains, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, cli_bureau, cli_report
from .core import schedules as sch
from .core.forms import PACKAGES, FormFileError
from .paths import default_db_path  # also imported from here by older callers
from .storage import backup
from .storage.db import StoreError, connect, looks_like_sqlite, quick_check
from .storage.organisation import (
    LEVELS,
    Organisation,
    add_village,
    check_village,
    set_organisation,
    villages,
)
from .storage.workspace import Workspace


class CliError(Exception):
    pass


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
    if path.exists() and path.stat().st_size > 0:
        raise CliError(f"数据库文件 {path} 已存在，未做任何改动。")
    org = Organisation(args.org_code, args.org_name, args.org_level, args.parent_code)
    if org.is_bureau and args.village:
        raise CliError(f"{org.level}级机构没有辖区居委/村委，请去掉 --village；"
                       "成员机构用 ygt bureau roster 导入。")
    ws = Workspace.open(path, create=True)
    try:
        set_organisation(ws.store, org)
        for code, name in [] if org.is_bureau else args.village or [("001", "本辖区居委会")]:
            add_village(ws.store, code, name)
    except BaseException:
        ws.close(backup_on_exit=False)
        path.unlink(missing_ok=True)
        raise
    ws.close()
    print(f"已创建数据库 {path}：{org.name}（{org.code}，{org.level}）")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .core.tcm import ScoringConfig
    from .demo import base_data
    from .demo import residents as synthetic
    from .demo.load_contracts import demo_contracts
    from .demo.load_equipment import load_demo_equipment
    from .demo.load_referrals import load_demo_referrals
    from .demo.load_residents import load_residents
    from .demo.load_services import demo_people, load_services
    from .demo.services import generate_services

    path = Path(args.db)
    today = dt.date.fromisoformat(args.today) if args.today else min(
        dt.date(args.year, 12, 31), dt.date.today())
    started = time.perf_counter()
    ws = Workspace.open(path, create=True)
    services: dict[str, int] = {}
    referrals = (0, 0)  # referrals, dismissed suggestions
    equipment: dict[str, int] = {}
    contracts: dict[str, int] = {}
    try:
        if ws.organisation is None:
            set_organisation(ws.store, Organisation("530102001", "五华区示范社区卫生服务站", "站",
                                                    "530102"))
        existing = villages(ws.store)
        if not existing:
            rng = random.Random(args.seed)
            for v in synthetic.generate_villages(rng, args.villages):
                add_village(ws.store, v.code, v.name)
            existing = villages(ws.store)
        gen_villages = [synthetic.SyntheticVillage(v.code, v.name) for v in existing]
        org = ws.organisation
        assert org is not None
        before = int(ws.store.conn.execute("SELECT coalesce(max(id), 0) FROM residents")
                     .fetchone()[0])
        people = synthetic.generate_residents(args.seed, args.residents, args.year, gen_villages,
                                              today, county_code=org.code[:6])
        count = load_residents(ws.store, ws.forms["resident"], people)
        residents_done = time.perf_counter()
        if not args.no_services:
            scoring = ScoringConfig.from_settings(ws.forms["tcm_elderly"].settings)
            has_logs = ws.store.conn.execute(
                "SELECT 1 FROM service_records WHERE resident_id IS NULL LIMIT 1").fetchone()
            records = generate_services(demo_people(ws.store, after_id=before), today,
                                        args.seed, scoring=scoring,
                                        station_logs=has_logs is None)
            services = load_services(ws.store, ws.forms, records, today=today, seed=args.seed)
            referrals = load_demo_referrals(ws.store, ws.forms, today=today, seed=args.seed,
                                            after_id=before)
        contracts = demo_contracts(ws.store, ws.forms, args.seed, today)
        equipment = load_demo_equipment(ws.store, ws.forms, args.seed, today)
        base_data.fill_demo(ws, today)
    finally:
        ws.close()
    made = f"{count} 名居民"
    if services:
        print(f"服务记录（{time.perf_counter() - residents_done:.1f} 秒）：")
        for form_id, n in sorted(services.items(), key=lambda kv: (ws.forms[kv[0]].order, kv[0])):
            print(f"  {ws.forms[form_id].label}\t{n}")
        made += f"和 {sum(services.values())} 条服务记录"
    if any(referrals):
        print(f"双向转诊：{referrals[0]} 份转诊单，{referrals[1]} 条转诊建议已说明不转诊")
    if contracts:
        print(f"家医签约：{contracts['teams']} 个团队，{contracts['contracts']} 份签约（含续约），"
              f"{contracts['payments']} 笔到账，{contracts['surveys']} 份满意度问卷")
    if equipment:
        print(f"设备台账：{equipment['equipment']} 台设备，{equipment['equipment_status']} 条状态变更，"
              f"{equipment['equipment_maintenance']} 条维修保养记录，1 次已完成的盘点")
    print(f"已生成 {made}（种子 {args.seed}，{today.isoformat()}），"
          f"用时 {time.perf_counter() - started:.1f} 秒：{path}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    path = Path(args.db)
    ws = Workspace.open(path)
    try:
        made = backup.make_backup(ws.store.conn, path, reason="手动")
    finally:
        ws.close(backup_on_exit=False)
    print(f"已备份到 {made}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if not path.exists():
        raise CliError(f"数据库文件 {path} 不存在")
    if not looks_like_sqlite(path):
        raise CliError(f"文件 {path} 不是本程序的数据库（不是 SQLite 数据库文件）")
    try:
        conn = connect(path, readonly=True)
        try:
            problems = quick_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    good = backup.newest_good_backup(path)
    if problems:
        print(f"数据库 {path} 已损坏：")
        for p in problems[:10]:
            print(f"  {p}")
        if good:
            print(f"最近的完好备份：{good.path}（{good.created_at:%Y-%m-%d %H:%M}）。"
                  f"恢复：ygt restore --db {path} {good.path}")
        return 1
    ws = Workspace.open(path, lock=False)
    try:
        org = ws.organisation
        n = ws.residents.count()
    finally:
        ws.close(backup_on_exit=False)
    print(f"数据库 {path} 完好。")
    if org:
        print(f"机构：{org.name}（{org.code}，{org.level}）")
    print(f"居民档案：{n} 份")
    print(f"最近备份：{good.created_at:%Y-%m-%d %H:%M}" if good else "最近备份：无")
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
    from .reports import worklist_rows as rows
    from .reports.worklist_pdf import render_worklist

    on = args.on or dt.date.today()
    start = args.date_from or rows.week_of(on)[0]
    end = args.date_to or rows.week_of(start)[1]
    if end < start:
        print(f"错误：结束日期 {end} 不能早于开始日期 {start}", file=sys.stderr)
        return 2
    ws = Workspace.open(Path(args.db), lock=False)
    try:
        names = {v.code: v.name for v in villages(ws.store)}
        if args.village is not None and args.village not in names:
            known = "、".join(f"{c} {n}" for c, n in names.items()) or "无"
            raise CliError(f"居委/村委代码 {args.village} 不存在（已有：{known}）")
        doctors = ws.worklist.doctors() if args.doctor is not None else []
        if args.doctor is not None and args.doctor not in doctors:
            known = "、".join(doctors) or "无"
            raise CliError(f"没有责任医生为“{args.doctor}”的居民（已有：{known}）")
        items = ws.worklist.items(start, end, on, packages=args.package, village=args.village,
                                  statuses=args.status, doctor=args.doctor)
        org_name = ws.organisation.name if ws.organisation else ""
    finally:
        ws.close(backup_on_exit=False)
    village = f"{args.village} {names[args.village]}" if args.village else None
    filters = rows.filters_text(args.package, village, args.status, args.doctor)
    try:
        if args.pdf is not None:
            warnings = render_worklist(items, args.pdf, org_name=org_name, start=start, end=end,
                                       on=on, filters_text=filters, village_names=names)
            print(f"已将待办随访名单（{len(items)} 项）打印到 {args.pdf}")
            for w in warnings:
                print(f"注意：{w}")
        if args.csv is not None:
            rows.write_csv(items, args.csv, on=on, village_names=names)
            print(f"已将待办随访表格（{len(items)} 项）导出到 {args.csv}")
    except OSError as exc:
        raise CliError(f"无法写入 {exc.filename or ''}：{exc.strerror or exc}") from exc
    if args.pdf is None and args.csv is None:
        print(f"待办随访 {start} 至 {end}（状态和年龄按 {on} 计）；{filters}")
        print(rows.text_table(rows.worklist_rows(items, on, names)))
        print(rows.counts_text(items))
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    for info in backup.list_backups(Path(args.db)):
        print(f"{info.created_at:%Y-%m-%d %H:%M:%S}\t{info.reason or ''}\t"
              f"{info.size // 1024} KB\t{info.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = Path(args.db)
    from .storage.db import InstanceLock

    lock = InstanceLock(path)
    lock.acquire()
    try:
        aside = backup.restore(path, Path(args.backup))
    finally:
        lock.release()
    print(f"已从 {args.backup} 恢复到 {path}" + (f"；原文件已另存为 {aside}" if aside else ""))
    return 0


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD，如 2026-11-30（现为 {text}）") from None


def cmd_print(args: argparse.Namespace) -> int:
    from .reports import print_record

    if args.record is None and (args.resident is None or args.form is None):
        raise CliError("请用 --record 指定服务记录，或用 --resident 和 --form 指定居民和表单。")
    out = Path(args.out)
    ws = Workspace.open(Path(args.db))
    try:
        record_id = args.record if args.record is not None else print_record.find_record(
            ws, args.resident, args.form, args.date)
        record = print_record.load(ws, record_id)
        warnings = print_record.render(record, out, id_masked=not args.full_id)
    finally:
        ws.close(backup_on_exit=False)
    print(f"已打印服务记录 {record_id}（{record.form.label}）到 {out}")
    for w in warnings:
        print(f"注意：{w}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ygt", description="基层公共卫生服务系统 命令行")
    p.add_argument("--version", action="version", version=f"ygt {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    def db_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", default=str(default_db_path()),
                        help="数据库文件（默认在用户数据目录）")

    s = sub.add_parser("init", help="新建数据库并设置本机构")
    db_arg(s)
    s.add_argument("--org-code", required=True,
                   help="机构代码（站、中心：GB/T 2260 区划代码 + 乡镇码，9位；区、市：6位区划代码）")
    s.add_argument("--org-name", required=True, help="机构名称")
    s.add_argument("--org-level", required=True, choices=LEVELS,
                   help="机构级别：站、中心录入居民和服务；区、市（区卫健局等）接收并汇总上报工作簿")
    s.add_argument("--parent-code", help="上级机构代码")
    s.add_argument("--village", action="append", type=_parse_village,
                   help="辖区居委/村委，代码=名称，可重复；如 101=小坝村委会")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("demo", help="生成演示数据（同一种子结果相同）")
    db_arg(s)
    s.add_argument("--residents", type=int, default=10000, help="居民人数（默认 10000）")
    s.add_argument("--seed", type=int, default=1, help="随机种子")
    s.add_argument("--year", type=int, default=dt.date.today().year, help="数据年份")
    s.add_argument("--today", help="以哪一天为“今天”（YYYY-MM-DD），默认年底或今天")
    s.add_argument("--villages", type=int, default=12, help="新建数据库时生成的居委/村委数")
    s.add_argument("--no-services", action="store_true",
                   help="只生成居民，不生成服务记录（随访、体检、孕产妇等）")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("backup", help="立即备份数据库")
    db_arg(s)
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("check", help="检查数据库是否完好")
    db_arg(s)
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("worklist", help="待办随访名单：打印为 PDF、导出表格或显示在屏幕上")
    db_arg(s)
    for flag, dest, text in (("--from", "date_from", "开始日期，默认本周一"),
                             ("--to", "date_to", "结束日期，默认开始日期所在周的周日"),
                             ("--on", "on", "按哪一天计算状态和年龄，默认今天")):
        s.add_argument(flag, dest=dest, type=_worklist_date, metavar="YYYY-MM-DD", help=text)
    s.add_argument("--package", nargs="+", action="extend", type=_one_of("服务包", PACKAGES),
                   metavar="服务包", help="只列这些服务包，如 疾控包 妇幼包")
    s.add_argument("--village", metavar="代码", help="只列这个居委/村委")
    s.add_argument("--doctor", metavar="姓名", help="只列这位责任医生的居民")
    statuses = (sch.OVERDUE, sch.DUE, sch.UPCOMING, sch.DONE, sch.LOST, sch.CLOSED)
    s.add_argument("--status", nargs="+", action="extend", type=_one_of("状态", statuses),
                   metavar="状态", help="只列这些状态，如 逾期 应访")
    s.add_argument("--pdf", type=Path, metavar="文件", help="打印为 PDF 文件（A4 横向）")
    s.add_argument("--csv", type=Path, metavar="文件", help="导出为 CSV 表格（Excel 可直接打开）")
    s.set_defaults(func=cmd_worklist)

    s = sub.add_parser("backups", help="列出备份")
    db_arg(s)
    s.set_defaults(func=cmd_backups)

    s = sub.add_parser("restore", help="从备份恢复（原文件另存，不删除）")
    db_arg(s)
    s.add_argument("backup", help="备份文件")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("print", help="把一条服务记录按纸质表格式样打印为 PDF")
    db_arg(s)
    which = s.add_mutually_exclusive_group(required=True)
    which.add_argument("--record", type=int, help="服务记录编号")
    which.add_argument("--resident", type=int, help="居民编号（与 --form 一起用：打印最近一条）")
    s.add_argument("--form", help="表单编号，如 htn_followup（与 --resident 一起用）")
    s.add_argument("--date", type=_parse_date, help="只找这一天的记录（YYYY-MM-DD）")
    s.add_argument("--out", required=True, help="PDF 文件路径")
    s.add_argument("--full-id", action="store_true", help="打印完整身份证号（默认遮盖中间数字）")
    s.set_defaults(func=cmd_print)
    cli_report.register(sub, db_arg)
    cli_bureau.register(sub, db_arg)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles default to GBK
        sys.stderr.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `ygt … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, StoreError, FormFileError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
