"""Repeating groups stored (issue 13): a ``rows`` field's lines in their child table,
saved in the record's transaction, read back with it, replaced on an edit, in the
audit log, covered by the record's digest (a line changed with plain SQL is found), and
the drift check and migration suggestion knowing the child tables."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.core.test_rows import HEAD, MEDICINES
from tests.storage.test_audit_check import _plain
from ygt_desktop.core.forms import FormRegistry, load_form
from ygt_desktop.storage import audit_check, form_rows
from ygt_desktop.storage.migrations import builders
from ygt_desktop.storage.migrations.drift import drift, suggest
from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.storage.services import ServiceRepo

COLUMNS = [("name", "TEXT"), ("times", "INTEGER"), ("dose", "REAL"), ("unit", "TEXT")]


@pytest.fixture
def repo(ws, tmp_path: Path) -> ServiceRepo:
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + MEDICINES, encoding="utf-8")
    visit = load_form(path)
    with ws.store.write() as conn:
        db = builders.database(conn)
        builders.form_table("f_visit", [("visit_date", "TEXT")])(db)
        builders.rows_table("f_visit", "record_id", "medicines", COLUMNS)(db)
    forms = FormRegistry({**{f.id: f for f in ws.forms}, "visit": visit})
    return ServiceRepo(ws.store, forms)


def _resident(ws) -> int:
    return ws.residents.save(
        {"name": "王建国", "no_id_reason": "9", "sex": "1", "birth_date": "1950-03-01",
         "village_code": "101"}
    ).record_id  # fmt: skip


TWO = [
    {"name": "硝苯地平缓释片", "times": "2", "dose": "10", "unit": "mg"},
    {},
    {"name": "阿司匹林肠溶片", "times": "1", "dose": "100", "unit": "mg"},
]


def test_lines_are_saved_read_back_and_replaced_on_an_edit(ws, repo):
    rid = _resident(ws)
    saved = repo.save("visit", {"visit_date": "2026-11-20", "medicines": TWO}, rid)
    record = saved.change.record_id
    _, values = repo.get(record)
    assert values["medicines"] == [
        {"name": "硝苯地平缓释片", "times": 2, "dose": 10.0, "unit": "mg"},
        {"name": "阿司匹林肠溶片", "times": 1, "dose": 100.0, "unit": "mg"},
    ]
    stored = ws.store.conn.execute(
        "SELECT record_id, line, name FROM f_visit__medicines ORDER BY line"
    ).fetchall()
    assert stored == [(record, 1, "硝苯地平缓释片"), (record, 2, "阿司匹林肠溶片")]
    # an edit that does not mention the lines keeps them; one that does replaces them
    repo.save("visit", {"visit_date": "2026-11-21"}, record_id=record)
    assert len(repo.get(record)[1]["medicines"]) == 2
    repo.save("visit", {"medicines": [{"name": "厄贝沙坦片", "times": "1"}]}, record_id=record)
    assert [r["name"] for r in repo.get(record)[1]["medicines"]] == ["厄贝沙坦片"]
    old, new = ws.store.conn.execute(
        "SELECT old_values, new_values FROM audit_log WHERE table_name = 'f_visit' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert [r["name"] for r in json.loads(old)["medicines"]] == ["硝苯地平缓释片", "阿司匹林肠溶片"]
    assert json.loads(new)["medicines"] == [
        {"name": "厄贝沙坦片", "times": 1, "dose": None, "unit": None}
    ]


def test_a_refused_line_writes_nothing(ws, repo):
    rid = _resident(ws)
    with pytest.raises(ValidationFailed) as refused:
        repo.save(
            "visit",
            {"visit_date": "2026-11-20", "medicines": [*TWO, {"dose": "5", "unit": "片"}]},
            rid,
        )
    assert refused.value.errors == {"medicines": "用药情况第4行：请填写药物名称"}
    count = "SELECT (SELECT count(*) FROM f_visit) + (SELECT count(*) FROM f_visit__medicines)"
    assert ws.store.conn.execute(count).fetchone()[0] == 0


def test_the_previous_record_offers_its_lines_to_the_next(ws, repo):
    rid = _resident(ws)
    conn = ws.store.conn
    visit = repo.forms["visit"]
    assert form_rows.carried(conn, visit, rid) == {"medicines": []}
    repo.save("visit", {"visit_date": "2026-08-20", "medicines": TWO[:1]}, rid)
    repo.save("visit", {"visit_date": "2026-11-20", "medicines": TWO[2:]}, rid)
    assert [r["name"] for r in form_rows.carried(conn, visit, rid)["medicines"]] == [
        "阿司匹林肠溶片"
    ]
    before = form_rows.carried(conn, visit, rid, before="2026-10-01")["medicines"]
    assert [r["name"] for r in before] == ["硝苯地平缓释片"]


def test_a_line_changed_with_plain_sql_is_found_by_the_check(ws, repo, db_path):
    rid = _resident(ws)
    record = repo.save("visit", {"visit_date": "2026-11-20", "medicines": TWO}, rid)
    record_id = record.change.record_id
    assert audit_check.verify(ws.store.conn) == []
    ws.close(backup_on_exit=False)
    conn = _plain(db_path, "UPDATE f_visit__medicines SET dose = 40 WHERE line = 1")
    found = [(f.kind, f.table, f.record_id) for f in audit_check.verify(conn)]
    assert found == [("changed", "service_records", record_id)]
    conn.close()


def test_a_record_without_lines_keeps_its_digest(ws, repo):
    """A record with no lines digests as it did before its form had a group (so the
    digests of records stored before a group was added stay valid)."""
    from ygt_desktop.storage import audit_digest

    rid = _resident(ws)
    record = repo.save("visit", {"visit_date": "2026-11-20"}, rid).change.record_id
    conn = ws.store.conn
    with_table = audit_digest.of_record(conn, "f_visit", record)
    with ws.store.write() as c:
        c.execute("DROP TABLE f_visit__medicines")
    assert audit_digest.of_record(conn, "f_visit", record) == with_table


def test_drift_knows_the_child_tables_and_suggests_them(ws, repo):
    every = list(repo.forms)
    conn = ws.store.conn
    assert drift(conn, every) == []
    with ws.store.write() as c:
        c.execute("DROP TABLE f_visit__medicines")
    assert [(d.table, d.column, d.declared) for d in drift(conn, every)] == [
        ("f_visit__medicines", None, "TABLE")
    ]
    suggested = suggest(conn, every)
    assert any(
        'rows_table("f_visit", "record_id", "medicines", (("name", TEXT)' in line
        for line in suggested
    ), suggested


def test_drift_finds_a_column_missing_from_a_child_table(tmp_path):
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + MEDICINES, encoding="utf-8")
    visit = load_form(path)
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    db = builders.database(conn)
    conn.execute("CREATE TABLE service_records (id INTEGER PRIMARY KEY)")
    builders.form_table("f_visit", [("visit_date", "TEXT")])(db)
    builders.rows_table("f_visit", "record_id", "medicines", COLUMNS[:3])(db)
    assert [(d.table, d.column) for d in drift(conn, [visit])] == [("f_visit__medicines", "unit")]


DISEASES = """
[[fields]]
id = "diseases"
label = "既往史·疾病"
type = "rows"
max_rows = 6

  [[fields.columns]]
  id = "disease"
  label = "疾病"
  type = "choice"
  required = true
  choices = [{ code = "2", label = "高血压" }, { code = "3", label = "糖尿病" }]

  [[fields.columns]]
  id = "diagnosed"
  label = "确诊时间"
  type = "date"
"""


@pytest.fixture
def resident_repo(ws, tmp_path: Path):
    from ygt_desktop.paths import forms_dir, resources_dir
    from ygt_desktop.storage.residents import ResidentRepo

    path = tmp_path / "resident.toml"
    path.write_text((forms_dir() / "resident.toml").read_text("utf-8") + DISEASES, "utf-8")
    form = load_form(path, resources_dir() / "codes")
    with ws.store.write() as conn:
        builders.rows_table(
            "residents", "id", "diseases", [("disease", "TEXT"), ("diagnosed", "TEXT")]
        )(builders.database(conn))
    return ResidentRepo(ws.store, form)


def test_a_residents_lines_are_kept_through_an_edit_and_covered_by_the_check(
    ws, resident_repo, db_path
):
    rid = resident_repo.save(
        {
            "name": "李秀英",
            "no_id_reason": "9",
            "sex": "2",
            "birth_date": "1948-06-01",
            "village_code": "101",
            "diseases": [{"disease": "2", "diagnosed": "2015-03-01"}, {"disease": "3"}],
        }
    ).record_id
    assert resident_repo.values(rid)["diseases"] == [
        {"disease": "2", "diagnosed": __import__("datetime").date(2015, 3, 1)},
        {"disease": "3", "diagnosed": None},
    ]
    # an edit of other fields (sex and birth are computed from an ID number, so a
    # resident without one gives them again, as the editor does)
    resident_repo.save({"phone": "13800138000", "sex": "2", "birth_date": "1948-06-01"}, rid)
    assert len(resident_repo.values(rid)["diseases"]) == 2
    resident_repo.save(
        {"diseases": [{"disease": "3"}], "sex": "2", "birth_date": "1948-06-01"}, rid
    )
    assert resident_repo.values(rid)["diseases"] == [{"disease": "3", "diagnosed": None}]
    assert audit_check.verify(ws.store.conn) == []
    ws.close(backup_on_exit=False)
    conn = _plain(db_path, "UPDATE residents__diseases SET disease = '2'")
    assert [(f.kind, f.table, f.record_id) for f in audit_check.verify(conn)] == [
        ("changed", "residents", rid)
    ]
    conn.close()
