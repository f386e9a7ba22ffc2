"""W5: a people's government must report 工作考核、社会评议和责任追究 (条例 第五十条)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location
from ..messages import finding
from ..model import Report

# Each duty, with the words that show a report covers it.
DUTIES = (("工作考核", ("考核",)), ("社会评议", ("社会评议", "评议")), ("责任追究", ("责任追究", "追责", "问责")))


def check_government_content(report: Report) -> Iterator[Finding]:
    """W5: warn when a 人民政府 report never mentions one of the three duties."""
    if report.kind != "人民政府":
        return
    text = report.text
    missing = [duty for duty, words in DUTIES if not any(w in text for w in words)]
    if missing:
        line = report.line("一、总体情况")
        yield finding("W5", Location(report.source, line, 1), missing="、".join(missing))
