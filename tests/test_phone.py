"""Pages on a phone (360 and 390 px) and table headers on a desktop, in headless Chromium.

On a phone the statutory tables scroll sideways under row labels that stay put, no label column is
wider than half the screen, a wide table says that it scrolls, charts and comparison tables stay
legible and the report's contents are reachable. On a desktop a header never breaks inside a word.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from generator.formats import SECTIONS

SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")
REPORT = "reports/shili-qu-renmin-zhengfu-2024.html"
# The lines each text of an element is laid out on: one client rect per line box of a text node.
LINES = """el => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const tops = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
    }
    return tops.size;
}"""


def _pages(built_site: Path) -> dict[str, str]:
    """Return one page of each kind by name."""
    region = "示例省/示例市/示例区/2024.html"  # the region's 2024 aggregate, at its readable address
    assert (built_site / "regions" / region).is_file()
    return {
        "home": "index.html", "year": "years/2024.html", "agency": "agencies/shili-qu-renmin-zhengfu.html",
        "report": REPORT, "report-2019-format": "reports/shili-qu-shichang-jianguanju-2020.html",
        "search": "search.html?q=复议", "region": f"regions/{region}", "data": "data.html",
    }


@pytest.fixture(params=[390, 360])
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": request.param, "height": 844}, device_scale_factor=2)
    yield context.new_page()
    context.close()


def test_every_page_fits_a_phone(phone: Any, site_url: str, built_site: Path) -> None:
    width = phone.viewport_size["width"]
    for name, path in _pages(built_site).items():
        phone.goto(site_url + path)
        if name == "search":
            phone.wait_for_function("() => /找到/.test(document.getElementById('nb-status').textContent)")
        sizes = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1], f"{name} scrolls sideways at {width} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            phone.screenshot(path=str(Path(SHOTS) / f"phone-{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("path", [REPORT, "reports/shili-qu-shichang-jianguanju-2020.html"])
def test_tables_scroll_under_row_labels_that_stay(phone: Any, site_url: str, path: str) -> None:
    width = phone.viewport_size["width"]
    phone.goto(site_url + path)
    for wrap in phone.locator(".nb-table-wrap").all():
        overflow = wrap.evaluate("e => e.scrollWidth > e.clientWidth")
        hint = wrap.evaluate("e => getComputedStyle(e, '::before').content")
        assert (hint not in ("none", "normal")) == overflow, f"a table wider than the screen says so, and only then: {hint}"
        labels = wrap.locator("th.nb-row, th.nb-rowgroup").all()
        for label in labels:
            box = label.bounding_box()
            assert box and box["width"] <= width / 2, (label.inner_text(), box)
        if not labels:
            continue
        table_left = wrap.locator("table").bounding_box()["x"]
        right = max(b["x"] + b["width"] for b in (label.bounding_box() for label in labels) if b)
        assert right - table_left <= width / 2, f"the row labels take {right - table_left:.0f} of {width} px"
        # the first screen shows numbers: the first data cell starts within the screen
        first = wrap.locator("tbody td").first.bounding_box()
        assert first and first["x"] + first["width"] <= width
        if overflow:  # scrolled to the end, each row still shows its label at the left edge
            wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
            label = labels[-1].bounding_box()
            wrap_box = wrap.bounding_box()
            assert label and wrap_box and abs(label["x"] - wrap_box["x"]) < 2, (label, wrap_box)
            cell = wrap.locator("tbody tr").last.locator("td").last.bounding_box()
            assert cell and cell["x"] + cell["width"] <= wrap_box["x"] + wrap_box["width"] + 1
    if SHOTS:
        phone.locator("table.nb-t2").scroll_into_view_if_needed()
        phone.screenshot(path=str(Path(SHOTS) / f"phone-{width}-table2-scrolled.png"))


def test_report_contents_reachable_on_a_phone(phone: Any, site_url: str) -> None:
    phone.goto(site_url + REPORT)
    toc = phone.locator(".md-sidebar--secondary nav.md-nav--secondary")
    assert toc.is_visible()
    links = toc.locator("a.md-nav__link")
    assert [t.strip() for t in links.all_inner_texts()] == list(SECTIONS)
    target = (links.nth(3).get_attribute("href") or "").split("#", 1)[-1]
    assert target
    links.nth(3).click()
    phone.wait_for_function("t => decodeURIComponent(location.hash.slice(1)) === decodeURIComponent(t)", arg=target)
    heading = phone.locator(f"[id='{unquote(target)}']").bounding_box()
    assert heading and 0 <= heading["y"] < phone.viewport_size["height"] / 2


def test_charts_and_comparison_tables_legible_on_a_phone(phone: Any, site_url: str, built_site: Path) -> None:
    phone.goto(site_url + "agencies/shili-qu-renmin-zhengfu.html")
    sizes = phone.eval_on_selector_all(
        "svg.nb-chart__svg text",
        "ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)",
    )
    assert sizes and min(sizes) >= 10, f"chart text {min(sizes):.1f} px on screen"
    phone.goto(site_url + _pages(built_site)["region"])
    cells = phone.locator("table.nb-compare th, table.nb-compare td").all()
    assert cells
    for cell in cells:
        text = cell.inner_text().replace("⇅", "").strip()
        if text:
            assert cell.evaluate(LINES) <= max(2, len(text) // 3), f"{text!r} laid out one or two characters per line"


@pytest.mark.parametrize("width", [1280, 1024])
def test_headers_never_break_inside_a_word_when_the_table_has_room(browser: Any, site_url: str, width: int) -> None:
    """At 1280 px every table has room; narrower, a table scrolls sideways rather than break its headers."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in (REPORT, "reports/shili-qu-shichang-jianguanju-2020.html", "reports/qiaokou-rongmeiti-2024.html"):
        page.goto(site_url + path)
        for wrap in page.locator(".nb-table-wrap").all():
            if width >= 1280:
                assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), f"a table needs more than {width} px"
            for header in wrap.locator("th.nb-col, th.nb-colgroup").all():
                text = header.inner_text().strip()
                if not any(c in text for c in "，、（）() "):  # a word, not a phrase with break points
                    assert header.evaluate(LINES) == 1, f"{path}: {text!r} broken across lines at {width} px"
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"desktop-{width}-{Path(path).stem}.png"), full_page=True)
    context.close()
