"""``ygt`` around the ops: every error the user can act on, a cancel and even a bug end
in a Chinese line on stderr and exit 1 — never a traceback."""

from __future__ import annotations

import pytest

from ygt_desktop import cli
from ygt_desktop.ops.base import OpCancelled
from ygt_desktop.ops.report import PartlyWritten


def test_a_partly_written_report_names_the_files_written(demo_db, tmp_path, capsys):
    json = tmp_path / "r.json"
    rc = cli.main(
        [
            "report",
            "--db",
            str(demo_db),
            "--period",
            "2026Q3",
            "--json",
            str(json),
            "--xlsx",
            str(tmp_path / "没有" / "r.xlsx"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "错误：无法保存上报工作簿" in err and f"已写入：{json}" in err


@pytest.mark.parametrize("exc", [OpCancelled(), PartlyWritten("写不进去。", []), KeyError("bug")])
def test_no_traceback_ever(demo_db, capsys, monkeypatch, exc):
    def fail(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr("ygt_desktop.ops.backup.make", fail)
    rc = cli.main(["backup", "--db", str(demo_db)])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("错误：") and "Traceback" not in err
    if isinstance(exc, KeyError):
        log = demo_db.parent / "ygt-error.log"
        assert str(log) in err and "KeyError" in log.read_text("utf-8")
