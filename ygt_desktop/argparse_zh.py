"""argparse in Chinese: ``ygt --help`` and its usage errors, and ``ygt-desktop``'s.

argparse looks every text it prints up through gettext when it runs (``_('usage: ')``,
``_('the following arguments are required: %s')`` …); :func:`install` points those
look-ups at :data:`MESSAGES`, which translates every message id of Python 3.11–3.13's
argparse. The headings and the ``-h`` help are looked up when a parser is built, so the
entry points call :func:`install` before building theirs. A message id not in the table
(a later Python's new one) is printed as argparse wrote it.

Process-wide by design: both entry points are whole programs whose every parser should
speak Chinese. Calling it again does nothing. A top-level module beside ``paths.py``, not
a ``cli_*`` one: the window (``ui``) may not import the command line's modules.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, str] = {
    # help
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",  # before 3.10; harmless to keep
    "subcommands": "子命令",
    # 3.13 looks the heading's colon up; before, it is written as is: keep it alike.
    "%(heading)s:": "%(heading)s:",
    " (default: %(default)s)": "（默认：%(default)s）",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    # usage errors (exit status 2)
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必填的参数：%s",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "%(value)r 不是可选的值（可选：%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "expected one argument": "后面应跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少应跟一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 不明确，可能是：%(matches)s"
    ),
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "不接受值（多给了 %r）",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "没有命令 %(parser_name)r（可选：%(choices)s）"
    ),
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已停用",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已停用",
    "option '%(option)s' is deprecated": "选项“%(option)s”已停用",
    # mistakes in building a parser (a programmer sees these, still in Chinese)
    "'required' is an invalid argument for positionals": "位置参数不能用 required",
    "%r is not callable": "%r 不可调用",
    ".__call__() not defined": ".__call__() 未定义",
    'argument "-" with mode %r': "参数“-”不能用模式 %r",
    "cannot have multiple subparser arguments": "只能有一组子命令",
    "cannot merge actions - two groups are named %r": "无法合并：有两个参数组都叫 %r",
    "conflicting subparser alias: %s": "子命令别名冲突：%s",
    "conflicting subparser: %s": "子命令冲突：%s",
    "dest= is required for options like %r": "%r 这样的选项须指定 dest=",
    "invalid conflict_resolution value: %r": "conflict_resolution 的值无效：%r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "选项 %(option)r 无效：应以 %(prefix_chars)r 中的字符开头"
    ),
    "mutually exclusive arguments must be optional": "互斥的参数必须是可选参数",
}

PLURALS: dict[str, str] = {
    "expected %s argument": "后面应跟 %s 个值",
    "conflicting option string: %s": "选项冲突：%s",
}

# ``invalid %(type)s value`` names the converter function; these are said in Chinese.
TYPE_NAMES: dict[str, str] = {
    "int": "整数",
    "float": "数字",
    "Path": "路径",
    "PosixPath": "路径",
    "WindowsPath": "路径",
    "str": "文字",
    "FileType": "文件",
}


class _TypedMessage(str):
    """The ``invalid %(type)s value`` message: formatting it says the type in Chinese
    (argparse fills in the converter's ``__name__``, e.g. ``int``)."""

    def __mod__(self, args: Any) -> str:
        if isinstance(args, Mapping) and "type" in args:
            name = TYPE_NAMES.get(str(args["type"]), "值")
            args = {**args, "type": name}
        return str.__mod__(str(self), args)


def gettext(message: str) -> str:
    """argparse's ``_``: the Chinese text of ``message``, else ``message`` itself."""
    text = MESSAGES.get(message, message)
    if message == "invalid %(type)s value: %(value)r":
        return _TypedMessage(text)
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """argparse's ``ngettext`` (Chinese has one form for any count)."""
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if n == 1 else plural


def width(text: str) -> int:
    """Columns ``text`` takes in a console: a Chinese character or full-width sign two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# Chinese wraps between any two characters, but not before closing punctuation.
_PIECES = re.compile(r"\s+|[^\s\u2e80-\uffef]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】”’")


class WideHelpFormatter(argparse.HelpFormatter):
    """argparse's help with Chinese in it: columns are aligned and lines wrapped by the
    width a console shows (argparse counts characters, and a Chinese one takes two
    columns), and Chinese text wraps without spaces. ``_format_action`` is argparse's
    own (3.11–3.13) with the character counts made display widths."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            shown = [action, *self._iter_indented_subactions(action)]
            longest = max(width(self._format_action_invocation(a)) for a in shown)
            self._action_max_length = max(self._action_max_length, longest + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            header = f"{'':{self._current_indent}}{header}\n"
        elif width(header) <= action_width:
            padding = " " * (action_width - width(header))
            header = f"{'':{self._current_indent}}{header}{padding}  "
        else:
            header = f"{'':{self._current_indent}}{header}\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(f"{'':{indent_first}}{lines[0]}\n")
                parts.extend(f"{'':{help_position}}{line}\n" for line in lines[1:])
        elif not header.endswith("\n"):
            parts.append("\n")
        for subaction in self._iter_indented_subactions(action):
            parts.append(self._format_action(subaction))
        return self._join_parts(parts)

    def _split_lines(self, text: str, columns: int) -> list[str]:
        lines: list[list[str]] = [[]]
        for piece in _PIECES.findall(" ".join(text.split())):
            line = lines[-1]
            if piece == " " and not line:
                continue
            if line and width("".join(line).rstrip() + piece) > columns:
                # Closing punctuation does not start a line: the character before goes too.
                carried = [line.pop()] if piece in _NO_LINE_START and len(line) > 1 else []
                lines.append([*carried, piece] if piece != " " else carried)
            else:
                line.append(piece)
        return ["".join(line).rstrip() for line in lines if "".join(line).strip()] or [""]


def install() -> None:
    """Make argparse speak Chinese from now on, in this process. Call before building
    a parser (its headings and ``-h`` help are looked up then)."""
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    # Before 3.13 ``--version``'s help is a plain default argument, not looked up.
    init = argparse._VersionAction.__init__
    defaults = init.__defaults__ or ()
    init.__defaults__ = tuple(MESSAGES.get(d, d) if isinstance(d, str) else d for d in defaults)
    # Every parser (sub-commands' too) formats its help with the width a console shows.
    parser = argparse.ArgumentParser.__init__
    parser.__defaults__ = tuple(
        WideHelpFormatter if d is argparse.HelpFormatter else d for d in parser.__defaults__ or ()
    )
