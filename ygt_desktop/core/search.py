"""Search keys for finding a resident as the user types.

A resident is found by the prefix of any of its keys: the name, the pinyin initials
("zs" for 张三), the full pinyin ("zhangsan"), the ID number, the phone and the archive
number. Heteronyms get every reading (单 → d/s/c), so a surname read either way is
found. Keys are lower-case; queries are normalised the same way.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

MAX_VARIANTS = 16  # readings per name kept as keys; enough for two heteronyms each


@lru_cache(maxsize=1)
def _pinyin() -> Callable[..., Any]:
    """pypinyin, imported on first use: opening the window needs none of it.

    Keys are made one character at a time, so the phrase dictionary (0.2 s, 40 MB) is
    not loaded.
    """
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, pinyin

    return lambda char: pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")


@lru_cache(maxsize=20000)
def _readings(char: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(initials, full readings) of one character, lower-case, without tones."""
    readings = _pinyin()(char)[0]
    full = [r.lower().replace("ü", "v") for r in readings if r]
    initials = tuple(dict.fromkeys(r[0] for r in full))
    return initials, tuple(dict.fromkeys(full))


def _combos(parts: list[tuple[str, ...]]) -> list[str]:
    out = []
    for combo in itertools.islice(itertools.product(*parts), MAX_VARIANTS):
        out.append("".join(combo))
    return out


def name_keys(name: str) -> set[str]:
    name = "".join(name.split())
    if not name:
        return set()
    readings = [_readings(c) for c in name]
    keys = {name.lower()}
    keys.update(_combos([r[0] for r in readings]))
    keys.update(_combos([r[1] for r in readings]))
    return keys


def resident_keys(
    name: str, id_number: str | None, phone: str | None, archive_no: str | None
) -> set[str]:
    keys = name_keys(name)
    keys.update(k.lower() for k in (id_number, phone, archive_no) if k)
    return keys


def normalise_query(text: str) -> str:
    return "".join(text.split()).lower()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix + "\U0010ffff"


def unique(items: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(items))
