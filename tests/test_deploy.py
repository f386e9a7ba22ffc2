"""The site deployed under a sub-path (/zwgk/ndbg/, as a column of a government portal), with its 404.

The repository's site is built with ``site_url`` naming the sub-path and served by a server that, as
nginx's ``error_page 404`` does, answers every missing address with the site's 404.html. Every page
type is loaded in Chromium: each must load its styles and scripts from under the sub-path.
"""

from __future__ import annotations

import http.server
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from generator.build import build_site

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/zwgk/ndbg/"
SITE_URL = "https://www.example.gov.cn" + PREFIX


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("subpath")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: content", f"docs_dir: {ROOT / 'content'}")
    config = config.replace("custom_dir: site_overrides", f"custom_dir: {ROOT / 'site_overrides'}")
    config = config.replace("pdf: true ", "pdf: false ")
    config = f"site_url: {SITE_URL}\n" + config.replace("reports_dir: reports", f"reports_dir: {ROOT / 'reports'}")
    (base / "mkdocs.yml").write_text(config, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(base)
    try:
        build_site(base / "mkdocs.yml", base / "site")
    finally:
        os.chdir(cwd)
    return base / "site"


class _Portal(http.server.SimpleHTTPRequestHandler):
    """The portal's server: the site under PREFIX, 404.html for every missing address."""

    site: Path

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def translate_path(self, path: str) -> str:
        local = unquote(urlsplit(path).path)
        if not local.startswith(PREFIX):
            return str(self.site / "__outside__")
        return str(self.site / local[len(PREFIX):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def portal(subpath_site: Path) -> Iterator[str]:
    handler = type("Handler", (_Portal,), {"site": subpath_site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _one(site: Path, pattern: str) -> str:
    found = sorted(p.relative_to(site).as_posix() for p in site.glob(pattern))
    assert found, pattern
    return found[0]


def test_sitemap_lists_every_page_under_the_site_url(subpath_site: Path) -> None:
    tree = ET.parse(subpath_site / "sitemap.xml")
    locs = [e.text or "" for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = [p for p in subpath_site.rglob("*.html")
             if p.name != "404.html" and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")]  # not the old addresses
    assert len(locs) == len(pages) > 40
    assert all(loc.startswith(SITE_URL) for loc in locs)
    assert SITE_URL + "reports/qiaokou-rongmeiti-2024.html" in locs


def test_every_page_type_loads_whole_under_the_sub_path(browser: Any, portal: str, subpath_site: Path) -> None:
    assert (subpath_site / "regions" / "示例省" / "示例市" / "示例区.html").is_file()  # readable addresses
    kinds = {
        "home": "index.html", "years": "years/index.html", "year": "years/2024.html",
        "agencies": "agencies/index.html", "agency": "agencies/shili-qu-renmin-zhengfu.html",
        "report": "reports/shili-qu-jiaoyuju-2024.html", "regions": "regions/index.html",
        "region": "regions/示例省/示例市/示例区.html", "aggregate": "regions/示例省/示例市/示例区/2024.html",
        "data": "data.html", "check": "check.html", "search": "search.html?q=行政复议", "guide": "guide/index.html",
    }
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    failed: list[str] = []
    pg.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for kind, path in kinds.items():
        pg.goto(portal + PREFIX + path, wait_until="load")
        sheets = pg.evaluate("Array.from(document.styleSheets).filter(s => s.href).map(s => s.href)")
        assert any(s.endswith("/assets/nianbao.css") for s in sheets), kind
        assert all(urlsplit(s).path.startswith(PREFIX) for s in sheets), (kind, sheets)
        # Material's stylesheet applied: the header is a bar, not a page of giant icons
        assert pg.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky", kind
        if kind == "search":
            pg.wait_for_function("document.querySelectorAll('#nb-results li').length > 0", timeout=15000)
            links = pg.eval_on_selector_all("#nb-results a", "els => els.map(e => e.href)")
            assert links and all(urlsplit(u).path.startswith(PREFIX + "reports/") for u in links)
    context.close()
    assert failed == []


@pytest.mark.parametrize("missing", ["nope.html", "reports/no-such-report-2024.html", "a/b/c/d/"])
def test_404_is_chinese_styled_and_leads_back_at_any_depth(browser: Any, portal: str, missing: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    failed: list[str] = []
    pg.on("response", lambda r: failed.append(r.url) if r.status >= 400 and not r.url.endswith(missing) else None)
    response = pg.goto(portal + PREFIX + missing, wait_until="load")
    assert response is not None and response.status == 404
    assert pg.inner_text("article h1") == "页面不存在"
    assert "Not found" not in pg.content()
    assert pg.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    assert failed == []  # styles, scripts and icons all found
    links = {a.inner_text(): a.get_attribute("href") for a in pg.locator(".nb-404__links a").all()}
    assert set(links) == {"首页", "按年度", "按机关"}
    for name, href in links.items():
        assert href and href.startswith(PREFIX), (name, href)
        pg.goto(portal + href, wait_until="load")
        assert pg.url.startswith(portal + PREFIX)
        title = pg.inner_text("article h1")
        assert {"按年度": "按年度浏览", "按机关": "按机关浏览"}.get(name, title) == title
    pg.goto(portal + PREFIX + missing, wait_until="load")
    pg.fill("#nb-404-q", "行政复议")
    pg.press("#nb-404-q", "Enter")
    pg.wait_for_function("document.querySelectorAll('#nb-results li').length > 0", timeout=15000)
    assert urlsplit(pg.url).path == PREFIX + "search.html"
    context.close()


def test_the_404_page_has_no_root_relative_address_outside_the_sub_path(subpath_site: Path) -> None:
    page = (subpath_site / "404.html").read_text(encoding="utf-8")
    addresses = re.findall(r'(?:href|src|action)="(/[^"]*)"', page)
    assert addresses and all(a.startswith(PREFIX) for a in addresses), addresses
