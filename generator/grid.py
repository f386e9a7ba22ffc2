"""Lay a statutory table out as a grid of merged cells, for every renderer (web page and PDF).

The grid is computed from the format definition alone: header rows from the column tree, row
labels from the row tree, spans from the number of leaves below each label. Both the HTML table
and the Typst table walk the same grid, so the two can never disagree on a merged cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .formats import Block, CellDef, Node, TableDef


@dataclass
class GridCell:
    """One cell of the laid-out table."""

    text: str
    kind: str  # caption | corner | col | colgroup | row | rowgroup | data
    colspan: int = 1
    rowspan: int = 1
    id: str = ""
    headers: tuple[str, ...] = ()  # ids of the header cells that describe a data cell
    cell: CellDef | None = None  # the data cell's definition (data cells only)

    @property
    def is_header(self) -> bool:
        return self.kind != "data"


@dataclass
class GridRow:
    cells: list[GridCell]
    part: str  # head (repeats on a new page) | body


@dataclass
class Grid:
    table: TableDef
    width: int
    rows: list[GridRow] = field(default_factory=list)
    header_rows: int = 0  # rows at the top that repeat when the table breaks across pages


def _span(node: Node, last: Node, extra: int) -> int:
    """Return the columns under ``node``; the block's last leaf absorbs the table's spare width."""
    return sum(1 + (extra if leaf is last else 0) for leaf in node.leaves)


def _row_chains(nodes: tuple[Node, ...], chain: tuple[Node, ...] = ()) -> Iterator[tuple[Node, ...]]:
    """Yield the chain of row labels (outermost first) of every leaf row."""
    for node in nodes:
        if node.children:
            yield from _row_chains(node.children, chain + (node,))
        else:
            yield chain + (node,)


_GRIDS: dict[tuple[int, str], tuple[TableDef, Grid]] = {}


def layout(table: TableDef, id_prefix: str) -> Grid:
    """Return the merged-cell grid of ``table``; header ids start with ``id_prefix``.

    The grid depends on the format alone, so it is computed once per table and prefix and shared:
    every report's web page and PDF read it (callers must not change it).
    """
    key = (id(table), id_prefix)
    cached = _GRIDS.get(key)
    if cached is not None and cached[0] is table:
        return cached[1]
    grid = _layout(table, id_prefix)
    _GRIDS[key] = (table, grid)
    return grid


def _layout(table: TableDef, id_prefix: str) -> Grid:
    grid = Grid(table, table.width)
    counter = iter(range(1, 10_000))
    cells = iter(table.cells)

    def new_id() -> str:
        return f"{id_prefix}-{next(counter)}"

    for block in table.blocks:
        _layout_block(grid, block, new_id, cells)
    return grid


def _layout_block(grid: Grid, block: Block, new_id: Callable[[], str], cells: Iterator[CellDef]) -> None:
    leaves = [leaf for col in block.columns for leaf in col.leaves]
    last = leaves[-1]
    extra = grid.width - block.corner_width - len(leaves)
    depth = max(c.depth for c in block.columns)
    caption_ids: tuple[str, ...] = ()
    head_start = len(grid.rows)
    if block.caption:
        caption = GridCell(block.caption, "caption", colspan=grid.width, id=new_id())
        caption_ids = (caption.id,)
        grid.rows.append(GridRow([caption], "head"))

    # Header rows: the corner, then each level of the column tree.
    col_ids: dict[int, tuple[str, ...]] = {}  # id(leaf) -> ids of its header chain
    head_rows: list[list[GridCell]] = [[] for _ in range(depth)]
    if block.corner_width:
        head_rows[0].append(GridCell(block.corner, "corner", colspan=block.corner_width, rowspan=depth, id=new_id()))

    def place(nodes: tuple[Node, ...], level: int, chain: tuple[str, ...]) -> None:
        for node in nodes:
            leaf = not node.children
            cell = GridCell(
                node.label,
                "col" if leaf else "colgroup",
                colspan=_span(node, last, extra),
                rowspan=depth - level if leaf else 1,
                id=new_id(),
            )
            head_rows[level].append(cell)
            if leaf:
                col_ids[id(node)] = chain + (cell.id,)
            else:
                place(node.children, level + 1, chain + (cell.id,))

    place(block.columns, 0, ())
    grid.rows.extend(GridRow(r, "head") for r in head_rows)
    if head_start == 0 and len(grid.table.blocks) == 1:  # a stacked table (表一) has no single header
        grid.header_rows = len(grid.rows)

    # Body rows: row labels (merged down over their leaves), then the data cells.
    emitted: dict[int, str] = {}
    for chain in _row_chains(block.rows):
        row: list[GridCell] = []
        for level, node in enumerate(chain):
            if id(node) in emitted or not node.label:
                continue
            is_leaf = not node.children
            cell = GridCell(
                node.label,
                "row" if is_leaf else "rowgroup",
                colspan=block.corner_width - level if is_leaf else 1,
                rowspan=len(node.leaves),
                id=new_id(),
            )
            emitted[id(node)] = cell.id
            row.append(cell)
        row_ids = tuple(emitted[id(n)] for n in chain if id(n) in emitted)
        for leaf in leaves:
            definition = next(cells)
            row.append(
                GridCell(
                    "",
                    "data",
                    colspan=1 + (extra if leaf is last else 0),
                    headers=caption_ids + row_ids + col_ids[id(leaf)],
                    cell=definition,
                )
            )
        grid.rows.append(GridRow(row, "body"))
