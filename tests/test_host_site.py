"""nianbao as a guest in someone else's MkDocs site: its pages, its search, its URLs, its theme.

A small host site (its own home page and a notice page linking each other, no Markdown extensions,
MkDocs' default ``use_directory_urls``) adds the plugin with reports whose agency names and regions
are script-injection vectors. Built under Material (its search plugin before and after nianbao), the
mkdocs and readthedocs themes, and a bare custom_dir theme that prints every title raw.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hostile import MARKER, REGION_VECTORS, VECTORS, dump, hostile_report
from test_security import HOOKS, audit

ROOT = Path(__file__).resolve().parent.parent

# A theme of nothing but a custom_dir that prints titles, nav and toc raw, as a careless theme would.
BARE_MAIN = """<!doctype html><html><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body>
<nav>{% for item in nav %}<a href="{{ item.url | url }}">{{ item.title }}</a>{% endfor %}</nav>
<aside>{% for t in page.toc %}<a href="{{ t.url }}">{{ t.title }}</a>{% endfor %}</aside>
<main>{{ page.content }}</main></body></html>
"""

HOST_INDEX = "# 示例市政务公开\n\n本站的通知见[通知公告](notice.md)。\n"
HOST_NOTICE = "# 通知公告\n\n关于做好2025年政务公开工作的通知。文号 ZWGK 2025 7。返回[首页](index.md)。\n"

VARIANTS = {
    "material-search-first": ("material", ["search", "nianbao"]),
    "material-nianbao-first": ("material", ["nianbao", "search"]),
    "mkdocs": ("mkdocs", ["search", "nianbao"]),
    "readthedocs": ("readthedocs", ["nianbao", "search"]),
    "bare": (None, ["nianbao"]),
}


def _write_host(base: Path, theme: str | None, plugins: list[str]) -> Path:
    (base / "docs").mkdir(parents=True)
    (base / "docs" / "index.md").write_text(HOST_INDEX, encoding="utf-8")
    (base / "docs" / "notice.md").write_text(HOST_NOTICE, encoding="utf-8")
    (base / "reports").mkdir()
    chunks = [list(VECTORS[i : i + 12]) for i in range(0, 24, 12)]
    for k, chunk in enumerate(chunks):
        region = f"{REGION_VECTORS[k]}/{REGION_VECTORS[k + 1]}"
        data = hostile_report(f"guest-{k}", f"来宾机关{k}", chunk, region)
        (base / "reports" / f"guest-{k}-2024.yaml").write_text(dump(data), encoding="utf-8")
    lines = ["site_name: 示例市政务公开"]
    if theme is None:
        (base / "bare").mkdir()
        (base / "bare" / "main.html").write_text(BARE_MAIN, encoding="utf-8")
        lines += ["theme:", "  name: null", "  custom_dir: bare"]
    else:
        lines += ["theme:", f"  name: {theme}"]
    lines.append("plugins:")
    for name in plugins:
        lines.append("  - nianbao:\n      pdf: false\n      progress: false" if name == "nianbao" else f"  - {name}")
    (base / "mkdocs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base


@pytest.fixture(scope="module", params=list(VARIANTS))
def host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build one host site with ``mkdocs build`` in a fresh process (as a webmaster would)."""
    theme, plugins = VARIANTS[request.param]
    base = _write_host(tmp_path_factory.mktemp(request.param), theme, plugins)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=base, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return {"name": request.param, "theme": theme, "site": base / "site", "log": run.stderr}


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_host_keeps_its_directory_urls(host: dict[str, Any]) -> None:
    site: Path = host["site"]
    assert (site / "notice" / "index.html").is_file()  # not notice.html: the host's /notice/ links hold
    assert (site / "reports" / "guest-0-2024" / "index.html").is_file()
    assert (site / "years" / "2024" / "index.html").is_file()
    assert not list(site.glob("reports/*.html"))
    notice = (site / "notice" / "index.html").read_text(encoding="utf-8")
    assert 'href="../"' in notice or 'href="..' in notice


def test_no_page_needs_a_markdown_extension_the_host_lacks(host: dict[str, Any]) -> None:
    for page in _pages(host["site"]):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\{\s*[#:.]", re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S)), page


# readthedocs writes the title into a script as JSON (Jinja's tojson escapes <, >, & and quotes):
# inert data, taken out before the audit, which flags any script holding the marker.
_RTD_TITLE = re.compile(r'var mkdocs_page_name = "(?:[^"\\<>&]|\\.)*";')


def test_no_script_url_or_handler_under_any_theme(host: dict[str, Any]) -> None:
    site: Path = host["site"]
    problems = {p.relative_to(site).as_posix(): found for p in _pages(site)
                if (found := audit(_RTD_TITLE.sub("", p.read_text(encoding="utf-8"))))}
    assert problems == {}
    report = (site / "reports" / "guest-0-2024" / "index.html").read_text(encoding="utf-8")
    assert report.count(MARKER) > 12  # the vectors reached the page, as text
    title = re.search(r"<title>(.*?)</title>", report, re.S)
    assert title and "<" not in title[1] and "&lt;script&gt;" in title[1].replace("&#39;", "'")


def test_generated_pages_stay_out_of_the_hosts_auto_nav(host: dict[str, Any]) -> None:
    # The host's home page links only the notice (its text): every other link is the theme's nav,
    # prev/next and header, none of which may list a generated page.
    home = (host["site"] / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a\b[^>]*href="([^"]*)"', home)
    assert sum("notice" in h for h in linked) >= (1 if host["theme"] is None else 2), linked  # text and nav
    assert not [h for h in linked if re.search(r"reports/|years/|agencies/|regions/|check|search/$", h)], linked


def test_the_hosts_own_search_still_indexes_its_pages(host: dict[str, Any]) -> None:
    if host["theme"] is None:  # a host without a search plugin: nianbao makes no lunr index of its own
        assert not (host["site"] / "search" / "search_index.json").exists()
        return
    index = json.loads((host["site"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    texts = " ".join(d.get("text", "") for d in docs if d["location"].startswith("notice/"))
    assert "关于做好2025年政务公开工作的通知" in texts, [d["location"] for d in docs][:20]
    # the plugin's pages are indexed by the host's search too, with their text
    report = [d for d in docs if d["location"].startswith("reports/guest-0-2024/")]
    assert report and any("总体情况" in d.get("title", "") + d.get("text", "") for d in report)


# -- in Chromium -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def host_url(host: dict[str, Any]) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(host["site"]))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_in_chromium_no_script_runs_and_every_link_resolves(browser: Any, host: dict[str, Any], host_url: str) -> None:
    context = browser.new_context()
    context.add_init_script(HOOKS)
    pg = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    broken: list[str] = []
    site: Path = host["site"]
    for path in _pages(site):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        url = host_url + rel.removesuffix("index.html")
        pg.goto(url, wait_until="load")
        assert pg.evaluate("window.__nbCalls") == [], url
        for href in pg.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if not target.startswith(host_url) or parts.path.endswith((".pdf",)) or href.startswith("#"):
                continue
            local = site / unquote(parts.path).lstrip("/")
            if local.is_dir():
                local = local / "index.html"
            if not local.is_file():
                broken.append(f"{rel}: {href}")
    context.close()
    assert dialogs == [] and broken == [], broken[:10]
    if host["theme"] == "material":
        assert errors == []


def test_in_chromium_the_search_page_finds_reports(browser: Any, host: dict[str, Any], host_url: str) -> None:
    pg = browser.new_page()
    pg.goto(host_url + "search/?q=" + "行政复议", wait_until="load")  # a statutory label of every report
    pg.wait_for_function("document.querySelectorAll('#nb-results li').length > 0", timeout=15000)
    links = pg.eval_on_selector_all("#nb-results a", "els => els.map(e => e.href)")
    assert links and all("/reports/guest-" in u and u.endswith("/") for u in links), links
    pg.goto(links[0], wait_until="load")
    assert pg.locator("h1").first.inner_text().startswith("来宾机关")
    pg.close()


def test_in_chromium_materials_own_search_finds_the_hosts_page(browser: Any, host: dict[str, Any], host_url: str) -> None:
    if host["theme"] != "material":  # the other themes' search boxes are their own business, their index is checked above
        assert host["theme"] in (None, "mkdocs", "readthedocs")
        return
    pg = browser.new_page(viewport={"width": 1280, "height": 800})  # the search field shows in the header at this width
    pg.goto(host_url, wait_until="load")
    pg.locator("input.md-search__input").click()
    # Material's lunr search splits on spaces: Han text is one token unless the host configures jieba, so a
    # Latin word of the host's page is the query that proves its search still works beside nianbao.
    pg.keyboard.type("ZWGK", delay=50)
    pg.wait_for_selector(".md-search-result__item", timeout=20000)
    found = pg.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any(u.rstrip("/").endswith("/notice") or "/notice/" in u for u in found), found
    pg.close()
