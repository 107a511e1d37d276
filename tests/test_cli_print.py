"""``ygt print``: one stored record as a PDF in the paper form's layout, without a screen.

Requirements held here: exit 0 with the file's path on success; the ID number masked
unless ``--full-id``; ``--resident``/``--form`` pick the newest (or ``--date``'s)
record; an unknown or deleted record, a missing record for the resident, or an
unwritable path exit 1 with a Chinese message and create no file; bad usage exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import add_test_user
from ygt_desktop import cli
from ygt_desktop.storage.organisation import Organisation, add_village, set_organisation
from ygt_desktop.storage.workspace import Workspace

ID_NUMBER = "11010519491231002X"
MASKED = "110105********002X"
TITLE = "高血压患者随访服务记录表"


@dataclass(frozen=True)
class Station:
    db: Path
    resident: int
    older: int  # follow-up of 2026-08-01
    newer: int  # follow-up of 2026-11-01
    deleted: int


@pytest.fixture
def station(tmp_path: Path, forms) -> Station:
    """A closed database (the command takes the one-app lock) with three follow-ups."""
    db = tmp_path / "station.db"
    ws = Workspace.open(db, create=True, forms=forms)
    try:
        add_test_user(ws)
        set_organisation(ws.store, Organisation("530102001", "小坝村卫生室", "站", "530102"))
        add_village(ws.store, "101", "小坝村委会")
        rid = ws.residents.save(
            {
                "name": "张三",
                "id_number": ID_NUMBER,
                "village_code": "101",
                "archive_date": "2020-01-01",
            }
        ).record_id
        ws.services.save(
            "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
        )
        ids = []
        for day, sbp in (("2026-08-01", "138"), ("2026-11-01", "152"), ("2026-11-20", "150")):
            result = ws.services.save(
                "htn_followup",
                {
                    "visit_date": day,
                    "visit_method": "1",
                    "sbp": sbp,
                    "dbp": "88",
                    "adherence": "1",
                    "visit_class": "1",
                    "doctor": "王医生",
                },
                rid,
            )
            ids.append(result.change.record_id)
        ws.services.delete(ids[2], "录错居民")
    finally:
        ws.close(backup_on_exit=False)
    return Station(db, rid, ids[0], ids[1], ids[2])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(["print", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".pdf", ".part")]


def test_prints_one_record_with_the_id_masked(station, tmp_path, capsys):
    out = tmp_path / "随访.pdf"
    rc, stdout, err = run(
        capsys, "--db", str(station.db), "--record", str(station.newer), "--out", str(out)
    )
    assert rc == 0, err
    assert str(out) in stdout and "高血压随访" in stdout
    text = text_of(out)
    for expected in (TITLE, "张三", "152 mmHg", "王医生", MASKED, "小坝村卫生室"):
        assert expected in text, expected
    assert ID_NUMBER not in text


def test_full_id_on_request(station, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    rc, _, err = run(
        capsys,
        "--db",
        str(station.db),
        "--record",
        str(station.newer),
        "--out",
        str(out),
        "--full-id",
    )
    assert rc == 0, err
    assert ID_NUMBER in text_of(out)


def test_resident_and_form_pick_the_newest_record_not_the_deleted_one(station, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    rc, stdout, err = run(
        capsys,
        "--db",
        str(station.db),
        "--resident",
        str(station.resident),
        "--form",
        "htn_followup",
        "--out",
        str(out),
    )
    assert rc == 0, err
    assert f"服务记录 {station.newer}" in stdout
    assert "2026-11-01" in text_of(out)


def test_date_picks_that_days_record(station, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    rc, stdout, err = run(
        capsys,
        "--db",
        str(station.db),
        "--resident",
        str(station.resident),
        "--form",
        "htn_followup",
        "--date",
        "2026-08-01",
        "--out",
        str(out),
    )
    assert rc == 0, err
    assert f"服务记录 {station.older}" in stdout and "138 mmHg" in text_of(out)


@pytest.mark.parametrize(
    ("which", "message"),
    [
        (["--record", "999"], "服务记录 999 不存在"),
        (["--record", "deleted"], "已删除"),
        (
            ["--resident", "resident", "--form", "htn_followup", "--date", "2026-09-09"],
            "没有 2026-09-09 的“高血压随访”记录",
        ),
        (["--resident", "999", "--form", "htn_followup"], "居民档案 999 不存在"),
        (["--resident", "resident", "--form", "no_such_form"], "没有表单 no_such_form"),
        (["--resident", "resident"], "--form"),
    ],
)
def test_nothing_to_print_exits_1_in_chinese_and_creates_no_file(
    station, tmp_path, capsys, which, message
):
    names = {"deleted": str(station.deleted), "resident": str(station.resident)}
    out = tmp_path / "out" / "r.pdf"
    out.parent.mkdir()
    rc, stdout, err = run(
        capsys, "--db", str(station.db), *[names.get(a, a) for a in which], "--out", str(out)
    )
    assert rc == 1
    assert err.startswith("错误：") and message in err
    assert stdout == ""
    assert leftovers(out.parent) == []


def test_unwritable_path_exits_1_and_leaves_nothing(station, tmp_path, capsys):
    out = tmp_path / "不存在的文件夹" / "r.pdf"
    rc, _, err = run(
        capsys, "--db", str(station.db), "--record", str(station.newer), "--out", str(out)
    )
    assert rc == 1
    assert "无法保存打印文件" in err and "不存在" in err
    assert leftovers(tmp_path) == []


def test_a_folder_as_out_is_refused(station, tmp_path, capsys):
    rc, _, err = run(
        capsys, "--db", str(station.db), "--record", str(station.newer), "--out", str(tmp_path)
    )
    assert rc == 1 and "无法保存打印文件" in err
    assert leftovers(tmp_path) == []


def test_bad_usage_exits_2(station, tmp_path, capsys):
    out = str(tmp_path / "r.pdf")
    for args in (
        ["--out", out],  # neither --record nor --resident
        ["--record", "1", "--resident", "1", "--out", out],
        ["--resident", "1", "--form", "htn_followup", "--date", "2026-13-01", "--out", out],
    ):
        with pytest.raises(SystemExit) as exc:
            run(capsys, "--db", str(station.db), *args)
        assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("number", ["99999999999999999999", "-5", "0", "abc", "1.5"])
@pytest.mark.parametrize("option", ["--record", "--resident"])
def test_a_number_out_of_range_is_a_chinese_usage_error(station, tmp_path, capsys, option, number):
    """A record or resident number SQLite cannot hold was an 意外错误 (OverflowError)."""
    with pytest.raises(SystemExit) as exc:
        run(capsys, "--db", str(station.db), option, number, "--form", "htn_followup",
            "--out", str(tmp_path / "r.pdf"))  # fmt: skip
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"参数 {option}：应为正整数（现为 {number}）" in err
    assert "Traceback" not in err and not leftovers(tmp_path)
