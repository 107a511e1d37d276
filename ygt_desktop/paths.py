"""Where things are: the shipped data folders and the default database.

In the wheel, ``forms/`` and ``resources/`` are installed inside the package
(``ygt_desktop/forms``); in a checkout they sit beside it at the top level.
The default database lives in the user's data folder; both the window and the
``ygt`` command use it, so it is defined here rather than in either of them.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"找不到程序数据目录 {name}/（安装不完整）")


def forms_dir() -> Path:
    return _find("forms")


def resources_dir() -> Path:
    return _find("resources")


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def default_db_path() -> Path:
    """The database used when no ``--db`` is given: ``ygt.db`` in the user's data folder."""
    return data_dir() / "ygt.db"


def data_dir() -> Path:
    """The user's data folder for this program (not created here)."""
    return Path(user_data_dir("ygt_desktop", appauthor=False))


def lock_dir() -> Path:
    """Where the one-app-per-database locks live, named by the database file's identity
    (device and inode), so every name of one file — a symlink, a hard link — meets the
    same lock. In the user's data folder (not the shared temporary folder, where another
    account could plant files); created owner-only by the lock."""
    return data_dir() / "locks"


def private_umask() -> None:
    """Make every file this process creates from now on readable by its owner only
    (umask 077): the entry points (``ygt``, ``ygt-desktop``) call it first, so exports,
    logs and anything a library creates are private too. Storage also sets explicit
    modes where it creates files, so library use and tests get them without this. On
    Windows the umask only affects the read-only flag: files there are private because
    they live under the user's profile (:func:`default_db_path`)."""
    import os

    os.umask(0o077)
