"""A plausible equipment register for a demo station (``ygt demo``).

:func:`generate_equipment` is a pure function of the seed, the demo's "today" and the
checklist: 30–80 assets bought over the last ten years (most items of the standard list,
some missing, a few extras), their status histories (repairs, some still 维修, a few
停用 or 报废), maintenance logs, and last year's finished stocktake. The same inputs
always give the same register; nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.equipment_checklist import ChecklistItem

IN_USE, REPAIR, IDLE, SCRAPPED = "1", "2", "3", "4"
FOUND, MISSING, CHANGED = "1", "2", "3"

# checklist code → (asset name, models, makers, lowest and highest price in yuan)
_CATALOGUE: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], int, int]] = {
    "ZD01": ("诊察床", ("ZC-1", "DP-A"), ("上海医疗器械", "江苏康尚"), 600, 1500),
    "ZD02": ("诊察桌椅", ("套",), ("本地家具厂",), 400, 900),
    "ZD03": ("听诊器", ("双用型", "MDF-747"), ("鱼跃", "MDF"), 60, 400),
    "ZD04": ("电子血压计", ("HEM-7136", "YE-660D", "BP-A1"), ("欧姆龙", "鱼跃", "九安"), 180, 600),
    "ZD05": ("体温计（一套）", ("玻璃/电子",), ("鱼跃", "华卫"), 30, 120),
    "ZD06": ("身高体重计", ("RGZ-120", "HW-180"), ("无锡衡器", "上海衡器"), 300, 1500),
    "ZD07": ("出诊箱", ("铝合金大号",), ("本地",), 150, 400),
    "ZD08": ("心电图机", ("ECG-1112", "ECG-300G"), ("光电", "康泰"), 4000, 12000),
    "ZD09": ("视力表灯箱", ("LED",), ("苏州六六",), 150, 400),
    "ZD10": ("观片灯", ("单联",), ("本地",), 200, 500),
    "ZD11": ("脉搏血氧仪", ("YX302", "PC-60"), ("鱼跃", "力康"), 100, 300),
    "JY01": ("血糖仪", ("580", "安稳+"), ("鱼跃", "三诺"), 100, 300),
    "JY02": ("尿液分析仪", ("Uritest-50",), ("优利特",), 1500, 4000),
    "ZL01": ("治疗车", ("不锈钢两层",), ("本地",), 300, 800),
    "ZL02": ("输液架", ("落地式",), ("本地",), 80, 200),
    "ZL03": ("清创缝合包", ("标准",), ("本地",), 100, 300),
    "ZL04": ("雾化吸入器", ("403M", "NE-C28"), ("鱼跃", "欧姆龙"), 200, 600),
    "JJ01": ("急救箱", ("标准急救箱",), ("本地",), 200, 800),
    "JJ02": ("简易呼吸器", ("成人型",), ("鱼跃",), 150, 400),
    "JJ03": ("制氧机", ("8F-3", "9F-5"), ("鱼跃", "海尔"), 2000, 4500),
    "JJ04": ("电动吸引器", ("7E-A",), ("鱼跃",), 800, 1800),
    "ZY01": ("针灸器具", ("一次性针灸针套装",), ("华佗",), 50, 200),
    "ZY02": ("火罐（一套）", ("玻璃罐12只",), ("本地",), 40, 150),
    "ZY03": ("刮痧板（一套）", ("水牛角",), ("本地",), 20, 100),
    "ZY04": ("艾灸盒", ("六孔",), ("本地",), 50, 200),
    "ZY05": ("中药饮片柜", ("120斗",), ("本地家具厂",), 1500, 4000),
    "XX01": ("计算机", ("启天M428", "ThinkCentre E97"), ("联想",), 3500, 6000),
    "XX02": ("读卡器", ("多合一读卡器",), ("华大", "德卡"), 200, 600),
    "XX03": ("打印机", ("LJ2405", "M1136"), ("联想", "惠普"), 800, 2000),
    "QT01": ("高压蒸汽灭菌器", ("YX-18LM",), ("上海申安",), 1500, 3500),
    "QT02": ("紫外线消毒车", ("ZXC-II",), ("本地",), 300, 900),
    "QT03": ("医用冷藏箱", ("HYC-68", "YC-100"), ("海尔", "澳柯玛"), 1800, 4500),
    "QT04": ("疫苗冷藏冰箱", ("HYC-118",), ("海尔",), 3000, 6500),
    "QT05": ("药品柜", ("双门铁皮柜",), ("本地家具厂",), 400, 1200),
}
_EXTRAS: tuple[tuple[str, str, str, int, int], ...] = (
    ("轮椅", "7", "普通折叠", 300, 800),
    ("担架", "4", "折叠铲式", 200, 600),
    ("空调", "7", "1.5匹挂机", 2200, 3500),
    ("饮水机", "7", "立式", 200, 500),
    ("办公桌椅", "7", "套", 500, 1200),
    ("档案柜", "7", "五节柜", 400, 900),
    ("血压计（台式）", "1", "水银柱式", 150, 300),
    ("电子体重秤", "1", "TCS-150", 150, 400),
    ("手电筒", "1", "医用笔灯", 20, 60),
    ("激光打印机", "6", "M1136", 900, 1600),
    ("监控摄像头", "6", "4路", 800, 1500),
    ("拔罐理疗仪", "5", "电动", 600, 1500),
)
_MAKERS_EXTRA = ("本地", "鱼跃", "海尔", "联想")
_LOCATIONS = ("诊室", "治疗室", "药房", "中医理疗室", "观察室", "公卫室", "库房")
_STAFF = ("王丽华", "李建国", "张秀英", "赵明")
_FUNDING = (("1", 50), ("2", 30), ("3", 15), ("4", 5))


@dataclass
class DemoAsset:
    values: dict[str, Any]  # equipment form values; checklist_item is the item *code*
    statuses: list[tuple[dt.date, str, str | None]] = field(default_factory=list)
    maintenance: list[dict[str, Any]] = field(default_factory=list)

    def status_on(self, day: dt.date) -> str | None:
        if self.values["purchase_date"] > day:
            return None
        current = IN_USE
        for when, status, _reason in self.statuses:
            if when <= day:
                current = status
        return current


@dataclass(frozen=True)
class DemoStocktake:
    values: dict[str, Any]  # equipment_stocktake form values
    lines: tuple[tuple[int, str, str | None, str | None], ...]  # asset index, result, found, note


@dataclass(frozen=True)
class DemoEquipment:
    assets: tuple[DemoAsset, ...]
    stocktake: DemoStocktake


def generate_equipment(
    seed: int, today: dt.date, checklist: Sequence[ChecklistItem]
) -> DemoEquipment:
    rng = random.Random(f"equipment:{seed}")
    target = rng.randint(30, 80)
    picks: list[tuple[str, str, str | None, str, str, int, int]] = []
    for item in checklist:
        if rng.random() >= (0.88 if item.required else 0.4):
            continue
        name, models, makers, low, high = _CATALOGUE.get(
            item.code, (item.name, ("通用",), ("本地",), 100, 1000)
        )
        copies = 2 if item.code in ("ZD04", "ZD03") and rng.random() < 0.5 else 1
        for _ in range(copies):
            picks.append(
                (name, item.category, item.code, rng.choice(models), rng.choice(makers), low, high)
            )
    picks = picks[:80]
    while len(picks) < target:
        name, category, model, low, high = rng.choice(_EXTRAS)
        picks.append((name, category, None, model, rng.choice(_MAKERS_EXTRA), low, high))
    first = today - dt.timedelta(days=3650)
    span = (today - dt.timedelta(days=60) - first).days
    dated = sorted(
        ((first + dt.timedelta(days=rng.randrange(span)), p) for p in picks),
        key=lambda x: (x[0], x[1][0]),
    )
    assets = []
    for n, (bought, (name, category, code, model, maker, low, high)) in enumerate(dated, 1):
        price = (
            round(rng.uniform(low, high) / 10) * 10
            if high > 300
            else round(rng.uniform(low, high), 1)
        )
        assets.append(
            DemoAsset(
                {
                    "asset_no": f"GZ{bought.year}-{n:03d}",
                    "name": name,
                    "category": category,
                    "checklist_item": code,
                    "model": model,
                    "serial_no": f"{bought:%y%m}{rng.randrange(10**5):05d}",
                    "manufacturer": maker,
                    "purchase_date": bought,
                    "price": float(price),
                    "funding_source": _weighted(rng, _FUNDING),
                    "location": rng.choice(_LOCATIONS),
                    "responsible": rng.choice(_STAFF),
                    "note": None,
                }
            )
        )
    for asset in assets:
        _history(rng, asset, today)
    _ensure_some(rng, assets, today)
    return DemoEquipment(tuple(assets), _stocktake(rng, assets, today))


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _history(rng: random.Random, asset: DemoAsset, today: dt.date) -> None:
    """Yearly upkeep, the odd repair (some not back yet), now and then 停用 or 报废."""
    bought: dt.date = asset.values["purchase_date"]
    price = asset.values["price"] or 0
    day = bought + dt.timedelta(days=rng.randint(150, 400))
    calibrate = asset.values["checklist_item"] in ("ZD04", "ZD06", "QT01")
    while day < today:
        if calibrate or rng.random() < 0.35:
            asset.maintenance.append(_maint(rng, day, "3" if calibrate else "1", 0, "1"))
        if rng.random() < 0.12 and price > 100:
            back = day + dt.timedelta(days=rng.randint(5, 45))
            asset.statuses.append((day, REPAIR, "故障送修"))
            cost = round(price * rng.uniform(0.05, 0.3))
            if back >= today:  # still away
                _tidy(asset)
                return
            asset.statuses.append((back, IN_USE, "修复"))
            asset.maintenance.append(_maint(rng, back, "2", cost, "1", "维修站"))
        day += dt.timedelta(days=rng.randint(300, 430))
    age = (today - bought).days
    roll = rng.random()
    if roll < 0.07 and age > 1500:
        asset.statuses.append(
            (
                today - dt.timedelta(days=rng.randint(20, 700)),
                SCRAPPED,
                "超过使用年限，经站长批准报废",
            )
        )
    elif roll < 0.11 and age > 400:
        asset.statuses.append((today - dt.timedelta(days=rng.randint(20, 300)), IDLE, "暂不使用"))
    _tidy(asset)


def _maint(
    rng: random.Random, day: dt.date, kind: str, cost: float, result: str, by: str | None = None
) -> dict[str, Any]:
    content = {"1": "清洁、检查", "2": "更换损坏部件", "3": "年度计量检定"}[kind]
    return {
        "maint_date": day,
        "kind": kind,
        "content": content,
        "cost": float(cost if kind == "2" else rng.choice((0, 0, 20, 50))),
        "result": result,
        "done_by": by or rng.choice(("县医院设备科", "厂家售后", "本站")),
    }


def _tidy(asset: DemoAsset) -> None:
    """Status changes in date order, none on the purchase day or twice on a day, each a
    real change (the register refuses the others)."""
    bought = asset.values["purchase_date"]
    kept: list[tuple[dt.date, str, str | None]] = []
    current = IN_USE
    for when, status, reason in sorted(asset.statuses, key=lambda s: s[0]):
        if when <= bought or (kept and kept[-1][0] == when) or status == current:
            continue
        kept.append((when, status, reason))
        current = status
        if status == SCRAPPED:
            break
    asset.statuses = kept
    last = kept[-1][0] if kept and kept[-1][1] in (SCRAPPED, IDLE) else None
    if last is not None:
        asset.maintenance = [m for m in asset.maintenance if m["maint_date"] < last]


def _ensure_some(rng: random.Random, assets: list[DemoAsset], today: dt.date) -> None:
    """At least two assets in repair now and two scrapped, for the demo to show them."""
    for status, reason in (
        (REPAIR, "故障送修，等待配件"),
        (SCRAPPED, "损坏无法修复，经站长批准报废"),
    ):
        have = sum(1 for a in assets if a.status_on(today) == status)
        candidates = [
            a
            for a in assets
            if a.status_on(today) == IN_USE and (today - a.values["purchase_date"]).days > 90
        ]
        for asset in rng.sample(candidates, min(len(candidates), max(0, 2 - have))):
            asset.statuses.append((today - dt.timedelta(days=rng.randint(3, 25)), status, reason))
            _tidy(asset)


def _stocktake(rng: random.Random, assets: list[DemoAsset], today: dt.date) -> DemoStocktake:
    """Last year's stocktake, finished before ``today`` (in the first days of January it
    is dated a few days earlier)."""
    year = today.year - 1
    day = min(dt.date(year, 12, rng.randint(15, 28)), today - dt.timedelta(days=6))
    finished = day + dt.timedelta(days=rng.randint(1, 4))
    lines: list[tuple[int, str, str | None, str | None]] = []
    for i, asset in enumerate(assets):
        status = asset.status_on(day)
        if status is None or status == SCRAPPED:
            continue
        roll = rng.random()
        if roll < 0.03:
            lines.append((i, MISSING, None, "未找到，待核实去向"))
        elif roll < 0.08:
            found = IDLE if status != IDLE else IN_USE
            lines.append((i, CHANGED, found, "实际已停用" if found == IDLE else "已恢复使用"))
        else:
            lines.append((i, FOUND, None, None))
    checker, supervisor = rng.sample(_STAFF, 2)
    return DemoStocktake(
        {
            "year": year,
            "stocktake_date": day,
            "checker": checker,
            "supervisor": supervisor,
            "finished_date": finished,
            "note": "年度固定资产盘点",
        },
        tuple(lines),
    )
