"""The search index: Pagefind, fed with character bigrams so that Chinese search finds substrings.

Pagefind's extended build segments Chinese with jieba when indexing, but the browser segments the
query differently, so a search for 复议 misses pages where jieba kept 行政复议 as one word (tried:
行政复议 found 1 of the 6 sample reports that contain it). Citizens expect what Ctrl+F does. So
each Han character is indexed as the word of itself and the character after it in its run, the
run's last character alone (GRAM 2: 行政复议 → 行政 政复 复议 议), each encoded as an ASCII word
that no tokenizer or stemmer can split (q + 5-digit code points). A query of two characters is one
word; a single character is the prefix of the words it starts; a longer run is the words that
cover it, GRAM apart and the last flush (行政复议 → 行政 复议; ``cover``), which stand GRAM apart on
the page for a phrase match: half the words of every bigram of the query, and so half the postings
a first search fetches. (Longer words were tried: with four characters a word, 行政复议 is one word,
but a query of two characters is then the prefix of thousands of words, and Pagefind, which scores
each result page against every posting of every such word, took 3 minutes for 公开 at 10,000
reports.) Whitespace next to Han text is kept as the word ``q`` (the encoded words need spaces
around them), and a word of the text that could be read as a code is written with one more ``q``.
Each word decodes to one character (its first), so after Pagefind has written a page's fragment
its words are written back as those characters (``shorten_fragments``): the fragment, which a
browser fetches for every result shown, is the text, one word per position as the index counts
them, and a third of what the encoded words made it.

What is indexed is what a reader reads of the report itself: the prose as rendered text (no
Markdown syntax), the title, the signature and date. The statutory headings and the tables'
caption and header labels, the same in every report of a format, are not indexed per page (they
were most of the postings of the words they hold, 行政 16 of its 18 places in a report, and a query
for one found every report anyway): the search page is given them once (``shared_text``, in
``SHARED``) and counts a word they hold as held by every report of that format. A record keeps
each block's place as a mark, so the page's text, and an excerpt of it, is whole again in the
browser (``record_content``). The records come straight from the validated reports, so no HTML page
is parsed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from . import pagefind_pin
from .dates import chinese_date
from .formats import FORMATS, SECTIONS, TABLE_SECTION, TableDef
from .fsutil import (
    MANIFEST,
    dead_asides,
    library_versions,
    place_tree,
    remove_entries,
    seal_tree,
    tree_sealed,
    trust_tree,
)
from .grid import layout
from .model import Report
from .pagefind_batch import prepare, splice_bundle
from .pagefind_canon import SIGNATURE, CborError, canonicalize
from .pagefind_merge import Adopt, merge_bundles
from .text import markdown_html, plain_text

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LANGUAGE = "zh"
log = logging.getLogger("mkdocs.plugins.nianbao")
KEEP_BUNDLES = 4
# Pages per Pagefind run, about: its memory grows with the pages it indexes at once (about 540 MB for
# 2,000 reports), the batches are merged (pagefind_merge), and an edit indexes its batch again.
BATCH_PAGES = 250


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


SPACE = "q"  # whitespace next to Han text
_TOKENS = re.compile(rf"({HAN.pattern})|(\s+)|([^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_CODE_LIKE = re.compile(r"q+\d*")  # words of the text that read as an encoded word or SPACE


def _word(chars: str) -> str:
    return "q" + "".join(f"{ord(c):05d}" for c in chars)


_CODES: dict[str, str] = {}  # character -> its five digits: encoding was most of a record's time


GRAM = 2  # the characters of an indexed word


def _han_words(han: str) -> list[str]:
    codes = [_CODES.get(c) or _CODES.setdefault(c, f"{ord(c):05d}") for c in han]
    return ["q" + "".join(codes[i : i + GRAM]) for i in range(len(codes))]


def cover(length: int) -> list[int]:
    """Return where the words that cover a Han run of ``length`` characters start (GRAM apart, the last flush)."""
    if length <= GRAM:
        return [0]
    return [*range(0, length - GRAM, GRAM), length - GRAM]


def encode(text: str) -> str:
    """Return ``text`` as the words Pagefind indexes: every Han character with the one after it in its run.

    Decoding keeps each word's first character, so the text comes back exactly, whitespace runs
    collapsed to one space as a browser shows them.
    """
    words: list[str] = []
    previous = ""  # the kind of the token before: han | other
    spaced = False  # whitespace since that token
    for m in _TOKENS.finditer(text):
        han, space, other = m.groups()
        if space:
            spaced = True
            continue
        kind = "han" if han else "other"
        if spaced and previous and "han" in (kind, previous):
            words.append(SPACE)  # between two other words the decoder puts the space back itself
        if han:
            words += _han_words(han)
        else:
            words.append("q" + other if _CODE_LIKE.fullmatch(other) else other)
        previous, spaced = kind, False
    return " ".join(words)


def query_words(query: str) -> list[str]:
    """Return the encoded words a search for ``query`` looks for (what nianbao-search.js sends).

    A run of two characters is one word; one character is the word Pagefind matches as the prefix
    of every word that starts with it; a longer run is the words that cover it (``cover``).
    """
    out: list[str] = []
    for m in _TOKENS.finditer(query):
        han, _space, other = m.groups()
        if han:
            out += [_word(han[i : i + GRAM]) for i in cover(len(han))]
        elif other:
            out.append(other)
    return out


_BLOCKS = {"p", "br", "li", "h3", "h4", "h5", "h6", "blockquote", "tr", "td", "th", "caption", "pre", "hr", "ul", "ol", "table"}


class _TextParser(HTMLParser):
    """Collect the text of sanitized HTML, one line per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def reader_text(markdown: str) -> str:
    """Return the text a reader sees of an editor's Markdown: rendered, without its syntax."""
    plain = plain_text(markdown)
    if plain is not None:
        return plain
    return _rendered_text(markdown)


def _rendered_text(markdown: str) -> str:
    parser = _TextParser()
    parser.feed(markdown_html(markdown))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@functools.cache
def table_labels(table: TableDef) -> str:
    """Return a table's caption and header labels, one per line, in the order the page shows them."""
    number = "一二三".index(table.id[1]) + 1
    labels = [f"{table.id} {table.title}"]
    labels += [c.text for row in layout(table, f"t{number}").rows for c in row.cells if c.is_header and c.text]
    return "\n".join(labels)


def _parts(report: Report) -> list[str | int]:
    """Return what a reader reads of a report in page order: its own text, and the shared text's blocks by number."""
    tables = list(TABLE_SECTION)
    parts: list[str | int] = [report.title, reader_text(report.lead)]
    for heading in SECTIONS:
        parts += [len(tables) + SECTIONS.index(heading), reader_text(report.section(heading))]
        parts += [tables.index(t) for t, section in TABLE_SECTION.items() if section == heading]
    parts.append(report.signature)
    if report.date:
        parts.append(chinese_date(report.date))
    return [part for part in parts if part != ""]


def report_text(report: Report, shared: bool = True) -> str:
    """Return all a reader reads of a report, in page order; without ``shared``, only the report's own text.

    ``shared`` is the statutory text every report of the format holds (the headings, the tables'
    labels: ``shared_text``), which the search page is given once rather than in every record.
    """
    blocks = shared_text(report.format_id)
    return "\n".join(blocks[p] if isinstance(p, int) else p for p in _parts(report) if shared or isinstance(p, str))


def record_content(report: Report) -> str:
    """Return the words of a report's search record: its own text encoded, each shared block as its mark.

    The mark (``MARK`` and the block's number from 1, a word no text encodes to: an editor's q01 is
    written qq01) keeps the block's place, so that the search page puts the block back where the page
    shows it and an excerpt is the page's text exactly, headings and labels included. The first word
    is ``EVERY``, in every record at the same place: the search page finds every report by it (a
    word of the shared text is held by all), and its postings, alike for every page, compress to
    almost nothing.
    """
    words = (f"{MARK}{p + 1}" if isinstance(p, int) else encode(p) for p in _parts(report))
    return f"{EVERY} " + f" {SPACE} ".join(words)


@functools.cache
def shared_text(format_id: int) -> tuple[str, ...]:
    """Return the text every report of the format holds, as blocks of the page: the tables' labels, then the headings."""
    tables = [table_labels(FORMATS[format_id].table[table_id]) for table_id in TABLE_SECTION]
    return (*tables, *SECTIONS)


MARK = "q0"  # a shared block's place in a record: q0 and the block's number from 1
EVERY = MARK + "0"  # the first word of every record

# The search page's copy of the shared text (in the bundle, beside pagefind.js): {"gram": GRAM,
# "formats": {format id: [blocks]}} for the formats of the bundle's reports.
SHARED = "nianbao-shared.json"
FORMAT_FILTER = "格式"  # the filter that tells the search page a report's format (not shown as a filter)


def write_shared(reports: Sequence[Report], out_dir: Path) -> None:
    """Write the shared text of the formats of ``reports`` into the bundle ``out_dir``."""
    formats = {str(r.format_id): list(shared_text(r.format_id)) for r in reports}
    data = {"gram": GRAM, "formats": dict(sorted(formats.items()))}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SHARED).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]


def report_record(report: Report, url: str) -> Record:
    """Return the search record of a report: what a reader reads of it but the shared text, encoded, with filters and metadata."""
    region = " / ".join(report.region)
    return Record(
        url=url,
        content=record_content(report),
        meta={"title": report.title, "年度": str(report.year), "机关": report.agency, "地区": region},
        filters={"年度": [str(report.year)], "地区": [region], "机关类别": [report.kind], "机关": [report.agency],
                 FORMAT_FILTER: [str(report.format_id)]},
    )


def pagefind_binary() -> str:
    """Return the extended Pagefind binary that ``pagefind[extended]`` installs, at the pinned version."""
    binary = _find_pagefind()
    problem = pagefind_pin.mismatch(binary)
    if problem:
        raise SearchIndexError(problem)
    return binary


def _find_pagefind() -> str:
    try:
        import pagefind_bin_extended  # type: ignore[import-untyped]

        binary = Path(pagefind_bin_extended.__file__).parent / "pagefind_extended"
        if binary.exists():
            return str(binary)
    except ImportError:
        pass
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if found:
        return found
    raise SearchIndexError("未找到 Pagefind：请安装 pagefind[extended]（./dev build 会自动安装）")


def _record_html(record: Record) -> str:
    meta = "".join(f'<span data-pagefind-meta="{escape(k)}:{escape(v)}"></span>' for k, v in record.meta.items())
    filters = "".join(
        f'<span data-pagefind-filter="{escape(k)}:{escape(v)}"></span>' for k, vs in record.filters.items() for v in vs
    )
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{escape(record.meta["title"])}</title>'
        f"</head><body data-pagefind-body>{meta}{filters}<p>{escape(record.content)}</p></body></html>"
    )


def _run_pagefind(pages: dict[str, str], urls: list[str], staging: Path, out_dir: Path) -> None:
    """Stage the pages at ``urls`` as HTML files under ``staging`` and index them into ``out_dir``."""
    for url in urls:
        page = (staging / url.lstrip("/")).resolve()
        if staging.resolve() not in page.parents:
            raise SearchIndexError(f"搜索记录的地址不在网站目录内：{url}")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(pages[url], encoding="utf-8")
    staging.mkdir(parents=True, exist_ok=True)
    cmd = [pagefind_binary(), "--site", str(staging), "--output-path", str(out_dir), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SearchIndexError(f"Pagefind 建立搜索索引失败：{(proc.stderr or proc.stdout).strip()[-500:]}")


@dataclass(frozen=True)
class Source:
    """A page to index: its URL, a key that changes whenever its record may, and how to make the record."""

    url: str
    key: str
    record: Callable[[], Record]


@functools.cache
def record_code() -> str:
    """Return a hash of the code and libraries that make a record from a report."""
    from .validate import code_fingerprint

    code = code_fingerprint(("search.py", "text.py", "formats.py", "grid.py", "dates.py", "model.py"))
    return f"{code} {library_versions('Markdown', 'nh3')}"


def _pagefind_key() -> str:
    from .validate import code_fingerprint

    batch_code = code_fingerprint(("pagefind_batch.py",))  # what a cached batch holds (prepare)
    return f"{pagefind_binary()}\0{library_versions('pagefind', 'pagefind_bin_extended')}\0{record_code()}\0{batch_code}"


def batches(urls: list[str], batch: int) -> list[list[str]]:
    """Cut the URLs into batches of about ``batch`` by a hash of each URL, each batch in URL order.

    A page stays in its batch while the site grows (the number of batches doubles only when the
    batches fill up), so that an edit changes one batch and the others come from the cache.
    """
    wanted = max(1, math.ceil(len(urls) / max(1, batch)))
    count = 1 << (wanted - 1).bit_length()
    out: list[list[str]] = [[] for _ in range(count)]
    for url in sorted(urls):
        out[int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big") % count].append(url)
    return [b for b in out if b] or [[]]


def write_index(records: Sequence[Record | Source], out_dir: Path, cache_dir: Path | None = None, batch: int = BATCH_PAGES,
                adopt: Adopt | None = None) -> bool:
    """Write the Pagefind bundle (index, fragments and pagefind.js) into ``out_dir``.

    The records are staged as minimal HTML pages at their URLs and indexed by the Pagefind binary:
    its record API answered one record at a time (about 0.1 s each, 51 s for 500 reports), the
    binary indexes the same 500 in under a second. Pagefind holds every page's words in memory
    (2.7 GB for 10,000 reports), so the pages are indexed in batches of about ``batch`` (by a hash
    of their URLs, ``batches``) and the bundles merged (pagefind_merge), which keeps memory that
    of one batch; the merged bundle means what one run's does. The output is then made
    deterministic (pagefind_canon). With ``cache_dir``, each batch's bundle is kept by its pages'
    keys and the whole bundle by all of them: after an edit only the edited pages are indexed
    again and their records made, then spliced into the cached batch that held them
    (pagefind_batch; a batch of which more than a quarter changed is indexed whole). A site of
    several batches is merged in every build (the merge reads each batch as prepared once) rather
    than its whole bundle copied into the cache and out again; ``adopt`` takes its fragments from
    the published site. Return whether the whole bundle came from the cache.
    """
    sources = [r if isinstance(r, Source) else _fixed(r) for r in records]
    by_url = {source.url: source for source in sources}
    base = _pagefind_key()
    whole = hashlib.sha256(f"whole\0{base}\0{batch}".encode())
    for url in sorted(by_url):
        whole.update(f"{url}\0{by_url[url].key}\0".encode())
    groups = batches(list(by_url), batch)
    cached = cache_dir / whole.hexdigest()[:32] if cache_dir and len(groups) == 1 else None
    if cached is not None and tree_sealed(cached):  # every file as it was written, or indexed again
        place_tree(cached, out_dir)  # nothing pruned: the batches' entries serve the next edit
        os.utime(cached)
        return True
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    used: list[Path] = []
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=out_dir.parent) as tmp:
        parts = []
        for i, urls in enumerate(groups):
            keys = {url: by_url[url].key for url in urls}
            digest = hashlib.sha256(f"batch\0{base}".encode())
            for url in urls:
                digest.update(f"{url}\0{keys[url]}\0".encode())
            entry = cache_dir / digest.hexdigest()[:32] if cache_dir else None
            if entry is not None and tree_sealed(entry):
                parts.append(entry)
                used.append(entry)
                continue
            part = Path(tmp) / f"part-{i}"
            donor = _donor(cache_dir, base, keys) if cache_dir and len(groups) > 1 else None
            if donor is not None:  # an edit: only the pages that changed are indexed, and spliced in
                _splice(part, donor, keys, by_url, Path(tmp) / f"fresh-{i}")
            else:
                _index(part, urls, by_url, Path(tmp) / f"site-{i}")
                if len(groups) > 1:
                    _prepare(part, urls)
            if len(groups) > 1:
                (part / PAGES).write_text(json.dumps({"base": base, "pages": keys}, ensure_ascii=False), encoding="utf-8")
            if entry is not None and len(groups) > 1:
                part = _move(part, entry)  # the merge reads it from the cache, as it reads a batch found there
                used.append(entry)
            parts.append(part)
        if len(parts) == 1:
            shutil.copytree(parts[0], out_dir, ignore=shutil.ignore_patterns(MANIFEST))
        else:
            try:
                merge_bundles(parts, out_dir, adopt)
            except (CborError, OSError, KeyError, ValueError, IndexError) as exc:
                raise SearchIndexError(f"合并分批建立的搜索索引失败（Pagefind 版本不符？）：{exc}") from None
    try:
        canonicalize(out_dir)
    except (CborError, OSError, KeyError, ValueError) as exc:  # another Pagefind layout: still a valid index
        log.warning("搜索索引未能规范化（%s），两次构建的索引文件可能不完全相同", exc)
    if cached is not None:
        _keep(out_dir, cached)
    if cache_dir is not None and cache_dir.is_dir():
        _prune(cache_dir, [*([cached] if cached else []), *used])
    return False


# Pagefind numbers pages in the order it finds their files, which is the order the file system lists
# them in. A tmpfs lists a folder in the order its entries were made (or the reverse), so pages staged
# there in address order are numbered in it, the order a prepared batch keeps (pagefind_batch.prepare):
# its postings are then taken as they are, not decoded and renumbered (2.4 ms per page). ext4 lists
# by a hash of the names: staged there, the batch is renumbered, to the same bytes.
ORDERED_STAGING = Path("/dev/shm")


@functools.cache
def _ordered_staging(base: Path = ORDERED_STAGING) -> tuple[Path, bool] | None:
    """Return a folder that lists entries in the order they were made, and whether newest first; None if none is."""
    try:
        probe = Path(tempfile.mkdtemp(prefix=".nianbao-probe-", dir=base))
    except OSError:
        return None
    try:
        names = [f"{i:02d}" for i in range(12)]
        for name in names:
            (probe / name).mkdir()
        listed = os.listdir(probe)
    except OSError:
        return None
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if listed == names or listed == names[::-1]:
        return base, listed != names
    return None


def _index(out: Path, urls: list[str], by_url: dict[str, Source], staging: Path) -> None:
    """Run Pagefind over the pages at ``urls`` into ``out``, staged where Pagefind finds them in address order if it can."""
    pages = {url: _record_html(by_url[url].record()) for url in urls}
    ordered = _ordered_staging()
    if ordered is not None:
        base, newest_first = ordered
        try:
            with tempfile.TemporaryDirectory(prefix=".nianbao-pagefind-", dir=base) as folder:
                _run_pagefind(pages, sorted(urls, reverse=newest_first), Path(folder) / "site", out)
        except OSError:  # a small or full tmpfs (a container's /dev/shm): staged beside the site instead
            shutil.rmtree(out, ignore_errors=True)
        else:
            _shorten(out)
            return
    _run_pagefind(pages, urls, staging, out)
    shutil.rmtree(staging)
    _shorten(out)


def _shorten(out: Path) -> None:
    try:
        shorten_fragments(out)
    except (CborError, ValueError, KeyError, TypeError) as exc:  # OSError: the caller's
        raise SearchIndexError(f"读取 Pagefind 写出的搜索片段失败（Pagefind 版本不符？）：{exc}") from None


# An encoded Han word of a fragment's content (a whole word: after the start, whitespace or the
# zero-width space Pagefind puts after each word of Chinese text; maybe ended by the "." Pagefind
# adds to a block without end punctuation). An editor's word that reads as one has one more q.
_FRAGMENT_WORD = re.compile(rf"(?<![^\s\u200b])q(\d{{5}})(?:\d{{5}}){{0,{GRAM - 1}}}(?=\.?(?:[\s\u200b]|$))")


def shorten_content(content: str) -> str:
    """Return a fragment's content with each encoded word written as the character it decodes to (its first)."""
    return _FRAGMENT_WORD.sub(lambda m: chr(int(m[1])), content)


def shorten_fragments(bundle: Path) -> None:
    """Write every fragment of a bundle Pagefind just wrote with its words shortened (``shorten_content``).

    A fragment holds the page's content as Pagefind indexed it, each Han character as the 12
    bytes of its encoded word; written as the character, a report's fragment compresses to a
    third (3.1 KB to 1.2 KB at 10,000 reports, the shared text left out too). Its words stay where
    they were (one per position, as the index counts them), and its name, Pagefind's hash of what
    it indexed, still changes whenever the page's record does.
    """
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        if not data.startswith(SIGNATURE):
            raise CborError(f"{path.name}: not a Pagefind fragment")
        fragment = json.loads(data[len(SIGNATURE) :])
        fragment["content"] = shorten_content(fragment["content"])
        body = SIGNATURE + json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))


def _prepare(part: Path, urls: list[str]) -> None:
    try:
        prepare(part, urls)
    except (CborError, OSError, KeyError, ValueError, IndexError) as exc:
        raise SearchIndexError(f"读取分批建立的搜索索引失败（Pagefind 版本不符？）：{exc}") from None


# A prepared batch's pages and their keys (in the cache): what an edit splices its pages into.
PAGES = "nianbao-pages.json"
SPLICE_SHARE = 4  # the pages of a batch that changed are indexed alone while they are at most a quarter of it


def _donor(cache_dir: Path, base: str, keys: dict[str, str]) -> tuple[Path, dict[str, str]] | None:
    """Return the cached batch that holds most of these pages as they are (and their keys), if it holds enough."""
    best: tuple[int, Path, dict[str, str]] | None = None
    for folder in cache_dir.iterdir() if cache_dir.is_dir() else ():
        if not ENTRY.fullmatch(folder.name):
            continue
        try:
            data = json.loads((folder / PAGES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("base") != base or not isinstance(data.get("pages"), dict):
            continue
        kept = sum(1 for url, key in data["pages"].items() if keys.get(url) == key)
        if best is None or kept > best[0]:
            best = (kept, folder, data["pages"])
    if best is None or len(keys) - best[0] > max(1, len(keys) // SPLICE_SHARE) or not tree_sealed(best[1]):
        return None
    return best[1], best[2]


def _splice(part: Path, donor: tuple[Path, dict[str, str]], keys: dict[str, str], by_url: dict[str, Source], tmp: Path) -> None:
    """Write into ``part`` the batch of the pages ``keys``: the donor's unchanged ones, the others indexed now."""
    folder, old_keys = donor
    fresh = [url for url in keys if old_keys.get(url) != keys[url]]
    drop = {url for url, key in old_keys.items() if keys.get(url) != key}
    try:
        if fresh:
            _index(tmp, fresh, by_url, tmp.with_name(tmp.name + "-site"))
            prepare(tmp, fresh)
        splice_bundle(folder, drop, tmp if fresh else None, fresh, part)
    except (CborError, OSError, KeyError, ValueError, IndexError) as exc:
        raise SearchIndexError(f"读取分批建立的搜索索引失败（Pagefind 版本不符？）：{exc}") from None


def _fixed(record: Record) -> Source:
    html = _record_html(record)
    return Source(record.url, hashlib.sha256(html.encode()).hexdigest(), lambda: record)


# The names of the search cache's entries: nothing else in the folder is ever deleted.
ENTRY = re.compile(r"[0-9a-f]{32}")


def _keep(folder: Path, cached: Path) -> None:
    """Copy a bundle into the cache, sealed, whole or not at all."""
    aside = cached.with_name(f".{cached.name}.{os.getpid()}")
    shutil.rmtree(aside, ignore_errors=True)
    try:
        shutil.copytree(folder, aside, ignore=shutil.ignore_patterns(MANIFEST))
        seal_tree(aside)
        if cached.exists() and not cached.is_symlink():
            shutil.rmtree(cached)  # a broken entry of the same key
        os.replace(aside, cached)  # a killed build leaves no half bundle
        trust_tree(cached)
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _move(folder: Path, cached: Path) -> Path:
    """Move a batch made by this build into the cache, sealed; return where it is now.

    Copying each batch into the cache (and reading it from the build's temporary folder) cost a
    cold build of 10,000 reports seconds of copying: the batch is renamed there instead, the two
    folders being on one file system (the temporary folder is beside the site). Where the rename
    fails (another file system), it is copied as _keep does and read from where it was made.
    """
    seal_tree(folder)
    try:
        if cached.exists() and not cached.is_symlink():
            shutil.rmtree(cached)  # a broken entry of the same key
        os.replace(folder, cached)
    except OSError:
        _keep(folder, cached)
        return folder
    trust_tree(cached)
    return cached


def _prune(folder: Path, used: list[Path]) -> None:
    """Delete the cache entries nianbao made that this build did not use, but as many recent ones.

    The entries used are touched; as many others again are kept, newest first (another shard
    building from the same project, the site before the last edit), the rest deleted.
    """
    for path in used:
        try:
            os.utime(path)
        except OSError:
            pass
    names = {p.name for p in used}
    entries = [p for p in folder.iterdir() if ENTRY.fullmatch(p.name) and p.is_dir() and not p.is_symlink() and p.name not in names]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    keep = max(len(used), KEEP_BUNDLES)
    remove_entries(folder, [p.name for p in entries[keep:]] + dead_asides(folder, ENTRY))
