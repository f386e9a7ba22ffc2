"""Split a published report into title, lead, the six sections and the 落款, by their headings.

Headings are found by the statutory titles of formats.SECTIONS (labels.heading_index), in order;
section bodies keep every sentence verbatim, one paragraph a line, and sub-heads such as
``（一）政府信息主动公开情况`` become Markdown ``## `` lines as in the hand-made reports.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from ..formats import SECTIONS
from .labels import heading_index, normalize
from .text import Document, Line, Note, is_footer

_SUBHEAD = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
_LEAD_START = re.compile(r"^(?:根据|依据|按照|本报告|本年度报告|为)")
_CN_NUMERALS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}
_DATE = re.compile(
    r"^(\d{4}|[〇○零O一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
SIGNATURE_SEARCH = 6  # the 落款 date is among the last lines of the report
WRAP_FULL = 0.85  # a PDF line at least this share of the widest prose line continues its paragraph


@dataclass
class Parts:
    """The pieces of a report, as lines of the extracted text."""

    title: list[Line] = field(default_factory=list)
    lead: list[Line] = field(default_factory=list)
    bodies: dict[int, list[Line]] = field(default_factory=dict)  # section index (0–5) -> its lines
    signature: Line | None = None
    date: datetime.date | None = None
    date_line: Line | None = None
    notes: list[Note] = field(default_factory=list)


def split_report(doc: Document) -> Parts:
    """Find the headings and the 落款 and return the pieces between them."""
    lines = [line for line in doc.lines if not is_footer(line.text)]
    heads: list[tuple[int, int]] = []  # (position in lines, section index)
    for pos, line in enumerate(lines):
        index = heading_index(line.text)
        if index is not None and index >= (heads[-1][1] + 1 if heads else 0):
            heads.append((pos, index))
    parts = Parts()
    start = heads[0][0] if heads else len(lines)
    parts.title, parts.lead = _title_and_lead(lines[:start])
    for n, (pos, index) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        parts.bodies[index] = lines[pos + 1 : end]
    found = {index for _, index in heads}
    for index, heading in enumerate(SECTIONS):
        if index not in found:
            parts.notes.append(Note(f"原文中没有找到第{heading.split('、')[0]}部分的标题“{heading}”，这一部分没有导入，请对照原报告补上"))
    if heads:
        _take_signature(parts, heads[-1][1])
    return parts


def _title_and_lead(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split what precedes the first heading: the title lines, then the lead paragraph(s)."""
    body = [line for line in lines if line.text.strip()]
    for n, line in enumerate(body):
        text = line.text.strip()
        if "。" in text or len(normalize(text)) > 40 or _LEAD_START.match(text):
            return body[:n], body[n:]
    return body, []


def _take_signature(parts: Parts, last: int) -> None:
    """Move the 落款 (agency name, then date) out of the last section.

    Web pages add lines after it (打印本页, 关闭窗口, page numbers): the date is looked for among the
    last few lines, and what follows it is left out with a note rather than taken into the text.
    """
    body = parts.bodies[last]
    filled = [i for i, line in enumerate(body) if line.text.strip()]
    at = next((i for i in reversed(filled[-SIGNATURE_SEARCH:]) if parse_date(body[i].text)), None)
    if at is None:
        return
    parts.date, parts.date_line = parse_date(body[at].text), body[at]
    trailing = [line.text.strip() for line in body[at + 1 :] if line.text.strip()]
    dropped = [t for t in trailing if not _PAGE_NUMBER.match(t)]
    if dropped:
        parts.notes.append(Note(f"落款日期之后的文字“{' '.join(dropped)[:60]}”不是报告内容，未导入，请核对", body[at].number))
    end = at
    while end and not body[end - 1].text.strip():
        end -= 1
    if end:
        text = body[end - 1].text.strip()
        if len(normalize(text)) <= 30 and not any(p in text for p in "。，；：,;:"):
            parts.signature = body[end - 1]
            end -= 1
    parts.bodies[last] = body[:end]


def parse_date(text: str) -> datetime.date | None:
    """Return the date of ``2025年1月7日`` or ``二〇二五年一月七日``, or None."""
    m = _DATE.match(unicodedata.normalize("NFKC", text).replace(" ", "").strip())
    if not m:
        return None
    try:
        year = int(m[1]) if m[1].isdigit() else int("".join(str(_CN_NUMERALS[c]) for c in m[1]))
        return datetime.date(year, _small_number(m[2]), _small_number(m[3]))
    except (KeyError, ValueError):
        return None


def _small_number(text: str) -> int:
    """Return 1–31 written in digits or in Chinese numerals (十二, 二十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_NUMERALS[text]
    tens, _, ones = text.partition("十")
    return (_CN_NUMERALS[tens] if tens else 1) * 10 + (_CN_NUMERALS[ones] if ones else 0)


def is_subhead(text: str) -> bool:
    """Return True for a sub-head line such as ``（一）政府信息主动公开情况``."""
    return bool(_SUBHEAD.match(text)) and "。" not in text and len(text) <= 40


def body_markdown(lines: list[Line], full_width: float = 0.0) -> str:
    """Return section text as the report files hold it: paragraphs apart, sub-heads as ``## ``.

    ``full_width`` > 0 means the lines wrap at that width (PDF) and are rejoined into paragraphs.
    """
    paragraphs = _rejoin(lines, full_width) if full_width else [t for line in lines if (t := line.text.strip())]
    return "\n\n".join(f"## {p}" if is_subhead(p) else p for p in paragraphs)


def display_width(text: str) -> float:
    """Return the printed width of ``text`` in CJK characters (a Latin character is half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def prose_width(lines: list[Line]) -> float:
    """Return the width of a full line of prose: the widest line with a comma or full stop."""
    widths = sorted(
        display_width(line.text.strip())
        for line in lines
        if any(p in line.text for p in "，。") and not re.search(r"\S {3,}\S", line.text.strip())  # not a laid-out table row
    )
    if len(widths) >= 10:
        return widths[int(len(widths) * 0.9)]  # a wide stray line (a table header) is no measure
    return max(widths, default=0.0)


def _rejoin(lines: list[Line], full_width: float) -> list[str]:
    """Rejoin lines wrapped at the page width.

    A paragraph starts at an indented line (when the PDF shows indents) and ends at a line short
    of the full width.
    """
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        text = line.text.strip()
        if line.indented and current:
            paragraphs.append(current)
            current = ""
        if not text or is_subhead(text):
            if current:
                paragraphs.append(current)
            current = ""
            if text:
                paragraphs.append(text)
            continue
        current += text
        if display_width(text) < WRAP_FULL * full_width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
