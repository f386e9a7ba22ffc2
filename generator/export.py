"""Open data: every number of every report as JSON, CSV (UTF-8 with BOM) and XLSX.

The shape is fixed and documented on the site's data page: a report's identity, then each table as
a map from the row's label path (the statutory labels joined by ``/``) to a map from column label to
number, totals included. CSV and XLSX flatten that into one row per report, one column per cell,
in the order of the format definition.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import xlsx
from .formats import FORMATS, CellDef, FormatDef
from .model import Number, Report

# The identity columns of the flat table, with what they hold (documented on the data page).
IDENTITY_DESCRIPTIONS = {
    "机关": "机关名称",
    "机关代码": "机关的英文代码（与报告文件名一致）",
    "地区": "行政区划路径，用“/”分隔",
    "机关类别": "人民政府、部门、乡镇街道、事业单位或其他",
    "年度": "报告年度",
    "格式": "2021（国办公开办函〔2021〕30号）或 2019（试行格式，2019、2020 年度）",
}
IDENTITY = tuple(IDENTITY_DESCRIPTIONS)


def report_data(report: Report) -> dict[str, Any]:
    """Return one report in the open-data JSON shape."""
    numbers = report.numbers()
    data: dict[str, Any] = {
        "机关": report.agency,
        "机关代码": report.agency_id,
        "地区": "/".join(report.region),
        "机关类别": report.kind,
        "年度": report.year,
        "格式": report.format_id,
    }
    for table in report.format.tables:
        rows: dict[str, dict[str, Number]] = {}
        for cell in table.cells:
            value = numbers.get((table.id, *cell.path))
            if value is not None:
                rows.setdefault(cell.row_label, {})[cell.column_label] = value
        data[table.id] = rows
    return data


def json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # an amount keeps the digits the editor wrote: a number where a float holds it exactly
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    raise TypeError(type(value).__name__)


def to_json(reports: Iterable[Report]) -> str:
    """Return the reports as a JSON list (UTF-8, Chinese kept readable), one report per line.

    Not indented: Python's JSON encoder is written in C only for compact output, and indenting took
    40 s of CPU for 10,000 reports' files.
    """
    items = [json.dumps(report_data(r), ensure_ascii=False, separators=(",", ":"), default=json_default) for r in reports]
    return "[\n" + ",\n".join(items) + "\n]\n"


@dataclass(frozen=True)
class Column:
    """A column of the flat table: a cell of some format, named by table/row path/column."""

    name: str  # 表二/三、本年度办理结果/（七）总计/自然人
    cell: CellDef
    formats: tuple[int, ...]  # the format versions that have this cell


def columns(formats: Sequence[FormatDef]) -> list[Column]:
    """Return the flat columns of ``formats`` (2021 first), each cell once, in the form's order."""
    seen: dict[str, Column] = {}
    for fmt in formats:
        for table in fmt.tables:
            for cell in table.cells:
                name = "/".join((table.id, *cell.path))
                if name in seen:
                    old = seen[name]
                    seen[name] = Column(name, old.cell, old.formats + (fmt.id,))
                else:
                    seen[name] = Column(name, cell, (fmt.id,))
    return list(seen.values())


def _formats_of(reports: Sequence[Report]) -> list[FormatDef]:
    ids = sorted({r.format_id for r in reports}, reverse=True) or [2021]
    return [FORMATS[i] for i in ids]


def flat_rows(reports: Sequence[Report]) -> tuple[list[str], list[list[Any]]]:
    """Return a header and one row per report: identity, then every cell of every table."""
    cols = columns(_formats_of(reports))
    header = list(IDENTITY) + [c.name for c in cols]
    rows = []
    for r in reports:
        numbers = r.numbers()
        identity = [r.agency, r.agency_id, "/".join(r.region), r.kind, r.year, r.format_id]
        rows.append(identity + [numbers.get((c.cell.table, *c.cell.path)) for c in cols])
    return header, rows


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection, CWE-1236).
# Full-width ＝＋－＠ too: Excel and WPS read them as the ASCII signs when a cell is entered.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _csv_value(value: Any) -> Any:
    """Return a CSV cell: amounts as written, text that a spreadsheet would run as a formula quoted with '."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(reports: Sequence[Report]) -> bytes:
    """Return the flat table as CSV in UTF-8 with a BOM, so that Excel and WPS read Chinese right."""
    header, rows = flat_rows(reports)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _header(paths: list[tuple[str, ...]], first: int) -> tuple[list[list[xlsx.Value]], list[tuple[int, int, int, int]]]:
    """Return header rows and merges for columns named by label paths, starting at column ``first``.

    A label spans the columns that share it (merged across); a leaf label spans down to the last
    header row, as in the printed form.
    """
    depth = max(len(p) for p in paths)
    rows: list[list[xlsx.Value]] = [[None] * (first - 1 + len(paths)) for _ in range(depth)]
    merges = []
    for level in range(depth):
        j = 0
        while j < len(paths):
            path = paths[j]
            if level >= len(path):
                j += 1
                continue
            leaf = level == len(path) - 1
            end = j
            while not leaf and end + 1 < len(paths) and paths[end + 1][: level + 1] == path[: level + 1]:
                end += 1
            rows[level][first - 1 + j] = path[level]
            bottom = depth - 1 if leaf else level
            if end > j or bottom > level:
                merges.append((level + 1, first + j, bottom + 1, first + end))
            j = end + 1
    return rows, merges


def _identity(report: Report) -> list[xlsx.Value]:
    return [report.agency, report.agency_id, "/".join(report.region), report.kind, report.year, report.format_id]


def to_xlsx(reports: Sequence[Report]) -> bytes:
    """Return an XLSX workbook: a sheet per table, the statutory labels merged over its columns."""
    fmts = _formats_of(reports)
    cols = columns(fmts)
    numbers = [r.numbers() for r in reports]
    sheets = []
    for table in fmts[0].tables:
        table_cols = [c for c in cols if c.cell.table == table.id]
        rows, merges = _header([c.cell.path for c in table_cols], len(IDENTITY) + 1)
        depth = len(rows)
        for i, name in enumerate(IDENTITY):
            rows[0][i] = name
            if depth > 1:
                merges.append((1, i + 1, depth, i + 1))
        for report, values in zip(reports, numbers, strict=True):
            rows.append(_identity(report) + [values.get((c.cell.table, *c.cell.path)) for c in table_cols])
        widths = {i: 16.0 for i in range(1, len(IDENTITY) + 1)}
        sheets.append(xlsx.Sheet(f"{table.id} {table.title}", rows, merges, depth, len(IDENTITY), widths))
    return xlsx.workbook(sheets)


FORMAT_WRITERS = {"json": lambda rs: to_json(rs).encode("utf-8"), "csv": to_csv, "xlsx": to_xlsx}


def export(reports: Sequence[Report], fmt: str) -> bytes:
    """Return ``reports`` in format ``fmt`` (json, csv or xlsx)."""
    return FORMAT_WRITERS[fmt](reports)
