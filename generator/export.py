"""Open data: every number of every report as JSON, CSV (UTF-8 with BOM) and XLSX.

The shape is fixed and documented on the site's data page: a report's identity, then each table as
a map from the row's label path (the statutory labels joined by SEP) to a map from column label to
number, totals included. The wide CSV and XLSX flatten that into one row per report, one column per
cell, in the order of the format definition, one format version per file; the long CSV has one row
per number (report, table, row path, column, value), whatever the format.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import xlsx
from .formats import FORMATS, CellDef, FormatDef, Kind
from .model import Number, Report, cell_key

# Joins the labels of a path. Not "/": the statutory label 本年增/减 holds one (tests/test_data.py
# checks that no label of any format holds SEP).
SEP = "›"

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


def row_path(cell: CellDef) -> str:
    """Return the row's label path of a cell: 三、本年度办理结果›（三）不予公开›1.属于国家秘密."""
    return SEP.join(cell.path[:-1])


def column_name(cell: CellDef) -> str:
    """Return a cell's name in the wide tables: table, row path and column, joined by SEP."""
    return SEP.join((cell.table, *cell.path))


@functools.cache
def _cells_by_table(format_id: int) -> tuple[tuple[str, tuple[tuple[tuple[str, ...], str, str], ...]], ...]:
    """Return each table of a format with its cells as (key, row path, column label), in the form's order.

    Every report of a format walks the same cells: their keys and labels are joined once, not once
    per report and file (that was a third of writing the open data).
    """
    return tuple((table.id, tuple((cell_key(table.id, cell.path), row_path(cell), cell.column_label) for cell in table.cells))
                 for table in FORMATS[format_id].tables)


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
    for table_id, cells in _cells_by_table(report.format_id):
        rows: dict[str, dict[str, Number]] = {}
        for key, row, column in cells:
            value = numbers.get(key)
            if value is not None:
                rows.setdefault(row, {})[column] = value
        data[table_id] = rows
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

    name: str  # 表二›三、本年度办理结果›（七）总计›自然人
    cell: CellDef
    formats: tuple[int, ...]  # the format versions that have this cell

    @property
    def key(self) -> tuple[str, ...]:
        """Return the cell's key in Report.numbers()."""
        return cell_key(self.cell.table, self.cell.path)


def columns(formats: Sequence[FormatDef]) -> list[Column]:
    """Return the flat columns of ``formats`` (2021 first), each cell once, in the form's order."""
    return list(_columns(tuple(fmt.id for fmt in formats)))


@functools.cache
def _columns(format_ids: tuple[int, ...]) -> tuple[Column, ...]:
    seen: dict[str, Column] = {}
    for fmt in (FORMATS[i] for i in format_ids):
        for table in fmt.tables:
            for cell in table.cells:
                name = column_name(cell)
                if name in seen:
                    old = seen[name]
                    seen[name] = Column(name, old.cell, old.formats + (fmt.id,))
                else:
                    seen[name] = Column(name, cell, (fmt.id,))
    return tuple(seen.values())


@functools.cache
def _column_keys(format_ids: tuple[int, ...], table: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Return the keys of the flat columns of some formats (of one table, if given)."""
    return tuple(c.key for c in _columns(format_ids) if table is None or c.cell.table == table)


def _formats_of(reports: Sequence[Report]) -> list[FormatDef]:
    ids = sorted({r.format_id for r in reports}, reverse=True) or [2021]
    return [FORMATS[i] for i in ids]


def flat_rows(reports: Sequence[Report]) -> tuple[list[str], list[list[Any]]]:
    """Return a header and one row per report: identity, then every cell of every table."""
    ids = tuple(f.id for f in _formats_of(reports))
    header = list(IDENTITY) + [c.name for c in _columns(ids)]
    keys = _column_keys(ids)
    rows = []
    for r in reports:
        get = r.numbers().get
        identity = [r.agency, r.agency_id, "/".join(r.region), r.kind, r.year, r.format_id]
        rows.append(identity + [get(key) for key in keys])
    return header, rows


def by_format(reports: Sequence[Report]) -> dict[int, list[Report]]:
    """Return the reports of each format version (2021 first): a wide file holds one version only."""
    out: dict[int, list[Report]] = {}
    for r in sorted(reports, key=lambda r: -r.format_id):
        out.setdefault(r.format_id, []).append(r)
    return out


LONG_DESCRIPTIONS = {
    "报告": "报告代码：机关代码-年度，与每份报告的数据文件名一致",
    "机关代码": "机关的英文代码",
    "年度": "报告年度",
    "格式": "2021 或 2019，表和行的标签按该格式",
    "表": "表一、表二或表三",
    "行": f"行标签路径：报告格式中的原文标签，用“{SEP}”连接",
    "列": "列标签",
    "数值": "该单元格的数字（件；收费为万元）。总计已包含：报告中未填写的总计由程序计算",
}
LONG_HEADER = tuple(LONG_DESCRIPTIONS)


def long_rows(reports: Iterable[Report]) -> Iterable[list[Any]]:
    """Yield one row per number: report, agency id, year, format, table, row path, column, value."""
    for r in reports:
        numbers = r.numbers()
        for table_id, cells in _cells_by_table(r.format_id):
            for key, row, column in cells:
                value = numbers.get(key)
                if value is not None:
                    yield [r.slug, r.agency_id, r.year, r.format_id, table_id, row, column, value]


def to_long_csv(reports: Sequence[Report]) -> bytes:
    """Return the long (tidy) table as CSV in UTF-8 with a BOM: one row per number of every report."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LONG_HEADER)
    writer.writerows([v if type(v) is int else _csv_value(v) for v in row] for row in long_rows(reports))
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


UNITS = {Kind.COUNT: "件", Kind.SIGNED: "件（可为负数）", Kind.AMOUNT: "万元"}
DICTIONARY_HEADER = ("列名", "表", "行", "列", "单位", "适用格式", "说明")


def dictionary_csv() -> bytes:
    """Return the column dictionary of the wide tables (both formats) as CSV in UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DICTIONARY_HEADER)
    for name, text in IDENTITY_DESCRIPTIONS.items():
        writer.writerow([name, "", "", "", "", "2021、2019", text])
    for col in columns([FORMATS[2021], FORMATS[2019]]):
        note = "总计，报告未填写时由程序计算" if col.cell.total else ""
        writer.writerow([col.name, col.cell.table, row_path(col.cell), col.cell.column_label, UNITS[col.cell.kind],
                         "、".join(str(f) for f in col.formats), note])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


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
    # ints, nearly every cell, go as they are: a call per cell was most of writing a wide CSV
    writer.writerows([v if type(v) is int else _csv_value(v) for v in row] for row in rows)
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


def report_date(report: Report) -> str:
    """Return the W3C date-time a report's files state: its own date, noon in Beijing (as its PDF)."""
    day = report.date or datetime.date(report.year + 1, 1, 1)
    return f"{day.isoformat()}T04:00:00Z"


def default_properties(reports: Sequence[Report]) -> xlsx.Properties:
    """Return the document properties of a workbook of ``reports``: one report's own, or the collection's."""
    years = sorted({r.year for r in reports})
    created = max((report_date(r) for r in reports), default="")
    if len(reports) == 1:
        r = reports[0]
        return xlsx.Properties(
            title=f"{r.title}（数据）", creator=r.agency, subject="政府信息公开工作年度报告统计表",
            keywords=("政府信息公开", "年度报告", f"{r.year}年", r.agency, *r.region), created=created,
        )
    span = f"{years[0]}—{years[-1]}年度" if len(years) > 1 else f"{years[0]}年度" if years else ""
    return xlsx.Properties(
        title=f"政府信息公开工作年度报告数据（{span}，{len(reports)}份报告）", creator="nianbao",
        subject="政府信息公开工作年度报告统计表", keywords=("政府信息公开", "年度报告", *(f"{y}年" for y in years)),
        created=created,
    )


@functools.cache
def _sheet_header(format_ids: tuple[int, ...], table: str) -> tuple[tuple[tuple[xlsx.Value, ...], ...], tuple[tuple[int, int, int, int], ...]]:
    """Return the header rows and merges of a table's sheet: the same for every workbook of these formats."""
    paths = [c.cell.path for c in _columns(format_ids) if c.cell.table == table]
    rows, merges = _header(paths, len(IDENTITY) + 1)
    depth = len(rows)
    for i, name in enumerate(IDENTITY):
        rows[0][i] = name
        if depth > 1:
            merges.append((1, i + 1, depth, i + 1))
    return tuple(tuple(row) for row in rows), tuple(merges)


ROW_SEPARATOR = "\x01"  # between a report's row templates, one per table: no cell can hold it


def xlsx_rows(report: Report) -> bytes:
    """Return a report's rows of a workbook of its format, one per table, their row numbers open.

    Kept per report in the data cache, so that a workbook of 10,000 reports after one edit is its
    reports' rows joined (``to_xlsx(..., rows=...)``), not 10,000 rows made again from the numbers.
    """
    values = report.numbers().get
    identity = _identity(report)
    ids = (report.format_id,)
    return ROW_SEPARATOR.join(xlsx.row_template(identity + [values(key) for key in _column_keys(ids, table.id)])
                              for table in report.format.tables).encode("utf-8")


def _made_rows(reports: Sequence[Report], rows: Callable[[Report], bytes | None], tables: int) -> list[list[str]] | None:
    """Return each report's row templates, a list per report and table; None if one is missing or not of ``tables``."""
    made = []
    for report in reports:
        part = rows(report)
        if part is None:
            return None
        templates = part.decode("utf-8").split(ROW_SEPARATOR)
        if len(templates) != tables:
            return None
        made.append(templates)
    return made


def to_xlsx(reports: Sequence[Report], properties: xlsx.Properties | None = None,
            rows: Callable[[Report], bytes | None] | None = None) -> bytes:
    """Return an XLSX workbook: a sheet per table, the statutory labels merged over its columns.

    ``rows(report)`` may give a report's ``xlsx_rows`` (or None): for a workbook of one format
    version, they are placed as they are, and the bytes are those made from the numbers.
    """
    fmts = _formats_of(reports)
    ids = tuple(f.id for f in fmts)
    made = _made_rows(reports, rows, len(fmts[0].tables)) if rows is not None and len(ids) == 1 else None
    numbers = [r.numbers() for r in reports] if made is None else []
    sheets = []
    for t, table in enumerate(fmts[0].tables):
        header, merges = _sheet_header(ids, table.id)
        body: list[Sequence[xlsx.Value]] = list(header)
        templates: list[str] = []
        if made is not None:
            templates = [m[t] for m in made]
        else:
            keys = _column_keys(ids, table.id)
            for report, values in zip(reports, numbers, strict=True):
                get = values.get
                body.append(_identity(report) + [get(key) for key in keys])
        widths = {i: 16.0 for i in range(1, len(IDENTITY) + 1)}
        sheets.append(xlsx.Sheet(f"{table.id} {table.title}", body, list(merges), len(header), len(IDENTITY), widths, templates))
    return xlsx.workbook(sheets, properties or default_properties(reports))


def _to_json(reports: Sequence[Report], properties: xlsx.Properties | None) -> bytes:
    return to_json(reports).encode("utf-8")


def _to_csv(reports: Sequence[Report], properties: xlsx.Properties | None) -> bytes:
    return to_csv(reports)


def _to_long(reports: Sequence[Report], properties: xlsx.Properties | None) -> bytes:
    return to_long_csv(reports)


FORMAT_WRITERS: dict[str, Callable[[Sequence[Report], xlsx.Properties | None], bytes]] = {
    "json": _to_json, "csv": _to_csv, "xlsx": to_xlsx, "long": _to_long,
}
WIDE = ("csv", "xlsx")  # one format version per file


def export(reports: Sequence[Report], fmt: str, properties: xlsx.Properties | None = None) -> bytes:
    """Return ``reports`` in format ``fmt`` (json, csv, xlsx or long); ``properties`` for an XLSX file."""
    return FORMAT_WRITERS[fmt](reports, properties)
