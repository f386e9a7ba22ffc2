"""Pagefind run on batches of pages and merged gives the index of one run (pagefind_merge)."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from generator import pagefind_merge, pages
from generator.pagefind_canon import SIGNATURE, _decode
from generator.pagefind_merge import CHUNK_SIZE
from generator.search import Record, report_record, write_index
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent


def _records() -> list[Record]:
    reports = validate([ROOT / "reports"]).valid_reports()
    out = [report_record(r, "/" + pages.report_uri(r).replace(".md", ".html")) for r in reports]
    # more pages than reports/ holds, sharing words and filter values, so that batches overlap
    for i in range(14):
        base = out[i % len(reports)]
        out.append(Record(url=base.url.replace(".html", f"-copy{i}.html"), content=base.content[: 400 + 97 * i],
                          meta={**base.meta, "title": f"{base.meta['title']}（{i}）"}, filters=base.filters))
    return out


def _load(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(SIGNATURE)
    return _decode(raw, len(SIGNATURE))[0]


def _meaning(bundle: Path) -> dict[str, Any]:
    """Return what a bundle says, independent of page numbers, chunking and file names."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (language, info), = entry["languages"].items()
    meta = _load(bundle / f"pagefind.{info['hash']}.pf_meta")
    urls, fragments = [], {}
    for name, words in meta[1]:
        fragment = json.loads(gzip.decompress((bundle / "fragment" / f"{name}.pf_fragment").read_bytes())[len(SIGNATURE):])
        urls.append(fragment["url"])
        fragments[fragment["url"]] = (fragment, words)
    index: dict[str, dict[str, Any]] = {}
    previous_to = ""
    for low, high, name in meta[2]:
        assert previous_to < low <= high or low.startswith(high) or high.startswith(low)
        previous_to = high
        words = _load(bundle / "index" / f"{name}.pf_index")[0]
        for word, postings, variants in words:
            assert low <= word[: len(low)] and word[: len(high)] <= high, (word, low, high)
            page, by_url = 0, {}
            for delta, locs, meta_locs in postings:
                page += delta
                by_url[urls[page]] = (locs, meta_locs)
            assert word not in index and not variants
            index[word] = by_url
    filters = {}
    for filter_name, name in meta[3]:
        name_in_file, values = _load(bundle / "filter" / f"{name}.pf_filter")
        assert name_in_file == filter_name
        filters[filter_name] = {value: sorted(urls[p] for p in pages_) for value, pages_ in values}
    return {"language": language, "count": info["page_count"], "fragments": fragments, "index": index,
            "filters": filters, "fields": sorted(meta[5]), "version": meta[0]}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("merge")
    records = _records()
    out = {}
    for batch in (1000, 3, 7):
        out[batch] = root / f"b{batch}" / "pagefind"
        assert write_index(records, out[batch], None, batch) is False
    return out


def test_batches_merge_into_the_index_of_one_run(bundles: dict[int, Path]) -> None:
    one = _meaning(bundles[1000])
    assert one["count"] == len(_records()) and one["index"] and one["filters"]
    for batch in (3, 7):
        assert _meaning(bundles[batch]) == one


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_batches_give_the_same_bytes(bundles: dict[int, Path], tmp_path: Path) -> None:
    again = tmp_path / "again" / "pagefind"
    assert write_index(list(reversed(_records())), again, None, 3) is False
    assert _tree(again) == _tree(bundles[3])
    assert _tree(bundles[3]) != _tree(bundles[7])  # another batching numbers the pages otherwise


def test_cached_batches_merge_to_the_bytes_of_fresh_ones(bundles: dict[int, Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second = tmp_path / "a" / "pagefind", tmp_path / "b" / "pagefind"
    records = _records()
    assert write_index(records, first, cache, 3) is False
    assert _tree(first) == _tree(bundles[3])
    kept = sorted(p.name for p in cache.iterdir())
    # one page changed: its batch is indexed again, the others come from the cache
    changed = [*records[:-1], dataclasses.replace(records[-1], content=records[-1].content + " q20013")]
    assert write_index(changed, second, cache, 3) is False
    assert len(set(kept) & {p.name for p in cache.iterdir()}) >= len(kept) - 2
    fresh = tmp_path / "fresh" / "pagefind"
    assert write_index(changed, fresh, None, 3) is False
    assert _tree(second) == _tree(fresh)
    assert _meaning(second) != _meaning(first)


def test_merged_chunks_follow_pagefinds_chunking_rule(bundles: dict[int, Path]) -> None:
    entry = json.loads((bundles[3] / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    meta = _load(bundles[3] / f"pagefind.{info['hash']}.pf_meta")
    sizes = []
    for _low, _high, name in meta[2]:
        words = _load(bundles[3] / "index" / f"{name}.pf_index")[0]
        weights = [sum(len(locs) + len(meta_locs) + 1 for _, locs, meta_locs in postings) for _, postings, _ in words]
        sizes.append((sum(weights), sum(weights) - weights[-1]))
    assert len(sizes) >= 2
    for total, without_last in sizes[:-1]:  # every chunk but the last ends at the word that reaches the size
        assert total >= CHUNK_SIZE > without_last


def test_every_word_is_found_in_its_chunk_by_the_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pagefind.js takes the chunks whose boundaries hold a word (low <= word <= high), and others if none does.

    Pagefind shortens a chunk's last word to a prefix; a word longer than that prefix (the words of
    search.py are 11 characters) then lay outside every chunk and pagefind.js fetched others.
    """
    monkeypatch.setattr(pagefind_merge, "CHUNK_SIZE", 300)  # many chunks, as a large site has
    bundle = tmp_path / "pagefind"
    write_index(_records(), bundle, None, 3)
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    chunks = _load(bundle / f"pagefind.{info['hash']}.pf_meta")[2]
    assert len(chunks) >= 20
    long_words = 0
    for _low, _high, name in chunks:
        for word, _postings, _variants in _load(bundle / "index" / f"{name}.pf_index")[0]:
            assert [n for low, high, n in chunks if low <= word <= high] == [name], word
            long_words += len(word) == 11
    assert long_words > 100
