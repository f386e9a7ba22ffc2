"""The rules, one small module each. Each check yields findings for one report or one agency."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..findings import Finding
from ..model import Report
from . import balance, deadline, government, history, prose, typeset

ReportCheck = Callable[[Report], Iterator[Finding]]

# Checks of one report, in rule order.
REPORT_CHECKS: tuple[ReportCheck, ...] = (
    balance.check_balance,  # R1
    balance.check_sums,  # R2, R3, R4
    prose.check_prose,  # W3
    deadline.check_deadline,  # W4
    government.check_government_content,  # W5
    typeset.check_typesetting,  # S6, S7, S8, W6, W7
)


def check_report(report: Report) -> Iterator[Finding]:
    """Yield the findings of every single-report rule."""
    for check in REPORT_CHECKS:
        yield from check(report)


def check_collection(reports: Iterable[Report]) -> Iterator[Finding]:
    """Yield the findings of rules across files: duplicates (S5), W1 and W2."""
    yield from history.check_history(list(reports))
