"""Constitution scoring (体质辨识) for the elderly 33-item TCM form.

The 老年人中医药健康管理服务记录表 asks 33 questions, each answered 1–5
(没有/很少/有时/经常/总是). Each constitution (体质) adds up the answers to its
items; 平和质 counts some of its items reverse-scored (1↔5, 2↔4). The verdicts
compare those sums with thresholds that published copies of the form disagree on
at the edges (< versus ≤), so the item lists and thresholds are data: they live in
the form definition's ``[scoring]`` table and reach this module as a
:class:`ScoringConfig`. Messages are Chinese and name the offending key or item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

QUESTION_COUNT = 33
"""Number of questions on the form; items are numbered 1..33."""

ANSWER_MIN = 1
ANSWER_MAX = 5

PINGHE = "平和"
"""The balanced constitution, scored with reverse items and judged against the others."""

BIASED: tuple[str, ...] = ("气虚", "阳虚", "阴虚", "痰湿", "湿热", "血瘀", "气郁", "特禀")
"""The eight biased constitutions, in the order the national form prints them."""

CONSTITUTIONS: tuple[str, ...] = (PINGHE, *BIASED)
"""Every constitution: 平和 first, then the biased ones in form order."""

YES = "是"
TENDENCY = "倾向是"
BASIC = "基本是"
NO = "否"

BIASED_VERDICTS: frozenset[str] = frozenset({YES, TENDENCY, NO})
"""Possible verdicts for a biased constitution."""

PINGHE_VERDICTS: frozenset[str] = frozenset({YES, BASIC, NO})
"""Possible verdicts for 平和质."""

_THRESHOLDS = (
    "biased_yes",
    "biased_tendency",
    "pinghe_min",
    "pinghe_yes_other_max",
    "pinghe_basic_other_max",
)


def _is_int(value: object) -> bool:
    """True for a real int (``bool`` is not accepted as a number)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ScoringConfig:
    """Item lists and thresholds for constitution scoring.

    ``items`` maps each constitution name (``"气虚"`` … ``"特禀"`` and ``"平和"``)
    to its 1-based item numbers. ``reverse`` lists the items that 平和 counts
    reverse-scored (1↔5, 2↔4); the biased constitutions always count them as
    answered. A biased sum ≥ ``biased_yes`` is 是, ≥ ``biased_tendency`` is 倾向是.
    平和 needs a sum ≥ ``pinghe_min`` and every biased sum ≤
    ``pinghe_yes_other_max`` for 是, or ≤ ``pinghe_basic_other_max`` for 基本是.

    The instance is immutable: ``items`` is stored as a read-only mapping of tuples.
    """

    items: Mapping[str, tuple[int, ...]] = field(hash=False)
    reverse: frozenset[int]
    biased_yes: int = 11
    biased_tendency: int = 9
    pinghe_min: int = 17
    pinghe_yes_other_max: int = 8
    pinghe_basic_other_max: int = 10

    def __post_init__(self) -> None:
        frozen = MappingProxyType({name: tuple(nums) for name, nums in self.items.items()})
        object.__setattr__(self, "items", frozen)
        object.__setattr__(self, "reverse", frozenset(self.reverse))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ScoringConfig:
        """Build a configuration from a form definition's settings.

        ``settings`` is either the form's settings (holding a ``scoring`` table) or
        the ``[scoring]`` table itself, shaped like::

            [scoring]
            items = { 气虚 = [2, 3, 4, 14], ..., 平和 = [1, 2, 4, 5, 13] }
            reverse = [2, 4, 5, 13]
            biased_yes = 11
            biased_tendency = 9
            pinghe_min = 17
            pinghe_yes_other_max = 8
            pinghe_basic_other_max = 10

        Raises ``ValueError`` with a Chinese message naming the key when anything is
        missing or malformed: a missing or unknown constitution, an item that is not
        an integer in 1..33 or is listed twice, a reverse item that 平和 does not
        use, or a threshold that is not an integer.
        """
        table: Any = settings.get("scoring", settings)
        if not isinstance(table, Mapping):
            raise ValueError("体质辨识设置 scoring 应为一个表")

        raw_items = table.get("items")
        if raw_items is None:
            raise ValueError("体质辨识设置缺少 scoring.items")
        if not isinstance(raw_items, Mapping):
            raise ValueError("体质辨识设置 scoring.items 应为“体质名 = [题号, …]”的表")
        unknown = [str(name) for name in raw_items if name not in CONSTITUTIONS]
        if unknown:
            raise ValueError(
                f"体质辨识设置 scoring.items 含未知体质：{'、'.join(unknown)}"
                f"（应为 {'、'.join(CONSTITUTIONS)}）"
            )
        missing = [name for name in CONSTITUTIONS if name not in raw_items]
        if missing:
            raise ValueError(f"体质辨识设置 scoring.items 缺少体质：{'、'.join(missing)}")
        items = {
            name: _item_numbers(raw_items[name], f"scoring.items.{name}") for name in CONSTITUTIONS
        }

        raw_reverse = table.get("reverse")
        if raw_reverse is None:
            raise ValueError("体质辨识设置缺少 scoring.reverse")
        reverse = _item_numbers(raw_reverse, "scoring.reverse", allow_empty=True)
        stray = [n for n in reverse if n not in items[PINGHE]]
        if stray:
            raise ValueError(
                f"体质辨识设置 scoring.reverse 中第 {'、'.join(map(str, stray))} 题"
                f"不属于平和质的题目"
            )

        thresholds: dict[str, int] = {}
        for key in _THRESHOLDS:
            if key not in table:
                raise ValueError(f"体质辨识设置缺少 scoring.{key}")
            value = table[key]
            if not _is_int(value):
                raise ValueError(f"体质辨识设置 scoring.{key} 应为整数，实为 {value!r}")
            thresholds[key] = value

        return cls(
            items=items,
            reverse=frozenset(reverse),
            biased_yes=thresholds["biased_yes"],
            biased_tendency=thresholds["biased_tendency"],
            pinghe_min=thresholds["pinghe_min"],
            pinghe_yes_other_max=thresholds["pinghe_yes_other_max"],
            pinghe_basic_other_max=thresholds["pinghe_basic_other_max"],
        )


def _item_numbers(raw: Any, key: str, *, allow_empty: bool = False) -> tuple[int, ...]:
    """Validate a list of item numbers read from settings ``key``."""
    if isinstance(raw, str | bytes) or not isinstance(raw, list | tuple):
        raise ValueError(f"体质辨识设置 {key} 应为题号列表，实为 {raw!r}")
    if not raw and not allow_empty:
        raise ValueError(f"体质辨识设置 {key} 不能为空")
    numbers: list[int] = []
    for value in raw:
        if not _is_int(value) or not 1 <= value <= QUESTION_COUNT:
            raise ValueError(f"体质辨识设置 {key} 中的题号应为 1–{QUESTION_COUNT}，实为 {value!r}")
        if value in numbers:
            raise ValueError(f"体质辨识设置 {key} 中第 {value} 题重复")
        numbers.append(value)
    return tuple(numbers)


DEFAULT = ScoringConfig(
    items={
        "气虚": (2, 3, 4, 14),
        "阳虚": (11, 12, 13, 29),
        "阴虚": (10, 21, 26, 31),
        "痰湿": (9, 16, 28, 32),
        "湿热": (23, 25, 27, 30),
        "血瘀": (19, 22, 24, 33),
        "气郁": (5, 6, 7, 8),
        "特禀": (15, 17, 18, 20),
        "平和": (1, 2, 4, 5, 13),
    },
    reverse=frozenset({2, 4, 5, 13}),
    biased_yes=11,
    biased_tendency=9,
    pinghe_min=17,
    pinghe_yes_other_max=8,
    pinghe_basic_other_max=10,
)
"""The standard configuration (国家基本公共卫生服务规范 第三版)."""


@dataclass(frozen=True)
class ConstitutionResult:
    """Sums and verdicts per constitution.

    ``sums`` and ``results`` are keyed by constitution name (``"平和"``, ``"气虚"``
    …), 平和 first and the biased ones in form order. Verdicts are 是/倾向是/否 for
    the biased constitutions and 是/基本是/否 for 平和.
    """

    sums: dict[str, int]
    results: dict[str, str]

    @property
    def summary(self) -> str:
        """The result line as written on the national form.

        平和 first when it is 是 or 基本是 (``"平和质（是）"``, ``"平和质（基本是）"``),
        then the biased constitutions judged 是 (``"阳虚质"``), then those judged 倾向是
        (``"气虚质倾向是"``), joined by ``"；"``. Empty when nothing applies.
        """
        parts: list[str] = []
        pinghe = self.results.get(PINGHE)
        if pinghe in (YES, BASIC):
            parts.append(f"{PINGHE}质（{pinghe}）")
        parts.extend(f"{name}质" for name in BIASED if self.results.get(name) == YES)
        parts.extend(f"{name}质{TENDENCY}" for name in BIASED if self.results.get(name) == TENDENCY)
        return "；".join(parts)


def _check_answers(answers: Mapping[int, int]) -> None:
    """Raise ``ValueError`` (Chinese) for missing, unknown or out-of-range answers."""
    unknown = sorted(
        (k for k in answers if not _is_int(k) or not 1 <= k <= QUESTION_COUNT), key=str
    )
    if unknown:
        raise ValueError(
            f"体质辨识的题号应为 1–{QUESTION_COUNT}，多出：{'、'.join(map(str, unknown))}"
        )
    missing = [n for n in range(1, QUESTION_COUNT + 1) if n not in answers]
    if missing:
        raise ValueError(f"体质辨识缺少第 {'、'.join(map(str, missing))} 题的回答")
    bad = [
        f"第 {n} 题为 {answers[n]!r}"
        for n in range(1, QUESTION_COUNT + 1)
        if not _is_int(answers[n]) or not ANSWER_MIN <= answers[n] <= ANSWER_MAX
    ]
    if bad:
        raise ValueError(f"体质辨识的回答应为 {ANSWER_MIN}–{ANSWER_MAX}：{'；'.join(bad)}")


def score(answers: Mapping[int, int], config: ScoringConfig = DEFAULT) -> ConstitutionResult:
    """Score the 33 answers (item number → 1..5) and judge each constitution.

    All 33 items are required; a missing item, an item number outside 1..33 or an
    answer outside 1..5 raises ``ValueError`` with a Chinese message naming them.
    """
    _check_answers(answers)
    sums: dict[str, int] = {}
    for name in CONSTITUTIONS:
        reverse = config.reverse if name == PINGHE else frozenset()
        sums[name] = sum(
            (ANSWER_MIN + ANSWER_MAX - answers[n]) if n in reverse else answers[n]
            for n in config.items[name]
        )

    results: dict[str, str] = {}
    biased_max = max(sums[name] for name in BIASED)
    if sums[PINGHE] >= config.pinghe_min and biased_max <= config.pinghe_yes_other_max:
        results[PINGHE] = YES
    elif sums[PINGHE] >= config.pinghe_min and biased_max <= config.pinghe_basic_other_max:
        results[PINGHE] = BASIC
    else:
        results[PINGHE] = NO
    for name in BIASED:
        if sums[name] >= config.biased_yes:
            results[name] = YES
        elif sums[name] >= config.biased_tendency:
            results[name] = TENDENCY
        else:
            results[name] = NO
    return ConstitutionResult(sums=sums, results=results)


def answers_from_values(values: Mapping[str, Any]) -> dict[int, int]:
    """Map form values ``q1``..``q33`` (codes ``"1"``..``"5"``) to item number → int.

    Blank or absent questions are left out, so :func:`score` names them as missing;
    a code that is not a whole number raises ``ValueError`` naming the question.
    Range checking is left to :func:`score`.
    """
    answers: dict[int, int] = {}
    for n in range(1, QUESTION_COUNT + 1):
        raw = values.get(f"q{n}")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if _is_int(raw):
            answers[n] = raw
            continue
        text = raw.strip() if isinstance(raw, str) else None
        if text is None or not text.isascii() or not text.isdigit():
            raise ValueError(f"体质辨识第 {n} 题（q{n}）的回答应为 1–5，实为 {raw!r}")
        answers[n] = int(text)
    return answers
