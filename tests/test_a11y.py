"""Accessibility: axe-core (WCAG 2.1 A and AA, which GB/T 37668-2019 follows) finds nothing, in both palettes.

axe-core comes from npm (tests/a11y/package.json, installed by ``./dev test`` with ``npm ci``) and is
injected into the built pages in headless Chromium. The site must also work from the keyboard alone,
with the focus always visible; the statutory tables must tie every number to its headers; the PDFs
must be tagged and say their language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import BooleanObject

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PALETTES = {"light": "default", "dark": "slate"}
SEARCH = "search.html?q=复议"


def _pages(built_site: Path) -> dict[str, str]:
    """Return one page of each kind: home, year, agency, report, search (with results), data, region, aggregate."""
    latest = max(int(p.stem) for p in (built_site / "years").glob("[0-9]*.html"))
    region = "regions/示例省/示例市/示例区"  # readable addresses (addresses.py); regions/r*.html send the reader there
    assert (built_site / f"{region}.html").is_file() and (built_site / region / f"{latest}.html").is_file()
    return {
        "home": "index.html",
        "year": f"years/{latest}.html",
        "agency": "agencies/shili-qu-renmin-zhengfu.html",  # two years: trend charts
        "report": "reports/shili-qu-jiaoyuju-2024.html",
        "search": SEARCH,
        "data": "data.html",
        "region": f"{region}.html",
        "aggregate": f"{region}/{latest}.html",
    }


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run ./dev test, which installs it (npm ci in tests/a11y)")
    return AXE


@pytest.fixture(scope="module", params=list(PALETTES))
def palette_page(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    """A page whose browser prefers the light or the dark colour scheme."""
    context = browser.new_context(color_scheme=request.param, viewport={"width": 1280, "height": 900})
    yield request.param, context.new_page()
    context.close()


def _axe(page: Any, axe_source: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_source))
    options = json.dumps({"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    violations: list[dict[str, Any]] = page.evaluate(
        f"""async () => (await axe.run(document, {options})).violations.map(v => ({{
            id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " "))}}))"""
    )
    return violations


@pytest.mark.parametrize("kind", ["home", "year", "agency", "report", "search", "data", "region", "aggregate"])
def test_axe_finds_no_violation(
    palette_page: tuple[str, Any], kind: str, built_site: Path, site_url: str, axe_source: Path
) -> None:
    palette, page = palette_page
    path = _pages(built_site)[kind]
    page.goto(site_url + path)
    if kind == "search":  # with its results shown
        page.wait_for_function("() => /找到/.test(document.getElementById('nb-status').textContent)")
        assert page.locator("#nb-results li").count() >= 2
    # Material follows prefers-color-scheme through the palette's media queries, on <body>
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == PALETTES[palette]
    violations = _axe(page, axe_source)
    assert violations == [], f"{palette} {path}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): " + "\n    ".join(v["nodes"][:5]) for v in violations
    )


def test_palette_toggle_switches_scheme_and_stays_clean(browser: Any, site_url: str, axe_source: Path) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(site_url + "reports/shili-qu-jiaoyuju-2024.html")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    page.locator("label[title='切换到深色模式']").click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert _axe(page, axe_source) == []
    context.close()


# -- the keyboard alone --------------------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow !== "none";
  const box = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), href: e.getAttribute("href") || "", text: (e.textContent || "").trim(),
          visible: (outline || shadow) && box.width > 0 && box.height > 0, id: e.id, type: e.type || ""};
}"""


def _tab_to(page: Any, matches: Any, limit: int = 250) -> dict[str, Any]:
    """Press Tab until the focused element satisfies ``matches``; every link passed on the way shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["tag"] in ("a", "button", "select") or (focused["tag"] == "input" and focused["type"] == "search"):
            assert focused["visible"], f"focus not visible on {focused}"
        if matches(focused):
            return dict(focused)
    raise AssertionError("never reached by the Tab key")


@pytest.fixture()
def keyboard_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_home_to_year_to_report_to_pdf_by_keyboard(keyboard_page: Any, site_url: str, built_site: Path) -> None:
    page = keyboard_page
    latest = max(int(p.stem) for p in (built_site / "years").glob("[0-9]*.html"))
    page.goto(site_url + "index.html")
    _tab_to(page, lambda f: f["href"].endswith(f"years/{latest}.html"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"years/{latest}.html")
    report = _tab_to(page, lambda f: re.search(r"reports/[a-z0-9-]+\.html$", f["href"]) is not None)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(report["href"].removeprefix("../"))
    pdf = _tab_to(page, lambda f: f["href"].endswith(".pdf"))
    assert pdf["visible"] and pdf["text"].startswith("PDF")
    # one step past it and back again with Shift+Tab
    page.keyboard.press("Tab")
    assert not (page.evaluate(FOCUSED) or {}).get("href", "").endswith(".pdf")
    page.keyboard.press("Shift+Tab")
    back = page.evaluate(FOCUSED)
    assert back["href"] == pdf["href"] and back["visible"]
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + pdf["href"])
    assert response.ok and response.body()[:5] == b"%PDF-"


def test_header_search_box_shows_its_focus(keyboard_page: Any, site_url: str) -> None:
    page = keyboard_page
    page.goto(site_url + "index.html")
    box = _tab_to(page, lambda f: f["id"] == "nb-header-q")
    assert box["visible"]
    page.keyboard.type("复议")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "search.html" in page.url


# -- tables and PDFs ---------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Collect each statutory table's th ids and its td headers attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[set[str], list[str | None]]] = []
        self._open: list[bool] = []  # for each open table: is it a statutory one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            statutory = "nb-table" in (a.get("class") or "").split()
            self._open.append(statutory)
            if statutory:
                self.tables.append((set(), []))
        elif self._open and self._open[-1]:
            ids, headers = self.tables[-1]
            if tag == "th" and a.get("id"):
                ids.add(str(a["id"]))
            elif tag == "td":
                headers.append(a.get("headers"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self._open.pop()


def test_statutory_tables_announce_their_headers(built_site: Path) -> None:
    checked = 0
    for page in sorted(built_site.rglob("*.html")):
        parser = _Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        for ids, headers in parser.tables:
            assert headers, page
            for value in headers:
                assert value, f"{page.relative_to(built_site)}: a td without headers"
                missing = set(value.split()) - ids
                assert not missing, f"{page.relative_to(built_site)}: headers {missing} are no th of the table"
            checked += 1
    reports = len(list((built_site / "reports").glob("*.html")))
    assert checked >= 3 * reports


def test_pdfs_are_tagged_with_their_language(built_site: Path) -> None:
    pdfs = sorted((built_site / "pdf").glob("*.pdf"))
    assert len(pdfs) > len(list((built_site / "reports").glob("*.html")))  # reports and yearly bundles
    for path in pdfs:
        catalog = pypdf.PdfReader(path).trailer["/Root"]
        assert catalog.get("/Lang") == "zh-CN", path.name
        if path.name[0].isdigit():
            continue  # a yearly bundle: tagged only with pdf_tagged_bundles (next test)
        mark_info = catalog.get("/MarkInfo")
        assert mark_info is not None and mark_info.get_object().get("/Marked") == BooleanObject(True), path.name
        assert "/StructTreeRoot" in catalog, path.name


def _elements(node: Any) -> Iterator[Any]:
    """Yield every structure element under ``node``, checking that each child names its parent."""
    element = node.get_object()
    yield element
    kids = element.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        child = kid.get_object() if kid is not None and not isinstance(kid, int) else None
        if isinstance(child, dict) and "/S" in child:
            assert child.raw_get("/P").idnum == element.indirect_reference.idnum
            yield from _elements(kid)


@pytest.fixture(scope="module")
def tagged_bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Render the reports and their yearly bundles with ``pdf_tagged_bundles`` on."""
    from generator import pages
    from generator.pdf import PdfSettings, build_bundles, find_fonts, render_reports
    from generator.validate import validate

    site = pages.SiteIndex(validate([Path(__file__).resolve().parent.parent / "reports"]).valid_reports())
    settings = PdfSettings(tmp_path_factory.mktemp("pdf"), find_fonts([]), 1, 1735732800, tagged_bundles=True)
    bundles = build_bundles(site, render_reports(site.reports, settings), settings, "示例市人民政府办公室")
    return [b.path for b in bundles]


def test_bundles_keep_their_reports_structure(tagged_bundles: list[Path]) -> None:
    """A bundle merges its reports' structure trees: every table, header id and page stays tagged."""
    assert tagged_bundles
    for path in tagged_bundles:
        reader = pypdf.PdfReader(path)
        tree = reader.trailer["/Root"]["/StructTreeRoot"]
        elements = list(_elements(tree["/K"][0]))
        nums = tree["/ParentTree"]["/Nums"]
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree["/ParentTreeNextKey"]) > max(keys)
        assert all(page.get("/StructParents") in keys for page in reader.pages), path.name
        ids = [str(e["/ID"]) for e in elements if "/ID" in e]
        assert len(ids) == len(set(ids)), f"{path.name}: two elements share an id"
        headers = {str(h) for e in elements for a in _as_list(e.get("/A")) if "/Headers" in a for h in a["/Headers"]}
        assert headers and headers <= set(ids), path.name
        reports = len([o for o in reader.outline if not isinstance(o, list)])
        assert sum(1 for e in elements if e["/S"] == "/Table") == 3 * reports, path.name
        for page in reader.pages:
            for annot in page.get("/Annots", []):
                assert annot.get_object().get("/StructParent") in keys  # the contents' links are tagged


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    value = value.get_object()
    return [v.get_object() for v in value] if isinstance(value, list) else [value]
