"""One batch's Pagefind bundle, read into the form the merge takes, and spliced after an edit.

A batch is read once (``prepare``) into a ``Batch``: its pages, filters and words, with the pages
numbered in the order of their addresses. Pagefind numbers them in the order it finds their files
(the directory order of the file system), which nobody can know for pages it has not indexed
together; numbered by address, a batch's numbers depend only on which pages it holds.

That is what lets an edit index only the edited pages: Pagefind indexes each page's words on
their own (a page's locations and its fragment do not depend on the other pages of its run), so
the batch of 249 unchanged pages and one edited page is the unchanged pages' postings with the
edited page's spliced in at its number (``splice``) — the same ``Batch`` as one Pagefind run over
the 250 pages gives, without indexing the 249 again (3.4 s of Pagefind's time at 250 pages, 0.02 s
for one). tests/test_pagefind_batch.py compares the two byte for byte.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import pickle
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .pagefind_canon import SIGNATURE, CborError, _head, read

# A word's postings in one batch: (count, first page, last page, weight in Pagefind's chunk rule,
# the postings' bytes after the first page's delta). The locations (most of an index) are copied
# as bytes, never decoded: decoding and re-encoding them in Python took 120 s for 10,000 reports.
Postings = tuple[int, int, int, int, bytes]
Word = tuple[str, Postings, list[tuple[str, Postings]]]
Item = tuple[int, bytes, int]  # one page's posting: (page, its bytes after the page's delta, weight)
BATCH = "nianbao-batch-{language}.pickle"  # a batch read once (prepare)
EMPTY: Postings = (0, 0, 0, 0, b"")


@dataclass
class Batch:
    """A batch's bundle for one language, its pages numbered in the order of their addresses."""

    version: str
    fields: list[str]  # the pages' metadata fields
    pages: list[tuple[str, str, int]]  # (address, fragment name, word count)
    filters: dict[str, dict[str, list[int]]]  # filter -> value -> pages
    words: list[Word]  # sorted, each once; a word's forms sorted


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


# The length of a CBOR integer by its first byte, 0 for anything else: the locations are most of an
# index, and this loop over them most of the time spent reading one (prepare, splice).
_INT_SIZE = bytes((1 if b & 31 < 24 else 1 + (1 << ((b & 31) - 24))) if b >> 5 <= 1 and b & 31 < 28 else 0 for b in range(256))


def _skip_ints(data: bytes, i: int, n: int) -> int:
    """Return the offset after ``n`` CBOR integers starting at ``i``."""
    size = _INT_SIZE
    for _ in range(n):
        step = size[data[i]]
        if not step:
            raise CborError(f"not an integer at {i}")
        i += step
    return i


def _skip_array(data: bytes, i: int) -> tuple[int, int]:
    """Return (length, the offset after it) of the array of integers at ``i``."""
    head = data[i]
    if head >> 5 != 4:
        raise CborError(f"unexpected index layout at {i}")
    info = head & 31
    if info < 24:
        return info, _skip_ints(data, i + 1, info)
    n, i = _expect(data, i, 4)
    return n, _skip_ints(data, i, n)


def _expect(data: bytes, i: int, major: int, n: int | None = None) -> tuple[int, int]:
    got, value, i = _head_at(data, i)
    if got != major or (n is not None and value != n):
        raise CborError(f"unexpected index layout at {i}")
    return value, i


def _postings(data: bytes, i: int) -> tuple[Postings, int]:
    count, i = _expect(data, i, 4)
    page = first = weight = 0
    rest = i
    for n in range(count):
        _, i = _expect(data, i, 4, 3)
        delta, i = _expect(data, i, 0)
        page += delta
        if n == 0:
            first, rest = page, i
        locs, i = _skip_array(data, i)
        meta_locs, i = _skip_array(data, i)
        weight += locs + meta_locs + 1
    return (count, first, page, weight, data[rest:i] if count else b""), i


def _named_postings(data: bytes, i: int) -> tuple[str, Postings, int]:
    """Read a word (or a variant's form) and the postings after it."""
    length, i = _expect(data, i, 3)
    name = data[i : i + length].decode("utf-8")
    postings, i = _postings(data, i + length)
    return name, postings, i


def read_words(folder: Path, meta: list[object]) -> list[Word]:
    """Return a Pagefind bundle's words in order, each with its postings and its variants' (forms of the word)."""
    words: list[Word] = []
    chunks = meta[2]
    assert isinstance(chunks, list)
    for _from, _to, name in chunks:
        data = gzip.decompress((folder / "index" / f"{name}.pf_index").read_bytes())
        if not data.startswith(SIGNATURE):
            raise CborError(f"{name}: no Pagefind signature")
        _, i = _expect(data, len(SIGNATURE), 4, 1)
        count, i = _expect(data, i, 4)
        for _ in range(count):
            _, i = _expect(data, i, 4, 3)
            word, postings, i = _named_postings(data, i)
            variants = []
            n_variants, i = _expect(data, i, 4)
            for _ in range(n_variants):
                _, i = _expect(data, i, 4, 2)
                form, pages, i = _named_postings(data, i)
                variants.append((form, pages))
            words.append((word, postings, variants))
    return words


def items(postings: Postings) -> list[Item]:
    """Return each posting of a list as (page, its bytes after the page's delta, its weight)."""
    count, page, _final, _weight, rest = postings
    out = []
    i = 0
    size = _INT_SIZE
    for n in range(count):
        if n:
            if rest[i] != 0x83:
                raise CborError(f"unexpected index layout at {i}")
            head = rest[i + 1]
            if head < 24:  # the delta, most often one byte
                page += head
                i += 2
            else:
                delta, i = _expect(rest, i + 1, 0)
                page += delta
        start = i
        weight = 1
        for _array in (0, 1):  # the locations and the meta locations, inlined: the hottest loop
            head = rest[i]
            if head >> 5 != 4:
                raise CborError(f"unexpected index layout at {i}")
            if head & 31 < 24:
                length, i = head & 31, i + 1
            else:
                length, i = _expect(rest, i, 4)
            for _ in range(length):
                step = size[rest[i]]
                if not step:
                    raise CborError(f"not an integer at {i}")
                i += step
            weight += length
        out.append((page, rest[start:i], weight))
    return out


def joined(found: Iterable[Item]) -> Postings:
    """Return postings of pages (any order, each page once) as one list, in page order."""
    ordered = sorted(found, key=lambda item: item[0])
    if not ordered:
        return EMPTY
    parts, last = [ordered[0][1]], ordered[0][0]
    for page, raw, _weight in ordered[1:]:
        parts += [b"\x83", _head(0, page - last), raw]
        last = page
    return (len(ordered), ordered[0][0], last, sum(item[2] for item in ordered), b"".join(parts))


def _runs(new: list[int]) -> list[int]:
    """Number the runs of pages that keep their order and neighbours under ``new`` (their deltas stay)."""
    runs, run = [], 0
    for page, number in enumerate(new):
        if number < 0 or page == 0 or new[page - 1] < 0 or number != new[page - 1] + 1:
            run += 1
        runs.append(run)
    return runs


def _renumbered(postings: Postings, new: list[int], runs: list[int]) -> Postings:
    """Return ``postings`` with page p numbered ``new[p]``, the pages numbered -1 left out."""
    count, first, last, weight, rest = postings
    if not count:
        return postings
    if new[first] >= 0 and runs[first] == runs[last]:
        shift = new[first] - first
        return (count, first + shift, last + shift, weight, rest)  # the same pages, moved together
    return joined((new[page], raw, w) for page, raw, w in items(postings) if new[page] >= 0)


def _combined(words: Iterable[Word]) -> list[Word]:
    """Return the words sorted, each (and each of its forms) once, forms sorted.

    Pagefind can list a word or a form twice in one bundle; two batches spliced list it once each.
    """
    out: list[Word] = []
    for word, group in itertools.groupby(sorted(words, key=lambda w: w[0]), key=lambda w: w[0]):
        same = list(group)
        forms: dict[str, list[Postings]] = {}
        for _, _, variants in same:
            for form, postings in variants:
                forms.setdefault(form, []).append(postings)
        postings = same[0][1] if len(same) == 1 else _union([w[1] for w in same])
        variants = [(form, lists[0] if len(lists) == 1 else _union(lists)) for form, lists in sorted(forms.items())]
        variants = [(form, postings_) for form, postings_ in variants if postings_[0]]
        if postings[0] or variants:
            out.append((word, postings, variants))
    return out


def _union(lists: list[Postings]) -> Postings:
    return joined(item for postings in lists if postings[0] for item in items(postings))


def _renumber(batch: Batch, new: list[int]) -> tuple[list[Word], dict[str, dict[str, list[int]]]]:
    runs = _runs(new)
    words = [(w, _renumbered(p, new, runs), [(f, _renumbered(fp, new, runs)) for f, fp in v]) for w, p, v in batch.words]
    return words, _renumber_filters(batch.filters, new)


def _renumber_filters(filters: dict[str, dict[str, list[int]]], new: list[int]) -> dict[str, dict[str, list[int]]]:
    return {name: {value: sorted(new[p] for p in pages if new[p] >= 0) for value, pages in values.items()}
            for name, values in filters.items()}


def _address(url: str) -> str:
    """Return a page's address as it is compared with a fragment's (Pagefind drops index.html, encodes)."""
    url = unquote(url)
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def prepare(folder: Path, urls: Iterable[str]) -> None:
    """Read the bundle that Pagefind wrote of the pages at ``urls`` into ``folder`` once and keep it there (BATCH).

    The batch's pages are named by ``urls`` (what search.py staged them as), numbered in their order.
    """
    by_address = {_address(url): url for url in urls}
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta = read(folder / f"pagefind.{info['hash']}.pf_meta")
        if not (isinstance(meta, list) and len(meta) == 6) or meta[4]:
            raise CborError("unexpected meta index layout (or sorts, which nianbao does not use)")
        pages = []
        for name, count in meta[1]:
            fragment = json.loads(gzip.decompress((folder / "fragment" / f"{name}.pf_fragment").read_bytes())[len(SIGNATURE) :])
            url = by_address.get(_address(fragment["url"]))
            if url is None:
                raise CborError(f"a page that was not staged: {fragment['url']}")
            pages.append((url, name, count))
        order = sorted(range(len(pages)), key=lambda p: pages[p][0])
        new = [0] * len(pages)
        for number, page in enumerate(order):
            new[page] = number
        filters: dict[str, dict[str, list[int]]] = {}
        for filter_name, name in meta[3]:
            name_in_file, values = read(folder / "filter" / f"{name}.pf_filter")
            if name_in_file != filter_name:
                raise CborError("unexpected filter layout")
            merged = filters.setdefault(filter_name, {})
            for value, numbers in values:
                merged.setdefault(value, []).extend(numbers)
        raw = Batch(meta[0], sorted(meta[5]), pages, filters, read_words(folder, meta))
        words, filters = _renumber(raw, new)
        batch = Batch(raw.version, raw.fields, [pages[p] for p in order], _clean(filters), _combined(words))
        save(batch, folder, language)


def _clean(filters: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, list[int]]]:
    """Return the filters without values no page has, sorted."""
    out = {}
    for name in sorted(filters):
        values = {value: sorted(pages) for value, pages in sorted(filters[name].items()) if pages}
        if values:
            out[name] = values
    return out


def save(batch: Batch, folder: Path, language: str) -> None:
    (folder / BATCH.format(language=language)).write_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))


def load(folder: Path, language: str) -> Batch:
    """Return the batch ``prepare`` kept in ``folder``."""
    try:
        batch = pickle.loads((folder / BATCH.format(language=language)).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError) as exc:
        raise CborError(f"{folder.name}: no prepared batch ({exc})") from None
    if not isinstance(batch, Batch):
        raise CborError(f"{folder.name}: no prepared batch")
    return batch


def splice(old: Batch, drop: set[str], fresh: Batch) -> Batch:
    """Return the batch of ``old``'s pages but those at ``drop``, and ``fresh``'s pages.

    ``fresh`` is a batch of Pagefind's run over the new pages alone; the result is the batch one
    run over all of them gives.
    """
    if fresh.pages and fresh.version != old.version:
        raise CborError(f"batches of different Pagefind versions: {old.version}, {fresh.version}")
    kept = [page for page in old.pages if page[0] not in drop]
    pages = sorted(kept + fresh.pages)
    number = {page[0]: n for n, page in enumerate(pages)}
    if len(number) != len(pages):
        raise CborError("a page in both batches")
    old_new = [number[url] if url not in drop else -1 for url, _, _ in old.pages]
    fresh_new = [number[url] for url, _, _ in fresh.pages]
    old_filters = _renumber_filters(old.filters, old_new)
    fresh_filters = _renumber_filters(fresh.filters, fresh_new)
    filters: dict[str, dict[str, list[int]]] = {}
    for source in (old_filters, fresh_filters):
        for name, values in source.items():
            for value, numbers in values.items():
                filters.setdefault(name, {}).setdefault(value, []).extend(numbers)
    fields = sorted(set(old.fields) | set(fresh.fields))  # the same for every page (search.report_record)
    return Batch(old.version, fields, pages, _clean(filters), _spliced_words(old.words, old_new, fresh.words, fresh_new))


def _spliced_words(old: list[Word], old_new: list[int], fresh: list[Word], fresh_new: list[int]) -> list[Word]:
    """Return the words of two batches renumbered, one word's postings joined once (each batch lists a word once)."""
    runs = _runs(old_new)
    extra = {word: (postings, dict(variants)) for word, postings, variants in fresh}

    def one(postings: Postings, added: Postings | None) -> Postings:
        if added is None:
            return _renumbered(postings, old_new, runs)
        found = [(fresh_new[page], raw, w) for page, raw, w in items(added)]
        found += [(old_new[page], raw, w) for page, raw, w in (items(postings) if postings[0] else ()) if old_new[page] >= 0]
        return joined(found)

    out: list[Word] = []
    for word, postings, variants in old:
        added, added_forms = extra.pop(word, (None, {}))
        forms = [(form, one(pages, added_forms.pop(form, None))) for form, pages in variants]
        forms += [(form, one(EMPTY, pages)) for form, pages in added_forms.items()]
        merged = one(postings, added)
        forms = sorted((form, pages) for form, pages in forms if pages[0])
        if merged[0] or forms:
            out.append((word, merged, forms))
    for word, (postings, forms_) in extra.items():
        out.append((word, one(EMPTY, postings), sorted((form, one(EMPTY, pages)) for form, pages in forms_.items())))
    out.sort(key=lambda w: w[0])
    return out


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)  # a file system without hard links


def splice_bundle(old: Path, drop: set[str], fresh: Path | None, fresh_urls: list[str], out: Path) -> None:
    """Write into ``out`` the prepared batch of ``old``'s pages but ``drop`` and the pages ``fresh`` indexed.

    Both are prepared folders (``prepare``); ``out`` gets what the merge reads of a batch: its
    entry file, the files every bundle has, the fragments of its pages and the kept batch.
    """
    out.mkdir(parents=True)
    (out / "fragment").mkdir()
    entry = json.loads((old / "pagefind-entry.json").read_text(encoding="utf-8"))
    fresh_entry = json.loads((fresh / "pagefind-entry.json").read_text(encoding="utf-8")) if fresh else {"languages": {}}
    if fresh and fresh_entry["version"] != entry["version"]:
        raise CborError(f"bundles of different Pagefind versions: {entry['version']}, {fresh_entry['version']}")
    for item in old.iterdir():  # pagefind.js, the wasm, the UI files
        if item.is_file() and not item.name.startswith("nianbao-") and not item.name.endswith(".pf_meta") \
                and item.name != "pagefind-entry.json":
            _link(item, out / item.name)
    fresh_set = set(fresh_urls)
    languages = {}
    for language in sorted(set(entry["languages"]) | set(fresh_entry["languages"])):
        empty = Batch(entry["version"], [], [], {}, [])
        before = load(old, language) if language in entry["languages"] else empty
        new = load(fresh, language) if fresh and language in fresh_entry["languages"] else empty
        batch = splice(before, drop, new)
        if not batch.pages:
            continue
        for url, name, _count in batch.pages:
            target = out / "fragment" / f"{name}.pf_fragment"
            if not target.exists():
                _link((fresh if fresh and url in fresh_set else old) / "fragment" / f"{name}.pf_fragment", target)
        save(batch, out, language)
        info = fresh_entry["languages"].get(language) or entry["languages"][language]
        languages[language] = {"hash": "", "wasm": info.get("wasm"), "page_count": len(batch.pages)}
    (out / "pagefind-entry.json").write_text(json.dumps({**entry, "languages": languages}, ensure_ascii=False), encoding="utf-8")
