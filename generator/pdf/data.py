"""A report as the JSON document that the Typst template typesets.

Everything the PDF shows comes from here: labels and merged cells from grid.layout (the same
walk of the format definition as the web table), numbers as the editor wrote them, prose as
escaped Typst markup. The template holds layout only, no label and no text of its own.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from ..dates import chinese_date
from ..formats import SECTIONS, TABLE_SECTION, TableDef
from ..grid import Grid, GridCell, layout
from ..model import Number, Report
from ..tables import format_number
from .fonts import FontSet
from .typst_markup import markdown_markup

TABLE_SIZE = 10.5  # 五号, in points: the three tables in 156 mm
# A table of more grid rows (表二: 28) may break across pages; shorter ones (表一, 表三) move whole.
BREAKABLE_ROWS = 20
# Estimated column widths, in characters of the table's type size (see _column_widths).
_VERTICAL_ROWSPAN = 10  # a row group this tall is set one character per line, as the printed form does
_HEADER_CHARS, _GROUP_CHARS, _LABEL_CHARS = 2.5, 4, 12
_PADDING = 0.8
_NUMBERED = re.compile(r"^(（[^）]{1,3}）)(?=.)")


def report_data(report: Report, fonts: FontSet) -> dict[str, Any]:
    """Return the JSON document of ``report`` for the template."""
    numbers = report.numbers()
    texts = {k: c.text for k, c in report.cells.items()}
    tables_after = {section: table_id for table_id, section in TABLE_SECTION.items()}
    sections = []
    for heading in SECTIONS:
        table_id = tables_after.get(heading)
        table = report.format.table[table_id] if table_id else None
        sections.append(
            {
                "heading": heading,
                "body": markdown_markup(report.section(heading)),
                "table": table_data(table, numbers, texts, f"{report.format.id}-{table_id}") if table else None,
            }
        )
    return {
        "title": report.title,
        # The customary two-line title: the agency, then the year and the kind of report.
        "title_lines": [report.agency, f"{report.year}年政府信息公开工作年度报告"],
        "author": report.agency,
        "subject": f"{agency_in_region(report.region, report.agency)}{report.year}年政府信息公开工作年度报告（{report.format.document}格式）",
        "keywords": ["政府信息公开", "年度报告", f"{report.year}年", report.agency, *report.region, report.kind],
        "lead": markdown_markup(report.lead),
        "sections": sections,
        "signature": report.signature,
        "date": chinese_date(report.date) if report.date else "",
        "fonts": fonts.as_json(),
        "table_size": TABLE_SIZE,
    }


def agency_in_region(region: tuple[str, ...], agency: str) -> str:
    """Return the agency's name after the levels of its region that the name does not already start with.

    湖北省/武汉市/硚口区 and 硚口区融媒体中心 give 湖北省武汉市硚口区融媒体中心, not …硚口区硚口区融媒体中心.
    """
    for depth in range(len(region) + 1):
        if agency.startswith("".join(region[depth:])):
            return "".join(region[:depth]) + agency
    return "".join(region) + agency  # unreachable: the empty tail always matches


def report_datetime(report: Report) -> datetime.datetime:
    """Return the date the PDF states when SOURCE_DATE_EPOCH is unset: the report's own date."""
    day = report.date or datetime.date(report.year + 1, 1, 1)
    # Noon in Beijing: the PDF stores UTC, and noon keeps the calendar day the same for every reader.
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def table_data(
    table: TableDef, numbers: dict[tuple[str, ...], Number], texts: dict[tuple[str, ...], str], shape: str = ""
) -> dict[str, Any]:
    """Return ``table`` as header and body segments of merged cells, in reading order.

    ``shape`` names the table's layout (format and table): its height and its rows' heights do not
    depend on its numbers, so a worker measures them once per shape (render.py) instead of once per report.
    """
    grid = layout(table, f"t{'一二三'.index(table.id[1]) + 1}")
    segments: list[dict[str, Any]] = []
    for row in grid.rows:
        head = row.part == "head"
        if not segments or segments[-1]["head"] != head:
            segments.append({"head": head, "cells": []})
        segments[-1]["cells"].extend(_cell(table, c, numbers, texts) for c in row.cells)
    return {
        "id": table.id,
        "columns": _column_widths(grid),
        "segments": segments,
        "breakable": len(grid.rows) > BREAKABLE_ROWS,
        "shape": shape,
    }


def _cell(
    table: TableDef, cell: GridCell, numbers: dict[tuple[str, ...], Number], texts: dict[tuple[str, ...], str]
) -> dict[str, Any]:
    """Return one grid cell for the template, a data cell with its number as the editor wrote it."""
    text = cell.text
    if cell.kind == "rowgroup" and cell.rowspan < _VERTICAL_ROWSPAN:
        text = _NUMBERED.sub("\\1\n", text)  # （三）above 不予公开, as printed forms set it
    if cell.cell is not None:
        key = (table.id, *cell.cell.path)
        text = format_number(numbers.get(key), cell.cell.kind, texts.get(key))
    # A row group stays on one page, its label never cut by a page break. The format fixes every label,
    # so the tallest group (三、本年度办理结果, 22 rows) is known to fit on a page (tests/test_pdf.py checks).
    keep = cell.kind == "rowgroup"
    return {"text": text, "kind": cell.kind, "colspan": cell.colspan, "rowspan": cell.rowspan, "keep": keep}


def _positions(grid: Grid) -> list[list[int]]:
    """Return the starting column of every cell, row by row, skipping cells spanned from above."""
    taken: dict[tuple[int, int], bool] = {}
    out: list[list[int]] = []
    for y, row in enumerate(grid.rows):
        x, xs = 0, []
        for cell in row.cells:
            while taken.get((y, x)):
                x += 1
            xs.append(x)
            for dy in range(cell.rowspan):
                for dx in range(cell.colspan):
                    taken[(y + dy, x + dx)] = True
            x += cell.colspan
        out.append(xs)
    return out


def _column_widths(grid: Grid) -> list[dict[str, float]]:
    """Return each column's width: row-label columns in characters, columns of numbers in shares.

    The label columns get what their cells need (headers wrap after a few characters, a row label
    gets room for a line, a very tall row group is set one character per line); the columns of
    numbers share the rest equally, as on the printed form.
    """
    want = [1.0] * grid.width
    data_columns: set[int] = set()
    for row, xs in zip(grid.rows, _positions(grid), strict=True):
        for cell, x in zip(row.cells, xs, strict=True):
            if cell.colspan != 1:
                continue
            if cell.kind == "data":
                data_columns.add(x)
                continue
            if cell.kind in ("col", "colgroup", "corner"):
                chars = min(len(cell.text), _HEADER_CHARS)
            elif cell.kind == "rowgroup":
                lines = _NUMBERED.sub("\\1\n", cell.text).split("\n")
                chars = 1.0 if cell.rowspan >= _VERTICAL_ROWSPAN else min(max(map(len, lines)), _GROUP_CHARS)
            else:
                chars = min(len(cell.text), _LABEL_CHARS)
            want[x] = max(want[x], chars)
    return [{"fr": 1.0} if x in data_columns else {"em": round(want[x] + _PADDING, 2)} for x in range(grid.width)]
