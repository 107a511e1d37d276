"""Who ``ygt`` acts as: ``--user NAME`` (or ``$YGT_USER``) with the password from
``$YGT_PASSWORD``, or asked for on a terminal. Never from a command-line argument,
which other users of the PC can read in the process list."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from .cli_args import USER
from .ops.users import Login


class LoginMissing(Exception):
    """No user or no password given (exit 1 with the message)."""


def add_user_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--user",
        metavar=USER,
        help="以哪个用户的身份操作（默认取环境变量 YGT_USER）；"
        "密码取环境变量 YGT_PASSWORD，未设置时在终端中询问",
    )


def user_name(args: argparse.Namespace) -> str:
    name = (getattr(args, "user", None) or os.environ.get("YGT_USER") or "").strip()
    if not name:
        raise LoginMissing(
            "请用 --user 指定用户名（或设置环境变量 YGT_USER），密码放在环境变量 YGT_PASSWORD 中。"
        )
    return name


def password(prompt: str = "密码：") -> str:
    secret = os.environ.get("YGT_PASSWORD")
    if secret is not None:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            raise LoginMissing("未输入密码，已取消。") from None
    raise LoginMissing("请在环境变量 YGT_PASSWORD 中给出密码（不在终端中运行时无法询问密码）。")


def new_password(what: str = "新密码") -> str:
    """A new password: $YGT_NEW_PASSWORD, else asked twice on a terminal."""
    secret = os.environ.get("YGT_NEW_PASSWORD")
    if secret is not None:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            first = getpass.getpass(f"{what}：")
            again = getpass.getpass(f"再输入一次{what}：")
        except (EOFError, KeyboardInterrupt):
            raise LoginMissing("未输入密码，已取消。") from None
        if first != again:
            raise LoginMissing("两次输入的密码不一致，未做任何改动。")
        return first
    raise LoginMissing(
        f"请在环境变量 YGT_NEW_PASSWORD 中给出{what}（不在终端中运行时无法询问密码）。"
    )


def login_of(args: argparse.Namespace) -> Login:
    """The user to act as, with the password (asked for if need be)."""
    name = user_name(args)
    return Login(name, password(f"用户 {name} 的密码："))
