"""The 健康体检表's values for one exam: every item of the national form, plausible for
the resident's age, sex and conditions.

Lab values come from population means and spreads by sex and age, shifted for the
resident's conditions: a diabetic's fasting glucose is the follow-ups' personal mean and
the HbA1c follows it, a hypertensive's blood pressure is the follow-ups' too; creatinine
and haemoglobin by sex. Medicines are the follow-ups' own (the same draws), hospital
stays rare, influenza and pneumococcal vaccinations for some elderly. Everything is
drawn from the run's one stream (deterministic by seed).
"""

from __future__ import annotations

import datetime as dt

from ...core.dates import age_years, month_of
from ...core.schedules import add_months
from .common import _HOSPITAL, GeneratorBase, Values, _bmi
from .state import _PersonState, medicine_lines

_SELF_CARE_POINTS = {
    "sc_meal": {"1": 0, "3": 3, "4": 5}, "sc_grooming": {"1": 0, "2": 1, "3": 3, "4": 7},
    "sc_dressing": {"1": 0, "3": 3, "4": 5}, "sc_toilet": {"1": 0, "2": 1, "3": 5, "4": 10},
    "sc_activity": {"1": 0, "2": 1, "3": 5, "4": 10},
}  # fmt: skip
# Taken by some residents without a managed condition (secondary prevention, joints).
_OTHER_MEDS = (
    ("阿司匹林肠溶片", "每日1次 每次100mg"),
    ("阿托伐他汀钙片", "每日1次 每次20mg"),
    ("瑞舒伐他汀钙片", "每日1次 每次10mg"),
    ("碳酸钙D3片", "每日1次 每次1片"),
    ("氨基葡萄糖胶囊", "每日3次 每次2粒"),
)
_STAY_REASONS = ("肺部感染", "冠心病", "脑梗死", "股骨颈骨折", "慢性阻塞性肺疾病急性加重",
                 "胆囊结石", "白内障手术", "高血压病")  # fmt: skip
_FINDINGS = ("B超：脂肪肝", "B超：胆囊结石", "心电图：窦性心动过缓", "心电图：ST-T改变")


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def self_care_score(items: dict[str, str]) -> int:
    return sum(_SELF_CARE_POINTS[k][v] for k, v in items.items())


def exam_values(g: GeneratorBase, s: _PersonState, day: int) -> Values:
    """One exam of ``s`` on ``day`` (an ordinal): the form's values, computed fields as
    the form computes them."""
    rnd = g.rnd
    p = s.p
    d = dt.date.fromordinal(day)
    age = age_years(p.birth_date, d)
    male = p.sex == "1"
    b = s.body
    sbp, dbp = s.bp(False)
    weight = round(b.weight + (rnd() - 0.5) * 2, 1)
    bmi = _bmi(weight, b.height)
    s.last_exam_bmi = bmi
    v: Values = {
        "exam_date": d, "doctor": g.doctor(p), "temperature": round(36.2 + rnd() * 0.8, 1),
        "heart_rate": 60 + int(rnd() * 28), "respiration": 16 + int(rnd() * 5),
        "sbp": sbp, "dbp": dbp, "height": b.height, "weight": weight, "waist": b.waist,
        "bmi": bmi,
        "bmi_band": "1" if bmi < 18.5 else "2" if bmi < 24 else "3" if bmi < 28 else "4",
    }  # fmt: skip
    if rnd() < 0.6:  # both arms
        v["sbp_right"] = max(dbp + 20, sbp + g.even(g.gauss(0, 4)))
        v["dbp_right"] = dbp
    v["symptoms"] = (
        ["1"]
        if rnd() < 0.45
        else sorted(
            {
                g.pick(("3", "13", "14", "19", "22", "23", "7", "2"))
                for _ in range(1 + int(rnd() * 3))
            },
            key=int,
        )
    )
    if age >= 65:
        _elderly_assessment(g, s, v, age)
    _lifestyle(g, s, v, age, male)
    _organs(g, v, age)
    _physical(g, s, v, male)
    fpg = _labs(g, s, v, age, male)
    _problems(g, s, v)
    _history(g, s, v, d, age)
    _evaluation(g, s, v, sbp, dbp, fpg, bmi, weight, age)
    return v


def _elderly_assessment(g: GeneratorBase, s: _PersonState, v: Values, age: int) -> None:
    rnd = g.rnd
    r = rnd()
    v["health_self_rating"] = ("1" if r < 0.25 else "2" if r < 0.7 else "3" if r < 0.85
                               else "4" if r < 0.95 else "5")  # fmt: skip
    items = s.self_care(age)
    v.update(items)
    score = self_care_score(items)
    v["self_care_score"] = score
    v["self_care_level"] = "1" if score <= 3 else "2" if score <= 8 else "3" if score <= 18 else "4"
    v["cognition"] = "2" if rnd() < 0.05 else "1"
    if v["cognition"] == "2":
        v["mmse_score"] = 15 + int(rnd() * 12)
    v["emotion"] = "2" if rnd() < 0.04 else "1"
    if v["emotion"] == "2":
        v["gds_score"] = 10 + int(rnd() * 11)


def _lifestyle(g: GeneratorBase, s: _PersonState, v: Values, age: int, male: bool) -> None:
    rnd = g.rnd
    b = s.body
    times = b.exercise_times
    v["exercise_freq"] = "1" if times >= 7 else "2" if times >= 2 else "3" if times else "4"
    if times:
        v["exercise_minutes"] = b.exercise_minutes
        v["exercise_years"] = float(1 + int(rnd() * min(30, max(1, age - 20))))
        v["exercise_kind"] = g.pick(("散步", "快走", "广场舞", "太极拳", "农活", "骑自行车"))
    diet = ["1"] if rnd() < 0.6 else [g.pick("23")]
    if b.salt == "3":
        diet.append("4")
    if rnd() < 0.1:
        diet.append("5")
    v["diet"] = diet
    first_age = min(age, 16 + int(rnd() * 10))
    if b.smoking:
        v.update(smoking_status="3", smoke_daily=b.smoking, smoke_start_age=first_age)
    elif male and rnd() < 0.15 and age > 30:
        quit_age = max(first_age, age - 1 - int(rnd() * 10))
        v.update(smoking_status="2", smoke_daily=0, smoke_start_age=first_age,
                 smoke_quit_age=quit_age)  # fmt: skip
    else:
        v["smoking_status"] = "1"
    if b.drinking:
        v.update(
            drink_freq="4" if b.drinking >= 2 else g.pick("23"), drink_daily=b.drinking,
            drink_quit="1", drink_start_age=min(age, 18 + int(rnd() * 8)),
            drunk_last_year="1" if rnd() < 0.2 else "2",
            drink_kinds=["1"] if rnd() < 0.7 else ["1", "2"],
        )  # fmt: skip
    else:
        v["drink_freq"] = "1" if rnd() < 0.8 or not male else "2"
        if v["drink_freq"] == "2":
            v.update(drink_daily=0.5, drink_quit="1", drink_start_age=min(age, 20),
                     drunk_last_year="2", drink_kinds=["2"])  # fmt: skip
    if male and age < 70 and rnd() < 0.04:
        v.update(occupational="2", occ_job=g.pick(("采石工", "电焊工", "矿工")),
                 occ_years=float(3 + int(rnd() * 20)))  # fmt: skip
        v["occ_hazards"] = [
            {"kind": "1", "name": "矽尘", "protection": "2", "protection_detail": "戴防尘口罩"}
        ]
    else:
        v["occupational"] = "1"


def _organs(g: GeneratorBase, v: Values, age: int) -> None:
    rnd = g.rnd
    v["lips"] = "1" if rnd() < 0.93 else g.pick("234")
    old = age >= 65
    if rnd() < (0.55 if old else 0.15):
        teeth = sorted({g.pick("234") for _ in range(1 + int(rnd() * 2))}, key=int)
        v["dentition"] = teeth
        v["dentition_detail"] = g.pick(("右上6、左下7", "左上4", "右下6、右下7", "全口"))
    else:
        v["dentition"] = ["1"]
    v["pharynx"] = "1" if rnd() < 0.9 else "2"
    base = 4.7 if old else 4.9
    for side in ("left", "right"):
        v[f"vision_{side}"] = round(_clamp(base + g.gauss(0, 0.2), 3.6, 5.3), 1)
    v["hearing"] = "2" if old and rnd() < 0.12 else "1"
    v["motor"] = "2" if old and rnd() < 0.04 else "1"


def _physical(g: GeneratorBase, s: _PersonState, v: Values, male: bool) -> None:
    rnd = g.rnd
    if s.dm or rnd() < 0.3:
        v["fundus"] = "2" if s.dm and rnd() < 0.15 else "1"
        if v["fundus"] == "2":
            v["fundus_detail"] = "视网膜少量渗出"
    v.update(skin="1", sclera="1", lymph="1", barrel_chest="1", breath_sound="1")
    v["rales"] = "1" if rnd() < 0.96 else "2"
    v["cardiac_rate"] = v["heart_rate"]
    v["rhythm"] = "1" if rnd() < 0.95 else "2"
    v["murmur"] = "1"
    for f in ("abd_tenderness", "abd_mass", "hepatomegaly", "splenomegaly", "shifting_dullness"):
        v[f] = "1"
    v["leg_edema"] = "1" if rnd() < 0.95 else "4"
    if s.dm:
        r = rnd()
        v["dorsalis_pedis"] = "2" if r < 0.85 else "3" if r < 0.92 else "4"
    elif rnd() < 0.5:
        v["dorsalis_pedis"] = "2"
    if male and rnd() < 0.1:
        v["dre"] = "1" if rnd() < 0.8 else "4"
    if s.p.sex == "2":
        v["breast"] = ["1"] if rnd() < 0.95 else ["4"]
        if rnd() < 0.25:
            for part in ("vulva", "vagina", "cervix", "uterus", "adnexa"):
                v[f"gyn_{part}"] = "1"
            if rnd() < 0.5:
                v["cervical_smear"] = "1"


def _labs(g: GeneratorBase, s: _PersonState, v: Values, age: int, male: bool) -> float:
    """The 辅助检查: the 65+ mostly get the whole free set; patients under 65 the basics.
    Returns the fasting glucose."""
    rnd = g.rnd
    gauss = g.gauss
    full = age >= 65 and rnd() < 0.8
    fpg = s.fpg(False) if s.dm else round(_clamp(gauss(5.3, 0.5), 3.9, 6.9), 1)
    v["fpg"] = fpg
    if s.dm:
        v["hba1c"] = round(_clamp((fpg + 2.59) / 1.59 + gauss(0.4, 0.4), 4.5, 14), 1)
    older = 5 if age >= 70 else 0
    if full or rnd() < 0.7:
        v["hb"] = int(_clamp(gauss(142 - older, 12) if male else gauss(127 - older, 11), 70, 190))
        v["wbc"] = round(_clamp(gauss(6.2, 1.5), 2.5, 15), 1)
        v["plt"] = int(_clamp(gauss(210, 50), 60, 450))
    if full or rnd() < 0.6:
        v["urine_protein"] = "±" if (s.dm or s.htn) and rnd() < 0.12 else "-"
        v["urine_glucose"] = ("+" if fpg >= 10 else "±") if s.dm and fpg >= 8 else "-"
        v["urine_ketone"] = "-"
        v["urine_blood"] = "-" if rnd() < 0.95 else "+"
    if s.dm or (s.htn and rnd() < 0.3):
        high = s.dm and rnd() < 0.2
        v["urine_malb"] = (
            round(3 + rnd() * 20, 1) if high else round(_clamp(gauss(1.2, 0.6), 0.1, 2.9), 1)
        )
    if full or rnd() < 0.5:
        v["alt"] = int(_clamp(gauss(22, 9), 5, 200))
        v["ast"] = int(_clamp(gauss(24, 7), 8, 200))
        v["albumin"] = round(_clamp(gauss(42 - older / 2, 3), 28, 55), 1)
        tbil = round(_clamp(gauss(12, 4), 3.5, 40), 1)
        v["tbil"] = tbil
        v["dbil"] = round(tbil * _clamp(gauss(0.3, 0.05), 0.15, 0.5), 1)
        cr = gauss(85, 14) if male else gauss(64, 11)
        if s.dm and rnd() < 0.1:
            cr += 40  # diabetic nephropathy
        v["creatinine"] = round(_clamp(cr + older * 1.6, 30, 400), 1)
        v["urea"] = round(_clamp(gauss(5.4 + older / 10, 1.3), 2.0, 20), 1)
        v["potassium"] = round(_clamp(gauss(4.2, 0.35), 3.0, 6.0), 1)
        v["sodium"] = round(_clamp(gauss(140, 2.5), 128, 150), 1)
        tc = round(_clamp(gauss(4.9 + (0.3 if s.dm else 0), 0.9), 2.5, 9.5), 2)
        v["tc"] = tc
        v["tg"] = round(_clamp(gauss(1.5 + (0.5 if s.dm else 0), 0.7), 0.4, 8), 2)
        v["hdl"] = round(_clamp(gauss(1.2 if male else 1.4, 0.3), 0.6, 2.5), 2)
        v["ldl"] = round(_clamp(tc * 0.6 + gauss(0, 0.3), 1.0, tc - 0.2), 2)
    v["ecg"] = "1" if rnd() < 0.85 else "2"
    if v["ecg"] == "2":
        v["ecg_detail"] = g.pick(("窦性心动过缓", "ST-T改变", "左心室高电压", "房性早搏"))
    if full or rnd() < 0.3:
        v["us_abdomen"] = "1" if rnd() < 0.75 else "2"
        if v["us_abdomen"] == "2":
            v["us_abdomen_detail"] = g.pick(("脂肪肝", "胆囊结石", "肝囊肿", "胆囊息肉"))
    if rnd() < 0.1:
        v["chest_xray"] = "1" if rnd() < 0.9 else "2"
        if v["chest_xray"] == "2":
            v["chest_xray_detail"] = "双肺纹理增粗"
    return fpg


def _problems(g: GeneratorBase, s: _PersonState, v: Values) -> None:
    rnd = g.rnd
    vascular = s.htn or s.dm
    v["cerebrovascular"] = ["2"] if vascular and rnd() < 0.06 else ["1"]
    v["renal"] = ["2"] if s.dm and rnd() < 0.05 else ["1"]
    v["cardiac"] = [g.pick("35")] if vascular and rnd() < 0.08 else ["1"]
    v["vascular"] = ["1"]
    v["eye"] = ["4"] if rnd() < 0.08 else ["1"]
    v["neuro"] = "1"
    v["other_disease"] = "1"


def _history(g: GeneratorBase, s: _PersonState, v: Values, d: dt.date, age: int) -> None:
    """Hospital stays and family beds of the last 12 months (rare), medicines, vaccinations."""
    rnd = g.rnd
    if rnd() < (0.06 if age >= 65 else 0.03):
        admitted = add_months(d, -1 - int(rnd() * 11))
        v["hospital_stays"] = [
            {
                "admitted": month_of(admitted),
                "discharged": month_of(admitted + dt.timedelta(days=5 + int(rnd() * 10))),
                "reason": g.pick(_STAY_REASONS),
                "institution": _HOSPITAL,
                "case_no": f"{int(rnd() * 900000) + 100000}",
            }
        ]
        if v["hospital_stays"][0]["discharged"] > month_of(d):
            v["hospital_stays"][0]["discharged"] = month_of(d)
    if age >= 75 and rnd() < 0.01:
        opened = add_months(d, -2 - int(rnd() * 9))
        v["family_beds"] = [
            {"opened": month_of(opened), "closed": month_of(add_months(opened, 1)),
             "reason": "脑梗死后遗症", "institution": "本站"}
        ]  # fmt: skip
    meds = []
    adherence = s.adherence
    if s.registered and s.htn:
        meds += [_line(m, adherence) for m in medicine_lines(s.htn_med)]
    if s.registered and s.dm:
        meds += [_line(m, adherence) for m in medicine_lines(s.dm_med)]
        if s.insulin:
            name, _route, dose = s.insulin.split(" ", 2)  # 皮下注射
            meds.append({"name": name, "route": "401", "dosage": dose, "adherence": adherence})
    if s.smi:
        meds += [_line(m, adherence) for m in medicine_lines(s.smi_med)]
    if rnd() < (0.15 if age >= 65 else 0.05):
        name, dose = g.pick(_OTHER_MEDS)
        meds.append({"name": name, "route": "1", "dosage": dose, "duration": "1年",
                     "adherence": "1"})  # fmt: skip
    if meds:
        v["medicines"] = meds
    if age >= 65:
        jabs = []
        if rnd() < 0.15:  # influenza, last autumn
            autumn = dt.date(d.year - 1, 10, 1).toordinal() + int(rnd() * 75)
            jabs.append({"name": "流感疫苗", "date": dt.date.fromordinal(autumn),
                         "institution": "乡镇卫生院预防接种门诊"})  # fmt: skip
        if rnd() < 0.05:
            day = d.toordinal() - 30 - int(rnd() * 300)
            jabs.append({"name": "23价肺炎球菌多糖疫苗", "date": dt.date.fromordinal(day),
                         "institution": "乡镇卫生院预防接种门诊"})  # fmt: skip
        if jabs:
            v["vaccinations"] = sorted(jabs, key=lambda j: j["date"])


def _line(m: dict[str, object], adherence: str) -> dict[str, object]:
    """A follow-up's medicine line (name, times, dose, unit) as the 体检表 writes it."""
    dose = m["dose"]
    shown = f"{dose:g}" if isinstance(dose, float) else str(dose)
    return {
        "name": m["name"],
        "route": "1",
        "dosage": f"每日{m['times_per_day']}次 每次{shown}{m['dose_unit']}",
        "duration": "长期",
        "adherence": adherence,
    }


def _evaluation(g: GeneratorBase, s: _PersonState, v: Values, sbp: int, dbp: int, fpg: float,
                bmi: float, weight: float, age: int) -> None:  # fmt: skip
    rnd = g.rnd
    findings = []
    if sbp >= 140 or dbp >= 90:
        findings.append(f"血压偏高（{sbp}/{dbp}mmHg）")
    if fpg >= 7.0:
        findings.append(f"空腹血糖偏高（{fpg}mmol/L）")
    if isinstance(v.get("tc"), float) and v["tc"] >= 6.2:
        findings.append(f"总胆固醇偏高（{v['tc']}mmol/L）")
    if v.get("us_abdomen") == "2":
        findings.append(f"B超：{v['us_abdomen_detail']}")
    elif v.get("ecg") == "2":
        findings.append(f"心电图：{v['ecg_detail']}")
    elif rnd() < 0.05:
        findings.append(g.pick(_FINDINGS))
    v["abnormal"] = "2" if findings else "1"
    for n, text in enumerate(findings[:4], start=1):
        v[f"abnormal_{n}"] = text
    guidance = []
    if s.registered or s.smi:
        guidance.append("1")
    if findings:
        guidance.append("2")
        if sbp >= 180 or fpg >= 16.7:
            guidance.append("3")
    if guidance:
        v["guidance"] = guidance
    control = ["3", "4"]
    if s.body.smoking:
        control.insert(0, "1")
    if bmi >= 24:
        control.append("5")
        v["weight_goal"] = round(min(weight - 1, 23.9 * (s.body.height / 100) ** 2), 1)
    if age >= 65 and not v.get("vaccinations") and rnd() < 0.3:
        control.append("6")
        v["vaccine_advice"] = "流感疫苗"
    v["risk_control"] = control
    if age >= 65:
        v["elderly_guidance"] = ["1", "2", "3", "4"] if rnd() < 0.7 else ["3", "4"]
