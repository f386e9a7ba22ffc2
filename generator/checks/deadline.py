"""W4: the report date against the deadline of 条例 第四十九条 for the agency's kind."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from ..dates import chinese_date
from ..findings import Finding, Location
from ..formats import AGENCY_KINDS
from ..messages import finding
from ..model import Report

_BASIS = {
    "人民政府": "条例第四十九条：县级以上地方人民政府应于每年3月31日前公布本级政府上一年度报告",
    "部门": "条例第四十九条：县级以上人民政府部门应于每年1月31日前公布",
}
_OTHER = "条例第四十九条：应于每年1月31日前向本级政府信息公开工作主管部门提交并公布"


def check_deadline(report: Report) -> Iterator[Finding]:
    """W4: warn when the report is dated after its statutory deadline."""
    if report.date is None or not report.year or report.kind not in AGENCY_KINDS:
        return
    month, day = AGENCY_KINDS[report.kind]
    deadline = datetime.date(report.year + 1, month, day)
    if report.date > deadline:
        yield finding(
            "W4",
            Location(report.source, report.line("落款/日期"), 1),
            date=chinese_date(report.date),
            deadline=chinese_date(deadline),
            basis=_BASIS.get(report.kind, _OTHER),
        )
