"""A report page printed from Chromium (A4): each block under its own header, nothing orphaned, no half-empty pages.

Where a page breaks depends on how long the prose before each table is, so every check runs on the
sample report printed as it is and with its prose made longer, paragraph by paragraph, which moves
the page breaks through 表一 and 表二 row by row. The PDF's text is read with pypdf (in page order,
top to bottom); how full each page is, from the page rendered by pdftoppm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.formats import FORMATS, SECTIONS

SLUG = "shili-qu-renmin-zhengfu-2024"
SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")
T1 = FORMATS[2021].table["表一"]
T2 = FORMATS[2021].table["表二"]
# Extra paragraphs before 表一 (in section 二) and before 表二 (in section 三): each moves the breaks.
LONGER = [(0, 0), (2, 0), (4, 0), (6, 0), (8, 0), (10, 0), (12, 0), (14, 0), (0, 18), (0, 26), (14, 14)]  # sweeps the page breaks through both tables
SPLIT: dict[str, set[tuple[int, int]]] = {"表一": set(), "表二": set()}  # the variants that broke each table


@pytest.fixture(scope="module")
def printer(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _print(page: Any, site_url: str, before_t1: int, before_t2: int, out: Path) -> list[str]:
    """Print the report with that many extra paragraphs before 表一 and 表二; return each page's text."""
    page.goto(site_url + f"reports/{SLUG}.html")
    page.evaluate(
        """([a, b]) => {
            const grow = (n, section) => {
                const body = document.querySelectorAll('.nb-section')[section];
                const text = body.querySelector('p').textContent;
                for (let i = 0; i < n; i++) { const p = document.createElement('p'); p.textContent = text; body.appendChild(p); }
            };
            grow(a, 1); grow(b, 2);
        }""",
        [before_t1, before_t2],
    )
    page.emulate_media(media="print")
    page.pdf(path=str(out), format="A4")
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(out).pages]


def _fill(pdf: Path) -> list[float]:
    """Return how far down each page its content reaches, as a fraction of the page height."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-gray", "-r", "24", str(pdf), str(prefix)], check=True)
    fills = []
    for image in sorted(pdf.parent.glob(prefix.name + "-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        data = image.read_bytes()
        fields = data.split(maxsplit=4)  # P5 width height maxval pixels
        width, height = int(fields[1]), int(fields[2])
        pixels = fields[4]
        rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
        inked = [y for y, row in enumerate(rows) if min(row) < 128]
        fills.append((max(inked) + 1) / height if inked else 0.0)
    return fills


def _n(text: str) -> str:
    """Return text as pypdf reads it back: NFKC (the fonts map 二 to the radical ⼆, （ to ()."""
    return unicodedata.normalize("NFKC", text)


def _pages_with(pages: list[str], text: str) -> list[int]:
    return [i for i, page in enumerate(pages) if text in page]


@pytest.mark.parametrize(("before_t1", "before_t2"), LONGER)
def test_printed_report_keeps_headers_with_their_rows(printer: Any, site_url: str, tmp_path: Path, before_t1: int, before_t2: int) -> None:
    pdf = tmp_path / f"{SLUG}-{before_t1}-{before_t2}.pdf"
    pages = _print(printer, site_url, before_t1, before_t2, pdf)
    assert len(pages) >= 3

    # 表一: every block's rows on the page of its own caption, below it and its column headers
    for block in T1.blocks:
        assert block.caption
        caption = _n(block.caption)
        on = _pages_with(pages, caption)
        assert len(on) == 1, caption
        page = pages[on[0]]
        below = page[page.index(caption) :]
        headers = [_n(leaf.label) for column in block.columns for leaf in column.leaves]
        for row in block.rows:
            label = _n(row.label)
            assert label in below, f"{label} not printed under its block's caption {caption}"
            for header in headers:
                assert header in below and below.index(header) < below.index(label), (caption, header, label)

    if len({i for i, page in enumerate(pages) for b in T1.blocks if b.caption and _n(b.caption) in page}) > 1:
        SPLIT["表一"].add((before_t1, before_t2))

    # 表二: every page that holds its rows starts them under the repeated header
    first, last = _n("一、本年新收政府信息公开申请数量"), _n("四、结转下年度继续办理")
    start, end = _pages_with(pages, first)[0], _pages_with(pages, last)[-1]
    if end > start:
        SPLIT["表二"].add((before_t1, before_t2))
    for i in range(start, end + 1):
        page = pages[i]
        for header in ("申请人情况", "法人或其他组织", "商业"):
            assert header in page, f"page {i + 1} holds rows of 表二 without its header {header}"
        labels = [_n(label) for label in ("（一）予以公开", "（三）不予公开", "1.属于国家秘密", "（七）总计")]
        rows = [page.index(label) for label in (*labels, first, last) if label in page]
        assert rows, f"page {i + 1}: 表二's header without any of its rows (orphaned)"
        assert page.index("申请人情况") < min(rows)

    # 表三 whole on one page; headings never the last line of a page
    t3 = _pages_with(pages, _n("表三 政府信息公开行政复议、行政诉讼情况"))
    assert t3 and "结果维持" in pages[t3[0]] and "尚未审结" in pages[t3[0]]
    for i, page in enumerate(pages[:-1]):
        last_line = page.strip().rsplit("\n", 1)[-1]
        headings = {_n(h) for h in SECTIONS} | {_n(f"{t.id} {t.title}") for t in FORMATS[2021].table.values()}
        assert last_line.strip() not in headings, (i, last_line)

    # signature and date on one page
    dated = _pages_with(pages, "2025年3月20日")
    assert dated and pages[dated[-1]].strip().split("\n")[-2].startswith("示例市示例区")  # (民 reads back as ⺠)

    # no half-empty page before the last: a table that does not fit breaks inside, between rows
    fills = _fill(pdf)
    if SHOTS:
        target = Path(SHOTS) / "print"
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(target / pdf.stem)], check=True)
        shutil.copy(pdf, target / pdf.name)
    assert len(fills) == len(pages)
    assert all(f > 0.7 for f in fills[:-1]), fills


def test_the_variants_broke_both_tables_across_pages() -> None:
    """The checks above mean something only if some variant printed each table across a page break."""
    assert SPLIT["表一"] and SPLIT["表二"], SPLIT
