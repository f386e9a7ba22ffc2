"""Search: what is indexed is what a reader reads, excerpts decode exactly, phrases rank first, no dead ends."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import pagefind_merge
from generator.dates import chinese_date
from generator.formats import FORMATS, SECTIONS
from generator.pagefind_canon import read
from generator.pages import report_uri
from generator.search import (
    EVERY,
    GRAM,
    SHARED,
    _word,
    cover,
    encode,
    query_words,
    report_record,
    report_text,
    shared_text,
    shorten_content,
    table_labels,
    write_index,
    write_shared,
)
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
# Prose, headings, table labels, the signature; one and two characters; phrase and scattered matches.
EXCERPT_QUERIES = [
    "依申请公开", "调整", "根据", "议", "三安全一稳定", "行政复议", "全年新收", "政府信息公开指南", "2024年",
    "主动公开", "结果维持", "商业企业", "办公室", "二是加强", "全区政府", "公开 申请",
]


def _reports() -> dict[str, Any]:
    return {r.slug: r for r in validate([ROOT / "reports"]).valid_reports()}


def _flat(text: str) -> str:
    """Return text as a browser shows it on one line: whitespace runs as one space."""
    return " ".join(text.split())


@pytest.fixture()
def page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == []


def _search(page: Any, site_url: str, query: str) -> list[dict[str, Any]]:
    page.goto(site_url + f"search.html?q={query}")
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
    return list(page.eval_on_selector_all("#nb-results li", """items => items.map(li => ({
        href: li.querySelector('a').getAttribute('href'),
        excerpt: li.querySelector('.nb-result__excerpt').textContent,
        marks: Array.from(li.querySelectorAll('.nb-result__excerpt mark')).map(m => m.textContent)}))"""))


def _covered(mark: str, pieces: set[str]) -> bool:
    """Return whether every character of ``mark`` lies in an occurrence of one of ``pieces`` (overlaps allowed)."""
    covered = [False] * len(mark)
    for piece in filter(None, pieces):
        for m in re.finditer(f"(?={re.escape(piece)})", mark):
            covered[m.start() : m.start() + len(piece)] = [True] * len(piece)
    return all(covered)


def _slug(href: str) -> str:
    m = re.search(r"reports/([^/]+)\.html$", href)
    assert m, href
    return m[1]


# -- what is indexed ---------------------------------------------------------------------------


def test_the_record_is_the_text_a_reader_reads() -> None:
    reports = _reports()
    for report in reports.values():
        text = report_text(report)
        assert not re.search(r"^#|\*\*|^\s*[-*+] ", text, re.M), f"Markdown syntax indexed in {report.slug}"
        for table in report.format.table.values():
            assert f"{table.id} {table.title}" in text
    shili = report_text(reports["shili-qu-renmin-zhengfu-2024"])
    assert "（二）依申请公开\n全年新收" in shili  # the heading without ##, its paragraph on the next line
    assert "3.危及“三安全一稳定”" in shili and "法人或其他组织" in shili and "结果维持" in shili
    dated = [r for r in reports.values() if r.date]
    assert dated
    for report in dated:  # the signature and the date close the record, as they close the page
        assert report_text(report).endswith(f"{report.signature}\n{chinese_date(report.date)}")


def test_the_record_holds_every_line_the_report_page_shows(built_site: Path) -> None:
    """The prose as the page renders it (an independent path: the built HTML) is all in the record."""
    from html.parser import HTMLParser

    class Prose(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.lines: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            classes = (dict(attrs).get("class") or "").split()
            if self.depth or {"nb-section", "nb-lead", "nb-signature"} & set(classes):
                self.depth += 1
                self.lines.append("")

        def handle_endtag(self, tag: str) -> None:
            if self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.lines[-1] += data

    for slug, report in _reports().items():
        parser = Prose()
        parser.feed((built_site / "reports" / f"{slug}.html").read_text(encoding="utf-8"))
        record = _flat(report_text(report))
        lines = [_flat(line) for line in parser.lines if line.strip()]
        assert len(lines) > 5
        for line in lines:
            assert line in record, (slug, line)


def test_every_table_label_is_indexed() -> None:
    for fmt in FORMATS.values():
        for table in fmt.table.values():
            labels = table_labels(table).split("\n")
            assert labels[0] == f"{table.id} {table.title}"
            assert len(labels) > 3


def test_encoded_words_keep_runs_lines_and_code_like_text_apart() -> None:
    assert encode("行政复议") == "q3489225919 q2591922797 q2279735758 q35758"
    # a line break between two Han runs and a space before other text are kept as the word q
    assert encode("公开\n全区 PDF 文件").split()[2:4] == ["q", "q2084021306"]
    assert encode("公开\n全区 PDF 文件").split()[5:8] == ["q", "PDF", "q"]
    assert encode("13972条，") == "13972 q26465 ，"
    assert encode("q q123 qq") == "qq qq123 qqq"  # text that would read as a code gets one more q


def test_a_query_is_the_words_that_cover_it() -> None:
    assert query_words("行政复议 2024") == ["q3489225919", "q2279735758", "2024"]  # 行政 复议: not 政复
    assert query_words("议") == ["q35758"]  # the prefix of every word that starts with 议
    assert query_words("复议") == ["q2279735758"]
    # words at 0, 2, 4, and the last two (5-6), which overlap the third
    assert cover(7) == [0, 2, 4, 5] and cover(6) == [0, 2, 4] and cover(3) == [0, 1] and cover(2) == [0]
    assert query_words("三安全一稳定") == [_word("三安"), _word("全一"), _word("稳定")]


def test_the_record_leaves_out_the_shared_text_which_the_search_page_is_given_once(tmp_path: Path) -> None:
    reports = _reports()
    for report in reports.values():
        own, shared = report_text(report, shared=False), shared_text(report.format_id)
        assert report.title in own and report.signature in own
        for heading in SECTIONS:
            assert heading not in own.split("\n")
            assert heading in shared
        for table in report.format.table.values():
            assert table_labels(table) in shared
            assert table_labels(table) in report_text(report)
        # the page's text is its own and the shared text: nothing of either is lost
        assert _flat(report_text(report)).count(report.title) == _flat(own).count(report.title)
    write_shared(list(reports.values()), tmp_path)
    data = json.loads((tmp_path / SHARED).read_text(encoding="utf-8"))
    assert data["gram"] == GRAM
    assert set(data["formats"]) == {str(r.format_id) for r in reports.values()}
    assert data["formats"]["2021"] == list(shared_text(2021))


def test_a_fragment_keeps_one_word_per_position_each_as_its_character() -> None:
    encoded = encode("行政复议、行政诉讼\n全区 PDF 文件。 q12345")
    content = " \u200b".join(encoded.split()) + " \u200b"  # as Pagefind writes Chinese content
    short = shorten_content(content)
    assert short.split(" \u200b") == "行 政 复 议 、 行 政 诉 讼 q 全 区 q PDF q 文 件 。 qq12345".split() + [""]
    assert shorten_content("q26085.") == "日."  # the period Pagefind adds to a block stays
    assert shorten_content("aq12345 q1234") == "aq12345 q1234"  # not words of the encoding


# -- in the browser ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", EXCERPT_QUERIES)
def test_excerpts_are_the_source_text_exactly(page: Any, site_url: str, query: str) -> None:
    reports = _reports()
    results = _search(page, site_url, query)
    assert results, f"no result for {query}"
    terms = query.split()
    for result in results:
        source = _flat(report_text(reports[_slug(result["href"])]))
        excerpt = result["excerpt"].strip().strip("…")
        assert len(excerpt) > 20
        assert excerpt in source, f"{query}: excerpt is not the report's text:\n{excerpt}"
        assert result["marks"], f"{query}: nothing highlighted in {excerpt}"
        parts = [p for t in terms for p in re.findall(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+", t)]
        pieces = {*terms, *parts, *(p[i : i + 2] for p in parts for i in range(len(p) - 1))}
        for mark in result["marks"]:
            assert _covered(mark, pieces), (query, mark)
        if all(term in source for term in terms):  # the report holds the query: the excerpt shows a term whole
            assert set(terms) & set(result["marks"]), (query, result["marks"])
    if len(query) == 1:  # one character is highlighted as one character, not as the bigram it starts
        assert {m for r in results for m in r["marks"]} == {query}


def _holds(text: str, query: str) -> bool:
    """Return whether ``text`` holds every word of ``query``: each term, a Han run by its bigrams."""
    for term in query.split():
        for han, other in re.findall(r"([\u4e00-\u9fff]+)|([^\u4e00-\u9fff]+)", term):
            if other and other not in text:
                return False
            if han and not all(han[i : i + 2] in text for i in range(max(1, len(han) - 1))):
                return False
    return True


@pytest.mark.parametrize("query", [*EXCERPT_QUERIES, "无此词语", "q99999", "行政复议案件数量统计", "行政复议区块链"])
def test_the_reports_found_are_those_that_hold_every_word(page: Any, site_url: str, query: str) -> None:
    """No more (Pagefind alone shortens unknown words until they match: q99999 found every page), no fewer."""
    reports = _reports()
    expected = {slug for slug, r in reports.items() if _holds(_flat(report_text(r)), query)}
    found = [_slug(r["href"]) for r in _search(page, site_url, query)]
    assert len(found) == len(set(found))
    assert set(found) == expected, query


# Some reports hold the phrase, others only its bigrams, scattered (and so every word of its cover).
@pytest.mark.parametrize("query", ["全年新收", "二是加强", "全区政府"])
def test_phrase_matches_rank_above_scattered_ones(page: Any, site_url: str, query: str) -> None:
    reports = _reports()
    texts = {slug: _flat(report_text(r)) for slug, r in reports.items()}
    phrase = {slug for slug, t in texts.items() if query in t}
    scattered = {slug for slug, t in texts.items() if slug not in phrase and _holds(t, query)}
    assert phrase and scattered, "the sample reports no longer hold both kinds of match: pick another query"
    order = [_slug(r["href"]) for r in _search(page, site_url, query)]
    assert set(order[: len(phrase)]) == phrase, order
    assert set(order[len(phrase) :]) == scattered, order


def test_no_result_offers_shorter_forms_and_browse_links(page: Any, site_url: str) -> None:
    assert _search(page, site_url, "行政复议案件数量统计") == []
    page.wait_for_selector("#nb-suggest a[href*='agencies/index.html']")
    box = page.locator("#nb-suggest")
    links = box.locator("a").all_inner_texts()
    assert "按年度" in links and "按机关" in links
    forms = [t for t in links if t not in ("按年度", "按机关")]
    assert forms and all(form in "行政复议案件数量统计" for form in forms), forms
    first = box.locator("a").first
    first.click()
    page.wait_for_function("() => /找到/.test(document.getElementById('nb-status').textContent)")
    assert page.locator("#nb-results li").count() >= 1
    page.locator("#nb-q").fill("无此词语")
    page.locator("#nb-q").press("Enter")
    page.wait_for_selector("#nb-suggest a[href*='years/index.html']")
    page.locator("#nb-suggest a", has_text="按年度").click()
    assert page.url.endswith("years/index.html")


def test_no_result_under_a_filter_offers_the_search_without_it(page: Any, site_url: str) -> None:
    page.goto(site_url + "search.html?q=硚口&年度=2023")
    page.wait_for_function("() => /没有找到/.test(document.getElementById('nb-status').textContent)")
    page.locator("#nb-suggest a", has_text="取消筛选条件再搜索").click()
    page.wait_for_function("() => /找到 1 份/.test(document.getElementById('nb-status').textContent)")


# -- a large index: words in many chunks ---------------------------------------------------------


def _chunks(bundle: Path) -> list[tuple[str, str, str]]:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    return [tuple(c) for c in read(bundle / f"pagefind.{info['hash']}.pf_meta")[2]]


def _strict(chunks: list[tuple[str, str, str]], word: str) -> list[str]:
    """Return the chunks pagefind.js fetches for a word it finds within boundaries (its first lookup)."""
    return [name for low, high, name in chunks if low <= word <= high]


@pytest.fixture(scope="module")
def chunked(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The site with its index merged from batches of 2 pages into chunks of 300 locations, as a large site's is."""
    site = tmp_path_factory.mktemp("chunked") / "site"
    shutil.copytree(built_site, site)
    shutil.rmtree(site / "pagefind")
    reports = list(_reports().values())
    records = [report_record(r, "/" + report_uri(r).replace(".md", ".html")) for r in reports]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pagefind_merge, "CHUNK_SIZE", 300)
        write_index(records, site / "pagefind", None, 2)
    write_shared(reports, site / "pagefind")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site / "pagefind", f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


PREFIX_QUERIES = ["公", "议", "复议", "公开", "政府", "行政复", "依申请公开", "2024年", "公开 申请"]


@pytest.mark.parametrize("query", PREFIX_QUERIES)
def test_a_word_that_starts_words_in_several_chunks_finds_them_all(page: Any, site_url: str, chunked: tuple[Path, str],
                                                                 query: str) -> None:
    bundle, url = chunked
    reports = _reports()
    expected = {slug for slug, r in reports.items() if _holds(_flat(report_text(r)), query)}
    assert expected
    if query == "公":  # what the test is about: the words this one starts lie in more than one chunk
        low = query_words(query)[0]
        assert sum(1 for a, b, _ in _chunks(bundle) if a <= low + "\uffff" and b >= low[: len(b)]) > 3
    found = [_slug(r["href"]) for r in _search(page, url, query)]
    assert set(found) == expected, query
    assert set(found) == {_slug(r["href"]) for r in _search(page, site_url, query)}  # as with one chunk


def _pages_per_chunk(bundle: Path, start: str) -> dict[str, set[int]]:
    """Return, per index chunk, the pages that hold a word starting with ``start``."""
    out: dict[str, set[int]] = {}
    for _low, _high, name in _chunks(bundle):
        for word, postings, _variants in read(bundle / "index" / f"{name}.pf_index")[0]:
            if word.startswith(start):
                number = 0
                for delta, *_ in postings:
                    number += delta
                    out.setdefault(name, set()).add(number)
    return out


def test_a_character_finds_the_reports_whose_words_of_it_lie_in_other_chunks(page: Any, chunked: tuple[Path, str]) -> None:
    """pagefind.js searches the one chunk a word's boundaries give: the words a character starts in others are preloaded."""
    bundle, url = chunked
    reports = _reports()
    chunks = _chunks(bundle)
    shared = "".join(shared_text(2021) + shared_text(2019))
    chars = sorted({c for r in reports.values() for c in report_text(r, shared=False) if "\u4e00" <= c <= "\u9fff"} - set(shared))
    tried = 0
    for char in chars:
        w = query_words(char)[0]
        per_chunk = _pages_per_chunk(bundle, w)
        (first,) = _strict(chunks, w)
        every = set().union(*per_chunk.values())
        if len(every) <= len(per_chunk.get(first, set())):
            continue  # the chunk pagefind.js fetches holds every report that holds the character
        expected = {slug for slug, r in reports.items() if char in report_text(r)}
        assert len(expected) == len(every)
        assert {_slug(r["href"]) for r in _search(page, url, char)} == expected, char
        tried += 1
        if tried == 3:
            break
    assert tried == 3, "no character whose words lie in several chunks: make the chunks smaller"


@pytest.mark.parametrize("query", ["行政复议", "融媒体中", "政府信息主动公开"])
def test_a_search_fetches_the_chunks_of_its_words_and_no_other(page: Any, chunked: tuple[Path, str], query: str) -> None:
    bundle, url = chunked
    chunks = _chunks(bundle)
    fetched: list[str] = []
    page.on("request", lambda req: fetched.append(req.url))
    assert _search(page, url, query)
    names = {u.rsplit("/", 1)[1].removesuffix(".pf_index") for u in fetched if "/pagefind/index/" in u}
    words = query_words(query)
    wanted = {name for w in words for name in _strict(chunks, w)}
    assert all(len(_strict(chunks, w)) == 1 for w in words)  # each found by its boundaries: no fallback
    pieces = [query[i : i + GRAM] for i in cover(len(query))]
    if any(piece in block for piece in pieces for block in shared_text(2021)):
        # a word every report holds (主动公开, a heading's): every report is found by the first word of every record
        wanted |= set(_strict(chunks, EVERY))
    assert names == wanted, (query, names, wanted)
