"""Compare labels as printed with the format's own labels: normalized, then fuzzily.

Published texts write the statutory labels with full- or half-width punctuation, ``1、`` for ``1.``,
spaces inside, missing or wrong characters (``其他法律行政止公开``). Labels are compared on their
letters, digits and CJK characters only, with difflib's ratio deciding how close is close enough.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from ..formats import SECTIONS

LABEL_RATIO = 0.75  # a row label at least this close to the printed text is that row
HEADING_RATIO = 0.7  # section titles vary more ("政府信息公开工作存在的主要问题及改进情况")
SHORT = 3  # labels this short (规章, 3.其他) must match exactly: one wrong character is another label

_CN_DIGITS = "一二三四五六七八九"
# 一、 / 1、 / 1. / 第一部分 before a section title
_HEADING_NUMBER = re.compile(r"^\s*(?:第?([一二三四五六七八九])(?:部分)?\s*[、.,:：\s]|([1-9])\s*[、.,])\s*")


def normalize(text: str) -> str:
    """Return ``text`` reduced to letters, digits and CJK characters, half-width."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def ratio(a: str, b: str) -> float:
    """Return difflib's similarity of two normalized strings."""
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def suffix_score(label: str, text: str) -> float:
    """Return how well normalized ``label`` matches the end of normalized ``text``.

    A row's label is the last label printed before its numbers; group labels, header words and
    stray characters of merged cells come before it.
    """
    if not label or not text:
        return 0.0
    if len(label) <= SHORT:
        return 1.0 if text.endswith(label) else 0.0
    best = 0.0
    for width in range(max(1, len(label) - 3), len(label) + 4):
        best = max(best, ratio(label, text[-width:]))
        if width >= len(text):
            break
    return best


def head_score(label: str, text: str) -> float:
    """Return how well the end of ``text`` matches the beginning of a long ``label``.

    A label cut by a page break, or wrapped so that its numbers print after its first lines,
    shows only its beginning before the numbers.
    """
    n = min(len(text), len(label))
    if n >= len(label) or n < 6:
        return 0.0
    return ratio(label[:n], text[-n:])


def contains(label: str, text: str) -> bool:
    """Return True when normalized ``label`` is printed inside normalized ``text``."""
    return bool(label) and label in text


def heading_index(line: str) -> int | None:
    """Return which statutory section (0–5) ``line`` is the heading of, or None.

    Accepts 一、 or 1、 numbering and small wording differences; the number, when present, must
    agree with the title, so a table row such as 四、结转下年度继续办理 is never a heading.
    """
    text = unicodedata.normalize("NFKC", line).strip()
    if not text or "。" in line or len(normalize(text)) > 40:
        return None
    m = _HEADING_NUMBER.match(text)
    number: int | None = None
    if m:
        number = _CN_DIGITS.index(m[1]) + 1 if m[1] else int(m[2])
        text = text[m.end():]
    title = normalize(text)
    for index, heading in enumerate(SECTIONS):
        expected = normalize(heading.split("、", 1)[1])
        if number is not None and number != index + 1:
            continue
        close = ratio(title, expected) >= HEADING_RATIO
        if expected in title and len(title) <= len(expected) + 10:
            close = True
        # an unnumbered line must say the whole title: prose lines can be short too
        if close and (number is not None or ratio(title, expected) >= 0.9):
            return index
    return None
