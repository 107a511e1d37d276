"""截图巡检 (issue 12, "a screenshot tour"): ``ygt-desktop --tour DIR`` on a demo station
photographs every page, tab and entry dialog (each form new and with a record), writes
index.html, exits 0 when everything fits 1366×728, 1 naming what does not, 2 when it
cannot start — and leaves the database as it was, but for the login."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QTabWidget

import ygt_desktop.ui
from tests.bureau_helpers import make_bureau
from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop.ops import demo
from ygt_desktop.ops.users import Login
from ygt_desktop.storage.backup import backup_dir_for
from ygt_desktop.storage.workspace import Workspace, load_forms
from ygt_desktop.ui import messages, tour
from ygt_desktop.ui.shell import MainWindow
from ygt_desktop.ui.tour_targets import (
    DIALOG,
    EXISTING,
    NEW,
    NO_EDITOR,
    NOT_REOPENED,
    Target,
    Unavailable,
)

pytestmark = pytest.mark.slow

# QDialog classes without a picture of their own: bases, photographed as their subclasses.
BASES = {
    "ygt_desktop.ui.record_dialog.RecordDialog",  # ResidentEditor, ServiceEditor, EntityEditor …
    "ygt_desktop.ui.contract_money._RecordsDialog",  # FeeDialog, SurveyDialog
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """A small generated demo station (its accounts: the tests' user and password)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    year = dt.date.today().year
    with demo.opened(path, lambda: Login(TEST_USER, TEST_PASSWORD)) as run:
        demo.generate(run, residents=120, seed=5, year=year, today=dt.date.today())
    return path


def station_copy(demo_db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "station.db"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(scope="module")
def station_tour(qapp, demo_db, tmp_path_factory):
    """The tour run once in-process on a copy of the demo station: (result, database)."""
    db = station_copy(demo_db, tmp_path_factory.mktemp("station"))
    result = tour.tour_database(db, db.parent / "shots", tour.DEFAULT_SIZE, TEST_USER)
    return result, db


def rows_of(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, for comparing a database before and after."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def stored_records(path: Path) -> set[str]:
    """The forms with a record in the database (read straight from the file)."""
    conn = sqlite3.connect(path)
    try:
        found = {
            r[0] for r in conn.execute("SELECT form_id FROM service_records WHERE deleted = 0")
        }
        for form in load_forms():
            if (
                form.kind == "entity"
                and conn.execute(f"SELECT 1 FROM {form.table} WHERE deleted = 0 LIMIT 1").fetchone()
            ):
                found.add(form.id)
        if conn.execute("SELECT 1 FROM residents LIMIT 1").fetchone():
            found.add("resident")
        return found
    finally:
        conn.close()


def window_parts(db: Path) -> tuple[list[str], list[str]]:
    """The pages of the window and the tabs inside them, read from a window of our own."""
    ws = Workspace.open(db, forms=load_forms())
    try:
        ws.login(TEST_USER, TEST_PASSWORD)
        window = MainWindow(ws)
        pages = [window.nav.item(row).text() for row in range(window.nav.count())]
        tabs = [
            widget.tabText(i).split(" (")[0]
            for widget in window.stack.findChildren(QTabWidget)
            for i in range(widget.count())
        ]
        window.retire()
        return pages, tabs
    finally:
        ws.close(backup_on_exit=False)


# ---- the pictures ------------------------------------------------------------------------


def test_every_page_and_tab_has_a_picture(station_tour, tmp_path):
    result, db = station_tour
    pages, tabs = window_parts(station_copy(db, tmp_path))
    titles = [s.title for s in result.shots if s.section == tour.PAGE]
    for page in pages:
        assert any(t.startswith(page) for t in titles), page
    for tab in tabs:
        assert any(tab in t for t in titles), tab
    assert any(s.file == "03-待办随访.png" for s in result.shots)


def test_every_form_has_a_picture_new_and_with_a_record(station_tour):
    result, db = station_tour
    shot = {(s.form_id, s.variant) for s in result.shots if s.form_id}
    skipped = {(s.form_id, s.variant): s.why for s in result.skipped if s.form_id}
    stored = stored_records(db)
    for form in load_forms():
        if form.id in NO_EDITOR:
            assert skipped[(form.id, NEW)] == skipped[(form.id, EXISTING)] == NO_EDITOR[form.id]
            continue
        assert (form.id, NEW) in shot, form.id
        if form.id in NOT_REOPENED:
            assert skipped[(form.id, EXISTING)] == NOT_REOPENED[form.id]
        elif form.id in stored:
            assert (form.id, EXISTING) in shot, form.id
        else:
            assert skipped[(form.id, EXISTING)] == "没有记录", form.id
    assert {"htn_followup", "tcm_elderly", "contract", "equipment"} <= {
        f for f, v in shot if v == EXISTING
    }


def test_the_pictures_and_the_index(station_tour, qapp):
    result, _db = station_tour
    assert result.problems == []
    pages = [s for s in result.shots if s.section == tour.PAGE]
    assert all((s.width, s.height) == (1366, 728) for s in pages)
    assert all(s.fits(tour.DEFAULT_SIZE) for s in pages)
    screen = qapp.primaryScreen().availableGeometry()
    if (screen.width(), screen.height()) == (1366, 728):
        assert result.exit_code == 0, result.summary()
    else:  # the tests' offscreen screen: dialogs size themselves to it, not to 1366×728
        for s in result.too_big():
            assert s.section != tour.PAGE and (s.min_width, s.min_height) <= (1366, 728), s
            assert (s.width, s.height) <= (screen.width(), screen.height()), s
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    for s in result.shots:
        image = QImage(str(result.out_dir / s.file))
        assert (image.width(), image.height()) == (s.width, s.height), s.file
        assert s.file in index and s.title.replace("&", "&amp;") in index
        assert f"{s.width}×{s.height} px" in index
    for k in result.skipped:
        assert k.why in index
    too_big = {s.file for s in result.too_big()}
    assert index.count("超出：") == len(too_big)


def test_every_dialog_of_the_window_has_a_picture(station_tour, qapp, tmp_path):
    """A new QDialog in ygt_desktop.ui without a picture (station or bureau) fails here:
    add it to tour_targets.dialog_targets."""
    result, _db = station_tour
    bureau_db = tmp_path / "bureau.db"
    make_bureau(bureau_db, load_forms()).close(backup_on_exit=False)
    bureau = tour.tour_database(bureau_db, tmp_path / "bureau-shots", tour.DEFAULT_SIZE, TEST_USER)
    assert bureau.problems == [] and bureau.exit_code == 0
    assert [s.title for s in bureau.shots if s.section == tour.PAGE][0] == "成员机构"
    assert all(k.why for k in bureau.skipped)  # a bureau enters no records
    shot = {s.widget_class for s in (*result.shots, *bureau.shots)}
    for info in pkgutil.iter_modules(ygt_desktop.ui.__path__, "ygt_desktop.ui."):
        importlib.import_module(info.name)
    missing = sorted(
        name
        for cls in all_subclasses(QDialog)
        if (name := f"{cls.__module__}.{cls.__qualname__}").startswith("ygt_desktop.ui.")
        and name not in BASES
        and name not in shot
    )
    assert missing == []


def all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


def test_a_modal_dialog_or_a_message_box_does_not_stop_the_tour(qapp, tmp_path, monkeypatch):
    """Someone's exec() is closed (and reported); a box is answered "no" (and listed)."""
    db = tmp_path / "bureau.db"
    make_bureau(db, load_forms()).close(backup_on_exit=False)
    refuser = messages.ask  # the tests' guard against real boxes

    def modal(window):
        dialog = QDialog(window)
        dialog.setWindowTitle("等人回答")
        dialog.exec()  # would wait forever offscreen
        return dialog

    def asking(window):
        messages.ask(window, "真的要这样吗？")
        raise Unavailable("问过了")

    def targets(ws, window, samples):
        return [
            Target(DIALOG, "模态", "dialog-modal", lambda: modal(window)),
            Target(DIALOG, "询问", "dialog-ask", lambda: asking(window)),
        ]

    monkeypatch.setattr(tour, "dialog_targets", targets)
    result = tour.tour_database(db, tmp_path / "shots", tour.DEFAULT_SIZE, TEST_USER)
    assert result.problems == ["出现了等待回答的对话框“等人回答”，已关闭"]
    assert result.exit_code == 1
    assert result.boxes == ["询问（已答“否”）：真的要这样吗？"]
    assert [k.why for k in result.skipped if k.title == "询问"] == ["问过了"]
    assert messages.ask is refuser


# ---- exit codes --------------------------------------------------------------------------


def test_too_small_a_screen_exits_1_naming_what_is_too_big(qapp, demo_db, tmp_path, capsys):
    db = station_copy(demo_db, tmp_path)
    code = tour.main(tmp_path / "small", QSize(800, 600), TEST_USER, db)
    out = capsys.readouterr().out
    assert code == 1
    assert "超出 800×600" in out
    assert "页面 · 居民档案：宽 1" in out and "超出" in out
    assert "对话框 · 居民的服务记录（时间线）：宽 1000 px，超出 200 px" in out
    index = (tmp_path / "small" / "index.html").read_text(encoding="utf-8")
    assert 'class="big"' in index


def test_a_wrong_or_missing_password_exits_2_in_chinese(
    qapp, demo_db, tmp_path, capsys, monkeypatch
):
    db = station_copy(demo_db, tmp_path)
    monkeypatch.setenv("YGT_PASSWORD", "not-the-password")
    assert tour.main(tmp_path / "shots", tour.DEFAULT_SIZE, TEST_USER, db) == 2
    assert "截图巡检无法进行：用户名或密码不正确" in capsys.readouterr().err
    assert not (tmp_path / "shots").exists()
    monkeypatch.delenv("YGT_PASSWORD")
    assert tour.main(tmp_path / "shots", tour.DEFAULT_SIZE, TEST_USER, db) == 2
    assert "YGT_PASSWORD" in capsys.readouterr().err


def test_a_missing_damaged_or_new_database_exits_2(qapp, tmp_path, capsys, forms):
    missing = tmp_path / "none.db"
    assert tour.main(tmp_path / "a", tour.DEFAULT_SIZE, TEST_USER, missing) == 2
    assert "不存在" in capsys.readouterr().err
    assert not missing.exists()  # not created
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert tour.main(tmp_path / "b", tour.DEFAULT_SIZE, TEST_USER, damaged) == 2
    err = capsys.readouterr().err
    assert "截图巡检无法进行" in err and ("损坏" in err or "不是" in err)
    blank = tmp_path / "blank.db"
    Workspace.open(blank, create=True, forms=forms).close(backup_on_exit=False)
    assert tour.main(tmp_path / "c", tour.DEFAULT_SIZE, TEST_USER, blank) == 2
    assert "尚未初始化" in capsys.readouterr().err


def test_the_database_keeps_its_records(station_tour, demo_db):
    """Only the login is recorded (users.last_login/failed and its audit row); no backup.
    The report page keeps the quarter's figures it computed (report_kept: derived, not
    a record)."""
    result, db = station_tour
    before, after = rows_of(demo_db), rows_of(db)
    changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
    assert changed <= {"users", "audit_log", "report_kept", "report_dirty"}
    added = sorted(set(after["audit_log"]) - set(before["audit_log"]))
    assert len(added) == 1 and "'login'" in added[0]
    assert set(before["audit_log"]) <= set(after["audit_log"])
    assert len(before["users"]) == len(after["users"])
    assert not backup_dir_for(db).exists()
    assert result.boxes == []  # nothing asked, nothing answered


def test_the_command_runs_without_a_display(demo_db, tmp_path):
    """``python -m ygt_desktop.ui.app --tour`` in a process of its own, no platform set."""
    db = station_copy(demo_db, tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["YGT_PASSWORD"] = TEST_PASSWORD
    env.pop("YGT_USER", None)
    out = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "ygt_desktop.ui.app", "--tour", str(out), "--db", str(db)]
        + ["--user", TEST_USER],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "所有窗口和对话框都在 1366×728 之内" in done.stdout
    pictures = sorted(p.name for p in out.glob("*.png"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "01-居民档案.png" in pictures and "form-htn_followup-新增.png" in pictures
    assert all(name in index for name in pictures)
    assert "propagateSizeHints" not in done.stderr


def test_a_file_where_the_folder_should_be_is_refused_in_chinese(tmp_path, capsys):
    taken = tmp_path / "shots"
    taken.write_text("not a folder", encoding="utf-8")
    assert tour.main(taken, db=tmp_path / "missing.db") == 2
    assert "是一个文件，不是文件夹" in capsys.readouterr().err
    assert taken.read_text(encoding="utf-8") == "not a folder"
    assert not (tmp_path / "missing.db").exists()
