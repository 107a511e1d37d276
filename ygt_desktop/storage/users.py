"""User accounts: names, roles, argon2id passwords, lockout, the recovery code.

Every change to an account is audited (never the hash itself). Five wrong passwords in
a row lock the account for thirty minutes; the clock is a parameter so tests can move
it. A database made before accounts existed had a station head with a PIN: migration
0049 made that person the first 站长 with the PIN as password (an old PBKDF2 hash,
replaced by argon2id at the first login) and asks for a new password then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..core import roles
from .audit import record
from .db import ReadOnlyStoreError, Store, StoreError

# RFC 9106's second recommended profile (argon2-cffi's default): 64 MiB, 3 passes.
HASHER = PasswordHasher()

MAX_FAILURES = 5
LOCK_MINUTES = 30
MIN_PASSWORD = 6
MAX_NAME = 20
RECOVERY_GROUPS = 4

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now().astimezone()


class LoginError(StoreError):
    """A refused login, explained in Chinese."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool
    must_change: bool
    locked_until: str | None
    last_login: str | None
    created_at: str


_COLUMNS = "id, name, role, active, must_change, locked_until, last_login, created_at"


def _user(row: tuple[object, ...]) -> User:
    uid, name, role, active, must, locked, last, created = row
    return User(
        int(uid),  # type: ignore[call-overload]
        str(name),
        str(role),
        bool(active),
        bool(must),
        str(locked) if locked else None,
        str(last) if last else None,
        str(created),
    )


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


# ---- reading ---------------------------------------------------------------------------


def has_users(store: Store) -> bool:
    row = store.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone()
    return row is not None


def list_users(store: Store) -> list[User]:
    rows = store.conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY id").fetchall()
    return [_user(r) for r in rows]


def get_user(store: Store, name: str) -> User | None:
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def _require(store: Store, name: str) -> User:
    user = get_user(store, name)
    if user is None:
        raise StoreError(f"没有名为“{name}”的用户。")
    return user


# ---- checks ----------------------------------------------------------------------------


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise StoreError("请填写用户名（一般用姓名）。")
    if len(name) > MAX_NAME:
        raise StoreError(f"用户名最多{MAX_NAME}个字。")
    if any(not ch.isprintable() for ch in name):
        raise StoreError("用户名不能包含控制字符。")
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"密码至少{MIN_PASSWORD}位。")
    if len(password) > 128:
        raise StoreError("密码最多128位。")
    if password.strip() != password:
        raise StoreError("密码的开头和结尾不能是空格。")


def check_role(role: str, *, is_bureau: bool) -> None:
    allowed = roles.roles_for(is_bureau)
    if role not in allowed:
        kind = "卫生健康局" if is_bureau else "卫生服务站/卫生室"
        raise StoreError(f"角色“{role}”不可用：{kind}的角色是 {'、'.join(allowed)}。")


# ---- hashing -----------------------------------------------------------------------------


def _hash(password: str) -> str:
    return HASHER.hash(password)


def _matches(stored: str, password: str) -> bool:
    if stored.startswith("pbkdf2$"):  # the station-head PIN of before accounts
        _tag, salt, digest = stored.split("$", 2)
        mine = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), 100_000)
        return hmac.compare_digest(mine.hex(), digest)
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _needs_rehash(stored: str) -> bool:
    if stored.startswith("pbkdf2$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def new_recovery_code() -> str:
    """Sixteen characters in four groups, without look-alikes (0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(4 * RECOVERY_GROUPS))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _norm_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# ---- changes ---------------------------------------------------------------------------


def add_user(
    store: Store,
    name: str,
    role: str,
    password: str,
    *,
    is_bureau: bool,
    by: str,
    clock: Clock = system_clock,
    with_recovery: bool = False,
) -> str | None:
    """Create an account; returns its one-time recovery code when ``with_recovery``
    (the first 站长's, to print). Refuses a taken name, a bad role or a short password."""
    name = check_name(name)
    check_role(role, is_bureau=is_bureau)
    check_password(password)
    if get_user(store, name) is not None:
        raise StoreError(f"用户“{name}”已存在。")
    code = new_recovery_code() if with_recovery else None
    now = _iso(clock())
    with store.write("users") as conn:
        cur = conn.execute(
            "INSERT INTO users (name, role, password_hash, active, failed, must_change, "
            "recovery_hash, created_at, updated_at) VALUES (?, ?, ?, 1, 0, 0, ?, ?, ?)",
            (name, role, _hash(password), _hash(_norm_code(code)) if code else None, now, now),
        )
        record(
            conn,
            user=by,
            table="users",
            record_id=cur.lastrowid,
            action="insert",
            new={"name": name, "role": role, "active": 1},
            reason="新建用户",
        )
    return code


def _update(
    store: Store,
    user: User,
    by: str,
    reason: str,
    sets: dict[str, object],
    audit_old: dict[str, object],
    audit_new: dict[str, object],
) -> None:
    assigns = ", ".join(f"{k} = ?" for k in sets)
    with store.write("users") as conn:
        conn.execute(f"UPDATE users SET {assigns} WHERE id = ?", (*sets.values(), user.id))
        record(
            conn,
            user=by,
            table="users",
            record_id=user.id,
            action="update",
            old=audit_old,
            new=audit_new,
            reason=reason,
        )


def set_password(
    store: Store,
    name: str,
    password: str,
    *,
    by: str,
    clock: Clock = system_clock,
    must_change: bool = False,
) -> None:
    """A new password (clears a lockout). ``must_change``: asked again at next login."""
    user = _require(store, name)
    check_password(password)
    now = _iso(clock())
    _update(
        store,
        user,
        by,
        "修改密码" if by == name else "重设密码",
        {
            "password_hash": _hash(password),
            "failed": 0,
            "locked_until": None,
            "must_change": int(must_change),
            "updated_at": now,
        },
        {"password": "（旧）", "must_change": int(user.must_change)},
        {"password": "（新）", "must_change": int(must_change)},
    )


def set_role(store: Store, name: str, role: str, *, is_bureau: bool, by: str) -> None:
    user = _require(store, name)
    check_role(role, is_bureau=is_bureau)
    if user.role == role:
        return
    _last_keeper_guard(store, user, losing=user.role in roles.KEEPERS and role not in roles.KEEPERS)
    _update(store, user, by, "修改角色", {"role": role}, {"role": user.role}, {"role": role})


def set_active(store: Store, name: str, active: bool, *, by: str) -> None:
    user = _require(store, name)
    if user.active == active:
        return
    if not active:
        if name == by:
            raise StoreError("不能停用自己正在使用的账户。")
        _last_keeper_guard(store, user, losing=user.role in roles.KEEPERS)
    _update(
        store,
        user,
        by,
        "启用用户" if active else "停用用户",
        {"active": int(active), "failed": 0, "locked_until": None},
        {"active": int(user.active)},
        {"active": int(active)},
    )


def _last_keeper_guard(store: Store, user: User, *, losing: bool) -> None:
    if not losing:
        return
    keepers = [
        u for u in list_users(store) if u.active and u.role in roles.KEEPERS and u.id != user.id
    ]
    if not keepers:
        raise StoreError(
            f"“{user.name}”是最后一个能管理用户的账户（站长或管理员），不能停用或降级；"
            "请先为另一个人建立站长或管理员账户。"
        )


def unlock(store: Store, name: str, *, by: str) -> None:
    user = _require(store, name)
    _update(
        store,
        user,
        by,
        "解除锁定",
        {"failed": 0, "locked_until": None},
        {"locked_until": user.locked_until},
        {"locked_until": None},
    )


# ---- logging in ----------------------------------------------------------------------------


def _note(store: Store, user: User, action: str, sets: dict[str, object], reason: str) -> None:
    """Count a failure or a success; a read-only (damaged) file cannot count."""
    assigns = ", ".join(f"{k} = ?" for k in sets)
    try:
        with store.write("users") as conn:
            if sets:
                conn.execute(f"UPDATE users SET {assigns} WHERE id = ?", (*sets.values(), user.id))
            record(
                conn,
                user=user.name,
                table="users",
                record_id=user.id,
                action=action,
                reason=reason,
            )
    except ReadOnlyStoreError:
        pass


def login(store: Store, name: str, password: str, *, clock: Clock = system_clock) -> User:
    """The account ``name`` if ``password`` is right, else :class:`LoginError`.

    A locked account stays locked until its time is up, whatever the password; the
    fifth wrong password in a row locks it for thirty minutes."""
    user = get_user(store, name.strip())
    if user is None:
        raise LoginError("用户名或密码不正确。")
    now = clock()
    if user.locked_until and dt.datetime.fromisoformat(user.locked_until) > now:
        until = dt.datetime.fromisoformat(user.locked_until).strftime("%H:%M")
        raise LoginError(
            f"密码连续输错{MAX_FAILURES}次，账户“{user.name}”已锁定到 {until}。"
            "请稍后再试，或请站长、管理员解除锁定。"
        )
    stored = store.conn.execute(
        "SELECT password_hash, failed FROM users WHERE id = ?", (user.id,)
    ).fetchone()
    if not _matches(stored[0], password):
        failed = int(stored[1]) + 1
        if failed >= MAX_FAILURES:
            until_at = now + dt.timedelta(minutes=LOCK_MINUTES)
            _note(
                store,
                user,
                "login_locked",
                {"failed": 0, "locked_until": _iso(until_at)},
                f"密码连续输错{MAX_FAILURES}次，锁定{LOCK_MINUTES}分钟",
            )
            raise LoginError(
                f"密码连续输错{MAX_FAILURES}次，账户“{user.name}”已锁定到 "
                f"{until_at.strftime('%H:%M')}（{LOCK_MINUTES}分钟）。"
            )
        _note(store, user, "login_failed", {"failed": failed}, "密码错误")
        raise LoginError(f"用户名或密码不正确（再错{MAX_FAILURES - failed}次将锁定账户）。")
    if not user.active:
        raise LoginError(f"账户“{user.name}”已停用。请找站长或管理员。")
    sets: dict[str, object] = {"failed": 0, "locked_until": None, "last_login": _iso(now)}
    if _needs_rehash(stored[0]):
        sets["password_hash"] = _hash(password)
    _note(store, user, "login", sets, "登录")
    return get_user(store, user.name) or user


def check_password_of(store: Store, name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s (the idle lock's re-entry; no counting)."""
    row = store.conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    return bool(row) and _matches(row[0], password)


def recover(
    store: Store, name: str, code: str, new_password: str, *, clock: Clock = system_clock
) -> str:
    """Reset ``name``'s password with its one-time recovery code; returns the next
    code (the used one is spent). Wrong codes count like wrong passwords."""
    user = _require(store, name)
    check_password(new_password)
    row = store.conn.execute("SELECT recovery_hash FROM users WHERE id = ?", (user.id,)).fetchone()
    if not row or not row[0]:
        raise LoginError(f"“{user.name}”没有恢复码。请找站长或管理员重设密码。")
    if not _matches(row[0], _norm_code(code)):
        raise LoginError("恢复码不正确。")
    nxt = new_recovery_code()
    now = _iso(clock())
    _update(
        store,
        user,
        user.name,
        "用恢复码重设密码",
        {
            "password_hash": _hash(new_password),
            "recovery_hash": _hash(_norm_code(nxt)),
            "failed": 0,
            "locked_until": None,
            "must_change": 0,
            "updated_at": now,
        },
        {"password": "（旧）", "recovery_code": "（已使用）"},
        {"password": "（新）", "recovery_code": "（新）"},
    )
    return nxt


def new_recovery(store: Store, name: str, *, by: str) -> str:
    """Issue a new recovery code for ``name`` (the old one stops working)."""
    user = _require(store, name)
    code = new_recovery_code()
    _update(
        store,
        user,
        by,
        "重新生成恢复码",
        {"recovery_hash": _hash(_norm_code(code))},
        {"recovery_code": "（旧）"},
        {"recovery_code": "（新）"},
    )
    return code
