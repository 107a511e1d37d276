"""`ygt report / lists / submit` on a hand-built station: the numbers known by
construction appear alike in the JSON, the workbook's _data and visible sheet, and the
PDF text (issue 5)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from pypdf import PdfReader

from ygt_desktop.cli import main
from ygt_desktop.reports.workbook_canonical import workbook_digest
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def station(ws, db_path):
    """10 hypertension patients: 6 seen face to face every quarter (standard), base
    data for 2026; closed so the command line can open the file."""
    for n in range(10):
        rid = ws.residents.save(
            {
                "name": f"患者{n}",
                "id_number": None,
                "no_id_reason": "9",
                "sex": "1",
                "birth_date": "1960-01-01",
                "village_code": "101",
                "archive_date": "2020-01-01",
            }
        ).record_id
        ws.services.save(
            "htn_register",
            {"register_date": "2025-06-01", "diagnosis_date": "2025-05-01"},
            rid,
            today=TODAY,
        )
        for day in ("2026-02-10", "2026-05-10", "2026-08-10") if n < 6 else ("2026-02-10",):
            ws.services.save(
                "htn_followup",
                {
                    "visit_date": day,
                    "visit_method": "1",
                    "sbp": "130",
                    "dbp": "80",
                    "adherence": "1",
                    "visit_class": "1",
                },
                rid,
                today=TODAY,
            )
    Reporting(ws).base_data.save(
        {
            "year": 2026,
            "population": 1000,
            "pop_35": 400,
            "pop_65": 100,
            "children_0_6": 50,
            "children_0_36": 20,
        }
    )
    ws.close(backup_on_exit=False)
    return db_path


def test_report_files_agree_with_each_other_and_the_construction(station, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    rc = main(
        [
            "report",
            "--db",
            str(station),
            "--period",
            "2026Q3",
            "--xlsx",
            str(out / "r.xlsx"),
            "--pdf",
            str(out / "r.pdf"),
            "--json",
            str(out / "r.json"),
        ]
    )
    assert rc == 0
    assert "（第 1 版）已写入" in capsys.readouterr().out
    rows = {r["indicator"]: r for r in json.loads((out / "r.json").read_text("utf-8"))}
    assert (
        rows["htn.standard"]["numerator"],
        rows["htn.standard"]["denominator"],
        rows["htn.standard"]["value"],
    ) == (6, 10, 60)
    assert (rows["htn.mgmt"]["numerator"], rows["htn.mgmt"]["denominator"]) == (10, 101)
    assert rows["ehr.coverage"]["value"] == 1.0 and rows["tb.managed"]["value"] is None

    book = openpyxl.load_workbook(out / "r.xlsx")
    data = list(book["_data"].iter_rows(values_only=True))
    assert data[0] == (
        "org_code",
        "org_name",
        "period",
        "indicator",
        "numerator",
        "denominator",
        "value",
    )
    by_code = {r[3]: r for r in data[1:]}
    assert by_code["htn.standard"][4:] == (6, 10, 60)
    meta = dict(book["_meta"].iter_rows(values_only=True))
    text = {k: v or "" for k, v in meta.items() if k != "key"}
    assert meta["digest"] == workbook_digest(data[1:], text) and meta["revision"] == "1"
    assert book["_data"].sheet_state == "hidden"
    visible = [
        r for r in book["报表"].iter_rows(values_only=True) if r[2] == "高血压患者规范管理率(%)"
    ]
    assert [v for v in visible[0] if isinstance(v, int | float)][-3:] == [6, 10, 60]

    text = "".join(page.extract_text() for page in PdfReader(out / "r.pdf").pages)
    assert "高血压患者规范管理率(%)" in text and "60.0" in text and "2026年第3季度" in text


def test_lists_mask_ids_unless_asked_and_submit_locks(station, tmp_path, capsys):
    ws = Workspace.open(station)
    rid = ws.residents.save(
        {
            "name": "有证",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register",
        {"register_date": "2026-03-01", "diagnosis_date": "2026-02-01"},
        rid,
        today=TODAY,
    )
    ws.close(backup_on_exit=False)
    assert (
        main(
            [
                "lists",
                "--db",
                str(station),
                "--period",
                "2026Q3",
                "--xlsx",
                str(tmp_path / "l.xlsx"),
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(tmp_path / "l.xlsx").worksheets[0]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "110105********002X" in cells and "11010519491231002X" not in cells
    assert (
        main(
            [
                "lists",
                "--db",
                str(station),
                "--period",
                "2026Q3",
                "--xlsx",
                str(tmp_path / "f.xlsx"),
                "--full-id",
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").worksheets[0]
    assert "11010519491231002X" in [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert main(["submit", "--db", str(station), "--period", "2026Q3"]) == 0
    assert "已上报（第 1 版）" in capsys.readouterr().out


def test_unwritable_output_is_explained_and_leaves_no_file(station, tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "r.xlsx"
    assert main(["report", "--db", str(station), "--period", "2026Q3", "--xlsx", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "错误：无法保存上报工作簿" in err and not missing.exists()
