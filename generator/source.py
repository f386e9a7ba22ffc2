"""Read a report file into a YAML node tree that remembers lines, never raising.

PyYAML's ``safe_load`` loses line numbers and silently keeps the last of two equal keys, so the
loader composes nodes (libyaml when available) and hands the tree to the reader, which builds the
report and points every finding at a line. Problems of the file itself (encoding, BOM, CRLF,
syntax, anchors) become findings here.
"""

from __future__ import annotations

import errno
import itertools
import operator
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, Location
from .messages import finding

_Parser: Any
try:  # libyaml is an order of magnitude faster; pure Python is the fallback
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Loader(_Parser, yaml.resolver.BaseResolver):  # type: ignore[misc]
    """Compose nodes without resolving implicit tags: the reader parses every scalar itself.

    PyYAML's resolver runs in Python for every scalar and took over half of the load time; the
    reader needs plain text anyway (YAML 1.1 would read 010 as 8 and 1:20 as 80).
    """

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _MAP if kind is yaml.MappingNode else _SEQ

    # The composer calls these around every node, for path resolvers, which nianbao never adds:
    # built-in no-ops instead of Python methods (two calls per node, 5% of checking a file).
    descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]  # (parent, index) -> ignored
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]  # () -> ignored

MAX_BYTES = 2_000_000  # a real report is 10–60 KB; anything this large is not one
# Every YAML node needs a separator before it (a line break, comma, colon, bracket or dash); a real
# report has about 600 of them. Composing 2 MB of ``a: 0`` lines took 14 s and 380 MB (400,000
# findings), so a file with more separators than this is refused before it is composed.
MAX_SEPARATORS = 20_000
_SEPARATOR = re.compile(r"[\n,:\[{-]")
ALIAS_PROBLEM = "不支持 YAML 的锚点和别名（& 与 *），请直接写出内容"

# PyYAML problems, in Chinese for editors; matched on the start of the English problem text.
_PROBLEMS = (
    ("found character '\\t' that cannot start any token", "不能用制表符（Tab）缩进或分隔，请改用空格"),
    ("found a tab character", "不能用制表符（Tab）缩进，请改用空格"),
    ("mapping values are not allowed", "此处不能出现冒号“: ”；文字中含英文冒号时请整段加引号，或改用中文冒号“：”"),
    ("could not find expected ':'", "缺少冒号“: ”，或者上一行的引号没有闭合"),
    ("expected <block end>, but found", "缩进不一致：同一层的键必须左对齐"),
    ("did not find expected key", "缩进不一致或多余的内容：同一层的键必须左对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found unknown escape character", "双引号中的反斜杠“\\”构成了无效的转义，请改用单引号或去掉反斜杠"),
    ("expected alphabetic or numeric character", "“&”或“*”后应为锚点名称；若是正文内容请加引号"),
    ("did not find expected alphabetic or numeric character", "“&”或“*”后应为锚点名称；若是正文内容请加引号"),
    ("did not find expected ',' or '}'", "花括号 {…} 中缺少逗号“, ”或右括号“}”（表格的一行应写在同一行内）"),
    ("did not find expected ',' or ']'", "方括号 […] 中缺少逗号“, ”或右括号“]”"),
    ("exceeded maximum nesting depth", "嵌套层次过深，报告不需要这么多层"),
    ("found duplicate anchor", "不支持 YAML 的锚点和别名（& 与 *），且同一个锚点名出现了两次；若是正文内容请加引号"),
    ("found undefined alias", "使用了未定义的别名（*）；若是正文内容请加引号"),
    ("found character that cannot start any token", "此处的字符（如 @、` 或 %）不能作为内容的开头，请给整段文字加引号"),
    ("expected a single document", "文件中只能有一份报告（不能出现第二个“---”）"),
    ("found unexpected ':'", "此处不能出现冒号，请给文字加引号"),
    ("did not find expected <document start>", "此处的内容不属于任何一个键：检查缩进，或者这一行是否缺少“键: ”"),
    ("did not find expected node content", "此处缺少内容：逗号、括号或“- ”多余，或者冒号后面缺少值"),
    ("block sequence entries are not allowed", "此处不能出现列表项“- ”：检查缩进；若是正文内容请加引号"),
    ("mapping keys are not allowed", "此处不能出现“? ”；若是正文内容请加引号"),
    ("did not find expected comment or line break", "引号闭合后或“|”“>”之后，同一行不能再写其他文字"),
    ("found unexpected document indicator", "文字中出现了单独的“---”或“...”，请给这段文字加引号"),
    ("did not find expected hexdecimal number", "双引号中“\\x”“\\u”转义的写法有误，请改用单引号或去掉反斜杠"),
    ("found invalid Unicode character escape code", "双引号中“\\u”转义的写法有误，请改用单引号或去掉反斜杠"),
    ("found an indentation indicator equal to 0", "多行文字块（| 或 >）后的缩进数字不能为 0"),
    ("control characters are not allowed", "文件中含有不可见的控制字符，请删除"),
    ("while scanning a tag", "以“!”开头的标记有误，报告中不使用标签；若是正文内容请加引号"),
    ("while parsing a tag", "以“!”开头的标记有误，报告中不使用标签；若是正文内容请加引号"),
    ("found undefined tag handle", "以“!”开头的标记有误，报告中不使用标签；若是正文内容请加引号"),
    ("while scanning a directive", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("while scanning a %", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("while parsing a %", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("found incompatible YAML document", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("found duplicate %", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("found unknown directive name", "以“%”开头的行是 YAML 指令，报告中不使用；若是正文内容请加引号"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("while scanning a block scalar", "多行文字块（| 或 >）的写法有误"),
    ("special characters are not allowed", "文件中含有不可见的控制字符，请删除"),
    ("unacceptable character", "文件中含有不可见的控制字符，请删除"),
)


@dataclass
class Source:
    """A report file: its path as shown to editors, its text and its node tree."""

    path: Path
    display: str
    text: str = ""
    root: yaml.Node | None = None
    findings: list[Finding] = field(default_factory=list)
    aliases: int = 0  # aliases (*name) found, each already reported where it is written

    def at(self, node: yaml.Node | None) -> Location:
        if node is None:
            return Location(self.display, 1, 1)
        mark = node.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1)


def _chinese_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    for english, chinese in _PROBLEMS:
        if problem.startswith(english) or context.startswith(english):
            return chinese
    return f"无法解析（{problem}）"


def _decode(data: bytes, src: Source) -> str | None:
    where = Location(src.display, 1, 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        src.findings.append(finding("F1", where, detail="（看起来是 UTF-16 编码，常见于 Windows 记事本的“Unicode”选项）"))
        return None
    if b"\x00" in data:
        src.findings.append(finding("F1", where, detail="（文件含有 NUL 字节，不是文本文件）"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        src.findings.append(finding("F2", where))
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = Location(src.display, line, exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1)
        try:
            data.decode("gb18030")
            detail = "（看起来是 GBK/GB18030 编码，常见于 Windows 记事本或 WPS 保存的文件）"
        except UnicodeDecodeError:
            detail = f"（第 {line} 行出现无法识别的字节）"
        src.findings.append(finding("F1", bad, detail=detail))
        return None


# libyaml (YAML 1.1) also breaks lines at NEL, LS and PS, which text pasted from web pages carries;
# editors do not, so every line number after one would be off by one: read them as spaces.
_YAML11_BREAKS = str.maketrans({"\x85": " ", "\u2028": " ", "\u2029": " "})


def _line_endings(text: str, src: Source) -> str:
    if "\x85" in text or "\u2028" in text or "\u2029" in text:  # rare: skip the slow translate
        text = text.translate(_YAML11_BREAKS)
    if "\r" not in text:
        return text
    line = text.count("\n", 0, text.index("\r")) + 1
    src.findings.append(finding("F3", Location(src.display, line, 1)))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _compose(text: str, src: Source) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        src.findings.append(finding("F4", Location(src.display, line, column), problem=_chinese_problem(exc)))
        return None
    except yaml.YAMLError as exc:
        where = Location(src.display, 1, 1)
        character = getattr(exc, "character", None)  # a ReaderError names the bad character, not its line
        if isinstance(character, int) and chr(character) in text:
            offset = text.index(chr(character))
            where = Location(src.display, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))
        src.findings.append(finding("F4", where, problem=_chinese_problem(exc)))
        return None
    except RecursionError:
        src.findings.append(finding("F7", Location(src.display, 1, 1), problem="嵌套层次过深，报告不需要这么多层"))
        return None
    finally:
        loader.dispose()
    if root is None:
        src.findings.append(finding("F4", Location(src.display, 1, 1), problem="文件是空的"))
        return None
    node: yaml.Node = root
    return node


def _aliases(text: str, src: Source) -> None:
    """Report every alias at its own line: in the node tree it is its anchor's node, at the anchor's line."""
    if "*" not in text:
        return
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) and (mark := event.start_mark) is not None:
                src.findings.append(finding("F7", Location(src.display, mark.line + 1, mark.column + 1), problem=ALIAS_PROBLEM))
                src.aliases += 1
    except yaml.YAMLError:  # pragma: no cover - the text composed without error just before
        pass
    finally:
        loader.dispose()


_TAG_OR_ANCHOR = re.compile(r"(^|[\s\[{,:-])[&*!][^\s]", re.MULTILINE)


def _too_many_separators(text: str, src: Source) -> bool:
    """Report a file with more YAML separators than any report has, at the line where it passes the limit."""
    count = sum(text.count(c) for c in "\n,:[{-")
    if count <= MAX_SEPARATORS:
        return False
    offset = next(itertools.islice(_SEPARATOR.finditer(text), MAX_SEPARATORS, None)).start()
    where = Location(src.display, text.count("\n", 0, offset) + 1, 1)
    problem = (f"文件中的条目过多（换行、逗号、冒号等分隔符共 {count} 个，一份报告约有 600 个，上限 {MAX_SEPARATORS} 个）；"
               "从这一行起的内容不像是报告，请检查是否误粘贴了其他内容")
    src.findings.append(finding("F7", where, problem=problem))
    return True


def read_bytes(path: Path) -> bytes:
    """Return at most MAX_BYTES + 1 bytes of the regular file ``path``; OSError for anything else.

    A FIFO would block the read forever and ``/dev/zero`` never ends: the file is opened without
    blocking, refused unless it is a regular file, and never read past what the size limit needs.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "不是普通文件（可能是管道、设备或目录）", str(path))
        chunks, left = [], MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_source(path: Path, display: str | None = None, data: bytes | None = None) -> Source:
    """Read ``path`` (or take its ``data``, already read) into a Source; problems become findings."""
    src = Source(path, display or path.as_posix())
    if data is None:
        try:
            data = read_bytes(path)
        except OSError as exc:
            src.findings.append(finding("F1", Location(src.display), detail=f"（无法读取文件：{exc.strerror}）"))
            return src
    return parse_source(data, src)


def parse_source(data: bytes, src: Source) -> Source:
    """Decode and compose ``data`` into ``src``."""
    if len(data) > MAX_BYTES:
        size = f"{len(data)} 字节" if len(data) <= MAX_BYTES else f"超过 {MAX_BYTES} 字节"
        src.findings.append(finding("F7", Location(src.display, 1, 1), problem=f"文件过大（{size}），一份报告不应超过 {MAX_BYTES} 字节"))
        return src
    text = _decode(data, src)
    if text is None:
        return src
    text = _line_endings(text, src)
    src.text = text
    if _too_many_separators(text, src):
        return src
    src.root = _compose(text, src)
    if src.root is not None:
        _aliases(text, src)
    return src
