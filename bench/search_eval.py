"""Search quality: precision and recall at 10 for 30 queries, against what the report pages say.

The reports each query should find are derived without the search engine: every built report page
is parsed, its text as a reader reads it is taken (the article without the facts block and the
tables' numbers), and a report is expected when it contains the query (every word of it, for a
query of several words) as a substring, as Ctrl+F would find it. The search page is then run in
headless Chromium and its first 10 results compared; the same query sent to Pagefind's ordinary
search (what the search page did before: bigrams, no exact check, Pagefind's order) is measured in
the same run as the baseline.

    .venv/bin/python bench/search_eval.py [--site DIR] [--synth N]

Without ``--site`` the reports in reports/ (plus N synthetic ones with ``--synth``) are built first.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import statistics
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.search import query_words  # noqa: E402

QUERIES = [
    # prose: words and phrases
    "行政复议", "复议", "依申请公开", "政府信息公开指南", "全年新收", "答复前沟通", "政务公开专区", "规范性文件",
    "高效办成一件事", "信息处理费", "融媒体", "基层政务公开", "责任追究", "社会评议", "保密审查",
    # scattered bigrams: reports holding the phrase must come first
    "二是加强", "全区政府", "公开申请",
    # table labels and headings
    "三安全一稳定", "商业企业", "结果维持", "行政事业性收费", "存在的主要问题及改进情况",
    # one character, numbers, several words, the signature
    "议", "2023年", "行政复议 行政诉讼", "街道办事处",
    # nothing (or next to nothing) should be found
    "无此词语", "行政复议案件数量统计", "区块链",
]
K = 10


class _ReaderText(HTMLParser):
    """Collect the text of a report page's article, without the facts block, numbers and permalinks."""

    SKIP_CLASSES = {"nb-meta", "headerlink"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: whether its text is skipped
        self.article = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.article = True
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = bool(self.stack and self.stack[-1]) or bool(classes & self.SKIP_CLASSES) or tag in ("td", "script", "style")
        self.stack.append(skipped)
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        if self.stack:
            self.stack.pop()
        if tag == "article":
            self.article = False
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.article and not (self.stack and self.stack[-1]):
            self.parts.append(data)


def page_texts(site: Path) -> dict[str, str]:
    """Return each report page's reader text (whitespace runs as one space), by URL path."""
    texts = {}
    for page in sorted((site / "reports").glob("*.html")):
        if page.name == "index.html":
            continue
        parser = _ReaderText()
        parser.feed(page.read_text(encoding="utf-8"))
        texts[f"reports/{page.name}"] = " ".join("".join(parser.parts).split())
    return texts


def expected(texts: dict[str, str], query: str) -> set[str]:
    return {url for url, text in texts.items() if all(term in text for term in query.split())}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def run_queries(site: Path) -> dict[str, dict[str, list[str]]]:
    """Return, per query, the first K result URLs of the search page and of Pagefind's plain search."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict[str, dict[str, list[str]]] = {}

    def path(href: str) -> str:
        m = re.search(r"reports/[^/?#]+\.html", href)
        return m[0] if m else href

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            for query in QUERIES:
                page.goto(base + f"search.html?q={query}")
                page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)", timeout=60000)
                engine = page.eval_on_selector_all("#nb-results li a", "as => as.map(a => a.getAttribute('href'))")
                plain = page.evaluate(
                    """async ([bundle, q, k]) => {
                        const pf = await import(bundle);
                        await pf.options({ noWorker: true });
                        const search = await pf.search(q);
                        const data = await Promise.all(search.results.slice(0, k).map(r => r.data()));
                        return data.map(d => d.url);
                    }""",
                    [base + "pagefind/pagefind.js", " ".join(query_words(query)), K],
                )
                out[query] = {"nianbao": [path(h) for h in engine][:K], "pagefind": [path(h) for h in plain]}
            browser.close()
    finally:
        server.shutdown()
    return out


def scores(found: list[str], wanted: set[str]) -> tuple[float, float, bool]:
    """Return precision and recall at K, and whether every wanted report is ranked above the others."""
    top = found[:K]
    hits = len(set(top) & wanted)
    precision = hits / len(top) if top else (1.0 if not wanted else 0.0)
    recall = hits / min(len(wanted), K) if wanted else 1.0
    ordered = set(top[: len(wanted)]) == wanted if len(wanted) <= K else set(top) <= wanted
    return precision, recall, ordered


def build(synth: int, folder: Path) -> Path:
    from generator.build import build_site

    project = folder / "project"
    project.mkdir()
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    if synth:
        from bench.synth import generate

        generate(synth, project / "reports" / "synth")
    site = folder / "site"
    import os

    cwd = Path.cwd()
    os.chdir(project)
    try:
        build_site(project / "mkdocs.yml", site)
    finally:
        os.chdir(cwd)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a site already built with nianbao build")
    parser.add_argument("--synth", type=int, default=0, help="synthetic reports to add to reports/ before building")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-search-eval-") as tmp:
        site = args.site or build(args.synth, Path(tmp))
        texts = page_texts(site)
        results = run_queries(site)
    rows: list[dict[str, Any]] = []
    print(f"{len(texts)} report pages, {len(QUERIES)} queries, metrics at {K}\n")
    print(f"{'query':<16}{'expected':>9}{'found':>7}{'P@10':>7}{'R@10':>7}{'first':>7}  |{'found':>7}{'P@10':>7}{'R@10':>7}{'first':>7}  (Pagefind alone)")
    for query in QUERIES:
        wanted = expected(texts, query)
        ours = scores(results[query]["nianbao"], wanted)
        theirs = scores(results[query]["pagefind"], wanted)
        rows.append({"ours": ours, "theirs": theirs})
        pad = 16 - sum(2 if ord(c) > 0x2E7F else 1 for c in query)
        print(
            f"{query}{' ' * max(1, pad)}{len(wanted):>9}{len(results[query]['nianbao']):>7}{ours[0]:>7.2f}{ours[1]:>7.2f}"
            f"{'yes' if ours[2] else 'no':>7}  |{len(results[query]['pagefind']):>7}{theirs[0]:>7.2f}{theirs[1]:>7.2f}"
            f"{'yes' if theirs[2] else 'no':>7}"
        )
    for name, key in (("nianbao search page", "ours"), ("Pagefind alone", "theirs")):
        p = statistics.mean(r[key][0] for r in rows)
        r = statistics.mean(r[key][1] for r in rows)
        first = sum(r[key][2] for r in rows)
        print(f"\n{name}: mean P@10 {p:.3f}, mean R@10 {r:.3f}, expected reports ranked first in {first}/{len(rows)} queries")


if __name__ == "__main__":
    main()
