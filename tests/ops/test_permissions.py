"""The permission matrix: every role against every protected operation, called through
the operations layer that the window and ``ygt`` both call. A role the table does not
allow is refused with a Chinese sentence and the attempt is in the audit log; a role it
allows gets past the check (the operation may still refuse its input for other reasons).
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.bureau_helpers import make_bureau
from ygt_desktop.core import roles
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import audit_log, bureau, records, report, worklist
from ygt_desktop.ops import backup as backups
from ygt_desktop.ops import users as user_ops
from ygt_desktop.ops.base import Actor, PermissionRefused, Run
from ygt_desktop.storage.workspace import Workspace

P = Period.parse("2026Q3")
DAY = dt.date(2026, 11, 20)
QUERY = worklist.Query(dt.date(2026, 11, 16), dt.date(2026, 11, 22), DAY)

Call = Callable[[Run, Path], Any]

# (operation, the permissions it needs, the call)
STATION_OPS: list[tuple[str, tuple[str, ...], Call]] = [
    ("季度报表", ("report.view",), lambda r, t: report.compute(r, P)),
    ("导出报表", ("report.export",), lambda r, t: report.write_files(r, P, json=t / "r.json")),
    ("花名册", ("report.lists",), lambda r, t: report.write_lists(r, P, t / "l.xlsx")),
    (
        "花名册（完整身份证号）",
        ("report.lists", "ids.unmask"),
        lambda r, t: report.write_lists(r, P, t / "l.xlsx", full_id=True),
    ),
    ("上报", ("report.submit",), lambda r, t: report.submit(r, P)),
    ("更正", ("report.correct",), lambda r, t: records.correct(r, "不对的密码", lambda: None)),
    ("删除", ("record.delete",), lambda r, t: records.delete(r, lambda: None)),
    ("打印", ("record.print",), lambda r, t: records.print_pdf(r, t / "x.pdf", record_id=999)),
    ("待办", ("worklist.view",), lambda r, t: worklist.items(r, QUERY)),
    ("导出待办", ("worklist.export",), lambda r, t: worklist.export(r, QUERY, csv=t / "w.csv")),
    ("备份", ("backup.make",), lambda r, t: backups.make(r)),
    ("恢复", ("backup.restore",), lambda r, t: backups.before_restore(r)),
    ("加用户", ("users.manage",), lambda r, t: user_ops.add(r, "新来的", "录入员", "abcdef12")),
    ("用户名单", ("users.manage",), lambda r, t: user_ops.listing(r)),
    ("审计日志", ("audit.view",), lambda r, t: audit_log.entries(r, audit_log.Filter())),
    (
        "导出审计日志",
        ("audit.view",),
        lambda r, t: audit_log.export_csv(r, audit_log.Filter(), t / "a.csv"),
    ),
]

BUREAU_OPS: list[tuple[str, tuple[str, ...], Call]] = [
    ("成员名单", ("bureau.roster.view",), lambda r, t: bureau.members(r)),
    ("导出名单", ("bureau.roster.export",), lambda r, t: bureau.export_members(r, t / "m.csv")),
    ("导入", ("bureau.import",), lambda r, t: bureau.import_workbooks(r, [t / "无.xlsx"])),
    ("上报情况", ("bureau.status.view",), lambda r, t: bureau.status(r, P)),
    ("汇总", ("bureau.report.view",), lambda r, t: bureau.district_report(r, P)),
    ("加用户", ("users.manage",), lambda r, t: user_ops.add(r, "新审核员", "审核员", "abcdef12")),
    ("审计日志", ("audit.view",), lambda r, t: audit_log.entries(r, audit_log.Filter())),
]


def refusals(ws: Workspace) -> list[tuple[str, str]]:
    return ws.store.conn.execute(
        "SELECT user, new_values FROM audit_log WHERE action = 'refused' ORDER BY id"
    ).fetchall()


def attempt(ws: Workspace, role: str, call: Call, tmp: Path) -> PermissionRefused | None:
    run = Run(ws, Actor(f"某{role}", role))
    try:
        call(run, tmp)
    except PermissionRefused as exc:
        return exc
    except Exception:  # past the check; refused for another reason (bad id, no data)
        return None
    return None


def check_matrix(ws, ops, tmp_path, role_list) -> None:
    for role in role_list:
        for name, needs, call in ops:
            before = len(refusals(ws))
            refused = attempt(ws, role, call, tmp_path)
            allowed = all(roles.allowed(role, p) for p in needs)
            assert (refused is None) == allowed, (role, name)
            if refused is not None:
                assert "无权" in str(refused) and role in str(refused), str(refused)
                after = refusals(ws)
                assert len(after) == before + 1, (role, name)  # audited, once
                assert after[-1][0] == f"某{role}"


def test_every_station_role_against_every_station_operation(ws, tmp_path):
    check_matrix(ws, STATION_OPS, tmp_path, (*roles.STATION_ROLES, roles.REVIEWER))


def test_every_bureau_role_against_every_bureau_operation(tmp_path, forms):
    ws = make_bureau(tmp_path / "bureau.db", forms)
    try:
        check_matrix(ws, BUREAU_OPS, tmp_path, (*roles.BUREAU_ROLES, *roles.STATION_ROLES))
    finally:
        ws.close(backup_on_exit=False)


def test_nobody_logged_in_may_do_nothing_protected(ws, tmp_path):
    run = Run(ws, Actor("某人", None))
    for _name, _needs, call in STATION_OPS:
        with pytest.raises(PermissionRefused, match="未登录"):
            call(run, tmp_path)


def test_the_matrix_says_what_the_issue_says():
    entry, doctor, head = roles.ENTRY, roles.DOCTOR, roles.HEAD
    for perm in ("report.correct", "ids.unmask", "record.delete", "backup.restore", "users.manage"):
        assert not roles.allowed(entry, perm), perm  # a 录入员 is refused all of these
    for perm in ("report.submit", "report.correct", "ids.unmask", "users.manage", "audit.view"):
        assert roles.allowed(head, perm), perm
    assert roles.allowed(doctor, "phones.view") and not roles.allowed(entry, "phones.view")
    assert roles.allowed(roles.REVIEWER, "bureau.import")
    assert not roles.allowed(roles.REVIEWER, "report.view")


def _required_in_code() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "ygt_desktop"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("require", "may")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_permission_asked_for_is_in_the_table_and_every_one_is_asked_for():
    asked = _required_in_code()
    assert asked <= set(roles.PERMISSIONS), asked - set(roles.PERMISSIONS)
    unused = set(roles.PERMISSIONS) - asked
    assert not unused, f"in the table but never checked: {sorted(unused)}"
