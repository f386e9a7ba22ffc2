"""A small, fast, reproducible XLSX writer: sheets of strings and numbers, merged header cells, document properties.

openpyxl took about 40 ms per small workbook and stamps the current time into the file; a site of
10,000 reports offers a workbook per report, so the few parts of SpreadsheetML we need are written
directly (inline strings, one bold style, merges, frozen panes), with fixed zip timestamps.
Tests read the files back with openpyxl.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

Value = str | int | float | Decimal | None


@dataclass
class Sheet:
    """One worksheet: rows of values; the first ``header_rows`` rows are bold and frozen."""

    name: str
    rows: Sequence[Sequence[Value]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based r1, c1, r2, c2
    header_rows: int = 1
    freeze_columns: int = 0
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width in characters
    # rows made beforehand by row_template (one per report, cached), numbered after ``rows``
    templates: Sequence[str] = ()


@dataclass(frozen=True)
class Properties:
    """The document properties a spreadsheet shows under 文件 › 属性 (docProps/core.xml and app.xml)."""

    title: str
    creator: str
    subject: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    created: str = ""  # W3C date-time (2025-01-07T04:00:00Z); never the wall clock, for the same bytes
    company: str = ""


def _core_xml(p: Properties) -> str:
    def el(tag: str, text: str, attrs: str = "") -> str:
        return f"<{tag}{attrs}>{escape(text)}</{tag}>" if text else ""

    dated = ' xsi:type="dcterms:W3CDTF"'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + el("dc:title", p.title) + el("dc:subject", p.subject) + el("dc:creator", p.creator)
        + el("cp:keywords", ", ".join(p.keywords)) + el("dc:description", p.description) + el("dc:language", "zh-CN")
        + el("dcterms:created", p.created, dated) + el("dcterms:modified", p.created, dated)
        + "</cp:coreProperties>"
    )


def _app_xml(p: Properties) -> str:
    company = f"<Company>{escape(p.company)}</Company>" if p.company else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>nianbao</Application>{company}</Properties>"
    )


@functools.cache
def column_letter(index: int) -> str:
    """Return the letters of 1-based column ``index`` (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: Value, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float, Decimal)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value) if isinstance(value, float) else str(value)
        return f'<c r="{ref}"{s}><v>{text}</v></c>'
    clean = "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 0x20)
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{escape(clean)}</t></is></c>'


def _row_xml(r: int | str, row: Sequence[Value], style: int) -> str:
    """Return row ``r`` (1-based) of a sheet: its cells, the empty ones left out unless styled."""
    cells = []
    for c, value in enumerate(row, start=1):
        if type(value) is int and not style:  # most cells of a data row: the general case below costs 3 times more
            cells.append(f'<c r="{column_letter(c)}{r}"><v>{value}</v></c>')
        elif value is not None or style:
            cells.append(_cell(f"{column_letter(c)}{r}", value, style))
    return f'<row r="{r}">{"".join(cells)}</row>'


ROW = "\0"  # the row number of a row template: no cell can hold it (control characters are dropped)


def row_template(row: Sequence[Value]) -> str:
    """Return a data row whose number is left open: ``_sheet_xml`` numbers it where it is placed."""
    return _row_xml(ROW, row, 0)


@functools.lru_cache(maxsize=64)
def _header_row_xml(r: int, row: tuple[Value, ...]) -> str:
    """Return a header row (bold): every workbook of a table has the same ones, made once."""
    return _row_xml(r, row, 1)


def _sheet_xml(sheet: Sheet) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0">']
    if sheet.header_rows or sheet.freeze_columns:
        top = f"{column_letter(sheet.freeze_columns + 1)}{sheet.header_rows + 1}"
        xs = f' xSplit="{sheet.freeze_columns}"' if sheet.freeze_columns else ""
        ys = f' ySplit="{sheet.header_rows}"' if sheet.header_rows else ""
        parts.append(f'<pane{xs}{ys} topLeftCell="{top}" activePane="bottomRight" state="frozen"/>')
    parts.append("</sheetView></sheetViews>")
    if sheet.widths:
        parts.append("<cols>")
        parts += [f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in sorted(sheet.widths.items())]
        parts.append("</cols>")
    parts.append("<sheetData>")
    for r, row in enumerate(sheet.rows, start=1):
        parts.append(_header_row_xml(r, tuple(row)) if r <= sheet.header_rows else _row_xml(r, row, 0))
    first = len(sheet.rows) + 1
    parts += [template.replace(ROW, str(r)) for r, template in enumerate(sheet.templates, start=first)]
    parts.append("</sheetData>")
    if sheet.merges:
        parts.append(f'<mergeCells count="{len(sheet.merges)}">')
        parts += [f'<mergeCell ref="{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"/>' for r1, c1, r2, c2 in sheet.merges]
        parts.append("</mergeCells>")
    parts.append("</worksheet>")
    return "".join(parts)


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def workbook(sheets: Sequence[Sheet], properties: Properties | None = None) -> bytes:
    """Return the bytes of an XLSX file holding ``sheets``; the same input gives the same bytes."""
    names = [escape(s.name[:31], {'"': "&quot;"}) for s in sheets]
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + (
                '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
                if properties else ""
            )
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
                if properties else ""
            )
            + "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }
    if properties:
        files["docProps/core.xml"] = _core_xml(properties)
        files["docProps/app.xml"] = _app_xml(properties)
    for i, sheet in enumerate(sheets, start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"))
    return out.getvalue()
