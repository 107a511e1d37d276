"""Set up a new database (``ygt init``, first start), and open one for a plain run.

Before :func:`init` there is no workspace, and so no user to ask: whoever creates the
file sets it up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..storage.organisation import Organisation, add_village, set_organisation
from ..storage.workspace import Workspace
from .base import Actor, OpError, Run
from .users import Login, first_account, sign_in

DEFAULT_VILLAGE = ("001", "本辖区居委会")


def init(
    db_path: Path,
    org: Organisation,
    village_list: Sequence[tuple[str, str]] | None = None,
    *,
    head: Login | None = None,
    made: list[str] | None = None,
) -> Organisation:
    """Create the database file ``db_path`` for ``org`` with ``village_list`` (code,
    name) — a station without any gets one 本辖区居委会; a bureau has none — and, with
    ``head``, its first account (站长; a bureau's 管理员), whose one-time recovery code
    is appended to ``made``. Whole or not at all: on any failure the new file is
    removed. An existing non-empty file is refused (:class:`OpError`) and left
    untouched; a bad code, name or password is a StoreError."""
    path = Path(db_path)
    if path.exists() and path.stat().st_size > 0:
        raise OpError(f"数据库文件 {path} 已存在，未做任何改动。")
    if org.is_bureau and village_list:
        raise OpError(
            f"{org.level}级机构没有辖区居委/村委，请去掉 --village；"
            "成员机构用 ygt bureau roster 导入。"
        )
    ws = Workspace.open(path, create=True)
    try:
        set_organisation(ws.store, org)
        for code, name in [] if org.is_bureau else village_list or [DEFAULT_VILLAGE]:
            add_village(ws.store, code, name)
        if head is not None:
            code = first_account(ws, head.name, head.password)
            if made is not None:
                made.append(code)
    except BaseException:
        ws.close(backup_on_exit=False)
        path.unlink(missing_ok=True)
        raise
    ws.close()
    return org


@contextlib.contextmanager
def opened(
    db_path: Path,
    *,
    create: bool = False,
    lock: bool = True,
    backup_on_exit: bool = False,
    actor: Actor | None = None,
    login: Login | None = None,
) -> Iterator[Run]:
    """A :class:`Run` without progress or cancel around ``db_path`` opened for the
    block (the command line; the window's job runner opens its own). ``login`` signs a
    user in (refused in Chinese: no accounts yet, wrong password, locked); without it
    the run acts as ``actor``, or as nobody, who may do nothing protected. ``lock``
    False reads alongside a running window; ``backup_on_exit`` backs up on closing
    after changes worth keeping."""
    ws = Workspace.open(Path(db_path), create=create, lock=lock)
    try:
        if login is not None:
            actor = sign_in(ws, login)
        yield Run.plain(ws, actor)
    finally:
        ws.close(backup_on_exit=backup_on_exit)
