"""After an edit Pagefind indexes only the pages that changed, and the index is the bytes of a clean build (pagefind_batch)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import site_copy
from test_pagefind_merge import _records, _tree

from generator import search
from generator.pagefind_batch import BATCH, load
from generator.search import Record, write_index

ROOT = Path(__file__).resolve().parent.parent
BATCH_PAGES = 10  # the 20 records in two batches


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Return the pages of each Pagefind run the test makes, as they happen."""
    runs: list[list[str]] = []
    run = search._run_pagefind

    def spy(pages: dict[str, str], urls: list[str], staging: Path, out: Path) -> None:
        runs.append(sorted(urls))
        run(pages, urls, staging, out)

    monkeypatch.setattr(search, "_run_pagefind", spy)
    return runs


def _clean(records: list[Record], tmp: Path, name: str) -> dict[str, bytes]:
    out = tmp / name / "pagefind"
    write_index(records, out, None, BATCH_PAGES)
    return _tree(out)


def test_an_edit_indexes_the_edited_pages_alone_and_writes_the_bytes_of_a_clean_build(tmp_path: Path, indexed: list[list[str]]) -> None:
    cache = tmp_path / "cache"
    records = _records()
    write_index(records, tmp_path / "a" / "pagefind", cache, BATCH_PAGES)
    assert sorted(url for run in indexed for url in run) == sorted(r.url for r in records) and len(indexed) == 2
    assert _tree(tmp_path / "a" / "pagefind") == _clean(records, tmp_path, "clean-a")

    # text inserted at the start (every later location of the page moves), a page gone, a page new
    # with a filter value no other page has
    edited = dataclasses.replace(records[3], content="q20013 q20014 " + records[3].content)
    added = Record(url=records[0].url.replace(".html", "-new.html"), content=records[5].content[:300] + " q30000",
                   meta={**records[0].meta, "title": "新增"}, filters={**records[0].filters, "机关": ["新增机关"]})
    changed = [*records[:3], edited, *records[4:-1], added]
    indexed.clear()
    write_index(changed, tmp_path / "b" / "pagefind", cache, BATCH_PAGES)
    assert sorted(url for run in indexed for url in run) == sorted([edited.url, added.url])
    indexed.clear()
    assert _tree(tmp_path / "b" / "pagefind") == _clean(changed, tmp_path, "clean-b")
    assert sorted(url for run in indexed for url in run) == sorted(r.url for r in changed)  # the clean build indexed all

    # an edit of a page spliced in before, and the new page gone again: spliced into spliced batches
    again = [dataclasses.replace(edited, content=edited.content.replace("q20013", "q20015")), *changed[:3], *changed[4:-1]]
    indexed.clear()
    write_index(again, tmp_path / "c" / "pagefind", cache, BATCH_PAGES)
    assert indexed == [[edited.url]]
    assert _tree(tmp_path / "c" / "pagefind") == _clean(again, tmp_path, "clean-c")


def test_a_batch_numbers_its_pages_by_address_whatever_order_pagefind_found_them(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    write_index(_records(), tmp_path / "a" / "pagefind", cache, BATCH_PAGES)
    kept = [entry for entry in cache.iterdir() if (entry / BATCH.format(language="zh")).exists()]
    assert len(kept) == 2
    for entry in kept:
        batch = load(entry, "zh")
        urls = [url for url, _, _ in batch.pages]
        assert urls == sorted(urls) and len(urls) >= 5
        numbers = {p for values in batch.filters.values() for pages in values.values() for p in pages}
        assert numbers == set(range(len(urls)))
        words = [word for word, _, _ in batch.words]
        assert words == sorted(set(words))


def test_many_changed_pages_index_their_whole_batch_again(tmp_path: Path, indexed: list[list[str]]) -> None:
    cache = tmp_path / "cache"
    records = _records()
    write_index(records, tmp_path / "a" / "pagefind", cache, BATCH_PAGES)
    changed = [dataclasses.replace(r, content=r.content + " q20013") if i % 2 else r for i, r in enumerate(records)]
    indexed.clear()
    write_index(changed, tmp_path / "b" / "pagefind", cache, BATCH_PAGES)
    assert sorted(len(run) for run in indexed) == sorted(len(g) for g in search.batches([r.url for r in records], BATCH_PAGES))
    assert _tree(tmp_path / "b" / "pagefind") == _clean(changed, tmp_path, "clean-b")


def _build(project: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_a_rebuild_after_one_edit_publishes_the_index_of_a_clean_build(tmp_path: Path) -> None:
    project = site_copy(tmp_path / "edited")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "      pdf: true" in text
    config.write_text(text.replace("      pdf: true", "      pdf: false\n      search_batch: 2", 1), encoding="utf-8")
    _build(project)
    before = _tree(project / "site" / "pagefind")
    report = project / "reports" / "qiaokou-rongmeiti-2024.yaml"
    source = report.read_text(encoding="utf-8")
    assert "中心2024年在" in source
    report.write_text(source.replace("中心2024年在", "中心在2024年", 1), encoding="utf-8")
    _build(project)
    clean = tmp_path / "clean" / "project"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns(".nianbao-cache", "site"))
    _build(clean)
    built, expected = _tree(project / "site" / "pagefind"), _tree(clean / "site" / "pagefind")
    assert built == expected
    assert built != before  # the edit reached the index


def test_pages_staged_in_a_folder_listed_in_creation_order_reach_pagefind_in_address_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a tmpfs Pagefind finds the pages in address order, the batch's own (no renumbering); the bytes are the same."""
    ordered = search._ordered_staging()
    if ordered is None:
        pytest.fail("this machine has no /dev/shm listed in creation order: the fast staging is untested here")
    from generator import pagefind_batch

    orders: list[list[int]] = []
    renumber = pagefind_batch._renumber

    def spy(batch: pagefind_batch.Batch, new: list[int]) -> object:
        orders.append(new)
        return renumber(batch, new)

    monkeypatch.setattr(pagefind_batch, "_renumber", spy)
    write_index(_records(), tmp_path / "shm" / "pagefind", tmp_path / "cache-shm", BATCH_PAGES)
    assert len(orders) == 2 and all(new == list(range(len(new))) for new in orders)  # found in address order
    assert not any((ordered[0]).glob(".nianbao-pagefind-*"))  # nothing left in the shared folder
    orders.clear()
    with monkeypatch.context() as m:  # staged beside the site (ext4 lists by a hash of the names): renumbered
        m.setattr(search, "_ordered_staging", lambda: None)
        write_index(_records(), tmp_path / "disk" / "pagefind", tmp_path / "cache-disk", BATCH_PAGES)
    assert len(orders) == 2
    assert _tree(tmp_path / "shm" / "pagefind") == _tree(tmp_path / "disk" / "pagefind")
    # a folder that does not list in creation order, or is not there, is not used
    assert search._ordered_staging(tmp_path / "no-such-folder") is None
