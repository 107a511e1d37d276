"""Masking in every export path (issue 16): the files the app and ``ygt`` write that list
residents — the worklist's CSV and PDF, the 花名册 workbook, a contract list's CSV and
PDF, a record print, the 签约服务协议书 — carry no full ID number and no full phone number
of any demo resident unless asked, and asking needs the right: full ID numbers the 站长
(``ids.unmask``), full phone numbers 医生/站长/管理员 (``phones.view``). A full export is
audited with what was unmasked; a refused one writes nothing and is audited too.

Files are searched as a reader would see them: CSV bytes, every cell of the workbook
(openpyxl), the PDF's text (pypdf)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.ops.ops_helpers import TODAY
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import demo, documents, records, station, worklist
from ygt_desktop.ops import report as report_ops
from ygt_desktop.ops.base import PermissionRefused, Run
from ygt_desktop.ops.users import Login
from ygt_desktop.reports.contract_lists import ListDoc
from ygt_desktop.storage import audit

HEAD, DOCTOR, CLERK = (name for name, _role in demo.DEMO_ACCOUNTS)
MONTH = worklist.Query(dt.date(2026, 11, 1), dt.date(2026, 11, 30), TODAY)
Q3 = Period.parse("2026Q3")


@pytest.fixture
def as_user(demo_db: Path):
    """``with as_user(name) as run``: a run on the copied demo station as that user."""

    def opened(name: str) -> Iterator[Run]:
        return station.opened(demo_db, login=Login(name, demo.DEMO_PASSWORD))

    return opened


@pytest.fixture
def secrets(demo_db: Path) -> tuple[set[str], set[str]]:
    """Every demo resident's ID number and phone number."""
    with station.opened(demo_db, login=Login(HEAD, demo.DEMO_PASSWORD)) as run:
        rows = run.ws.store.conn.execute("SELECT id_number, phone FROM residents").fetchall()
    ids = {r[0] for r in rows if r[0]}
    phones = {r[1] for r in rows if r[1] and len(r[1]) >= 7}
    assert len(ids) > 50 and len(phones) > 50
    return ids, phones


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
        return "\n".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
        )
    return path.read_bytes().decode("utf-8-sig")


def found(path: Path, values: set[str]) -> set[str]:
    text = text_of(path)
    return {v for v in values if v in text}


def contract_doc(run: Run) -> ListDoc:
    rows = run.ws.store.conn.execute(
        "SELECT name, id_number, phone FROM residents ORDER BY id LIMIT 40"
    ).fetchall()
    return ListDoc(
        "签约居民名单", ["日期：2026-11-25"], ["姓名", "身份证号", "联系电话"],
        [[n, i or "", p or ""] for n, i, p in rows],
    )  # fmt: skip


def a_record_with_a_phone(run: Run) -> int:
    """A record whose form has a phone field filled in, else any resident's record."""
    row = (
        run.ws.store.conn.execute(
            "SELECT h.id FROM service_records h JOIN f_smi_register d ON d.record_id = h.id "
            "WHERE h.deleted = 0 AND coalesce(d.guardian_phone, '') <> '' LIMIT 1"
        ).fetchone()
        or run.ws.store.conn.execute(
            "SELECT id FROM service_records WHERE deleted = 0 AND resident_id IS NOT NULL LIMIT 1"
        ).fetchone()
    )
    return int(row[0])


def a_contract(run: Run) -> int:
    return int(run.ws.store.conn.execute("SELECT min(id) FROM e_contract").fetchone()[0])


def export_everything(run: Run, folder: Path, **full: bool) -> list[Path]:
    """Every export path once; ``full`` is full_id/full_phone as each takes them."""
    folder.mkdir()
    phone = {"full_phone": full.get("full_phone", False)}
    ids = {"full_id": full.get("full_id", False)}
    out = []
    worklist.export(run, MONTH, pdf=folder / "w.pdf", csv=folder / "w.csv", **phone)
    out += [folder / "w.pdf", folder / "w.csv"]
    report_ops.write_lists(run, Q3, folder / "lists.xlsx", **ids, **phone)
    out.append(folder / "lists.xlsx")
    doc = contract_doc(run)
    documents.contract_list(run, doc, folder / "c.csv", csv=True, **ids, **phone)
    documents.contract_list(run, doc, folder / "c.pdf", org_name="站", **ids, **phone)
    out += [folder / "c.csv", folder / "c.pdf"]
    records.print_pdf(run, folder / "r.pdf", record_id=a_record_with_a_phone(run), **ids, **phone)
    out.append(folder / "r.pdf")
    documents.agreement_pdf(
        run, a_contract(run), folder / "a.pdf", id_masked=not ids["full_id"], **phone
    )
    out.append(folder / "a.pdf")
    return out


@pytest.mark.parametrize("who", [HEAD, DOCTOR])
def test_no_export_has_a_full_id_or_phone_number_unless_asked(as_user, secrets, tmp_path, who):
    ids, phones = secrets
    with as_user(who) as run:
        files = export_everything(run, tmp_path / "out")
        exports = [e for e in audit.query(run.ws.store.conn) if e.action == "export"]
    for path in files:
        assert found(path, ids) == set(), path.name
        assert found(path, phones) == set(), path.name
    assert exports == []  # nothing unmasked, nothing to audit


def test_the_station_head_asks_for_everything_in_full_and_each_file_is_audited(
    as_user, secrets, tmp_path
):
    ids, phones = secrets
    with as_user(HEAD) as run:
        files = export_everything(run, tmp_path / "out", full_id=True, full_phone=True)
        exports = [e for e in audit.query(run.ws.store.conn) if e.action == "export"]
    listed = {p.name: (found(p, ids), found(p, phones)) for p in files}
    assert listed["lists.xlsx"][0] and listed["lists.xlsx"][1]
    assert listed["c.csv"][0] and listed["c.csv"][1] and listed["c.pdf"][0]
    assert listed["w.csv"][1] and listed["w.pdf"][1]
    assert listed["r.pdf"][0] and listed["a.pdf"][0]
    assert {Path(json.loads(e.new or "{}")["file"]).name for e in exports} == {
        p.name for p in files
    }
    assert all(e.user == HEAD for e in exports)
    unmasked = {json.loads(e.new or "{}")["file"]: json.loads(e.new or "{}")["unmasked"]
                for e in exports}  # fmt: skip
    assert unmasked[str(tmp_path / "out" / "lists.xlsx")] == ["身份证号", "电话号码"]
    assert unmasked[str(tmp_path / "out" / "w.csv")] == ["电话号码"]


def test_a_doctor_gets_full_phones_but_never_full_ids(as_user, secrets, tmp_path):
    ids, phones = secrets
    with as_user(DOCTOR) as run:
        files = export_everything(run, tmp_path / "out", full_phone=True)
        with pytest.raises(PermissionRefused, match="身份证号"):
            report_ops.write_lists(run, Q3, tmp_path / "full.xlsx", full_id=True)
    assert not (tmp_path / "full.xlsx").exists()
    assert found(tmp_path / "out" / "w.csv", phones)
    assert all(found(p, ids) == set() for p in files)


@pytest.mark.parametrize(
    ("asking", "words"),
    [
        (lambda run, out: worklist.export(run, MONTH, csv=out, full_phone=True), "电话号码"),
        # A 录入员 may not export the 花名册 at all, full or masked.
        (lambda run, out: report_ops.write_lists(run, Q3, out, full_phone=True), "花名册"),
        (
            lambda run, out: documents.contract_list(
                run, contract_doc(run), out, csv=True, full_phone=True
            ),
            "电话号码",
        ),
        (
            lambda run, out: records.print_pdf(
                run, out, record_id=a_record_with_a_phone(run), full_phone=True
            ),
            "电话号码",
        ),
        (
            lambda run, out: documents.agreement_pdf(run, a_contract(run), out, id_masked=False),
            "身份证号",
        ),
    ],
)
def test_a_data_entry_clerk_asking_is_refused_audited_and_nothing_written(
    as_user, tmp_path, asking, words
):
    out = tmp_path / "x.out"
    with as_user(CLERK) as run:
        with pytest.raises(PermissionRefused, match=words):
            asking(run, out)
        refused = [e for e in audit.query(run.ws.store.conn) if e.action == "refused"]
    assert not out.exists()
    assert refused and refused[0].user == CLERK


def test_a_data_entry_clerk_still_exports_masked(as_user, secrets, tmp_path):
    ids, phones = secrets
    with as_user(CLERK) as run:
        out = tmp_path / "w.csv"
        worklist.export(run, MONTH, csv=out)
    assert found(out, phones) == set() and "****" in out.read_text(encoding="utf-8-sig")
