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

import asyncio
import concurrent.futures
import re
from dataclasses import dataclass
from pathlib import Path

from .formats import SECTIONS
from .model import Report

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LANGUAGE = "zh"


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


async def _write(records: list[Record], out_dir: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    async with PagefindIndex(config=IndexConfig(force_language=LANGUAGE, output_path=str(out_dir))) as index:
        for r in records:
            await index.add_custom_record(url=r.url, content=r.content, language=LANGUAGE, meta=r.meta, filters=r.filters)


def write_index(records: list[Record], out_dir: Path) -> None:
    """Write the Pagefind bundle (index, fragments and pagefind.js) into ``out_dir``."""
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(_write(records, out_dir))
        else:  # called from within an event loop (an embedding tool): run in a thread of our own
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, _write(records, out_dir)).result()
    except FileNotFoundError as exc:
        raise SearchIndexError("未找到 Pagefind：请安装 pagefind[extended]（./dev build 会自动安装）") from exc
    except Exception as exc:  # the service reports failures as assorted exceptions
        raise SearchIndexError(f"Pagefind 建立搜索索引失败：{exc}") from exc
