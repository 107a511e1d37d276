"""Opening an ``.xlsx`` file nobody vouches for (a member's upward workbook on a USB
stick): the zip container and its XML parts, checked before anything is parsed and
read with every size bounded. Nothing is ever extracted to disk.

:class:`Package` reads the whole file into memory (at most ``Limits.max_file_bytes``;
the bytes hashed are the bytes parsed) and refuses, with a :class:`WorkbookRejected`:
an empty or oversized file; anything that is not a zip (an old ``.xls`` or an
encrypted workbook, both OLE compound files, are told apart); a truncated or corrupt
zip; more members, a larger central directory, a larger declared total or a higher
compression ratio than the limits allow; member names that are absolute, hold ``..``
or back-slashes, or repeat; encrypted members, compression methods Excel does not use,
members that overlap; macros (``vbaProject.bin``, macro sheets, macro-enabled content
types). The member count is read from the end-of-central-directory record before
:mod:`zipfile` builds its directory, so a file listing a million members allocates
nothing.

:meth:`Package.chunks` inflates a member itself in 64 KiB pieces and stops as soon
as the output passes the size the directory declared (the zip bomb that lies about its
size) or the total passes ``max_total_bytes``; CRC and length are checked at the end.
:func:`parse_part` feeds those pieces to defusedxml's parser (no DTD, no entities, no
external references) with a *target* of the caller's instead of a tree builder, so
nothing is kept but what the target keeps; a single tag or text run longer than
``max_token_bytes``, nesting deeper than 64 or more than ``max_xml_elements`` elements
are refused.

Pure functions of bytes; safe in a worker thread.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, NoReturn, Protocol

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

MiB = 1024 * 1024
CHUNK = 64 * 1024
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_LOCAL = struct.Struct("<4s5H3L2H")
_CD_ENTRY_BYTES = 1024  # a generous size for one directory entry (xlsx names are short)
_MAX_DEPTH = 64
_MACRO_TYPES = ("macroenabled", "vbaproject", "macrosheet", "activex")


@dataclass(frozen=True)
class Limits:
    """Caps for reading one untrusted workbook. The defaults are far above a real
    upward workbook (≈ 40 KB, 15 members, 60 rows) and far below what hurts a PC."""

    max_file_bytes: int = 20 * MiB
    max_members: int = 200
    max_total_bytes: int = 100 * MiB  # uncompressed, declared and as actually inflated
    max_ratio: float = 100.0  # per member, uncompressed ÷ compressed ...
    ratio_exempt_bytes: int = 1 * MiB  # ... for members larger than this
    max_sheets: int = 50
    max_data_rows: int = 2_000  # _data and _meta
    max_visible_rows: int = 5_000
    max_columns: int = 50
    max_shared_strings: int = 100_000
    max_text_chars: int = 32_767  # Excel's own limit for one cell
    max_xml_elements: int = 1_000_000  # per XML part
    max_token_bytes: int = 1 * MiB  # one tag or one run of text


class WorkbookRejected(Exception):
    """A file that is not imported. ``reason`` is a Chinese sentence naming the file
    (and the sheet, row or field where it applies); ``detail`` is the same without the
    file name; ``code`` a short stable code for logs and tests."""

    def __init__(self, code: str, detail: str, file: str = "") -> None:
        self.code = code
        self.detail = detail
        self.file = file
        self.reason = f"{file}：{detail}" if file else detail
        super().__init__(self.reason)


class XmlTarget(Protocol):
    def start(self, tag: str, attrib: dict[str, str]) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...
    def close(self) -> Any: ...


class StopParsing(Exception):
    """Raised by a target that has read all it needs (the rest of the part is skipped)."""


def local_name(tag: str) -> str:
    """``{namespace}row`` → ``row`` (transitional and strict OOXML alike)."""
    return tag.rpartition("}")[2]


class Package:
    """The checked zip of one file; see the module docstring."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.file = path.name
        self.limits = limits
        with path.open("rb") as f:  # OSError (unplugged stick, no permission) goes up
            # read() with a size allocates that size first: ask for what is there
            size = min(os.fstat(f.fileno()).st_size, limits.max_file_bytes)
            data = f.read(size + 1)
        if not data:
            self.reject("empty", "文件是空的（0 字节），可能复制时出错，请重新复制")
        if len(data) > limits.max_file_bytes:
            self.reject(
                "too_big",
                f"文件超过 {limits.max_file_bytes / MiB:g} MB，"
                "不是上报工作簿（上报工作簿通常不到 100 KB）",
            )
        self.data = data
        self.total = 0  # bytes inflated so far
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._starts: dict[str, int] = {}
        self._open()

    def reject(self, code: str, detail: str) -> NoReturn:
        raise WorkbookRejected(code, detail, self.file)

    # ---- the container --------------------------------------------------------------

    def _open(self) -> None:
        data, lim = self.data, self.limits
        if data.startswith(OLE_SIGNATURE):
            if any(s in data for s in _ENCRYPTED_STREAMS):
                self.reject(
                    "encrypted",
                    "工作簿有密码保护，无法读取。请在 Excel/WPS 中取消"
                    "打开密码后重新保存，或由本系统重新导出",
                )
            self.reject("old_xls", "不是 .xlsx 工作簿（可能是旧版 .xls，请用“另存为 .xlsx”）")
        if not data.startswith(b"PK"):
            hint = (
                "像是网页或文本文件改了扩展名"
                if data.lstrip()[:1] in (b"<", b"{")
                else "文件格式无法识别"
            )
            self.reject("not_zip", f"不是 .xlsx 工作簿（{hint}）")
        entries, cd_size = self._directory_size()
        if entries > lim.max_members or cd_size > lim.max_members * _CD_ENTRY_BYTES:
            self.reject(
                "too_many_members",
                f"压缩包内文件过多（{entries} 个，上限 {lim.max_members} 个），不是上报工作簿",
            )
        try:
            infos = zipfile.ZipFile(BytesIO(data)).infolist()
        except (
            zipfile.BadZipFile,
            ValueError,
            EOFError,
            struct.error,
            OverflowError,
            NotImplementedError,
        ):  # a version field out of range
            self.reject("corrupt", "文件已损坏（压缩包目录无法读取），请重新导出或重新复制")
        if len(infos) > lim.max_members:
            self.reject(
                "too_many_members",
                f"压缩包内文件过多（{len(infos)} 个，上限 {lim.max_members} 个），不是上报工作簿",
            )
        declared = 0
        spans = []
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            self._check_name(name)
            if name.casefold() in seen:
                self.reject("zip_structure", f"压缩包内有重名的文件 {name}")
            seen.add(name.casefold())
            if info.flag_bits & 0x1:
                self.reject("encrypted", "工作簿有密码保护（压缩包已加密），无法读取")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.reject("zip_structure", f"压缩包内的 {name} 使用了 Excel 不用的压缩方式")
            if name.rpartition("/")[2].casefold() == "vbaproject.bin" or name.casefold().startswith(
                ("xl/macrosheets/", "xl/dialogsheets/")
            ):
                self.reject(
                    "macro",
                    "工作簿含有宏（VBA 或宏表），为安全起见不予读取。请另存为不含宏的 .xlsx 工作簿",
                )
            declared += info.file_size
            if info.file_size > lim.max_total_bytes or declared > lim.max_total_bytes:
                self.reject(
                    "zip_bomb",
                    f"解压后将超过 {lim.max_total_bytes / MiB:g} MB"
                    f"（{name} 声明 {info.file_size:,} 字节），可能是压缩炸弹",
                )
            if info.file_size > lim.ratio_exempt_bytes and info.file_size > lim.max_ratio * max(
                info.compress_size, 1
            ):
                ratio = info.file_size / max(info.compress_size, 1)
                self.reject(
                    "zip_bomb",
                    f"{name} 的压缩比为 {ratio:,.0f} 倍（上限 "
                    f"{lim.max_ratio:g} 倍），可能是压缩炸弹",
                )
            start = self._local_start(info)
            spans.append((info.header_offset, start + info.compress_size, name))
            self._infos[name] = info
            self._starts[name] = start
        spans.sort()
        for (_, end, name), (offset, _, other) in zip(spans, spans[1:], strict=False):
            if end > offset:
                self.reject(
                    "zip_structure", f"压缩包内的 {name} 与 {other} 互相重叠，文件被篡改或损坏"
                )

    def _directory_size(self) -> tuple[int, int]:
        """Entries and size of the central directory from the end record (zip64 too),
        before :mod:`zipfile` allocates anything for them."""
        data = self.data
        pos = data.rfind(b"PK\x05\x06", max(0, len(data) - _EOCD.size - 0xFFFF))
        if pos < 0 or len(data) - pos < _EOCD.size:
            self.reject("truncated", "文件不完整（可能复制时中断或 U 盘被拔出），请重新复制")
        _, disk, cd_disk, _, entries, cd_size, cd_offset, _ = _EOCD.unpack_from(data, pos)
        if disk or cd_disk:
            self.reject("zip_structure", "分卷压缩包不是 .xlsx 工作簿")
        if entries == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
            loc = pos - _ZIP64_LOCATOR.size
            if loc < 0 or data[loc : loc + 4] != b"PK\x06\x07":
                self.reject("corrupt", "文件已损坏（压缩包目录无法读取）")
            offset = _ZIP64_LOCATOR.unpack_from(data, loc)[2]
            if offset + _ZIP64_EOCD.size > len(data) or data[offset : offset + 4] != b"PK\x06\x06":
                self.reject("corrupt", "文件已损坏（压缩包目录无法读取）")
            record = _ZIP64_EOCD.unpack_from(data, offset)
            entries, cd_size = record[6], record[7]
        return entries, cd_size

    def _check_name(self, name: str) -> None:
        parts = name.split("/")
        if (
            not name
            or "\\" in name
            or "\x00" in name
            or name.startswith("/")
            or (len(name) > 1 and name[1] == ":")
            or ".." in parts
        ):
            self.reject(
                "bad_path", f"压缩包内的文件名“{name[:80]}”不安全（绝对路径或含 ..），文件被篡改"
            )

    def _local_start(self, info: zipfile.ZipInfo) -> int:
        """Where the member's data begin, after its local header (checked against the
        directory: a different name there is a known way to fool other readers)."""
        offset = info.header_offset
        if offset < 0 or offset + _LOCAL.size > len(self.data):
            self.reject("truncated", "文件不完整（可能复制时中断或 U 盘被拔出），请重新复制")
        header = _LOCAL.unpack_from(self.data, offset)
        if header[0] != b"PK\x03\x04":
            self.reject("corrupt", f"文件已损坏（{info.filename} 的位置不对）")
        name_len, extra_len = int(header[9]), int(header[10])
        start = offset + _LOCAL.size + name_len + extra_len
        raw_name = self.data[offset + _LOCAL.size : offset + _LOCAL.size + name_len]
        expected = info.orig_filename.encode(
            "utf-8" if info.flag_bits & 0x800 else "cp437", errors="replace"
        )
        if raw_name != expected:
            self.reject(
                "zip_structure", f"压缩包内 {info.filename} 的名称前后不一致，文件被篡改或损坏"
            )
        if start + info.compress_size > len(self.data):
            self.reject("truncated", "文件不完整（可能复制时中断或 U 盘被拔出），请重新复制")
        return start

    # ---- members ----------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def chunks(self, name: str) -> Iterator[bytes]:
        """The inflated bytes of member ``name`` in pieces of at most 64 KiB."""
        info = self._infos[name]
        start = self._starts[name]
        raw = memoryview(self.data)[start : start + info.compress_size]
        produced = 0
        crc = 0
        for out in self._inflate(raw, info):
            produced += len(out)
            self.total += len(out)
            if produced > info.file_size:
                self.reject(
                    "zip_bomb",
                    f"{name} 解压后超过它声明的大小（{info.file_size:,} 字节），"
                    "可能是压缩炸弹或文件已损坏",
                )
            if self.total > self.limits.max_total_bytes:
                self.reject(
                    "zip_bomb",
                    f"解压后超过 {self.limits.max_total_bytes / MiB:g} MB，可能是压缩炸弹",
                )
            crc = zlib.crc32(out, crc)
            yield out
        if produced != info.file_size or crc != info.CRC:
            self.reject("corrupt", f"文件已损坏（{name} 的内容校验不符），请重新导出或重新复制")

    def _inflate(self, raw: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
        if info.compress_type == zipfile.ZIP_STORED:
            for i in range(0, len(raw), CHUNK):
                yield bytes(raw[i : i + CHUNK])
            return
        inflater = zlib.decompressobj(-15)
        try:
            for i in range(0, len(raw), CHUNK):
                pending: bytes | memoryview = raw[i : i + CHUNK]
                while True:
                    out = inflater.decompress(pending, CHUNK)
                    if out:
                        yield out
                    pending = inflater.unconsumed_tail
                    if inflater.eof or (not pending and len(out) < CHUNK):
                        break
                if inflater.eof:
                    return
        except zlib.error:
            pass
        self.reject("corrupt", f"文件已损坏（{info.filename} 无法解压），请重新导出或重新复制")

    def read_small(self, name: str, cap: int) -> bytes:
        """A whole member that must be small (at most ``cap`` bytes inflated)."""
        if self._infos[name].file_size > cap:
            self.reject("zip_structure", f"压缩包内的 {name} 过大")
        return b"".join(self.chunks(name))


def parse_part(package: Package, name: str, target: XmlTarget, where: str) -> None:
    """Parse member ``name`` with defusedxml, events to ``target`` (see module
    docstring). ``where`` names the part for people: 「工作表“_data”」."""
    lim = package.limits
    guard = _Guard(target, lim.max_xml_elements, package, where)
    parser = DefusedXMLParser(
        target=guard, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    run = 0  # bytes since the last '>': one tag or one text run
    try:
        for chunk in package.chunks(name):
            first = chunk.find(b">")
            longest = run + (len(chunk) if first < 0 else first)
            run = longest if first < 0 else len(chunk) - chunk.rfind(b">") - 1
            if longest > lim.max_token_bytes:
                package.reject(
                    "bad_xml",
                    f"{where}中有过长的 XML 标记或文本（超过 "
                    f"{lim.max_token_bytes / MiB:g} MB），不予读取",
                )
            parser.feed(chunk)
        parser.close()
    except StopParsing:
        return
    except DefusedXmlException:
        package.reject("xml_attack", f"{where}含有 DTD 或实体声明（XML 攻击手法），不予读取")
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        package.reject(
            "bad_xml", f"{where}的 XML 格式错误（第 {line} 行第 {column} 列），文件已损坏"
        )


class _Guard:
    """Counts elements and depth before handing events on."""

    def __init__(self, target: XmlTarget, budget: int, package: Package, where: str) -> None:
        self.target = target
        self.budget = budget
        self.depth = 0
        self.package = package
        self.where = where
        self.data = target.data
        self.end_tag = target.end

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.budget -= 1
        self.depth += 1
        if self.budget < 0 or self.depth > _MAX_DEPTH:
            what = "元素过多" if self.budget < 0 else "嵌套过深"
            self.package.reject("bad_xml", f"{self.where}的 XML {what}，不予读取")
        self.target.start(tag, attrib)

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.end_tag(tag)

    def close(self) -> Any:
        return self.target.close()


def is_macro_type(content_type: str) -> bool:
    return any(word in content_type.casefold() for word in _MACRO_TYPES)
