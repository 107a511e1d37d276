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
    return Path(user_data_dir("ygt_desktop", appauthor=False)) / "ygt.db"
