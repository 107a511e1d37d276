"""User accounts as operations: the first account, adding, passwords, roles, disabling.

The first account of a database (its station head, or a bureau's 管理员) is made by
whoever sets the database up — there is nobody yet to ask. Every other change needs
``users.manage`` (站长, 管理员), except changing one's own password, which needs the
old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import roles
from ..storage import users
from ..storage.workspace import Workspace
from .base import Actor, OpError, Run

NO_USERS = (
    "该数据库还没有用户账户。请先建立站长账户：在程序窗口中按提示建立，"
    "或运行 ygt user add 姓名 --role 站长 --db 数据库文件。"
)


@dataclass(frozen=True)
class Login:
    """A name and password to act as (the command line's --user and YGT_PASSWORD)."""

    name: str
    password: str


def sign_in(ws: Workspace, login: Login) -> Actor:
    """Log ``login`` in on ``ws``; a refusal is a Chinese :class:`OpError`-like error."""
    if not users.has_users(ws.store):
        raise OpError(NO_USERS)
    ws.login(login.name, login.password)
    return Actor.of(ws)


def first_account(ws: Workspace, name: str, password: str) -> str:
    """Create the database's first account — 站长 (a bureau: 管理员) — log it in and
    return its one-time recovery code (to print and keep). Refused once any account
    exists."""
    if users.has_users(ws.store):
        raise OpError("该数据库已有用户账户：新用户请由站长或管理员添加。")
    role = roles.first_role(ws.is_bureau)
    code = users.add_user(
        ws.store,
        name,
        role,
        password,
        is_bureau=ws.is_bureau,
        by=users.check_name(name),
        with_recovery=True,
    )
    ws.login(name, password)
    assert code is not None
    return code


def add(run: Run, name: str, role: str, password: str) -> None:
    run.require("users.manage")
    users.add_user(
        run.ws.store, name, role, password, is_bureau=run.ws.is_bureau, by=run.actor.name
    )


def listing(run: Run) -> list[users.User]:
    run.require("users.manage")
    return users.list_users(run.ws.store)


def change_password(run: Run, name: str, new: str, *, old: str | None = None) -> None:
    """One's own password (``old`` must be right), or anyone's by a 站长/管理员 (who
    then asks for a change at that user's next login)."""
    own = name == run.actor.name
    if own and old is not None:
        if not users.check_password_of(run.ws.store, name, old):
            raise OpError("原密码不正确，密码未修改。")
        users.set_password(run.ws.store, name, new, by=run.actor.name)
        return
    run.require("users.manage")
    users.set_password(run.ws.store, name, new, by=run.actor.name, must_change=not own)


def set_active(run: Run, name: str, active: bool) -> None:
    run.require("users.manage")
    users.set_active(run.ws.store, name, active, by=run.actor.name)


def set_role(run: Run, name: str, role: str) -> None:
    run.require("users.manage")
    users.set_role(run.ws.store, name, role, is_bureau=run.ws.is_bureau, by=run.actor.name)


def unlock(run: Run, name: str) -> None:
    run.require("users.manage")
    users.unlock(run.ws.store, name, by=run.actor.name)


def new_recovery(run: Run, name: str) -> str:
    run.require("users.manage")
    return users.new_recovery(run.ws.store, name, by=run.actor.name)
