"""Cut text that runs a whole report (or a part of it) into one line back into the report's lines.

Crawlers and some pages save the report with no line breaks at all: breadcrumbs, the title, the
lead, headings, prose and table cells run together. The statutory headings still appear in order,
so the line is cut before and after each of them; inside a section, before and after the sub-heads
of part one, before the table (at its first statutory label) and after each sentence that follows
a table. The table text itself stays one line: tables.py reads it by its labels and digits.py
splits its digits by the balance rules.
"""

from __future__ import annotations

import re

from .labels import heading_index
from .text import Line

# Section titles as printed, with the variants reports use; the number before them must agree.
_TITLES: tuple[tuple[str, ...], ...] = (
    ("总体情况",),
    ("主动公开政府信息情况",),
    ("收到和处理政府信息公开申请情况",),
    ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议行政诉讼情况"),
    ("政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及改进情况"),
    ("其他需要报告的事项",),
)
_NUMBERS = ("一二三四五六", "123456")
# Where a table starts inside its section's running text: its first printed labels.
_TABLE_START = {
    1: re.compile(r"第\s*二\s*十\s*条\s*第"),
    2: re.compile(r"[（(]\s*本\s*列\s*数\s*据|申\s*请\s*人\s*情\s*况"),
    3: re.compile(r"行\s*政\s*复\s*议\s*行\s*政\s*诉\s*讼"),
}
_SUBHEAD = re.compile(
    r"[（(][一二三四五六七八九十][）)]\s*(?:政府信息)?\s*(?:主动公开|依申请公开|政府信息管理|(?:政府信息公开)?平台建设|监督保障|信息管理)"
    r"(?:工作)?(?:情况|方面)?[。：:]?"
)
_TITLE_END = re.compile(r"(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开)\s*(?:工作)?\s*(?:年度)?\s*报告")
_LEAD_START = re.compile(r"(?:依据|根据|按照|遵照)\s*《")
_DATE = re.compile(r"(?:\d{4}|[〇○零O一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
RUNNING_MIN = 2  # a line holding this many section headings past its start is running text


def split_running(lines: list[Line]) -> list[Line]:
    """Return ``lines`` with every line of running text cut into the report's lines."""
    out: list[Line] = []
    for line in lines:
        heads = running_headings(line.text)
        # a heading run into its first paragraph (<p><b>一、总体情况</b>2024年，…</p>) is cut off too
        opening = len(heads) == 1 and heads[0][1] == 0 and heads[0][2] < len(line.text.rstrip()) and heading_index(line.text) is None
        if len(heads) < RUNNING_MIN and not opening:
            out.append(line)
            continue
        out += [Line(text, line.number) for text in _segments(line.text, heads)]
    return out


def _match_at(text: str, pos: int, word: str) -> int | None:
    """Return the end of ``word`` printed at ``pos`` with spaces anywhere inside it, or None."""
    i = pos
    for ch in word:
        while i < len(text) and text[i] in " \u3000\u00a0":
            i += 1
        if i >= len(text) or text[i] != ch:
            return None
        i += 1
    return i


def running_headings(text: str) -> list[tuple[int, int, int]]:
    """Return (section index, start, end) of the statutory headings in ``text``, in order."""
    found: list[tuple[int, int, int]] = []
    start = 0
    for index, titles in enumerate(_TITLES):
        numbers = "".join(n[index] for n in _NUMBERS)
        pattern = re.compile(rf"[{numbers}]\s*[、.．]\s*")
        for m in pattern.finditer(text, start):
            end = next((e for t in titles if (e := _match_at(text, m.end(), t)) is not None), None)
            if end is not None and text[end : end + 1] not in ("、", "，", ",", "；", ";"):  # not a list of the parts
                found.append((index, m.start(), end))
                start = end
                break
    return [(i, s, e) for i, s, e in found]


def _segments(text: str, heads: list[tuple[int, int, int]]) -> list[str]:
    out = _front(text[: heads[0][1]])
    for n, (index, start, end) in enumerate(heads):
        out.append(text[start:end])
        body = text[end : heads[n + 1][1] if n + 1 < len(heads) else len(text)]
        if n + 1 == len(heads) and index == len(_TITLES) - 1:
            closing, tail = _closing(body)
            out += _body(index, closing[0]) + closing[1:] + tail
        else:
            out += _body(index, body)
    return [s.strip() for s in out if s.strip()]


def _front(text: str) -> list[str]:
    """Cut the title (with any breadcrumbs before it) from the lead."""
    m = _TITLE_END.search(text)
    if m:
        return [text[: m.end()], text[m.end() :]]
    lead = _LEAD_START.search(text)  # a title cut short (硚口区融媒体中心2024年政府): the lead's first words
    return [text[: lead.start()], text[lead.start() :]] if lead and lead.start() else [text]


def _body(index: int, text: str) -> list[str]:
    """Cut a section's running text: sub-heads, the prose, the table, sentences after the table."""
    start = _TABLE_START.get(index)
    m = start.search(text) if start else None
    prose, table = (text[: m.start()], text[m.start() :]) if m else (text, "")
    out: list[str] = []
    pos = 0
    for sub in _SUBHEAD.finditer(prose):
        out += [prose[pos : sub.start()], sub.group()]
        pos = sub.end()
    out.append(prose[pos:])
    if table:
        # a sentence after the table (the table's labels never end in 。) starts after its last number
        first = table.find("。")
        if first >= 0:
            numbers = list(re.finditer(r"\d", table[:first]))
            at = numbers[-1].end() if numbers else 0
            out += [table[:at], table[at:]]
        else:
            out.append(table)
    return out


def _closing(text: str) -> tuple[list[str], list[str]]:
    """Cut the last section: its prose, then the 署名 and the date, then page furniture after them."""
    dates = list(_DATE.finditer(text))
    if not dates:
        return [text], []
    date = dates[-1]
    before, after = text[: date.start()], text[date.end() :]
    stop = max(before.rfind(p) for p in "。；！")
    prose, signature = (before[: stop + 1], before[stop + 1 :]) if stop >= 0 else (before, "")
    if len(signature.strip()) > 40 or any(p in signature for p in "，,：:"):
        prose, signature = before, ""
    return [prose, signature, date.group()], [after]

