"""Merge Pagefind bundles of disjoint pages into one bundle, as if Pagefind had indexed them at once.

Pagefind's indexer holds every page's words in memory: 2.7 GB for 10,000 synthetic reports, more
than the rest of the build together (upstream issue #842 reports it running out of memory at
30,000 pages). search.py therefore runs it on batches of pages and merges the batches here, one
index chunk at a time, so that memory stays that of one batch. The result is the layout one
Pagefind run writes (pagefind 1.5): what a browser downloads for a search does not change.

What is merged, for each language:
  - pages (meta index): the batches' pages one batch after another, each batch's in the order
    of their addresses (pagefind_batch), so that a batch's page numbers only move by the pages
    of the batches before it;
  - word index: the batches' sorted chunks are merged word by word and cut into chunks by
    Pagefind's own rule (``chunk_index``: a chunk ends once the sum over its words of locations +
    1 per page reaches 20,000) with its boundary prefixes (``chunk_meta``), a chunk's last word whole. A word's postings are
    delta-encoded page numbers: a batch's postings are copied as bytes, only the first delta of
    each batch written again. Each batch is read once (pagefind_batch.prepare, kept beside a
    cached batch), so a merge after an edit reads no batch's postings again;
  - filters: values' page lists moved and merged;
  - fragments: copied (named by their content hash; a rare clash between batches is renamed).
Every file is named by a hash of its bytes, as pagefind_canon names them. The same batches give
the same bytes.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fsutil import MANIFEST  # a cached batch's seal (fsutil.seal_tree), not Pagefind's
from .pagefind_batch import Batch, Postings, load
from .pagefind_canon import CborError, _head, _write, _write_raw

CHUNK_SIZE = 20_000  # Pagefind's index_chunk_size (pagefind/src/index/mod.rs, chunk_index)
# The word index is written again whole after any edit (an edited page's words lie in nearly every
# chunk), so its gzip level is the fastest: at level 6 compressing it was half of a one-edit merge
# (1.6 s of CPU for the 288 chunks of 2,000 reports, 0.33 s at level 1), for 13 % fewer bytes.
CHUNK_LEVEL = 1


@dataclass
class _Part:
    """One batch's bundle, for one language."""

    folder: Path
    batch: Batch
    offset: int = 0  # its first page's number in the merged bundle


Adopt = Callable[[str, str], bool]  # (path in the bundle, key) -> taken from the published site


def merge_bundles(parts: list[Path], out: Path, adopt: Adopt | None = None) -> None:
    """Write into ``out`` (a new pagefind/ folder) the bundle of all pages of ``parts``.

    ``adopt`` takes a fragment from the published site instead of copying it (reuse.py): a
    fragment is named by its content, so the same name is the same file.
    """
    entries = [json.loads((p / "pagefind-entry.json").read_text(encoding="utf-8")) for p in parts]
    versions = {e["version"] for e in entries}
    if len(versions) != 1:
        raise CborError(f"bundles of different Pagefind versions: {sorted(versions)}")
    out.mkdir(parents=True)
    for name in ("fragment", "index", "filter"):
        (out / name).mkdir()
    for item in parts[0].iterdir():  # pagefind.js, the wasm, the UI files: the same in every batch
        if item.is_file() and item.name not in ("pagefind-entry.json", MANIFEST) and not item.name.startswith("nianbao-") \
                and not item.name.endswith(".pf_meta"):
            shutil.copy2(item, out / item.name)
    languages: dict[str, Any] = {}
    for language in sorted({lang for e in entries for lang in e["languages"]}):
        infos = [(folder, e["languages"][language]) for folder, e in zip(parts, entries, strict=True) if language in e["languages"]]
        batch = [_Part(folder, load(folder, language)) for folder, _info in infos]
        meta_hash, count = _merge_language(batch, language, out, adopt)
        languages[language] = {"hash": meta_hash, "wasm": infos[0][1].get("wasm"), "page_count": count}
    entry = {**entries[0], "languages": languages}
    (out / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _merge_language(parts: list[_Part], language: str, out: Path, adopt: Adopt | None = None) -> tuple[str, int]:
    merged_pages: list[list[Any]] = []
    written: dict[str, bytes] = {}
    names = Counter(name for part in parts for _, name, _ in part.batch.pages)  # a name in two batches: compared by bytes
    for part in parts:
        part.offset = len(merged_pages)
        for _url, name, words in part.batch.pages:
            fragment = f"fragment/{name}.pf_fragment"
            if name not in written and adopt is not None and adopt(fragment, name):
                written[name] = (out / fragment).read_bytes() if names[name] > 1 else b""
                merged_pages.append([name, words])
                continue
            data = (part.folder / "fragment" / f"{name}.pf_fragment").read_bytes()
            if name in written and written[name] != data:  # two batches' pages share a short hash
                digest = hashlib.sha256(data).hexdigest()
                while name in written and written[name] != data:
                    name = f"{name}{digest[len(name) % 64]}"
            if name not in written:
                (out / "fragment" / f"{name}.pf_fragment").write_bytes(data)
                written[name] = data
            merged_pages.append([name, words])
    chunks = _merge_words(parts, language, out)
    filters = _merge_filters(parts, language, out)
    fields = sorted({f for part in parts for f in part.batch.fields})
    meta = [parts[0].batch.version, merged_pages, chunks, filters, [], fields]
    name = _write(out, f"pagefind.{language}_", ".pf_meta", meta, 10)
    return name.removeprefix("pagefind."), len(merged_pages)


def _encode_postings(segments: list[tuple[int, Postings]]) -> bytes:
    """Encode the postings of the batches (offset, postings), in batch order, as one list."""
    out, last = [_head(4, sum(p[0] for _, p in segments))], 0
    for offset, (count, first, final, _weight, rest) in segments:
        if not count:
            continue
        out += [b"\x83", _head(0, offset + first - last), rest]
        last = offset + final
    return b"".join(out)


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return _head(3, len(raw)) + raw


def _tagged(part: _Part) -> Iterator[tuple[str, int, Postings, list[tuple[str, Postings]]]]:
    for word, postings, variants in part.batch.words:
        yield word, part.offset, postings, variants


def _merge_words(parts: list[_Part], language: str, out: Path) -> list[list[str]]:
    """Merge the word indexes into chunks cut as Pagefind cuts them; return the chunk list of the meta."""
    chunks: list[list[str]] = []
    current: list[bytes] = []
    first = last = ""
    size = 0

    def flush() -> None:
        cbor = _head(4, 1) + _head(4, len(current)) + b"".join(current)
        chunks.append([first, last, _write_raw(out / "index", f"{language}_", ".pf_index", cbor, 7, CHUNK_LEVEL)])
        current.clear()

    merged = heapq.merge(*(_tagged(part) for part in parts), key=lambda item: item[0])  # equal words in batch order
    for word, group in itertools.groupby(merged, key=lambda item: item[0]):
        segments: list[tuple[int, Postings]] = []
        variants: dict[str, list[tuple[int, Postings]]] = {}
        for _, offset, postings, forms in group:
            segments.append((offset, postings))
            for form, pages in forms:
                variants.setdefault(form, []).append((offset, pages))
        if not current:
            first = word
        last = word
        parts_of_variants = [b"\x82" + _text(form) + _encode_postings(pages) for form, pages in variants.items()]
        current.append(b"\x83" + _text(word) + _encode_postings(segments) + _head(4, len(variants)) + b"".join(parts_of_variants))
        size += sum(p[3] for _, p in segments)
        if size >= CHUNK_SIZE:
            flush()
            size = 0
    if current:
        flush()
    # Pagefind's chunk_meta boundaries, but each chunk's last word whole: Pagefind shortens it to the
    # prefix that tells it from the next chunk's first word, and pagefind.js then finds no chunk for
    # a word longer than that prefix (the words of search.py are 21 characters), falls back to every
    # chunk whose boundaries it could extend, and fetched 286 KB of others for a search of 行政复议.
    for left, right in zip(chunks, chunks[1:], strict=False):
        right[0] = _prefixes(left[1], right[0])[1]
    return chunks


def _prefixes(a: str, b: str) -> tuple[str, str]:
    common = 0
    for x, y in zip(b, a, strict=False):
        if x != y:
            break
        common += 1
    return a[: common + 1], b[: common + 1]


def _merge_filters(parts: list[_Part], language: str, out: Path) -> list[list[str]]:
    values: dict[str, dict[str, list[int]]] = {}
    for part in parts:
        for filter_name, items in part.batch.filters.items():
            merged = values.setdefault(filter_name, {})
            for value, pages in items.items():
                merged.setdefault(value, []).extend(part.offset + page for page in pages)
    out_filters = []
    for filter_name in sorted(values):
        items_ = [[value, sorted(pages)] for value, pages in sorted(values[filter_name].items())]
        out_filters.append([filter_name, _write(out / "filter", f"{language}_", ".pf_filter", [filter_name, items_], 7)])
    return out_filters
