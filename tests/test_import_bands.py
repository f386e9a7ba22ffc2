"""Tables in plain ``pdftotext`` text (no ``-layout``): cells in reading order, put back by bands.py.

The corpus files (tests/fixtures/import_corpus/pdf-*-plain*.txt) are real pdftotext output of
Typst's and nianbao's own PDFs; these tests pin the cases the corpus only meets by chance: two
cuttings into bands that both balance, a number pdftotext split in two, a table the text prints
in an order of blocks no cutting explains.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.formats import FORMATS, Kind
from generator.importer import import_report
from generator.importer.bands import Rest, solve
from generator.importer.digits import Equation
from generator.importer.tables import read_table, row_specs
from generator.importer.text import Line
from generator.writer import MISSING

CORPUS = Path(__file__).resolve().parent / "fixtures" / "import_corpus"
TRUTH = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
FMT = FORMATS[2021]
TABLE2 = FMT.table["表二"]

# two rows of a small table: 自然人 printed beside the label, then 甲, 乙 and their 总计
PATHS = [(("a", "自然人"), ("a", "甲"), ("a", "乙"), ("a", "总计")), (("b", "自然人"), ("b", "甲"), ("b", "乙"), ("b", "总计"))]
KINDS = [[Kind.COUNT] * 4] * 2
RULES = [Equation("R2", (row[3],), row[:3]) for row in PATHS]


def _rest(*blocks: list[int]) -> list[Rest]:
    """Return numbers printed one a line, a blank line after each block."""
    numbers = [(str(n), b) for b, block in enumerate(blocks) for n in block]
    return [Rest(n, b, line) for line, (n, b) in enumerate(numbers)]


def test_a_band_of_two_rows_comes_column_by_column() -> None:
    # rows a = 1 2 0 3 and b = 4 0 5 9 printed close together: the 甲 column (2 0), then 乙 (0 5), then 总计 (3 9)
    bands = solve(PATHS, KINDS, [1, 4], _rest([2, 0], [0, 5], [3, 9]), RULES)
    assert bands is not None
    assert bands.rows == [(1, 2, 0, 3), (4, 0, 5, 9)]
    assert bands.readings == 1


def test_a_blank_line_is_never_inside_a_column_of_a_band() -> None:
    # 0 0 0 1 0 2 keeps R2 read as two rows (a = 0 0 0 0, b = 1 1 0 2) and as a band (b = 1 0 1 2);
    # pdftotext ends a flow of blocks with a blank line, so blank lines between the cells rule the band out
    bands = solve(PATHS, KINDS, [0, 1], _rest([0], [0], [0], [1], [0], [2]), RULES)
    assert bands is not None and bands.rows == [(0, 0, 0, 0), (1, 1, 0, 2)]
    # but no blank line proves a band: cells of separate blocks may share one flow
    bands = solve(PATHS, KINDS, [0, 1], _rest([0, 0], [0, 1], [0, 2]), RULES)
    assert bands is not None and bands.rows == [(0, 0, 0, 0), (1, None, None, 2)]


def test_two_cuttings_that_both_balance_leave_the_cells_they_disagree_on_open() -> None:
    # a = 0 0 0 0 above b = 1 1 0 2, copied from a viewer (no blank lines): as two rows, or as a
    # band (0 0 | 0 1 | 0 2) giving b = 1 0 1 2. Both keep R2; b's 甲 and 乙 cannot be told apart.
    rest = [Rest(n, 0, line) for line, n in enumerate("000102")]
    bands = solve(PATHS, KINDS, [0, 1], rest, RULES)
    assert bands is not None
    assert bands.readings == 2
    assert bands.rows == [(0, 0, 0, 0), (1, None, None, 2)]


def _plain_text(grid: list[tuple[int, ...]]) -> list[Line]:
    """Return table 2 as a viewer copies a PDF's plain text: each label with its first cell, then the other cells row by row."""
    specs = row_specs(TABLE2)
    lines = [f"{spec.cells[0].row[-1]} {row[0]}" for spec, row in zip(specs, grid, strict=True)]
    lines += [str(n) for row in grid for n in row[1:]]
    return [Line(text, i + 1) for i, text in enumerate(lines)]


def _grid(overrides: dict[int, tuple[int, ...]]) -> list[tuple[int, ...]]:
    return [overrides.get(i, (0,) * 7) for i in range(len(row_specs(TABLE2)))]


def test_a_table_in_reading_order_is_put_back_row_by_row() -> None:
    # 一 = 3 1 0 0 0 0 4 is disclosed: 予以公开 3 1 … 4 = 七总计
    grid = _grid({0: (3, 1, 0, 0, 0, 0, 4), 2: (3, 1, 0, 0, 0, 0, 4), 23: (3, 1, 0, 0, 0, 0, 4)})
    result = read_table(TABLE2, FMT, _plain_text(grid), scattered=True)
    specs = row_specs(TABLE2)
    want = {c.path: v for spec, row in zip(specs, grid, strict=True) for c, v in zip(spec.cells, row, strict=True)}
    assert result.values == want
    assert any("已按阅读顺序和勾稽关系排回原行" in n.message for n in result.notes)


def test_an_ambiguous_reading_order_leaves_the_cells_open_with_a_note_naming_the_row() -> None:
    # 七总计 0 1 0 0 0 0 1 below rows of zeros, copied from a viewer (no blank lines): some readings
    # put its 1 under another column, and they keep the row's own sum. R1 and R3 would choose, but
    # the table is printed out of balance (部分公开 has 自然人 1, 七总计 0: a real kind of misprint),
    # so nothing can: the cells the readings disagree on stay open, each named in a note with its
    # row; every cell filled is the printed one.
    grid = _grid({0: (1, 1, 0, 0, 0, 0, 2), 3: (1, 1, 0, 0, 0, 0, 2), 23: (0, 1, 0, 0, 0, 0, 1)})
    result = read_table(TABLE2, FMT, _plain_text(grid), scattered=True)
    specs = row_specs(TABLE2)
    want = {c.path: v for spec, r in zip(specs, grid, strict=True) for c, v in zip(spec.cells, r, strict=True)}
    open_cells = {k for k, v in result.values.items() if v == MISSING}
    total = ("三、本年度办理结果", "（七）总计")
    assert {(*total, "商业企业"), (*total, "其他")} <= open_cells
    assert {k: v for k, v in result.values.items() if k not in open_cells} == {k: v for k, v in want.items() if k not in open_cells}
    by_name = {c.name: c.path for c in TABLE2.cells}
    named = {by_name[n.message.split("：", 1)[0]] for n in result.notes if "种读法" in n.message and "待填" in n.message}
    assert named == open_cells


def test_a_number_pdftotext_split_in_two_is_never_read_into_a_row(tmp_path: Path) -> None:
    for name, number, pieces in (("pdf-typst-plain.txt", "40", "4\n0"), ("pdf-nianbao-plain-large.txt", "112", "11\n2")):
        text = (CORPUS / name).read_text(encoding="utf-8")
        assert f"\n{number}\n" in text
        source = tmp_path / name
        source.write_text(text.replace(f"\n{number}\n", f"\n{pieces}\n", 1), encoding="utf-8")
        imported = import_report(source, "x", "省/市", "部门")
        truth = TRUTH[name]["cells"]["表二"]
        got = {"/".join(k): v for k, v in imported.data["tables"]["表二"].items()}
        wrong = {k: v for k, v in got.items() if v != MISSING and str(v) != truth[k]}
        assert wrong == {}, name
        assert MISSING in got.values()


def test_rows_printed_in_an_order_no_cutting_explains_stay_open_and_are_named() -> None:
    # nianbao's PDFs: the cells under the two-level header come in a staircase of blocks; the
    # rows from （四）无法提供 on are put back, the twelve above are named in one note
    imported = import_report(CORPUS / "pdf-nianbao-plain-large.txt", "x", "省/市", "部门")
    table = imported.data["tables"]["表二"]
    specs = row_specs(TABLE2)
    for index, spec in enumerate(specs):
        values = [table[c.path] for c in spec.cells]
        assert (MISSING in values) == (index < 12), spec.label
    note = next(n.message for n in imported.notes if n.message.startswith("表二：原文前 12 行"))
    assert "一、本年新收政府信息公开申请数量" in note and "8.属于行政查询事项" in note
