"""The search index: Pagefind, fed with character bigrams so that Chinese search finds substrings.

Pagefind's extended build segments Chinese with jieba when indexing, but the browser segments the
query differently, so a search for 复议 misses pages where jieba kept 行政复议 as one word (tried:
行政复议 found 1 of the 6 sample reports that contain it). Citizens expect what Ctrl+F does. So
each run of Han characters is indexed as its overlapping bigrams (行政复议 → 行政 政复 复议), each
encoded as an ASCII word that no tokenizer or stemmer can split (q + 5-digit code points); the
search page encodes the query the same way and decodes excerpts back into text. The records come
straight from the validated reports, so no HTML is parsed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from . import pagefind_pin
from .formats import SECTIONS
from .fsutil import dead_asides, library_versions, place_tree, remove_entries, seal_tree, tree_sealed
from .model import Report
from .pagefind_canon import CborError, canonicalize
from .pagefind_merge import merge_bundles

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LANGUAGE = "zh"
log = logging.getLogger("mkdocs.plugins.nianbao")
KEEP_BUNDLES = 4
# Pages per Pagefind run: its memory grows with the pages it indexes at once (about 540 MB for 2,000
# reports), and bigger batches are merged (pagefind_merge).
BATCH_PAGES = 2000


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


def _word(chars: str) -> str:
    return "q" + "".join(f"{ord(c):05d}" for c in chars)


def encode(text: str) -> str:
    """Return ``text`` with every Han run replaced by its encoded overlapping bigrams."""

    def run(m: re.Match[str]) -> str:
        s = m[0]
        if len(s) == 1:
            return f" {_word(s)} "
        return " " + " ".join(_word(s[i : i + 2]) for i in range(len(s) - 1)) + " "

    return HAN.sub(run, text)


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]


def report_record(report: Report, url: str) -> Record:
    """Return the search record of a report: its prose, encoded, with filters and metadata."""
    parts = [report.title, report.lead]
    for heading in SECTIONS:
        parts += [heading, report.section(heading)]
    parts.append(report.signature)
    region = " / ".join(report.region)
    return Record(
        url=url,
        content=encode("\n".join(parts)),
        meta={"title": report.title, "年度": str(report.year), "机关": report.agency, "地区": region},
        filters={"年度": [str(report.year)], "地区": [region], "机关类别": [report.kind], "机关": [report.agency]},
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


def write_index(records: list[Record], out_dir: Path, cache_dir: Path | None = None, batch: int = BATCH_PAGES) -> bool:
    """Write the Pagefind bundle (index, fragments and pagefind.js) into ``out_dir``.

    The records are staged as minimal HTML pages at their URLs and indexed by the Pagefind binary:
    its record API answered one record at a time (about 0.1 s each, 51 s for 500 reports), the
    binary indexes the same 500 in under a second. Pagefind holds every page's words in memory
    (2.7 GB for 10,000 reports), so more than ``batch`` records are indexed ``batch`` at a time and
    the bundles merged (pagefind_merge), which keeps memory that of one batch. The output is then
    made deterministic (pagefind_canon); with ``cache_dir`` the bundle of the same records is also
    reused rather than indexed again. Return whether the bundle came from the cache.
    """
    pages = {record.url: _record_html(record) for record in records}
    digest = hashlib.sha256(f"{pagefind_binary()}\0{library_versions('pagefind', 'pagefind_bin_extended')}\0{batch}".encode())
    for url in sorted(pages):
        digest.update(f"{url}\0{pages[url]}\0".encode())
    cached = cache_dir / digest.hexdigest()[:32] if cache_dir else None
    if cached is not None and tree_sealed(cached):  # every file as it was written, or indexed again
        place_tree(cached, out_dir)
        return True
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    urls = sorted(pages)
    batches = [urls[i : i + batch] for i in range(0, len(urls), max(1, batch))] or [[]]
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=out_dir.parent) as tmp:
        if len(batches) == 1:
            _run_pagefind(pages, urls, Path(tmp) / "site", out_dir)
        else:
            parts = []
            for i, chunk in enumerate(batches):
                parts.append(Path(tmp) / f"part-{i}")
                _run_pagefind(pages, chunk, Path(tmp) / f"site-{i}", parts[-1])
                shutil.rmtree(Path(tmp) / f"site-{i}")
            try:
                merge_bundles(parts, out_dir)
            except (CborError, OSError, KeyError, ValueError, IndexError) as exc:
                raise SearchIndexError(f"合并分批建立的搜索索引失败（Pagefind 版本不符？）：{exc}") from None
    try:
        canonicalize(out_dir)
    except (CborError, OSError, KeyError, ValueError) as exc:  # another Pagefind layout: still a valid index
        log.warning("搜索索引未能规范化（%s），两次构建的索引文件可能不完全相同", exc)
    if cached is not None:
        _keep(out_dir, cached)
    return False


# The names of the search cache's entries: nothing else in the folder is ever deleted.
ENTRY = re.compile(r"[0-9a-f]{32}")


def _keep(out_dir: Path, cached: Path) -> None:
    """Copy the bundle into the cache, sealed, and delete all but the latest few entries nianbao made."""
    aside = cached.with_name(f".{cached.name}.{os.getpid()}")
    shutil.rmtree(aside, ignore_errors=True)
    try:
        shutil.copytree(out_dir, aside)
        seal_tree(aside)
        if cached.exists() and not cached.is_symlink():
            shutil.rmtree(cached)  # a broken entry of the same key
        os.replace(aside, cached)  # whole or not at all: a killed build leaves no half bundle
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    folder = cached.parent
    entries = [p for p in folder.iterdir() if ENTRY.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]
    entries.sort(key=lambda p: p.stat().st_mtime)
    old = [p.name for p in entries[:-KEEP_BUNDLES]]  # the latest few (one per shard building here)
    remove_entries(folder, old + dead_asides(folder, ENTRY))
