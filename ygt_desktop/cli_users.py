"""``ygt user …`` and ``ygt audit``: accounts and the audit log without a screen.

    ygt user add NAME --role 录入员|医生|站长|管理员|审核员   新用户（密码：YGT_NEW_PASSWORD 或终端输入）
    ygt user list                                         用户、角色、状态
    ygt user passwd NAME                                  改密码（自己的需原密码；他人的需站长/管理员）
    ygt user disable NAME | enable NAME | unlock NAME     停用、启用、解除锁定
    ygt user role NAME ROLE                               改角色
    ygt user roles                                        各角色的权限表
    ygt audit [--from D] [--to D] [--user U] [--table T] [--record N] [--csv OUT] [--as NAME]

Every command acts as the user of ``--user`` (``ygt audit``: ``--as``, since its
``--user`` filters) or ``$YGT_USER``, with the password in ``$YGT_PASSWORD``. The first
account of a database (its 站长; a bureau's 管理员) needs no login: there is nobody yet.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of, new_password
from .core import roles
from .ops import audit_log
from .ops import users as ops
from .ops.base import OpError
from .ops.station import opened
from .paths import default_db_path
from .storage import users
from .storage.workspace import Workspace


def _first_account(args: argparse.Namespace) -> int | None:
    """``user add`` on a database without accounts: its first account, no login."""
    ws = Workspace.open(Path(args.db))
    try:
        if users.has_users(ws.store):
            return None
        first = roles.first_role(ws.is_bureau)
        if args.role != first:
            raise OpError(f"数据库的第一个账户应为{first}（现为 {args.role}）。")
        code = ops.first_account(ws, args.name, new_password(f"{args.name} 的密码"))
    finally:
        ws.close()
    print(f"已建立{first}账户：{args.name.strip()}")
    print(f"恢复码（只显示这一次，请抄下或打印后妥善保管，忘记密码时用）：{code}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    done = _first_account(args)
    if done is not None:
        return done
    with opened(Path(args.db), login=login_of(args)) as run:
        run.require("users.manage")
        ops.add(run, args.name, args.role, new_password(f"{args.name} 的密码"))
    print(f"已添加用户 {args.name.strip()}（{args.role}）")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        rows = ops.listing(run)
    print("用户\t角色\t状态\t最近登录")
    for u in rows:
        state = "启用" if u.active else "停用"
        if u.locked_until:
            state += f"（锁定到 {u.locked_until[11:16]}）"
        print(f"{u.name}\t{u.role}\t{state}\t{(u.last_login or '')[:16].replace('T', ' ')}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    login = login_of(args)
    with opened(Path(args.db), login=login) as run:
        own = args.name.strip() == run.actor.name
        if not own:
            run.require("users.manage")
        ops.change_password(
            run, args.name.strip(), new_password("新密码"), old=login.password if own else None
        )
    print(f"已修改 {args.name.strip()} 的密码")
    return 0


def _simple(change: Callable[..., None], done: str) -> Callable[[argparse.Namespace], int]:
    def cmd(args: argparse.Namespace) -> int:
        with opened(Path(args.db), login=login_of(args)) as run:
            extra = (args.role,) if hasattr(args, "role") else ()
            change(run, args.name.strip(), *extra)
        print(done.format(name=args.name.strip(), role=getattr(args, "role", "")))
        return 0

    return cmd


def cmd_audit(args: argparse.Namespace) -> int:
    flt = audit_log.Filter(args.date_from, args.date_to, args.filter_user, args.table, args.record)
    if flt.since and flt.until and flt.since > flt.until:
        raise OpError(f"开始日期 {flt.since} 晚于结束日期 {flt.until}。")
    args.user = args.acting
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        if args.csv:
            n = audit_log.export_csv(run, flt, Path(args.csv))
            print(f"已导出 {n} 条审计记录到 {args.csv}")
            return 0
        rows = audit_log.entries(run, flt, limit=args.limit)
    print("序号\t时间\t用户\t数据表\t记录\t操作\t原因")
    for e in rows:
        print(
            f"{e.id}\t{e.at[:19].replace('T', ' ')}\t{e.user}\t{e.table}\t"
            f"{'' if e.record_id is None else e.record_id}\t{audit_log.action_label(e.action)}\t"
            f"{e.reason or ''}"
        )
    return 0


def cmd_roles(args: argparse.Namespace) -> int:
    """The role table as it is enforced (no database needed)."""
    print("权限\t" + "\t".join(roles.ROLES))
    for perm, (label, _who) in roles.PERMISSIONS.items():
        marks = ["✓" if roles.allowed(r, perm) else "" for r in roles.ROLES]
        print(f"{label}（{perm}）\t" + "\t".join(marks))
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``user`` and ``audit`` to ``ygt``'s subcommands."""
    user = sub.add_parser("user", help="用户账户：添加、列出、改密码、停用")
    commands = user.add_subparsers(dest="user_command", required=True, metavar="操作")

    s = commands.add_parser("add", help="添加用户（密码取 YGT_NEW_PASSWORD 或在终端中输入两次）")
    db_arg(s)
    s.add_argument("name", metavar=mv.USER, help="新用户的用户名（一般用姓名）")
    s.add_argument("--role", required=True, choices=roles.ROLES, help="新用户的角色")
    s.set_defaults(func=cmd_add)

    s = commands.add_parser("roles", help="列出各角色的权限（不需要数据库）")
    s.set_defaults(func=cmd_roles)

    s = commands.add_parser("list", help="列出用户")
    db_arg(s)
    s.set_defaults(func=cmd_list)

    s = commands.add_parser("passwd", help="修改密码（新密码取 YGT_NEW_PASSWORD 或在终端中输入）")
    db_arg(s)
    s.add_argument(
        "name", metavar=mv.USER, help="改谁的密码（自己的需原密码，他人的需站长或管理员）"
    )
    s.set_defaults(func=cmd_passwd)

    for name, change, done, text, whom in (
        (
            "disable",
            lambda r, n: ops.set_active(r, n, False),
            "已停用 {name}",
            "停用用户",
            "停用谁",
        ),
        (
            "enable",
            lambda r, n: ops.set_active(r, n, True),
            "已启用 {name}",
            "重新启用用户",
            "启用谁",
        ),
        ("unlock", ops.unlock, "已解除 {name} 的锁定", "解除输错密码造成的锁定", "给谁解锁"),
    ):
        s = commands.add_parser(name, help=text)
        db_arg(s)
        s.add_argument("name", metavar=mv.USER, help=whom)
        s.set_defaults(func=_simple(change, done))

    s = commands.add_parser("role", help="修改用户的角色")
    db_arg(s)
    s.add_argument("name", metavar=mv.USER, help="改谁的角色")
    s.add_argument(
        "role", choices=roles.ROLES, metavar=mv.ROLE, help="新角色：" + "、".join(roles.ROLES)
    )
    s.set_defaults(func=_simple(ops.set_role, "已把 {name} 的角色改为 {role}"))

    s = sub.add_parser("audit", help="审计日志：谁在何时改了什么（站长、管理员）")
    s.add_argument("--db", default=str(default_db_path()), metavar=mv.FILE, help=mv.DB_HELP)
    s.add_argument(
        "--as",
        dest="acting",
        metavar=mv.USER,
        help="以哪个用户的身份查看（默认取环境变量 YGT_USER）；密码取环境变量 YGT_PASSWORD",
    )
    s.add_argument("--from", dest="date_from", type=mv.date, metavar=mv.DATE, help="开始日期")
    s.add_argument("--to", dest="date_to", type=mv.date, metavar=mv.DATE, help="结束日期")
    s.add_argument("--user", dest="filter_user", metavar=mv.USER, help="只看这个用户的操作")
    s.add_argument("--table", metavar="数据表", help="只看这个数据表，如 residents")
    s.add_argument("--record", type=mv.positive, metavar=mv.NUMBER, help="只看这条记录")
    s.add_argument(
        "--limit",
        type=mv.positive,
        default=200,
        metavar="条数",
        help="屏幕上最多显示几条（默认 200）",
    )
    s.add_argument("--csv", metavar=mv.FILE, help="导出为 CSV 表格（全部匹配的记录）")
    s.set_defaults(func=cmd_audit)
