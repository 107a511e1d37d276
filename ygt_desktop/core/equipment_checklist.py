"""The standard equipment checklist file (村卫生室基本设备配置清单) as plain data.

A checklist file is TOML: ``[checklist]`` with ``title``, ``source`` and ``version``, then
one ``[[items]]`` per item (``code``, ``name``, ``category``, ``quantity``, ``level``,
optional ``note``). The bundled one is ``resources/checklists/village_clinic_equipment.toml``;
a health bureau can hand out its own. A malformed file raises :class:`ChecklistError`
naming the file, the item and the problem, in Chinese.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = {
    "1": "诊断",
    "2": "治疗",
    "3": "检验",
    "4": "急救",
    "5": "中医",
    "6": "信息化",
    "7": "其他",
}
LEVELS = {"1": "必配", "2": "选配"}
_CATEGORY_CODES = {label: code for code, label in CATEGORIES.items()}
_LEVEL_CODES = {label: code for code, label in LEVELS.items()}
MAX_ITEMS = 500


class ChecklistError(ValueError):
    """A checklist file that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    category: str  # code, as in CATEGORIES
    quantity: int
    level: str  # code, as in LEVELS
    note: str | None = None

    @property
    def required(self) -> bool:
        return self.level == "1"


@dataclass(frozen=True)
class Checklist:
    title: str
    source: str
    version: str
    items: tuple[ChecklistItem, ...]


def read_checklist(path: Path) -> Checklist:
    """Read and check a checklist file; raise :class:`ChecklistError` on any problem."""
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"无法读取清单文件 {name}：{exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"清单文件 {name} 不是有效的 TOML：{exc}") from None
    return parse_checklist(data, name)


def parse_checklist(data: dict[str, object], name: str = "清单") -> Checklist:
    meta = data.get("checklist")
    if not isinstance(meta, dict) or not str(meta.get("title") or "").strip():
        raise ChecklistError(f"清单文件 {name} 缺少 [checklist] 段或其 title")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ChecklistError(f"清单文件 {name} 没有任何 [[items]] 项目")
    if len(raw_items) > MAX_ITEMS:
        raise ChecklistError(f"清单文件 {name} 的项目超过 {MAX_ITEMS} 项")
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_items, start=1):
        items.append(_item(name, i, raw, seen))
    return Checklist(
        title=str(meta["title"]).strip(),
        source=str(meta.get("source") or ""),
        version=str(meta.get("version") or ""),
        items=tuple(items),
    )


def _item(file: str, index: int, raw: object, seen: set[str]) -> ChecklistItem:
    where = f"清单文件 {file} 第{index}项"
    if not isinstance(raw, dict):
        raise ChecklistError(f"{where}不是表")
    code = str(raw.get("code") or "").strip()
    item_name = str(raw.get("name") or "").strip()
    if not code or not item_name:
        raise ChecklistError(f"{where}缺少 code 或 name")
    where += f"（{code} {item_name}）"
    if code in seen:
        raise ChecklistError(f"{where}的编号与前面的项目重复")
    seen.add(code)
    category = _CATEGORY_CODES.get(str(raw.get("category") or ""))
    if category is None:
        raise ChecklistError(f"{where}的 category 应为 {'/'.join(CATEGORIES.values())} 之一")
    level = _LEVEL_CODES.get(str(raw.get("level") or "必配"))
    if level is None:
        raise ChecklistError(f"{where}的 level 应为 必配 或 选配")
    quantity = raw.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ChecklistError(f"{where}的 quantity 应为不小于 1 的整数")
    note = str(raw["note"]).strip() if raw.get("note") else None
    return ChecklistItem(code, item_name, category, quantity, level, note)
