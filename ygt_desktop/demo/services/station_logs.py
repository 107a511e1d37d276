"""The station's own logs, with no resident: 健康教育活动 and 卫生监督协管."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .common import GeneratorBase, Record, Values

_EDU_PRINT = (
    "高血压防治知识", "糖尿病防治知识", "合理膳食 健康生活", "控烟限酒知识",
    "老年人健康管理服务告知", "0～6岁儿童健康管理服务告知", "孕产妇健康管理服务告知",
    "肺结核防治知识", "艾滋病防治知识", "预防接种知识", "中医药健康管理知识",
    "食品安全知识", "手足口病防治知识", "心理健康知识", "家庭医生签约服务",
    "碘缺乏病防治知识", "老年人防跌倒知识", "狂犬病防治知识",
)  # fmt: skip
_EDU_AV = (
    "高血压的自我管理",
    "糖尿病饮食指导",
    "科学育儿",
    "结核病防治宣传片",
    "八段锦教学",
    "流感预防",
    "控烟宣传片",
    "心肺复苏急救知识",
)
_EDU_DAYS = (  # (month, day, theme) of national health days: consultations
    (3, 24, "世界防治结核病日"), (4, 7, "世界卫生日"), (4, 25, "全国预防接种日"),
    (5, 15, "防治碘缺乏病日"), (5, 31, "世界无烟日"), (7, 28, "世界肝炎日"),
    (9, 20, "全国爱牙日"), (10, 8, "全国高血压日"), (11, 14, "联合国糖尿病日"),
    (12, 1, "世界艾滋病日"), (6, 9, "全民健康生活方式日"),
)  # fmt: skip
_LECTURES = (
    "高血压防治",
    "糖尿病防治",
    "老年人健康与防跌倒",
    "孕期保健",
    "科学育儿",
    "中医养生保健",
    "慢阻肺防治",
    "合理用药",
    "心理健康",
    "传染病防治",
)
_SUPERVISION = {
    "1": "辖区一农家乐聚餐后多人出现腹泻呕吐",
    "2": "村民反映自来水浑浊、有异味",
    "3": "辖区小学晨检发现多名学生发热",
    "4": "发现无证人员在村内开展诊疗活动",
    "5": "发现非法开展胎儿性别鉴定线索",
}
_INSPECTIONS = (
    ("学校卫生巡查", "3"),
    ("生活饮用水卫生巡查", "2"),
    ("非法行医巡查", "4"),
    ("农村集体聚餐食品安全巡查", "1"),
)


class StationLogsMixin(GeneratorBase):
    """Health-education activities and supervision reports, year by year."""

    def station_logs(self) -> Iterator[Record]:
        rnd = self.rnd
        D = dt.date.fromordinal
        records: list[tuple[int, str, Values]] = []
        first_year = max(self.first_year, dt.date.fromordinal(max(self.since_o, 1)).year)
        for year in range(first_year, self.today.year + 1):
            jan1 = dt.date(year, 1, 1).toordinal()
            # This year's activities so far are spread over the days up to today.
            span = min(365, self.today_o - jan1 + 1)

            def on(day_of_year: int, jan1: int = jan1, span: int = span) -> int:
                return jan1 + max(0, min(day_of_year, 364)) * span // 365

            for title in self.rng.sample(_EDU_PRINT, 12 + int(rnd() * 5)):
                for _ in range(1 + (rnd() < 0.3)):
                    records.append(
                        (
                            on(int(rnd() * 360)),
                            "edu_activity",
                            {
                                "kind": "1",
                                "title": title,
                                "copies": 100 + int(rnd() * 400),
                                "location": "卫生服务站",
                                "archived": ["3"],
                            },
                        )
                    )
            for title in self.rng.sample(_EDU_AV, 6 + int(rnd() * 3)):
                records.append(
                    (
                        on(int(rnd() * 360)),
                        "edu_activity",
                        {
                            "kind": "2",
                            "title": title,
                            "times": 5 + int(rnd() * 25),
                            "audience": "候诊居民",
                            "location": "卫生服务站候诊区",
                            "archived": ["4"],
                        },
                    )
                )
            for k in range(6):
                day = dt.date(year, 2 * k + 1, 1).toordinal() + int(rnd() * 20)
                records.append(
                    (
                        day,
                        "edu_activity",
                        {
                            "kind": "3",
                            "title": f"宣传栏：{self.pick(_LECTURES)}",
                            "location": "卫生服务站宣传栏",
                            "archived": ["2"],
                        },
                    )
                )
            for k in range(6 + int(rnd() * 3)):
                day = on(k * 45 + int(rnd() * 40))
                records.append(
                    (
                        day,
                        "edu_activity",
                        {
                            "kind": "4",
                            "title": f"健康知识讲座：{self.pick(_LECTURES)}",
                            "participants": 20 + int(rnd() * 40),
                            "audience": "辖区居民",
                            "location": "村委会活动室",
                            "content": "讲解疾病防治知识并答疑",
                            "evaluation": "居民参与积极",
                            "archived": ["1", "2", "5"],
                        },
                    )
                )
            for month, day_of_month, theme in _EDU_DAYS[: 9 + int(rnd() * 3)]:
                records.append(
                    (
                        dt.date(year, month, day_of_month).toordinal(),
                        "edu_activity",
                        {
                            "kind": "5",
                            "title": f"{theme}健康咨询",
                            "participants": 50 + int(rnd() * 150),
                            "audience": "辖区居民",
                            "location": "社区广场",
                            "archived": ["1", "2", "5"],
                        },
                    )
                )
            for _ in range(1 + int(rnd() * 3)):
                kind = self.pick("12344")
                found = on(int(rnd() * 360))
                log: Values = {
                    "record_type": "1",
                    "kind": kind,
                    "description": _SUPERVISION[kind],
                    "reporter": self.pick(self.doctors),
                }
                log["reported"] = rnd() < 0.9
                if log["reported"]:
                    log["report_date"] = D(min(found + int(rnd() * 2), self.today_o))
                    log["reported_to"] = "区卫生监督所"
                records.append((found, "supervision_log", log))
            for _ in range(4 + int(rnd() * 3)):
                what, kind = self.pick(_INSPECTIONS)
                records.append(
                    (
                        on(int(rnd() * 360)),
                        "supervision_log",
                        {
                            "record_type": "2",
                            "kind": kind,
                            "inspection_type": what,
                            "description": "未发现问题"
                            if rnd() < 0.7
                            else "部分从业人员健康证过期，已督促办理",
                            "reporter": self.pick(self.doctors),
                        },
                    )
                )
        records.sort(key=lambda r: r[0])
        for day, form_id, values in records:
            if day > self.today_o:
                continue
            date_field = "activity_date" if form_id == "edu_activity" else "found_date"
            values[date_field] = D(day)
            if form_id == "edu_activity":
                values["organiser"] = self.pick(self.doctors)
            yield form_id, None, D(day), None, values
