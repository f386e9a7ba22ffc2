"""A province-sized deployment: shards built by region, a portal that searches them all."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site

ROOT = Path(__file__).resolve().parent.parent

PORTAL_PLUGIN = """plugins:
  - nianbao:
      reports_dir: no-reports-here
      search_shards:
        - {bundle: ../hubei/pagefind/, base: ../hubei/}
        - {bundle: ../shili/pagefind/, base: ../shili/}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("shards")
    project = root / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    www = root / "www"
    cwd = Path.cwd()
    os.chdir(project)
    try:
        hubei = build_site(project / "mkdocs.yml", www / "hubei", regions=["湖北省"])
        shili = build_site(project / "mkdocs.yml", www / "shili", regions=["示例省/示例市"])
        assert (hubei.reports, shili.reports) == (1, 5)
        portal = project / "portal.yml"
        text = (project / "mkdocs.yml").read_text(encoding="utf-8")
        start = text.index("plugins:")
        end = text.index("markdown_extensions:")
        portal.write_text(text[:start] + PORTAL_PLUGIN + "\n" + text[end:], encoding="utf-8")
        build_site(portal, www / "portal")
    finally:
        os.chdir(cwd)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_each_shard_publishes_only_its_region(www: tuple[Path, str]) -> None:
    root, _ = www
    assert sorted(p.stem for p in (root / "hubei" / "reports").glob("*.html")) == ["qiaokou-rongmeiti-2024"]
    shili = sorted(p.stem for p in (root / "shili" / "reports").glob("*.html"))
    assert len(shili) == 5 and all(s.startswith("shili-") for s in shili)
    assert not (root / "portal" / "reports").exists() and not (root / "portal" / "pagefind").exists()


def test_portal_searches_every_shard(www: tuple[Path, str], browser: Any) -> None:
    _, base = www
    page = browser.new_page()
    page.goto(base + "portal/search.html?q=复议")
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
    titles = page.locator("#nb-results .nb-result__title").all_inner_texts()
    assert "硚口区融媒体中心2024年政府信息公开工作年度报告" in titles  # from the 湖北省 shard
    assert any(t.startswith("示例区") for t in titles)  # from the 示例省 shard
    assert len(titles) == 6
    for href in page.locator("#nb-results .nb-result__title a").evaluate_all("as => as.map(a => a.href)"):
        assert page.request.get(href).ok, href  # each result links into its own shard
    page.close()
