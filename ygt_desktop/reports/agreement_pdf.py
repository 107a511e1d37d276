"""签约服务协议书: the family-doctor agreement of one contract, on A4, to be signed by
both parties and kept one copy each.

The page names the station and the team (leader, members with roles and phones), the
resident (ID number and phone numbers masked unless asked otherwise; the household's representative when
signed for a household), the packages with their services, the annual fee per payer
as recorded at signing, the term, a short standard text of the services and both
parties' obligations, and the two signature lines (签约医生 / 签约居民或代表) with
dates. The text is this program's plain summary of the national family-doctor
practice, not a copy of any county's form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.contracts import PAYER_LABELS, PAYERS, fen, yuan, yuan_text
from ..core.dates import age_years
from ..core.masking import Shown
from ..core.resident import sex_label
from ..storage.db import StoreError
from ..storage.entities import EntityRepo
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from .atomic import write_atomic
from .pdf_fonts import FONT_NAME, TextFonts
from .record_pdf import BODY_WIDTH, _PageDecor, _pdf_bytes, _Title

TITLE = "家庭医生签约服务协议书"
SIZE = 9.5
LABEL_SHADE = colors.Color(0.94, 0.94, 0.94)
BODY = ParagraphStyle("ygt-agreement", fontName=FONT_NAME, fontSize=SIZE, leading=SIZE * 1.42)
HEAD = ParagraphStyle(
    "ygt-agreement-head",
    fontName=FONT_NAME,
    fontSize=SIZE + 1,
    leading=(SIZE + 1) * 1.5,
    spaceBefore=3,
)
TEXT_WIDTH = BODY_WIDTH - 12  # the frame's padding, 6 pt each side
GAP = "\u00a0" * 4  # a Paragraph collapses ordinary spaces
CELL = ParagraphStyle(
    "ygt-agreement-cell", fontName=FONT_NAME, fontSize=SIZE - 0.5, leading=(SIZE - 0.5) * 1.35
)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')

SERVICES = (
    "建立并管理健康档案，每年至少做一次健康评估，告知结果和注意事项；",
    "提供常见病、多发病的诊疗和合理用药指导，慢性病患者按规范随访和调整用药；",
    "按国家基本公共卫生服务规范，为甲方所属的重点人群提供体检、随访和健康管理；",
    "提供健康咨询和健康教育，甲方可通过上表所列电话联系签约医生或团队；",
    "需要时协助预约上级医院的专家门诊、检查和住院，办理双向转诊；",
    "提供所签服务包中列明的其他服务（见上表）。",
)
RESIDENT_DUTIES = (
    "如实提供健康情况，配合随访、体检等服务；遵从医嘱，做好自我健康管理；",
    "按约定缴纳个人支付部分的服务费；",
    "联系电话、住址变更或迁出时及时告知签约团队；",
    "对服务提出意见和建议，参加满意度回访。",
)
TEAM_DUTIES = (
    "按服务包约定的内容和频次提供服务，并记入甲方的健康档案；",
    "保护甲方隐私，不泄露个人健康信息；",
    "公开团队成员和联系电话，在服务时间内及时回应甲方的需求；",
    "接受甲方和卫生健康主管部门的监督与考核。",
)


@dataclass(frozen=True)
class Agreement:
    """What the agreement prints, read from the database (never unsaved edits)."""

    contract_id: int
    org_name: str
    team: str
    team_phone: str
    leader: str
    members: list[tuple[str, str, str]]  # name, role, phone
    doctor: str
    doctor_phone: str
    resident: dict[str, Any]
    village: str
    representative: str  # "" for a personal contract
    packages: list[tuple[str, str]]  # name, services
    fees: dict[str, float]  # payer code → yuan, as recorded at signing
    sign_date: dt.date
    start_date: dt.date
    end_date: dt.date
    renews_id: int | None
    populations: list[str] = field(default_factory=list)
    representative_phone: str = ""

    def file_name(self) -> str:
        """``签约服务协议书_张三_2026-01-01.pdf``, safe on Windows."""
        name = _UNSAFE.sub("_", str(self.resident.get("name") or "")).strip("_.")
        return f"签约服务协议书_{name}_{self.sign_date.isoformat()}.pdf"


def load_agreement(ws: Workspace, contract_id: int) -> Agreement:
    """The agreement of ``contract_id``; StoreError (Chinese) if it cannot be printed."""
    forms = ws.forms
    form = forms["contract"]
    repo = EntityRepo(ws.store, form)
    row = repo.get(contract_id)
    if row is None or row["deleted"]:
        raise StoreError(f"签约 {contract_id} 不存在或已删除，不能打印协议书")
    v = form.from_sql(row)
    resident = ws.residents.get(int(v["resident_id"]))
    if resident is None:
        raise StoreError(f"签约 {contract_id} 的居民档案不存在，不能打印协议书")
    team = EntityRepo(ws.store, forms["team"]).get(int(v["team_id"])) or {}
    members = EntityRepo(ws.store, forms["team_member"])
    doctor = members.get(int(v["doctor_id"])) or {}
    roles = forms["team_member"].field("role").choice_labels
    crew = [
        (str(m["name"]), roles.get(m["role"], ""), str(m["phone"] or ""))
        for m in members.rows(
            "team_id = ? AND active = 1", (str(v["team_id"]),), order="role, name"
        )
    ]
    packages = EntityRepo(ws.store, forms["service_package"])
    chosen = [packages.get(int(p)) for p in v["package_ids"] or []]
    relation = form.field("representative_relation").choice_labels
    representative = ""
    if v["sign_mode"] == "2" and v["representative_name"]:
        representative = (
            f"{v['representative_name']}（{relation.get(v['representative_relation'], '')}）"
        )
    org = ws.organisation
    labels = form.field("key_populations").choice_labels
    return Agreement(
        contract_id=contract_id,
        org_name=org.name if org else "",
        team=str(team.get("name") or ""),
        team_phone=str(team.get("phone") or ""),
        leader=str(team.get("leader") or ""),
        members=crew,
        doctor=str(doctor.get("name") or ""),
        doctor_phone=str(doctor.get("phone") or ""),
        resident=resident,
        village={x.code: x.name for x in villages(ws.store)}.get(resident["village_code"], ""),
        representative=representative,
        packages=[(str(p["name"]), str(p["services"] or "")) for p in chosen if p],
        fees={payer: float(v[f"fee_{payer}"] or 0) for payer in PAYERS},
        sign_date=v["sign_date"],
        start_date=v["start_date"],
        end_date=v["end_date"],
        renews_id=v["renews_id"],
        populations=[labels.get(c, c) for c in v["key_populations"] or []],
        representative_phone=str(
            (v["representative_phone"] or "") if v["sign_mode"] == "2" else ""
        ),
    )


def render_agreement(
    agreement: Agreement,
    out: Path,
    *,
    id_masked: bool = True,
    printed_on: dt.date | None = None,
    shown: Shown | None = None,
) -> list[str]:
    """Write the agreement as a PDF to ``out`` atomically; return warnings naming any
    character no font could print. Raises OSError when the file cannot be written.
    ``shown`` says whether the resident's ID number and phone numbers are printed in
    full (default: both masked; ``id_masked`` False alone shows the ID number)."""
    if shown is None:
        shown = Shown(ids=not id_masked)
    fonts = TextFonts()
    decor = _PageDecor(
        title=fonts.runs(TITLE),
        org=fonts.runs(agreement.org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs(f"签约编号：{agreement.contract_id}"),
    )

    def story() -> list[Flowable]:
        return _story(agreement, fonts, shown)

    _pdf_bytes(story, decor, TITLE, agreement.org_name)  # counts the pages
    decor.total, decor.pages = decor.pages, 0
    write_atomic(_pdf_bytes(story, decor, TITLE, agreement.org_name), out)
    return list(fonts.warnings)


# ---- layout ---------------------------------------------------------------------------


def _story(a: Agreement, fonts: TextFonts, shown: Shown) -> list[Flowable]:
    def para(text: str, style: ParagraphStyle = BODY, width: float = TEXT_WIDTH) -> Paragraph:
        return Paragraph(fonts.markup(text, width, style.fontSize), style)

    def cell(text: str, width: float) -> Paragraph:
        return para(text, CELL, width - 6)

    r = a.resident
    number = str(r.get("id_number") or "")
    shown_id = shown.id_number(number) if number else "无"
    birth = r.get("birth_date")
    age = f"{age_years(dt.date.fromisoformat(birth), a.sign_date)}岁" if birth else ""
    term_years = max(1, round((a.end_date - a.start_date).days / 365))
    renewal = f"，续原签约 {a.renews_id}" if a.renews_id else ""
    label_w, value_w = 27 * mm, BODY_WIDTH / 2 - 27 * mm
    parties = [
        [
            "甲方（居民）",
            GAP.join(x for x in (str(r.get("name") or ""), sex_label(r.get("sex")), age) if x),
            "身份证号",
            shown_id,
        ],
        ["档案号", str(r.get("archive_no") or ""), "联系电话", shown.phone(r.get("phone"))],
        [
            "住址",
            f"{a.village}{r.get('address') or ''}",
            "签约方式",
            f"家庭签约，代表：{a.representative}"
            + (f"，电话 {shown.phone(a.representative_phone)}" if a.representative_phone else "")
            if a.representative
            else "个人签约",
        ],
        ["乙方（团队）", f"{a.org_name}{GAP}{a.team}", "团队长", a.leader],
        ["签约医生", f"{a.doctor}{GAP}{a.doctor_phone}", "团队电话", a.team_phone or "—"],
        [
            "签约时重点人群",
            "、".join(a.populations) or "无",
            "服务期",
            f"{a.start_date.isoformat()} 至 {a.end_date.isoformat()}（{term_years} 年{renewal}）",
        ],
    ]
    widths = [label_w, value_w, label_w, value_w]
    table = _grid(
        [[cell(t, w) for t, w in zip(row, widths, strict=True)] for row in parties],
        widths,
        shade_columns=(0, 2),
    )
    fee_widths = [BODY_WIDTH * 0.22, BODY_WIDTH * 0.78]
    fee_rows = [[cell("服务包", fee_widths[0]), cell("服务内容", fee_widths[1])]]
    for name, services in a.packages:
        fee_rows.append([cell(name, fee_widths[0]), cell(services, fee_widths[1])])
    total = yuan(sum(fen(a.fees[p]) for p in PAYERS))
    split = "；".join(f"{PAYER_LABELS[p]} {yuan_text(a.fees[p])} 元" for p in PAYERS)
    fee_rows.append(
        [
            cell("年服务费", fee_widths[0]),
            cell(f"合计 {yuan_text(total)} 元（{split}）", fee_widths[1]),
        ]
    )
    fees = _grid(fee_rows, fee_widths, shade_columns=(0,), header=True)
    crew = "；".join(
        f"{n}（{role}{'，' + phone if phone else ''}）" for n, role, phone in a.members
    )
    story: list[Flowable] = [
        _Title(fonts.runs(TITLE)),
        para(f"签约编号：{a.contract_id}{GAP}签约日期：{a.sign_date.isoformat()}"),
        Spacer(1, 1.5 * mm),
        table,
        Spacer(1, 2 * mm),
        fees,
        Spacer(1, 1 * mm),
        para(f"团队成员：{crew or a.doctor}"),
        para("一、服务内容　乙方在服务期内为甲方提供：", HEAD),
        *(para(f"{i}. {t}") for i, t in enumerate(SERVICES, 1)),
        para("二、甲方的义务", HEAD),
        *(para(f"{i}. {t}") for i, t in enumerate(RESIDENT_DUTIES, 1)),
        para("三、乙方的义务", HEAD),
        *(para(f"{i}. {t}") for i, t in enumerate(TEAM_DUTIES, 1)),
        para("四、期限与解约", HEAD),
        para(
            "服务期满前双方可续约。甲方迁出、连续一年无法联系或拒绝服务、主动要求解约或死亡的，"
            "本协议终止，乙方在健康档案中注明解约日期和原因。"
        ),
        para("本协议一式两份，甲乙双方各执一份，自双方签字之日起生效。"),
        Spacer(1, 5 * mm),
        KeepTogether([_signatures(fonts)]),
    ]
    return story


def _grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    shade_columns: Sequence[int] = (),
    header: bool = False,
) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths))
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
        *(("BACKGROUND", (c, 0), (c, -1), LABEL_SHADE) for c in shade_columns),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_SHADE))
    table.setStyle(TableStyle(style))
    return table


def _signatures(fonts: TextFonts) -> Table:
    def line(text: str) -> Paragraph:
        return Paragraph(fonts.markup(text, TEXT_WIDTH / 2 - 6, SIZE + 0.5), HEAD)

    rows = [
        [
            line("甲方：签约居民或代表（签字）________________"),
            line("乙方：签约医生（签字）________________"),
        ],
        [line("日期：______年____月____日"), line("日期：______年____月____日（机构盖章）")],
    ]
    table = Table(rows, colWidths=[TEXT_WIDTH / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table
