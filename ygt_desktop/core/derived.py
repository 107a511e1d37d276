"""Fields computed by a rule too large for an expression (``derived = "<settings key>"``).

A form field marked ``derived = "scoring"`` is filled by the deriver registered for the
form's ``[scoring]`` settings table; today that is the constitution identification of
the elderly TCM form (:mod:`ygt_desktop.core.tcm`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import tcm

_SCORE_FIELDS = {
    "平和": "score_pinghe",
    "气虚": "score_qixu",
    "阳虚": "score_yangxu",
    "阴虚": "score_yinxu",
    "痰湿": "score_tanshi",
    "湿热": "score_shire",
    "血瘀": "score_xueyu",
    "气郁": "score_qiyu",
    "特禀": "score_tebing",
}


def _constitution(values: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    answers = tcm.answers_from_values(values)
    if len(answers) < tcm.QUESTION_COUNT:
        return {}  # not all answered yet: the required-field check says which
    result = tcm.score(answers, tcm.ScoringConfig.from_settings(settings))
    out: dict[str, Any] = {"constitution": result.summary or "无偏颇体质判定"}
    out.update({field: result.sums[name] for name, field in _SCORE_FIELDS.items()})
    return out


DERIVERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]] = {
    "scoring": _constitution,
}
