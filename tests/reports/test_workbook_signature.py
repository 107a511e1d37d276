"""Signed upward workbooks, verified at import (issue 11): the signature round trip; a
forger who edits ``_data`` and recomputes the digest; a workbook signed with another
member's key; an unsigned workbook from a member with a key; a member without a key
(accepted, "未登记公钥" on the status page and the receipt); a replaced key still valid
for the workbook it signed before; a city verifying a district's workbook; and a
verifier written from docs/exchange.md alone (openpyxl + cryptography, not our reader)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import openpyxl
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pypdf import PdfReader

from tests.bureau_helpers import (
    BUREAU,
    CITY,
    IMPORT_DAY,
    PERIOD,
    STATIONS,
    bureau_workspace,
    import_files,
    make_bureau,
    station_report,
)
from ygt_desktop.ops import keys as key_ops
from ygt_desktop.ops.base import Run
from ygt_desktop.reports import bureau_report, bureau_status, receipt_pdf
from ygt_desktop.reports.workbook import write_workbook
from ygt_desktop.reports.workbook_canonical import canonical_bytes, workbook_digest
from ygt_desktop.reports.workbook_reader import read_upward_workbook
from ygt_desktop.storage import keys
from ygt_desktop.storage.audit_check import verify
from ygt_desktop.storage.keys import KeySigner, fingerprint, raw_public
from ygt_desktop.storage.submissions import ACCEPTED, REJECTED

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)
TODAY = IMPORT_DAY
DOC = Path(__file__).parents[2] / "docs" / "exchange.md"


def signer() -> KeySigner:
    key = Ed25519PrivateKey.generate()
    return KeySigner(key, fingerprint(raw_public(key.public_key())))


def public_b64(s: KeySigner) -> str:
    return base64.b64encode(raw_public(s.private.public_key())).decode()


def register(ws, n: int, s: KeySigner, reason: str | None = None) -> None:
    code, name = STATIONS[n - 1]
    keys.register_member_key(
        ws.store,
        org_code=code,
        org_name=name,
        public_key=public_b64(s),
        key_created_at="2026-01-01T00:00:00+08:00",
        reason=reason,
    )


def write(folder: Path, n: int, s: KeySigner | None, name: str | None = None, **kw) -> Path:
    report = station_report(n, **kw)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (name or f"{report.org_code}_{report.period}_{n}.xlsx")
    write_workbook(report, out, signer=s)
    return out


run = import_files


def one(ws, path):
    result = run(ws, path).results
    assert len(result) == 1
    return result[0]


def test_signature_round_trip(bureau_ws, tmp_path):
    s = signer()
    register(bureau_ws, 1, s)
    path = write(tmp_path, 1, s)
    parsed = read_upward_workbook(path)
    meta = parsed.meta
    assert meta["format_version"] == "2"
    assert meta["signed_by_key"] == s.fingerprint
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", s.fingerprint)
    assert meta["digest"] == hashlib.sha256(canonical_bytes(parsed.data, meta)).hexdigest()
    s.private.public_key().verify(
        base64.b64decode(meta["signature"]), canonical_bytes(parsed.data, meta)
    )
    r = one(bureau_ws, path)
    assert r.outcome == ACCEPTED, r.reason
    assert not any("未登记公钥" in w for w in r.warnings)


def _edit(path: Path, edit) -> None:
    """Change the workbook with openpyxl and recompute the digest as exchange.md says."""
    wb = openpyxl.load_workbook(path)
    edit(wb)
    data = [
        tuple(c for c in row)
        for row in wb["_data"].iter_rows(min_row=2, values_only=True)
        if any(c is not None for c in row)
    ]
    data = [
        tuple(int(v) if isinstance(v, float) and v.is_integer() else v for v in r) for r in data
    ]
    meta_ws = wb["_meta"]
    meta = {
        str(k): "" if v is None else str(v)
        for k, v in meta_ws.iter_rows(min_row=2, values_only=True)
        if k is not None
    }
    for row in meta_ws.iter_rows(min_row=2):
        if row[0].value == "digest":
            row[1].value = workbook_digest(data, meta)
    wb.save(path)


def _set_numerator(wb, value: int) -> None:
    """A plausible edit: a count's number (numerator and value) changed."""
    ws = wb["_data"]
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 6).value is None)
    ws.cell(r, 5).value = ws.cell(r, 7).value = value


def test_edited_data_with_a_recomputed_digest_is_refused(bureau_ws, tmp_path):
    s = signer()
    register(bureau_ws, 1, s)
    path = write(tmp_path, 1, s)
    _edit(path, lambda wb: _set_numerator(wb, 1))
    read_upward_workbook(path)  # the digest alone no longer catches it
    r = one(bureau_ws, path)
    assert (r.outcome, r.code) == (REJECTED, "bad_signature")
    assert "签名不符" in r.reason


def test_a_workbook_relabelled_as_another_member_is_refused(bureau_ws, tmp_path):
    one_key, two_key = signer(), signer()
    register(bureau_ws, 1, one_key)
    register(bureau_ws, 2, two_key)
    # station 1 signs numbers it claims are station 2's
    path = write(tmp_path, 2, one_key)
    r = one(bureau_ws, path)
    assert (r.outcome, r.code) == (REJECTED, "wrong_key")
    assert STATIONS[0][0] in r.reason and STATIONS[1][0] in r.reason


def test_signed_with_an_unregistered_key_is_refused(bureau_ws, tmp_path):
    register(bureau_ws, 1, signer())
    r = one(bureau_ws, write(tmp_path, 1, signer()))
    assert (r.outcome, r.code) == (REJECTED, "unknown_key")


def test_unsigned_from_a_member_with_a_key_is_refused(bureau_ws, tmp_path):
    register(bureau_ws, 1, signer())
    r = one(bureau_ws, write(tmp_path, 1, None))
    assert (r.outcome, r.code) == (REJECTED, "unsigned")
    assert "没有签名" in r.reason


def test_a_stripped_signature_is_refused(bureau_ws, tmp_path):
    s = signer()
    register(bureau_ws, 1, s)
    path = write(tmp_path, 1, s)

    def strip(wb):
        for row in wb["_meta"].iter_rows(min_row=2):
            if row[0].value in ("signature", "signed_by_key"):
                row[0].value = row[1].value = None

    _edit(path, strip)
    r = one(bureau_ws, path)
    assert (r.outcome, r.code) == (REJECTED, "unsigned")


def test_edited_visible_sheet_of_a_signed_workbook_is_refused(bureau_ws, tmp_path):
    s = signer()
    register(bureau_ws, 1, s)
    path = write(tmp_path, 1, s)
    wb = openpyxl.load_workbook(path)
    wb["报表"].cell(5, 4).value = 99999
    wb.save(path)
    r = one(bureau_ws, path)
    assert (r.outcome, r.code) == (REJECTED, "visible_mismatch")
    unsigned = write(tmp_path / "u", 2, None)  # unsigned, no key: a warning only, as before
    wb = openpyxl.load_workbook(unsigned)
    wb["报表"].cell(5, 4).value = 99999
    wb.save(unsigned)
    assert one(bureau_ws, unsigned).outcome == ACCEPTED


def test_member_without_a_key_is_accepted_with_a_warning(bureau_ws, tmp_path):
    path = write(tmp_path, 3, None)
    r = one(bureau_ws, path)
    assert r.outcome == ACCEPTED
    assert any(w.startswith("未登记公钥") for w in r.warnings)
    found = bureau_status.period_status(bureau_ws, PERIOD, today=TODAY)
    row = next(x for x in found.rows if x.code == STATIONS[2][0])
    assert "未登记公钥" in row.note
    (tmp_path / "receipts").mkdir()
    written, _ = receipt_pdf.write_receipts(
        bureau_ws, PERIOD, tmp_path / "receipts", [STATIONS[2][0]], today=TODAY
    )
    text = "".join(p.extract_text() for p in PdfReader(written[0]).pages).replace("\n", "")
    assert "未登记公钥" in text


def test_a_replaced_key_stays_valid_for_what_it_signed(bureau_ws, tmp_path):
    old, new = signer(), signer()
    register(bureau_ws, 1, old)
    before = write(tmp_path / "a", 1, old)  # generated 2026-10-08, before the replacement
    register(bureau_ws, 1, new, reason="换了电脑")
    listed = keys.member_keys(bureau_ws.store, STATIONS[0][0])
    assert [k.current for k in listed] == [False, True]
    assert listed[0].replace_reason == "换了电脑"
    assert one(bureau_ws, before).outcome == ACCEPTED
    later = write(
        tmp_path / "b", 1, old, revision=2, generated_at=dt.datetime.now().astimezone().isoformat()
    )
    r = one(bureau_ws, later)
    assert (r.outcome, r.code) == (REJECTED, "old_key")
    r = one(bureau_ws, write(tmp_path / "c", 1, new, revision=2))
    assert r.outcome != REJECTED, r.reason
    assert verify(bureau_ws.store.conn) == []


def test_a_city_verifies_a_districts_workbook(tmp_path, forms, monkeypatch):
    from tests.conftest import TEST_PASSWORD

    district = make_bureau(tmp_path / "district.db", forms)
    city = make_bureau(tmp_path / "city.db", forms, org=CITY, stations=[(BUREAU.code, BUREAU.name)])
    try:
        drun = Run.plain(district)
        key_ops.export_registration(drun, tmp_path / "district.json", password=TEST_PASSWORD)
        for n in (1, 2):
            assert one(district, write(tmp_path / "st", n, None)).outcome == ACCEPTED
        signing = key_ops.signer_for(drun, TEST_PASSWORD)
        assert signing.signed, signing.note
        built = bureau_report.build(district, PERIOD)
        out = tmp_path / "district.xlsx"
        bureau_report.write_workbook_file(district, built, out, signer=signing.signer)
        done = key_ops.register_member_key(Run.plain(city), tmp_path / "district.json")
        assert done.key.org_code == BUREAU.code
        r = one(city, out)
        assert r.outcome == ACCEPTED, r.reason
        assert not any("未登记公钥" in w for w in r.warnings)
        _edit(out, lambda wb: _set_numerator(wb, 7))
        assert one(city, out).code == "bad_signature"
    finally:
        district.close(backup_on_exit=False)
        city.close(backup_on_exit=False)


# ---- a verifier from the document alone --------------------------------------------------


def _doc_canonical(path: Path) -> tuple[dict[str, str], bytes]:
    """docs/exchange.md, "Verifying a signed workbook", steps 1–4, with openpyxl."""

    def text(v):
        if v is None:
            return None
        if isinstance(v, bool):
            return str(int(v))
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else repr(v)
        return str(v)

    wb = openpyxl.load_workbook(path, read_only=True)
    data = [
        [text(v) for v in (list(row) + [None] * 7)[:7]]
        for row in wb["_data"].iter_rows(min_row=2, values_only=True)
        if any(v is not None for v in row)
    ]
    meta = {}
    for row in wb["_meta"].iter_rows(min_row=2, values_only=True):
        if row[0] is None:
            continue
        meta[str(row[0])] = text(row[1]) or ""
    pairs = [[k, meta[k]] for k in sorted(meta) if k not in ("digest", "signature")]
    body = json.dumps({"data": data, "meta": pairs}, ensure_ascii=False, separators=(",", ":"))
    return meta, body.encode("utf-8")


def test_the_documented_recipe_verifies_a_workbook(tmp_path):
    doc = DOC.read_text(encoding="utf-8")
    for phrase in ("ensure_ascii=False", 'separators=(",", ":")', "signed_by_key", "Ed25519"):
        assert phrase in doc
    s = signer()
    path = write(tmp_path, 1, s)
    meta, body = _doc_canonical(path)
    assert hashlib.sha256(body).hexdigest() == meta["digest"]
    registered = public_b64(s)  # what the registration file carries
    raw = base64.b64decode(registered)
    fp = base64.b32encode(hashlib.sha256(raw).digest()[:10]).decode()
    assert "-".join(fp[i : i + 4] for i in range(0, 16, 4)) == meta["signed_by_key"]
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(meta["signature"]), body)
    _edit(path, lambda wb: _set_numerator(wb, 3))
    meta, body = _doc_canonical(path)
    assert hashlib.sha256(body).hexdigest() == meta["digest"]  # the forger's digest is right
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(meta["signature"]), body)


def test_the_canonical_form_is_as_documented():
    rows = [
        ("530102001", "测试站", "2026Q3", "htn.standard", 60, 100, 60.0),
        ("530102001", "测试站", "2026Q3", "ref.up", 12, None, 12),
    ]
    meta = {
        "org_code": "530102001",
        "digest": "x",
        "signature": "y",
        "a": "",
        "format_version": "2",
    }
    assert canonical_bytes(rows, meta).decode() == (
        '{"data":[["530102001","测试站","2026Q3","htn.standard","60","100","60"],'
        '["530102001","测试站","2026Q3","ref.up","12",null,"12"]],'
        '"meta":[["a",""],["format_version","2"],["org_code","530102001"]]}'
    )


def test_a_signed_workbook_whose_paper_revision_or_unit_differs_is_refused(bureau_ws, tmp_path):
    s = signer()
    register(bureau_ws, 1, s)
    for n, (old, new) in enumerate(
        (("修订：第 1 版", "修订：第 3 版"), ("填报单位：", "填报单位：某某"))
    ):
        path = write(tmp_path / str(n), 1, s)
        wb = openpyxl.load_workbook(path)
        sheet = wb["报表"]
        cell = next(c for row in sheet.iter_rows() for c in row if old in str(c.value or ""))
        cell.value = str(cell.value).replace(old, new)
        wb.save(path)
        r = one(bureau_ws, path)
        assert (r.outcome, r.code) == (REJECTED, "visible_mismatch"), r.reason
