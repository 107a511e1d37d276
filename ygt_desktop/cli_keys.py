"""``ygt key …``: this organisation's signing key without a screen (issue 11).

    ygt key new    --db PATH [--replace --reason TEXT]   生成（或更换）本机构签名密钥
    ygt key export --db PATH --out FILE                 导出公钥登记文件（没有密钥时先生成）
    ygt key show   --db PATH                            当前密钥的指纹和历史

The acting user (``--user`` / ``$YGT_USER``) must be the 站长 (a bureau: its 管理员);
their password (``$YGT_PASSWORD``, or asked on a terminal) logs them in and encrypts
the private key.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .ops import keys as ops
from .ops.station import opened


def cmd_new(args: argparse.Namespace) -> int:
    login = login_of(args)
    with opened(Path(args.db), login=login, backup_on_exit=True) as run:
        key = ops.generate(run, login.password, replace=args.replace, reason=args.reason)
    what = "已更换本机构签名密钥" if args.replace else "已生成本机构签名密钥"
    print(f"{what}，指纹：{key.fingerprint}（由 {key.owner} 的密码保护）")
    print("请导出公钥登记文件（ygt key export）交给上级机构登记，并在电话中核对指纹。")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    login = login_of(args)
    with opened(Path(args.db), login=login, backup_on_exit=True) as run:
        done = ops.export_registration(run, Path(args.out), password=login.password)
    if done.made:
        print(f"本机构还没有签名密钥，已生成（由 {done.key.owner} 的密码保护）。")
    print(f"公钥登记文件已写入 {args.out}")
    print(f"指纹：{done.key.fingerprint}（请上级机构登记后在电话中逐组核对）")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        every = ops.history(run)
    if not every:
        print("本机构还没有签名密钥（ygt key new 生成）。")
        return 0
    for k in every:
        state = "当前" if k.current else f"已于 {k.replaced_at} 更换（{k.replace_reason or ''}）"
        print(f"{k.fingerprint}\t{k.created_at}\t{k.owner or ''}\t{state}")
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``ygt key`` and its commands to ``ygt``'s sub-parsers."""
    key = sub.add_parser("key", help="本机构签名密钥：生成、更换、导出公钥登记文件")
    commands = key.add_subparsers(dest="key_command", required=True, metavar="命令")
    s = commands.add_parser("new", help="生成本机构签名密钥（站长；区、市：管理员）")
    db_arg(s)
    s.add_argument(
        "--replace", action="store_true", help="更换现有密钥（忘记密码、换了电脑），需 --reason"
    )
    s.add_argument("--reason", metavar=mv.REASON, help="更换密钥的原因（记入审计日志）")
    s.set_defaults(func=cmd_new)
    s = commands.add_parser("export", help="导出公钥登记文件（JSON），交上级机构登记")
    db_arg(s)
    s.add_argument(
        "--out", required=True, metavar=mv.FILE, help="登记文件写到哪里（如 530102001_公钥.json）"
    )
    s.set_defaults(func=cmd_export)
    s = commands.add_parser("show", help="当前密钥的指纹和更换历史")
    db_arg(s)
    s.set_defaults(func=cmd_show)
