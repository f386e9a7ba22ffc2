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
    statics, slots = _plan(table, id_prefix, caption, caption_id)
    parts = [""] * (2 * len(statics) - 1)  # statics[i] comes before the number of slots[i]
    parts[0::2] = statics
    parts[1::2] = [escape(format_number(numbers.get(key), kind, texts.get(key))) for key, kind in slots]
    return "".join(parts)


Slot = tuple[tuple[str, ...], Kind]  # a data cell of the table: its key and kind
_PLANS: dict[tuple[int, str, str | None, str | None], tuple[TableDef, tuple[list[str], list[Slot]]]] = {}


def _plan(table: TableDef, id_prefix: str, caption: str | None, caption_id: str | None) -> tuple[list[str], list[Slot]]:
    """Return a table's HTML as the text between its numbers and the numbers' keys (cached per table and ids).

    The markup depends on the format alone: it is built once, and each report fills in its numbers
    (building it per report was a third of rendering a report page's body).
    """
    key = (id(table), id_prefix, caption, caption_id)
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is table:
        return cached[1]
    statics, slots = [""], []
    for piece in _markup(table, id_prefix, caption, caption_id):
        if isinstance(piece, str):
            statics[-1] += piece
        else:
            slots.append(piece)
            statics.append("")
    _PLANS[key] = (table, (statics, slots))
    return statics, slots


def _markup(table: TableDef, id_prefix: str, caption: str | None, caption_id: str | None) -> list[str | Slot]:
    """Return the table's HTML in pieces: text, and a slot for each number."""
    out: list[str | Slot] = []
    for line in _lines(table, id_prefix, caption, caption_id):
        if out:
            out.append("\n")
        out.extend([line] if isinstance(line, str) else line)
    return out


def _lines(table: TableDef, id_prefix: str, caption: str | None, caption_id: str | None) -> list[str | list[str | Slot]]:
    """Return the table's lines: the text of each, or its pieces where it holds a number."""
    grid = layout(table, id_prefix)
    number = "一二三".index(table.id[1]) + 1
    out: list[str | list[str | Slot]] = [f'<table class="nb-table nb-t{number}" id="{id_prefix}">']
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
                cls = "nb-num nb-total" if cell.cell.total else "nb-num"
                out.append([f'<td class="{cls}" headers="{" ".join(cell.headers)}"{spans}>', ((table.id, *cell.cell.path), cell.cell.kind), "</td>"])
        out.append("</tr>")
    out.append(f"</t{'head' if part == 'head' and not stacked else 'body'}>")
    out.append("</table>")
    return out
