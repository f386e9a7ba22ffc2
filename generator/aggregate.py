"""Aggregates and comparisons: a region's tables summed over its agencies, and agency key figures.

An aggregate is computed, never stated: it sums the effective numbers (totals included) of every
report of one year whose region lies within the region, at every level of the region path. The
comparison row of an agency is read off the same definitions (formats.py) by label.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .formats import (
    APPLICANTS,
    DISCLOSED,
    FORMATS,
    LITIGATION,
    LITIGATION_KINDS,
    RESULT_GROUPS,
    REVIEW,
    ROW_NEW,
    ROW_RESULTS,
    ROW_RESULTS_TOTAL,
    TOTAL,
    WITHHELD,
    FormatDef,
)
from .model import Number, Report

CORRECTED = "结果纠正"


def region_id(region: tuple[str, ...]) -> str:
    """Return a stable ASCII id for a region path (safe in file names and URLs)."""
    return "r" + hashlib.sha1("/".join(region).encode("utf-8")).hexdigest()[:10]


@dataclass
class Aggregate:
    """The summed tables of every report of one year within one region."""

    year: int
    region: tuple[str, ...]
    format_id: int
    reports: list[Report] = field(default_factory=list)
    numbers: dict[tuple[str, ...], Number] = field(default_factory=dict)

    @property
    def format(self) -> FormatDef:
        return FORMATS[self.format_id]

    @property
    def id(self) -> str:
        return f"{region_id(self.region)}-{self.year}"


def sum_numbers(reports: Iterable[Report]) -> dict[tuple[str, ...], Number]:
    """Return the cell-by-cell sum of the reports' effective numbers."""
    total: dict[tuple[str, ...], Number] = defaultdict(int)
    for report in reports:
        for key, value in report.numbers().items():
            total[key] = total[key] + value
    return dict(total)


def aggregates(reports: Iterable[Report]) -> list[Aggregate]:
    """Return one aggregate per (year, region prefix) that has reports, ordered by region then year."""
    groups: dict[tuple[int, tuple[str, ...]], list[Report]] = defaultdict(list)
    own: dict[tuple[int, tuple[str, ...], int], list[Report]] = defaultdict(list)  # by a report's own region
    for r in reports:
        own[(r.year, r.region, r.format_id)].append(r)
        for depth in range(1, len(r.region) + 1):
            groups[(r.year, r.region[:depth])].append(r)
    # Each report is added once, to its own region's sum, and the sums are rolled up the regions:
    # adding every report into every level (province, city, county) took seconds at 10,000 reports.
    totals: dict[tuple[int, tuple[str, ...], int], dict[tuple[str, ...], Number]] = {}
    for (year, region, fmt), members in own.items():
        numbers = sum_numbers(members)
        for depth in range(1, len(region) + 1):
            total = totals.setdefault((year, region[:depth], fmt), {})
            for key, value in numbers.items():
                total[key] = total.get(key, 0) + value
    out = []
    for (year, region), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        formats = {r.format_id for r in members}
        fmt = max(formats)  # one year has one format; a mix would be an error upstream
        out.append(Aggregate(year, region, fmt, members, totals[(year, region, fmt)]))
    return out


# -- key figures for comparisons and trends ------------------------------------------------------


def _result_rows(fmt: FormatDef, group: str) -> tuple[tuple[str, ...], ...]:
    """Return the key paths (row part) of the numbered rows under one result group of table 2."""
    return _format_result_rows(fmt.id, group)


@functools.cache  # the rows depend on the format alone; every report and aggregate page asks for them
def _format_result_rows(format_id: int, group: str) -> tuple[tuple[str, ...], ...]:
    cells = FORMATS[format_id].table["表二"].cells
    order = [c.path for c in cells]
    rows = {c.path[:-1] for c in cells if c.path[0] == ROW_RESULTS and c.path[1] == group}
    return tuple(sorted(rows, key=lambda p: order.index(p + (TOTAL,))))


def group_total(numbers: dict[tuple[str, ...], Number], fmt: FormatDef, group: str, column: str = TOTAL) -> Number:
    """Return the sum of a result group's rows (e.g. every 不予公开 reason) in one column."""
    return sum((numbers.get(("表二", *row, column), 0) for row in _result_rows(fmt, group)), start=0)


@dataclass(frozen=True)
class KeyFigures:
    """What a citizen compares between agencies."""

    received: Number  # 一、本年新收 总计
    handled: Number  # 三（七）总计
    disclosed: Number  # （一）予以公开 总计
    withheld: Number  # （三）不予公开, all reasons
    review: Number  # 行政复议 总计
    litigation: Number  # 行政诉讼, both kinds
    corrected: Number  # 结果纠正 in 复议 and 诉讼

    @property
    def disclosed_share(self) -> float | None:
        return float(self.disclosed) / float(self.handled) if self.handled else None


def key_figures(numbers: dict[tuple[str, ...], Number], fmt: FormatDef) -> KeyFigures:
    litigation_groups = [(LITIGATION, k) for k in LITIGATION_KINDS]
    return KeyFigures(
        received=numbers.get(("表二", ROW_NEW, TOTAL), 0),
        handled=numbers.get(("表二", ROW_RESULTS, ROW_RESULTS_TOTAL, TOTAL), 0),
        disclosed=group_total(numbers, fmt, DISCLOSED),
        withheld=group_total(numbers, fmt, WITHHELD),
        review=numbers.get(("表三", REVIEW, TOTAL), 0),
        litigation=sum((numbers.get(("表三", *g, TOTAL), 0) for g in litigation_groups), start=0),
        corrected=numbers.get(("表三", REVIEW, CORRECTED), 0)
        + sum((numbers.get(("表三", *g, CORRECTED), 0) for g in litigation_groups), start=0),
    )


def applicant_series(numbers: dict[tuple[str, ...], Number]) -> dict[str, Number]:
    """Return applications received (row 一) by applicant type."""
    return {a: numbers.get(("表二", ROW_NEW, a), 0) for a in APPLICANTS}


def outcome_series(numbers: dict[tuple[str, ...], Number], fmt: FormatDef) -> dict[str, Number]:
    """Return the six kinds of result, each summed over its numbered rows."""
    return {group: group_total(numbers, fmt, group) for group in RESULT_GROUPS}


def short_label(group: str) -> str:
    """Return （二）部分公开 for （二）部分公开（区分处理的，…）: the label without its note."""
    head, sep, _ = group.partition("（区分")
    return head if sep else group


def as_number(value: Number) -> float:
    return float(value) if isinstance(value, Decimal) else float(value)


# -- trends that compare like with like ------------------------------------------------------------


@dataclass(frozen=True)
class TrendYear:
    """One year of a trend: the numbers its bar shows and how many reports they come from."""

    year: int
    numbers: dict[tuple[str, ...], Number] | None  # None: no report that year (a gap in the chart)
    format_id: int = 2021
    counted: int = 0  # reports summed into ``numbers``
    published: int = 0  # reports of the region that year, counted or not

    def value(self, number: Number, per_report: bool) -> float:
        """Return what the bar shows for ``number``: the sum, or the mean per counted report."""
        return as_number(number) / self.counted if per_report and self.counted else as_number(number)


@dataclass(frozen=True)
class Trend:
    """A series of years, every year of the span present (gaps as None), on one comparable basis.

    A region's reports differ from year to year (an agency starts or stops publishing), so summing
    whatever exists shows the number of reports as growth. A region's trend therefore sums only the
    agencies that published in every year it has reports (``agencies``); when no agency did, each bar
    is the mean per report (``per_report``), and the number of reports stands under every bar.
    """

    years: list[TrendYear]
    agencies: tuple[str, ...] = ()  # the agencies compared, for a region
    per_report: bool = False

    @property
    def present(self) -> list[TrendYear]:
        return [y for y in self.years if y.numbers is not None]


def _span(present: dict[int, TrendYear]) -> list[TrendYear]:
    """Return every year from the first to the last, a year without reports as a gap."""
    first, last = min(present), max(present)
    return [present.get(y, TrendYear(y, None)) for y in range(first, last + 1)]


def agency_trend(reports: Iterable[Report]) -> Trend:
    """Return one agency's trend: each year's own report."""
    present = {r.year: TrendYear(r.year, r.numbers(), r.format_id, 1, 1) for r in reports}
    return Trend(_span(present))


def region_trend(region_aggregates: Iterable[Aggregate]) -> Trend:
    """Return a region's trend over the agencies that published in every year it has reports."""
    aggs = sorted(region_aggregates, key=lambda a: a.year)
    panel = set.intersection(*({r.agency_id for r in a.reports} for a in aggs)) if aggs else set()
    present = {}
    names: dict[str, str] = {}
    for a in aggs:
        members = [r for r in a.reports if r.format_id == a.format_id and (not panel or r.agency_id in panel)]
        names.update((r.agency_id, r.agency) for r in members if r.agency_id in panel)
        present[a.year] = TrendYear(a.year, sum_numbers(members), a.format_id, len(members), len(a.reports))
    if not present:
        return Trend([])
    return Trend(_span(present), tuple(names[i] for i in sorted(panel)), per_report=not panel)
