"""A repeating group's line list (issue 13): a sheet per group beside its form's, a row
per line keyed by its record (档案编号, 姓名, 服务日期, 记录号, 行号), in the workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.worklist_demo import TODAY, make_demo
from ygt_desktop.core.report_model import Period
from ygt_desktop.reports import line_lists_export
from ygt_desktop.storage.workspace import Workspace

PERIOD = Period(TODAY.year, 3)


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("groups") / "station.db", residents=400)


def test_each_medicine_line_is_a_row_keyed_by_its_record(station, tmp_path):
    ws = Workspace.open(station, lock=False)
    try:
        lists = {x.sheet: x for x in line_lists_export.build(ws, PERIOD)}
        names = list(lists)
        assert names.index("高血压随访·用药情况") == names.index("高血压随访") + 1
        meds = lists["高血压随访·用药情况"]
        expected = ws.store.conn.execute(
            "SELECT r.archive_no, h.service_date, h.id, c.line, c.name, c.times_per_day, "
            "c.dose, c.dose_unit FROM service_records h JOIN f_htn_followup__medicines c "
            "ON c.record_id = h.id JOIN residents r ON r.id = h.resident_id "
            "WHERE h.deleted = 0 AND h.service_date BETWEEN ? AND ? "
            "ORDER BY h.service_date, h.id, c.line",
            (PERIOD.window_start.isoformat(), PERIOD.window_end.isoformat()),
        ).fetchall()
        got = [
            (r["key_archive_no"], r["key_date"], r["key_record"], r["key_line"], r["name"],
             r["times_per_day"], r["dose"], r["dose_unit"])
            for r in meds.rows
        ]  # fmt: skip
        assert got == expected and len(got) > 50
        out = tmp_path / "lists.xlsx"
        line_lists_export.write(ws, PERIOD, out)
    finally:
        ws.close(backup_on_exit=False)
    book = load_workbook(out, read_only=True)
    sheet = book["高血压随访·用药情况"]
    rows = list(sheet.iter_rows(values_only=True))
    # the lists' first row names the columns (ids), the second heads them in Chinese
    assert rows[0][5:] == ("name", "times_per_day", "dose", "dose_unit")
    assert rows[1] == ("档案号", "姓名", "服务日期", "记录号", "行号", "药物名称", "每日次数",
                       "每次剂量", "剂量单位")  # fmt: skip
    assert len([r for r in rows[2:] if any(v is not None for v in r)]) == len(expected)
    assert rows[2][2].date() >= PERIOD.window_start  # a service date, as a date
