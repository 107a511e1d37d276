"""Synthetic service histories: deterministic, valid for the forms, realistic rates.

Every generated record is put through its form (``FormDef.process``) with the context
the app would give it on that day — the resident's age, open registers and episode,
the previous record of the form — so the generator and the form files cannot drift
apart: no errors, the same computed and derived values, the form applies.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from ygt_desktop.core.context import resident_context
from ygt_desktop.core.dates import age_years
from ygt_desktop.core.schedules import add_months, quarter_bounds
from ygt_desktop.core.tcm import ScoringConfig
from ygt_desktop.demo.residents import generate_residents, generate_villages
from ygt_desktop.demo.services import Person, Record, generate_services

TODAY = dt.date(2025, 11, 20)  # a Thursday in Q4; before the real clock (not_future)
YEAR = 2025
N = 5_000
REGISTERS = {"htn_register": "htn", "dm_register": "dm", "smi_register": "smi"}
EPISODE_OF = {"prenatal_first": "pregnancy", "tb_notify": "tb"}


def make_people(seed: int, count: int, today: dt.date = TODAY) -> list[Person]:
    villages = generate_villages(random.Random(seed), 8)
    raw = generate_residents(seed, count, today.year, villages, today)
    return [
        Person(i, r["sex"], r["birth_date"], r["archive_date"], r["status"], r["status_date"],
               f"{r['village_code']}|{r['address']}", r["name"], r["phone"])
        for i, r in enumerate(raw, start=1)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return make_people(11, N)


@pytest.fixture(scope="module")
def records(people: list[Person], forms: Any) -> list[Record]:
    scoring = ScoringConfig.from_settings(forms["tcm_elderly"].settings)
    return list(generate_services(people, TODAY, 3, scoring=scoring))


def replay(forms: Any, people: list[Person], records: list[Record]
           ) -> Iterator[tuple[Record, dict[str, Any]]]:  # fmt: skip
    """Each record with the context ServiceRepo.context would give it when typed in
    in date order: age, open registers, the open episode and its facts, the previous
    record of the form (the same rules as storage.services, rebuilt from the stream)."""
    by_id = {p.id: p for p in people}
    registers: dict[tuple[int, str], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    open_episode: dict[tuple[int, str], str | None] = {}
    facts: dict[str, dict[str, Any]] = defaultdict(dict)
    previous: dict[tuple[int, str], tuple[dt.date, Any]] = {}
    for record in records:
        form_id, rid, day, key, values = record
        form = forms[form_id]
        if rid is None:
            yield record, {}
            continue
        p = by_id[rid]
        ctx = resident_context(p.birth_date, p.sex, day)
        for register in ("htn", "dm", "smi"):
            ctx[f"has_{register}"] = any(
                start <= day and (closed is None or closed > day)
                for start, closed in registers[(rid, register)]
            )
        for episode in ("pregnancy", "tb"):
            current = open_episode.get((rid, episode))
            ctx[f"open_{episode}"] = current is not None
            if current is not None and (form.episode == episode or form_id in EPISODE_OF):
                ctx.update(facts[current])
        prev = previous.get((rid, form_id))
        if prev is not None:
            ctx["prev_date"], ctx["prev_controlled"] = prev
        yield record, ctx
        previous[(rid, form_id)] = (day, values.get("controlled"))
        if form_id in REGISTERS:
            registers[(rid, REGISTERS[form_id])].append((day, values.get("closed_date")))
        if form.opens_episode:
            open_episode[(rid, form.episode)] = key
        if form_id == "prenatal_first":
            facts[key]["lmp"] = values["lmp_date"]
            facts[key]["pregnancy_registered"] = day
        elif form_id == "delivery":
            facts[key].update(
                delivery_date=values["delivered_date"], discharge_date=values.get("discharged_date")
            )
        elif form_id == "tb_notify":
            facts[key]["notification_date"] = values["notified_date"]
        if form.closes_episode is not None and form.closes_episode.evaluate({**ctx, **values}):
            open_episode[(rid, form.episode)] = None


# ---- determinism ----------------------------------------------------------------------


def test_same_seed_gives_the_same_records_and_another_seed_others(people, records, forms):
    scoring = ScoringConfig.from_settings(forms["tcm_elderly"].settings)
    assert list(generate_services(people, TODAY, 3, scoring=scoring)) == records
    other = list(generate_services(people, TODAY, 4, scoring=scoring))
    assert other != records
    assert abs(len(other) - len(records)) < 0.1 * len(records)
    # Nothing depends on the clock: another "today" only cuts the history shorter.
    earlier = TODAY - dt.timedelta(days=200)
    assert max(r[2] for r in generate_services(people, earlier, 3)) <= earlier


# ---- the forms agree ---------------------------------------------------------------------


def test_every_record_passes_its_form_with_the_same_computed_values(people, records, forms):
    """All of them, not a sample: the station is small and this is the drift guard."""
    problems: list[str] = []
    seen: Counter[str] = Counter()
    for (form_id, rid, day, _, values), ctx in replay(forms, people, records):
        form = forms[form_id]
        seen[form_id] += 1
        result = form.process(values, ctx)
        where = f"{form_id} #{rid} {day}"
        if result.errors:
            problems.append(f"{where}: {result.errors}")
        elif form.to_sql(result.values) != form.to_sql(values):
            diff = {
                k: (v, result.values.get(k))
                for k, v in form.to_sql(values).items()
                if form.to_sql(result.values)[k] != v
            }
            problems.append(f"{where}: stored ≠ computed {diff}")
        if form.per_resident and not form.applies_to(ctx):
            problems.append(f"{where}: form does not apply ({form.applies_message})")
        if form.date_field and values[form.date_field] != day:
            problems.append(f"{where}: service date ≠ {form.date_field}")
        if len(problems) > 20:
            break
    assert not problems, "\n".join(problems)
    expected = {f.id for f in forms if f.kind not in ("register", "entity") and not f.retired}
    assert set(seen) == expected, f"forms never generated: {expected - set(seen)}"


def test_choices_are_codes_of_the_form(records, forms):
    for form_id, _, _, _, values in records:
        form = forms[form_id]
        assert set(values) <= set(form.by_id), (form_id, set(values) - set(form.by_id))
        for fid, value in values.items():
            f = form.by_id[fid]
            if f.type == "choice" and value is not None and f.choices:
                assert value in f.choice_labels, (form_id, fid, value)
            if f.type == "multichoice" and value is not None:
                assert value and set(value) <= set(f.choice_labels), (form_id, fid, value)


def test_no_record_breaks_the_date_rules(people, records):
    by_id = {p.id: p for p in people}
    last_of: dict[tuple[int, str], dt.date] = {}
    registered: dict[tuple[int, str], dt.date] = {}
    for form_id, rid, day, _, values in records:
        assert day <= TODAY, (form_id, rid, day)
        if rid is None:
            continue
        p = by_id[rid]
        assert day >= p.birth_date, (form_id, rid, day)
        if p.status != "在档":
            assert day <= p.status_date, (form_id, rid, day, p.status_date)
        # only a baby's first visits before its archive was made; doses from the
        # 接种证 of a child archived later are copied in with the day they were given,
        # and the child checks from the 儿童保健手册 of a child archived under 3
        copied = form_id == "vaccine_dose" or (
            form_id.startswith("child_check") and age_years(p.birth_date, p.archive_date) < 3
        )
        if day < p.archive_date and not copied:
            assert (p.archive_date - p.birth_date).days <= 120, (form_id, rid)
        before = last_of.get((rid, form_id))
        # several vaccines are given the same day (different sites): doses may share it
        same_day = form_id == "vaccine_dose" and before == day
        assert before is None or before < day or same_day, f"{form_id} #{rid}: {before} then {day}"
        last_of[(rid, form_id)] = day
        programme = form_id.split("_")[0]
        if form_id.endswith("_register"):
            registered[(rid, programme)] = day
        elif form_id.endswith("_followup") and programme in ("htn", "dm", "smi"):
            assert registered[(rid, programme)] <= day, (form_id, rid, day)
        for fid, v in values.items():
            # a vaccine's 有效日期 lies ahead of the day it is given
            if isinstance(v, dt.date) and fid not in ("next_visit_date", "edd", "expiry_date"):
                assert v <= TODAY, (form_id, rid, fid, v)


def test_episodes_open_before_their_records_and_close_once(records, forms):
    opened: set[str] = set()
    closed: set[str] = set()
    for form_id, rid, _, key, values in records:
        form = forms[form_id]
        if not form.episode:
            assert key is None
            continue
        assert key is not None and key not in closed, (form_id, rid, key)
        if form.opens_episode:
            assert key not in opened
            opened.add(key)
        else:
            assert key in opened, (form_id, key)
        if form.closes_episode is not None and form.closes_episode.evaluate(values):
            closed.add(key)


# ---- realistic rates on a 5,000-resident station ---------------------------------------


def open_on(p: Person, day: dt.date) -> bool:
    return p.archive_date <= day and (p.status == "在档" or p.status_date > day)


def test_chronic_prevalence_and_quarterly_compliance(people, records):
    by_id = {p.id: p for p in people}
    adults = [p for p in people if open_on(p, TODAY) and age_years(p.birth_date, TODAY) >= 35]
    regs: dict[str, dict[int, tuple[dt.date, Any]]] = defaultdict(dict)
    visits: dict[tuple[str, int], list[tuple[dt.date, str]]] = defaultdict(list)
    for form_id, rid, day, _, values in records:
        if form_id in REGISTERS:
            regs[REGISTERS[form_id]][rid] = (day, values.get("closed_date"))
        elif form_id in ("htn_followup", "dm_followup", "smi_followup"):
            visits[(form_id[:3].rstrip("_"), rid)].append((day, values["visit_method"]))

    def managed(programme: str) -> list[int]:
        return [
            rid
            for rid, (day, closed) in regs[programme].items()
            if day <= TODAY and closed is None and open_on(by_id[rid], TODAY)
        ]

    htn = [r for r in managed("htn") if age_years(by_id[r].birth_date, TODAY) >= 35]
    dm = [r for r in managed("dm") if age_years(by_id[r].birth_date, TODAY) >= 35]
    assert 0.11 < len(htn) / len(adults) < 0.19  # 25 % prevalence × 60 % registered
    assert 0.035 < len(dm) / len(adults) < 0.075  # 9.7 % × 55 %
    population = sum(open_on(p, TODAY) for p in people)
    assert 0.0015 < len(managed("smi")) / population < 0.008

    # Standard management, year to date to Q3: a face-to-face visit every quarter.
    for programme, patients in (("htn", htn), ("dm", dm)):
        standard = 0
        for rid in patients:
            reg_day = regs[programme][rid][0]
            quarters = [
                quarter_bounds(YEAR, q) for q in (1, 2, 3) if quarter_bounds(YEAR, q)[1] >= reg_day
            ]
            face = [d for d, how in visits[(programme, rid)] if how in ("1", "2")]
            standard += all(any(s <= d <= e for d in face) for s, e in quarters)
        assert 0.5 < standard / len(patients) < 0.8, programme
    methods = Counter(how for (programme, _), vs in visits.items() if programme == "htn"
                      for _, how in vs)  # fmt: skip
    assert 0.05 < methods["3"] / sum(methods.values()) < 0.16  # phone follow-ups


def test_blood_pressure_and_glucose_look_like_patients(records):
    htn = [v for f, _, d, _, v in records if f == "htn_followup" and v.get("sbp")]
    controlled = sum(v["controlled"] for v in htn) / len(htn)
    urgent = sum(v["sbp"] >= 180 or v["dbp"] >= 110 for v in htn) / len(htn)
    assert 0.5 < controlled < 0.8
    assert 0.002 < urgent < 0.03
    assert all(v["dbp"] < v["sbp"] for v in htn)
    dm = [v["fpg"] for f, _, _, _, v in records if f == "dm_followup" and v.get("fpg")]
    assert 0.6 < sum(5.5 <= g <= 9 for g in dm) / len(dm) < 0.95
    assert any(g >= 16.7 or g <= 3.9 for g in dm)


def test_elderly_checks_and_constitution_each_year(people, records):
    for year, low in ((YEAR - 1, 0.55), (YEAR, 0.5)):
        end = min(dt.date(year, 12, 31), TODAY)
        start = dt.date(year, 1, 1)
        eligible = {
            p.id
            for p in people
            if open_on(p, start) and open_on(p, end) and age_years(p.birth_date, start) >= 65
        }
        exams = {rid for f, rid, d, _, _ in records if f == "elderly_exam" and d.year == year}
        tcm = {rid for f, rid, d, _, _ in records if f == "tcm_elderly" and d.year == year}
        assert low < len(exams & eligible) / len(eligible) < 0.75, year
        assert low - 0.12 < len(tcm & eligible) / len(eligible) < 0.65, year
    results = Counter(
        v["constitution"].split("；")[0] for f, _, _, _, v in records if f == "tcm_elderly"
    )
    assert 0.15 < results["平和质（是）"] / sum(results.values()) < 0.5
    assert len(results) > 8


def test_children_visited_on_schedule(people, records):
    by_id = {p.id: p for p in people}
    babies = {
        p.id
        for p in people
        if (p.archive_date - p.birth_date).days <= 120
        and p.birth_date.year >= YEAR - 1
        and p.birth_date <= TODAY - dt.timedelta(30)
    }
    newborn = {rid: v for f, rid, _, _, v in records if f == "newborn_visit"}
    within = [rid for rid in babies if rid in newborn
              and newborn[rid]["days_after_discharge"] <= 7]  # fmt: skip
    assert 0.82 < len(within) / len(babies) < 0.97  # 新生儿访视率 as stations report
    assert any(v["days_after_discharge"] > 7 for v in newborn.values())  # some late
    checks: dict[int, list[dt.date]] = defaultdict(list)
    for f, rid, day, _, _ in records:
        if f.startswith("child_check_"):  # the band forms (issue 14)
            checks[rid].append(day)
    due = done = 0
    for rid in babies:
        birth = by_id[rid].birth_date
        for months in (3, 6, 8, 12):
            start = add_months(birth, months)
            end = add_months(birth, months + 1)
            if end <= TODAY and open_on(by_id[rid], end):
                due += 1
                done += any(start <= d < end for d in checks[rid])
    assert 0.85 < done / due < 0.97  # most families come to every check, some miss one
    # 3岁以下儿童系统管理率 ≈ 85–95 %: the first year's four checks (满月, 3, 6, 8 月龄) all
    # made by the first birthday, for most babies
    year_old = [rid for rid in babies if add_months(by_id[rid].birth_date, 12) <= TODAY]
    complete = sum(
        len([d for d in checks[rid] if d < add_months(by_id[rid].birth_date, 12)]) >= 4
        for rid in year_old
    )
    assert 0.8 < complete / len(year_old) < 0.97
    tcm = Counter(v["age_in_months"] for f, _, _, _, v in records if f == "tcm_child")
    assert set(tcm) <= set(range(6, 37))
    assert not any(f == "child_check" for f, *_ in records)  # retired: band forms only
    bands = {(f, v["age_in_months"] // 12) for f, _, _, _, v in records if f.startswith("child_")}
    assert {f for f, _ in bands} == {
        "child_check_infant",
        "child_check_toddler",
        "child_check_preschool",
    }
    assert all(
        (f, y)
        in {("child_check_infant", 0), ("child_check_toddler", 1), ("child_check_toddler", 2)}
        or (f == "child_check_preschool" and 3 <= y < 7)
        for f, y in bands
    )
    rows = [
        v for f, _, _, _, v in records if f.startswith("child_check_") and v["age_in_months"] >= 3
    ]
    warned = [v for v in rows if any(k.startswith("dev_") for k in v)]
    assert 0 < len(warned) / len(rows) < 0.1  # 发育评估 mostly passed


def test_pregnancies_match_a_birth_rate_of_about_eight_per_thousand(people, records):
    deliveries = [d for f, _, d, _, _ in records if f == "delivery" and d.year == YEAR - 1]
    population = sum(open_on(p, dt.date(YEAR - 1, 7, 1)) for p in people)
    assert 4 < 1000 * len(deliveries) / population < 13
    firsts = [v["gest_weeks"] for f, _, _, _, v in records if f == "prenatal_first"]
    assert 0.7 < sum(w < 13 for w in firsts) / len(firsts) < 0.95  # 早孕建册
    ongoing = {k for f, _, _, k, _ in records if f == "prenatal_first"} - {
        k for f, _, _, k, v in records if f == "postpartum_42d" and v["outcome"] == "1"
    }
    assert ongoing  # pregnancies under way (and some never closed) for the worklist


def test_tb_infectious_and_station_logs(people, records):
    tb = [r for r in records if r[0] == "tb_notify"]
    person_years = sum(max(0, (min(TODAY, p.status_date or TODAY) - p.archive_date).days)
                       for p in people) / 365.25  # fmt: skip
    assert len(tb) / person_years < 0.002
    first = {k: v["days_after_notification"] for f, _, _, k, v in records if f == "tb_first_visit"}
    if first:
        assert sum(d <= 3 for d in first.values()) / len(first) >= 0.6
    cases = [v for f, _, _, _, v in records if f == "infectious_report"]
    assert 0.5 < 1000 * len(cases) / person_years < 8
    assert 0.9 < sum(v["reported"] for v in cases) / len(cases) <= 1
    for year in (YEAR - 1, YEAR):
        edu = [v for f, _, d, _, v in records if f == "edu_activity" and d.year == year]
        assert len({v["title"] for v in edu if v["kind"] == "1"}) >= 12
        assert len({v["title"] for v in edu if v["kind"] == "2"}) >= 6
        assert sum(v["kind"] == "3" for v in edu) >= 5
        assert sum(v["kind"] == "5" for v in edu) >= 8
        sup = [v for f, _, d, _, v in records if f == "supervision_log" and d.year == year]
        assert any(v["record_type"] == "2" for v in sup)


def test_the_children_follow_the_form_files_schedules(forms):
    # one definition: the demo reads the band forms', tcm_child's and newborn_visit's
    # [schedule] tables, as the worklist does
    from ygt_desktop.demo.services import child_plan
    from ygt_desktop.storage.worklist_children import check_points, tcm_points

    plan = child_plan()
    assert list(plan.checks) == check_points(forms)
    assert list(plan.tcm_months) == [p[1] for p in tcm_points(forms)]
    assert (
        plan.newborn_days
        == forms["newborn_visit"].settings["schedule"]["within_days_after_discharge"]
    )
