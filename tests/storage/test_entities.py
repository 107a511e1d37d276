"""Entity forms (own id and table): save, unique fields, domain checks, soft delete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop.core.forms import FormFileError, load_form
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.migrations import MIGRATIONS, create_entity_table, suggest
from ygt_desktop.storage.residents import ValidationFailed

FORM = """
[form]
id = "asset"
title = "设备登记"
version = 1
kind = "entity"
table = "e_asset"

[[fields]]
id = "asset_no"
label = "资产编号"
type = "text"
required = true
unique = true

[[fields]]
id = "name"
label = "设备名称"
type = "text"
required = true

[[fields]]
id = "purchase_date"
label = "购置日期"
type = "date"
not_future = true

[[fields]]
id = "price"
label = "价格"
type = "decimal"
min = 0
max = 10000000
unit = "元"
"""


@pytest.fixture
def assets(ws, tmp_path: Path):
    path = tmp_path / "asset.toml"
    path.write_text(FORM, encoding="utf-8")
    form = load_form(path)
    create_entity_table(ws.store.conn, form, tuple(f.id for f in form.fields))

    def no_price_without_date(values, entity_id, conn):
        if values["price"] is not None and values["purchase_date"] is None:
            return {"purchase_date": "填写了价格时请填写购置日期"}
        return {}

    return EntityRepo(ws.store, form, checks=[no_price_without_date])


def test_save_read_update_and_audit(assets):
    change = assets.save(
        {"asset_no": "A-001", "name": "血压计", "purchase_date": "2024-03-01", "price": "320.5"}
    )
    assert change.action == "insert"
    assert assets.values(change.record_id) == {
        "asset_no": "A-001",
        "name": "血压计",
        "purchase_date": dt.date(2024, 3, 1),
        "price": 320.5,
    }
    assets.save({"name": "电子血压计"}, change.record_id)
    assert assets.values(change.record_id)["name"] == "电子血压计"
    assert assets.values(change.record_id)["price"] == 320.5  # kept
    assert [h["action"] for h in assets.history(change.record_id)] == ["insert", "update"]
    assert [r["asset_no"] for r in assets.rows()] == ["A-001"]


def test_duplicate_unique_value_is_refused_and_nothing_written(assets):
    assets.save({"asset_no": "A-001", "name": "血压计"})
    with pytest.raises(ValidationFailed) as err:
        assets.save({"asset_no": "A-001", "name": "体重秤"})
    assert "资产编号“A-001”已被另一条记录使用" in err.value.errors["asset_no"]
    assert len(assets.rows()) == 1


def test_domain_check_runs_and_form_errors_come_first(assets):
    with pytest.raises(ValidationFailed) as err:
        assets.save({"asset_no": "A-002", "name": "心电图机", "price": "8000"})
    assert err.value.errors == {"purchase_date": "填写了价格时请填写购置日期"}
    with pytest.raises(ValidationFailed) as err:
        assets.save({"asset_no": "A-002", "name": "心电图机", "price": "-1"})
    assert set(err.value.errors) == {"price"}
    assert assets.rows() == []


def test_soft_delete_needs_a_reason_and_frees_the_number(assets):
    rid = assets.save({"asset_no": "A-001", "name": "血压计"}).record_id
    with pytest.raises(ValidationFailed):
        assets.delete(rid, "  ")
    assets.delete(rid, "录重了")
    assert assets.rows() == []
    with pytest.raises(StoreError):
        assets.values(rid)
    assets.save({"asset_no": "A-001", "name": "血压计"})  # the number is free again


def test_entity_kind_and_migration_suggestion(ws, tmp_path: Path, forms):
    path = tmp_path / "asset.toml"
    path.write_text(FORM.replace('kind = "entity"', 'kind = "thing"'), encoding="utf-8")
    with pytest.raises(FormFileError):
        load_form(path)
    path.write_text(FORM, encoding="utf-8")
    form = load_form(path)
    assert not form.per_resident
    registry = type(forms)({**{f.id: f for f in forms}, form.id: form})
    lines = suggest(ws.store.conn, registry)
    assert lines == [
        f'Migration("{len(MIGRATIONS) + 1:04d}_asset", entity_table("e_asset", '
        '(("asset_no", TEXT), ("name", TEXT), ("purchase_date", TEXT), '
        '("price", REAL)))),'
    ]


def test_records_as_choices_for_other_forms(assets):
    second = assets.save({"asset_no": "A-002", "name": "体重秤"}).record_id
    first = assets.save({"asset_no": "A-001", "name": "血压计"}).record_id
    assert [(c.code, c.label) for c in assets.choices()] == [
        (str(first), "A-001"),
        (str(second), "A-002"),
    ]  # by the label field
