"""家族史: the paper has six boxes per relative (父亲, 母亲, 兄弟姐妹, 子女); a seventh is
refused naming the relative, on a new archive and on an edit, and nothing is written."""

from __future__ import annotations

import pytest

from tests.storage.test_resident_full import FULL
from ygt_desktop.storage.residents import ValidationFailed

SIX = ["2", "3", "4", "5", "6", "7"]
SEVEN = [*SIX, "8"]
RELATIVES = [
    ("family_father", "父亲"),
    ("family_mother", "母亲"),
    ("family_siblings", "兄弟姐妹"),
    ("family_children", "子女"),
]


def _rows(ws, sql: str) -> list[tuple[object, ...]]:
    return list(ws.store.conn.execute(sql).fetchall())


@pytest.mark.parametrize(("field", "relative"), RELATIVES)
def test_six_boxes_are_kept(ws, field, relative):
    rid = ws.residents.save({**FULL, field: SIX}).record_id
    assert ws.residents.values(rid)[field] == SIX


@pytest.mark.parametrize(("field", "relative"), RELATIVES)
def test_a_seventh_box_is_refused_naming_the_relative(ws, field, relative):
    audit_before = _rows(ws, "SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save({**FULL, field: SEVEN})
    assert err.value.errors[field].startswith(f"家族史·{relative}最多选6项")
    assert ws.residents.count() == 0
    assert _rows(ws, "SELECT count(*) FROM audit_log") == audit_before


def test_an_edit_to_seven_boxes_changes_nothing(ws):
    rid = ws.residents.save({**FULL, "family_siblings": SIX}).record_id
    stored = ws.residents.values(rid)
    audit_before = _rows(ws, "SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save(
            {**stored, "family_siblings": [*SEVEN, "12"], "family_siblings_other": "痛风"}, rid
        )
    assert list(err.value.errors) == ["family_siblings"]
    assert ws.residents.values(rid) == stored
    assert _rows(ws, "SELECT count(*) FROM audit_log") == audit_before
