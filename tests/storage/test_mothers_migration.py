"""Migrations 0083–0084 (issue 14, mothers): the former fifth risk colour 紫 becomes the
紫 flag beside an unassessed colour, a coloured first check is 筛查阳性 unless green and
assessed on its exam date, and a 转诊原因 means a referral."""

from __future__ import annotations

from tests.storage.test_migration_upgrade import make_old_database
from ygt_desktop.storage.migrations import MIGRATIONS

FIRST_STEP = "0083_prenatal_first_fields"


def test_former_values_move_to_the_new_columns(tmp_path):
    k = [m.name for m in MIGRATIONS].index(FIRST_STEP)
    conn = make_old_database(tmp_path / "old.db", k)
    conn.execute("PRAGMA foreign_keys = off")  # detail rows alone, without their headers
    conn.executemany(
        "INSERT INTO f_prenatal_first (record_id, exam_date, risk, referral_reason) "
        "VALUES (?, ?, ?, ?)",
        [
            (1, "2025-03-01", "5", None),
            (2, "2025-03-02", "1", ""),
            (3, "2025-03-03", "3", "较高风险"),
            (4, "2025-03-04", None, None),
        ],
    )
    conn.executemany(
        "INSERT INTO f_prenatal_followup (record_id, risk) VALUES (?, ?)", [(5, "5"), (6, "2")]
    )
    for migration in MIGRATIONS[k : k + 2]:
        conn.execute("BEGIN IMMEDIATE")
        migration.apply(conn)
        conn.execute("COMMIT")
    got = conn.execute(
        "SELECT record_id, risk, risk_purple, risk_screen, risk_date, referral "
        "FROM f_prenatal_first ORDER BY record_id"
    ).fetchall()
    assert got == [
        (1, None, 1, "2", "2025-03-01", None),
        (2, "1", None, "1", "2025-03-02", None),
        (3, "3", None, "2", "2025-03-03", 1),
        (4, None, None, None, None, None),
    ]
    assert conn.execute(
        "SELECT record_id, risk, risk_purple FROM f_prenatal_followup ORDER BY record_id"
    ).fetchall() == [(5, None, 1), (6, "2", None)]
    conn.close()


def test_the_records_it_changes_are_audited_so_ygt_check_holds(tmp_path):
    """The values moved by 0083–0084 are audited (one bulk row per form with the changed
    records' digests): an upgraded station verifies clean, and a record changed later
    with plain SQL is still found."""
    from ygt_desktop.storage import audit, audit_check

    k = [m.name for m in MIGRATIONS].index(FIRST_STEP)
    conn = make_old_database(tmp_path / "old.db", k)
    conn.execute("PRAGMA foreign_keys = off")  # no resident needed for the digest
    rows = [(1, "prenatal_first", "2025-03-01", "5", None),
            (2, "prenatal_first", "2025-03-02", "2", "较高风险"),
            (3, "prenatal_first", "2025-03-03", None, None),
            (4, "prenatal_followup", "2025-05-01", "5", None)]  # fmt: skip
    for rid, form, day, risk, reason in rows:
        conn.execute(
            "INSERT INTO service_records (id, form_id, resident_id, service_date, entered_at, "
            "entered_by, updated_at) VALUES (?, ?, 1, ?, ?, '测试', ?)",
            (rid, form, day, day, day),
        )
        if form == "prenatal_first":
            conn.execute(
                "INSERT INTO f_prenatal_first (record_id, exam_date, risk, referral_reason) "
                "VALUES (?, ?, ?, ?)",
                (rid, day, risk, reason),
            )
        else:
            conn.execute(
                "INSERT INTO f_prenatal_followup (record_id, risk) VALUES (?, ?)", (rid, risk)
            )
        audit.record(conn, user="测试", table=f"f_{form}", record_id=rid, action="insert")
    assert audit_check.verify(conn) == []
    for migration in MIGRATIONS[k:]:
        conn.execute("BEGIN IMMEDIATE")
        migration.apply(conn)
        conn.execute("COMMIT")
    assert conn.execute("SELECT risk_purple FROM f_prenatal_followup").fetchone() == (1,)
    assert audit_check.verify(conn) == []
    conn.execute("UPDATE f_prenatal_first SET risk = '4' WHERE record_id = 2")
    found = [(f.kind, f.record_id) for f in audit_check.verify(conn)]
    assert found == [("changed", 2)]
