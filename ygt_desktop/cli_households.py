"""``ygt household …``: 家庭档案 without a screen.

    ygt household list [--search 文本] [--village 代码] [--limit N]    家庭列表
    ygt household show 户编号 | --resident 居民编号                     一户及其成员
    ygt household add --head 居民编号 [--no 户编号] [--address …] …     以该居民为户主新建家庭
    ygt household move 居民编号 --into 户编号 --relation 关系 [--new-head 居民编号]
    ygt household delete --number 户编号 [--reason 原因]               删除空户

A resident is named by the 居民编号 that ``ygt household show`` and ``ygt print`` use; a
relation by its GB/T 4761 code or name (``12`` or ``妻``). Exit status 0 done, 1
refused with the reason, 2 wrong usage — each in Chinese.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import cli_args as mv
from .cli_login import login_of
from .core.forms import FieldDef
from .core.households import HEAD, MEMBERS
from .ops import households as ops
from .ops.base import OpError
from .ops.station import opened
from .storage.workspace import load_forms

HOUSEHOLD_NO = "户编号"
RELATION = "关系"


@lru_cache(maxsize=1)
def _fields() -> dict[str, FieldDef]:
    form = load_forms()["household"]
    return {
        "relation": form.field(MEMBERS).columns[1],
        "structure": form.field("structure"),
        "living": form.field("living"),
    }


def _coded(field: str) -> Callable[[str], str]:
    """An option typed as a code or its name (``12`` or ``妻``) → the code."""

    def parse(text: str) -> str:
        f = _fields()[field]
        labels = f.choice_labels
        value = text.strip()
        if value in labels:
            return value
        by_label = {label: code for code, label in labels.items()}
        if value in by_label:
            return by_label[value]
        examples = "、".join(f"{c} {lab}" for c, lab in list(labels.items())[:6])
        raise argparse.ArgumentTypeError(f"{f.label}应为代码或名称，如 {examples} …（现为 {text}）")

    return parse


def _household_no(text: str) -> str:
    """A household number as typed (``101-00023``, or a number the station gave): one
    word of at most the form's length; whether it exists is the operation's to say."""
    value = text.strip()
    limit = load_forms()["household"].field("household_no").max_length or 20
    if not value or len(value) > limit or any(c.isspace() or not c.isprintable() for c in value):
        raise argparse.ArgumentTypeError(
            f"户编号应为不超过 {limit} 个字符、不含空格的编号，如 101-00023（现为 {text}）"
        )
    return value


def _relation(text: str) -> str:
    code = _coded("relation")(text)
    if code == HEAD:
        raise argparse.ArgumentTypeError(
            "迁入的家庭已有户主，关系不能是“户主”（要让他当户主，请用 ygt household add --head）"
        )
    return code


def _print_view(v: ops.HouseholdView) -> None:
    print(f"户编号 {v.household_no}　{v.village}　{v.address}")
    print(f"户主 {v.head}　家庭人口数 {v.size}", end="")
    extra = "　".join(
        x
        for x in (v.structure and f"家庭结构 {v.structure}", v.living and f"居住情况 {v.living}")
        if x
    )
    print(f"　{extra}" if extra else "")
    if v.note:
        print(f"备注 {v.note}")
    print("居民编号\t姓名\t性别\t年龄\t与户主关系\t档案号\t状态")
    for m in v.members:
        print(
            f"{m.resident_id}\t{m.name}\t{m.sex}\t{m.age}\t{m.relation}\t{m.archive_no}\t{m.status}"
        )


def cmd_list(args: argparse.Namespace) -> int:
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        rows = ops.find(run, args.search or "", limit=args.limit, village=args.village)
        names = ops.village_names(run)
    print("户编号\t居委/村委\t户主\t人口\t住址")
    for s in rows:
        village = names.get(s.village_code or "", s.village_code or "")
        head = s.head_name or "（无户主）"
        print(f"{s.household_no}\t{village}\t{head}\t{s.size}\t{s.address or ''}")
    print(
        f"共 {len(rows)} 户"
        + ("（已达上限，请用 --search 缩小范围）" if len(rows) >= args.limit else "")
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if (args.number is None) == (args.resident is None):
        raise OpError("请给出户编号，或用 --resident 指定居民（二者选一）。")
    with opened(Path(args.db), lock=False, login=login_of(args)) as run:
        if args.resident is not None:
            view = ops.of_resident(run, args.resident)
            if view is None:
                raise OpError(f"居民编号 {args.resident} 不在任何家庭档案中。")
        else:
            view = ops.view(run, ops.by_number(run, args.number))
    _print_view(view)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {
        k: v
        for k, v in (
            ("household_no", args.no),
            ("village_code", args.village),
            ("address", args.address),
            ("structure", args.structure),
            ("living", args.living),
            ("note", args.note),
        )
        if v is not None
    }
    with opened(Path(args.db), login=login_of(args)) as run:
        changes = ops.found(run, args.head, fields, new_head=args.new_head)
        view = ops.view(run, changes[0].record_id)
    print(f"已新建家庭档案 {view.household_no}，户主 {view.head}")
    if len(changes) > 1:
        print("已从原家庭迁出（原家庭的户主见 ygt household show --resident）")
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    with opened(Path(args.db), login=login_of(args)) as run:
        target = ops.by_number(run, args.into)
        ops.move(run, args.resident, target, args.relation, new_head=args.new_head)
        view = ops.view(run, target)
    member = next(m for m in view.members if m.resident_id == args.resident)
    print(f"已把 {member.name} 迁入家庭档案 {view.household_no}（与户主关系：{member.relation}）")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with opened(Path(args.db), login=login_of(args)) as run:
        hid = ops.by_number(run, args.number)
        ops.delete(run, hid, args.reason or ops.EMPTY_REASON)
    print(f"已删除空户 {args.number}（原因：{args.reason or ops.EMPTY_REASON}）")
    return 0


def register(sub: Any, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``household`` to ``ygt``'s subcommands."""
    household = sub.add_parser(
        "household", help="家庭档案：列出、查看、新建、成员迁入其他家庭、删除空户"
    )
    commands = household.add_subparsers(dest="household_command", required=True, metavar="操作")

    s = commands.add_parser("list", help="列出家庭档案（可按户编号、成员姓名或拼音首字母查找）")
    db_arg(s)
    s.add_argument(
        "--search",
        metavar="文本",
        help="户编号开头，或任一成员的姓名、拼音首字母、身份证号、档案号",
    )
    s.add_argument("--village", metavar="代码", help="只列这个居委/村委（3位代码）的家庭")
    s.add_argument(
        "--limit", type=mv.positive, default=200, metavar="条数", help="最多列出几户（默认 200）"
    )
    s.set_defaults(func=cmd_list)

    s = commands.add_parser("show", help="查看一户：户主、住址和成员（原成员也列出）")
    db_arg(s)
    s.add_argument("number", nargs="?", metavar=HOUSEHOLD_NO, help="户编号，如 101-00023")
    s.add_argument("--resident", type=mv.positive, metavar=mv.NUMBER, help="或：这位居民所在的家庭")
    s.set_defaults(func=cmd_show)

    s = commands.add_parser("add", help="以一位居民为户主新建家庭（他若在别的家庭，就从那里迁出）")
    db_arg(s)
    s.add_argument(
        "--head", type=mv.positive, required=True, metavar=mv.NUMBER, help="户主的居民编号"
    )
    s.add_argument("--no", metavar=HOUSEHOLD_NO, help="户编号（不填则按居委/村委自动编号）")
    s.add_argument("--village", metavar="代码", help="所属居委/村委（默认取户主的）")
    s.add_argument("--address", metavar="住址", help="家庭住址（默认取户主的现住址）")
    s.add_argument(
        "--structure",
        type=_coded("structure"),
        metavar="代码",
        help="家庭结构：代码或名称，如 3 或 核心家庭",
    )
    s.add_argument(
        "--living",
        type=_coded("living"),
        metavar="代码",
        help="居住情况：代码或名称，如 1 或 自有住房",
    )
    s.add_argument("--note", metavar="文本", help="备注")
    s.add_argument("--new-head", type=mv.positive, metavar=mv.NUMBER,
                   help="他原是另一户的户主时：那一户的新户主（居民编号）")  # fmt: skip
    s.set_defaults(func=cmd_add)

    s = commands.add_parser("move", help="把一位居民迁入另一个家庭（一次完成迁出和迁入）")
    db_arg(s)
    s.add_argument("resident", type=mv.positive, metavar=mv.NUMBER, help="要迁的居民编号")
    s.add_argument("--into", required=True, metavar=HOUSEHOLD_NO, help="迁入哪一户（户编号）")
    s.add_argument("--relation", type=_relation, required=True, metavar=RELATION,
                   help="与新户主的关系：国标 4761 家庭关系代码或名称，如 12 或 妻")  # fmt: skip
    s.add_argument("--new-head", type=mv.positive, metavar=mv.NUMBER,
                   help="他原是户主且原家庭还有人时：原家庭的新户主（居民编号）")  # fmt: skip
    s.set_defaults(func=cmd_move)

    s = commands.add_parser("delete", help="删除空户：成员（含原成员）都已迁出的家庭档案")
    db_arg(s)
    s.add_argument("--number", type=_household_no, required=True, metavar=HOUSEHOLD_NO,
                   help="要删除的户编号，如 101-00023")  # fmt: skip
    s.add_argument("--reason", metavar=mv.REASON,
                   help=f"删除原因（记入审计日志；默认“{ops.EMPTY_REASON}”）")  # fmt: skip
    s.set_defaults(func=cmd_delete)
