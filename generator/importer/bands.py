"""Put back the cells of a table that ``pdftotext`` (without ``-layout``) printed in reading order.

Without ``-layout`` pdftotext prints a table's label column first, each row's first cell beside
its label (``1.属 于 国 0``), and only then the other cells, block by block. A block is one column's
cells in rows printed close together: a *band* of rows whose labels take one line is one block per
column, a row with a tall label is a band of its own. The blocks of a band come left to right, the
bands top to bottom, so the numbers after the labels are, band by band, the band's columns one
after the other (a band of two rows: ``1 1 0 0 5 0 …``, column by column).

Which rows form a band is nowhere printed. Every way of cutting the rows into bands is tried; a
band must keep each of its rows' own sums (总计 = the sum of the applicants), a blank line
(pdftotext ends a flow of blocks with one, where the text still has them) never falls inside a
column of a band, and
the table's balance rules R1–R4 choose among the cuttings left. A cell is filled only when every
cutting left gives it the same number; where they differ the cell stays open, and no number is
ever moved into a row by a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..formats import Kind
from ..model import Number
from .digits import Equation, KeyPath, Reading, parse_value

READING_LIMIT = 4096  # different readings checked one by one against R1–R4; past it only each row's own sums decide


@dataclass(frozen=True)
class Rest:
    """A number printed after the labels and the flow of blocks it was printed in (counted by blank lines)."""

    text: str
    block: int
    line: int  # numbers on one line are cells of one row, side by side


@dataclass
class Bands:
    """Each row's cells as the cuttings left agree on them (None where they differ)."""

    rows: list[Reading]
    readings: int  # different readings of the table (cuttings into bands) that keep every rule checked
    start: int = 0  # rows above it could not be put back (printed in an order this module does not know)


def solve(
    paths: Sequence[tuple[KeyPath, ...]],
    kinds: Sequence[Sequence[Kind]],
    first: Sequence[Number | None] | None,
    rest: Sequence[Rest],
    rules: Sequence[Equation],
) -> Bands | None:
    """Return the rows' cells read from ``first`` (each row's first cell, or None when no cell
    printed beside the labels) and ``rest``, the numbers after the labels in reading order.

    The rows are put back from the last one up: where the numbers of the first rows came in an
    order of blocks that is no cutting into bands (nianbao's PDFs print the cells under the
    two-level header that way), the rows from the first that a cutting reaches to the end are
    read, and the ones above stay open. Returns None when not even the last row can be read.
    """
    count = len(paths)
    width = len(paths[0]) - (1 if first is not None else 0)
    if count < 2 or width < 1 or any(len(p) != len(paths[0]) for p in paths):
        return None
    offset = len(rest) - count * width  # numbers printed before the first row's (read from the end)
    if offset < 0 or (first is not None and offset):
        return None
    own = [[e for e in rules if all(q in row for q in e.left + e.right)] for row in paths]
    band: dict[tuple[int, int], list[list[Reading]]] = {}  # (first row, rows) -> the band's readings
    for start in range(count):
        for size in range(1, count - start + 1):
            alternatives = _band(paths, kinds, first, rest, own, offset, start, size)
            if alternatives:
                band[(start, size)] = alternatives
    ahead = [0] * (count + 1)  # cuttings of rows start.. that keep every band's checks
    ahead[count] = 1
    for start in range(count - 1, -1, -1):
        ahead[start] = sum(ahead[start + size] for size in range(1, count - start + 1) if (start, size) in band)
    first_read = 0 if not offset and ahead[0] else next((s for s in range(1, count) if ahead[s]), None)
    if first_read is None:
        return None
    start = first_read
    head: list[Reading] = [(None,) * len(paths[0])] * start
    tails = _readings(band, count, start)
    if tails is not None:
        readings = [head + list(t) for t in tails]
        balanced = [r for r in readings if _balances(r, paths, rules)]
        # a published table may itself be out of balance: then R1–R4 cannot choose, and validation says so
        chosen = balanced or readings
        return Bands(_agree(chosen, count, len(paths[0])), len(chosen), start)
    reached = [False] * (count + 1)
    reached[start] = True
    live: list[list[Reading]] = [[] for _ in range(count)]
    for at in range(start, count):
        if not reached[at]:
            continue
        for size in range(1, count - at + 1):
            if (at, size) in band and ahead[at + size]:
                reached[at + size] = True
                for rows in band[(at, size)]:
                    for k, row in enumerate(rows):
                        live[at + k].append(row)
    rows = [_agree([[r] for r in options], 1, len(paths[0]))[0] if options else (None,) * len(paths[0]) for options in live]
    return Bands(rows, READING_LIMIT + 1, start)


def _band(
    paths: Sequence[tuple[KeyPath, ...]],
    kinds: Sequence[Sequence[Kind]],
    first: Sequence[Number | None] | None,
    rest: Sequence[Rest],
    own: Sequence[Sequence[Equation]],
    offset: int,
    start: int,
    size: int,
) -> list[list[Reading]]:
    """Return the readings of rows start..start+size as one band that keep the rows' own sums.

    A block of the band holds one or more columns side by side, printed row by row; which columns
    pdftotext put in one block is not printed either, so every way of grouping them is tried.
    """
    skip = 1 if first is not None else 0  # columns printed beside the labels
    width = len(paths[0]) - skip
    base = offset + start * width
    out: list[list[Reading]] = []
    for spans in _groupings(width):
        rows = _read_blocks(kinds, first, rest, base, start, size, skip, spans)
        if rows is not None and all(_keeps(row, paths[start + k], own[start + k]) for k, row in enumerate(rows)) and rows not in out:
            out.append(rows)
    return out


def _read_blocks(
    kinds: Sequence[Sequence[Kind]],
    first: Sequence[Number | None] | None,
    rest: Sequence[Rest],
    at: int,
    start: int,
    size: int,
    column: int,
    spans: tuple[int, ...],
) -> list[Reading] | None:
    """Return the band's rows read as blocks ``spans`` columns wide, or None when the text has no such blocks."""
    cells: list[list[Number | None]] = [[first[start + k]] if first is not None else [] for k in range(size)]
    for span in spans:
        count = size * span
        if not _block_fits(rest, at, count, span, first is None):
            return None
        for j in range(count):
            value = _value(rest[at + j].text, kinds[start + j // span][column + j % span])
            if value is None:
                return None
            cells[j // span].append(value)
        at, column = at + count, column + span
    return [tuple(row) for row in cells]


@lru_cache(maxsize=4096)
def _value(text: str, kind: Kind) -> Number | None:
    return parse_value(text, kind)  # the same few numbers are read for every band and grouping tried


@lru_cache(maxsize=64)
def _groupings(width: int) -> list[tuple[int, ...]]:
    """Return every way of cutting ``width`` columns into blocks of adjacent columns, left to right."""
    if width == 0:
        return [()]
    return [(span, *tail) for span in range(1, width + 1) for tail in _groupings(width - span)]


def _block_fits(rest: Sequence[Rest], at: int, count: int, span: int, own_flow: bool) -> bool:
    """Return True when rest[at:at+count] can be one block printed ``span`` numbers a row.

    No blank line inside a block; numbers on one line are one row's, side by side, so a line
    neither crosses a row of the block nor its edges. With ``own_flow`` (nianbao's PDFs, nothing
    beside the labels) every block is a flow of its own, a blank line before it.
    """
    if at + count > len(rest) or any(rest[at + j].block != rest[at].block for j in range(count)):
        return False
    if own_flow and at and rest[at - 1].block == rest[at].block:
        return False
    if at and rest[at - 1].line == rest[at].line:
        return False
    if at + count < len(rest) and rest[at + count].line == rest[at + count - 1].line:
        return False
    return all(rest[at + j].line != rest[at + j + 1].line or (j + 1) % span for j in range(count - 1))


def _keeps(row: Reading, paths: tuple[KeyPath, ...], own: Sequence[Equation]) -> bool:
    where = {path: c for c, path in enumerate(paths)}
    return all(e.holds(_reader(row, where)) for e in own)


def _line_length(rest: Sequence[Rest], at: int) -> int:
    """Return how many numbers the line starting at ``at`` holds; 0 when no line starts there."""
    if at >= len(rest) or (at and rest[at - 1].line == rest[at].line):
        return 0
    end = at
    while end < len(rest) and rest[end].line == rest[at].line:
        end += 1
    return end - at


def _reader(row: Reading, column: dict[KeyPath, int]) -> Callable[[KeyPath], Number | None]:
    return lambda path: row[column[path]]


def _readings(band: dict[tuple[int, int], list[list[Reading]]], count: int, start: int) -> list[tuple[Reading, ...]] | None:
    """Return the different readings of rows start.. over all cuttings, or None past READING_LIMIT.

    Many cuttings read alike (any cutting of rows of zeros reads zeros): they are counted once.
    """
    memo: dict[int, set[tuple[Reading, ...]]] = {count: {()}}
    for at in range(count - 1, start - 1, -1):
        found: set[tuple[Reading, ...]] = set()
        for size in range(1, count - at + 1):
            if (at, size) in band and at + size in memo:
                found.update(tuple(rows) + tail for rows in band[(at, size)] for tail in memo[at + size])
                if len(found) > READING_LIMIT:
                    return None
        if found:
            memo[at] = found
    return sorted(memo.get(start, set()), key=repr)


def _balances(rows: list[Reading], paths: Sequence[tuple[KeyPath, ...]], rules: Sequence[Equation]) -> bool:
    where = {path: (r, c) for r, row in enumerate(paths) for c, path in enumerate(row)}

    def value(path: KeyPath) -> Number | None:
        if path not in where:
            return None
        r, c = where[path]
        return rows[r][c]

    return all(e.holds(value) for e in rules)


def _agree(readings: Sequence[Sequence[Reading]], count: int, width: int) -> list[Reading]:
    """Return each cell's value where every reading gives the same, else None."""
    out = []
    for r in range(count):
        row: list[Number | None] = []
        for c in range(width):
            values = {reading[r][c] for reading in readings}
            row.append(values.pop() if len(values) == 1 else None)
        out.append(tuple(row))
    return out
