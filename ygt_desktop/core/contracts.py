"""Family-doctor contracts (家庭医生签约) without a database: terms, status, key
populations, fee arithmetic and questionnaire scores.

A contract's status is never stored: it follows from its dates, its termination and
whether it was renewed, on the day asked about (so 到期 needs no nightly job). A
contract terminated on day T is in force up to T − 1; a new one may start on T.
Money is handled in whole fen (cents) so sums never drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ACTIVE = "有效"
EXPIRED = "到期"
RENEWED = "已续约"
TERMINATED = "已解约"
STATUSES = (ACTIVE, EXPIRED, RENEWED, TERMINATED)

# Codes of the contract form's ``key_populations`` choices (forms/contract.toml), in
# the order of the national list; a test keeps the two the same.
KEY_POPULATIONS = (
    "child", "elderly", "maternal", "htn", "dm", "tb", "smi", "disabled", "poverty", "dibao",
    "tekun", "family_planning",
)  # fmt: skip
# Key populations that are flags on the resident's archive.
RESIDENT_FLAGS = {
    "disabled": "flag_disabled", "poverty": "flag_poverty", "dibao": "flag_dibao",
    "tekun": "flag_tekun", "family_planning": "flag_family_planning",
}  # fmt: skip
CHILD_MAX_AGE = 6  # 0–6岁: up to the day before the 7th birthday
ELDERLY_MIN_AGE = 65

PAYERS = ("medical", "phs", "personal")  # codes of contract_payment.payer
PAYER_LABELS = {"medical": "医保基金", "phs": "基本公卫经费", "personal": "个人"}
# The fund's shares are prepaid in part; the personal share is paid in full.
PREPAID_PAYERS = ("medical", "phs")
DEFAULT_PREPAID_PERCENT = 80.0
SURVEY_ITEMS = ("q_info", "q_cost", "q_image", "q_skill", "q_quality", "q_convenience")
SATISFIED_FROM = 4  # 满意 (4) or 非常满意 (5) on 总体评价


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def one_year_end(start: dt.date) -> dt.date:
    """The last day of a one-year term starting on ``start`` (2025-01-01 → 2025-12-31;
    2024-02-29 → 2025-02-28)."""
    if (start.month, start.day) == (2, 29):
        return add_years(start, 1)
    return add_years(start, 1) - dt.timedelta(days=1)


def term_error(start: dt.date, end: dt.date) -> str | None:
    """Why ``start``–``end`` is not a valid term (it must last at least one year)."""
    if end < start:
        return "服务结束日期不能早于开始日期"
    if end < one_year_end(start):
        return f"服务期至少一年：开始于 {start.isoformat()} 的签约最早到 {one_year_end(start).isoformat()} 结束"
    return None


def last_day(end: dt.date, terminated: dt.date | None) -> dt.date:
    """The last day a contract is in force: its end, or the day before its termination."""
    if terminated is not None and terminated <= end:
        return terminated - dt.timedelta(days=1)
    return end


def in_force(start: dt.date, end: dt.date, terminated: dt.date | None, day: dt.date) -> bool:
    return start <= day <= last_day(end, terminated)


def status_on(
    end: dt.date, terminated: dt.date | None, renewed_on: dt.date | None, day: dt.date
) -> str:
    """有效 / 到期 / 已续约 / 已解约 on ``day``. ``renewed_on`` is the sign date of the
    contract renewing this one (None when not renewed). A contract signed but not yet
    started counts as 有效."""
    if terminated is not None and terminated <= day:
        return TERMINATED
    if renewed_on is not None and renewed_on <= day:
        return RENEWED
    if end < day:
        return EXPIRED
    return ACTIVE


def overlaps(a_start: dt.date, a_last: dt.date, b_start: dt.date, b_last: dt.date) -> bool:
    """Whether two periods (first and last day, inclusive) share a day."""
    return a_start <= b_last and b_start <= a_last


def key_populations(resident: Mapping[str, Any], facts: Mapping[str, Any]) -> list[str]:
    """The key populations (codes of :data:`KEY_POPULATIONS`, in that order) of a
    resident. ``resident`` is the archive row (flags as 0/1 or bools); ``facts`` holds
    ``age_years`` on the day, ``has_htn`` / ``has_dm`` / ``has_smi`` (open registers)
    and ``open_pregnancy`` / ``open_tb`` (open episodes) on that day."""
    age = facts.get("age_years")
    found = {
        "child": age is not None and age <= CHILD_MAX_AGE,
        "elderly": age is not None and age >= ELDERLY_MIN_AGE,
        "maternal": bool(facts.get("open_pregnancy")),
        "htn": bool(facts.get("has_htn")),
        "dm": bool(facts.get("has_dm")),
        "tb": bool(facts.get("open_tb")),
        "smi": bool(facts.get("has_smi")),
        **{code: bool(resident.get(column)) for code, column in RESIDENT_FLAGS.items()},
    }
    return [code for code in KEY_POPULATIONS if found[code]]


# ---- money ----------------------------------------------------------------------------


def fen(amount: float | int | None) -> int:
    """Yuan to whole fen, rounded half up (amounts are stored as REAL yuan)."""
    if amount is None:
        return 0
    return int(round(float(amount) * 100 + (1e-6 if amount >= 0 else -1e-6)))


def yuan(fen_amount: int) -> float:
    return fen_amount / 100


def yuan_text(amount: float | int | None) -> str:
    """``55`` / ``12.5`` / ``0.05`` — no trailing zeros, for tables and the agreement."""
    f = fen(amount)
    whole, part = divmod(abs(f), 100)
    sign = "-" if f < 0 else ""
    return f"{sign}{whole}" if part == 0 else f"{sign}{whole}.{part:02d}".rstrip("0")


def package_fees(packages: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """The annual fee per payer of a set of packages (their ``fee_<payer>`` amounts)."""
    totals = dict.fromkeys(PAYERS, 0)
    for p in packages:
        for payer in PAYERS:
            totals[payer] += fen(p.get(f"fee_{payer}"))
    return {payer: yuan(v) for payer, v in totals.items()}


@dataclass(frozen=True)
class PayerFees:
    """One payer's money for one contract (or a sum of contracts), in fen."""

    due: int = 0
    prepaid_expected: int = 0  # the share due in advance (the fund) or in full (personal)
    received: int = 0

    @property
    def outstanding(self) -> int:
        return max(self.due - self.received, 0)


def prepaid_expected(payer: str, due_fen: int, prepaid_percent: float) -> int:
    """What should arrive in advance: the prepaid share of the fund's parts, the whole
    personal part."""
    if payer not in PREPAID_PAYERS:
        return due_fen
    return int(round(due_fen * prepaid_percent / 100))


# ---- satisfaction ---------------------------------------------------------------------


def survey_score(values: Mapping[str, Any]) -> float | None:
    """The mean of the answered aspects (1–5), or None when none was answered."""
    scores = [int(values[k]) for k in SURVEY_ITEMS if values.get(k) not in (None, "")]
    return sum(scores) / len(scores) if scores else None


def is_satisfied(values: Mapping[str, Any]) -> bool:
    """满意 or 非常满意 on 总体评价 (without one: a mean score of 4 or more)."""
    overall = values.get("q_overall")
    if overall not in (None, ""):
        return int(overall) >= SATISFIED_FROM
    score = survey_score(values)
    return score is not None and score >= SATISFIED_FROM


# ---- target groups (服务对象) --------------------------------------------------------


def target_rules(
    table: Mapping[str, Any], targets: Mapping[str, str], populations: Iterable[str]
) -> dict[str, frozenset[str]]:
    """The ``[target_populations]`` table of ``forms/service_package.toml`` checked: each
    服务对象 code (of ``targets``, code → label) → the key populations (codes of
    ``populations``) one of which a resident must be in on the sign date. Raises
    ValueError naming what is wrong (a test loads the real file through it)."""
    known = set(populations)
    out: dict[str, frozenset[str]] = {}
    for code, members in table.items():
        if code not in targets:
            raise ValueError(f"target_populations：服务对象代码 {code} 不在服务对象的选项中")
        if not isinstance(members, list) or not members:
            raise ValueError(f"target_populations：服务对象 {code} 应列出至少一个重点人群代码")
        unknown = [m for m in members if m not in known]
        if unknown:
            raise ValueError(
                f"target_populations：服务对象 {code} 的重点人群 {'、'.join(map(str, unknown))} 不存在"
            )
        out[code] = frozenset(members)
    return out


def target_problem(
    package: str,
    target: str | None,
    rules: Mapping[str, frozenset[str]],
    resident_populations: Iterable[str],
    target_labels: Mapping[str, str],
    population_labels: Mapping[str, str],
) -> str | None:
    """Why a resident in ``resident_populations`` (on the sign date) cannot sign the
    package named ``package`` whose 服务对象 is ``target``; None when they may (a 服务对象
    without a rule admits everyone)."""
    admitted = rules.get(target or "")
    if admitted is None or admitted & set(resident_populations):
        return None
    groups = "、".join(population_labels.get(c, c) for c in KEY_POPULATIONS if c in admitted)
    return (
        f"服务包“{package}”的服务对象为{target_labels.get(target or '', target)}"
        f"（{groups}），该居民在签约日期不属于此人群"
    )
