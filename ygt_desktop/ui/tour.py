"""截图巡检: ``ygt-desktop --tour DIR [--size 1366x728] [--user NAME] [--db FILE]``.

Opens the window on a database without a display (Qt's offscreen platform, with a
screen of the given size, unless the caller chose a platform), logs in as ``--user``
(or ``$YGT_USER``) with the password from ``$YGT_PASSWORD``, and photographs every
page of the main window, every tab inside a page, every form's entry dialog (new, and
with a record of the database: :mod:`.tour_targets`) and the other dialogs. Each
picture is ``widget.grab()`` saved as a PNG in DIR; ``index.html`` lists them with
their sizes and marks in red those larger than the screen.

Exit status: 0 when every window and dialog fits the size (its size and its
``minimumSizeHint``: a dialog that would need more than the screen does not fit), 1
when one does not (each named, with how much too big) or a dialog could not be opened,
2 when the tour cannot start (a missing, damaged or uninitialised database, a wrong or
missing password). None of the start-up dialogs (login, first account, restore) runs.

Only looking: every dialog is closed without saving, nothing modal is ever exec()'d,
message boxes are answered "no"/cancelled (and listed), the background integrity check
and the timed backup do not run, and no backup is made on exit. What the database
records is what opening it records: the login (``users.last_login`` and its audit row).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QSize,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QProgressDialog,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from ..core.forms import FormFileError
from ..ops.base import USER_ERRORS
from ..ops.users import Login, sign_in
from ..storage import users
from ..storage.db import DamagedDatabaseError, StoreError, describe_os_error
from ..storage.workspace import Workspace, load_forms
from . import jobs, messages
from .shell import MainWindow
from .tour_size import DEFAULT_SIZE
from .tour_targets import (
    DIALOG,
    FORM,
    Samples,
    Skip,
    Target,
    Unavailable,
    dialog_targets,
    form_targets,
    unwrap,
)

PAGE = "页面"
SECTIONS = (PAGE, FORM, DIALOG)
JOB_WAIT_S = 60.0  # the longest a page's background job may take before its picture
WATCH_MS = 200  # how often a modal dialog nobody answers is looked for
EXIT_OK, EXIT_TOO_BIG, EXIT_CANNOT_START = 0, 1, 2


class TourError(Exception):
    """The tour cannot start; the Chinese message says why (exit status 2)."""


# ---- what the tour found --------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """One picture: its size and the smallest size its layout allows, in pixels."""

    section: str
    title: str
    file: str
    width: int
    height: int
    min_width: int
    min_height: int
    widget_class: str = ""  # module.Class of the window or dialog photographed
    form_id: str | None = None
    variant: str | None = None
    sideways: str = ""  # a record form wider than its dialog: by how much
    note: str = ""  # e.g. shown for a resident the form does not apply to

    def excess(self, limit: QSize) -> tuple[int, int]:
        """Pixels wider and taller than ``limit`` (0 when within), size or minimum."""
        return (
            max(0, max(self.width, self.min_width) - limit.width()),
            max(0, max(self.height, self.min_height) - limit.height()),
        )

    def fits(self, limit: QSize) -> bool:
        return self.excess(limit) == (0, 0)


@dataclass
class TourResult:
    out_dir: Path
    size: QSize
    shots: list[Shot] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # could not open, errors
    boxes: list[str] = field(default_factory=list)  # message boxes answered by the tour
    seconds: float = 0.0

    def too_big(self) -> list[Shot]:
        return [s for s in self.shots if not s.fits(self.size)]

    @property
    def exit_code(self) -> int:
        return EXIT_TOO_BIG if self.too_big() or self.problems else EXIT_OK

    def summary(self) -> list[str]:
        """What the command prints: counts, then each window too big and each problem."""
        w, h = self.size.width(), self.size.height()
        lines = [
            f"截图巡检：{len(self.shots)} 张截图（{self._counts()}），"
            f"用时 {self.seconds:.1f} 秒，已保存到 {self.out_dir}（index.html）"
        ]
        big = self.too_big()
        if big:
            lines.append(f"以下 {len(big)} 个窗口或对话框超出 {w}×{h}：")
            lines += [f"  {s.section} · {s.title}：{_excess_text(s, self.size)}" for s in big]
        if self.problems:
            lines.append(f"以下 {len(self.problems)} 项未能截图或出错：")
            lines += [f"  {p}" for p in self.problems]
        wide = [s for s in self.shots if s.sideways]
        if wide:
            lines.append(f"注意：{len(wide)} 个对话框的表单需横向滚动：")
            lines += [f"  {s.title}：{s.sideways}" for s in wide]
        if not big and not self.problems:
            lines.append(f"所有窗口和对话框都在 {w}×{h} 之内。")
        return lines

    def _counts(self) -> str:
        return "，".join(
            f"{section} {n}"
            for section in SECTIONS
            if (n := sum(1 for s in self.shots if s.section == section))
        )


def _excess_text(shot: Shot, limit: QSize) -> str:
    wide, tall = shot.excess(limit)
    parts = []
    if wide:
        parts.append(f"宽 {max(shot.width, shot.min_width)} px，超出 {wide} px")
    if tall:
        parts.append(f"高 {max(shot.height, shot.min_height)} px，超出 {tall} px")
    text = "；".join(parts)
    if shot.section != PAGE:
        return text
    # A page's own minimum, apart from the others: which one makes the window too big.
    if shot.min_width > limit.width() or shot.min_height > limit.height():
        return f"{text}（本页内容至少需要 {shot.min_width}×{shot.min_height} px）"
    return f"{text}（本页本身放得下：窗口被其他页面撑大）"


# ---- taking the pictures ----------------------------------------------------------------------


def run_tour(ws: Workspace, out_dir: Path, size: QSize = DEFAULT_SIZE) -> TourResult:
    """Photograph the window on ``ws`` (open, a user logged in) into ``out_dir`` and
    write ``index.html``; the QApplication must exist. Saves nothing in the database."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = TourResult(out_dir, QSize(size))
    started = time.perf_counter()
    with _Camera(result) as camera:
        camera.run(ws)
    result.seconds = time.perf_counter() - started
    write_index(result)
    return result


class _Camera:
    """Drives the window and its dialogs, saving a PNG of each."""

    def __init__(self, result: TourResult) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            raise TourError("截图巡检需要先建立 QApplication。")
        self.app = app
        self.result = result
        self.names: set[str] = set()
        self.expected: list[QWidget] = []  # the dialogs being photographed now
        self.errors_log = result.out_dir / "tour-errors.log"

    # -- guards: no box waits for an answer, no modal loop hangs, no traceback escapes
    def __enter__(self) -> _Camera:
        self._saved_boxes = {n: getattr(messages, n) for n in _ANSWERS}
        for name, answer in _ANSWERS.items():
            setattr(messages, name, self._box(name, answer))
        self._saved_hook = sys.excepthook
        sys.excepthook = self._excepthook
        self.watch = QTimer()
        self.watch.timeout.connect(self._close_unexpected)
        self.watch.start(WATCH_MS)
        self._saved_handler = qInstallMessageHandler(self._qt_message)
        return self

    def __exit__(self, *exc: object) -> None:
        qInstallMessageHandler(self._saved_handler)
        self.watch.stop()
        sys.excepthook = self._saved_hook
        for name, box in self._saved_boxes.items():
            setattr(messages, name, box)

    def _qt_message(self, mode: QtMsgType, context: QMessageLogContext, text: str) -> None:
        """Qt's notes, less the offscreen platform's one per dialog shown."""
        if "propagateSizeHints" in text:
            return
        if self._saved_handler is not None:
            self._saved_handler(mode, context, text)
        else:
            print(text, file=sys.stderr)

    def _box(self, name: str, answer: Any) -> Callable[..., Any]:
        def box(_parent: QWidget | None, text: str = "", *_args: Any, **_kw: Any) -> Any:
            self.result.boxes.append(f"{_BOX_NAMES[name]}：{text}")
            return answer

        return box

    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self._problem(
            f"程序出错：{kind.__name__}: {exc}", traceback.format_exception(kind, exc, tb)
        )

    def _problem(self, text: str, trace: Sequence[str] = ()) -> None:
        self.result.problems.append(text)
        if trace:
            with self.errors_log.open("a", encoding="utf-8") as log:
                log.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {text}\n{''.join(trace)}\n")

    def _close_unexpected(self) -> None:
        """A modal dialog the tour did not open (someone's exec()): close it, say so."""
        for widget in self.app.topLevelWidgets():
            if (
                isinstance(widget, QDialog)
                and not isinstance(widget, QProgressDialog)  # a background job's
                and widget.isVisible()
                and widget.isModal()
                and not any(widget is w for w in self.expected)
            ):
                self._problem(f"出现了等待回答的对话框“{widget.windowTitle()}”，已关闭")
                widget.done(0)

    # -- the tour
    def run(self, ws: Workspace) -> None:
        # Nothing of the window's own writes while the tour looks: no timed backup, no
        # background full check (it records its time in the settings).
        window = MainWindow(ws, background=False)
        try:
            window.resize(self.result.size)
            window.show()
            self._settle()
            self._pages(window)
            window.nav.setCurrentRow(0)
            self._settle()
            samples = Samples(ws)
            for target in form_targets(ws, window, samples):
                self._take(target)
            for target in dialog_targets(ws, window, samples):
                self._take(target)
        finally:
            self._settle()
            jobs.cancel_all_and_wait()
            window.retire()  # hides it; the workspace stays open for the caller to close
            self._settle()

    def _pages(self, window: MainWindow) -> None:
        for row in range(window.nav.count()):
            name = window.nav.item(row).text()
            window.nav.setCurrentRow(row)
            self._settle()
            page = window.stack.widget(row)
            assert page is not None
            stem = f"{row + 1:02d}-{name}"
            tabs = _outer_tabs(page)
            first = f"（{_tab_title(tabs[0], tabs[0].currentIndex())}）" if tabs else ""
            self._save(window, PAGE, name + first, stem, part=_shown(page))
            self._tabs(window, page, stem, name)

    def _tabs(self, window: MainWindow, root: QWidget, stem: str, title: str) -> None:
        """Every tab of the tab widgets in ``root`` (and their tabs, in turn)."""
        for tabs in _outer_tabs(root):
            start = tabs.currentIndex()
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                self._settle()
                name, tab = _tab_title(tabs, i), tabs.widget(i)
                assert tab is not None
                if i != start:  # the picture of the page (or of the tab above) shows it
                    self._save(window, PAGE, f"{title} · {name}", f"{stem}-{name}", part=tab)
                self._tabs(window, tab, f"{stem}-{name}", f"{title} · {name}")
            tabs.setCurrentIndex(start)
            self._settle()

    def _take(self, target: Target | Skip) -> None:
        if isinstance(target, Skip):
            self.result.skipped.append(target)
            return
        try:
            opened = target.open()
        except Unavailable as exc:
            self.result.skipped.append(
                Skip(target.section, target.title, str(exc), target.form_id, target.variant)
            )
            return
        except Exception as exc:  # noqa: BLE001 - reported, the tour goes on
            self._problem(
                f"{target.section} · {target.title}：无法打开（{type(exc).__name__}: {exc}）",
                traceback.format_exc().splitlines(keepends=True),
            )
            return
        dialog, owners = unwrap(opened)
        self.expected = [dialog, *owners]
        try:
            if not dialog.isVisible():
                dialog.show()
            self._settle()
            self._save(
                dialog,
                target.section,
                target.title,
                target.stem,
                target.form_id,
                target.variant,
                note=target.note,
            )
        finally:
            self.expected = []
            for widget in (dialog, *owners):
                widget.hide()
                widget.deleteLater()
            self._settle()

    # -- pictures
    def _save(
        self,
        widget: QWidget,
        section: str,
        title: str,
        stem: str,
        form_id: str | None = None,
        variant: str | None = None,
        *,
        part: QWidget | None = None,
        note: str = "",
    ) -> Shot:
        """Save ``widget``'s picture. ``part``: the page or tab shown in the window,
        whose own minimum counts (a stacked widget needs as much as its largest page,
        which would blame every page for one)."""
        name = self._file_name(stem)
        if not widget.grab().save(str(self.result.out_dir / name), "PNG"):
            self._problem(f"{section} · {title}：无法写出 {name}")
        minimum = _own_minimum(widget, part) if part is not None else _minimum(widget)
        cls = type(widget if part is None else part)
        shot = Shot(
            section,
            title,
            name,
            widget.width(),
            widget.height(),
            minimum.width(),
            minimum.height(),
            f"{cls.__module__}.{cls.__qualname__}",
            form_id,
            variant,
            _sideways(widget) if part is None else "",
            note,
        )
        self.result.shots.append(shot)
        return shot

    def _file_name(self, stem: str) -> str:
        base = _safe(stem)
        name, n = f"{base}.png", 1
        while name in self.names:
            n += 1
            name = f"{base}-{n}.png"
        self.names.add(name)
        return name

    def _settle(self) -> None:
        """Let layouts, posted events and the pages' background jobs finish."""
        deadline = time.monotonic() + JOB_WAIT_S
        while True:
            for _ in range(3):
                self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if not jobs.active():
                return
            if time.monotonic() > deadline:
                names = "、".join(job.title for job in jobs.active())
                self._problem(f"后台任务“{names}”{JOB_WAIT_S:.0f} 秒内没有完成")
                return
            time.sleep(0.01)


_ANSWERS: dict[str, Any] = {
    "info": None,
    "error": None,
    "ask": False,
    "ask_text": None,
    "ask_password": None,
    "choose": None,
}
_BOX_NAMES = {
    "info": "提示",
    "error": "出错",
    "ask": "询问（已答“否”）",
    "ask_text": "输入（已取消）",
    "ask_password": "密码（已取消）",
    "choose": "选择（已取消）",
}


def _minimum(widget: QWidget) -> QSize:
    """What Qt will not shrink ``widget`` below: its minimum size, else its hint."""
    return widget.minimumSizeHint().expandedTo(widget.minimumSize())


def _own_minimum(window: QWidget, part: QWidget) -> QSize:
    """The window's minimum with ``part`` showing, as if the stacked widgets on the way
    held only the part shown (each needs as much as its largest page)."""
    size = _minimum(window)
    width, height = size.width(), size.height()
    child, parent = part, part.parentWidget()
    while parent is not None and child is not window:
        if isinstance(parent, QStackedWidget):
            stack, shown = _minimum(parent), _minimum(child)
            width -= max(0, stack.width() - shown.width())
            height -= max(0, stack.height() - shown.height())
        child, parent = parent, parent.parentWidget()
    return QSize(width, height)


def _sideways(dialog: QWidget) -> str:
    """A note when a scrolled form inside ``dialog`` is wider than its view."""
    for area in dialog.findChildren(QScrollArea):
        bar = area.horizontalScrollBar()
        if area.isVisible() and bar.maximum() > 0:
            inner = area.widget()
            wide = inner.width() if inner is not None else bar.maximum() + bar.pageStep()
            return f"内容宽 {wide} px，需横向滚动 {bar.maximum()} px"
    return ""


def _outer_tabs(root: QWidget) -> list[QTabWidget]:
    """The tab widgets inside ``root`` that are not inside another one below ``root``."""
    found = []
    for tabs in root.findChildren(QTabWidget):
        parent = tabs.parentWidget()
        while parent is not None and parent is not root and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        if parent is root or parent is None:
            found.append(tabs)
    return found


def _shown(page: QWidget) -> QWidget:
    """What shows of ``page``: the current tab of its tab widget, and so on down."""
    tabs = _outer_tabs(page)
    while tabs and tabs[0].currentWidget() is not None:
        page = tabs[0].currentWidget()
        tabs = _outer_tabs(page)
    return page


def _tab_title(tabs: QTabWidget, index: int) -> str:
    """A tab's text without its keyboard hint: ``设备台账 (Alt+1)`` → ``设备台账``."""
    text = tabs.tabText(index).replace("&", "")
    return re.sub(r"\s*[（(](?:Alt|Ctrl|Shift)\+[^)）]*[)）]", "", text).strip()


def _safe(stem: str) -> str:
    """A file name on every system: no path separators, spaces or reserved characters."""
    text = re.sub(r"[\\/:*?\"<>|\s·　，。（）()]+", "-", stem)
    return re.sub(r"-{2,}", "-", text).strip("-.") or "shot"


# ---- index.html ---------------------------------------------------------------------------


def write_index(result: TourResult) -> Path:
    """``index.html`` in the tour's folder: every picture with its title and size."""
    limit = result.size
    rows: list[str] = []
    for section in SECTIONS:
        shots = [s for s in result.shots if s.section == section]
        skipped = [s for s in result.skipped if s.section == section]
        if not shots and not skipped:
            continue
        rows.append(f"<h2>{html.escape(section)}（{len(shots)} 张）</h2>")
        rows.append("<table><tr><th>截图</th><th>标题</th><th>尺寸</th><th>最小尺寸</th></tr>")
        for s in shots:
            fits = s.fits(limit)
            mark = (
                ""
                if fits
                else f'<br><b class="big">超出：{html.escape(_excess_text(s, limit))}</b>'
            )
            for text in (s.sideways, s.note):
                if text:
                    mark += f'<br><span class="note">{html.escape(text)}</span>'
            file = html.escape(s.file)
            row_class = "" if fits else ' class="big-row"'
            rows.append(
                f"<tr{row_class}>"
                f'<td><a href="{file}"><img src="{file}" loading="lazy" alt=""></a></td>'
                f'<td><a href="{file}">{html.escape(s.title)}</a><br><code>{file}</code>{mark}</td>'
                f"<td>{s.width}×{s.height} px</td><td>{s.min_width}×{s.min_height} px</td></tr>"
            )
        for k in skipped:
            rows.append(
                f"<tr><td>—</td><td>{html.escape(k.title)}<br>"
                f'<span class="none">无截图：{html.escape(k.why)}</span></td><td></td><td></td></tr>'
            )
        rows.append("</table>")
    notes = []
    if result.problems:
        notes.append('<h2 class="big">未能截图或出错</h2><ul>')
        notes += [f'<li class="big">{html.escape(p)}</li>' for p in result.problems]
        notes.append("</ul>")
    if result.boxes:
        notes.append("<h2>巡检中弹出的提示（已自动回答）</h2><ul>")
        notes += [f"<li>{html.escape(b)}</li>" for b in result.boxes]
        notes.append("</ul>")
    big = result.too_big()
    verdict = (
        f'<p class="big">{len(big)} 个窗口或对话框超出 {limit.width()}×{limit.height()}。</p>'
        if big
        else f"<p>所有窗口和对话框都在 {limit.width()}×{limit.height()} 之内。</p>"
    )
    page = _INDEX.format(
        when=f"{dt.datetime.now():%Y-%m-%d %H:%M}",
        width=limit.width(),
        height=limit.height(),
        count=len(result.shots),
        verdict=verdict,
        notes="\n".join(notes),
        rows="\n".join(rows),
    )
    path = result.out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


_INDEX = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>截图巡检</title>
<style>
body {{ font-family: sans-serif; margin: 1em 2em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
img {{ max-width: 320px; max-height: 200px; border: 1px solid #999; }}
.big {{ color: #c62828; }}
.big-row {{ background: #fdecea; }}
.none {{ color: #808080; }}
.note {{ color: #b26a00; }}
</style></head><body>
<h1>截图巡检</h1>
<p>{when}，屏幕 {width}×{height}，共 {count} 张截图。</p>
{verdict}
{notes}
{rows}
</body></html>
"""


# ---- the command ----------------------------------------------------------------------------


def main(
    out_dir: str | Path,
    size: QSize = DEFAULT_SIZE,
    user: str | None = None,
    db: str | Path | None = None,
) -> int:
    """``ygt-desktop --tour``: 0 all fit, 1 something too big or not opened, 2 cannot
    start (the reason printed in Chinese on stderr). ``db`` defaults to the window's."""
    from ..paths import default_db_path

    try:
        result = tour_database(Path(db) if db else default_db_path(), Path(out_dir), size, user)
    except TourError as exc:
        print(f"截图巡检无法进行：{exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    for line in result.summary():
        print(line)
    return result.exit_code


def tour_database(
    db: Path, out_dir: Path, size: QSize = DEFAULT_SIZE, user: str | None = None
) -> TourResult:
    """Open ``db`` as the window would (without its dialogs), log ``user`` (default
    ``$YGT_USER``) in with ``$YGT_PASSWORD`` and run the tour; :class:`TourError` when
    it cannot start. The database is closed after, without a backup."""
    _folder(out_dir)  # before opening anything: a file named like the folder is refused
    with _workspace(db, size, user) as ws:
        try:
            return run_tour(ws, out_dir, size)
        except OSError as exc:  # no folder can be made there, the disk filled up …
            raise TourError(describe_os_error(exc, out_dir, "保存截图")) from None


def _folder(out_dir: Path) -> None:
    """Refuse a pictures' folder that is a file, in Chinese (:class:`TourError`); the
    folder itself is made once the tour can start (a refused start leaves none)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise TourError(f"{out_dir} 是一个文件，不是文件夹：请另指定保存截图的文件夹。")


@contextmanager
def _workspace(path: Path, size: QSize, user: str | None) -> Iterator[Workspace]:
    """The database opened and logged in, as the window would (without its dialogs);
    closed after, without a backup."""
    name = (user or os.environ.get("YGT_USER") or "").strip()
    if not name:
        raise TourError("请用 --user 指定用户名（或设置环境变量 YGT_USER）。")
    password = os.environ.get("YGT_PASSWORD")
    if password is None:
        raise TourError("请在环境变量 YGT_PASSWORD 中给出用户的密码。")
    if not path.exists() or path.stat().st_size == 0:
        raise TourError(f"数据库文件 {path} 不存在或是空文件。")
    _application(size)
    try:
        forms = load_forms()
        ws = Workspace.open(path, forms=forms)
    except FormFileError as exc:
        raise TourError(f"程序的表单定义有误：{exc}") from None
    except DamagedDatabaseError as exc:
        raise TourError(f"{exc}（截图巡检不做恢复）") from None
    except StoreError as exc:
        raise TourError(str(exc)) from None
    try:
        if ws.store.readonly:
            raise TourError(
                f"数据库文件 {path} 检查未通过（已损坏）：请先在程序中恢复备份。截图巡检不做恢复。"
            )
        if ws.organisation is None:
            raise TourError(f"数据库 {path} 尚未初始化（没有设置本机构）。")
        try:
            sign_in(ws, Login(name, password))
        except USER_ERRORS as exc:
            raise TourError(str(exc)) from None
        account = users.get_user(ws.store, name)
        if account is not None and account.must_change:
            raise TourError(f"用户“{name}”须先在程序中修改密码，之后才能使用。")
        yield ws
    finally:
        ws.close(backup_on_exit=False)


def _application(size: QSize) -> QApplication:
    """The QApplication, made offscreen with a screen of ``size`` unless one exists or
    the caller chose another platform (e.g. ``xcb`` under Xvfb)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        config = None
        if os.environ.get("QT_QPA_PLATFORM", "") in ("", "offscreen"):
            config = _offscreen_config(size)
            text = config.as_posix()
            # Qt splits the platform's options at colons: a Windows drive letter cannot
            # be given, and that falls back to offscreen's default screen.
            os.environ["QT_QPA_PLATFORM"] = (
                "offscreen" if ":" in text else f"offscreen:configfile={text}"
            )
        app = QApplication(["ygt-desktop"])
        if config is not None:  # read once, when the application starts
            shutil.rmtree(config.parent, ignore_errors=True)
    from .app import prepare_application  # the window's own start-up (app imports us)

    prepare_application(app)
    return app


def _offscreen_config(size: QSize) -> Path:
    """A configuration of Qt's offscreen platform: one screen of ``size``."""
    config = Path(tempfile.mkdtemp(prefix="ygt-tour-")) / "screen.json"
    screen = {"name": "tour", "x": 0, "y": 0, "width": size.width(), "height": size.height()}
    config.write_text(
        json.dumps({"screens": [{**screen, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}),
        encoding="utf-8",
    )
    return config
