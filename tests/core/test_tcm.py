"""Constitution scoring (体质辨识) for the elderly 33-item form.

Items per constitution (spec, services.md):
    气虚 2,3,4,14 · 阳虚 11,12,13,29 · 阴虚 10,21,26,31 · 痰湿 9,16,28,32 ·
    湿热 23,25,27,30 · 血瘀 19,22,24,33 · 气郁 5,6,7,8 · 特禀 15,17,18,20 ·
    平和 1,2,4,5,13 with 2,4,5,13 reverse-scored (1↔5, 2↔4).
Items are shared: 2 and 4 (气虚, reversed in 平和), 5 (气郁), 13 (阳虚). Every
constructed example below therefore asserts its sums before its verdicts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ygt_desktop.core.tcm import (
    BIASED,
    BIASED_VERDICTS,
    DEFAULT,
    PINGHE_VERDICTS,
    ScoringConfig,
    answers_from_values,
    score,
)

SETTINGS: dict[str, Any] = {
    "scoring": {
        "items": {
            "气虚": [2, 3, 4, 14],
            "阳虚": [11, 12, 13, 29],
            "阴虚": [10, 21, 26, 31],
            "痰湿": [9, 16, 28, 32],
            "湿热": [23, 25, 27, 30],
            "血瘀": [19, 22, 24, 33],
            "气郁": [5, 6, 7, 8],
            "特禀": [15, 17, 18, 20],
            "平和": [1, 2, 4, 5, 13],
        },
        "reverse": [2, 4, 5, 13],
        "biased_yes": 11,
        "biased_tendency": 9,
        "pinghe_min": 17,
        "pinghe_yes_other_max": 8,
        "pinghe_basic_other_max": 10,
    }
}


def answers(**overrides: int) -> dict[int, int]:
    """All 33 answered 1 (没有), with ``q<n>=value`` overrides.

    Baseline: every biased sum is 4 (否); 平和 = 1 + 5 + 5 + 5 + 5 = 21 (是).
    """
    result = dict.fromkeys(range(1, 34), 1)
    for key, value in overrides.items():
        result[int(key.removeprefix("q"))] = value
    return result


def with_sum(base: dict[int, int], items: tuple[int, ...], target: int) -> dict[int, int]:
    """Set ``items`` (all answered 1 in ``base``) so that they add up to ``target``."""
    result = dict(base)
    extra = target - len(items)
    for n in items:
        step = min(extra, 4)
        result[n] = 1 + step
        extra -= step
    assert extra == 0
    return result


# -- baseline ---------------------------------------------------------------------


def test_all_never_is_pinghe_yes():
    r = score(answers())
    assert r.sums == {"平和": 21, **dict.fromkeys(BIASED, 4)}
    assert r.results == {"平和": "是", **dict.fromkeys(BIASED, "否")}
    assert r.summary == "平和质（是）"


# -- biased edges: 8 否, 9 倾向是, 10 倾向是, 11 是 ---------------------------------


@pytest.mark.parametrize(
    ("total", "verdict"), [(8, "否"), (9, "倾向是"), (10, "倾向是"), (11, "是")]
)
def test_blood_stasis_edges(total, verdict):
    # 血瘀 19,22,24,33 shares no item with any other constitution.
    a = with_sum(answers(), (19, 22, 24, 33), total)
    r = score(a)
    assert r.sums["血瘀"] == total
    assert all(r.sums[name] == 4 for name in BIASED if name != "血瘀")
    assert r.sums["平和"] == 21
    assert r.results["血瘀"] == verdict


@pytest.mark.parametrize("name", BIASED)
@pytest.mark.parametrize(
    ("total", "verdict"), [(8, "否"), (9, "倾向是"), (10, "倾向是"), (11, "是")]
)
def test_every_biased_constitution_edges(name, total, verdict):
    a = with_sum(answers(), DEFAULT.items[name], total)
    r = score(a)
    assert r.sums[name] == total
    assert all(r.sums[other] == 4 for other in BIASED if other != name)
    assert r.results[name] == verdict


# -- 平和 edges ---------------------------------------------------------------------

# 平和 = q1 + (6-q2) + (6-q4) + (6-q5) + (6-q13)
# 17: q1=1, q2=1, q4=1, q5=3, q13=3 → 1 + 5 + 5 + 3 + 3 = 17
#     气虚 = q2+q3+q4+q14 = 1+1+1+1 = 4; 气郁 = q5+q6+q7+q8 = 3+1+1+1 = 6;
#     阳虚 = q11+q12+q13+q29 = 1+1+3+1 = 6
# 16: as 17 but q13=4 → 1 + 5 + 5 + 3 + 2 = 16; 阳虚 = 1+1+4+1 = 7
# The largest biased sum is then set through 血瘀 (19,22,24,33) to 8, 9, 10 or 11.
PINGHE_17 = answers(q1=1, q2=1, q4=1, q5=3, q13=3)
PINGHE_16 = answers(q1=1, q2=1, q4=1, q5=3, q13=4)


@pytest.mark.parametrize(
    ("base", "pinghe", "biased_max", "verdict"),
    [
        (PINGHE_16, 16, 8, "否"),
        (PINGHE_16, 16, 9, "否"),
        (PINGHE_16, 16, 10, "否"),
        (PINGHE_16, 16, 11, "否"),
        (PINGHE_17, 17, 8, "是"),
        (PINGHE_17, 17, 9, "基本是"),
        (PINGHE_17, 17, 10, "基本是"),
        (PINGHE_17, 17, 11, "否"),
    ],
)
def test_pinghe_edges(base, pinghe, biased_max, verdict):
    a = with_sum(base, (19, 22, 24, 33), biased_max)
    r = score(a)
    assert r.sums["平和"] == pinghe
    assert r.sums["血瘀"] == biased_max
    assert max(r.sums[name] for name in BIASED) == biased_max
    assert r.sums["气虚"] == 4
    assert r.sums["气郁"] == 6
    assert r.sums["阳虚"] == (6 if pinghe == 17 else 7)
    assert r.results["平和"] == verdict


def test_pinghe_judged_on_shared_item_too():
    # 平和 17 (PINGHE_17) with 气虚 raised to 9 through its unshared items 3 and 14:
    # 气虚 = q2+q3+q4+q14 = 1+4+1+3 = 9 → 倾向是, so 平和 is only 基本是.
    a = dict(PINGHE_17)
    a[3], a[14] = 4, 3
    r = score(a)
    assert r.sums["平和"] == 17
    assert r.sums["气虚"] == 9
    assert max(r.sums[name] for name in BIASED) == 9
    assert r.results["平和"] == "基本是"
    assert r.results["气虚"] == "倾向是"
    assert r.summary == "平和质（基本是）；气虚质倾向是"


# -- reverse scoring --------------------------------------------------------------


def test_reverse_scoring_counts_for_pinghe_only():
    # q2 = 1: 平和 counts 6-1 = 5, 气虚 counts 1.
    low = score(answers(q2=1))
    assert low.sums["平和"] == 1 + 5 + 5 + 5 + 5 == 21
    assert low.sums["气虚"] == 1 + 1 + 1 + 1 == 4
    # q2 = 5: 平和 counts 6-5 = 1, 气虚 counts 5.
    high = score(answers(q2=5))
    assert high.sums["平和"] == 1 + 1 + 5 + 5 + 5 == 17
    assert high.sums["气虚"] == 5 + 1 + 1 + 1 == 8
    # q2 = 2 ↔ 4
    assert score(answers(q2=2)).sums["平和"] == 1 + 4 + 5 + 5 + 5
    # item 1 is not reversed: answering 5 adds 5.
    assert score(answers(q1=5)).sums["平和"] == 5 + 5 + 5 + 5 + 5


# -- a realistic form -------------------------------------------------------------


def test_realistic_form_worked_by_hand():
    a = {
        1: 3,  # 精力充沛
        2: 4,  # 容易疲乏
        3: 3,  # 容易气短
        4: 2,  # 容易心慌
        5: 2,  # 闷闷不乐
        6: 2,  # 精神紧张、焦虑不安
        7: 1,  # 多愁善感
        8: 1,  # 容易害怕
        9: 2,  # 身体沉重 (BMI band 24–25)
        10: 2,  # 眼睛干涩
        11: 4,  # 手脚发凉
        12: 3,  # 胃脘部怕冷
        13: 4,  # 比别人怕冷
        14: 3,  # 容易感冒 (band)
        15: 1,  # 没有感冒也鼻塞
        16: 2,  # 口黏腻
        17: 1,  # 过敏 (band)
        18: 1,  # 荨麻疹
        19: 2,  # 皮肤青紫瘀斑
        20: 1,  # 皮肤一抓就红
        21: 3,  # 皮肤或口唇干
        22: 2,  # 肢体麻木
        23: 1,  # 面部油腻
        24: 2,  # 面色晦暗
        25: 1,  # 湿疹疮疖
        26: 3,  # 口干咽燥
        27: 1,  # 口苦
        28: 2,  # 腹部肥大 (waist band)
        29: 3,  # 吃凉的东西不舒服
        30: 1,  # 大便黏滞
        31: 2,  # 大便干燥
        32: 2,  # 舌苔厚腻
        33: 2,  # 舌下静脉瘀紫
    }
    r = score(a)
    # 气虚 q2+q3+q4+q14     = 4+3+2+3 = 12 → 是
    # 阳虚 q11+q12+q13+q29  = 4+3+4+3 = 14 → 是
    # 阴虚 q10+q21+q26+q31  = 2+3+3+2 = 10 → 倾向是
    # 痰湿 q9+q16+q28+q32   = 2+2+2+2 = 8  → 否
    # 湿热 q23+q25+q27+q30  = 1+1+1+1 = 4  → 否
    # 血瘀 q19+q22+q24+q33  = 2+2+2+2 = 8  → 否
    # 气郁 q5+q6+q7+q8      = 2+2+1+1 = 6  → 否
    # 特禀 q15+q17+q18+q20  = 1+1+1+1 = 4  → 否
    # 平和 q1+(6-q2)+(6-q4)+(6-q5)+(6-q13) = 3+2+4+4+2 = 15 → 否 (< 17)
    assert r.sums == {
        "平和": 15,
        "气虚": 12,
        "阳虚": 14,
        "阴虚": 10,
        "痰湿": 8,
        "湿热": 4,
        "血瘀": 8,
        "气郁": 6,
        "特禀": 4,
    }
    assert r.results == {
        "平和": "否",
        "气虚": "是",
        "阳虚": "是",
        "阴虚": "倾向是",
        "痰湿": "否",
        "湿热": "否",
        "血瘀": "否",
        "气郁": "否",
        "特禀": "否",
    }
    assert r.summary == "气虚质；阳虚质；阴虚质倾向是"
    assert list(r.sums) == ["平和", *BIASED]


def test_summary_empty_when_nothing_applies():
    # 平和 16 (否) and every biased sum ≤ 8.
    r = score(PINGHE_16)
    assert r.sums["平和"] == 16
    assert max(r.sums[name] for name in BIASED) == 7
    assert r.summary == ""


# -- configuration is data ----------------------------------------------------------


def test_config_from_settings_equals_default():
    assert ScoringConfig.from_settings(SETTINGS) == DEFAULT
    # the bare [scoring] table is accepted too
    assert ScoringConfig.from_settings(SETTINGS["scoring"]) == DEFAULT


def test_default_is_immutable_and_hashable():
    with pytest.raises(TypeError):
        DEFAULT.items["气虚"] = (1,)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.biased_yes = 12  # type: ignore[misc]
    assert hash(DEFAULT) == hash(ScoringConfig.from_settings(SETTINGS))


def test_thresholds_in_config_change_the_verdict():
    # The "<" reading of the published copies: 是 needs > 11, 倾向是 > 9 (i.e. ≥ 12, ≥ 10).
    strict = dict(SETTINGS["scoring"], biased_yes=12, biased_tendency=10, pinghe_yes_other_max=7)
    config = ScoringConfig.from_settings({"scoring": strict})
    a = with_sum(PINGHE_17, (19, 22, 24, 33), 11)
    assert score(a).sums["血瘀"] == 11
    assert score(a).results["血瘀"] == "是"
    assert score(a, config).results["血瘀"] == "倾向是"

    a9 = with_sum(answers(), (19, 22, 24, 33), 9)
    assert score(a9).results["血瘀"] == "倾向是"
    assert score(a9, config).results["血瘀"] == "否"

    a8 = with_sum(PINGHE_17, (19, 22, 24, 33), 8)
    assert (score(a8).sums["平和"], score(a8).sums["血瘀"]) == (17, 8)
    assert score(a8).results["平和"] == "是"
    assert score(a8, config).results["平和"] == "基本是"

    lenient = dataclasses.replace(DEFAULT, pinghe_min=16)
    b = with_sum(PINGHE_16, (19, 22, 24, 33), 8)
    assert score(b).sums["平和"] == 16
    assert score(b).results["平和"] == "否"
    assert score(b, lenient).results["平和"] == "是"


def test_items_in_config_change_the_sums():
    moved = {**SETTINGS["scoring"]["items"], "血瘀": [19, 22, 24]}
    config = ScoringConfig.from_settings(dict(SETTINGS["scoring"], items=moved))
    a = answers(q19=3, q22=3, q24=3, q33=2)
    assert score(a).sums["血瘀"] == 11
    assert score(a, config).sums["血瘀"] == 9


def _broken(**changes: Any) -> dict[str, Any]:
    table = dict(SETTINGS["scoring"])
    for key, value in changes.items():
        if value is None:
            del table[key]
        else:
            table[key] = value
    return {"scoring": table}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (_broken(items=None), "scoring.items"),
        (_broken(items="气虚"), "scoring.items"),
        (_broken(items={**SETTINGS["scoring"]["items"], "气滞": [1]}), "未知体质：气滞"),
        (
            _broken(items={k: v for k, v in SETTINGS["scoring"]["items"].items() if k != "特禀"}),
            "缺少体质：特禀",
        ),
        (
            _broken(items={**SETTINGS["scoring"]["items"], "气虚": [2, 3, 4, 34]}),
            "scoring.items.气虚",
        ),
        (_broken(items={**SETTINGS["scoring"]["items"], "气虚": [0, 3]}), "scoring.items.气虚"),
        (_broken(items={**SETTINGS["scoring"]["items"], "气虚": ["2"]}), "scoring.items.气虚"),
        (_broken(items={**SETTINGS["scoring"]["items"], "气虚": [2, 2]}), "重复"),
        (_broken(items={**SETTINGS["scoring"]["items"], "气虚": []}), "不能为空"),
        (_broken(reverse=None), "scoring.reverse"),
        (_broken(reverse=[2, 4, 5, 14]), "scoring.reverse"),
        (_broken(biased_yes=None), "scoring.biased_yes"),
        (_broken(biased_yes="11"), "scoring.biased_yes"),
        (_broken(biased_tendency=9.0), "scoring.biased_tendency"),
        (_broken(pinghe_min=True), "scoring.pinghe_min"),
        (_broken(pinghe_yes_other_max=None), "scoring.pinghe_yes_other_max"),
        (_broken(pinghe_basic_other_max=[10]), "scoring.pinghe_basic_other_max"),
        ({"scoring": 3}, "scoring"),
    ],
)
def test_bad_settings_raise_naming_the_key(settings, message):
    with pytest.raises(ValueError, match=message):
        ScoringConfig.from_settings(settings)


# -- bad answers --------------------------------------------------------------------


def test_missing_item_is_named():
    a = answers()
    del a[7]
    del a[21]
    with pytest.raises(ValueError, match="缺少第 7、21 题的回答"):
        score(a)


def test_value_six_is_named():
    with pytest.raises(ValueError, match=r"回答应为 1–5：第 5 题为 6"):
        score(answers(q5=6))


def test_value_zero_and_non_int_rejected():
    with pytest.raises(ValueError, match="第 1 题为 0"):
        score(answers(q1=0))
    with pytest.raises(ValueError, match="第 2 题为 '3'"):
        score(answers(q2="3"))  # type: ignore[arg-type]


def test_unknown_item_rejected():
    a = answers()
    a[34] = 1
    with pytest.raises(ValueError, match="多出：34"):
        score(a)


# -- form values ----------------------------------------------------------------------


def test_answers_from_values():
    values = {f"q{n}": str((n % 5) + 1) for n in range(1, 34)}
    values["other"] = "x"
    a = answers_from_values(values)
    assert a == {n: (n % 5) + 1 for n in range(1, 34)}
    assert score(a).sums["气虚"] == 3 + 4 + 5 + 5


def test_answers_from_values_blank_left_for_score_to_name():
    values = {f"q{n}": "1" for n in range(1, 34)}
    values["q3"] = ""
    del values["q9"]
    a = answers_from_values(values)
    assert 3 not in a and 9 not in a
    with pytest.raises(ValueError, match="缺少第 3、9 题"):
        score(a)


def test_answers_from_values_bad_code():
    with pytest.raises(ValueError, match="第 4 题（q4）"):
        answers_from_values({"q4": "经常"})


# -- properties ---------------------------------------------------------------------

ANSWER_SETS = st.fixed_dictionaries({n: st.integers(1, 5) for n in range(1, 34)})


@given(ANSWER_SETS)
def test_every_verdict_is_allowed(a):
    r = score(a)
    assert r.results["平和"] in PINGHE_VERDICTS
    assert all(r.results[name] in BIASED_VERDICTS for name in BIASED)
    assert set(r.sums) == set(r.results) == {"平和", *BIASED}
    assert all(4 <= r.sums[name] <= 20 for name in BIASED)
    assert 5 <= r.sums["平和"] <= 25


RANK = {"否": 0, "倾向是": 1, "是": 2}


@given(st.fixed_dictionaries({n: st.integers(1, 4) for n in range(1, 34)}))
def test_raising_every_answer_never_lowers_a_biased_sum(a):
    before = score(a)
    after = score({n: v + 1 for n, v in a.items()})
    for name in BIASED:
        assert after.sums[name] >= before.sums[name]
        assert after.sums[name] == before.sums[name] + 4
        assert RANK[after.results[name]] >= RANK[before.results[name]]
    # 平和: item 1 rises by one, the four reversed items fall by one each.
    assert after.sums["平和"] == before.sums["平和"] - 3
