"""Where the shipped data folders are, in a source checkout and in an installed wheel.

In the wheel, ``forms/`` and ``resources/`` are installed inside the package
(``ygt_desktop/forms``); in a checkout they sit beside it at the top level.
"""

from __future__ import annotations

from pathlib import Path

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
