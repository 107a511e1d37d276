"""家庭签约满意度问卷: one questionnaire per contracted resident and survey
(``forms/satisfaction.toml``), and the figures for a period: how many, the average
score (mean of the six aspects, 1–5) and the share satisfied (满意 or 非常满意 overall).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.contracts import SURVEY_ITEMS, is_satisfied, survey_score
from ..core.forms import FormRegistry
from .db import Store
from .entities import EntityRepo


class SurveyRepo(EntityRepo):
    """Questionnaires, each about a contract that exists and was signed by then."""

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        super().__init__(store, forms["satisfaction"], checks=[self._check])

    def _check(
        self, v: Mapping[str, Any], sid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        row = conn.execute(
            "SELECT sign_date FROM e_contract WHERE id = ? AND deleted = 0", (v["contract_id"],)
        ).fetchone()
        if row is None:
            return {"contract_id": f"签约 {v['contract_id']} 不存在或已删除"}
        if v["survey_date"] < dt.date.fromisoformat(row[0]):
            return {"survey_date": f"调查日期不能早于签约日期（{row[0]}）"}
        return {}


@dataclass(frozen=True)
class SurveyFigures:
    start: dt.date
    end: dt.date
    count: int
    residents: int
    average: float | None  # mean of the questionnaires' scores, 1–5
    satisfied: int
    item_averages: dict[str, float | None]

    @property
    def share_satisfied(self) -> float | None:
        """Satisfied questionnaires per questionnaire (0–1), None when there are none."""
        return self.satisfied / self.count if self.count else None


def survey_figures(
    store: Store, start: dt.date, end: dt.date, team: int | str | None = None
) -> SurveyFigures:
    """The questionnaires dated ``start``–``end`` (both included), of contracts not
    deleted, optionally of one team."""
    where = "s.deleted = 0 AND c.deleted = 0 AND s.survey_date BETWEEN ? AND ?"
    params: list[Any] = [start.isoformat(), end.isoformat()]
    if team:
        where += " AND c.team_id = ?"
        params.append(str(team))
    rows = store.query(
        f"SELECT s.*, c.resident_id AS r_id FROM e_satisfaction s "
        f"JOIN e_contract c ON c.id = s.contract_id WHERE {where}",
        params,
    )
    scores = [s for s in (survey_score(r) for r in rows) if s is not None]
    items: dict[str, float | None] = {}
    for item in SURVEY_ITEMS:
        answered = [int(r[item]) for r in rows if r[item]]
        items[item] = sum(answered) / len(answered) if answered else None
    return SurveyFigures(
        start,
        end,
        len(rows),
        len({r["r_id"] for r in rows}),
        sum(scores) / len(scores) if scores else None,
        sum(1 for r in rows if is_satisfied(r)),
        items,
    )
