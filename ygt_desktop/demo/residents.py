"""Synthetic station populations: villages and residents that look like a Yunnan county.

For demos, load tests and screenshots. Pure standard library and deterministic: every
draw comes from ``random.Random(seed)`` and "today" is a parameter, so the same call
gives the same people on any machine.

The population follows China's 2020 census age pyramid (0–14 ≈ 18 %, 15–59 ≈ 63 %,
60+ ≈ 19 %, 65+ ≈ 13.5 %, 0–6 ≈ 7 %) and Yunnan's ethnic mix (≈ 67 % 汉族). Ages are
drawn for the whole population first and people are then grouped into households of
1–6 (children with parents 21–38 years older, couples of similar age, grandparents),
so the pyramid is kept exactly while households look plausible. A household shares
its village, address, surname line and usually a phone.

Residents are yielded as dicts holding the resident form's fields (``forms/resident.toml``)
plus the system fields ``archive_date``, ``status`` and ``status_date``.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from ..core.idnumber import check_char
from .resident_items import ITEM_KEYS, ResidentItems, set_contacts

MAX_AGE = 100

RESIDENT_KEYS = (
    "name", "id_number", "no_id_reason", "sex", "birth_date", "birth_discharged_date",
    "ethnicity", "phone",
    "village_code", "address", "responsible_doctor", "resident_6m", "flag_disabled", "flag_poverty",
    "flag_dibao", "flag_tekun", "flag_family_planning", "note",
    "archive_date", "status", "status_date", *ITEM_KEYS,
)  # fmt: skip

# --- administrative divisions (GB/T 2260) -------------------------------------------

YUNNAN_COUNTIES: dict[str, str] = {
    "530102": "五华区", "530103": "盘龙区", "530111": "官渡区", "530112": "西山区",
    "530113": "东川区", "530114": "呈贡区", "530115": "晋宁区", "530124": "富民县",
    "530125": "宜良县", "530126": "石林彝族自治县", "530127": "嵩明县",
    "530128": "禄劝彝族苗族自治县", "530129": "寻甸回族彝族自治县", "530181": "安宁市",
    "532301": "楚雄市", "532322": "双柏县", "532323": "牟定县", "532324": "南华县",
    "532325": "姚安县", "532326": "大姚县", "532327": "永仁县", "532328": "元谋县",
    "532329": "武定县", "532331": "禄丰县", "530302": "麒麟区", "530402": "红塔区",
    "532901": "大理市",
}  # fmt: skip

# People who moved in from other provinces (成都, 重庆, 贵阳, 长沙, 武汉, 广州, 杭州, 北京,
# 西昌, 兴义).
_OTHER_PROVINCE_COUNTIES = (
    "510104", "510107", "500103", "520102", "520103", "430102", "420106", "440106",
    "330106", "110105", "513401", "522301",
)  # fmt: skip

# --- ethnicity (GB 3304), roughly Yunnan's 2020 census shares in percent ---------------

_ETHNICITIES = (
    ("01", 66.9), ("07", 10.7), ("16", 3.5), ("14", 3.4), ("18", 2.7), ("08", 2.6),
    ("06", 2.5), ("03", 1.5), ("20", 1.4), ("24", 1.0), ("21", 0.85), ("27", 0.65),
    ("13", 0.47), ("28", 0.30), ("04", 0.30), ("34", 0.25), ("09", 0.12), ("40", 0.09),
    ("39", 0.08), ("42", 0.07), ("56", 0.05), ("46", 0.05), ("02", 0.04), ("11", 0.03),
    ("15", 0.03), ("51", 0.02),
)  # fmt: skip

# --- surnames, weights ≈ national frequency per mille, nudged towards Yunnan --------------

_SURNAMES = (
    ("李", 80), ("王", 68), ("张", 66), ("杨", 52), ("刘", 50), ("陈", 45), ("赵", 26),
    ("黄", 22), ("周", 19), ("吴", 19), ("徐", 14), ("孙", 13), ("胡", 12), ("朱", 12),
    ("高", 11), ("林", 10), ("何", 12), ("郭", 11), ("马", 14), ("罗", 13), ("郑", 8),
    ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 7), ("许", 6), ("韩", 6), ("冯", 6),
    ("邓", 6), ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5),
    ("袁", 5), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4),
    ("叶", 4), ("程", 4), ("苏", 4), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3),
    ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 3), ("廖", 2), ("贾", 2),
    ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 3), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 1), ("段", 4),
    ("雷", 1), ("侯", 1), ("龙", 2), ("史", 1), ("陶", 1), ("普", 2), ("字", 2),
    ("者", 1), ("起", 1), ("鲁", 1), ("施", 1),
    # heteronym surnames (单 Shàn, 仇 Qiú, 解 Xiè, 区 Ōu, 查 Zhā) and compound ones
    ("单", 0.6), ("仇", 0.4), ("解", 0.4), ("区", 0.2), ("查", 0.4),
    ("欧阳", 0.4), ("司马", 0.15), ("上官", 0.1),
)  # fmt: skip

# --- given-name characters by sex and era (born < 1965, 1965–1989, 1990+) ------------

_MALE_CHARS = (
    "建国华强德明福生永林学文军卫庆贵发才忠良昌金宝祥光荣山兴有仁义富根顺绍家朝占开进春成元正全清",
    "伟勇杰涛斌超平辉鹏飞波刚东峰志海云兵武江河红民立新晓俊宏鸿雄耀树维亮松柏坤锋振彬毅中跃",
    "浩宇轩然泽子豪铭哲航昊宸瑞逸思嘉诚博睿晨阳帆帅旭宁翔辰恒康霖锐琛楠骏钧晟煜奕烨灏"
    "峻一天佑沐皓程鑫凯健",
)
_FEMALE_CHARS = (
    "秀英兰桂芳珍凤玉梅淑素翠菊娥香春花琴荣芬仙银巧爱冬娣妹贞莲月彩云竹叶杏桃荷粉菊润芝玲",
    "丽娟燕艳霞敏静红萍莉琼慧婷雪颖琳洁晶倩蓉莹丹娜美霞亚晓小平华青芸娇锦茜惠琦",
    "涵萱梓欣怡悦雯雨思诗彤可馨妍婉晴岚露蕾瑶璐昕瑾钰汐佳琪薇妮一诺语桐若紫灵依沫"
    "楚溪韵心舒曼嘉晗芷",
)
_MALE_NAMES = (
    "建国 国华 国强 建华 志强 德明 振华 福生 明德 文华 永福 树林 桂林 学文 建军 卫国 国庆 "
    "跃进 援朝 志刚 国栋 德胜 光明 永昌 长春 金生 春生 有才 玉明 绍华 家富 正清 全福",
    "海波 志勇 建平 晓东 红军 小军 永刚 建伟 俊杰 海涛 国伟 晓峰 建波 云飞 立新 春雷 东升 "
    "小龙 文斌 宏伟 志华 勇军 卫东 立军 海军 建勇 晓明 永红 家伟",
    "浩宇 浩然 宇轩 子轩 梓豪 俊熙 宇航 睿泽 子墨 一鸣 奕辰 皓轩 梓睿 思远 明轩 博文 天佑 "
    "沐宸 子豪 俊宇 家豪 昊天 宇泽 锦程 嘉诚 逸飞 子健 子涵 承泽",
)
_FEMALE_NAMES = (
    "秀英 桂英 秀兰 玉兰 桂兰 凤英 玉珍 秀珍 桂芳 淑珍 玉梅 秀芳 素珍 翠英 兰英 淑英 玉英 "
    "美兰 桂珍 凤兰 秀云 桂香 春兰 玉芬 金凤 凤珍 秀梅 润芝 玉仙 粉兰",
    "丽娟 红梅 海燕 晓燕 丽华 春燕 小红 艳红 丽萍 晓红 美玲 雪梅 海霞 丽琼 红艳 晓丽 丽芳 "
    "文静 晓梅 亚琴 丽霞 春梅 玉琴 慧敏 婷婷 丽娜 晓琳 琼芬",
    "子涵 梓萱 欣怡 诗涵 雨桐 一诺 可馨 梓涵 思涵 语桐 若汐 雨萱 紫涵 佳怡 欣妍 芷若 梦瑶 "
    "诗琪 雨欣 心怡 婉清 子萱 静怡 嘉怡 思彤 梓琪 雅琪 佳琪 依诺 悦彤",
)
# Share of one-character given names by era (they peaked in the 1980s–90s).
_SINGLE_GIVEN = (0.15, 0.30, 0.12)
# Share of stock two-character names (the rest are composed from the era's characters).
_STOCK_GIVEN = 0.45

# --- villages and addresses ------------------------------------------------------------

_JUWEI_STEMS = (
    "龙泉路", "金星", "西站", "大观街", "莲华", "翠湖", "和平", "东风", "人民路", "学府路",
    "建设路", "滇池路", "北京路", "青年路", "园西路", "丰宁", "黑林铺", "普吉", "红云",
    "华山", "文化巷", "金碧", "正义路", "南屏街", "圆通", "莲花池", "书林街", "新迎",
)  # fmt: skip
_CUNWEI_STEMS = (
    "小坝", "沙朗", "厂口", "核桃箐", "白土", "麦冲", "三哨", "花红园", "母御冲", "桃园",
    "大村", "瓦窑", "落水洞", "龙院", "马街", "团结", "乐居", "妥乐", "车家壁", "岔街",
    "新民", "石咀", "海源", "碧鸡", "观音山", "谷律", "西翥", "迤六", "三多", "龙潭",
    "松华", "大麦地", "阿子营", "甸尾", "鼠街", "双哨", "滇源", "哨村", "白石岩", "黄龙山",
    "野猪塘", "大箐", "清水河", "半坡", "石门坎", "梨园", "老营", "新庄", "上营", "下营",
    "大营", "小营", "水井塘", "干海子", "三家村", "李家营", "杨家村", "赵家湾", "马鞍山",
)  # fmt: skip
_PLACE_HEADS = "大小上下新老沙石龙马黑白花松柏三五水草竹桃梨杨李张海河山中东西南北红青金"
_PLACE_TAILS = "坝营沟箐冲哨铺庄甸田塘桥寨坪湾屯凹旗窑"
_STREETS = (
    "学府路", "环城西路", "滇缅大道", "昌源北路", "王家桥路", "西园路", "建设路", "教场东路",
    "小菜园路", "虹山南路", "红锦路", "普吉路", "桃源街", "龙翔街", "昆瑞路", "海源中路",
    "丰源路", "鼓楼路", "银海路", "明通巷", "青云街", "福德路", "龙泉路", "人民西路",
)  # fmt: skip
_GROUP_NUMERALS = "一二三四五六七八九十"

# --- phones ----------------------------------------------------------------------------

_MOBILE_PREFIXES = (
    ("130", 3), ("131", 3), ("132", 3), ("133", 3), ("134", 4), ("135", 5), ("136", 5),
    ("137", 5), ("138", 5), ("139", 6), ("150", 3), ("151", 4), ("152", 4), ("153", 2),
    ("155", 2), ("156", 2), ("157", 2), ("158", 4), ("159", 4), ("170", 1), ("173", 1),
    ("177", 1), ("178", 1), ("180", 2), ("181", 2), ("182", 3), ("183", 2), ("184", 1),
    ("185", 2), ("186", 3), ("187", 3), ("188", 3), ("189", 3), ("191", 1), ("198", 2),
    ("199", 1),
)  # fmt: skip


# Village doctors and the station's general practitioners (责任医生), one per village.
_RESPONSIBLE = (
    "李建华",
    "王丽萍",
    "张志强",
    "杨秀英",
    "赵海燕",
    "陈文斌",
    "刘春梅",
    "段红艳",
    "周国华",
    "普桂兰",
    "罗明德",
    "马玉梅",
)


def village_doctor(code: str) -> str:
    """The responsible doctor of a village's residents (fixed per village code)."""
    return _RESPONSIBLE[int(code) % len(_RESPONSIBLE)] if code.isdigit() else _RESPONSIBLE[0]


@dataclass(frozen=True)
class SyntheticVillage:
    code: str  # 3 digits: 001–099 居委会, 101–199 村委会
    name: str


def _cum(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], list[float], float]:
    values = tuple(v for v, _ in pairs)
    cum = list(accumulate(w for _, w in pairs))
    return values, cum, cum[-1]


def _age_weights() -> list[float]:
    """Weight of each single year of age 0..MAX_AGE, in percent of the population."""
    w = [1.0] * 7 + [11.0 / 8] * 8  # 0–6: 7 %, 7–14: 11 % (births fell in the 2020s)
    groups = (  # 2020 census, percent by five-year group from 15
        5.15, 5.31, 6.50, 8.79, 7.01, 6.61, 8.09, 8.58, 7.18,  # 15–59
        5.20, 5.24, 3.51, 2.12, 1.44, 0.79, 0.28, 0.06,  # 60–99
    )  # fmt: skip
    for g in groups:
        w += [g / 5] * 5
    w.append(0.01)  # 100
    assert len(w) == MAX_AGE + 1
    return w


_AGE_CUM = list(accumulate(_age_weights()))
_ETH_CODES, _ETH_CUM, _ETH_TOTAL = _cum(_ETHNICITIES)
_SURNAME_VALUES, _SURNAME_CUM, _SURNAME_TOTAL = _cum(_SURNAMES)
_PREFIX_VALUES, _PREFIX_CUM, _PREFIX_TOTAL = _cum(_MOBILE_PREFIXES)
_YUNNAN_CODES = tuple(YUNNAN_COUNTIES)
_GIVEN_CHARS = {
    "1": tuple(tuple(dict.fromkeys(s)) for s in _MALE_CHARS),
    "2": tuple(tuple(dict.fromkeys(s)) for s in _FEMALE_CHARS),
}
_GIVEN_NAMES = {
    "1": tuple(tuple(s.split()) for s in _MALE_NAMES),
    "2": tuple(tuple(s.split()) for s in _FEMALE_NAMES),
}
# Per age: probability a person is male (when not fixed by being someone's spouse).
_P_MALE = [0.535 if a < 18 else 0.56 if a < 60 else 0.5 if a < 80 else 0.42 for a in range(101)]
# Per age: probability of each archive status over the archive's life.
_P_DEATH = [0.0015 if a < 60 else 0.01 if a < 65 else 0.03 if a < 80 else 0.18 for a in range(101)]
_P_MOVED = [0.028 if 18 <= a <= 45 else 0.013 for a in range(101)]
_P_CANCELLED = 0.003


def generate_villages(rng: random.Random, count: int) -> list[SyntheticVillage]:
    """``count`` villages with distinct codes and names: 2 居委会 (001, 002), the rest 村委会.

    With fewer than four villages, ``count // 2`` are 居委会. At most 99 村委会 (101–199),
    so more than 101 villages means more 居委会.
    """
    if count < 0 or count > 198:
        raise ValueError(f"村（居）委会数应在 0–198 之间，现为 {count}")
    n_juwei = max(min(2, count // 2), count - 99)
    n_cunwei = count - n_juwei
    used: set[str] = set()

    def pick(stems: Sequence[str], n: int, suffix: Callable[[], str]) -> list[str]:
        pool = list(stems)
        rng.shuffle(pool)
        names: list[str] = []
        while len(names) < n:
            # stock names first, then composed ones like 石坝, 新营
            stem = pool.pop() if pool else rng.choice(_PLACE_HEADS) + rng.choice(_PLACE_TAILS)
            if stem not in used:
                used.add(stem)
                names.append(stem + suffix())
        return names

    juwei = pick(_JUWEI_STEMS, n_juwei, lambda: "社区居委会" if rng.random() < 0.7 else "居委会")
    cunwei = pick(_CUNWEI_STEMS, n_cunwei, lambda: "村委会")
    return [SyntheticVillage(f"{i:03d}", name) for i, name in enumerate(juwei, start=1)] + [
        SyntheticVillage(f"{100 + i:03d}", name) for i, name in enumerate(cunwei, start=1)
    ]


def _village_stem(name: str) -> str:
    for suffix in ("社区居委会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Addresses:
    """House addresses for one village, distinct within the station."""

    def __init__(self, rng: random.Random, village: SyntheticVillage, county: str,
                 streets: list[str], used: set[str]) -> None:  # fmt: skip
        self.rng = rng
        self.county = county
        self.used = used
        stem = _village_stem(village.name)
        self.urban = village.code < "100"
        if self.urban:
            self.places = streets
        else:
            names = [stem + ("" if stem.endswith("村") else "村")]
            for _ in range(rng.randint(1, 4)):
                other = rng.choice(_PLACE_HEADS) + rng.choice(_PLACE_TAILS) + "村"
                if other not in names:
                    names.append(other)
            groups = [f"第{_GROUP_NUMERALS[i]}村民小组" for i in range(rng.randint(0, 3))]
            self.places = [f"{village.name}{p}" for p in names + groups]
        self.next_number = [1] * len(self.places)

    def new(self) -> str:
        rng = self.rng
        i = rng.randrange(len(self.places))
        place = self.places[i]
        if not self.urban:  # houses numbered in order along the village
            n = self.next_number[i] + rng.randint(0, 2)
            self.next_number[i] = n + 1
            return f"{self.county}{place}{n}号"
        while True:
            no = rng.randint(1, 300)
            if rng.random() < 0.25:  # an older street house
                address = f"{self.county}{place}{no}号"
            else:
                floor = rng.randint(1, 18)
                address = (
                    f"{self.county}{place}{no}号{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元"
                    f"{floor}{rng.randint(1, 4):02d}室"
                )
            if address not in self.used:
                self.used.add(address)
                return address


def generate_residents(
    seed: int,
    count: int,
    year: int,
    villages: Sequence[SyntheticVillage],
    today: dt.date,
    county_code: str = "530102",
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` residents of a station whose area is ``villages``, as of ``today``.

    Archives were made (``archive_date``) from 1 January of ``year - 7`` up to ``today``
    (the last ~8 years when ``year`` is the current one), never before birth. Most
    residents were born in ``county_code`` (its ID numbers carry that address code);
    addresses start with its name when it is one of :data:`YUNNAN_COUNTIES`. Members of
    a household come one after another.
    """
    if count < 0:
        raise ValueError(f"人数不能为负数：{count}")
    if not villages:
        raise ValueError("至少需要一个村（居）委会")
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValueError(f"县级行政区划代码应为6位数字：{county_code}")
    window_start = dt.date(year - 7, 1, 1)
    if window_start > today:
        raise ValueError(f"年份 {year} 晚于今天 {today.isoformat()}")
    return _generate(seed, count, villages, today, county_code, window_start)


def _generate(
    seed: int,
    count: int,
    villages: Sequence[SyntheticVillage],
    today: dt.date,
    county_code: str,
    window_start: dt.date,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    rnd = rng.random
    items = ResidentItems(seed, today)

    # Birth-date range for each age in full years on ``today``.
    age_first: list[int] = []  # ordinal of the earliest birth date
    age_span: list[int] = []
    for age in range(MAX_AGE + 1):
        latest = _years_before(today, age).toordinal()
        earliest = _years_before(today, age + 1).toordinal() + 1
        age_first.append(earliest)
        age_span.append(latest - earliest + 1)
    today_ord = today.toordinal()
    window_ord = window_start.toordinal()
    window_span = today_ord - window_ord + 1

    # The whole population's ages, then grouped into households.
    ages = rng.choices(range(MAX_AGE + 1), cum_weights=_AGE_CUM, k=count)
    left = [0] * (MAX_AGE + 1)
    for a in ages:
        left[a] += 1
    # Children anchor households first so they find parents of a fitting age.
    anchors = [a for a in ages if a < 18] + [a for a in ages if a >= 18]

    def take(lo: int, hi: int) -> int:
        """Someone still unplaced aged lo..hi (near a random target), or -1."""
        lo = max(lo, 0)
        hi = min(hi, MAX_AGE)
        if lo > hi:
            return -1
        width = hi - lo + 1
        t = lo + int(rnd() * width)
        for d in range(width):
            a = t - d
            if a >= lo and left[a]:
                left[a] -= 1
                return a
            a = t + d
            if a <= hi and left[a]:
                left[a] -= 1
                return a
        return -1

    def sex_for(age: int) -> str:
        return "1" if rnd() < _P_MALE[age] else "2"

    def other(sex: str) -> str:
        return "2" if sex == "1" else "1"

    def household(a: int) -> list[tuple[int, str, bool]]:
        """Members as (age, sex, carries the household surname), anchor aged ``a`` first."""
        if a < 18:
            kids = [(a, sex_for(a), True)]
            r = rnd()
            for _ in range(0 if r < 0.55 else 1 if r < 0.93 else 2):
                s = take(a - 7, min(17, a + 7))
                if s >= 0:
                    kids.append((s, sex_for(s), True))
            oldest = max(k[0] for k in kids)
            members = kids
            r = rnd()
            n_parents = 2 if r < 0.86 else 1 if r < 0.97 else 0
            base = oldest + 28
            if n_parents:
                p1 = take(oldest + 21, oldest + 38)
                if p1 >= 0:
                    base = p1
                    s1 = "1" if n_parents == 1 and rnd() < 0.3 else "2"
                    if n_parents == 2:
                        s1 = "1" if rnd() < 0.5 else "2"
                    members.append((p1, s1, s1 == "1" or n_parents == 1))
                    if n_parents == 2:
                        p2 = take(p1 - 4, p1 + 5) if s1 == "2" else take(p1 - 5, p1 + 4)
                        if p2 >= 0:
                            members.append((p2, other(s1), s1 == "2"))
            if (n_parents == 0 or rnd() < 0.33) and len(members) < 6:
                g1 = take(base + 22, base + 34)
                if g1 >= 0:
                    gs = "1" if rnd() < 0.45 else "2"
                    members.append((g1, gs, gs == "1"))
                    if len(members) < 6 and rnd() < 0.6:
                        g2 = take(g1 - 5, g1 + 5)
                        if g2 >= 0:
                            members.append((g2, other(gs), gs == "2"))
            return members
        sex = sex_for(a)
        members = [(a, sex, True)]
        if a < 60:
            p_partner = 0.3 if a < 25 else 0.6 if a < 30 else 0.82
            if rnd() < p_partner:
                sp = take(max(18, a - 6), a + 6)
                if sp >= 0:
                    members.append((sp, other(sex), False))
                if a >= 38 and rnd() < 0.45:
                    for _ in range(1 + (rnd() < 0.3)):
                        c = take(a - 38, a - 19)
                        if c >= 0:
                            members.append((c, sex_for(c), True))
            if a < 50 and rnd() < (0.15 if len(members) > 1 else 0.3):
                p = take(a + 20, a + 36)
                if p >= 0:
                    members.append((p, sex_for(p), True))
            return members
        p_spouse = 0.72 if a < 70 else 0.55 if a < 80 else 0.3
        if rnd() < p_spouse:
            sp = take(max(50, a - 7), a + 5)
            if sp >= 0:
                members.append((sp, other(sex), False))
        if rnd() < 0.3:
            c = take(a - 38, a - 22)
            if c >= 0:
                members.append((c, sex_for(c), True))
                if rnd() < 0.5:
                    cs = take(c - 5, c + 5)
                    if cs >= 0:
                        members.append((cs, sex_for(cs), False))
                if rnd() < 0.3 and len(members) < 6:
                    g = take(c - 36, c - 18)
                    if g >= 0:
                        members.append((g, sex_for(g), True))
        return members

    # Villages: 居委 bigger than 村委; each with its own address book.
    county_name = YUNNAN_COUNTIES.get(county_code, "")
    # Streets: a 居委 named after a street (龙泉路社区居委会) has it; each gets up to two
    # more, and no street belongs to two 居委.
    street_of = {}
    for v in villages:
        stem = _village_stem(v.name)
        if v.code < "100" and stem.endswith(("路", "街", "巷")):
            street_of[v.code] = stem
    used_streets = set(street_of.values())
    spare = [s for s in _STREETS if s not in used_streets]
    rng.shuffle(spare)
    used_addresses: set[str] = set()
    books: list[_Addresses] = []
    weights: list[float] = []
    for v in villages:
        own: list[str] = []
        if v.code < "100":
            if v.code in street_of:
                own.append(street_of[v.code])
            own += spare[-2:]
            del spare[-2:]
            if not own:  # ran out of stock streets: name one after the 居委
                stem = _village_stem(v.name)
                for suffix in ("路", "街", "巷", "新路", "新街"):
                    if stem + suffix not in used_streets:
                        own.append(stem + suffix)
                        break
                else:
                    own.append(f"{stem}{int(v.code)}路")
            used_streets.update(own)
            weights.append(1.5 + 1.5 * rnd())
        else:
            weights.append(0.6 + 0.8 * rnd())
        books.append(_Addresses(rng, v, county_name, own, used_addresses))
    village_cum = list(accumulate(weights))
    village_total = village_cum[-1]

    used_ids: set[str] = set()
    used_phones: set[str] = set()

    def new_phone() -> str:
        while True:
            prefix = _PREFIX_VALUES[bisect(_PREFIX_CUM, rnd() * _PREFIX_TOTAL)]
            phone = f"{prefix}{int(rnd() * 100_000_000):08d}"
            if phone not in used_phones:
                used_phones.add(phone)
                return phone

    def origin() -> str:
        r = rnd()
        if r < 0.72:
            return county_code
        if r < 0.95:
            return _YUNNAN_CODES[int(rnd() * len(_YUNNAN_CODES))]
        return _OTHER_PROVINCE_COUNTIES[int(rnd() * len(_OTHER_PROVINCE_COUNTIES))]

    def surname() -> str:
        return _SURNAME_VALUES[bisect(_SURNAME_CUM, rnd() * _SURNAME_TOTAL)]

    def given(sex: str, birth_year: int) -> str:
        era = 0 if birth_year < 1965 else 1 if birth_year < 1990 else 2
        chars = _GIVEN_CHARS[sex][era]
        r = rnd()
        if r < _SINGLE_GIVEN[era]:
            return chars[int(rnd() * len(chars))]
        if r < _SINGLE_GIVEN[era] + (1 - _SINGLE_GIVEN[era]) * _STOCK_GIVEN:
            names = _GIVEN_NAMES[sex][era]
            return names[int(rnd() * len(names))]
        c1 = chars[int(rnd() * len(chars))]
        c2 = chars[int(rnd() * len(chars))]
        while c2 == c1:
            c2 = chars[int(rnd() * len(chars))]
        return c1 + c2

    def id_number(address_code: str, birth: dt.date, sex: str) -> str:
        head = f"{address_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        while True:
            k = int(rnd() * 499)
            seq = 2 * k + 1 if sex == "1" else 2 * k + 2  # 001–997 odd, 002–998 even
            first17 = f"{head}{seq:03d}"
            if first17 not in used_ids:
                used_ids.add(first17)
                return first17 + check_char(first17)

    for anchor in anchors:
        if not left[anchor]:
            continue
        left[anchor] -= 1
        members = household(anchor)

        vi = bisect(village_cum, rnd() * village_total)
        village = villages[vi]
        rural = village.code >= "100"
        address = books[vi].new()
        hh_surname = surname()
        hh_origin = origin()
        hh_ethnicity = _ETH_CODES[bisect(_ETH_CUM, rnd() * _ETH_TOTAL)]
        hh_phone = new_phone()
        hh_phone_taken = False
        hh_created = window_ord + int(window_span * rnd() ** 1.3)  # archiving drives early
        poverty = rnd() < (0.085 if rural else 0.015)
        dibao = rnd() < (0.035 if rural else 0.02)
        family_planning = rnd() < 0.008
        surroundings = items.household(rural)
        made: list[dict[str, Any]] = []
        made_ages: list[int] = []

        for age, sex, own_line in members:
            birth_ord = age_first[age] + int(rnd() * age_span[age])
            birth = dt.date.fromordinal(birth_ord)

            family = hh_surname if own_line and rnd() < 0.95 else surname()
            name = family + given(sex, birth.year)

            number: str | None = None
            reason: str | None = None
            if age < 3 and rnd() < 0.03:
                reason = "1"
            elif age >= 65 and rnd() < 0.005:
                reason = "2"
            else:
                if age < 18:
                    code = county_code if rnd() < 0.9 else hh_origin
                else:
                    code = hh_origin if own_line else origin()
                number = id_number(code, birth, sex)

            ethnicity = (
                hh_ethnicity if rnd() < 0.9 else _ETH_CODES[bisect(_ETH_CUM, rnd() * _ETH_TOTAL)]
            )

            r = rnd()
            if age < 16:
                phone = hh_phone if r < 0.8 else None
                own_phone = False
            elif age < 70:
                own_phone = r < 0.9
                phone = None if own_phone else hh_phone if r < 0.95 else None
            else:
                own_phone = r < 0.45
                phone = None if own_phone else hh_phone if r < 0.8 else None
            if own_phone:
                if hh_phone_taken:
                    phone = new_phone()
                else:
                    phone = hh_phone
                    hh_phone_taken = True

            if birth_ord <= hh_created:
                created_ord = hh_created
            else:  # born after the household was archived: added within ~3 months
                created_ord = birth_ord + int(rnd() * (min(90, today_ord - birth_ord) + 1))

            status = "在档"
            status_date: dt.date | None = None
            if created_ord < today_ord:
                r = rnd()
                p_death = _P_DEATH[age]
                p_moved = p_death + _P_MOVED[age]
                if r < p_moved + _P_CANCELLED:
                    status = "死亡" if r < p_death else "迁出" if r < p_moved else "注销"
                    status_date = dt.date.fromordinal(
                        created_ord + 1 + int(rnd() * (today_ord - created_ord))
                    )

            resident_6m = rnd() < (0.92 if 18 <= age < 50 else 0.975)  # drawn in this order
            disabled = rnd() < (0.004 if age < 18 else 0.012 if age < 60 else 0.035)
            local = number is None or number[:6] == county_code
            person = {
                "name": name,
                "id_number": number,
                "no_id_reason": reason,
                "sex": sex,
                "birth_date": birth,
                "birth_discharged_date": None,  # the newborn visits carry the discharge
                "ethnicity": ethnicity,
                "phone": phone,
                "village_code": village.code,
                "address": address,
                "responsible_doctor": village_doctor(village.code),
                "resident_6m": resident_6m,
                "flag_disabled": disabled,
                "flag_poverty": poverty,
                "flag_dibao": dibao,
                "flag_tekun": rnd() < (0.0005 if age < 18 else 0.001 if age < 60 else 0.022),
                "flag_family_planning": family_planning and age >= 49,
                "note": None,
                "archive_date": dt.date.fromordinal(created_ord),
                "status": status,
                "status_date": status_date,
            }
            person.update(items.person(age, birth, rural, local, poverty, disabled, surroundings))
            made.append(person)
            made_ages.append(age)
        set_contacts(made, made_ages)
        yield from made
