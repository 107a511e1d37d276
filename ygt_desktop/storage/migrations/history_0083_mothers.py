"""Migrations 0083–0084: mothers — the whole 第1次产前检查 and the risk colour (issue 14).

- 0083: every item of the national 第1次产前检查服务记录表 the former form lacked
  (家族史, 个人史, 妇产科手术史, 孕产史 counts, 听诊 and 妇科检查, the full 辅助检查) and the
  2017 risk assessment as the 规范 stores it: 筛查 阴性/阳性, colour 绿/黄/橙/红 with 紫
  as a flag beside it, 评估日期, 评估机构, 高危因素; 转诊 as a yes/no with its reason.
  The former ``risk = '5'`` (紫色 as a fifth colour) becomes the flag, its colour left
  empty (never assessed apart from 紫); a record with a colour is 筛查阳性 unless green,
  assessed on its exam date; one with a 转诊原因 was a referral.
- 0084: the same colour, 紫 flag and 高危因素 on 第2～5次产前随访, former ``'5'`` likewise.

The records whose values these steps change are audited as one bulk row per form (user
系统, record_id NULL, every changed record's digest after the change, chained), so
``ygt check`` holds them against the log. The digest of a service record and the chain
hash below are frozen copies of :mod:`ygt_desktop.storage.audit_digest` (a record without
lines: the header row, then its form's row) and :func:`ygt_desktop.storage.audit.row_hash`
as of 0083.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import hashlib
import json
import marshal

import sqlite_utils

from .builders import INTEGER, REAL, TEXT, Migration, Step, add_columns, sql

_FIRST = "f_prenatal_first"
_FOLLOWUP = "f_prenatal_followup"

_FIRST_FIELDS = (
    ("husband_age", INTEGER),
    ("mother_age", INTEGER),
    ("family_history", TEXT),
    ("personal_history", TEXT),
    ("history_other", TEXT),
    ("gyn_surgery", TEXT),
    ("gyn_surgery_detail", TEXT),
    ("miscarriages", INTEGER),
    ("abortions", INTEGER),
    ("fetal_deaths", INTEGER),
    ("stillbirths", INTEGER),
    ("neonatal_deaths", INTEGER),
    ("birth_defects", INTEGER),
    ("heart", TEXT),
    ("heart_detail", TEXT),
    ("lungs", TEXT),
    ("lungs_detail", TEXT),
    ("vulva", TEXT),
    ("vulva_detail", TEXT),
    ("vagina", TEXT),
    ("vagina_detail", TEXT),
    ("cervix", TEXT),
    ("cervix_detail", TEXT),
    ("uterus", TEXT),
    ("uterus_detail", TEXT),
    ("adnexa", TEXT),
    ("adnexa_detail", TEXT),
    ("wbc", REAL),
    ("plt", INTEGER),
    ("blood_other", TEXT),
    ("urine_glucose", TEXT),
    ("urine_ketone", TEXT),
    ("urine_blood", TEXT),
    ("urine_other", TEXT),
    ("abo", TEXT),
    ("rh", TEXT),
    ("glucose", REAL),
    ("alt", INTEGER),
    ("ast", INTEGER),
    ("albumin", REAL),
    ("tbil", REAL),
    ("dbil", REAL),
    ("creatinine", INTEGER),
    ("urea", REAL),
    ("vaginal_discharge", TEXT),
    ("vaginal_discharge_other", TEXT),
    ("vaginal_cleanliness", TEXT),
    ("hbsag", TEXT),
    ("hbsab", TEXT),
    ("hbeag", TEXT),
    ("hbeab", TEXT),
    ("hbcab", TEXT),
    ("syphilis", TEXT),
    ("hiv", TEXT),
    ("ultrasound", TEXT),
    ("other_tests", TEXT),
    ("assessment_detail", TEXT),
    ("risk_screen", TEXT),
    ("risk_purple", INTEGER),
    ("risk_date", TEXT),
    ("risk_institution", TEXT),
    ("risk_factors", TEXT),
    ("referral", INTEGER),
)


GENESIS = "0" * 64


def _row_hash(prev: str, row: list[object]) -> str:
    body = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def _runs(items: list[tuple[int, bytes]]) -> str:
    out: list[str] = []
    start = prev = None
    chunk: list[bytes] = []
    for key, digest in items:
        if prev is None or key != prev + 1:
            if chunk:
                out.append(f"{start}:{b''.join(chunk).hex()}")
            start, chunk = key, []
        chunk.append(digest)
        prev = key
    if chunk:
        out.append(f"{start}:{b''.join(chunk).hex()}")
    return ";".join(out)


def _audited(table: str, update: Step, reason: str) -> Step:
    """``update`` (values of ``table``'s rows changed in place), then one bulk audit row
    with the digest of every record it changed."""

    def apply(db: sqlite_utils.Database) -> None:
        conn = db.conn
        before = {r[0]: r for r in conn.execute(f"SELECT * FROM {table}")}
        update(db)
        changed = sorted(
            r[0] for r in conn.execute(f"SELECT * FROM {table}") if before.get(r[0]) != r
        )
        if not changed:
            return
        digests = conn.execute(
            "SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'digest'"
        ).fetchone()
        items: list[tuple[int, bytes]] = []
        for rid in changed:
            hc = conn.execute("SELECT * FROM service_records WHERE id = ?", (rid,))
            head = hc.fetchone()
            dc = conn.execute(f"SELECT * FROM {table} WHERE record_id = ?", (rid,))
            detail = dc.fetchone()
            part = (
                marshal.dumps(tuple(d[0] for d in hc.description), 2)
                + marshal.dumps(head, 2)
                + b"\x00"
                + marshal.dumps(tuple(d[0] for d in dc.description), 2)
                + marshal.dumps(detail, 2)
            )
            items.append((rid, hashlib.sha256(part).digest()[:8]))
        at = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
        last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        head_id, head_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
        new = json.dumps({"count": len(items)}, ensure_ascii=False, sort_keys=True)
        full: list[object] = [head_id + 1, at, "系统", table, None, "update", None, new, reason]
        if digests:
            runs = _runs(items)
            conn.execute(
                "INSERT INTO audit_log (id, at, user, table_name, record_id, action, "
                "old_values, new_values, reason, hash, digest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*full, _row_hash(head_hash, [*full, runs]), runs),
            )
        else:
            conn.execute(
                "INSERT INTO audit_log (id, at, user, table_name, record_id, action, "
                "old_values, new_values, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*full, _row_hash(head_hash, full)),
            )

    return apply


def _both(*steps: Step) -> Step:
    """Several steps as one migration (the columns, then the former values moved)."""

    def apply(db: sqlite_utils.Database) -> None:
        for step in steps:
            step(db)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0083_prenatal_first_fields",
        _both(
            add_columns(_FIRST, _FIRST_FIELDS),
            _audited(
                _FIRST,
                sql(
                    f"""
                UPDATE {_FIRST} SET risk_purple = 1, risk = NULL WHERE risk = '5';
                UPDATE {_FIRST} SET risk_screen = CASE WHEN risk = '1' THEN '1' ELSE '2' END,
                    risk_date = exam_date
                  WHERE risk IS NOT NULL OR risk_purple = 1;
                UPDATE {_FIRST} SET referral = 1
                  WHERE referral_reason IS NOT NULL AND referral_reason != '';
                """
                ),
                "升级时补记：妊娠风险颜色、筛查与转诊按国家表单改记（迁移 0083）",
            ),
        ),
    ),
    Migration(
        "0084_prenatal_followup_risk",
        _both(
            add_columns(_FOLLOWUP, (("risk_purple", INTEGER), ("risk_factors", TEXT))),
            _audited(
                _FOLLOWUP,
                sql(f"UPDATE {_FOLLOWUP} SET risk_purple = 1, risk = NULL WHERE risk = '5';"),
                "升级时补记：紫色改为风险颜色旁的标记（迁移 0084）",
            ),
        ),
    ),
)
