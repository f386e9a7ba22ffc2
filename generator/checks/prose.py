"""W3: numbers stated in the prose against the tables (often another scope: warn, never fail)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Finding, Location
from ..formats import LITIGATION, LITIGATION_KINDS, REVIEW, ROW_CARRIED_IN, ROW_CARRIED_OUT, ROW_NEW, TOTAL
from ..messages import finding
from ..model import Number, Report

_GAP = r"[^。；;，,、\d]{0,12}?"
# A phrase in the prose, and the cells of table 2/3 whose sum it states.
PHRASES: tuple[tuple[re.Pattern[str], str, tuple[tuple[str, ...], ...]], ...] = (
    (re.compile(r"新收(?:到)?" + _GAP + r"(\d+)\s*(?:件|个|条|份)"), f"表二 {ROW_NEW} 行 总计 列", (("表二", ROW_NEW, TOTAL),)),
    (re.compile(r"上年(?:度)?结转" + _GAP + r"(\d+)\s*(?:件|个|条|份)"), f"表二 {ROW_CARRIED_IN} 行 总计 列", (("表二", ROW_CARRIED_IN, TOTAL),)),
    (re.compile(r"结转下(?:一)?年度" + _GAP + r"(\d+)\s*(?:件|个|条|份)"), f"表二 {ROW_CARRIED_OUT} 行 总计 列", (("表二", ROW_CARRIED_OUT, TOTAL),)),
    (re.compile(REVIEW + r"(?:案件)?" + _GAP + r"(\d+)\s*(?:件|起|宗)"), f"表三 {REVIEW} 总计", (("表三", REVIEW, TOTAL),)),
    (
        re.compile(LITIGATION + r"(?:案件)?" + _GAP + r"(\d+)\s*(?:件|起|宗)"),
        f"表三 {LITIGATION} 总计",
        tuple(("表三", LITIGATION, k, TOTAL) for k in LITIGATION_KINDS),
    ),
)


def _first_line(report: Report, key: str, text: str, offset: int) -> int:
    return report.line(key) + text.count("\n", 0, offset)


def check_prose(report: Report) -> Iterator[Finding]:
    """W3: warn where the prose states a count that its table disagrees with."""
    numbers = report.numbers()
    fields = [("导语", report.lead)] + list(report.sections.items())
    for key, text in fields:
        for pattern, cell, keys in PHRASES:
            if not all(k in numbers for k in keys):
                continue
            expected: Number = sum(numbers[k] for k in keys)
            for m in pattern.finditer(text):
                if int(m[1]) != expected:
                    line = _first_line(report, key, text, m.start())
                    yield finding("W3", Location(report.source, line, 1), quote=m[0], cell=cell, expected=expected)
