"""R1–R4: the balance rules (勾稽关系) of tables 2 and 3."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location
from ..formats import SumRule
from ..messages import finding
from ..model import Report


def _stated_lines(report: Report, key: tuple[str, ...], by_total: dict[tuple[str, ...], SumRule]) -> list[int]:
    """Return the lines of the stated cells a number rests on (a derived total rests on its parts)."""
    if key in report.cells:
        return [report.cells[key].line]
    rule = by_total.get(key)
    if rule is None:
        return []
    return [line for part in rule.parts for line in _stated_lines(report, (rule.table, *part), by_total)]


def check_balance(report: Report) -> Iterator[Finding]:
    """R1: per column of table 2, 一 + 二 = 三（七）总计 + 四."""
    numbers = report.numbers()
    by_total = {(r.table, *r.total): r for r in report.format.sums}
    for rule in report.format.balances:
        left = [(rule.table, *p) for p in rule.left]
        right = [(rule.table, *p) for p in rule.right]
        if not all(k in numbers for k in left + right):
            continue  # a cell is missing or malformed: reported already
        lsum = sum(numbers[k] for k in left)
        rsum = sum(numbers[k] for k in right)
        if lsum == rsum:
            continue
        anchor = next((report.cells[k] for k in left + right if k in report.cells), None)
        if anchor is None:
            # every number of this column is derived from the columns it sums (总计 with no totals
            # stated): their own R1 findings already point at the cells to correct
            continue
        where = Location(report.source, anchor.line, anchor.column)
        related = tuple(sorted({line for k in left + right for line in _stated_lines(report, k, by_total)} - {where.line}))
        yield finding(rule.rule, where, related, column=rule.column, left=lsum, right=rsum)


def check_sums(report: Report) -> Iterator[Finding]:
    """R2, R3, R4: a total the file states must equal the sum of its parts."""
    numbers = report.numbers()
    for rule in report.format.sums:
        total = (rule.table, *rule.total)
        stated = report.cells.get(total)
        parts = [(rule.table, *p) for p in rule.parts]
        if stated is None or not all(p in numbers for p in parts):
            continue
        expected = sum(numbers[p] for p in parts)
        if expected != stated.value:
            cell = report.format.table[rule.table].cell_by_path[rule.total]
            yield finding(
                rule.rule,
                Location(report.source, stated.line, stated.column),
                cell=cell.name,
                expected=expected,
                actual=stated.text,
            )
