"""Roles and what each may do: one table, read by the operations layer (which refuses),
the window (which greys out what would be refused) and the README's matrix.

A station has 录入员 (enter and edit records), 医生 (also: phone numbers, delete records
with a reason), 站长 (also: submit and correct submitted quarters, full ID numbers,
users, restore, the audit log) and 管理员 (the PC's keeper: users, backups, restore,
settings, the audit log, and a 录入员's record work — not submissions, corrections or
full ID numbers, which are the station head's). A bureau has 审核员 (import, aggregate,
report, keep the roster) and 管理员 (also users, restore, the audit log).
"""

from __future__ import annotations

ENTRY = "录入员"
DOCTOR = "医生"
HEAD = "站长"
ADMIN = "管理员"
REVIEWER = "审核员"

ROLES: tuple[str, ...] = (ENTRY, DOCTOR, HEAD, ADMIN, REVIEWER)
STATION_ROLES: tuple[str, ...] = (ENTRY, DOCTOR, HEAD, ADMIN)
BUREAU_ROLES: tuple[str, ...] = (REVIEWER, ADMIN)
# Roles that manage users (and so may create the first account of a database).
KEEPERS: frozenset[str] = frozenset({HEAD, ADMIN})

_STATION_ALL = frozenset(STATION_ROLES)
_DOCTORS_UP = frozenset({DOCTOR, HEAD, ADMIN})
_HEAD = frozenset({HEAD})
_KEEPERS = frozenset({HEAD, ADMIN})
_BUREAU_ALL = frozenset(BUREAU_ROLES)
_EVERYONE = frozenset(ROLES)

# permission -> (what it is, in the words of a refusal; who may)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    # records
    "record.delete": ("删除记录", _DOCTORS_UP),
    "record.print": ("打印服务记录", _STATION_ALL),
    "phones.view": ("查看完整的电话号码", _DOCTORS_UP),
    "ids.unmask": ("查看或导出完整的身份证号", _HEAD),
    # the quarter
    "report.view": ("查看季度报表", _STATION_ALL),
    "report.export": ("导出季度报表", _STATION_ALL),
    "report.lists": ("导出花名册", _DOCTORS_UP),
    "report.submit": ("上报并锁定季度", _HEAD),
    "report.correct": ("更正已上报季度的记录", _HEAD),
    "worklist.view": ("查看待办随访", _STATION_ALL),
    "worklist.export": ("导出或打印待办随访", _STATION_ALL),
    "contract.print": ("打印签约协议书", _STATION_ALL),
    "contract.export": ("导出签约名单", _STATION_ALL),
    "equipment.print": ("打印设备盘点表", _STATION_ALL),
    # the database
    "backup.make": ("备份数据库", _EVERYONE),
    "backup.restore": ("从备份恢复数据库", _KEEPERS),
    "settings.edit": ("修改机构设置", _KEEPERS),
    "users.manage": ("管理用户账户", _KEEPERS),
    "audit.view": ("查看审计日志", _KEEPERS),
    "demo.generate": ("生成演示数据", _EVERYONE),
    # the organisation's signing key: its 站长, a bureau's 管理员 (ops/keys.py refuses a
    # station's 管理员: the key signs the station head's submissions)
    "keys.manage": ("生成、导出或更换本机构签名密钥", _KEEPERS),
    # a bureau
    "bureau.roster.view": ("查看成员机构名单", _BUREAU_ALL),
    "bureau.roster.import": ("导入或修改成员机构名单", _BUREAU_ALL),
    "bureau.roster.export": ("导出成员机构名单", _BUREAU_ALL),
    "bureau.import": ("导入上报工作簿", _BUREAU_ALL),
    "bureau.status.view": ("查看上报情况", _BUREAU_ALL),
    "bureau.status.export": ("导出上报情况", _BUREAU_ALL),
    "bureau.report.view": ("查看汇总报表", _BUREAU_ALL),
    "bureau.report.export": ("导出汇总报表", _BUREAU_ALL),
    "bureau.receipts": ("生成回执", _BUREAU_ALL),
    "bureau.withdraw": ("撤销已接收的上报工作簿", _BUREAU_ALL),
    "bureau.keys": ("登记或更换成员机构公钥", _BUREAU_ALL),
}


class UnknownPermission(KeyError):
    """A permission name not in :data:`PERMISSIONS` (a programming error)."""


def allowed(role: str | None, permission: str) -> bool:
    """Whether ``role`` may do ``permission``; no role (nobody logged in) may do nothing."""
    try:
        _label, roles = PERMISSIONS[permission]
    except KeyError:
        raise UnknownPermission(permission) from None
    return role in roles


def label(permission: str) -> str:
    """The Chinese words for ``permission`` (e.g. 更正已上报季度的记录)."""
    try:
        return PERMISSIONS[permission][0]
    except KeyError:
        raise UnknownPermission(permission) from None


def who_may(permission: str) -> list[str]:
    """The roles that may do ``permission``, in the order of :data:`ROLES`."""
    roles = PERMISSIONS[permission][1]
    return [r for r in ROLES if r in roles]


def refusal(name: str, role: str | None, permission: str) -> str:
    """The Chinese sentence a refused user reads."""
    may = "、".join(who_may(permission))
    who = f"{name}（{role}）" if role else "未登录的用户"
    return f"{who}无权{label(permission)}：只有{may}可以。已记入审计日志。"


def roles_for(is_bureau: bool) -> tuple[str, ...]:
    """The roles a station's or a bureau's accounts may have."""
    return BUREAU_ROLES if is_bureau else STATION_ROLES


def first_role(is_bureau: bool) -> str:
    """The role of a database's first account: the station head, or a bureau's 管理员."""
    return ADMIN if is_bureau else HEAD
