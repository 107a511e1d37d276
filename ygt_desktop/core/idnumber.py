"""Resident identity numbers per GB 11643 (公民身份号码).

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male,
even = female) and a check character. Messages are Chinese and say what is expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """An identity number that cannot be accepted; ``str(err)`` is the Chinese reason."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    address_code: str
    birth_date: dt.date
    sex: str  # GB/T 2261.1 code: "1" 男, "2" 女


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """Strip blanks and upper-case a trailing x; convert an old 15-digit number."""
    s = "".join(raw.split()).upper()
    if len(s) == 15 and s.isdigit():
        first17 = s[:6] + "19" + s[6:]
        return first17 + check_char(first17)
    return s


def parse(raw: str, today: dt.date | None = None) -> IdInfo:
    """Validate ``raw`` and return what it encodes, or raise :class:`IdNumberError`."""
    s = normalise(raw)
    today = today or dt.date.today()
    if len(s) != 18:
        raise IdNumberError(f"身份证号应为18位，现为{len(s)}位")
    body, last = s[:17], s[17]
    if not body.isdigit() or not (last.isdigit() or last == "X"):
        raise IdNumberError("身份证号前17位应为数字，最后一位应为数字或X")
    if body[:2] == "00" or body[:6] == "000000":
        raise IdNumberError("身份证号前6位地址码无效")
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期 {body[6:14]} 不存在") from None
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期 {birth.isoformat()} 晚于今天")
    if birth.year < 1880:
        raise IdNumberError(f"身份证号中的出生日期 {birth.isoformat()} 不合理")
    expected = check_char(body)
    if last != expected:
        raise IdNumberError(f"身份证号校验位应为 {expected}，现为 {last}")
    sex = "1" if int(body[14:17]) % 2 == 1 else "2"
    return IdInfo(number=s, address_code=body[:6], birth_date=birth, sex=sex)


def mask(number: str) -> str:
    """``530102********123X``: keep the address code and the last four characters."""
    if len(number) <= 10:
        return number
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
