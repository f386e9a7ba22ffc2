"""A report as the rest of the program sees it: typed fields, table cells, derived totals."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .formats import FORMATS, SECTIONS, FormatDef

Number = int | Decimal


@functools.cache
def cell_key(table: str, path: tuple[str, ...]) -> tuple[str, ...]:
    """Return the key (table id, *key path) of a cell, one tuple shared by every report.

    10,000 reports hold 2 million cells and derived totals: one tuple per key instead of one per
    report and key is about a fifth of their memory.
    """
    return (table, *path)


@functools.cache
def _sum_order(format_id: int) -> tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]:
    """Return the format's sum rules as (total key, part keys), each after the rules of its parts.

    Totals of totals (（七）总计/总计) need their parts derived first; in this order one pass derives
    every total, where repeated passes over the rules had cost a tenth of checking a file.
    """
    rules = [(cell_key(r.table, r.total), tuple(cell_key(r.table, p) for p in r.parts)) for r in FORMATS[format_id].sums]
    derived = {total for total, _ in rules}
    ordered: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
    done: set[tuple[str, ...]] = set()
    while len(ordered) < len(rules):
        ready = [(t, ps) for t, ps in rules if t not in done and all(p in done or p not in derived for p in ps)]
        if not ready:
            raise ValueError(f"format {format_id}: circular sum rules")
        for total, parts in ready:
            ordered.append((total, parts))
            done.add(total)
    return tuple(ordered)


@dataclass(frozen=True, slots=True)
class Cell:
    """A number as written in the file, with where it was written."""

    value: Number
    text: str
    line: int
    column: int

    def __reduce__(self) -> tuple[type[Cell], tuple[Number, str, int, int]]:
        # Rebuilt through __init__: the dataclass default for frozen slots walks fields() per cell
        # in Python, three quarters of what a warm ``nianbao check`` spent reading its cache.
        return Cell, (self.value, self.text, self.line, self.column)


@dataclass
class Report:
    """One agency's report for one year."""

    source: str  # path shown to editors, e.g. reports/qiaokou-rongmeiti-2024.yaml
    path: Path
    format_id: int = 2021
    agency: str = ""
    agency_id: str = ""
    region: tuple[str, ...] = ()
    kind: str = ""
    year: int = 0
    contact: dict[str, str] = field(default_factory=dict)
    lead: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    signature: str = ""
    date: datetime.date | None = None
    published: datetime.date | None = None  # 发布日期 when the file states it (else from Git, gitdates.py)
    cells: dict[tuple[str, ...], Cell] = field(default_factory=dict)  # (table id, *key path) -> stated cell
    lines: dict[str, int] = field(default_factory=dict)  # "/"-joined key path -> line of its value
    errors: int = 0  # error findings of this file; a report with errors is never rendered
    digest: str = ""  # hash of the file's text: with the code version, it decides every output
    _numbers: dict[tuple[str, ...], Number] | None = field(default=None, repr=False)

    @property
    def format(self) -> FormatDef:
        return FORMATS[self.format_id]

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    @property
    def slug(self) -> str:
        return f"{self.agency_id}-{self.year}"

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def section(self, heading: str) -> str:
        return self.sections.get(heading, "")

    @property
    def text(self) -> str:
        """Return all prose of the report, lead first."""
        return "\n".join([self.lead, *(self.sections.get(h, "") for h in SECTIONS)])

    def numbers(self) -> dict[tuple[str, ...], Number]:
        """Return every cell's number, totals the file leaves out derived from their parts."""
        if self._numbers is None:
            values: dict[tuple[str, ...], Number] = {k: c.value for k, c in self.cells.items()}
            for total, parts in _sum_order(self.format_id):
                if total not in values and all(p in values for p in parts):
                    values[total] = sum((values[p] for p in parts), start=0)
            self._numbers = values
        return self._numbers

    def number(self, table: str, *path: str) -> Number | None:
        return self.numbers().get((table, *path))
