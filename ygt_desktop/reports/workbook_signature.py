"""Whether a member's workbook is signed by that member (issue 11, docs/exchange.md).

Called once per workbook by the bureau import (:mod:`.bureau_import`), after the reader
and the bureau's own checks accepted it. The rules:

- a member with a registered public key: the workbook must carry ``signature`` and
  ``signed_by_key`` (format version 2), the key named must be one registered to *this*
  member (a key of another member: refused, naming it), and the Ed25519 signature must
  verify over the canonical bytes (:mod:`.workbook_canonical`). A replaced key is still
  valid for a workbook generated (``generated_at``, covered by the signature) before
  the replacement, not for one generated after it;
- a member without one: accepted with the warning "未登记公钥" (on the status page and
  the receipt), unless its workbook is signed with a key registered to another member;
- a signed workbook whose visible report sheets disagree with ``_data`` is refused
  (unsigned ones keep the reader's warning): a signature vouches for the numbers
  people read on paper too.

Pure function of the workbook and the database's key tables; safe in a worker thread.
Costs one Ed25519 verification (~0.1 ms) and the canonical bytes (~0.2 ms) per file.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from ..core.report_model import Template
from ..storage import keys
from ..storage.db import Store
from .workbook_canonical import SIGNATURE_KEY, SIGNED_BY_KEY, canonical_bytes
from .workbook_reader import ParsedWorkbook, compare_visible

NO_KEY = "未登记公钥"
_PREFIX = "可见工作表与 _data 不一致（导入以 _data 为准）："


@dataclass(frozen=True)
class Verdict:
    """``refused``: (code, Chinese reason), or None; ``warnings`` for an accepted file;
    ``fingerprint``: the registered key that verified it."""

    refused: tuple[str, str] | None = None
    warnings: tuple[str, ...] = ()
    fingerprint: str | None = None


def _refuse(code: str, reason: str) -> Verdict:
    return Verdict((code, reason))


def _when(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def check_member_signature(store: Store, parsed: ParsedWorkbook, template: Template) -> Verdict:
    """The verdict on ``parsed`` for the member its ``_meta`` names (module docstring)."""
    meta = parsed.meta
    code = meta.get("org_code", "")
    signature = meta.get(SIGNATURE_KEY, "").strip()
    named = meta.get(SIGNED_BY_KEY, "").strip().upper()
    signed = bool(signature or named)
    present = keys.has_member_keys(store)
    mine = keys.member_keys(store, code) if present else []
    others = (
        [k for k in keys.keys_with_fingerprint(store, named) if k.org_code != code]
        if named and present
        else []
    )
    if signed and meta.get("format_version", "").strip() == "1":
        return _refuse("bad_signature", "格式第1版的工作簿不能带签名（签名或签名密钥是后加的）")
    if signed and others and not any(k.fingerprint == named for k in mine):
        who = others[0]
        return _refuse(
            "wrong_key",
            f"工作簿声称是机构 {code} 的，却用机构 {who.org_code}（{who.org_name}）登记的"
            f"密钥（指纹 {named}）签名，未导入",
        )
    if not mine:
        if signed and (refused := _visible_refusal(parsed, template)):
            return refused
        return Verdict(
            warnings=(f"{NO_KEY}：机构 {code} 尚未向本机构登记签名公钥，工作簿的来源未经签名核验",)
        )
    current = next((k for k in mine if k.current), mine[-1])
    if not signature or not named:
        return _refuse(
            "unsigned",
            f"机构 {code} 已登记公钥（指纹 {current.fingerprint}），但工作簿没有签名。"
            "请让该机构的站长本人用本系统重新导出（站长导出的才带签名）",
        )
    match = next((k for k in mine if k.fingerprint == named), None)
    if match is None:
        return _refuse(
            "unknown_key",
            f"签名所用的密钥（指纹 {named[:24]}）不是机构 {code} 登记的公钥"
            f"（当前登记的指纹为 {current.fingerprint}），未导入",
        )
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if not keys.verify(match.public_key, raw, canonical_bytes(parsed.data, meta)):
        return _refuse(
            "bad_signature",
            "签名不符：工作簿在签名后被修改过，或签名是伪造的，未导入。请让报送单位重新导出",
        )
    if not match.current:
        made, replaced = _when(meta.get("generated_at", "")), _when(match.replaced_at or "")
        if made is None or replaced is None or made > replaced:
            return _refuse(
                "old_key",
                f"签名所用的密钥（指纹 {named}）已于 {match.replaced_at} 更换，"
                "此后生成的工作簿须用新密钥签名，未导入",
            )
    return _visible_refusal(parsed, template) or Verdict(fingerprint=match.fingerprint)


def _visible_refusal(parsed: ParsedWorkbook, template: Template) -> Verdict | None:
    differ = _visible_differences(parsed, template)
    if not differ:
        return None
    return _refuse(
        "visible_mismatch",
        "已签名的工作簿中，可见工作表与 _data 不一致（签名后被改动过），未导入：" + differ,
    )


def _visible_differences(parsed: ParsedWorkbook, template: Template) -> str:
    """The reader's comparison of the visible sheets with ``_data``, as one text (empty
    when they agree or the template is not the workbook's, which the import refuses)."""
    meta = parsed.meta
    if (meta.get("template_id"), meta.get("template_version")) != (
        template.id,
        str(template.version),
    ):
        return ""
    found = compare_visible(parsed.visible, parsed.data, meta, template)
    if not found:
        return ""
    found[0] = found[0].removeprefix(_PREFIX)
    return "；".join(found)
