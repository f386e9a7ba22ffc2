"""Hostile text never runs as script, and no name makes the build write outside its output directory.

A site is built from reports whose every text field holds script-injection vectors (tests/hostile.py):
导语 and the six sections (Markdown, one vector per line), 机关名称, 联系方式/机构 and /地址, 落款/署名,
and 地区 segments where the region pattern allows. Every built page is parsed for event handlers and
script URLs, then opened in headless Chromium with alert/confirm/prompt/print hooked; the search,
the open data and the page titles must show the text literally. A PDF of a hostile report shows it
as text. Agency ids, regions and file names that try to leave the output directory are refused.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import html
import http.server
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pypdf
import pytest
from hostile import MARKER, REGION_VECTORS, VECTORS, dump, hostile_report, sample_data

from generator.build import BuildError, build_site
from generator.cli import main
from generator.export import FORMULA_START
from generator.pdf import PdfSettings, find_fonts, render_reports
from generator.reader import load_report
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SITE_NAME = "政府信息公开工作年度报告"
CHUNK = 9  # vectors per report in the one-line fields: every vector lands in every field of some report


def _chunks() -> list[list[str]]:
    return [list(VECTORS[i : i + CHUNK]) for i in range(0, len(VECTORS), CHUNK)]


def write_project(base: Path, reports: dict[str, str], *, search: bool = True) -> Path:
    """Write a project (reports, mkdocs.yml using the repository's content and theme); return mkdocs.yml."""
    (base / "reports").mkdir(parents=True, exist_ok=True)
    for name, text in reports.items():
        (base / "reports" / name).write_text(text, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: content", f"docs_dir: {ROOT / 'content'}")
    config = config.replace("custom_dir: site_overrides", f"custom_dir: {ROOT / 'site_overrides'}")
    config = config.replace("pdf: true ", "pdf: false ").replace("search: true ", f"search: {str(search).lower()} ")
    assert "pdf: false" in config
    (base / "mkdocs.yml").write_text(config, encoding="utf-8")
    return base / "mkdocs.yml"


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Return every path under ``root``: files with their size and modification time, folders with (0, 0)."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs:
            out[(Path(dirpath) / name).relative_to(root).as_posix()] = (0, 0)
        for name in files:
            path = Path(dirpath) / name
            st = path.lstat()
            out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the hostile site (no PDFs: a separate test renders one) and return what the tests need."""
    base = tmp_path_factory.mktemp("hostile")
    reports: dict[str, str] = {}
    names: dict[str, str] = {}  # slug -> agency name
    for k, chunk in enumerate(_chunks()):
        region = "/".join([REGION_VECTORS[k % len(REGION_VECTORS)], REGION_VECTORS[(k + 1) % len(REGION_VECTORS)]])
        years = (2023, 2024) if k == 0 else (2024,)  # two years: the agency page draws its trend charts
        for year in years:
            data = hostile_report(f"hostile-{k}", f"测试机关{k}", chunk, region, year)
            reports[f"hostile-{k}-{year}.yaml"] = dump(data)
            names[f"hostile-{k}-{year}"] = str(data["机关名称"])
    project = base / "project"
    config = write_project(project, reports)
    result = validate([project / "reports"])
    assert result.ok, [f.message for f in result.errors]
    before = _tree(base)
    cwd = Path.cwd()
    os.chdir(project)
    try:
        build_site(config, project / "site")
    finally:
        os.chdir(cwd)
    after = _tree(base)
    return {"base": base, "site": project / "site", "names": names, "before": before, "after": after,
            "reports": {r.slug: r for r in result.reports}}


def test_vectors_are_many_and_reach_every_field(hostile: dict[str, Any]) -> None:
    assert len(VECTORS) >= 50 and len(set(VECTORS)) == len(VECTORS)
    assert len(REGION_VECTORS) >= 5
    for chunk, report in zip(_chunks(), (hostile["reports"][f"hostile-{k}-2024"] for k in range(len(_chunks()))), strict=True):
        for vector in chunk:
            for text in (report.agency, report.contact["机构"], report.contact["地址"], report.signature):
                assert vector in text
        for text in (report.lead, *report.sections.values()):
            assert all(v in text for v in VECTORS)
    regions = {segment for r in hostile["reports"].values() for segment in r.region}
    assert regions == set(REGION_VECTORS)


def test_build_writes_only_inside_its_output_directory(hostile: dict[str, Any]) -> None:
    new = set(hostile["after"]) - set(hostile["before"])
    changed = {p for p in hostile["before"] if hostile["after"].get(p) != hostile["before"][p]}
    outside = sorted(p for p in new | changed if not p.startswith(("project/site/", "project/.nianbao-cache/"))
                     and p not in ("project/site", "project/.nianbao-cache"))
    assert outside == []
    # the caches beside it are named by content hashes, never by anything a report says
    cached = [p for p in new if p.startswith("project/.nianbao-cache/")]
    assert cached and all(re.fullmatch(r"[0-9a-z./_-]+", p) and MARKER not in p for p in cached)
    assert all(re.fullmatch(r"[0-9a-zA-Z./_-]+", p) for p in new), "a built file named after report text"


# -- every built page, parsed ------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "lowsrc",
                  "dynsrc", "ping", "cite", "codebase", "manifest", "icon", "srcset", "longdesc", "usemap"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
SAFE_DATA = re.compile(r"^data:image/(png|gif|jpeg|webp);")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028-\u202f\ufeff]")


def unsafe_url(value: str) -> bool:
    """Return whether a URL runs script or renders HTML, however it is spelt."""
    url = _INVISIBLE.sub("", html.unescape(value)).lower()
    if url.startswith(("javascript:", "vbscript:", "livescript:", "mocha:")):
        return True
    return url.startswith("data:") and not SAFE_DATA.match(url)


class _Audit(HTMLParser):
    """Collect everything in a page through which a script could run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag}>"
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"{where} element")
        values = {k.lower(): v or "" for k, v in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"{where} {name}={value!r}")
            if name == "srcdoc":
                self.problems.append(f"{where} srcdoc")
            if name in URL_ATTRIBUTES and unsafe_url(value):
                self.problems.append(f"{where} {name}={value!r}")
            if name == "style" and (MARKER in value or "expression(" in value.lower() or "url(" in value.lower()):
                self.problems.append(f"{where} style={value!r}")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"{where} refresh {values.get('content')!r}")
        if tag == "form" and unsafe_url(values.get("action", "")):
            self.problems.append(f"{where} action")
        if tag == "script":
            self.scripts.append(values.get("src", ""))
            if MARKER in values.get("src", ""):
                self.problems.append(f"{where} src={values['src']!r}")
        if tag in ("script", "style"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and MARKER in data:
            self.problems.append(f"<{self._in}> holds {data[:120]!r}")


def audit(page: str) -> list[str]:
    parser = _Audit()
    parser.feed(page)
    parser.close()
    return parser.problems


def audit_file(path: Path) -> list[str]:
    """Audit one page of a site; the page at a moved page's old address (addresses.py) may refresh,
    only to a page of the same site that exists, and carry nothing else."""
    text = path.read_text(encoding="utf-8")
    problems = audit(text)
    m = re.fullmatch(r"<meta> refresh '0; url=([^'\"<>:]+)'", problems[0]) if len(problems) == 1 else None
    if m and (path.parent / unquote(m[1])).is_file() and "<script" not in text:
        return []
    return problems


def test_audit_catches_what_it_looks_for() -> None:
    bad = (
        "<p onclick=x>a</p><a href=' JaVa&#x09;Script:alert(1)'>b</a><iframe></iframe><base href=x>"
        "<meta http-equiv=Refresh content=0><a href='data:text/html,x'>c</a><script>nbxss</script>"
        "<svg><a xlink:href='javascript:x'>d</a></svg><form action='vbscript:x'></form><div srcdoc=x></div>"
    )
    assert len(audit(bad)) == 11
    assert audit("<a href='https://x/?javascript:'>a</a><img src='data:image/png;base64,AAA'><p>nbxss onclick=</p>") == []


def test_only_a_refresh_to_an_existing_page_of_the_site_passes(tmp_path: Path) -> None:
    (tmp_path / "new.html").write_text("<p>新</p>", encoding="utf-8")
    for target, ok in [("new.html", True), ("missing.html", False), ("https://evil.example/", False), ("//evil.example/", False)]:
        page = tmp_path / "old.html"
        page.write_text(f'<meta http-equiv="refresh" content="0; url={target}"><a href="{target}">新</a>', encoding="utf-8")
        assert (audit_file(page) == []) is ok, target
    page.write_text('<meta http-equiv="refresh" content="0; url=new.html"><p onclick="x">a</p>', encoding="utf-8")
    assert audit_file(page) != []


def test_no_page_carries_a_handler_a_script_url_or_an_injected_element(hostile: dict[str, Any]) -> None:
    site: Path = hostile["site"]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    problems = {p.relative_to(site).as_posix(): found for p in pages if (found := audit_file(p))}
    assert problems == {}
    # the vectors did reach the pages, as text
    report = (site / "reports" / "hostile-0-2024.html").read_text(encoding="utf-8")
    assert report.count(MARKER) > 2 * len(VECTORS)


def test_the_sample_site_has_none_either(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert {p.relative_to(built_site).as_posix(): found for p in pages if (found := audit_file(p))} == {}
    moved = [p for p in pages if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")]
    assert moved and all(p.parent.name == "regions" and p.name.startswith("r") for p in moved)


def test_titles_and_headings_show_the_text_literally(hostile: dict[str, Any]) -> None:
    site: Path = hostile["site"]
    for slug, name in hostile["names"].items():
        page = (site / "reports" / f"{slug}.html").read_text(encoding="utf-8")
        title = f"{name}{slug[-4:]}年政府信息公开工作年度报告"
        m = re.search(r"<title>(.*?)</title>", page, re.S)
        assert m and html.unescape(m[1].strip()) == f"{title} - {SITE_NAME}"
        m = re.search(r'<meta name="description" content="([^"]*)"', page)
        assert m and html.unescape(m[1]).startswith(name)
        m = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert m and html.unescape(m[1]) == title


# -- in Chromium -------------------------------------------------------------------------------------

HOOKS = """
window.__nbCalls = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = function () { window.__nbCalls.push(name + ":" + Array.from(arguments).join(",")); };
}
"""


@pytest.fixture(scope="module")
def hostile_url(hostile: dict[str, Any]) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(hostile["site"]))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture()
def watched(browser: Any, hostile_url: str) -> Iterator[tuple[Any, dict[str, list[str]]]]:
    """A page with alert & co. hooked, and a record of dialogs, navigations, popups and console output."""
    context = browser.new_context()
    context.add_init_script(HOOKS)
    seen: dict[str, list[str]] = {"dialogs": [], "navigations": [], "popups": [], "console": [], "errors": []}
    context.on("page", lambda p: seen["popups"].append(p.url) if len(context.pages) > 1 else None)
    pg = context.new_page()
    pg.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    pg.on("framenavigated", lambda f: seen["navigations"].append(f.url) if f == pg.main_frame else None)
    pg.on("console", lambda m: seen["console"].append(m.text) if MARKER in m.text else None)
    pg.on("pageerror", lambda e: seen["errors"].append(str(e)))
    yield pg, seen
    context.close()


def _visit(pg: Any, seen: dict[str, list[str]], url: str) -> None:
    seen["navigations"].clear()
    pg.goto(url, wait_until="load")
    pg.wait_for_timeout(60)  # let image errors, SVG animations and autofocus fire
    calls = pg.evaluate("window.__nbCalls")
    assert calls == [], f"{url}: {calls}"
    assert pg.evaluate("typeof window.__xss") == "undefined", url
    assert [unquote(u) for u in seen["navigations"]] == [unquote(url)], f"{url} navigated: {seen['navigations']}"


def test_no_script_runs_on_any_page(watched: tuple[Any, dict[str, list[str]]], hostile: dict[str, Any], hostile_url: str) -> None:
    pg, seen = watched
    site: Path = hostile["site"]
    for path in sorted(site.rglob("*.html")):
        _visit(pg, seen, hostile_url + path.relative_to(site).as_posix())
        if path.parent.name == "reports":
            slug = path.stem
            title = f"{hostile['names'][slug]}{slug[-4:]}年政府信息公开工作年度报告"
            assert pg.title() == _collapse(f"{title} - {SITE_NAME}")
            assert pg.inner_text("article h1") == _collapse(title)
            assert pg.locator("article h1 *, .md-header__topic .md-ellipsis *").count() == 0  # no markup in titles
    assert seen["dialogs"] == [] and seen["popups"] == [] and seen["console"] == []
    assert seen["errors"] == []  # no script broken either: an editor's id="__config" once stopped the theme's


def _collapse(text: str) -> str:
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


ALLOWED_RESULT_MARKUP = {"li": {"class"}, "p": {"class"}, "a": {"href"}, "mark": set(), "button": {"id", "type"}}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k for k, _ in attrs}))


@pytest.mark.parametrize("query", ["测试机关", "解码向量"])  # in every title; in every signature
def test_search_results_show_the_text_literally(
    watched: tuple[Any, dict[str, list[str]]], hostile: dict[str, Any], hostile_url: str, query: str
) -> None:
    pg, seen = watched
    _visit(pg, seen, hostile_url + f"search.html?q={query}")
    pg.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
    pg.wait_for_timeout(100)
    while pg.locator("#nb-more").count():  # results come 10 at a time: show them all
        shown = pg.locator("#nb-results li").count()
        pg.click("#nb-more")
        pg.wait_for_function(f"() => document.querySelectorAll('#nb-results li').length > {shown}")
    titles = pg.locator("#nb-results .nb-result__title").all_inner_texts()
    expected = [_collapse(f"{name}{slug[-4:]}年政府信息公开工作年度报告") for slug, name in hostile["names"].items()]
    assert sorted(titles) == sorted(expected)
    metas = pg.locator("#nb-results .nb-result__meta").all_inner_texts()
    assert len(metas) == len(titles)
    assert all(any(_collapse(name) in m for name in hostile["names"].values()) for m in metas), metas
    excerpts = " ".join(pg.locator("#nb-results .nb-result__excerpt").all_inner_texts())
    assert MARKER in excerpts and ("<" in excerpts or "q00060" in excerpts)  # shown as text, not as markup
    if query == "解码向量":  # the encoded-looking word stays a word: it never decodes into "<img …>"
        assert "q00060 img src=x onerror=alert('nbxss')" in excerpts
    parser = _Markup()
    parser.feed(pg.inner_html("#nb-results"))
    assert [(t, a) for t, a in parser.found if t not in ALLOWED_RESULT_MARKUP or not a <= ALLOWED_RESULT_MARKUP[t]] == []
    assert pg.evaluate("window.__nbCalls") == [] and seen["dialogs"] == []


def test_search_index_holds_the_text_as_data(hostile: dict[str, Any]) -> None:
    """Pagefind's fragments (gzip, JSON) keep titles and metadata as plain strings, never as markup."""
    fragments = list((hostile["site"] / "pagefind" / "fragment").glob("*.pf_fragment"))
    titles = []
    for path in fragments:
        raw = gzip.decompress(path.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        titles.append(data["meta"]["title"])
        assert _collapse(data["meta"]["机关"]) in {_collapse(n) for n in hostile["names"].values()}  # Pagefind collapses spaces
    assert sorted(titles) == sorted(_collapse(f"{n}{s[-4:]}年政府信息公开工作年度报告") for s, n in hostile["names"].items())


# -- open data -------------------------------------------------------------------------------------------


def test_open_data_carries_the_text_unchanged_and_inert(hostile: dict[str, Any]) -> None:
    data = hostile["site"] / "data"
    names = sorted(hostile["names"].values())
    records = json.loads((data / "nianbao-all.json").read_text(encoding="utf-8"))
    assert sorted(r["机关"] for r in records) == names
    regions = {"/".join(r.region) for r in hostile["reports"].values()}
    assert {r["地区"] for r in records} == regions
    rows = list(csv.DictReader(io.StringIO((data / "nianbao-all-2021.csv").read_bytes()[3:].decode("utf-8"))))
    # a cell that a spreadsheet would run as a formula starts with an apostrophe; nothing else changes
    unquote = [r["机关"][1:] if r["机关"].startswith("'") and r["机关"][1:].startswith(FORMULA_START) else r["机关"] for r in rows]
    assert sorted(unquote) == names
    assert all(not r["机关"].startswith(FORMULA_START) and not r["地区"].startswith(FORMULA_START) for r in rows)
    with zipfile.ZipFile(data / "nianbao-all-2021.xlsx") as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                sheet = book.read(name).decode("utf-8")
                assert "<f>" not in sheet and "<f " not in sheet  # text is never a formula
                assert MARKER in sheet and "<script" not in sheet  # escaped XML text
    import openpyxl

    book = openpyxl.load_workbook(data / "nianbao-all-2021.xlsx")
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and MARKER in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert sorted(c.value for c in cells if c.column == 1) == names
    # each report's workbook names its agency in the document properties: as text, in well-formed XML
    titles = []
    for path in sorted((data / "reports").glob("*.xlsx")):
        with zipfile.ZipFile(path) as book:
            core = book.read("docProps/core.xml").decode("utf-8")
        assert "<script" not in core
        titles.append(openpyxl.load_workbook(path).properties.creator)
    assert sorted(titles) == names


def test_formula_like_text_is_quoted_in_csv() -> None:
    from generator.export import to_csv

    report = dataclasses.replace(load_report(ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml")[0], agency="=1+1")
    row = list(csv.reader(io.StringIO(to_csv([report])[3:].decode("utf-8"))))[1]
    assert row[0] == "'=1+1"


# -- the PDF ---------------------------------------------------------------------------------------------


def test_pdf_of_a_hostile_report_shows_the_vectors_as_text(tmp_path: Path) -> None:
    data = hostile_report("hostile-pdf", "测试机关", list(VECTORS), "测试省/测试市")
    path = tmp_path / "hostile-pdf-2024.yaml"
    path.write_text(dump(data), encoding="utf-8")
    result = validate([path])
    assert result.ok, [f.message for f in result.errors]
    report = result.reports[0]
    rendered = render_reports([report], PdfSettings(tmp_path / "cache", find_fonts(), jobs=1))
    reader = pypdf.PdfReader(rendered["hostile-pdf-2024"].path)
    text = _flat("".join(p.extract_text() for p in reader.pages))
    for vector in VECTORS:  # the signature (落款) is plain text: every vector, character for character
        assert _flat(vector) in text, vector
    # raw HTML in the Markdown prose is shown as text too: each tag-like vector appears again there
    for vector in (v for v in VECTORS if v.startswith("<") and not re.search(r"[*_`\[\]!#|\\]", v)):
        assert text.count(_flat(vector)) >= 2, vector
    assert (reader.metadata or {}).get("/Title", "").startswith("测试机关")
    assert not any(k in str(reader.trailer["/Root"]) for k in ("/JavaScript", "/OpenAction", "/AA"))


def _flat(text: str) -> str:
    text = text.replace("\u200b", "").translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    return re.sub(r"\s+", "", text)


# -- path traversal --------------------------------------------------------------------------------------

TRAVERSAL = ["../../x", "..\\..\\x", "/tmp/nbxss-abs", "%2e%2e%2fx", "%2e%2e", "x\x00y", "a" * 65, "a" * 300,
             "x/../../y", "C:\\x", "~/x", "..", ".", "x\n../y", "\u202e..", "．．／x"]
REGIONS = ["../../x", "..", "湖北省/../../x", "/etc/x", "湖北省/", "湖北省\\..\\x", "%2e%2e/x", "湖北省/%2e%2e",
           "a\x00b", "湖北省/" + "区" * 65, "湖北省//x", "./x", "湖北省/.", "湖北省/...", "C:\\x", "a\tb"]


def _report_text(agency_id: str = "ok", region: str = "湖北省/武汉市", year: int = 2024) -> str:
    data = sample_data()
    data["机关代码"], data["地区"], data["年度"] = agency_id, region, year
    return dump(data)


def _line_of(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(key + ":"))


def _refused(tmp_path: Path, reports: dict[str, str]) -> dict[str, list[tuple[int, str]]]:
    """Validate and build ``reports``; assert the build refuses and writes nothing; return error findings."""
    base = tmp_path / "a" / "b" / "c"
    config = write_project(base / "project", reports, search=False)
    result = validate([base / "project" / "reports"])
    before = _tree(tmp_path)
    cwd = Path.cwd()
    os.chdir(base / "project")
    try:
        with pytest.raises(BuildError, match="网站未生成"):
            build_site(config, base / "project" / "site")
    finally:
        os.chdir(cwd)
    after = _tree(tmp_path)
    # the validation cache (named by content hashes) is the only thing written, inside the project
    written = {p for p in after if after[p] != before.get(p)}
    assert all(p.startswith("a/b/c/project/.nianbao-cache") and re.fullmatch(r"[0-9a-z./_-]+", p) for p in written), written
    assert not Path("/tmp/nbxss-abs").exists()
    errors: dict[str, list[tuple[int, str]]] = {}
    for f in result.errors:
        errors.setdefault(Path(f.file).name, []).append((f.line, f.rule))
    return errors


def test_agency_ids_that_leave_the_site_are_refused(tmp_path: Path) -> None:
    reports = {f"t{i}-2024.yaml": _report_text(agency_id) for i, agency_id in enumerate(TRAVERSAL)}
    errors = _refused(tmp_path, reports)
    for i, agency_id in enumerate(TRAVERSAL):
        text = reports[f"t{i}-2024.yaml"]
        line = _line_of(text, "机关代码")
        assert (line, "S4") in errors[f"t{i}-2024.yaml"], (agency_id, errors.get(f"t{i}-2024.yaml"))


def test_regions_that_look_like_paths_are_refused(tmp_path: Path) -> None:
    reports = {f"r{i}-2024.yaml": _report_text(f"r{i}", region) for i, region in enumerate(REGIONS)}
    errors = _refused(tmp_path, reports)
    for i, region in enumerate(REGIONS):
        line = _line_of(reports[f"r{i}-2024.yaml"], "地区")
        assert errors.get(f"r{i}-2024.yaml") == [(line, "S4")], (region, errors.get(f"r{i}-2024.yaml"))


FILE_NAMES = ["%2e%2e%2fx-2024.yaml", "x..\\..\\y-2024.yaml", "%2e%2e-2024.yaml", "a" * 245 + "-2024.yaml",
              "x-2024.yaml.yaml", "-2024.yaml", "X-2024.yaml", "x-2024 .yaml", "~x-2024.yaml", "x\ty-2024.yaml"]
HIDDEN = ["..%2f..%2fx-2024.yaml", "..\\..\\x-2024.yaml", "..-2024.yaml"]  # a leading dot: never read, never published


def test_file_names_that_look_like_paths_are_refused(tmp_path: Path) -> None:
    reports = {name: _report_text(name.split("-2024")[0] or "x") for name in FILE_NAMES + HIDDEN}
    errors = _refused(tmp_path, reports)
    for name in FILE_NAMES:
        assert any(rule in ("F6", "S4") for _, rule in errors[name]), (name, errors.get(name))
    assert not set(HIDDEN) & set(errors)
    assert not any(Path(r.source).name in HIDDEN for r in validate([tmp_path]).reports)


def test_names_too_long_for_the_file_system_are_findings(tmp_path: Path) -> None:
    result = validate([tmp_path / ("a" * 300 + ".yaml"), tmp_path / "x\x00y.yaml"])
    assert [(f.rule, f.line) for f in result.findings] == [("F1", 0), ("F1", 0)]
    assert "File name too long" in result.findings[0].message or "无法读取" in result.findings[0].message


@pytest.mark.parametrize("agency_id", ["../../x", "/tmp/nbxss-abs", "..\\x", "a" * 300])
def test_new_refuses_an_agency_id_that_leaves_the_folder(tmp_path: Path, agency_id: str) -> None:
    (tmp_path / "reports").mkdir()
    before = _tree(tmp_path)
    assert main(["new", "--agency", agency_id, "--year", "2025", "--reports", str(tmp_path / "reports")]) != 0
    assert _tree(tmp_path) == before
    assert not Path("/tmp/nbxss-abs-2025.yaml").exists()
