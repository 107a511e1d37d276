"""Organisation keys as operations (issue 11): generate, replace and export this
organisation's signing key; unlock it to sign an upward workbook; at a bureau,
register members' public keys.

Permissions: ``keys.manage`` (the 站长; a bureau: its 管理员 — a station's 管理员 has the
permission in the table but is refused here, because the key signs what the station
head submits); ``bureau.keys`` (register or replace a member's key);
``bureau.roster.view`` (list them). Generating or replacing needs the acting user's
password again (it encrypts the private key); replacing needs a reason and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core import roles
from ..reports.key_registration import (
    Registration,
    RegistrationError,
    read_registration,
    write_registration,
)
from ..storage import keys, roster, users
from ..storage.keys import KeyProblem, KeySigner, MemberKey, OwnKey
from .base import OpError, PermissionRefused, Run, note_refusal


def _keeper(run: Run) -> None:
    run.require("keys.manage")
    holder = roles.first_role(run.ws.is_bureau)
    if run.actor.role != holder:
        note_refusal(run.ws, run.actor, "keys.manage")
        raise PermissionRefused(
            f"{run.actor.name}（{run.actor.role}）无权管理本机构签名密钥：只有{holder}可以。"
            "已记入审计日志。"
        )


def _org_code(run: Run) -> tuple[str, str, str]:
    org = run.ws.organisation
    if org is None:
        raise OpError("本数据库还没有设置机构信息，不能生成密钥。")
    return org.code, org.name, org.level


def _password_ok(run: Run, password: str) -> None:
    if not users.check_password_of(run.ws.store, run.actor.name, password):
        raise OpError("密码不正确，未生成密钥。请输入您本人（当前登录用户）的密码。")


def current(run: Run) -> OwnKey | None:
    """This organisation's current key (public information: no permission)."""
    return keys.current(run.ws.store)


def history(run: Run) -> list[OwnKey]:
    return keys.own_keys(run.ws.store)


def generate(
    run: Run, password: str, *, replace: bool = False, reason: str | None = None
) -> OwnKey:
    """A new key pair, its private half encrypted with the acting user's ``password``
    (checked). With a current key: refused unless ``replace`` with a ``reason`` (lost
    password, new PC); the old public key is kept (its workbooks stay verifiable)."""
    _keeper(run)
    code, _name, _level = _org_code(run)
    _password_ok(run, password)
    now = keys.current(run.ws.store)
    if now is not None and not replace:
        raise OpError(
            f"本机构已有签名密钥（指纹 {now.fingerprint}）。要更换（忘记密码、换了电脑），"
            "请使用“更换密钥”（ygt key new --replace --reason 原因）。"
        )
    if now is not None and not (reason and reason.strip()):
        raise OpError("更换密钥须说明原因（如：忘记密码、换了电脑）。")
    run.step(0, 0, "正在生成密钥…")
    return keys.create(
        run.ws.store,
        code,
        owner=run.actor.name,
        password=password,
        reason=reason.strip() if reason and now is not None else None,
    )


def registration(run: Run, key: OwnKey) -> Registration:
    code, name, level = _org_code(run)
    return Registration(
        code, name, level, key.algorithm, key.public_key, key.created_at, key.fingerprint
    )


@dataclass
class Exported:
    key: OwnKey
    made: bool  # the key was generated first


def export_registration(run: Run, out: Path, *, password: str | None = None) -> Exported:
    """Write the registration file of the current key to ``out`` (whole or not at
    all); with no key yet, generate it first (``password`` needed then)."""
    _keeper(run)
    key = keys.current(run.ws.store)
    made = False
    if key is None:
        if password is None:
            raise OpError("本机构还没有签名密钥，请先生成密钥（需要输入您的密码）。")
        key, made = generate(run, password), True
    run.step(0, 0, f"正在写出公钥登记文件 {Path(out).name}…")
    write_registration(registration(run, key), Path(out))
    return Exported(key, made)


@dataclass(frozen=True)
class Signing:
    """The key to sign an export with, or None and why not (Chinese, for the status)."""

    signer: KeySigner | None
    note: str

    @property
    def signed(self) -> bool:
        return self.signer is not None


def signer_for(run: Run, password: str) -> Signing:
    """Unlock the current key for the acting user, who must be its owner (the 站长 who
    made it); ``password`` is theirs (the command line's, or the window's login
    password). Otherwise the export goes out unsigned, and ``note`` says why."""
    key = keys.current(run.ws.store)
    if key is None:
        return Signing(None, "未签名：本机构还没有签名密钥（站长可在“设置”中生成）")
    if key.owner != run.actor.name:
        return Signing(None, f"未签名：只有密钥持有人“{key.owner}”导出的上报工作簿才带签名")
    try:
        signer = keys.unlock(run.ws.store, password)
    except KeyProblem as exc:
        return Signing(None, f"未签名：{exc}")
    return Signing(signer, f"已签名（密钥指纹 {signer.fingerprint}）")


# ---- a bureau's member keys --------------------------------------------------------------


@dataclass
class Registered:
    key: MemberKey
    replaced: MemberKey | None
    unchanged: bool = False
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        k = self.key
        if self.unchanged:
            return f"{k.org_code} {k.org_name} 的公钥（指纹 {k.fingerprint}）已登记，未改动"
        text = f"已登记 {k.org_code} {k.org_name} 的公钥，指纹 {k.fingerprint}"
        if self.replaced is not None:
            text += f"（替换旧公钥 {self.replaced.fingerprint}，旧公钥对其已签名的工作簿仍有效）"
        return text


def register_member_key(run: Run, path: Path, *, reason: str | None = None) -> Registered:
    """Register the public key in the registration file ``path`` for the member it
    names (``bureau.keys``). Refused with the reason: a file that is not a registration
    file, an organisation not on the roster, a key registered to another member, a
    member that has another current key and no ``reason``."""
    roster.bureau(run.ws.store)  # a station's database: say so before any permission
    run.require("bureau.keys")
    try:
        reg = read_registration(Path(path))
    except RegistrationError as exc:
        raise OpError(str(exc)) from exc
    m = roster.member(run.ws.store, reg.org_code)
    if m is None:
        raise OpError(
            f"公钥登记文件 {Path(path).name}：机构代码 {reg.org_code}（{reg.org_name}）"
            "不在本机构的成员名册中，请先把它加入名册"
        )
    before = next((k for k in keys.member_keys(run.ws.store, m.code) if k.current), None)
    try:
        key, replaced = keys.register_member_key(
            run.ws.store,
            org_code=m.code,
            org_name=reg.org_name,
            public_key=reg.public_key,
            key_created_at=reg.created_at,
            reason=reason.strip() if reason else None,
        )
    except KeyProblem as exc:
        raise OpError(f"公钥登记文件 {Path(path).name}：{exc}") from exc
    done = Registered(key, replaced, unchanged=before is not None and before.id == key.id)
    if reg.org_name != m.name:
        done.warnings.append(f"登记文件中的机构名称“{reg.org_name}”与名册中的“{m.name}”不同")
    return done


def member_keys(run: Run) -> list[MemberKey]:
    """Every registered member key, current and replaced (``bureau.roster.view``)."""
    roster.bureau(run.ws.store)
    run.require("bureau.roster.view")
    return keys.member_keys(run.ws.store)
