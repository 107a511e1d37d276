"""A bureau's roster (成员机构): the organisations that send it workbooks.

Kept in the table ``bureau_members`` (migration ``0048_bureau``), keyed by the
organisation code — the key every imported workbook names in ``_meta`` — rather than in
an entity form: a roster file is imported in one transaction (all rows or none), and
which levels a member may have depends on the bureau's own level, which a form file
cannot say. Members are never deleted, only deactivated (their submissions stay).
Every write is one ``BEGIN IMMEDIATE`` transaction with its audit entries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ..core.org_codes import MEMBER_LEVELS, code_problem, level_problem
from ..core.roster import MAX_NAME, MemberRow
from .audit import now_iso, record
from .db import Store, StoreError
from .organisation import Organisation, get_organisation
from .residents import Change, ValidationFailed

TABLE = "bureau_members"
TOPIC = "bureau:roster"


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    level: str
    parent_code: str | None
    active: bool = True

    @property
    def status(self) -> str:
        return "在册" if self.active else "已停用"


@dataclass(frozen=True)
class RosterImport:
    """What a roster file changed: codes added, codes whose name/level/parent changed,
    codes already as in the file, and active members the file did not list."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    not_in_file: list[str]

    def summary(self) -> str:
        text = (
            f"新增 {len(self.added)} 个，更新 {len(self.updated)} 个，未变 {len(self.unchanged)} 个"
        )
        if self.not_in_file:
            text += f"；名册中另有 {len(self.not_in_file)} 个机构不在文件中（未改动）"
        return text


def bureau(store: Store) -> Organisation:
    """This database's organisation, which must be a bureau (StoreError otherwise)."""
    org = get_organisation(store)
    if org is None or not org.is_bureau:
        raise StoreError("本机构不是区、市级机构，没有成员机构名册")
    return org


def _member(row: Sequence[object]) -> Member:
    code, name, level, parent, active = row
    return Member(str(code), str(name), str(level), str(parent) if parent else None, bool(active))


def members(store: Store, *, active_only: bool = False, search: str = "") -> list[Member]:
    """Members by code; ``search`` matches a part of the code or the name."""
    sql = f"SELECT code, name, level, parent_code, active FROM {TABLE} WHERE 1 = 1"
    params: list[object] = []
    if active_only:
        sql += " AND active = 1"
    if search.strip():
        sql += " AND (code LIKE ? OR name LIKE ?)"
        like = f"%{search.strip()}%"
        params += [like, like]
    return [_member(r) for r in store.conn.execute(sql + " ORDER BY code", params)]


def member(store: Store, code: str) -> Member | None:
    row = store.conn.execute(
        f"SELECT code, name, level, parent_code, active FROM {TABLE} WHERE code = ?", (code,)
    ).fetchone()
    return _member(row) if row else None


def area_prefix(org: Organisation) -> str:
    """The start every member code of the bureau ``org`` shares: a district's county
    code (6 digits, ``530102``), a city's prefecture code without its ``00`` (``5301``)."""
    return org.code[:4] if org.level == "市" else org.code[:6]


def area_problem(org: Organisation, code: str) -> str | None:
    """Why ``code`` cannot be a member of the bureau ``org`` by its area (Chinese)."""
    prefix = area_prefix(org)
    if not code or code.startswith(prefix) or not code.isdigit():
        return None
    return (
        f"机构代码 {code} 不在本机构辖区（{org.code} {org.name}）内："
        f"成员机构的代码应以 {prefix} 开头"
    )


def check_member(
    org: Organisation, code: str, name: str, level: str, parent_code: str | None
) -> dict[str, str]:
    """Field errors (Chinese) for a member as typed in the editor."""
    errors: dict[str, str] = {}
    allowed = MEMBER_LEVELS[org.level]
    if problem := level_problem(level, allowed):
        errors["level"] = f"{org.level}级机构的成员" + problem[2:]
    elif problem := code_problem(code, level):
        errors["code"] = problem
    if code == org.code:
        errors["code"] = "这是本机构自己的代码"
    elif not errors.keys() & {"level", "code"} and (problem := area_problem(org, code)):
        errors["code"] = problem
    if not name.strip():
        errors["name"] = "请填写机构名称"
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = f"机构名称不超过{MAX_NAME}个字"
    if parent_code and not re.fullmatch(r"\d{6,12}", parent_code):
        errors["parent_code"] = "上级代码应为6–12位数字"
    return errors


def add_member(
    store: Store, code: str, name: str, level: str, parent_code: str | None = None
) -> Change:
    code, name = code.strip(), name.strip()
    errors = check_member(bureau(store), code, name, level, parent_code)
    if errors:
        raise ValidationFailed(errors)
    with store.write(TOPIC) as conn:
        if member(store, code) is not None:
            raise ValidationFailed({"code": f"机构代码 {code} 已在名册中"})
        _insert(conn, store.user, Member(code, name, level, parent_code or None))
    return Change(TABLE, int(code), "insert")


def update_member(
    store: Store, code: str, name: str, level: str, parent_code: str | None
) -> Change:
    """Rename, change level or parent; the code is the key and does not change."""
    name = name.strip()
    errors = check_member(bureau(store), code, name, level, parent_code)
    if errors:
        raise ValidationFailed(errors)
    with store.write(TOPIC) as conn:
        old = member(store, code)
        if old is None:
            raise StoreError(f"名册中没有机构代码 {code}")
        _update(conn, store.user, old, Member(code, name, level, parent_code or None, old.active))
    return Change(TABLE, int(code), "update")


def set_active(store: Store, code: str, active: bool) -> Change:
    """Deactivate (no longer expected to report; its workbooks are refused from now on)
    or reactivate a member. Submissions already imported stay."""
    with store.write(TOPIC) as conn:
        old = member(store, code)
        if old is None:
            raise StoreError(f"名册中没有机构代码 {code}")
        _update(
            conn, store.user, old, Member(old.code, old.name, old.level, old.parent_code, active)
        )
    return Change(TABLE, int(code), "update")


def import_roster(store: Store, rows: Sequence[MemberRow]) -> RosterImport:
    """Add the rows' members and update those already on the roster (name, level,
    parent; a deactivated one is reactivated), in one transaction. Members the file
    does not list are left as they are."""
    org = bureau(store)
    errors = []
    for r in rows:
        if problems := check_member(org, r.code, r.name, r.level, r.parent_code):
            errors.append(f"第{r.row}行：" + "；".join(problems.values()))
    if errors:
        raise ValidationFailed({"file": "\n".join(errors)})
    added, updated, unchanged = [], [], []
    with store.write(TOPIC) as conn:
        existing = {m.code: m for m in members(store)}
        for r in rows:
            new = Member(r.code, r.name, r.level, r.parent_code)
            old = existing.get(r.code)
            if old is None:
                _insert(conn, store.user, new)
                added.append(r.code)
            elif old != new:
                _update(conn, store.user, old, new, reason="导入名册")
                updated.append(r.code)
            else:
                unchanged.append(r.code)
        listed = {r.code for r in rows}
        not_in_file = [c for c, m in existing.items() if m.active and c not in listed]
    return RosterImport(added, updated, unchanged, not_in_file)


def _insert(conn: sqlite3.Connection, user: str, m: Member) -> None:
    now = now_iso()
    conn.execute(
        f"INSERT INTO {TABLE} (code, name, level, parent_code, active, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (m.code, m.name, m.level, m.parent_code, int(m.active), now, now),
    )
    record(conn, user=user, table=TABLE, record_id=int(m.code), action="insert", new=asdict(m))


def _update(
    conn: sqlite3.Connection, user: str, old: Member, new: Member, reason: str | None = None
) -> None:
    conn.execute(
        f"UPDATE {TABLE} SET name = ?, level = ?, parent_code = ?, active = ?, updated_at = ? "
        "WHERE code = ?",
        (new.name, new.level, new.parent_code, int(new.active), now_iso(), new.code),
    )
    record(
        conn,
        user=user,
        table=TABLE,
        record_id=int(new.code),
        action="update",
        old=asdict(old),
        new=asdict(new),
        reason=reason,
    )
