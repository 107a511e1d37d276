"""Accounts: argon2id hashes, the lockout with a clock the test moves, disabling, the
last keeper, recovery codes, and the station head's PIN carried into the first 站长."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest

from tests.conftest import TEST_USER
from ygt_desktop.storage import users
from ygt_desktop.storage.db import StoreError, connect
from ygt_desktop.storage.migrations import MIGRATIONS, apply_pending

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


def add(ws, name="王小丽", role="录入员", password="xiaoli-2026"):
    users.add_user(ws.store, name, role, password, is_bureau=False, by=TEST_USER)


def audit_rows(ws, user_id):
    return ws.store.conn.execute(
        "SELECT user, action, old_values, new_values, reason FROM audit_log "
        "WHERE table_name = 'users' AND record_id = ? ORDER BY id",
        (user_id,),
    ).fetchall()


def test_passwords_are_argon2id_and_never_in_the_audit_log(ws):
    add(ws)
    stored = ws.store.conn.execute(
        "SELECT password_hash FROM users WHERE name = '王小丽'"
    ).fetchone()[0]
    assert stored.startswith("$argon2id$") and "xiaoli-2026" not in stored
    user = users.login(ws.store, "王小丽", "xiaoli-2026")
    assert user.role == "录入员" and user.last_login
    dump = "\n".join(str(r) for r in ws.store.conn.execute("SELECT * FROM audit_log"))
    assert "xiaoli-2026" not in dump and stored not in dump
    assert [r[1] for r in audit_rows(ws, user.id)] == ["insert", "login"]


def test_five_wrong_passwords_lock_for_thirty_minutes(ws):
    add(ws)
    clock = Clock()
    for left in (4, 3, 2, 1):
        with pytest.raises(users.LoginError, match=f"再错{left}次"):
            users.login(ws.store, "王小丽", "wrong", clock=clock)
    with pytest.raises(users.LoginError, match="已锁定到 09:30"):
        users.login(ws.store, "王小丽", "wrong", clock=clock)
    clock.advance(minutes=29)
    with pytest.raises(users.LoginError, match="已锁定"):  # the right password too
        users.login(ws.store, "王小丽", "xiaoli-2026", clock=clock)
    clock.advance(minutes=2)
    assert users.login(ws.store, "王小丽", "xiaoli-2026", clock=clock).name == "王小丽"
    user = users.get_user(ws.store, "王小丽")
    actions = [r[1] for r in audit_rows(ws, user.id)]
    assert actions.count("login_failed") == 4 and actions.count("login_locked") == 1


def test_a_success_resets_the_count(ws):
    add(ws)
    for _ in range(4):
        with pytest.raises(users.LoginError):
            users.login(ws.store, "王小丽", "wrong")
    users.login(ws.store, "王小丽", "xiaoli-2026")
    with pytest.raises(users.LoginError, match="再错4次"):
        users.login(ws.store, "王小丽", "wrong")


def test_unknown_names_say_no_more_than_a_wrong_password(ws):
    with pytest.raises(users.LoginError, match="^用户名或密码不正确。$"):
        users.login(ws.store, "没有这个人", "whatever")


def test_disabled_accounts_cannot_log_in_and_the_last_keeper_stays(ws):
    add(ws)
    users.set_active(ws.store, "王小丽", False, by=TEST_USER)
    with pytest.raises(users.LoginError, match="已停用"):
        users.login(ws.store, "王小丽", "xiaoli-2026")
    with pytest.raises(StoreError, match="自己"):
        users.set_active(ws.store, TEST_USER, False, by=TEST_USER)
    with pytest.raises(StoreError, match="最后一个"):
        users.set_role(ws.store, TEST_USER, "医生", is_bureau=False, by="别人")
    add(ws, "李站长", "站长")
    users.set_role(ws.store, TEST_USER, "医生", is_bureau=False, by="李站长")
    assert users.get_user(ws.store, TEST_USER).role == "医生"


def test_bad_names_roles_and_passwords_are_refused_and_change_nothing(ws):
    before = users.list_users(ws.store)
    for name, role, password, match in (
        ("", "录入员", "abcdefg", "用户名"),
        ("王" * 21, "录入员", "abcdefg", "最多20"),
        ("王小丽", "审核员", "abcdefg", "角色"),
        ("王小丽", "院长", "abcdefg", "角色"),
        ("王小丽", "录入员", "abc", "至少6位"),
        ("王小丽", "录入员", " abcdefg", "空格"),
        (TEST_USER, "录入员", "abcdefg", "已存在"),
    ):
        with pytest.raises(StoreError, match=match):
            users.add_user(ws.store, name, role, password, is_bureau=False, by=TEST_USER)
    assert users.list_users(ws.store) == before


def test_recovery_code_resets_once(ws):
    code = users.add_user(
        ws.store, "李站长", "站长", "first-pass", is_bureau=False, by="李站长", with_recovery=True
    )
    assert code and len(code.replace("-", "")) == 16
    with pytest.raises(users.LoginError, match="恢复码不正确"):
        users.recover(ws.store, "李站长", "AAAA-AAAA-AAAA-AAAA", "second-pass")
    following = users.recover(ws.store, "李站长", code.lower(), "second-pass")
    assert users.login(ws.store, "李站长", "second-pass")
    with pytest.raises(users.LoginError):  # spent
        users.recover(ws.store, "李站长", code, "third-pass")
    assert users.recover(ws.store, "李站长", following, "third-pass") != following


def test_the_station_heads_pin_becomes_the_first_head(tmp_path):
    conn = connect(tmp_path / "old.db")
    names = [m.name for m in MIGRATIONS]
    upto = names.index("0049_users")
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for m in MIGRATIONS[:upto]:
        conn.execute("BEGIN IMMEDIATE")
        m.apply(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01')", (m.name,))
        conn.execute("COMMIT")
    salt = os.urandom(16)  # how the old code kept the PIN
    digest = hashlib.pbkdf2_hmac("sha256", b"2468", salt, 100_000).hex()
    conn.executemany(
        "INSERT INTO settings VALUES (?, ?)",
        [("head.name", "李站长"), ("head.pin", f"{salt.hex()}:{digest}")],
    )
    apply_pending(conn)
    from ygt_desktop.storage.db import Store

    store = Store(tmp_path / "old.db", conn)
    head = users.get_user(store, "李站长")
    assert head is not None and head.role == "站长" and head.must_change
    assert conn.execute("SELECT value FROM settings WHERE key = 'head.pin'").fetchone() is None
    with pytest.raises(users.LoginError):
        users.login(store, "李站长", "1357")
    assert users.login(store, "李站长", "2468").name == "李站长"
    rehashed = conn.execute("SELECT password_hash FROM users").fetchone()[0]
    assert rehashed.startswith("$argon2id$")  # the old PBKDF2 hash is gone at first login
    assert users.login(store, "李站长", "2468")
    conn.close()
