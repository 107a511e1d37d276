"""ops.report as ``ygt report`` uses it: files in the order JSON, workbook, PDF, a
cancel after the first step leaves none, and a failure names those already written."""

from __future__ import annotations

import pytest

from tests.ops.ops_helpers import leftovers, watch
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import report
from ygt_desktop.ops.base import OpCancelled
from ygt_desktop.ops.station import opened

Q3 = Period.parse("2026Q3")


def test_a_cancel_after_computing_writes_no_file(demo_db, seen, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with opened(demo_db, lock=False) as run:
        watch(run, seen, cancel_after=1)
        with pytest.raises(OpCancelled):
            report.write_files(run, Q3, xlsx=out / "r.xlsx", pdf=out / "r.pdf", json=out / "r.json")
    assert leftovers(out) == [] and seen.asked == ["report.export"]


def test_a_failure_names_the_files_already_written(open_run, tmp_path):
    with pytest.raises(report.PartlyWritten) as info:
        report.write_files(
            open_run, Q3, json=tmp_path / "r.json", xlsx=tmp_path / "没有" / "r.xlsx"
        )
    assert info.value.written == [tmp_path / "r.json"]
    assert "无法保存上报工作簿" in str(info.value)
