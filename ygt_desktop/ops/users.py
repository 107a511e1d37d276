"""User accounts as operations: the first account, adding, passwords, roles, disabling.

The first account of a database (its station head, or a bureau's 管理员) is made by
whoever sets the database up — there is nobody yet to ask. Every other change needs
``users.manage`` (站长, 管理员), except changing one's own password, which needs the
old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import roles
from ..storage import audit, keys, users
from ..storage.organisation import get_setting
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


def add(run: Run, name: str, role: str, password: str, *, must_change: bool = False) -> None:
    """A new account; ``must_change``: the initial password (told by the 站长 or
    管理员) must be replaced at the user's first login, as the window asks."""
    run.require("users.manage")
    users.add_user(
        run.ws.store, name, role, password, is_bureau=run.ws.is_bureau, by=run.actor.name
    )
    if must_change:
        users.set_password(run.ws.store, name, password, by=run.actor.name, must_change=True)


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
        users.check_password(new)
        # The organisation's signing key, protected by this password, follows it.
        rekey = keys.prepare_rekey(run.ws.store, name, old, new)
        users.set_password(run.ws.store, name, new, by=run.actor.name)
        if rekey is not None:
            keys.apply_rekey(run.ws.store, rekey)
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


# ---- the idle lock -----------------------------------------------------------------------

IDLE_KEY = "ui.idle_minutes"
IDLE_DEFAULT = 10
IDLE_MIN, IDLE_MAX = 1, 60


def idle_minutes(ws: Workspace) -> int:
    """Minutes without keyboard or mouse before the window locks (default 10). There
    is no "never": the lock keeps residents' records private on a shared PC."""
    raw = get_setting(ws.store, IDLE_KEY)
    try:
        value = int(raw) if raw is not None else IDLE_DEFAULT
    except ValueError:
        return IDLE_DEFAULT
    return min(max(value, IDLE_MIN), IDLE_MAX)


def set_idle_minutes(run: Run, minutes: int) -> None:
    """Change the idle lock's minutes (``settings.edit``: 站长, 管理员); audited."""
    run.require("settings.edit")
    if not IDLE_MIN <= minutes <= IDLE_MAX:
        raise OpError(f"自动锁定时间应为{IDLE_MIN}到{IDLE_MAX}分钟。")
    old = idle_minutes(run.ws)
    with run.ws.store.write("settings") as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (IDLE_KEY, str(minutes)),
        )
        audit.record(
            conn,
            user=run.actor.name,
            table="settings",
            record_id=None,
            action="update",
            old={IDLE_KEY: old},
            new={IDLE_KEY: minutes},
            reason="修改自动锁定时间",
        )
