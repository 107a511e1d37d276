"""What a screen or a file shows of a resident's ID number and phone number.

ID numbers are masked as ``530102********123X`` (:func:`ygt_desktop.core.idnumber.mask`),
phone numbers as ``138****5678`` (UI.md). Who may see them in full is a role's right
(``ids.unmask``, ``phones.view`` in :mod:`.roles`), checked by the operations layer; this
module only says what the masked text is, so that every screen and file agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import idnumber

# Column headers that carry one of them, in the lists the pages build as text.
ID_HEADERS = frozenset({"身份证号", "公民身份号码"})
PHONE_HEADERS = frozenset({"联系电话", "电话", "手机", "手机号码", "电话号码"})


def mask_phone(phone: str | None) -> str:
    """``138****5678``: a mobile keeps its first three and last four digits; any other
    number of eight characters or more its first three and last four too, shorter ones
    only their last two. Nothing in, nothing out."""
    text = "".join((phone or "").split())
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 2:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


def mask_id(number: str | None) -> str:
    """``530102********123X``; a text too short to be an ID number is hidden whole."""
    text = (number or "").strip()
    if not text:
        return ""
    if len(text) <= 10:
        return "*" * len(text)
    return idnumber.mask(text)


@dataclass(frozen=True)
class Shown:
    """Which of the two a file or screen shows in full (the caller checked the right)."""

    ids: bool = False
    phones: bool = False

    def id_number(self, number: str | None) -> str:
        return (number or "") if self.ids else mask_id(number)

    def phone(self, phone: str | None) -> str:
        return (phone or "") if self.phones else mask_phone(phone)

    def words(self) -> list[str]:
        """What is shown in full, in the audit log's words (``身份证号``, ``电话号码``)."""
        return [w for w, full in (("身份证号", self.ids), ("电话号码", self.phones)) if full]


MASKED = Shown()
