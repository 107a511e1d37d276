"""Declarative forms: load ``forms/*.toml`` and apply a form to what a user typed.

One form file defines a record's fields (id, Chinese label, type, limits, unit, choices
with standard codes, relevance, computed values, WS 363 data-element code). From it the
storage layer checks its table, the UI builds the entry widget, validation runs here,
and exports take their headers. A malformed file raises :class:`FormFileError` naming
the file, the field and the problem.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import vaccines
from .context import CONTEXT_NAMES
from .data_elements import de_code_problem, duplicate_de_code
from .derived import DERIVERS
from .expressions import Expression, ExpressionError
from .fieldtypes import FIELD_TYPES, FieldError, FieldType
from .programmes import EPISODES, REGISTERS
from .rows import process_rows, value_problem
from .toml_cache import TomlCache

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD_KEYS = {
    "id",
    "label",
    "type",
    "required",
    "min",
    "max",
    "unit",
    "max_length",
    "pattern",
    "pattern_hint",
    "choices",
    "choices_from",
    "relevant",
    "compute",
    "default",
    "de_code",
    "de_qualifier",
    "unique",
    "help",
    "not_future",
    "group",
    "derived",
    "readonly",
    "columns",
    "max_rows",
    "carry",
    "row_checks",
    "irrelevant_message",
}
_ROWS_ONLY = ("columns", "max_rows", "carry", "row_checks")
# register: the resident archive; service: a record about one resident, dated, in
# service_records; station_log: a dated station-level record in service_records;
# entity: a station-level thing with its own id and table (a team, a contract, an asset).
_FORM_KINDS = {"register", "service", "station_log", "entity"}
_FORM_KEYS = {
    "id",
    "title",
    "version",
    "kind",
    "table",
    "package",
    "date_field",
    "applies",
    "applies_message",
    "register",
    "requires",
    "episode",
    "opens_episode",
    "closes_episode",
    "short_title",
    "order",
    "retired",
    "retired_message",
}
PACKAGES = ("疾控包", "妇幼包", "中医包", "健教包", "卫生监督协管")


class FormFileError(ValueError):
    """A form file that cannot be used; the message names file, field and problem."""

    def __init__(self, file: str, problem: str, field_id: str | None = None) -> None:
        where = f"表单文件 {file}"
        if field_id:
            where += f" 字段 {field_id}"
        super().__init__(f"{where}：{problem}")
        self.file = file
        self.field_id = field_id
        self.problem = problem


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class Check:
    """A rule across fields: when ``when`` is true, ``message`` is shown at ``field``."""

    field: str
    when: Expression
    message: str


@dataclass(frozen=True)
class FieldDef:
    id: str
    label: str
    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_hint: str | None = None
    choices: tuple[Choice, ...] = ()
    choices_from: str | None = None
    relevant: Expression | None = None
    compute: Expression | None = None
    default: Any = None
    de_code: str | None = None
    de_qualifier: str | None = None  # which one, where a form records an element twice
    unique: bool = False
    help: str | None = None
    not_future: bool = False
    group: str | None = None
    derived: str | None = None  # filled by core.derived.DERIVERS[derived]
    readonly: bool = False  # set by the page (e.g. the resident a contract is for), shown
    # a repeating group (type "rows", :mod:`.rows`): its columns, at most max_rows rows,
    # carry: the resident's previous record's rows start a new one; row_checks: in a row
    columns: tuple[FieldDef, ...] = ()
    max_rows: int | None = None
    carry: bool = False
    row_checks: tuple[Check, ...] = ()
    # a value sent while the field is not relevant is refused with this message (naming
    # the field) instead of being dropped: a man's 妇科 findings are an error, not noise
    irrelevant_message: str | None = None

    @property
    def is_rows(self) -> bool:
        """A repeating group, kept in its own child table (no column of the form's)."""
        return self.type == "rows"

    @cached_property
    def column(self) -> dict[str, FieldDef]:
        """A rows field's columns by id."""
        return {c.id: c for c in self.columns}

    @property
    def locked(self) -> bool:
        """Filled by the app, not typed (computed or derived)."""
        return self.compute is not None or self.derived is not None

    def default_value(self, today: dt.date | None = None) -> Any:
        """The value a new record starts with (``"today"`` for dates means today)."""
        if self.type == "date" and self.default == "today":
            return today or dt.date.today()
        return self.default

    @property
    def field_type(self) -> FieldType:
        return FIELD_TYPES[self.type]

    @cached_property
    def choice_labels(self) -> dict[str, str]:
        return {c.code: c.label for c in self.choices}

    @property
    def dynamic_choices(self) -> bool:
        """Choices that come from the database (e.g. the station's villages)."""
        return self.choices_from is not None and not self.choices_from.startswith(
            ("code:", "schedule:")
        )


@dataclass(frozen=True)
class Rule:
    """A clinical rule at entry time (e.g. BP ≥ 180/110 → urgent referral)."""

    id: str
    when: Expression
    message: str
    recheck_days: int | None = None
    referral: str | None = None  # "urgent" / "suggested"


@dataclass(frozen=True)
class RuleOutcome:
    id: str
    message: str
    recheck_days: int | None
    referral: str | None


@dataclass(frozen=True)
class FormDef:
    id: str
    title: str
    version: int
    kind: str
    table: str
    fields: tuple[FieldDef, ...]
    source: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    package: str | None = None
    short_title: str | None = None
    order: int = 0
    date_field: str | None = None
    applies: Expression | None = None
    applies_message: str | None = None
    register: str | None = None  # this form registers a patient (htn / dm / smi)
    requires: str | None = None  # a register or episode the resident must have open
    episode: str | None = None  # pregnancy / tb: records attach to the open episode
    opens_episode: bool = False
    closes_episode: Expression | None = None
    checks: tuple[Check, ...] = ()
    rules: tuple[Rule, ...] = ()
    # A form replaced by others: its records stay readable and editable, and still count
    # where they counted; it is no longer offered for new records (retired_message says
    # which forms to use instead).
    retired: bool = False
    retired_message: str | None = None

    @property
    def per_resident(self) -> bool:
        return self.kind in ("register", "service")

    @property
    def label(self) -> str:
        return self.short_title or self.title

    def applies_to(self, context: Mapping[str, Any]) -> bool:
        """Whether the form applies to a resident described by ``context``."""
        if self.applies is None:
            return True
        return bool(self.applies.evaluate(_complete(context)))

    def evaluate_rules(
        self, values: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> list[RuleOutcome]:
        """The clinical rules that fire for a checked record, in file order."""
        scope = {**_complete(context or {}), **values}
        return [
            RuleOutcome(r.id, r.message, r.recheck_days, r.referral)
            for r in self.rules
            if r.when.evaluate(scope)
        ]

    @cached_property
    def by_id(self) -> dict[str, FieldDef]:
        return {f.id: f for f in self.fields}

    @cached_property
    def stored_fields(self) -> tuple[FieldDef, ...]:
        """The fields with a column in the form's own table (not the repeating groups)."""
        return tuple(f for f in self.fields if not f.is_rows)

    @cached_property
    def row_fields(self) -> tuple[FieldDef, ...]:
        """The repeating groups, each kept in a child table."""
        return tuple(f for f in self.fields if f.is_rows)

    def field(self, field_id: str) -> FieldDef:
        return self.by_id[field_id]

    def process(
        self, raw: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> FormResult:
        """Parse, compute, apply relevance and check ``raw`` (text or values by field id).

        ``context`` gives the names of :data:`CONTEXT_NAMES` (age on the service date,
        the open pregnancy's LMP …). Returns every field's value (``None`` for empty or
        not relevant) and the errors by field id, in form order. Nothing is stored here.
        """
        ctx = _complete(context or {})
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        unparsed: dict[str, Any] = {}  # what was typed where it could not be parsed
        cells: dict[str, dict[tuple[int, str], str]] = {}
        rows_errors: dict[str, str] = {}
        for f in self.fields:
            given = raw.get(f.id)
            if f.is_rows:
                continue  # below, once the record's own values are known
            try:
                values[f.id] = f.field_type.parse(given, f) if given is not None else None
            except FieldError as exc:
                values[f.id] = None
                unparsed[f.id] = given
                errors[f.id] = str(exc)
        for f in self.fields:
            if f.compute is None or f.id in errors:
                continue
            computed = f.compute.evaluate({**ctx, **values})
            if computed is None:
                continue
            entered = values.get(f.id)
            if entered not in (None, computed):
                shown = f.field_type.display(computed, f)
                errors[f.id] = f"{f.label}应为 {shown}（由{_sources(self, f)}得出）"
            values[f.id] = computed
        for key in {f.derived for f in self.fields if f.derived}:
            derived = DERIVERS[key](values, self.settings)
            for f in self.fields:
                if f.derived == key:
                    values[f.id] = derived.get(f.id)
        record = {**ctx, **values}
        for f in self.row_fields:
            done = process_rows(raw.get(f.id), f, record)
            values[f.id] = done.rows
            if done.message:
                rows_errors[f.id] = done.message
            if done.cells:
                cells[f.id] = done.cells
        seen = {**ctx, **values, **unparsed}
        for f in self.fields:
            if f.relevant is not None and not f.relevant.evaluate(seen):
                values[f.id] = [] if f.is_rows else None
                errors.pop(f.id, None)
                cells.pop(f.id, None)
                if f.irrelevant_message and raw.get(f.id) not in (None, "", [], ()):
                    errors[f.id] = f"{f.label}：{f.irrelevant_message}"
                continue
            if f.is_rows:
                if f.id in rows_errors:
                    errors[f.id] = rows_errors[f.id]
                continue
            if f.id not in errors and (message := value_problem(f, values[f.id])):
                errors[f.id] = message
        scope = {**ctx, **values}
        for check in self.checks:
            if check.field not in errors and check.when.evaluate(scope):
                errors[check.field] = fill_message(check.message, scope)
        ordered = {f.id: errors[f.id] for f in self.fields if f.id in errors}
        return FormResult(values=values, errors=ordered, cells=cells)

    def merged(self, stored: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
        """An edit: ``raw`` over the stored values, computed fields left to recompute."""
        kept = {k: v for k, v in stored.items() if k in self.by_id and not self.by_id[k].locked}
        return {**kept, **raw}

    def with_defaults(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """``raw`` with each field it does not mention set to the field's default (a
        repeating group: no rows)."""
        return {**{f.id: [] if f.is_rows else f.default_value() for f in self.fields}, **raw}

    def is_relevant(
        self, field_id: str, values: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> bool:
        f = self.by_id[field_id]
        return f.relevant is None or bool(
            f.relevant.evaluate({**_complete(context or {}), **values})
        )

    def to_sql(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The columns of the form's own table (repeating groups are stored apart)."""
        return {f.id: f.field_type.to_sql(values.get(f.id)) for f in self.stored_fields}

    def from_sql(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Values from a row of the form's own table (repeating groups are read apart)."""
        return {f.id: f.field_type.from_sql(row.get(f.id)) for f in self.stored_fields}


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill_message(message: str, scope: Mapping[str, Any]) -> str:
    """A check's message with each ``{name}`` of a field or context name that has a
    value replaced by it (dates as YYYY-MM-DD), so a refusal can name the dates it
    compared; other text is left as written."""

    def value(m: re.Match[str]) -> str:
        got = scope.get(m.group(1))
        if got is None:
            return m.group(0)
        return got.isoformat() if isinstance(got, dt.date) else str(got)

    return _PLACEHOLDER.sub(value, message)


def _complete(context: Mapping[str, Any]) -> dict[str, Any]:
    return {name: context.get(name) for name in CONTEXT_NAMES}


def _sources(form: FormDef, f: FieldDef) -> str:
    assert f.compute is not None
    return "、".join(form.by_id[n].label for n in sorted(f.compute.names) if n in form.by_id)


@dataclass(frozen=True)
class FormResult:
    values: dict[str, Any]
    errors: dict[str, str]
    # a repeating group's messages per cell: field id → {(line from 1, column id): text}
    cells: dict[str, dict[tuple[int, str], str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_code_list(path: Path, cache: TomlCache | None = None) -> tuple[Choice, ...]:
    """A standard code list file: ``[[codes]] code = "01" label = "汉族"``."""
    data = (cache or TomlCache(None)).read(path)
    return tuple(Choice(str(c["code"]), str(c["label"])) for c in data["codes"])


def load_form(path: Path, codes_dir: Path | None = None, cache: TomlCache | None = None) -> FormDef:
    """Load and check one form file; raise :class:`FormFileError` on any problem.
    ``cache`` remembers the parsed file (the checks run all the same)."""
    name = path.name
    try:
        data = (cache or TomlCache(None)).read(path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormFileError(name, f"不是有效的 TOML：{exc}") from None
    meta = data.get("form")
    if not isinstance(meta, dict):
        raise FormFileError(name, "缺少 [form] 段")
    for key in ("id", "title", "version", "kind", "table"):
        if key not in meta:
            raise FormFileError(name, f"[form] 缺少 {key}")
    if not _IDENT.match(str(meta["id"])) or not _IDENT.match(str(meta["table"])):
        raise FormFileError(name, "[form] 的 id 和 table 只能用小写字母、数字和下划线")
    if "__" in str(meta["id"]) or "__" in str(meta["table"]):
        raise FormFileError(name, "[form] 的 id 和 table 不能含连续两个下划线（留给行表的表名）")
    if meta["kind"] not in _FORM_KINDS:
        raise FormFileError(name, f"[form] kind 应为 {'/'.join(sorted(_FORM_KINDS))}")
    if not isinstance(meta["version"], int) or meta["version"] < 1:
        raise FormFileError(name, "[form] version 应为正整数")
    unknown_meta = set(meta) - _FORM_KEYS
    if unknown_meta:
        raise FormFileError(name, f"[form] 有未知的属性 {'、'.join(sorted(unknown_meta))}")
    if meta.get("package") is not None and meta["package"] not in PACKAGES:
        raise FormFileError(name, f"[form] package 应为 {'/'.join(PACKAGES)} 之一")
    if meta.get("register") is not None and meta["register"] not in REGISTERS:
        raise FormFileError(name, f"[form] register 应为 {'/'.join(REGISTERS)} 之一")
    if meta.get("requires") is not None and meta["requires"] not in {**REGISTERS, **EPISODES}:
        raise FormFileError(name, "[form] requires 应为登记或病程名称（htn/dm/smi/pregnancy/tb）")
    if meta.get("episode") is not None and meta["episode"] not in EPISODES:
        raise FormFileError(name, f"[form] episode 应为 {'/'.join(EPISODES)} 之一")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise FormFileError(name, "没有 [[fields]]")
    fields: list[FieldDef] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_fields, start=1):
        fields.append(_load_field(name, i, raw, seen, codes_dir, cache))
    if repeated := duplicate_de_code(fields):
        raise FormFileError(name, repeated[1], repeated[0])
    field_ids = {f.id for f in fields}
    # Service forms see the resident's context; the resident form is that context.
    context_names = set(CONTEXT_NAMES) if meta["kind"] != "register" else set()
    clash = field_ids & context_names
    if clash:
        raise FormFileError(name, f"字段 id 与上下文名称重名：{'、'.join(sorted(clash))}")
    known = field_ids | context_names

    def expr(src: Any, where: str, field_id: str | None = None) -> Expression:
        try:
            e = Expression(str(src))
        except ExpressionError as exc:
            raise FormFileError(name, f"{where}：{exc}", field_id) from None
        if not e.names <= known:
            unknown = "、".join(sorted(e.names - known))
            raise FormFileError(name, f"{where} 引用了不存在的字段 {unknown}", field_id)
        return e

    for f in fields:
        for e in (f.relevant, f.compute):
            if e is not None and not e.names <= known:
                unknown = "、".join(sorted(e.names - known))
                raise FormFileError(name, f"表达式引用了不存在的字段 {unknown}", f.id)
        # A row check sees its row's columns, the record's fields and the context.
        in_row = {c.id for c in f.columns} | known
        for i, check in enumerate(f.row_checks, start=1):
            if not check.when.names <= in_row:
                unknown = "、".join(sorted(check.when.names - in_row))
                raise FormFileError(name, f"第{i}条 row_checks 引用了不存在的栏目 {unknown}", f.id)
    date_field = meta.get("date_field")
    if date_field is not None and (
        date_field not in field_ids or next(f for f in fields if f.id == date_field).type != "date"
    ):
        raise FormFileError(name, f"[form] date_field {date_field!r} 应为本表单的日期字段")
    checks = []
    for i, raw in enumerate(data.get("checks", []), start=1):
        if not isinstance(raw, dict) or not {"field", "when", "message"} <= set(raw):
            raise FormFileError(name, f"第{i}条 [[checks]] 需要 field、when 和 message")
        if raw["field"] not in field_ids:
            raise FormFileError(name, f"第{i}条 [[checks]] 的字段 {raw['field']} 不存在")
        checks.append(
            Check(raw["field"], expr(raw["when"], f"第{i}条 [[checks]]"), str(raw["message"]))
        )
    rules = []
    for i, raw in enumerate(data.get("rules", []), start=1):
        if not isinstance(raw, dict) or not {"id", "when", "message"} <= set(raw):
            raise FormFileError(name, f"第{i}条 [[rules]] 需要 id、when 和 message")
        if raw.get("referral") not in (None, "urgent", "suggested"):
            raise FormFileError(name, f"第{i}条 [[rules]] 的 referral 应为 urgent 或 suggested")
        rules.append(
            Rule(
                str(raw["id"]),
                expr(raw["when"], f"[[rules]] {raw['id']}"),
                str(raw["message"]),
                raw.get("recheck_days"),
                raw.get("referral"),
            )
        )
    settings = {k: v for k, v in data.items() if k not in ("form", "fields", "checks", "rules")}
    return FormDef(
        id=meta["id"],
        title=str(meta["title"]),
        version=meta["version"],
        kind=meta["kind"],
        table=meta["table"],
        fields=tuple(fields),
        source=name,
        settings=settings,
        package=meta.get("package"),
        short_title=meta.get("short_title"),
        order=int(meta.get("order", 0)),
        retired=bool(meta.get("retired", False)),
        retired_message=meta.get("retired_message"),
        date_field=date_field,
        applies=expr(meta["applies"], "[form] applies") if "applies" in meta else None,
        applies_message=meta.get("applies_message"),
        register=meta.get("register"),
        requires=meta.get("requires"),
        episode=meta.get("episode"),
        opens_episode=bool(meta.get("opens_episode")),
        closes_episode=(
            expr(meta["closes_episode"], "[form] closes_episode")
            if "closes_episode" in meta
            else None
        ),
        checks=tuple(checks),
        rules=tuple(rules),
    )


def _load_field(
    file: str,
    index: int,
    raw: Any,
    seen: set[str],
    codes_dir: Path | None,
    cache: TomlCache | None = None,
) -> FieldDef:
    if not isinstance(raw, dict):
        raise FormFileError(file, f"第{index}个字段不是表")
    fid = raw.get("id")
    if not isinstance(fid, str) or not _IDENT.match(fid):
        raise FormFileError(file, f"第{index}个字段的 id 缺失或无效（小写字母、数字、下划线）")
    if fid in seen:
        raise FormFileError(file, "字段 id 重复", fid)
    seen.add(fid)
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise FormFileError(file, f"未知的属性 {'、'.join(sorted(unknown))}", fid)
    if not raw.get("label"):
        raise FormFileError(file, "缺少 label（中文名称）", fid)
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise FormFileError(file, f"类型 {ftype!r} 未知，应为 {'/'.join(FIELD_TYPES)} 之一", fid)
    for key in ("min", "max"):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int | float)):
            raise FormFileError(file, f"{key} 应为数字", fid)
    if "min" in raw and "max" in raw and raw["min"] > raw["max"]:
        raise FormFileError(file, f"min ({raw['min']}) 大于 max ({raw['max']})", fid)
    choices: tuple[Choice, ...] = ()
    choices_from = raw.get("choices_from")
    if ftype in ("choice", "multichoice"):
        if "choices" in raw:
            try:
                choices = tuple(Choice(str(c["code"]), str(c["label"])) for c in raw["choices"])
            except (TypeError, KeyError):
                raise FormFileError(file, "choices 每项应有 code 和 label", fid) from None
            codes = [c.code for c in choices]
            if len(set(codes)) != len(codes):
                raise FormFileError(file, "choices 中有重复的 code", fid)
        elif isinstance(choices_from, str) and choices_from.startswith("code:"):
            list_name = choices_from[5:]
            path = (codes_dir / f"{list_name}.toml") if codes_dir else None
            if path is None or not path.is_file():
                raise FormFileError(file, f"找不到代码表 {list_name}", fid)
            choices = load_code_list(path, cache)
        elif isinstance(choices_from, str) and choices_from.startswith("schedule:"):
            # the doses of an immunisation schedule (resources/schedules/, core.vaccines)
            choices = _schedule_choices(file, fid, choices_from[9:], codes_dir, cache)
        elif not isinstance(choices_from, str):
            raise FormFileError(file, "选择题需要 choices 或 choices_from", fid)
    elif "choices" in raw or choices_from:
        raise FormFileError(file, f"类型 {ftype} 不能有 choices", fid)
    exprs: dict[str, Expression | None] = {}
    for key in ("relevant", "compute"):
        src = raw.get(key)
        if src is None:
            exprs[key] = None
            continue
        try:
            exprs[key] = Expression(str(src))
        except ExpressionError as exc:
            raise FormFileError(file, f"{key}：{exc}", fid) from None
    rows = _load_rows(file, fid, ftype, raw, codes_dir, cache)
    if raw.get("irrelevant_message") is not None and raw.get("relevant") is None:
        raise FormFileError(file, "irrelevant_message 只用于有 relevant 的字段", fid)
    if raw.get("derived") is not None and raw["derived"] not in DERIVERS:
        raise FormFileError(file, f"derived 应为 {'/'.join(DERIVERS)} 之一", fid)
    if de_problem := de_code_problem(raw):
        raise FormFileError(file, de_problem, fid)
    if raw.get("pattern"):
        try:
            re.compile(raw["pattern"])
        except re.error as exc:
            raise FormFileError(file, f"pattern 无效：{exc}", fid) from None
    return FieldDef(
        id=fid,
        label=str(raw["label"]),
        type=ftype,
        required=bool(raw.get("required")),
        min=raw.get("min"),
        max=raw.get("max"),
        unit=raw.get("unit"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        pattern_hint=raw.get("pattern_hint"),
        choices=choices,
        choices_from=choices_from,
        relevant=exprs["relevant"],
        compute=exprs["compute"],
        default=raw.get("default"),
        de_code=raw.get("de_code"),
        de_qualifier=raw.get("de_qualifier"),
        unique=bool(raw.get("unique")),
        help=raw.get("help"),
        not_future=bool(raw.get("not_future")),
        group=raw.get("group"),
        derived=raw.get("derived"),
        readonly=bool(raw.get("readonly")),
        irrelevant_message=raw.get("irrelevant_message"),
        **rows,
    )


def _schedule_choices(
    file: str, fid: str, name: str, codes_dir: Path | None, cache: TomlCache | None = None
) -> tuple[Choice, ...]:
    path = codes_dir.parent / "schedules" / f"{name}.toml" if codes_dir else None
    if path is None or not path.is_file():
        raise FormFileError(file, f"找不到免疫程序 {name}", fid)
    try:
        return tuple(Choice(code, label) for code, label in vaccines.load(path, cache).choices())
    except vaccines.ScheduleError as exc:
        raise FormFileError(file, str(exc), fid) from None


def _load_rows(
    file: str,
    fid: str,
    ftype: str,
    raw: Mapping[str, Any],
    codes_dir: Path | None,
    cache: TomlCache | None = None,
) -> dict[str, Any]:
    """A repeating group's columns, max_rows, carry and row_checks (checked); nothing for
    another type, which may not have them."""
    if ftype == "rows" and "__" in fid:
        raise FormFileError(file, "rows 字段的 id 不能含连续两个下划线", fid)
    if ftype != "rows":
        given = [k for k in _ROWS_ONLY if k in raw]
        if given:
            raise FormFileError(file, f"只有 rows 类型可以有 {'、'.join(given)}", fid)
        return {}
    for key in ("compute", "derived", "unique", "default", "min", "max", "unit"):
        if key in raw:
            raise FormFileError(file, f"rows 类型不能有 {key}", fid)
    given_columns = raw.get("columns")
    if not isinstance(given_columns, list) or not given_columns:
        raise FormFileError(file, "rows 类型需要 [[fields.columns]]（每行的栏目）", fid)
    seen: set[str] = set()
    columns = []
    for i, col in enumerate(given_columns, start=1):
        column = _load_field(file, i, col, seen, codes_dir, cache)
        where = f"{fid}.{column.id}"
        if column.is_rows:
            raise FormFileError(file, "行内的栏目不能再是 rows", where)
        if column.relevant or column.compute or column.derived or column.unique:
            raise FormFileError(file, "行内的栏目不能有 relevant/compute/derived/unique", where)
        if column.dynamic_choices:
            raise FormFileError(file, "行内的栏目不能从数据库取选项", where)
        columns.append(column)
    max_rows = raw.get("max_rows")
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1
    ):
        raise FormFileError(file, "max_rows 应为正整数", fid)
    names = {c.id for c in columns}
    checks = []
    for i, check in enumerate(raw.get("row_checks", []), start=1):
        if not isinstance(check, dict) or not {"field", "when", "message"} <= set(check):
            raise FormFileError(file, f"第{i}条 row_checks 需要 field、when 和 message", fid)
        if check["field"] not in names:
            raise FormFileError(file, f"第{i}条 row_checks 的栏目 {check['field']} 不存在", fid)
        try:
            when = Expression(str(check["when"]))
        except ExpressionError as exc:
            raise FormFileError(file, f"第{i}条 row_checks：{exc}", fid) from None
        checks.append(Check(check["field"], when, str(check["message"])))
    return {
        "columns": tuple(columns),
        "max_rows": max_rows,
        "carry": bool(raw.get("carry")),
        "row_checks": tuple(checks),
    }


class FormRegistry:
    """All forms of a ``forms/`` folder, loaded and checked once at start-up."""

    def __init__(self, forms: Mapping[str, FormDef]) -> None:
        self._forms = dict(forms)
        self._registers = {
            key: form for key in REGISTERS for form in self._forms.values() if form.register == key
        }
        self._followups = {
            key: form
            for key in REGISTERS
            for form in self._forms.values()
            if form.requires == key and form.kind == "service"
        }
        self._openers = {
            key: form
            for key in EPISODES
            for form in self._forms.values()
            if form.episode == key and form.opens_episode
        }

    def register_forms(self) -> dict[str, FormDef]:
        """Register key (:data:`REGISTERS` order) → the form that opens it (its file says
        ``register = key``); registers without a loaded form are left out."""
        return dict(self._registers)

    def followup_form(self, register: str) -> FormDef | None:
        """The service form that follows a register's patients up (its file says
        ``requires = register``); None when none is loaded."""
        return self._followups.get(register)

    def episode_openers(self) -> dict[str, FormDef]:
        """Episode key (:data:`EPISODES` order) → the form that opens it (``episode = key``
        and ``opens_episode``); episodes without a loaded form are left out."""
        return dict(self._openers)

    @classmethod
    def load(
        cls, forms_dir: Path, codes_dir: Path | None = None, cache: Path | None = None
    ) -> FormRegistry:
        """Every form file of ``forms_dir``; ``cache``: a file remembering their parsed
        contents between runs (:mod:`.toml_cache`)."""
        parsed = TomlCache(cache)
        forms: dict[str, FormDef] = {}
        for path in sorted(forms_dir.glob("*.toml")):
            form = load_form(path, codes_dir, parsed)
            if form.id in forms:
                raise FormFileError(path.name, f"表单 id {form.id} 与 {forms[form.id].source} 重复")
            forms[form.id] = form
        parsed.save()
        return cls(forms)

    def __getitem__(self, form_id: str) -> FormDef:
        return self._forms[form_id]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._forms.values())

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._forms
