"""Chinese help and errors for the ``nianbao`` command, aligned for double-width characters.

argparse takes its own words (``usage:``, ``show this help message and exit``, its error messages)
from gettext and measures columns with ``len()``, which counts a Han character as one column where
a terminal shows two. ``chinese()`` swaps argparse's gettext for this catalogue while the command
line is parsed or help is printed, and ``Formatter`` measures and wraps by display width.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

CATALOGUE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（运行 %(prog)s --help 查看用法）\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "one of the arguments %s is required": "必须给出其中一个参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可用的命令：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
}
TYPE_NAMES = {"int": "整数", "float": "数字"}


def _gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    """Let argparse speak Chinese inside the block (it looks its words up in ``argparse._``)."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = _gettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def width(text: str) -> int:
    """Return the columns a terminal gives ``text`` (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns`` display columns, at spaces or between Han characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for token in re.findall(r"[^\s\u2e80-\u9fff\uff00-\uffef]+[，。、；：）》」]?|\S|\s+", paragraph):
            size = width(token)
            if token.isspace():
                if line and used + size <= columns:
                    line, used = line + " ", used + 1
                continue
            if line and used + size > columns:
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + token, used + size
        lines.append(line.rstrip())
    return lines


class Formatter(argparse.HelpFormatter):
    """argparse's layout measured in display columns, so Chinese help lines up and wraps in place."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_help_position", 30)
        kwargs.setdefault("width", min(shutil.get_terminal_size().columns - 2, 100))
        super().__init__(prog, **kwargs)

    def format_help(self) -> str:
        # argparse ends section headings with an ASCII colon: a Chinese heading takes the full-width one.
        return re.sub(r"^(\S[^\n]*[^\x00-\x7f]):$", r"\1：", super().format_help(), flags=re.M)

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        invocations = [] if isinstance(action, argparse._SubParsersAction) else [self._format_action_invocation(action)]
        for sub in self._iter_indented_subactions(action):
            invocations.append(self._format_action_invocation(sub))
        longest = max(width(i) for i in invocations) + self._current_indent
        self._action_max_length = max(self._action_max_length, longest)
        self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):  # list the commands, not the "命令" placeholder
            return self._join_parts([self._format_action(sub) for sub in action._get_subactions()])
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 20)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts = [f"{indent}{header}\n"]
            lines: list[str] = []
        elif width(header) <= action_width:
            lines = wrap(self._expand_help(action), help_width)
            parts = [f"{indent}{header}{' ' * (action_width - width(header))}  {lines[0]}\n"]
            lines = lines[1:]
        else:
            parts = [f"{indent}{header}\n"]
            lines = wrap(self._expand_help(action), help_width)
        parts.extend(f"{' ' * help_position}{line}\n" for line in lines)
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any) -> str:
        # argparse wraps the usage line by len(): lay it out on one line, then wrap by display width.
        saved, self._width = self._width, 10**6
        try:
            line = super()._format_usage(usage, actions, groups, prefix).strip("\n")
        finally:
            self._width = saved
        lead = (prefix if prefix is not None else _gettext("usage: ")) + self._prog
        if not line.startswith(lead) or width(line) <= self._width:
            return line + "\n\n"
        parts = re.findall(r"\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+", line[len(lead):])
        indent = " " * (width(lead) + 1)
        lines, current = [], lead
        for part in parts:
            if width(current) + 1 + width(part) > self._width and current.strip() and current != lead:
                lines.append(current)
                current = indent + part
            else:
                current += " " + part
        lines.append(current)
        return "\n".join(lines) + "\n\n"

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return action.dest


def type_names(parser: argparse.ArgumentParser, actions: Iterable[argparse.Action] | None = None) -> None:
    """Name argument types in Chinese in argparse's 'invalid value' errors (it prints the type's __name__)."""
    for action in actions if actions is not None else parser._actions:
        name = getattr(action.type, "__name__", "")
        if name in TYPE_NAMES:
            action.type = _named(action.type, TYPE_NAMES[name])
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                type_names(sub)


def _named(convert: Any, name: str) -> Any:
    def parse(value: str) -> Any:
        return convert(value)

    parse.__name__ = name
    return parse
