"""Read Markdown that other tools converted from a report's PDF: headings, emphasis, pipe tables.

Converters write ``## 一、总体情况`` and ``**（一）主动公开**``, print table captions of their own
(``## 表三``) and turn each table into pipe rows on a regular grid: a merged label's text in its first
column, the columns it spans empty. They also break rows: a row's numbers one line below its label,
a total alone on the next line, a stray extra cell. Here the markup goes, and each pipe row becomes
one line as a Word table row is read (text.py): its label, then its data cells apart by tabs. A row
whose data cells are all empty is joined with the label-less row of numbers right below it only
when the table prints its zeros (blank cells cannot then be zeros); anything else is left to
tables.py, which names a row it cannot match instead of moving its numbers to another row.
"""

from __future__ import annotations

import re

from .text import Line

_PIPE = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_CAPTION = re.compile(r"^(?:表\s*[一二三四1-4])(?:\s*[：:、.]?\s*.{0,30})?$")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
ZEROS_PRINTED = 0.05  # a table with at most this share of empty data cells prints its zeros


def is_markdown(lines: list[str], suffix: str) -> bool:
    """Return True for Markdown: by suffix, or pipe rows with their ``|---|`` rule."""
    return suffix in (".md", ".markdown") or any(_RULE.match(line) for line in lines if "|" in line)


def markdown_lines(lines: list[Line]) -> list[Line]:
    """Return the lines of a converted Markdown file as web text gives them."""
    out: list[Line] = []
    block: list[Line] = []
    for line in [*lines, Line("", 0)]:
        if _PIPE.match(line.text) and not _RULE.match(line.text):
            block.append(line)
            continue
        if _RULE.match(line.text):
            continue
        if block:
            out += _table(block)
            block = []
        if line.number == 0:
            break
        text = _EMPHASIS.sub(r"\2", _HEADING.sub("", line.text)).strip()
        if _CAPTION.match(re.sub(r"\s+", "", text)) and len(text) <= 30 and "。" not in text:
            continue  # the converter's own caption (## 表三)
        out.append(Line(text, line.number, line.indented))
    return out


def _cells(text: str) -> list[str]:
    inner = text.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_EMPHASIS.sub(r"\2", c).strip() for c in re.split(r"(?<!\\)\|", inner)]


def _table(rows: list[Line]) -> list[Line]:
    """Return a pipe table's rows as label + tab-separated data lines."""
    grid = [_cells(row.text) for row in rows]
    width = max(len(r) for r in grid)
    numeric = [r for r in grid if any(_NUMBER.match(c) for c in r)]
    # the label columns: up to the last column that holds text in a row with numbers
    label_width = max((max((i for i, c in enumerate(r) if c and not _NUMBER.match(c)), default=-1) + 1 for r in numeric), default=0)
    fillers = _fillers(grid)
    data = [
        c for r, fill in zip(grid, fillers, strict=True)
        if r in numeric and len(r) == width and any(r[:label_width])
        for j, c in enumerate(r) if j >= label_width and not (j in fill and not c)
    ]
    zeros_printed = bool(data) and sum(1 for c in data if not c) <= ZEROS_PRINTED * len(data)
    merged: list[tuple[list[str], int, set[int]]] = []
    for cells, row, fill in zip(grid, rows, fillers, strict=True):
        labelled = any(c and not _NUMBER.match(c) for c in cells[:label_width])
        if merged and zeros_printed and not labelled:
            previous, _, _ = merged[-1]
            if _join(previous, cells, label_width, width):
                continue
        merged.append((cells, row.number, fill))
    out = []
    for cells, number, fill in merged:
        name = "".join(c for c in cells[:label_width] if c)
        values = [c for j, c in enumerate(cells) if j >= label_width and not (j in fill and not c)]
        if not name and not any(values):
            continue
        out.append(Line("\t".join([name, *values]) if name else "\t".join(values), number))
    return out


def _fillers(grid: list[list[str]]) -> list[set[int]]:
    """Return, per row, the columns that only a merged cell spans: empty in every header row above it.

    A converter writes a merged cell's text in its first column and leaves the others empty
    (``| 行政许可 | 32 | | |`` under ``| 信息内容 | 本年处理决定数量 | | |``); such an empty field is no
    blank cell, while a column with a header of its own is one.
    """
    out: list[set[int]] = []
    header: list[list[str]] = []
    after_numbers = True
    for row in grid:
        if any(_NUMBER.match(c) for c in row):
            out.append({j for j in range(len(row)) if header and all(j >= len(h) or not h[j] for h in header)})
            after_numbers = True
            continue
        if after_numbers:
            header = []
        header.append(row)
        after_numbers = False
        out.append(set())
    return out


def _join(previous: list[str], cells: list[str], label_width: int, width: int) -> bool:
    """Fill ``previous``'s empty data cells with the label-less row ``cells`` below it, if they fit."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if not filled or not all(_NUMBER.match(c) for _, c in filled) or not any(previous[:label_width]):
        return False
    if len(cells) == len(previous):  # the row's numbers one line down, in their columns
        if any(previous[i] for i, _ in filled):
            return False
        for i, c in filled:
            previous[i] = c
        return True
    # a few cells alone on a line: the last cells of the row above, which it left empty
    values = [c for _, c in filled]
    if len(values) < width - label_width and not any(previous[-len(values) :]):
        previous[-len(values) :] = values
        return True
    return False
