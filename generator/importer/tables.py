"""Read a statutory table from the lines of its section, walking the format's rows in order.

The lines are cut into label text and cell tokens, whatever the layout: one cell a line with blank
lines between rows, a row a line split by tabs or spaces, cells run together, labels broken inside
cells or scattered one character a line, page footers in between. Each run of cells belongs to the
row whose label (formats.py) ends the text before it; digits.py turns the printed tokens into
numbers, with the balance rules deciding between readings. In text that prints a table's cells in
reading order (pdftotext without -layout), bands.py puts the numbers after the labels back into rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..formats import CellDef, FormatDef, Node, TableDef
from ..model import Number
from ..writer import MISSING
from .bands import Rest, solve
from .digits import Equation, RowChoice, TooMany, candidates, equations, literal_value, narrow, parse_value, settled
from .labels import LABEL_RATIO, contains, head_score, normalize, ratio, suffix_score
from .text import Line, Note

Value = Number | str  # a number, or MISSING for a cell the editor must fill

# A number followed by one of these is prose (2024年, 3件), never a cell.
_UNITS = frozenset("年月日件条号次人篇期个项")
_NUMBER = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")
_NUMBERING = re.compile(r"\s*[.、]\s*[^\d\s.、]")  # 1.属于国家秘密: the digit numbers a label
_PROSE_STOPS = "。；"
BLANK_ROW = 10  # a tab row of at least this many empty fields is a row of blank cells, not merged labels
WRAPPED_LABEL = 8  # a line starting with this many characters of a label is that label, wrapped
BLANK_LINE = "blank line"  # the text of a row break that is an empty line (pdftotext ends a flow of blocks with one)
UNLABELED = "（原文此行没有标签）"  # stands for the missing label of a row of cells, so that no row takes them


@dataclass(frozen=True)
class Token:
    """A piece of a table's text: label text, a run of digits, a blank cell or a row break."""

    kind: str  # text | number | blank | break | row (a row of blank cells starts)
    text: str
    line: int


@dataclass
class Text:
    """Label text between runs of cells (header words, group labels, a row's label)."""

    text: str
    line: int


@dataclass
class Cells:
    """A run of cell tokens: digit runs, or None for a blank cell."""

    tokens: list[str | None]
    line: int
    blocks: list[int] = field(default_factory=list)  # for each token, the blank lines before it
    lines: list[int] = field(default_factory=list)  # for each token, the line it is printed on


@dataclass(frozen=True)
class RowSpec:
    """A data row of the format: its cells and the labels that announce it."""

    cells: tuple[CellDef, ...]
    label: str  # normalized leaf label; "" for table 3's single unnamed row
    group: str = ""  # normalized label of the group this row opens (（六）其他处理), if any
    group_size: int = 0
    parent: str = ""  # the words of the group label the row is under (其他处理), printed beside it


@dataclass
class Printed:
    """The cell tokens printed for one row."""

    tokens: list[str | None]
    line: int
    whole_group: bool = False  # printed as its group's single row (the 2019 （六）其他处理)
    pieces: int = 1  # runs of cells the row was put together from

    @property
    def raw(self) -> str:
        return " ".join(t if t is not None else "（空）" for t in self.tokens)


@dataclass
class TableResult:
    """The values read for one table (key path -> value) and what the editor should know."""

    values: dict[tuple[str, ...], Value] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


# -- where the table is in its section -------------------------------------------------------


def table_labels(table: TableDef) -> set[str]:
    """Return every normalized label printed in ``table``: captions, header and row labels."""
    labels: set[str] = set()

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            labels.add(normalize(node.label))
            walk(node.children)

    for block in table.blocks:
        labels.update(normalize(x) for x in (block.caption or "", block.corner))
        walk(block.columns)
        walk(block.rows)
    labels.discard("")
    return labels


def _is_table_line(text: str, labels: set[str]) -> bool:
    """Return True for a line of the table: a label of it (numbers aside), or numbers alone."""
    if any(p in text for p in _PROSE_STOPS):
        return False  # no label of the form ends a sentence
    bare = normalize(re.sub(r"\d", "", unicodedata.normalize("NFKC", text)))
    if not bare:
        return bool(re.search(r"\d", text))
    return any(
        ratio(bare, label) >= 0.8
        or (len(label) >= 4 and bare.startswith(label))
        or (len(bare) >= WRAPPED_LABEL and label.startswith(bare[:WRAPPED_LABEL]))  # a label wrapped in its cell
        for label in labels
    )


def _is_prose(text: str) -> bool:
    return any(p in text for p in _PROSE_STOPS)  # a sentence: no label of the form has one


def split_section(lines: list[Line], table: TableDef) -> tuple[list[Line], list[Line], list[Line]]:
    """Return a section's prose before its table, the table's lines, and prose printed after it."""
    labels = table_labels(table)
    start = next((i for i, line in enumerate(lines) if _is_table_line(line.text, labels)), len(lines))
    while start and len(normalize(lines[start - 1].text)) <= 1:
        start -= 1  # a vertical label opening the table, one character a line
    rest = lines[start:]
    after = [line for line in rest if _is_prose(line.text)]
    kept = [line for line in rest if not _is_prose(line.text)]
    return lines[:start], kept, after


# -- tokens ----------------------------------------------------------------------------------


def _field_tokens(text: str, line: int) -> list[Token]:
    """Cut one cell's or one row's text into label text and digit runs."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return [Token("blank", "", line)]
    out: list[Token] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        start, end, run = m.start(), m.end(), m.group()
        following = text[end : end + 1]
        if following and following in _UNITS:
            continue
        if _NUMBERING.match(text, end) and "." not in run:
            # the last digit numbers the label after it (sub-rows are 1–8): 00000002.其他…
            run, end = run[:-1], end - 1
            if not run.strip("+-"):
                continue
        if text[pos:start].strip():
            out.append(Token("text", text[pos:start].strip(), line))
        out.append(Token("number", run.replace(",", ""), line))
        pos = end
    if text[pos:].strip():
        out.append(Token("text", text[pos:].strip(), line))
    return out


def tokenize(lines: list[Line]) -> list[Token]:
    """Return the tokens of a table's lines; a line that holds a whole row ends with a break."""
    out: list[Token] = []
    for line in lines:
        raw = line.text.rstrip(" \r\u3000")
        if line.text.count("\t") + 1 >= BLANK_ROW and not line.text.strip():
            # a whole row of blank cells and no label: table 3's single row with nothing to report
            blanks = [Token("blank", "", line.number) for _ in range(line.text.count("\t") + 1)]
            out += [Token("row", "", line.number), *blanks, Token("break", "", line.number)]
            continue
        if not raw.strip():
            # a cell-per-line page marks a blank cell with a tab line and a row end with an empty one
            out.append(Token("blank", "", line.number) if "\t" in line.text else Token("break", BLANK_LINE, line.number))
            continue
        if raw.startswith("\t") and raw.count("\t") == 1:
            raw = raw[1:]  # one cell, indented
        fields = raw.split("\t") if "\t" in raw.strip(" ") else [raw]
        tokens = [t for f in fields for t in _field_tokens(f, line.number)]
        if len(fields) > 1 and _after_cells(out) and not any(t.kind == "text" for t in tokens) and any(t.kind == "number" for t in tokens):
            # a table row of numbers without its label, below a row of numbers: never that row's
            tokens.insert(0, Token("text", UNLABELED, line.number))
        out += tokens
        if len(fields) > 1 or len(tokens) > 1:
            out.append(Token("break", "", line.number))
    return out


def _after_cells(tokens: list[Token]) -> bool:
    """Return True when the last row read ended with cells (a number or a blank cell)."""
    last = next((t for t in reversed(tokens) if t.kind != "break"), None)
    return last is not None and last.kind in ("number", "blank")


def items(tokens: list[Token]) -> list[Text | Cells]:
    """Group tokens into label texts and runs of cells.

    Blank cells after a row's label (or after its numbers, before the row ends) are that row's
    cells; blank cells opening a line before any label are merged cells of a label column.
    """
    out: list[Text | Cells] = []
    row_open = False  # no row break since the last label or number
    pending: list[str | None] = []
    block = 0  # empty lines so far: pdftotext without -layout ends each flow of blocks with one

    def cells(line: int) -> Cells:
        if not out or not isinstance(out[-1], Cells):
            out.append(Cells([], line))
        last = out[-1]
        assert isinstance(last, Cells)
        return last

    for token in tokens:
        if token.kind == "text":
            if len(normalize(token.text)) <= 1:
                continue  # one character of a vertical label, or a stray dash
            pending = []
            if out and isinstance(out[-1], Text):
                out[-1].text += token.text
            else:
                out.append(Text(token.text, token.line))
            row_open = True
        elif token.kind == "break":
            row_open = False
            block += token.text == BLANK_LINE
        elif token.kind == "row":
            row_open, pending = True, []
            out.append(Cells([], token.line))
        elif token.kind == "blank":
            if row_open and out:
                run = cells(token.line)
                run.tokens.append(None)
                run.blocks.append(block)
                run.lines.append(token.line)
            else:
                pending.append(None)
        else:
            run = cells(token.line)
            run.tokens += pending + [token.text]
            run.blocks += [block] * (len(pending) + 1)
            run.lines += [token.line] * (len(pending) + 1)
            pending = []
            row_open = True
    return out


# -- rows ------------------------------------------------------------------------------------


def row_specs(table: TableDef) -> list[RowSpec]:
    """Return the data rows of ``table`` in printed order, with the labels that announce them."""
    by_row: dict[tuple[str, ...], list[CellDef]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    groups: dict[str, tuple[str, int]] = {}  # first leaf label -> (group label, leaves)

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if node.children and all(not c.children for c in node.children) and len(node.children) > 1:
                groups[node.children[0].label] = (normalize(node.label), len(node.children))
            walk(node.children)

    for block in table.blocks:
        walk(block.rows)
    specs = []
    for row, cells in by_row.items():
        leaf = row[-1] if row else ""
        group, size = groups.get(leaf, ("", 0)) if table.id != "表一" else ("", 0)
        parent = re.sub(r"^[一二三四五六七八九十]+", "", normalize(row[-2])) if len(row) >= 3 else ""
        specs.append(RowSpec(tuple(cells), normalize(leaf), group, size, parent))
    return specs


SPLIT_SCORE = 0.99  # a label printed around its numbers, both parts exact: next to an exact match
SPLIT_MIN = 3  # characters of a label that must print before its numbers


def split_score(label: str, before: str, after: str) -> float:
    """Return SPLIT_SCORE when ``label`` starts at the end of ``before`` and ends right at the start of ``after``.

    A PDF's narrow label column wraps: its first characters print on the line of the numbers, the
    rest on the lines below (``1.属于国 0 0 …`` then ``家秘密``), after the text of a group label
    printed beside them (``公开``).
    """
    for k in range(min(len(label) - 1, len(before)), SPLIT_MIN - 1, -1):
        rest, window = label[k:], after[: len(label) - k + 8]
        # a last character alone on its line is dropped with the stray characters of vertical labels;
        # a label still running at the foot of a page ends on the next, after the page's other cells
        if before.endswith(label[:k]) and (
            rest in window or (len(rest) >= SPLIT_MIN and rest[:-1] in window) or (len(after) >= SPLIT_MIN and rest.startswith(after))
        ):
            return SPLIT_SCORE
    return 0.0


def _match(text: str, specs: list[RowSpec], cursor: int, after: str = "") -> tuple[int, bool] | None:
    """Return the row whose label ends ``text`` (index, printed as its whole group), or None."""
    best: tuple[float, int, bool] | None = None
    for index in range(cursor, len(specs)):
        spec = specs[index]
        if not spec.label:
            return index, False
        label = max(suffix_score(spec.label, text), head_score(spec.label, text), split_score(spec.label, text, after))
        if spec.parent and len(spec.parent) >= SPLIT_MIN and spec.parent in text[-len(spec.label) - len(spec.parent) :]:
            # a PDF prints the merged group label (其他处理) in the middle of the row's wrapped label
            bare = text[: len(text) - len(spec.label) - len(spec.parent)] + text[-len(spec.label) - len(spec.parent) :].replace(spec.parent, "", 1)
            label = max(label, head_score(spec.label, bare), split_score(spec.label, bare, after))
        for score, whole in ((label, False), (suffix_score(spec.group, text), True)):
            if score >= LABEL_RATIO and (best is None or score > best[0]):
                best = (score, index, whole)
    return (best[1], best[2]) if best else None


def _short(printed: Printed, width: int) -> bool:
    """Return True when a row has fewer tokens than cells: its numbers may continue later."""
    return len(printed.tokens) < width


def assign(
    runs: list[Text | Cells], specs: list[RowSpec], table: TableDef, scattered: bool = False
) -> tuple[dict[int, Printed], list[Note], list[tuple[int | None, Cells]]]:
    """Return the printed tokens of each row found, by row index, notes on stray numbers, and the runs read.

    With ``scattered`` (cells in reading order, not row by row), numbers after a row's own run
    are never taken as its continuation; the runs of numbers in reading order (with the row that
    took each, None for none) are returned for bands.py to put back.
    """
    printed: dict[int, Printed] = {}
    notes: list[Note] = []
    order: list[tuple[int | None, Cells]] = []
    cursor, last = 0, -1
    for i, run in enumerate(runs):
        if not isinstance(run, Cells):
            continue
        before = runs[i - 1] if i and isinstance(runs[i - 1], Text) else None
        text = normalize(before.text) if isinstance(before, Text) else ""
        numeric = any(t is not None for t in run.tokens)
        following = runs[i + 1] if i + 1 < len(runs) and isinstance(runs[i + 1], Text) else None
        after = normalize(following.text) if isinstance(following, Text) else ""
        found = None
        if cursor < len(specs) and (before is not None or not specs[cursor].label):
            found = _match(text, specs, cursor, after)
        if found is not None and not specs[found[0]].label and not numeric and len(run.tokens) != len(specs[found[0]].cells):
            found = None  # blank header cells before table 3's numbers (a whole row of blanks is its row)
        if found is not None:
            index, whole = found
            for skipped in range(cursor, index):
                # a label printed with nothing after it: a row of blank cells
                if contains(specs[skipped].label, text) and skipped not in printed:
                    printed[skipped] = Printed([None] * len(specs[skipped].cells), run.line)
            printed[index] = Printed(list(run.tokens), run.line, whole)
            order.append((index, run))
            last = index
            cursor = index + (specs[index].group_size if whole else 1)
        elif last >= 0 and numeric and not scattered and _short(printed[last], len(specs[last].cells)):
            printed[last].tokens += run.tokens  # the row's numbers continue after a merged label
            printed[last].pieces += 1
        elif numeric:
            order.append((None, run))
            if not scattered:  # in reading order they may be the other cells of rows above: read_table decides
                notes.append(_stray(table, run, text.endswith(normalize(UNLABELED))))
    return printed, notes, order


def _stray(table: TableDef, run: Cells, unlabeled: bool = False) -> Note:
    shown = " ".join(t if t is not None else "（空）" for t in run.tokens)
    why = "原文这一行没有标签，" if unlabeled else ""
    return Note(f"{table.id}：{why}原文中的数字“{shown}”对应不到表格的任何一行，已忽略，请核对", run.line)


# -- values ----------------------------------------------------------------------------------


def _choice(spec: RowSpec, printed: Printed | None, notes: list[Note], scattered: bool = False) -> RowChoice:
    row = RowChoice(tuple(c.path for c in spec.cells))
    if printed is None:
        return row
    kinds = [c.kind for c in spec.cells]
    try:
        row.options = candidates(printed.tokens, kinds, gaps=False)
        if all(t is not None for t in printed.tokens) and not scattered:
            # blank cells a web page's text dropped; in scattered text the other cells are elsewhere
            row.fallback = candidates(printed.tokens, kinds, gaps=True)
    except TooMany:
        notes.append(Note(f"{_row_name(spec)}：原文“{printed.raw}”的读法太多，无法判断", printed.line))
        return row
    if not row.options and not row.fallback and len(printed.tokens) == len(kinds):
        # each cell printed apart but not a valid number (1.5 件, -1): keep it for R5 to name
        values = [literal_value(t) if t is not None else 0 for t in printed.tokens]
        if all(v is not None for v in values):
            row.options = [tuple(v for v in values if v is not None)]
    return row


def read_table(table: TableDef, fmt: FormatDef, lines: list[Line], scattered: bool = False) -> TableResult:
    """Read ``table`` from its lines: every cell a number, or MISSING with a note naming the cell."""
    result = TableResult()
    specs = row_specs(table)
    printed, result.notes, order = assign(items(tokenize(lines)), specs, table, scattered)
    if not printed and not (scattered and order):
        return _not_found(table, result)
    rows: list[RowChoice] = []
    groups: dict[int, tuple[Printed, list[Number | None]]] = {}  # leaf -> its group's single row
    index = 0
    while index < len(specs):
        spec, p = specs[index], printed.get(index)
        choice = _choice(spec, p, result.notes, scattered)
        if p is None or not p.whole_group:
            rows.append(choice)
            index += 1
            continue
        # the 2019 single （六）其他处理 row in a 2021 table: a column that is 0 there is 0 in
        # every sub-row (counts are never negative); any other column is the editor's to split
        values = settled(RowChoice(choice.paths, choice.options or choice.fallback))
        group = spec.cells[0].row[-2]
        if any(v == 0 for v in values):
            which = "均为 0，各子项已填 0" if all(v == 0 for v in values) else "为 0 的列已在各子项填 0"
            result.notes.append(Note(f"{table.id}：原文按 2019 年试行格式只列“{group}”一行，{which}", p.line))
        for k in range(spec.group_size):
            leaf = RowChoice(tuple(c.path for c in specs[index + k].cells))
            leaf.options = [tuple(0 if v == 0 else None for v in values)]
            rows.append(leaf)
            groups[index + k] = (p, values)
        index += spec.group_size
    rules = equations(fmt, table.id)
    for index, (spec, row) in enumerate(zip(specs, rows, strict=True)):
        p = printed.get(index)
        if p is not None and p.pieces > 1 and not _pieces_balance(row, rules):
            # numbers gathered from several places (a PDF's columns) that do not balance: some
            # belong to other rows, and nothing tells which
            row.options, row.fallback = [], []
            message = f"{_row_name(spec)}：原文这一行的数字分在 {p.pieces} 处（“{p.raw}”），拼起来不符合勾稽关系，不能确定哪些属于这一行"
            result.notes.append(Note(message, p.line))
    banded = _put_back(specs, printed, order, rows, rules, table, result.notes) if scattered else None
    if scattered and banded is None:
        if not printed:  # no label with numbers after it, and the numbers after the labels read as no bands
            return _not_found(table, result)
        result.notes += [_stray(table, run) for index, run in order if index is None]
    if scattered and banded is None and any(p is not None and len(p.tokens) < len(specs[i].cells) for i, p in printed.items()):
        result.notes.append(
            Note(
                f"{table.id}：原文的表格文字不是按行排列的（如 pdftotext 未加 -layout 提取的 PDF 文字），"
                "只能读出紧跟行名的数字，其余各格已写作“待填”；请直接导入 PDF 文件，或用 pdftotext -layout 重新提取"
            )
        )
    narrow(rows, rules)
    for index, (spec, row) in enumerate(zip(specs, rows, strict=True)):
        p = printed.get(index)
        values = settled(row)
        if p is not None and row.readings > 1 and all(v is not None for v in values):
            shown = "、".join(str(v) for v in values)
            result.notes.append(Note(f"{_row_name(spec)}：原文“{p.raw}”有 {row.readings} 种读法，按勾稽关系只能是 {shown}", p.line))
        for column, (cell, value) in enumerate(zip(spec.cells, values, strict=True)):
            result.values[cell.path] = MISSING if value is None else value
            if value is None and index in groups:
                group_row, group_values = groups[index]
                stated = group_values[column]
                shown = f"该列为 {stated}" if stated is not None else f"原文“{group_row.raw}”"
                message = (
                    f"{cell.name}：已写作“{MISSING}”，原文按 2019 年试行格式只列“{cell.row[-2]}”一行（{shown}），"
                    "不能确定这一子项，请按实际情况填写"
                )
                result.notes.append(Note(message, group_row.line))
            elif value is None and banded is not None and index < banded[1]:
                continue  # a row above the first put back: named in _put_back's note
            elif value is None and banded is not None:
                message = (
                    f"{cell.name}：已写作“{MISSING}”，原文的数字不是按行排列的，按阅读顺序排回各行有 {banded[0]} 种读法"
                    "都符合勾稽关系，这一格在各排法中不同，请对照原报告填写"
                )
                result.notes.append(Note(message, p.line if p else None))
            elif value is None:
                result.notes.append(Note(_open_cell(cell, row, p), p.line if p else None))
    return result


def _put_back(
    specs: list[RowSpec],
    printed: dict[int, Printed],
    order: list[tuple[int | None, Cells]],
    rows: list[RowChoice],
    rules: list[Equation],
    table: TableDef,
    notes: list[Note],
) -> tuple[int, int] | None:
    """Read the rows of text in reading order (bands.py) into ``rows``; return (readings left, first row read), or None.

    Each row must be found with its first cell beside its label; the numbers after them, in order,
    are the other cells band by band.
    """
    found = [printed.get(i) for i in range(len(specs))]
    beside = all(p is not None and not p.whole_group and p.tokens and p.tokens[0] is not None for p in found)
    if len(specs) < 2 or not (beside or not printed):
        return None  # some rows found with a first cell and some not: no reading order this module knows
    if any(t is None for _, run in order for t in run.tokens):
        return None  # a blank cell: its place in reading order is unknown
    rest = [
        Rest(str(t), b, n)
        for index, run in order
        for t, b, n in list(zip(run.tokens, run.blocks, run.lines, strict=True))[index is not None :]
    ]
    kinds = [[c.kind for c in spec.cells] for spec in specs]
    first = [parse_value(str(p.tokens[0]), kinds[i][0]) if p else None for i, p in enumerate(found)] if beside else None
    bands = solve([tuple(c.path for c in spec.cells) for spec in specs], kinds, first, rest, rules)
    if bands is None:
        return None
    if bands.start:
        names = "、".join(_row_name(spec).removeprefix(f"{table.id} ") for spec in specs[: bands.start])
        notes.append(
            Note(
                f"{table.id}：原文前 {bands.start} 行（{names}）的数字在 PDF 文字中的次序排不回各行，这些行已写作“{MISSING}”，"
                "请对照原报告填写，或用 pdftotext -layout 重新提取"
            )
        )
    for row, reading in zip(rows, bands.rows, strict=True):
        row.options, row.fallback = [reading], []
    shown = "" if all(v is not None for r in bands.rows for v in r) else "，排法不能确定的格已写作“待填”"
    notes.append(
        Note(
            f"{table.id}：原文的表格文字不是按行排列的（如 pdftotext 未加 -layout 提取的 PDF 文字），"
            f"各行的数字已按阅读顺序和勾稽关系排回原行{shown}；请对照原报告核对"
        )
    )
    return bands.readings, bands.start


def _not_found(table: TableDef, result: TableResult) -> TableResult:
    result.notes.append(Note(f"原文中没有找到{table.id}（{table.title}）的数字，各格已写作“{MISSING}”，请对照原报告填写"))
    result.values = {c.path: MISSING for c in table.cells if not c.total}
    return result


def _pieces_balance(row: RowChoice, rules: list[Equation]) -> bool:
    """Return True when some reading of a row put together from pieces keeps the row's own sums."""
    own = [e for e in rules if all(q in row.paths for q in e.left + e.right)]
    if not own:
        return True
    column = {path: c for c, path in enumerate(row.paths)}

    def keeps(reading: tuple[Number | None, ...]) -> bool:
        return all(e.holds(lambda path: reading[column[path]]) for e in own)

    return any(keeps(o) for o in row.options + row.fallback)


def _row_name(spec: RowSpec) -> str:
    return spec.cells[0].name.rsplit(" 行 ", 1)[0] + " 行" if " 行 " in spec.cells[0].name else spec.cells[0].table


def _open_cell(cell: CellDef, row: RowChoice, printed: Printed | None) -> str:
    """Return why ``cell`` was left MISSING, naming its row and column in the form's words."""
    where = f"{cell.name}：已写作“{MISSING}”，"
    if printed is None:
        return where + "原文中没有找到这一行（或这一格），请对照原报告填写"
    if not row.options:
        count = sum(1 for t in printed.tokens if t is not None)
        return where + f"原文这一行的数字“{printed.raw}”（{count} 个）对应不上表格的 {len(row.paths)} 列，请对照原报告填写"
    column = row.paths.index(cell.path)
    values = sorted({str(o[column]) for o in row.options}, key=lambda v: (len(v), v))
    shown = "、".join(values[:4]) + ("……" if len(values) > 4 else "")
    return where + f"原文“{printed.raw}”可读作 {shown}，勾稽关系也不能确定是哪一个，请对照原报告填写"

