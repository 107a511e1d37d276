"""Import a batch of members' upward workbooks into a bureau's database (spec
exchange.md): files, folders, several folders — a USB stick full of workbooks.

Every file is read by :func:`~.workbook_reader.read_upward_workbook` (which never
trusts it: zip and XML safety, structure, format, digest), then checked against what
the bureau knows (roster, template, the periods it is collecting, today's date), then
stored whole in one transaction or not at all (:func:`~ygt_desktop.storage.submissions.record`).

No single file can break a batch: reading, checking and storing each file are guarded
steps, and anything unexpected (a bug, a number no check foresaw) refuses that file
alone as "内部错误" with the traceback in ``ygt-error.log`` beside the database; the
batch goes on and the totals count it. Only regular files are opened: a FIFO, device
or socket named ``.xlsx`` (which would block the read for ever) or a broken link is
skipped with a line. Names from outside are shown through
:func:`~ygt_desktop.core.printable.printable` (no terminal escape codes).
The files are read first and stored in the order (organisation, period, revision), so
the outcome does not depend on the order the files happen to lie in the folders: a
stick holding revisions 1 and 2 of a station keeps both in the history. Re-importing
a file changes nothing. Each attempt is logged with its outcome and reason (Chinese).

Pure function of its arguments and the database; runs in a worker thread with its own
:class:`~ygt_desktop.storage.workspace.Workspace`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core import plausibility
from ..core.printable import printable
from ..core.report_model import Period, PeriodError, Template
from ..storage import submissions
from ..storage.roster import member
from ..storage.submissions import ACCEPTED, DUPLICATE, REJECTED, REPLACED, Incoming, Outcome
from ..storage.workspace import Workspace
from .workbook_canonical import workbook_digest
from .workbook_reader import (
    ParsedWorkbook,
    RejectedWithMeta,
    WorkbookRejected,
    read_upward_workbook,
)
from .workbook_signature import check_member_signature

log = logging.getLogger("ygt_desktop")
SUFFIX = ".xlsx"
# Office lock files (~$name.xlsx), LibreOffice's (.~lock.name.xlsx#) and the "._name"
# files macOS leaves on USB sticks are not workbooks: skipped when walking folders.
_SKIPPED_PREFIXES = ("~$", ".~lock", "._")
_EXPORT_NAME = re.compile(r"^(\d{6,12})_(\d{4}Q[1-4])_")

Progress = Callable[[int, int, str], None]  # done, total, what is being done (Chinese)
SKIPPED = "skipped"  # not a regular file: never opened, not in the import log
INTERNAL = "internal_error"
MAX_REVISION_DIGITS = 9
ERROR_LOG = "ygt-error.log"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: str  # submissions.ACCEPTED / REPLACED / DUPLICATE / REJECTED
    code: str
    reason: str
    org_code: str = ""
    org_name: str = ""
    period: str = ""
    revision: int | None = None
    warnings: tuple[str, ...] = ()
    sha256: str = ""

    @property
    def label(self) -> str:
        return "已跳过" if self.outcome == SKIPPED else submissions.OUTCOME_LABELS[self.outcome]

    @property
    def name(self) -> str:
        """The file's name as it may be shown (control characters escaped)."""
        return printable(self.path.name)

    @property
    def shown_path(self) -> str:
        return printable(str(self.path))

    @property
    def message(self) -> str:
        """The reason and the warnings, for a table cell or a summary line (control
        characters escaped)."""
        parts = [self.reason] if self.reason else []
        parts += [f"注意：{w}" for w in self.warnings]
        return printable("；".join(parts))


@dataclass
class ImportRun:
    results: list[FileResult] = field(default_factory=list)
    cancelled: bool = False
    not_done: int = 0  # files left when cancelled

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.results if r.outcome in outcomes)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    def summary(self) -> str:
        text = (
            f"共 {len(self.results)} 个文件：接收 {self.count(ACCEPTED, REPLACED)} 个"
            f"（其中替代旧版 {self.count(REPLACED)} 个），重复 {self.count(DUPLICATE)} 个，"
            f"拒收 {self.rejected} 个"
        )
        if self.count(SKIPPED):
            text += f"，跳过 {self.count(SKIPPED)} 个（不是普通文件）"
        internal = sum(1 for r in self.results if r.code == INTERNAL)
        if internal:
            text += f"（其中内部错误 {internal} 个，详情见 {ERROR_LOG}）"
        warned = sum(1 for r in self.results if r.warnings and r.outcome != REJECTED)
        if warned:
            text += f"；{warned} 个有提示"
        if self.cancelled:
            text += (
                f"；已取消，{self.not_done} 个文件未处理（每个文件单独保存，取消前已保存的保留；"
                "再次导入即可补上其余文件）"
            )
        return text


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file that may be opened (Chinese), or None. Asked
    without opening it: opening a FIFO blocks until someone writes to it."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "文件不存在（U盘可能已拔出）"
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "是失效的符号链接（指向的文件不存在）"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "命名管道（FIFO）"
        if stat.S_ISFIFO(mode)
        else "设备文件"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "套接字"
        if stat.S_ISSOCK(mode)
        else "文件夹"
        if stat.S_ISDIR(mode)
        else "特殊文件"
    )
    return f"不是普通文件而是{kind}，未打开"


def find_workbooks(
    paths: Iterable[Path], skipped: list[tuple[Path, str]] | None = None
) -> tuple[list[Path], list[Path]]:
    """The files to import: each file given, and every ``*.xlsx`` under each folder
    given (walked in name order, lock files and macOS "._" files skipped, symbolic
    links to folders not followed); and the paths that do not exist. Each file once.
    Anything that is not a regular file (FIFO, device, socket, broken link) goes to
    ``skipped`` with the reason, never opened."""
    found: list[Path] = []
    missing: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        why = not_regular(p)
        if why is not None:
            if skipped is not None:
                skipped.append((p, why))
            return
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            found.append(p)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for folder, dirs, files in os.walk(path, onerror=lambda _e: None):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(SUFFIX) and not name.startswith(_SKIPPED_PREFIXES):
                        add(Path(folder) / name)
        elif os.path.lexists(path):
            add(path)
        else:
            missing.append(path)
    return found, missing


def _mtime(path: Path) -> str | None:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Checked:
    """A workbook that passed the checks, or the reason it did not."""

    incoming: Incoming | None
    rejection: tuple[str, str] | None = None  # (code, reason)


def check(
    parsed: ParsedWorkbook,
    template: Template,
    *,
    today: dt.date,
    periods: Sequence[Period] | None,
    bureau_code: str,
    known: Callable[[str], Any],
) -> Checked:
    """The bureau's own checks on a workbook the reader accepted: period (ended, and one
    of ``periods`` when given), template and its indicators, revision, numbers, and the
    digest once more. ``known(code)`` gives the roster member (or None), for warnings
    about a level, name or parent that differ from the roster."""
    meta = parsed.meta

    def reject(code: str, reason: str) -> Checked:
        return Checked(None, (code, reason))

    try:
        period = Period.parse(meta.get("period", ""))
    except PeriodError as exc:
        return reject("bad_period", str(exc))
    if period.window_end > today:
        return reject(
            "future_period",
            f"统计期 {period}（{period.label}）尚未结束"
            f"（截至 {period.window_end.isoformat()}），不能接收",
        )
    if periods and period not in periods:
        asked = "、".join(str(p) for p in periods)
        return reject(
            "period_not_asked", f"统计期 {period}（{period.label}）不是本次接收的统计期（{asked}）"
        )
    if (meta.get("template_id"), meta.get("template_version")) != (
        template.id,
        str(template.version),
    ):
        return reject(
            "unknown_template",
            f"报表模板 {meta.get('template_id') or '（空）'} 第"
            f"{meta.get('template_version') or '?'}版不是本机构使用的模板（"
            f"{template.id} 第{template.version}版），无法汇总",
        )
    codes = [str(r[3]) for r in parsed.data]
    expected = {i.code for i in template.indicators}
    if set(codes) != expected or len(codes) != len(expected):
        lacking = sorted(expected - set(codes))
        extra = sorted(set(codes) - expected)
        parts = ([f"缺少 {'、'.join(lacking[:5])}"] if lacking else []) + (
            [f"多出 {'、'.join(extra[:5])}"] if extra else []
        )
        if len(codes) != len(set(codes)):
            parts.append("有重复的指标行")
        return reject("indicators_differ", "_data 的指标与报表模板不一致：" + "；".join(parts))
    revision = meta.get("revision", "")
    if (
        not (revision.isascii() and revision.isdecimal())
        or len(revision) > MAX_REVISION_DIGITS
        or int(revision) < 1
    ):
        return reject(
            "bad_revision",
            f"版本号“{printable(revision[:24])}”不合理：应为 1 至 {10**MAX_REVISION_DIGITS - 1}"
            f" 的整数，且比已接收的版本最多高 {submissions.MAX_REVISION_STEP}",
        )
    for r in parsed.data:
        if (str(r[0]), str(r[2])) != (meta.get("org_code"), str(period)):
            return reject("rows_meta", f"_data 中指标 {r[3]} 的机构或统计期与 _meta 不一致")
        if any(
            v is not None and (isinstance(v, bool) or not isinstance(v, int | float))
            for v in r[4:7]
        ):
            return reject("bad_number", f"_data 中指标 {r[3]} 的数值不是数字")
    if workbook_digest(parsed.data, meta) != meta.get("digest"):
        return reject("digest_mismatch", "工作簿在导出后被修改过（数据摘要不符），未导入")
    found = plausibility.problems(template, parsed.data, aggregated=bool(meta.get("children")))
    if found:
        more = f"；另有 {len(found) - 3} 处" if len(found) > 3 else ""
        return reject("implausible", "数据不合理，未导入：" + "；".join(found[:3]) + more)
    warnings = list(parsed.warnings) + plausibility.notices(template, parsed.data)
    m = known(meta["org_code"])
    if m is not None:
        if meta.get("org_level") and meta["org_level"] != m.level:
            warnings.append(f"工作簿中的机构级别为 {meta['org_level']}，名册中为 {m.level}")
        if meta.get("org_name") and meta["org_name"] != m.name:
            warnings.append(f"工作簿中的机构名称为“{meta['org_name']}”，名册中为“{m.name}”")
    parent = meta.get("parent_code")
    if parent and parent != bureau_code and (m is None or parent != m.parent_code):
        warnings.append(f"工作簿中的上级机构代码 {parent} 不是本机构（{bureau_code}）")
    return Checked(
        Incoming(
            parsed.path.name,
            str(parsed.path),
            parsed.sha256,
            _mtime(parsed.path),
            dict(meta),
            list(parsed.data),
            tuple(warnings),
        )
    )


def import_paths(
    ws: Workspace,
    paths: Iterable[Path],
    template: Template,
    *,
    periods: Sequence[Period] | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportRun:
    """Import every workbook found under ``paths`` (see :func:`find_workbooks`).

    ``periods`` limits the periods accepted (default: any that has ended by
    ``today``). ``progress(done, total, text)`` is called before each step;
    ``cancelled()`` is asked between files, while reading and while storing — a file
    is never left half-imported, and the files stored before a cancel stay (each is its
    own transaction); a cancel while reading stores none. No file's content, nor any
    error while handling it, stops the files after it (see the module docstring).
    """
    org = ws.organisation
    bureau_code = org.code if org else ""
    today = today or dt.date.today()
    skipped: list[tuple[Path, str]] = []
    files, missing = find_workbooks(paths, skipped)
    run = ImportRun()
    store = ws.store
    for path in missing:
        run.results.append(_rejected(store, path, "missing", "文件或文件夹不存在（U盘可能已拔出）"))
    for path, why in skipped:
        run.results.append(FileResult(path, SKIPPED, "not_regular", why))
    total = 2 * len(files)
    waiting: list[tuple[int, Incoming]] = []
    slots: list[FileResult | None] = []
    for n, path in enumerate(files):
        if cancelled and cancelled():
            run.cancelled, run.not_done = True, len(files) - n
            break
        if progress:
            progress(n, total, f"正在读取 {printable(path.name)}（{n + 1}/{len(files)}）")
        try:
            result, incoming = _read_one(ws, path, template, today, periods, bureau_code)
        except Exception:  # one bad file must not stop the batch
            result, incoming = _internal(store, path, "读取或检查"), None
        slots.append(result)
        if incoming is not None:
            waiting.append((len(slots) - 1, incoming))
    if run.cancelled:  # nothing read is stored; what was refused is already logged
        run.results += [r for r in slots if r is not None]
        return run
    waiting.sort(
        key=lambda item: (item[1].org_code, item[1].period, item[1].revision, item[1].file_path)
    )
    for n, (slot, incoming) in enumerate(waiting):
        if cancelled and cancelled():  # what is stored stays: one transaction per file
            run.cancelled, run.not_done = True, len(waiting) - n
            break
        if progress:
            progress(
                len(files) + n,
                total,
                f"正在保存 {printable(incoming.file_name)}（{n + 1}/{len(waiting)}）",
            )
        try:
            slots[slot] = _stored(incoming, submissions.record(store, incoming))
        except Exception:  # the transaction rolled back: nothing of this file is stored
            slots[slot] = _internal(store, Path(incoming.file_path), "保存", incoming)
    run.results += [r for r in slots if r is not None]
    if progress and not run.cancelled:
        progress(total, total, run.summary())
    return run


def _read_one(
    ws: Workspace,
    path: Path,
    template: Template,
    today: dt.date,
    periods: Sequence[Period] | None,
    bureau_code: str,
) -> tuple[FileResult | None, Incoming | None]:
    why = not_regular(path)  # it may have changed since the folder was walked
    if why is not None:
        return FileResult(path, SKIPPED, "not_regular", why), None
    try:
        parsed = read_upward_workbook(path, template=template)
    except WorkbookRejected as exc:
        claimed = exc.meta if isinstance(exc, RejectedWithMeta) else {}
        org_code, period = _name_hint(path)
        revision = claimed.get("revision", "")
        return _rejected(
            ws.store,
            path,
            exc.code,
            exc.detail,
            org_code=claimed.get("org_code") or org_code,
            org_name=claimed.get("org_name", ""),
            period=claimed.get("period") or period,
            revision=_small_int(revision),
        ), None
    except OSError as exc:
        return _rejected(
            ws.store, path, "unreadable", f"无法读取文件（U盘可能已拔出）：{exc.strerror or exc}"
        ), None
    checked = check(
        parsed,
        template,
        today=today,
        periods=periods,
        bureau_code=bureau_code,
        known=lambda code: member(ws.store, code),
    )
    if checked.incoming is not None:  # the member's signature (issue 11): checked here only
        verdict = check_member_signature(ws.store, parsed, template)
        more = (*checked.incoming.warnings, *verdict.warnings)
        signed = Checked(replace(checked.incoming, warnings=more))
        checked = Checked(None, verdict.refused) if verdict.refused else signed
    if checked.incoming is None:
        assert checked.rejection is not None
        code, reason = checked.rejection
        meta = parsed.meta
        return _rejected(
            ws.store,
            path,
            code,
            reason,
            sha256=parsed.sha256,
            org_code=meta.get("org_code", ""),
            org_name=meta.get("org_name", ""),
            period=meta.get("period", ""),
            revision=_small_int(meta.get("revision", "")),
        ), None
    return None, checked.incoming


def _small_int(text: str) -> int | None:
    """A revision as the log may keep it: a plain number of at most nine digits."""
    ok = text.isascii() and text.isdecimal() and len(text) <= MAX_REVISION_DIGITS
    return int(text) if ok else None


def _name_hint(path: Path) -> tuple[str, str]:
    """A refused file tells nothing trustworthy; its name, as a station's export names
    it (``530102001_2026Q3_第1版.xlsx``), says whose it probably was — so the status
    shows the member's refused file. Empty strings for any other name."""
    m = _EXPORT_NAME.match(path.name)
    return (m.group(1), m.group(2)) if m else ("", "")


def error_log(store: Any) -> Path:
    """``ygt-error.log`` beside the database, where the window and ``ygt`` log too."""
    return Path(store.path).parent / ERROR_LOG


def _internal(store: Any, path: Path, step: str, incoming: Incoming | None = None) -> FileResult:
    """The file refused for an error no check foresaw (called inside ``except``): the
    traceback to the log file, the refusal to the import log when that still works."""
    log.exception("导入上报工作簿 %s 时出错", path)
    where = error_log(store)
    try:
        with open(where, "a", encoding="utf-8") as fh:
            fh.write(
                f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} 导入上报工作簿 {printable(str(path))}"
                f"（{step}）\n{traceback.format_exc()}\n"
            )
        told = f"详情已记录到 {where}"
    except OSError:
        told = "详情未能记录"
    hint = _name_hint(path)
    meta = incoming.meta if incoming is not None else {"org_code": hint[0], "period": hint[1]}
    return _rejected(
        store,
        path,
        INTERNAL,
        f"内部错误：{step}此文件时出错，未导入（其他文件不受影响）。{told}，请转交技术支持",
        sha256=incoming.sha256 if incoming is not None else "",
        org_code=meta.get("org_code", ""),
        org_name=meta.get("org_name", ""),
        period=meta.get("period", ""),
        revision=_small_int(meta.get("revision", "")),
    )


def _rejected(
    store: Any,
    path: Path,
    code: str,
    reason: str,
    *,
    sha256: str = "",
    org_code: str = "",
    org_name: str = "",
    period: str = "",
    revision: int | None = None,
) -> FileResult:
    """The refusal as a result, noted in the import log (a failure to note it is itself
    logged, never raised: the batch goes on)."""
    reason = printable(reason)
    try:
        submissions.log_rejected(
            store,
            file_name=path.name,
            file_path=str(path),
            sha256=sha256 or None,
            code=code,
            reason=reason,
            org_code=org_code or None,
            period=period or None,
            revision=revision,
        )
    except Exception:
        log.exception("无法记录拒收的文件 %s", path)
    return FileResult(
        path, REJECTED, code, reason, org_code, org_name, period, revision, (), sha256
    )


def _stored(inc: Incoming, outcome: Outcome) -> FileResult:
    warnings = tuple(inc.warnings) if outcome.outcome in (ACCEPTED, REPLACED) else ()
    return FileResult(
        Path(inc.file_path),
        outcome.outcome,
        outcome.code,
        outcome.reason,
        inc.org_code,
        inc.meta.get("org_name", ""),
        inc.period,
        inc.revision,
        warnings,
        inc.sha256,
    )
