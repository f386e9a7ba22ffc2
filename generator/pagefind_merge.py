"""Merge Pagefind bundles of disjoint pages into one bundle, as if Pagefind had indexed them at once.

Pagefind's indexer holds every page's words in memory: 2.7 GB for 10,000 synthetic reports, more
than the rest of the build together (upstream issue #842 reports it running out of memory at
30,000 pages). search.py therefore runs it on batches of pages and merges the batches here, one
index chunk at a time, so that memory stays that of one batch. The result is the layout one
Pagefind run writes (pagefind 1.5): what a browser downloads for a search does not change.

What is merged, for each language:
  - pages (meta index): all batches' pages, renumbered in URL order, so that the same pages give
    the same bytes however they were batched;
  - word index: the batches' sorted chunks are merged word by word, page numbers mapped and
    delta-encoded again, and cut into chunks by Pagefind's own rule (``chunk_index``: a chunk ends
    once the sum over its words of locations + 1 per page reaches 20,000) with its boundary
    prefixes (``chunk_meta``);
  - filters: values' page lists mapped and merged;
  - fragments: copied (named by their content hash; a rare clash between batches is renamed).
Every file is named by a hash of its bytes, as pagefind_canon names them.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fsutil import MANIFEST  # a cached batch's seal (fsutil.seal_tree), not Pagefind's
from .pagefind_canon import SIGNATURE, CborError, _head, _write, _write_raw, read

CHUNK_SIZE = 20_000  # Pagefind's index_chunk_size (pagefind/src/index/mod.rs, chunk_index)


@dataclass
class _Part:
    """One batch's bundle, for one language."""

    folder: Path
    meta: list[Any]
    new_numbers: list[int] = field(default_factory=list)  # old page number -> merged page number


def merge_bundles(parts: list[Path], out: Path) -> None:
    """Write into ``out`` (a new pagefind/ folder) the bundle of all pages of ``parts``."""
    entries = [json.loads((p / "pagefind-entry.json").read_text(encoding="utf-8")) for p in parts]
    versions = {e["version"] for e in entries}
    if len(versions) != 1:
        raise CborError(f"bundles of different Pagefind versions: {sorted(versions)}")
    out.mkdir(parents=True)
    for name in ("fragment", "index", "filter"):
        (out / name).mkdir()
    for item in parts[0].iterdir():  # pagefind.js, the wasm, the UI files: the same in every batch
        if item.is_file() and item.name not in ("pagefind-entry.json", MANIFEST) and not item.name.endswith(".pf_meta"):
            shutil.copy2(item, out / item.name)
    languages: dict[str, Any] = {}
    for language in sorted({lang for e in entries for lang in e["languages"]}):
        infos = [(folder, e["languages"][language]) for folder, e in zip(parts, entries, strict=True) if language in e["languages"]]
        batch = [_Part(folder, read(folder / f"pagefind.{info['hash']}.pf_meta")) for folder, info in infos]
        meta_hash, count = _merge_language(batch, language, out)
        languages[language] = {"hash": meta_hash, "wasm": infos[0][1].get("wasm"), "page_count": count}
    entry = {**entries[0], "languages": languages}
    (out / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _merge_language(parts: list[_Part], language: str, out: Path) -> tuple[str, int]:
    for part in parts:
        if not (isinstance(part.meta, list) and len(part.meta) == 6) or part.meta[4]:
            raise CborError("unexpected meta index layout (or sorts, which nianbao does not use)")
    # pages, in URL order; fragments copied under their names
    pages: list[tuple[str, int, int, list[Any]]] = []  # (url, part, old number, [hash, word count])
    for p, part in enumerate(parts):
        for old, page in enumerate(part.meta[1]):
            fragment = gzip.decompress((part.folder / "fragment" / f"{page[0]}.pf_fragment").read_bytes())
            pages.append((json.loads(fragment[len(SIGNATURE) :])["url"], p, old, page))
    pages.sort(key=lambda t: (t[0], t[1], t[2]))
    for part in parts:
        part.new_numbers = [0] * len(part.meta[1])
    merged_pages: list[list[Any]] = []
    written: dict[str, bytes] = {}
    for new, (_, p, old, (name, words)) in enumerate(pages):
        parts[p].new_numbers[old] = new
        data = (parts[p].folder / "fragment" / f"{name}.pf_fragment").read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        while name in written and written[name] != data:  # two batches' pages share a short hash
            name = f"{name}{digest[len(name) % 64]}"
        if name not in written:
            (out / "fragment" / f"{name}.pf_fragment").write_bytes(data)
            written[name] = data
        merged_pages.append([name, words])
    chunks = _merge_words(parts, language, out)
    filters = _merge_filters(parts, language, out)
    fields = sorted({f for part in parts for f in part.meta[5]})
    meta = [parts[0].meta[0], merged_pages, chunks, filters, [], fields]
    name = _write(out, f"pagefind.{language}_", ".pf_meta", meta, 10)
    return name.removeprefix("pagefind."), len(merged_pages)


# A posting: (merged page number, its weight in Pagefind's chunk rule, its locations as raw CBOR).
# The locations (most of an index) are copied as bytes, never decoded: decoding and re-encoding
# them in Python took 120 s for 10,000 reports.
Posting = tuple[int, int, bytes]
Word = tuple[str, list[Posting], list[tuple[str, list[Posting]]]]


def _head_at(data: bytes, i: int) -> tuple[int, int, int]:
    """Return (major type, argument, next offset) of the CBOR item at ``i``."""
    head = data[i]
    info = head & 31
    if info < 24:
        return head >> 5, info, i + 1
    if info > 27:
        raise CborError(f"indefinite length at {i}")
    size = 1 << (info - 24)
    return head >> 5, int.from_bytes(data[i + 1 : i + 1 + size], "big"), i + 1 + size


def _skip_ints(data: bytes, i: int, n: int) -> int:
    """Return the offset after ``n`` CBOR integers starting at ``i``."""
    for _ in range(n):
        head = data[i]
        if head >> 5 > 1:
            raise CborError(f"not an integer at {i}")
        info = head & 31
        i += 1 if info < 24 else 1 + (1 << (info - 24))
    return i


def _expect(data: bytes, i: int, major: int, n: int | None = None) -> tuple[int, int]:
    got, value, i = _head_at(data, i)
    if got != major or (n is not None and value != n):
        raise CborError(f"unexpected index layout at {i}")
    return value, i


def _postings(data: bytes, i: int, numbers: list[int]) -> tuple[list[Posting], int]:
    count, i = _expect(data, i, 4)
    out: list[Posting] = []
    page = 0
    for _ in range(count):
        _, i = _expect(data, i, 4, 3)
        delta, i = _expect(data, i, 0)
        page += delta
        start = i
        locs, i = _expect(data, i, 4)
        i = _skip_ints(data, i, locs)
        meta_locs, i = _expect(data, i, 4)
        i = _skip_ints(data, i, meta_locs)
        out.append((numbers[page], locs + meta_locs + 1, data[start:i]))
    return out, i


def _words(part: _Part) -> Iterator[Word]:
    """Yield the part's words in order, with postings in merged page numbers."""
    numbers = part.new_numbers
    for _from, _to, name in part.meta[2]:
        data = gzip.decompress((part.folder / "index" / f"{name}.pf_index").read_bytes())
        if not data.startswith(SIGNATURE):
            raise CborError(f"{name}: no Pagefind signature")
        _, i = _expect(data, len(SIGNATURE), 4, 1)
        count, i = _expect(data, i, 4)
        for _ in range(count):
            _, i = _expect(data, i, 4, 3)
            word, postings, i = _named_postings(data, i, numbers)
            variants = []
            n_variants, i = _expect(data, i, 4)
            for _ in range(n_variants):
                _, i = _expect(data, i, 4, 2)
                form, pages, i = _named_postings(data, i, numbers)
                variants.append((form, pages))
            yield word, postings, variants


def _named_postings(data: bytes, i: int, numbers: list[int]) -> tuple[str, list[Posting], int]:
    """Read a word (or a variant's form) and the postings after it."""
    length, i = _expect(data, i, 3)
    name = data[i : i + length].decode("utf-8")
    postings, i = _postings(data, i + length, numbers)
    return name, postings, i


def _encode_postings(postings: list[Posting]) -> bytes:
    postings.sort(key=lambda p: p[0])
    out, last = [_head(4, len(postings))], 0
    for number, _weight, raw in postings:
        out += [b"\x83", _head(0, number - last), raw]
        last = number
    return b"".join(out)


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return _head(3, len(raw)) + raw


def _merge_words(parts: list[_Part], language: str, out: Path) -> list[list[str]]:
    """Merge the word indexes into chunks cut as Pagefind cuts them; return the chunk list of the meta."""
    chunks: list[list[str]] = []
    current: list[bytes] = []
    first = last = ""
    size = 0

    def flush() -> None:
        cbor = _head(4, 1) + _head(4, len(current)) + b"".join(current)
        chunks.append([first, last, _write_raw(out / "index", f"{language}_", ".pf_index", cbor, 7)])
        current.clear()

    merged = heapq.merge(*(_words(part) for part in parts), key=lambda item: item[0])
    for word, group in itertools.groupby(merged, key=lambda item: item[0]):
        postings: list[Posting] = []
        variants: dict[str, list[Posting]] = {}
        for _, more, forms in group:
            postings += more
            for form, pages in forms:
                variants.setdefault(form, []).extend(pages)
        if not current:
            first = word
        last = word
        parts_of_variants = [b"\x82" + _text(form) + _encode_postings(pages) for form, pages in variants.items()]
        current.append(b"\x83" + _text(word) + _encode_postings(postings) + _head(4, len(variants)) + b"".join(parts_of_variants))
        size += sum(p[1] for p in postings)
        if size >= CHUNK_SIZE:
            flush()
            size = 0
    if current:
        flush()
    for left, right in zip(chunks, chunks[1:], strict=False):  # Pagefind's chunk_meta boundaries
        a, b = _prefixes(left[1], right[0])
        if a >= left[0]:
            left[1] = a
        right[0] = b
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
        for filter_name, name in part.meta[3]:
            name_in_file, items = read(part.folder / "filter" / f"{name}.pf_filter")
            if name_in_file != filter_name:
                raise CborError("unexpected filter layout")
            merged = values.setdefault(filter_name, {})
            for value, pages in items:
                merged.setdefault(value, []).extend(part.new_numbers[page] for page in pages)
    out_filters = []
    for filter_name in sorted(values):
        items = [[value, sorted(pages)] for value, pages in sorted(values[filter_name].items())]
        out_filters.append([filter_name, _write(out / "filter", f"{language}_", ".pf_filter", [filter_name, items], 7)])
    return out_filters
