"""Opening at once (issue 15): starting the window loads neither openpyxl nor
reportlab (nor the screenshot tour and through it every page); they load when a
workbook, a PDF or a print is asked for. Checked in a fresh process, as a user starts
``ygt-desktop``: imports, the application, the main window shown on a station."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_USER

CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from ygt_desktop.storage import users
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui.app import prepare_application
from ygt_desktop.ui.shell import MainWindow

app = QApplication([])
prepare_application(app)
ws = Workspace.open(Path(sys.argv[1]), lock=False)
ws.act_as(users.get_user(ws.store, sys.argv[2]))
window = MainWindow(ws)
window.show()
app.processEvents()
heavy = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("openpyxl", "reportlab", "numpy")
    or name in ("ygt_desktop.ui.tour", "ygt_desktop.ui.tour_targets")
)
shown = window.residents_page.model.rowCount()
window.integrity.stop()
ws.close(backup_on_exit=False)
print(json.dumps({"heavy": heavy, "shown": shown}))
"""


def test_the_window_starts_without_workbook_pdf_or_tour_modules(ws, db_path: Path) -> None:
    ws.residents.save(
        {
            "name": "张三",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1960-05-01",
            "village_code": "101",
        }
    )
    ws.close(backup_on_exit=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db_path), TEST_USER],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["shown"] == 1  # the window really opened on the station
    # numpy comes with sqlite_utils when installed; the others are ours to keep out
    assert [m for m in got["heavy"] if not m.startswith("numpy")] == []
