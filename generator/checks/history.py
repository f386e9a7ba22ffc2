"""Rules across one agency's files: S5 (two reports of one year), W1 and W2 (year to year)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..findings import Finding, Location
from ..formats import (
    APPLICANTS,
    IN_FORCE,
    ISSUED,
    REPEALED,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    STOCK_BLOCK,
    STOCK_ROWS,
    TOTAL,
)
from ..messages import finding
from ..model import Report

# W2 applies to the 2021 table 1 block STOCK_BLOCK: in force = last year's + issued - repealed.
# The (table, first key) of every cell these rules read: all a report must carry for them.
CROSS_FILE_ROWS = frozenset({("表二", ROW_CARRIED_IN), ("表二", ROW_CARRIED_OUT), ("表一", STOCK_BLOCK)})


def check_history(reports: list[Report]) -> Iterator[Finding]:
    by_agency: dict[str, dict[int, Report]] = defaultdict(dict)
    for report in sorted(reports, key=lambda r: r.source):
        if not report.agency_id or not report.year:
            continue
        years = by_agency[report.agency_id]
        if report.year in years:
            yield finding(
                "S5",
                Location(report.source, report.line("年度"), 1),
                agency=report.agency_id,
                year=report.year,
                other=years[report.year].source,
            )
            continue
        years[report.year] = report
    for years in by_agency.values():
        for year, report in sorted(years.items()):
            previous = years.get(year - 1)
            if previous is None:
                continue
            yield from _carried_over(report, previous)
            yield from _stock(report, previous)


def _carried_over(report: Report, previous: Report) -> Iterator[Finding]:
    """W1: 二、上年结转 (Y) = 四、结转下年度继续办理 (Y-1), per column."""
    now, before = report.numbers(), previous.numbers()
    for column in APPLICANTS + (TOTAL,):
        key_in = ("表二", ROW_CARRIED_IN, column)
        key_out = ("表二", ROW_CARRIED_OUT, column)
        if key_in not in now or key_out not in before or now[key_in] == before[key_out]:
            continue
        cell = report.cells.get(key_in)
        if cell is None:  # a derived total: the applicant columns already carry the finding
            continue
        yield finding(
            "W1",
            Location(report.source, cell.line, cell.column),
            column=column,
            actual=now[key_in],
            year=previous.year,
            other=previous.source,
            expected=before[key_out],
        )


def _stock(report: Report, previous: Report) -> Iterator[Finding]:
    """W2: 现行有效件数 carries on from last year (a notice: re-counts are common)."""
    if report.format.id != 2021 or previous.format.id != 2021:
        return
    now, before = report.numbers(), previous.numbers()
    for row in STOCK_ROWS:
        keys = [("表一", STOCK_BLOCK, row, c) for c in (ISSUED, REPEALED, IN_FORCE)]
        last = ("表一", STOCK_BLOCK, row, IN_FORCE)
        if not all(k in now for k in keys) or last not in before:
            continue
        issued, repealed, in_force = (now[k] for k in keys)
        expected = before[last] + issued - repealed
        if in_force != expected:
            cell = report.cells[keys[2]]
            yield finding(
                "W2",
                Location(report.source, cell.line, cell.column),
                row=row,
                actual=in_force,
                previous=before[last],
                issued=issued,
                repealed=repealed,
                expected=expected,
            )
