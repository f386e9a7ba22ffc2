"""A build of enough reports to use its scale paths: PDF workers alongside the pages, batched search.

The other tests use the six reports of reports/, which render in the build's own process and fit
one Pagefind run; here 30 synthetic reports (bench/synth.py) make the build start its PDF workers,
and ``search_batch: 8`` makes it index them in four Pagefind runs, merged.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from generator.formats import SECTIONS
from generator.pages import SiteIndex
from generator.pdf import PdfPipeline, PdfSettings, allocator, build_bundles, find_fonts, render_reports, size_label
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
N = 30


def _synth(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert len(module.generate(N, out, 7)) == N


def _build(project: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("pipeline") / "project"
    for name in ("content", "site_overrides"):
        shutil.copytree(ROOT / name, project / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n      search: true" in config
    # Pagefind on batches of 8 pages, merged: the index a province-sized build uses (pagefind_merge)
    config = config.replace("\n      search: true", "\n      search_batch: 8\n      search: true", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    _synth(project / "reports")
    return project


@pytest.fixture(scope="module")
def first_build(project: Path) -> str:
    return _build(project)


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'href="\.\./(pdf/[^"]+\.pdf)">[^<]*PDF（([^）]+)）</a>', html)


def test_workers_render_every_pdf_and_pages_show_their_sizes(project: Path, first_build: str) -> None:
    assert re.search(rf"PDF：{N} 份报告（{N} 份新生成，每份用 CPU \d+ 毫秒，0 份来自缓存）", first_build)
    site = project / "site"
    pages = sorted((site / "reports").glob("*.html"))
    assert len(pages) == N
    seen = 0
    for page in [*pages, *sorted((site / "years").glob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        assert "SIZE[" not in html, f"{page.name}: a size left unfilled"
        for name, label in _links(html):
            assert label == size_label((site / name).stat().st_size), f"{page.name}: {name}"
            seen += 1
    bundles = list((site / "pdf").glob("20*.pdf"))
    per_year = {y: sum(1 for b in bundles if b.stem[:4] == y) for y in {p.stem[-4:] for p in pages}}
    # each report page: its PDF and its year's 汇编; each year page: its 汇编
    assert bundles and seen == N + sum(per_year[p.stem[-4:]] for p in pages) + len(bundles)


def test_a_second_build_renders_nothing_and_writes_the_same_pages(project: Path, first_build: str) -> None:
    before = {p.name: p.read_bytes() for p in (project / "site" / "reports").glob("*.html")}
    pdfs = {p.name: p.stat().st_ino for p in (project / "site" / "pdf").glob("*.pdf")}
    assert len(list((project / ".nianbao-cache" / "pages").glob("*.md"))) == N  # every page body kept
    again = _build(project)
    assert re.search(rf"PDF：{N} 份报告（0 份新生成，{N} 份来自缓存），\d+ 份年度汇编（0 份新合并）", again)
    assert {p.name: p.read_bytes() for p in (project / "site" / "reports").glob("*.html")} == before
    # the PDFs the workers put into the first site are taken from it (hard links), not copied again
    assert {p.name: p.stat().st_ino for p in (project / "site" / "pdf").glob("*.pdf")} == pdfs


def test_an_edited_report_gets_a_new_page_body(project: Path, first_build: str) -> None:
    target = sorted((project / "reports").rglob("*.yaml"))[0]
    text = target.read_text(encoding="utf-8")
    assert "未收取信息处理费。" in text
    target.write_text(text.replace("未收取信息处理费。", "未收取信息处理费（核对无误）。", 1), encoding="utf-8")
    try:
        again = _build(project)
        assert re.search(rf"PDF：{N} 份报告（1 份新生成", again)
        page = next(p for p in (project / "site" / "reports").glob("*.html") if p.stem == target.stem)
        assert "未收取信息处理费（核对无误）。" in page.read_text(encoding="utf-8")
    finally:
        target.write_text(text, encoding="utf-8")


def test_workers_and_this_process_give_the_same_bytes(project: Path, tmp_path: Path) -> None:
    """Workers under jemalloc and this process under glibc's malloc: the same PDFs, byte for byte."""
    site = SiteIndex(validate([project / "reports"]).valid_reports())
    fonts = find_fonts()
    jemalloc = allocator.jemalloc()
    assert jemalloc is not None, "libjemalloc2 is not installed (./dev installs it)"
    assert allocator.library("auto") == jemalloc and allocator.library("system") is None
    before = os.environ.get("LD_PRELOAD")
    pipeline = PdfPipeline(PdfSettings(tmp_path / "workers", fonts, jobs=2, epoch=1, allocator=jemalloc), "示例发布机关")
    pipeline.start(site, tmp_path / "site")
    assert os.environ.get("LD_PRELOAD") == before  # only the workers preload it
    assert pipeline._pool is not None  # noqa: SLF001 - the workers really ran
    assert pipeline._pool.submit(allocator.in_use).result() == "jemalloc"  # noqa: SLF001
    assert allocator.in_use() == ""
    files = pipeline.finish()
    # each PDF made was copied into the site by its worker: a copy, not the cache's inode
    assert pipeline.placed == set(files)
    for name, path in files.items():
        copy = tmp_path / "site" / name
        assert copy.read_bytes() == path.read_bytes() and copy.stat().st_ino != path.stat().st_ino, name
    here = PdfSettings(tmp_path / "here", fonts, jobs=1, epoch=1)
    rendered = render_reports(site.reports, here)
    bundles = build_bundles(site, rendered, here, "示例发布机关")
    expected = {PdfPipeline.report_name(slug): pdf.path for slug, pdf in rendered.items()}
    expected |= {f"pdf/{b.filename}": b.path for b in bundles}
    assert files.keys() == expected.keys()
    for name, path in files.items():
        assert path.read_bytes() == expected[name].read_bytes(), name
    assert pipeline.summary.rendered == N and pipeline.summary.merged == len(bundles)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.mark.parametrize("query", ["复议", "公开"])
def test_search_of_a_merged_index_finds_the_reports(project: Path, first_build: str, browser: Any, query: str) -> None:
    assert "Pagefind" not in first_build
    site = SiteIndex(validate([project / "reports"]).valid_reports())
    expected = sorted(
        r.title for r in site.reports
        if query in "\n".join([r.title, r.lead, *SECTIONS, *(r.section(h) for h in SECTIONS), r.signature])
    )
    assert expected
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search.html?q={query}")
        page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
        status = page.locator("#nb-status").inner_text()
        assert status == f"找到 {len(expected)} 份报告。"
        shown = page.locator("#nb-results li").count()
        while shown < len(expected):  # 10 at a time
            page.locator("#nb-more").click()
            page.wait_for_function(f"() => document.querySelectorAll('#nb-results li').length > {shown}")
            shown = page.locator("#nb-results li").count()
        assert sorted(page.locator("#nb-results .nb-result__title").all_inner_texts()) == expected
    finally:
        page.close()
        server.shutdown()


def test_a_failing_search_index_stops_the_build_and_keeps_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index of a small site is built in a thread beside the pages: its failure must still stop
    # the build, in Chinese, with the published site untouched.
    from generator import search
    from generator.build import BuildError, build_site

    project = tmp_path / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    published = tmp_path / "www"
    published.mkdir()
    (published / "index.html").write_text("已发布的网站", encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setattr(search, "pagefind_binary", lambda: "/bin/false")
    with pytest.raises(BuildError, match="Pagefind 建立搜索索引失败"):
        build_site(project / "mkdocs.yml", published)
    assert [p.name for p in published.iterdir()] == ["index.html"]
    assert (published / "index.html").read_text(encoding="utf-8") == "已发布的网站"
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name]


def test_a_report_the_workers_cannot_typeset_stops_the_build_in_chinese(tmp_path: Path) -> None:
    # What a worker's failure looks like to the build: the pipeline raises it when it is collected,
    # and the plugin turns it into MkDocs' Abort (a message, not a traceback), closing the workers.
    from concurrent.futures import Future

    from mkdocs.exceptions import Abort

    from generator.pdf.render import RenderError
    from generator.plugin import NianbaoPlugin

    pipeline = PdfPipeline(PdfSettings(tmp_path, find_fonts(), jobs=2), "示例发布机关")
    failed: Future[object] = Future()
    failed.set_exception(RenderError("reports/x-2024.yaml：PDF 生成失败：unknown font"))
    pipeline._outstanding = 1  # noqa: SLF001 - one job queued, which failed
    pipeline._done.put(("pdf/x-2024.pdf", failed))  # noqa: SLF001
    plugin = NianbaoPlugin()
    plugin.pdfs.pdfs = pipeline
    with pytest.raises(Abort, match="x-2024.yaml：PDF 生成失败"):
        plugin.pdfs.size("pdf/x-2024.pdf")
