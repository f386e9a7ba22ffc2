"""S6, S7, S8, W6, W7: what the web page and the PDF cannot set, caught at its line.

Whatever ``check`` passes, ``build`` must publish. The PDF is PDF/A-2a and PDF/UA-1, and Typst
refuses a document that breaks either: headings must start at level 1 and never skip a level, and
no string may pass 32,767 characters. Typst and Python-Markdown recurse into nested lists and
quotes, and Python-Markdown's inline patterns look ahead to the end of the line from every ``<``
and ``[``, so a line of them costs its length squared. Each limit below is far above any real
report and keeps every stage linear in the size of the file. Characters the PDF fonts lack are
replaced in the PDF (pdf/typst_markup.py), and W6 says so where they are written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..findings import Finding, Location
from ..messages import finding
from ..model import Report

MAX_DEPTH = 8  # nested lists and quotes; a report uses two or three
MAX_LINE = 10_000  # characters in one line (one paragraph)
MAX_TOKEN = 1_000  # characters of Latin letters, digits and signs without a space: Typst cannot break them
MAX_OPENERS = 50  # ``<`` or ``[`` in one line: each makes Python-Markdown scan the rest of the line
# ``<`` with no ``>`` after it on its line, in one field: Python-Markdown's raw-HTML reader scans the
# whole field again from each (measured: 2,000 of them in 24 KB took 5 s, 8,000 in 96 KB 70 s); at
# most 50 keep the page linear in the field's length (bench/faults.py measures it).
MAX_UNCLOSED = 50
_UNCLOSED = re.compile(r"<(?![^<>\n]*>)")
MAX_LIST_NUMBER_DIGITS = 9  # the number an ordered list starts at must be an integer Typst can hold
MAX_REGION_LEVELS = 6  # 省/市/区县/乡镇街道/村社区 and one more
SINGLE_LINE = ("机关名称", "地区", "联系方式/机构", "联系方式/地址", "联系方式/电话", "落款/署名")

_HEADING = re.compile(r"^(#{1,6})(.*)$")
# The block prefix of a line: quote marks and list markers, in any mix (``> - > 1. text``).
_NEST = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d+\.(?=[ \t])))*")
_MARKER = re.compile(r"(?:[-*+]|\d+\.)(?=[ \t])")
_SHIFTED = re.compile(r"^(#{1,6})\s", re.M)
_ORDERED = re.compile(r"^[\s>]*(\d+)\.[ \t]")
_TOKEN = re.compile(r"[!-~\u00a0-\u024f]{" + str(MAX_TOKEN + 1) + ",}")
_HASH_WORD = re.compile(r"^(#+)([^#\s]\S*)")
REPLACEMENT = "〓"  # 〓 (geta): what Chinese and Japanese typesetters set for a character the type lacks


# The Unicode blocks the PDF's fonts (Noto CJK SC, the fallback of every role) cover: Latin, Greek,
# Cyrillic, punctuation and symbols, CJK, kana, Hangul, full-width forms. The property test of
# tests/test_faults_typeset.py found Arabic and Thai letters stopping the PDF.
_SET_BLOCKS = ((0x0000, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x2000, 0x23FF), (0x2460, 0x27BF),
               (0x2E80, 0x2FDF), (0x3000, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def unsettable(char: str) -> str | None:
    """Return how the PDF treats ``char`` when it cannot set it: "replaced" or "dropped", else None."""
    code = ord(char)
    if unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return "dropped"  # invisible format marks (a BOM, zero-width spaces, U+0600…), variation selectors
    if code > 0xFFFF or 0xE000 <= code <= 0xF8FF:
        return "replaced"  # emoji, CJK Ext-B and beyond, private use: no PDF font here has them
    if not any(a <= code <= b for a, b in _SET_BLOCKS):
        return "replaced"  # Arabic, Thai, Devanagari…: scripts the Chinese fonts (Noto CJK SC) do not cover
    if unicodedata.category(char) == "Cn":
        return "replaced"  # unassigned: PDF/A cannot map it to Unicode
    return None


def _unsettable_pattern() -> re.Pattern[str]:
    """Return a pattern of every character ``unsettable`` names, as ranges (built once, at import).

    The same test as ``unsettable`` with the block lookup as a table: calling it per character took
    0.35 s, a third of a ``nianbao check`` of unchanged files (tests/test_faults_typeset.py compares
    the two on every character).
    """
    inside = bytearray(0x10000)
    for a, b in _SET_BLOCKS:
        inside[a:b + 1] = b"\1" * (b - a + 1)
    category = unicodedata.category
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        if inside[code] and not 0xE000 <= code <= 0xF8FF and not 0xFE00 <= code <= 0xFE0F and category(chr(code)) not in ("Cf", "Cn"):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile(f"[{parts}\U00010000-\U0010FFFF]")


UNSETTABLE = _unsettable_pattern()


def _fields(report: Report) -> list[tuple[str, str]]:
    return [("导语", report.lead), *report.sections.items()]


def check_typesetting(report: Report) -> Iterator[Finding]:
    """Yield S6/S7/W6/W7 for the prose and S7/S8 for the single-line fields and the region."""
    for key, text in _fields(report):
        yield from _prose(report, key, text)
    yield from _single_lines(report)
    if len(report.region) > MAX_REGION_LEVELS:
        where = Location(report.source, report.line("地区"), 1)
        yield finding("S7", where, problem=f"“地区”有 {len(report.region)} 级，最多 {MAX_REGION_LEVELS} 级（如 湖北省/武汉市/硚口区）；"
                      "每一级都会生成一个地区页面")


def _single_lines(report: Report) -> Iterator[Finding]:
    values = {"机关名称": report.agency, "地区": "/".join(report.region), "落款/署名": report.signature}
    values |= {f"联系方式/{k}": v for k, v in report.contact.items()}
    for key in SINGLE_LINE:
        value = values.get(key, "")
        if "\n" in value.strip("\n") or "\r" in value:
            yield finding("S8", Location(report.source, report.line(key), 1), key=key)
        elif len(value) > MAX_LINE:
            yield finding("S7", Location(report.source, report.line(key), 1), problem=f"“{key}”有 {len(value)} 个字符，过长")
        if (bad := UNSETTABLE.search(value)) is not None:
            yield _w6(report.source, report.line(key), bad.start() + 1, bad[0])


def _w6(source: str, line: int, column: int, char: str) -> Finding:
    effect = "不可见，PDF 中删去" if unsettable(char) == "dropped" else f"PDF 的字体中没有，PDF 中以“{REPLACEMENT}”代替"
    name = unicodedata.name(char, "未分配的字符" if unicodedata.category(char) == "Cn" else "私用区字符")
    shown = "" if unsettable(char) == "dropped" else f"“{char}”"
    return finding("W6", Location(source, line, column), char=shown, code=f"{ord(char):04X}", name=name, effect=effect)


def _prose(report: Report, key: str, text: str) -> Iterator[Finding]:
    first = report.line(key)
    level = 1  # the PDF's heading level before this text: its section's own heading
    # text.py shifts every "#… " heading so that the shallowest becomes <h3>; a "#word" heading keeps its level
    shifted = [len(m[1]) for m in _SHIFTED.finditer(text)]
    shift = 3 - min(shifted) if shifted else 0
    warned = deep = False
    unclosed = 0
    for number, line in enumerate(text.split("\n")):
        where = Location(report.source, first + number, 1)
        if not warned and (bad := UNSETTABLE.search(line)) is not None:
            warned = True  # once per field: a pasted text may carry hundreds
            yield _w6(report.source, first + number, bad.start() + 1, bad[0])
        if len(line) > MAX_LINE:
            yield finding("S7", where, problem=f"这一行（段）有 {len(line)} 个字符，最多 {MAX_LINE} 个；请分段")
            continue
        if (m := _TOKEN.search(line)) is not None:
            yield finding("S7", Location(report.source, first + number, m.start() + 1),
                          problem=f"一串不含空格的字母、数字或符号长达 {len(m[0])} 个字符（最多 {MAX_TOKEN} 个），无法换行排版；请加空格或删去")
        openers = max(line.count("<"), line.count("["))
        if openers > MAX_OPENERS:
            yield finding("S7", where, problem=f"这一行有 {openers} 个“<”或“[”（最多 {MAX_OPENERS} 个）；"
                          "报告正文不需要这么多 HTML 标记或链接，生成网页会极慢")
        elif "<" in line and unclosed <= MAX_UNCLOSED:
            unclosed += len(_UNCLOSED.findall(line))
            if unclosed > MAX_UNCLOSED:
                yield finding("S7", where, problem=f"这一部分已有超过 {MAX_UNCLOSED} 个没有配对“>”的“<”；"
                              "生成网页时每个都要把整部分重新查找一遍，会极慢。请改用全角“＜”或删去")
        if not deep:
            nested = list(_nesting(line, where))
            deep = any("嵌套" in f.message for f in nested)  # once per field: every deeper line would repeat it
            yield from nested
        heading = _HEADING.match(line)
        if heading is None:
            continue
        if (word := _HASH_WORD.match(line)) is not None:
            yield finding("W7", where, line=line[:30], text=word[2].rstrip("#")[:20])
        title = heading[2].strip().rstrip("#").strip()
        if key == "导语":
            yield finding("S6", where, problem="导语中不能有小标题（以“#”开头的行）；小标题请写在各部分正文中")
            continue
        if not title:
            yield finding("S6", where, problem="小标题是空的：“#”后面没有文字")
            continue
        hashes = len(heading[1])
        html = min(6, max(1, hashes + shift)) if heading[2][:1].isspace() else hashes
        new = max(2, html - 1)  # typst_markup.py: <h3> is level 2, below the section's level 1
        if new > level + 1:
            yield finding("S6", where, problem=f"小标题跳级：上一级是第 {level} 级，这里是第 {new} 级；"
                          "小标题应从“##”开始逐级使用（## 之下是 ###）")
        level = new


def _nesting(line: str, where: Location) -> Iterator[Finding]:
    """Yield S7 when a line's quotes and lists nest deeper than MAX_DEPTH."""
    prefix = _NEST.match(line)
    if prefix is None or not prefix[0].strip():
        return
    markers = len(_MARKER.findall(line[: prefix.end() + 1]))  # the lookahead needs the space after
    indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
    depth = prefix[0].count(">") + markers + (indent // 4 if markers else 0)
    if depth > MAX_DEPTH:
        yield finding("S7", where, problem=f"列表或引用（>）嵌套了 {depth} 层，最多 {MAX_DEPTH} 层")
    if (ordered := _ORDERED.match(line)) is not None and len(ordered[1].lstrip("0")) > MAX_LIST_NUMBER_DIGITS:
        yield finding("S7", where, problem=f"列表编号 {ordered[1][:20]}… 过大（最多 {MAX_LIST_NUMBER_DIGITS} 位数字）")
