"""The statutory tables as accessible HTML, from the merged-cell grid."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from html import escape

from .formats import Kind, TableDef
from .grid import layout
from .model import Number


def format_number(value: Number | None, kind: Kind, text: str | None = None) -> str:
    """Return a number as the form prints it: as written for amounts (18651.06 stays so)."""
    if value is None:
        return ""
    if text is not None:
        return text
    if isinstance(value, Decimal) or kind is Kind.AMOUNT:
        return format(value, "f")
    return str(value)


def table_html(
    table: TableDef,
    numbers: Mapping[tuple[str, ...], Number],
    texts: Mapping[tuple[str, ...], str],
    id_prefix: str,
    caption: str | None = None,
    caption_id: str | None = None,
) -> str:
    """Return ``table`` as an HTML table with merged header cells, ``scope`` and ``headers``.

    ``numbers`` and ``texts`` are keyed by (table id, *key path); texts (as the editor wrote them)
    win over numbers so that 0.50 is not shown as 0.5. A table of one block has its header rows in
    ``<thead>``, which a printed page repeats; a stacked table (表一) has one ``<tbody class="nb-block">``
    per block, its caption and header rows first: a table has only one header that repeats, and
    repeating the first block's above the others put their numbers under the wrong headers, so each
    block is kept whole on a page instead, under its own header.
    """
    grid = layout(table, id_prefix)
    number = "一二三".index(table.id[1]) + 1
    out = [f'<table class="nb-table nb-t{number}" id="{id_prefix}">']
    if caption:
        cid = f' id="{escape(caption_id)}"' if caption_id else ""
        out.append(f"<caption{cid}>{escape(caption)}</caption>")
    stacked = len(table.blocks) > 1
    part = None
    for row in grid.rows:
        starts_block = stacked and (part is None or row.cells[0].kind == "caption")
        if (row.part != part and not stacked) or starts_block:
            if part:
                out.append(f"</t{'head' if part == 'head' and not stacked else 'body'}>")
            part = row.part
            out.append('<tbody class="nb-block">' if stacked else f"<t{'head' if part == 'head' else 'body'}>")
        out.append("<tr>")
        for cell in row.cells:
            spans = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            )
            if cell.is_header:
                scope = {"col": "col", "colgroup": "colgroup", "row": "row", "rowgroup": "rowgroup"}.get(cell.kind)
                attrs = f' id="{cell.id}"' + (f' scope="{scope}"' if scope else "") + spans
                out.append(f'<th class="nb-{cell.kind}"{attrs}>{escape(cell.text)}</th>')
            else:
                assert cell.cell is not None
                key = (table.id, *cell.cell.path)
                value = format_number(numbers.get(key), cell.cell.kind, texts.get(key))
                cls = "nb-num nb-total" if cell.cell.total else "nb-num"
                out.append(f'<td class="{cls}" headers="{" ".join(cell.headers)}"{spans}>{escape(value)}</td>')
        out.append("</tr>")
    out.append(f"</t{'head' if part == 'head' and not stacked else 'body'}>")
    out.append("</table>")
    return "\n".join(out)
