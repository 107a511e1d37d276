"""The key registration file (公钥登记文件, docs/exchange.md): how an organisation's public
key reaches its bureau. A small UTF-8 JSON object::

    {"format": "ygt-key-registration", "format_version": 1,
     "org_code": "530102001", "org_name": "…", "org_level": "站",
     "algorithm": "Ed25519", "public_key": "<base64 of the 32 raw bytes>",
     "created_at": "2026-10-08T09:30:00+08:00", "fingerprint": "ABCD-EFGH-IJKL-MNOP"}

The fingerprint (:func:`ygt_desktop.storage.keys.fingerprint`) is read out over the
phone: the bureau compares it with the one its program shows before trusting the file.
The reader never trusts the file: size, regular file, UTF-8, JSON object, every field
present and text, the key 32 bytes, the fingerprint recomputed — each refusal names the
file and the field.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from ..storage.keys import ALGORITHM, fingerprint, public_key_of, raw_public
from .atomic import save_export

FORMAT = "ygt-key-registration"
FORMAT_VERSION = 1
MAX_BYTES = 64 * 1024
FIELDS = (
    "org_code",
    "org_name",
    "org_level",
    "algorithm",
    "public_key",
    "created_at",
    "fingerprint",
)
_CODE = re.compile(r"\d{6,12}")


class RegistrationError(ValueError):
    """The file is not a usable registration file; the message names it and says why."""


@dataclass(frozen=True)
class Registration:
    org_code: str
    org_name: str
    org_level: str
    algorithm: str
    public_key: str
    created_at: str
    fingerprint: str


def registration_bytes(reg: Registration) -> bytes:
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(reg)}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_registration(reg: Registration, out: Path) -> None:
    """Write the file whole or not at all (ExportError with a Chinese reason)."""
    save_export(registration_bytes(reg), Path(out), "公钥登记文件")


def read_registration(path: Path) -> Registration:
    """The registration in ``path``; :class:`RegistrationError` for anything else."""
    path = Path(path)
    name = path.name or str(path)

    def bad(why: str) -> RegistrationError:
        return RegistrationError(f"公钥登记文件 {name}：{why}")

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise bad("文件不存在") from None
    except OSError as exc:
        raise bad(f"无法读取（{exc.strerror or exc}）") from None
    if stat.S_ISDIR(info.st_mode):
        raise bad("这是一个文件夹，请指定登记文件本身（.json）")
    if not stat.S_ISREG(info.st_mode):
        raise bad("不是普通文件（可能是管道或设备），未读取")
    if info.st_size > MAX_BYTES:
        raise bad(f"文件过大（{info.st_size} 字节），登记文件只有几百字节")
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise bad(f"无法读取（{exc.strerror or exc}）") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise bad("不是 UTF-8 编码的文本") from None
    except json.JSONDecodeError as exc:
        raise bad(f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）") from None
    if not isinstance(doc, dict):
        raise bad("内容应为一个 JSON 对象")
    if doc.get("format") != FORMAT:
        raise bad(f"format 应为 {FORMAT}，不是本系统导出的公钥登记文件")
    if doc.get("format_version") != FORMAT_VERSION:
        raise bad(f"format_version“{str(doc.get('format_version'))[:20]}”本程序不认识")
    values: dict[str, str] = {}
    for field in FIELDS:
        value = doc.get(field)
        if not isinstance(value, str) or not value.strip():
            raise bad(f"缺少字段 {field}，或其值不是文本")
        values[field] = value.strip()
    if not _CODE.fullmatch(values["org_code"]):
        raise bad(f"机构代码“{values['org_code'][:20]}”应为6–12位数字")
    if values["algorithm"] != ALGORITHM:
        raise bad(f"算法“{values['algorithm'][:20]}”不受支持（应为 {ALGORITHM}）")
    try:
        key = public_key_of(values["public_key"])
    except (ValueError, UnicodeEncodeError):
        raise bad("public_key 不是 base64 编码的 32 字节 Ed25519 公钥") from None

    expected = fingerprint(raw_public(key))
    given = values["fingerprint"].upper().replace(" ", "").replace("-", "")
    if given != expected.replace("-", ""):
        raise bad(f"指纹 {values['fingerprint'][:30]} 与公钥不符（按公钥计算应为 {expected}）")
    values["fingerprint"] = expected
    return Registration(**values)
