"""The organisation this database belongs to, its villages, and key/value settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.org_codes import LEVELS as LEVELS
from ..core.org_codes import STATION_LEVELS, code_problem, is_bureau, level_problem
from .audit import now_iso, record
from .db import Store, StoreError


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    level: str
    parent_code: str | None

    @property
    def is_bureau(self) -> bool:
        """A district or city bureau: a roster and imported workbooks, no residents."""
        return is_bureau(self.level)


@dataclass(frozen=True)
class Village:
    code: str
    name: str

    @property
    def kind(self) -> str:
        return "居委会" if self.code < "100" else "村委会"


def check_org(code: str, name: str, level: str, parent_code: str | None) -> dict[str, str]:
    """Field errors (Chinese) for an organisation as typed at setup."""
    errors: dict[str, str] = {}
    if problem := level_problem(level):
        errors["level"] = problem
    if problem := code_problem(code, level if level in LEVELS else STATION_LEVELS[0]):
        errors["code"] = problem
    if not (name or "").strip():
        errors["name"] = "请填写机构名称"
    if parent_code and not re.fullmatch(r"\d{6,12}", parent_code):
        errors["parent_code"] = "上级机构代码应为6–12位数字"
    return errors


def check_village(code: str, name: str) -> str | None:
    if not re.fullmatch(r"\d{3}", code or "") or not (
        "001" <= code <= "099" or "101" <= code <= "199"
    ):
        return "居委/村委代码应为3位：001–099 为居委会，101–199 为村委会"
    if not (name or "").strip():
        return "请填写居委/村委名称"
    return None


def set_organisation(store: Store, org: Organisation) -> None:
    errors = check_org(org.code, org.name, org.level, org.parent_code)
    if errors:
        raise StoreError("；".join(errors.values()))
    with store.write() as conn:
        old = get_organisation(store)
        conn.execute(
            "INSERT INTO organisation (id, code, name, level, parent_code, created_at) "
            "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET code = excluded.code, "
            "name = excluded.name, level = excluded.level, parent_code = excluded.parent_code",
            (org.code, org.name.strip(), org.level, org.parent_code or None, now_iso()),
        )
        record(
            conn,
            user=store.user,
            table="organisation",
            record_id=1,
            action="update" if old else "insert",
            old=old.__dict__ if old else None,
            new=org.__dict__,
        )


def get_organisation(store: Store) -> Organisation | None:
    row = store.conn.execute(
        "SELECT code, name, level, parent_code FROM organisation WHERE id = 1"
    ).fetchone()
    return Organisation(*row) if row else None


def add_village(store: Store, code: str, name: str) -> Village:
    problem = check_village(code, name)
    if problem:
        raise StoreError(problem)
    org = get_organisation(store)
    if org is not None and org.is_bureau:
        raise StoreError(f"{org.level}级机构没有辖区居委/村委（居民由各站点管理）")
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM villages WHERE code = ?", (code,)).fetchone():
            raise StoreError(f"居委/村委代码 {code} 已存在")
        conn.execute("INSERT INTO villages (code, name) VALUES (?, ?)", (code, name.strip()))
        record(
            conn,
            user=store.user,
            table="villages",
            record_id=int(code),
            action="insert",
            new={"code": code, "name": name.strip()},
        )
    return Village(code, name.strip())


def villages(store: Store) -> list[Village]:
    rows = store.conn.execute("SELECT code, name FROM villages WHERE active = 1 ORDER BY code")
    return [Village(c, n) for c, n in rows.fetchall()]


def get_setting(store: Store, key: str, default: str | None = None) -> str | None:
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(store: Store, key: str, value: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
